"""Report tables to an xlsx workbook (XlsxWriter): one sheet per table, a title row, a line naming
the area and period, the header rows with their merged cells as the county's forms lay them out,
then the rows and the notes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..domain.report_tables import Table, header_depth, header_grid, plain_value

FORMATS = {"int": "0", "money": "0.00", "decimal": "0.0", "text": "@"}


def write_workbook(path: str | Path, tables: Sequence[Table], *, title: str, subtitle: str,
                   notes: Sequence[str] = ()) -> None:
    """Write ``tables`` to ``path``; ``title`` (if any) heads every sheet before the table's own title."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    try:
        title_fmt = book.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
        sub_fmt = book.add_format({"align": "left", "valign": "vcenter"})
        head_fmt = book.add_format({"bold": True, "align": "center", "valign": "vcenter", "border": 1,
                                    "text_wrap": True, "bg_color": "#EEEEEE"})
        note_fmt = book.add_format({"italic": True, "font_color": "#555555"})
        cell_fmts = {kind: book.add_format({"border": 1, "num_format": fmt}) for kind, fmt in FORMATS.items()}
        bold_fmts = {kind: book.add_format({"border": 1, "num_format": fmt, "bold": True})
                     for kind, fmt in FORMATS.items()}
        used: set[str] = set()
        for table in tables:
            name = _sheet_name(table.sheet_name, used)
            sheet = book.add_worksheet(name)
            ncols = max(len(table.columns), 1)
            _merged(sheet, 0, 0, 0, ncols - 1, f"{title}　{table.title}" if title else table.title, title_fmt)
            _merged(sheet, 1, 0, 1, ncols - 1, subtitle, sub_fmt)
            sheet.set_row(0, 28)
            top = 2
            for cell in header_grid(table.columns):
                _merged(sheet, top + cell.row, cell.col, top + cell.row + cell.rowspan - 1,
                        cell.col + cell.colspan - 1, cell.text, head_fmt)
            depth = header_depth(table.columns) if table.columns else 0
            first = top + depth
            for r, row in enumerate(table.rows):
                bold = row.get("_kind") in ("subtotal", "total")
                for c, col in enumerate(table.columns):
                    value = plain_value(row.get(col.key), col.kind)
                    fmt = (bold_fmts if bold else cell_fmts)[col.kind]
                    if value is None or value == "":
                        sheet.write_blank(first + r, c, None, fmt)
                    elif isinstance(value, str):
                        sheet.write_string(first + r, c, value, fmt)
                    else:
                        sheet.write_number(first + r, c, value, fmt)
            line = first + len(table.rows) + 1
            for text in ([table.note] if table.note else []) + list(notes):
                sheet.write_string(line, 0, text, note_fmt)
                line += 1
            for c, col in enumerate(table.columns):
                sheet.set_column(c, c, 16 if col.kind == "text" else (13 if col.kind == "money" else 9))
            sheet.freeze_panes(first, 1)
    finally:
        book.close()


def _merged(sheet, r1: int, c1: int, r2: int, c2: int, text: str, fmt) -> None:
    if (r1, c1) == (r2, c2):
        sheet.write_string(r1, c1, text, fmt)
    else:
        sheet.merge_range(r1, c1, r2, c2, text, fmt)


def _sheet_name(name: str, used: set[str]) -> str:
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "Sheet"
    candidate, n = clean, 2
    while candidate in used:
        candidate = f"{clean[:28]}({n})"
        n += 1
    used.add(candidate)
    return candidate
