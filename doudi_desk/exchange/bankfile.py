"""Bank files by layout: write a payroll's 代发 file, read the bank's result file back.

Plain data in and out: rows are dicts of the layout's fields, amounts ``Decimal``. Nothing here
knows about payrolls; the payments service matches what is read against what was sent.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ..domain.errors import InputError
from .layouts import LINE_FIELDS, RESULT_FIELDS, Cell, Layout


class BankFileError(InputError):
    """A file cannot be written or read as its layout says; ``problems`` names each place."""

    def __init__(self, problems: Sequence[str]):
        super().__init__("；".join(problems[:20]) + (f"；另有{len(problems) - 20}处" if len(problems) > 20 else ""))
        self.problems = list(problems)


def amount_text(layout: Layout, value: Decimal) -> str:
    value = Decimal(value)
    if layout.amount == "fen":
        return str(int((value * 100).to_integral_value()))
    return f"{value:.2f}"


def parse_amount(layout: Layout, raw: Any) -> Decimal:
    if isinstance(raw, bool) or raw is None or raw == "":
        raise ValueError("空")
    if isinstance(raw, float):
        raw = repr(raw)
    text = str(raw).strip().replace(",", "")
    value = Decimal(text)
    if layout.amount == "fen":
        if value != value.to_integral_value():
            raise ValueError("以分为单位的金额应为整数")
        return (value / 100).quantize(Decimal("0.01"))
    return value.quantize(Decimal("0.01"))


def file_name(layout: Layout, summary: Mapping[str, Any]) -> str:
    return layout.file_name.format_map({k: str(v) for k, v in summary.items()})


def _value(layout: Layout, cell: Cell, values: Mapping[str, Any]) -> str:
    if not cell.field:
        return cell.text
    value = values.get(cell.field, "")
    if cell.field in ("amount", "total"):
        return amount_text(layout, value)
    return "" if value is None else str(value)


# --- writing --------------------------------------------------------------------------------------
def write(layout: Layout, summary: Mapping[str, Any], rows: Sequence[Mapping[str, Any]], *,
          results: bool = False) -> bytes:
    """The file's bytes. ``results``: with the result columns (how a bank answers; for tests and drills)."""
    columns = layout.columns + (layout.result_columns if results else ())
    if layout.file_type == "xlsx":
        return _write_xlsx(layout, summary, rows, columns)
    lines: list[list[str]] = [[_value(layout, c, summary) for c in line] for line in layout.header]
    if layout.column_titles and layout.file_type == "csv":
        lines.append([c.title or LINE_FIELDS.get(c.field) or RESULT_FIELDS.get(c.field, c.field) for c in columns])
    body = [[_value(layout, c, row) for c in columns] for row in rows]
    trailer = [[_value(layout, c, summary) for c in line] for line in layout.trailer]
    problems: list[str] = []
    if layout.file_type == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=layout.delimiter, lineterminator=layout.line_end)
        writer.writerows(lines + body + trailer)
        text = buffer.getvalue()
        out = _encode(text, layout, problems, "文件")
    else:
        records = []
        n_head = len(layout.header)
        for i, (cells, line) in enumerate(zip(layout.header, lines, strict=True)):
            records.append(_fixed(layout, cells, line, f"第{i + 1}行（文件头）", problems))
        for i, values in enumerate(body):
            records.append(_fixed(layout, columns, values, f"第{n_head + i + 1}行（序号{rows[i].get('seq', i + 1)}）",
                                  problems))
        for i, (cells, line) in enumerate(zip(layout.trailer, trailer, strict=True)):
            records.append(_fixed(layout, cells, line, f"第{n_head + len(body) + i + 1}行（文件尾）", problems))
        out = layout.line_end.encode("ascii").join(records) + layout.line_end.encode("ascii")
    if problems:
        raise BankFileError(problems)
    return out


def _encode(text: str, layout: Layout, problems: list[str], where: str) -> bytes:
    try:
        return text.encode(layout.encoding)
    except UnicodeEncodeError as exc:
        bad = text[exc.start:exc.end]
        problems.append(f"{where}含{layout.encoding.upper()}编码无法表示的字符「{bad}」，请更正记录或改用 UTF-8 格式")
        return b""


def _fixed(layout: Layout, cells: Sequence[Cell], values: Sequence[str], where: str, problems: list[str]) -> bytes:
    out = b""
    for cell, value in zip(cells, values, strict=True):
        raw = _encode(value, layout, problems, f"{where}{_label(cell)}")
        width = cell.width if cell.width is not None else len(raw)
        if len(raw) > width:
            problems.append(f"{where}{_label(cell)}「{value}」长{len(raw)}字节，超过该字段宽度{width}字节")
            continue
        fill = cell.pad.encode(layout.encoding) * (width - len(raw))
        out += fill + raw if cell.align == "right" else raw + fill
    return out


def _label(cell: Cell) -> str:
    if not cell.field:
        return ""
    return f"的{cell.title or LINE_FIELDS.get(cell.field) or RESULT_FIELDS.get(cell.field) or cell.field}"


def _write_xlsx(layout: Layout, summary: Mapping[str, Any], rows: Sequence[Mapping[str, Any]],
                columns: Sequence[Cell]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(layout.sheet[:31])
    text = book.add_format({"num_format": "@"})
    bold = book.add_format({"bold": True, "num_format": "@"})
    money = book.add_format({"num_format": "0.00" if layout.amount == "yuan" else "0"})
    r = 0

    def put(row: int, col: int, cell: Cell, value: str) -> None:
        if cell.field in ("amount", "total"):
            sheet.write_number(row, col, float(Decimal(value)), money)  # exact: ≤ 15 significant digits
        else:
            sheet.write_string(row, col, value, text)

    for line in layout.header:
        for c, cell in enumerate(line):
            put(r, c, cell, _value(layout, cell, summary))
        r += 1
    if layout.column_titles:
        for c, cell in enumerate(columns):
            sheet.write_string(r, c, cell.title or LINE_FIELDS.get(cell.field) or RESULT_FIELDS.get(cell.field, ""), bold)
        r += 1
    for row in rows:
        for c, cell in enumerate(columns):
            put(r, c, cell, _value(layout, cell, row))
        r += 1
    for line in layout.trailer:
        for c, cell in enumerate(line):
            put(r, c, cell, _value(layout, cell, summary))
        r += 1
    widths = {"seq": 6, "payee_name": 10, "id_number": 21, "bank_account": 24, "amount": 12, "memo": 24}
    for c, cell in enumerate(columns):
        sheet.set_column(c, c, widths.get(cell.field, 12))
    book.close()
    return buffer.getvalue()


# --- reading --------------------------------------------------------------------------------------
@dataclass
class Parsed:
    rows: list[dict[str, Any]] = field(default_factory=list)  # each with "line" (1-based in the file)
    header: dict[str, str] = field(default_factory=dict)
    trailer: dict[str, str] = field(default_factory=dict)


def read_result(layout: Layout, data: bytes) -> Parsed:
    """A result file: the layout's columns then its result columns, with its header and trailer."""
    columns = layout.columns + layout.result_columns
    if layout.file_type == "xlsx":
        table = _xlsx_rows(data)
    elif layout.file_type == "csv":
        table = [list(r) for r in csv.reader(io.StringIO(_decode(data, layout)), delimiter=layout.delimiter)]
    else:
        return _read_fixed(layout, data, columns)
    while table and not any(str(v).strip() for v in table[-1]):
        table.pop()
    problems: list[str] = []
    parsed = Parsed()
    n_head = len(layout.header) + (1 if layout.column_titles else 0)
    n_tail = len(layout.trailer)
    if len(table) < n_head + n_tail:
        raise BankFileError([f"文件只有{len(table)}行，不是「{layout.title}」的回盘文件"])
    for i, cells in enumerate(layout.header):
        _summary_cells(cells, table[i], parsed.header)
    if layout.column_titles:
        titles = [str(v).strip() for v in table[n_head - 1]]
        want = [c.title or LINE_FIELDS.get(c.field) or RESULT_FIELDS.get(c.field, "") for c in columns]
        if titles[:len(want)] != want:
            problems.append(f"第{n_head}行的列标题应为「{'、'.join(want)}」，现为「{'、'.join(titles)}」")
    for i, cells in enumerate(layout.trailer):
        _summary_cells(cells, table[len(table) - n_tail + i], parsed.trailer)
    for i in range(n_head, len(table) - n_tail):
        values = table[i]
        if len(values) < len(columns):
            problems.append(f"第{i + 1}行只有{len(values)}列，应有{len(columns)}列")
            continue
        parsed.rows.append({"line": i + 1, **{c.field: values[j] for j, c in enumerate(columns) if c.field}})
    if problems:
        raise BankFileError(problems)
    return parsed


def _summary_cells(cells: Sequence[Cell], values: Sequence[Any], into: dict[str, str]) -> None:
    for j, cell in enumerate(cells):
        if cell.field and j < len(values):
            into[cell.field] = _plain(values[j])


def _plain(value: Any) -> str:
    if isinstance(value, float):
        return repr(value)
    return "" if value is None else str(value).strip()


def _decode(data: bytes, layout: Layout) -> str:
    try:
        return data.decode(layout.encoding if layout.encoding != "utf-8" else "utf-8-sig")
    except UnicodeDecodeError:
        raise BankFileError([f"文件不是 {layout.encoding.upper()} 编码的文本，不是「{layout.title}」的回盘文件"]) from None


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        return [list(r) for r in sheet.to_python(skip_empty_area=False)]
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise BankFileError([f"无法读取 Excel 文件：{exc}"]) from None


def _read_fixed(layout: Layout, data: bytes, columns: Sequence[Cell]) -> Parsed:
    records = [r for r in data.split(layout.line_end.encode("ascii"))]
    while records and not records[-1].strip():
        records.pop()
    problems: list[str] = []
    parsed = Parsed()
    n_head, n_tail = len(layout.header), len(layout.trailer)
    if len(records) < n_head + n_tail:
        raise BankFileError([f"文件只有{len(records)}行，不是「{layout.title}」的回盘文件"])

    def cut(cells: Sequence[Cell], record: bytes, line: int) -> dict[str, str] | None:
        out, pos = {}, 0
        widths = [c.width if c.width is not None else len(c.text.encode(layout.encoding)) for c in cells]
        if len(record) < sum(widths) - (widths[-1] if cells and cells[-1].field == "reason" else 0):
            problems.append(f"第{line}行长{len(record)}字节，应为{sum(widths)}字节")
            return None
        for cell, width in zip(cells, widths, strict=True):
            chunk = record[pos:pos + width]
            pos += width
            try:
                text_ = chunk.decode(layout.encoding)
            except UnicodeDecodeError:
                problems.append(f"第{line}行{_label(cell) or '的固定文字'}不是 {layout.encoding.upper()} 编码")
                return None
            if cell.field:
                out[cell.field] = text_.strip().lstrip(cell.pad) if cell.align == "right" and cell.pad != " " \
                    else text_.strip()
                if cell.field in ("amount", "total", "count", "seq") and not out[cell.field]:
                    out[cell.field] = "0"
        return out

    for i in range(n_head):
        got = cut(layout.header[i], records[i], i + 1)
        parsed.header.update(got or {})
    for i in range(n_head, len(records) - n_tail):
        got = cut(columns, records[i], i + 1)
        if got is not None:
            parsed.rows.append({"line": i + 1, **got})
    for k in range(n_tail):
        i = len(records) - n_tail + k
        got = cut(layout.trailer[k], records[i], i + 1)
        parsed.trailer.update(got or {})
    if problems:
        raise BankFileError(problems)
    return parsed


def to_decimal(layout: Layout, raw: Any) -> Decimal | None:
    try:
        return parse_amount(layout, raw)
    except (ValueError, InvalidOperation):
        return None
