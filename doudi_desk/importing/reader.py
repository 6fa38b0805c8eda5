"""Read a spreadsheet file into sheets of raw cells: .xlsx/.xlsm/.xls/.xlsb/.ods with python-calamine,
.csv in UTF-8 or GBK (detected).

Cells keep their spreadsheet coordinates: ``rows[r][c]`` is the cell Excel calls row r+1, column
c+1, whatever the used range is, so every message can name the row the clerk sees. A file that has
an opening password, or is not a spreadsheet at all, is refused as a whole with a Chinese message.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .issues import FileRefused

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
TEXT_SUFFIXES = (".csv", ".txt")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"


@dataclass
class Sheet:
    name: str
    rows: list[list[Any]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)

    @cached_property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def cell(self, row: int, col: int) -> Any:
        if 0 <= row < len(self.rows) and 0 <= col < len(self.rows[row]):
            return self.rows[row][col]
        return ""


@dataclass
class Workbook:
    path: Path
    digest: str  # SHA-256 of the file's bytes
    size: int
    sheets: list[Sheet]
    encoding: str | None = None  # a CSV's detected encoding


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read(path: str | Path) -> Workbook:
    """Read every visible worksheet. Raises FileRefused for what cannot be read."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileRefused(f"找不到文件：{path}", "FILE") from None
    except OSError as exc:
        raise FileRefused(f"无法读取文件 {path.name}：{exc.strerror or exc}", "FILE") from None
    if not data:
        raise FileRefused(f"文件「{path.name}」是空的", "FILE")
    suffix = path.suffix.lower()
    if data.startswith(_OLE2) and _encrypted_ooxml(data):
        raise _password(path)
    if data.startswith((_ZIP, _OLE2)) or suffix in SPREADSHEET_SUFFIXES:
        sheets = _read_spreadsheet(path, data)
        return Workbook(path, digest_of(data), len(data), sheets)
    if suffix in TEXT_SUFFIXES:
        sheet, encoding = _read_csv(path, data)
        return Workbook(path, digest_of(data), len(data), [sheet], encoding)
    raise FileRefused(f"「{path.name}」不是电子表格，可导入 .xlsx、.xls、.csv 文件", "FILE")


def _password(path: Path) -> FileRefused:
    return FileRefused(f"「{path.name}」设有打开密码，程序无法读取。请在 Excel 中打开，"
                       "在「文件 → 信息 → 保护工作簿」中删除密码后另存，再导入", "FILE")


def _encrypted_ooxml(data: bytes) -> bool:
    """An encrypted .xlsx is an OLE2 container holding an "EncryptedPackage" stream."""
    return "EncryptedPackage".encode("utf-16-le") in data


def _read_spreadsheet(path: Path, data: bytes) -> list[Sheet]:
    import python_calamine as calamine

    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except calamine.PasswordError:
        raise _password(path) from None
    except Exception as exc:  # calamine raises its own types for every kind of damage
        raise FileRefused(f"「{path.name}」不是有效的 Excel 文件或已损坏，无法读取（{type(exc).__name__}）",
                          "FILE") from None
    sheets = []
    try:
        for meta in book.sheets_metadata:
            if str(getattr(meta, "visible", "Visible")).rsplit(".", 1)[-1] != "Visible":
                continue
            if str(getattr(meta, "typ", "WorkSheet")).rsplit(".", 1)[-1] not in ("WorkSheet", "Worksheet"):
                continue
            sheet = book.get_sheet_by_name(meta.name)
            rows = [list(r) for r in sheet.to_python(skip_empty_area=False)]
            merged = [(tuple(a), tuple(b)) for a, b in (sheet.merged_cell_ranges or [])]
            sheets.append(Sheet(meta.name, rows, merged))
    except calamine.PasswordError:
        raise _password(path) from None
    except Exception as exc:
        raise FileRefused(f"「{path.name}」的内容无法读取，可能已损坏（{type(exc).__name__}）", "FILE") from None
    if not sheets:
        raise FileRefused(f"「{path.name}」没有可见的工作表", "FILE")
    return sheets


def decode_text(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) when the bytes are valid UTF-8, else GBK (as GB18030)."""
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GBK"
    except UnicodeDecodeError:
        raise FileRefused("文件既不是 UTF-8 也不是 GBK 编码的文本，无法读取", "FILE") from None


def _read_csv(path: Path, data: bytes) -> tuple[Sheet, str]:
    if b"\x00" in data[:4096]:
        raise FileRefused(f"「{path.name}」不是文本表格（CSV），无法读取", "FILE")
    text, encoding = decode_text(data)
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    if not any(any(c.strip() for c in r) for r in rows):
        raise FileRefused(f"「{path.name}」没有内容", "FILE")
    return Sheet(path.stem, rows), encoding
