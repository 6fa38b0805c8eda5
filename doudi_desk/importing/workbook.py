"""Write lists as xlsx with XlsxWriter: title rows, Chinese headers, text columns, widths, totals.

ID numbers and accounts are written as text in text-formatted columns (never numbers: Excel keeps
15 digits); money as numbers with two decimals; the file is written next to its destination and
moved into place, so a failed export never leaves half a file where a good one was.
"""

from __future__ import annotations

import datetime as dt
import os
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ..domain.errors import InputError

KINDS = ("text", "code", "money", "int", "date")


@dataclass(frozen=True)
class Col:
    """A column: its header, what it holds (``code`` = ID number or account: text, never a number)
    and its width in characters (None: fitted to the content)."""

    header: str
    kind: str = "text"
    width: float | None = None


def display_width(text: str) -> int:
    """Columns a text takes in Excel: a Chinese character counts two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class _Book:
    """An XlsxWriter workbook with the formats every list uses."""

    def __init__(self, path: Path):
        import xlsxwriter

        self.path = path
        self.tmp = path.with_name(path.name + ".part")
        self.book = xlsxwriter.Workbook(str(self.tmp), {"strings_to_numbers": False, "strings_to_formulas": False,
                                                         "strings_to_urls": False})
        font = {"font_name": "宋体", "font_size": 11}
        self.title = self.book.add_format({**font, "bold": True, "font_size": 16, "align": "center",
                                           "valign": "vcenter"})
        self.info = self.book.add_format({**font, "align": "left", "valign": "vcenter"})
        self.header = self.book.add_format({**font, "bold": True, "align": "center", "valign": "vcenter",
                                            "text_wrap": True, "border": 1, "bg_color": "#E8EEF4"})
        self.text = self.book.add_format({**font, "border": 1, "valign": "vcenter", "num_format": "@"})
        self.code = self.book.add_format({**font, "border": 1, "valign": "vcenter", "num_format": "@"})
        self.money = self.book.add_format({**font, "border": 1, "valign": "vcenter", "num_format": "0.00"})
        self.whole = self.book.add_format({**font, "border": 1, "valign": "vcenter", "num_format": "0"})
        self.date = self.book.add_format({**font, "border": 1, "valign": "vcenter", "num_format": "yyyy-mm-dd"})
        self.total = self.book.add_format({**font, "bold": True, "border": 1, "valign": "vcenter"})

    def close(self) -> None:
        try:
            self.book.close()
            os.replace(self.tmp, self.path)
        except OSError as exc:
            self.tmp.unlink(missing_ok=True)
            raise InputError(f"无法写入 {self.path}：{exc.strerror or exc}", "out") from None

    def abandon(self) -> None:
        try:
            self.book.close()
        except Exception:  # noqa: BLE001 - only cleaning up after a failure
            pass
        self.tmp.unlink(missing_ok=True)


def _check_out(path: str | Path) -> Path:
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise InputError(f"输出文件应以 .xlsx 结尾：{path}", "out")
    if not path.parent.exists():
        raise InputError(f"文件夹不存在：{path.parent}", "out")
    return path


def write_cell(sheet, book: _Book, row: int, col: int, kind: str, value: Any) -> None:
    if value is None or value == "":
        sheet.write_blank(row, col, None, book.code if kind == "code" else book.text)
        return
    if kind == "money":
        try:
            sheet.write_number(row, col, float(Decimal(str(value))), book.money)
            return
        except (InvalidOperation, ValueError):
            pass
    if kind == "int" and isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        sheet.write_number(row, col, float(value), book.whole)
        return
    if kind == "date" and isinstance(value, dt.date):
        sheet.write_datetime(row, col, dt.datetime(value.year, value.month, value.day), book.date)
        return
    sheet.write_string(row, col, str(value), book.code if kind == "code" else book.text)


def write_table(path: str | Path, *, title: str, info: Sequence[str], columns: Sequence[Col],
                rows: Iterable[Sequence[Any]], sheet_name: str = "名单", total: str = "") -> int:
    """One sheet: the title across the table, info lines (office, filter, date), the header, the rows,
    an optional total line. Returns the number of data rows written."""
    path = _check_out(path)
    book = _Book(path)
    try:
        sheet = book.book.add_worksheet(sheet_name[:31])
        last = max(len(columns) - 1, 0)
        sheet.merge_range(0, 0, 0, last, title, book.title) if last else sheet.write_string(0, 0, title, book.title)
        sheet.set_row(0, 28)
        r = 1
        for line in info:
            sheet.merge_range(r, 0, r, last, line, book.info) if last else sheet.write_string(r, 0, line, book.info)
            r += 1
        header_row = r
        widths = [display_width(c.header) for c in columns]
        for c, col in enumerate(columns):
            sheet.write_string(r, c, col.header, book.header)
        sheet.set_row(r, 30)
        r += 1
        count = 0
        for values in rows:
            for c, col in enumerate(columns):
                value = values[c] if c < len(values) else None
                write_cell(sheet, book, r, c, col.kind, value)
                if col.width is None and value not in (None, ""):
                    widths[c] = max(widths[c], display_width(str(value)))
            r += 1
            count += 1
        if total:
            sheet.merge_range(r, 0, r, last, total, book.total) if last else sheet.write_string(r, 0, total, book.total)
        for c, col in enumerate(columns):
            width = col.width if col.width is not None else min(max(widths[c] + 2, 6), 60)
            sheet.set_column(c, c, width, book.code if col.kind == "code" else None)
        sheet.freeze_panes(header_row + 1, 0)
        sheet.repeat_rows(header_row)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
    except BaseException:
        book.abandon()
        raise
    book.close()
    return count
