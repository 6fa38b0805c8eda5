"""A plain xlsx table (XlsxWriter): a title line, column headings, rows; numbers stay exact text
where they are identifiers (ID numbers and accounts keep every digit), money is a number."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any


def write_table(sheets: Sequence[tuple[str, str, Sequence[str], Sequence[Sequence[Any]]]],
                money_columns: Sequence[str] = ()) -> bytes:
    """``sheets``: (sheet name, title line, column headings, rows). Columns named in
    ``money_columns`` hold amounts (``Decimal`` or text) written as numbers with two decimals."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    text = book.add_format({"num_format": "@"})
    head = book.add_format({"bold": True, "num_format": "@", "bottom": 1})
    title_format = book.add_format({"bold": True, "font_size": 14})
    money = book.add_format({"num_format": "#,##0.00"})
    for name, title, headings, rows in sheets:
        sheet = book.add_worksheet(name[:31])
        sheet.write_string(0, 0, title, title_format)
        for c, h in enumerate(headings):
            sheet.write_string(1, c, h, head)
        money_at = {i for i, h in enumerate(headings) if h in money_columns}
        widths = [max(6, len(h) * 2 + 2) for h in headings]
        for r, row in enumerate(rows, start=2):
            for c, value in enumerate(row):
                if c in money_at and value not in (None, ""):
                    sheet.write_number(r, c, float(Decimal(str(value))), money)
                else:
                    cell = "" if value is None else str(value)
                    sheet.write_string(r, c, cell, text)
                    widths[c] = min(40, max(widths[c], len(cell.encode("gbk", "replace")) + 2))
        for c, w in enumerate(widths):
            sheet.set_column(c, c, w)
        sheet.freeze_panes(2, 0)
    book.close()
    return buffer.getvalue()
