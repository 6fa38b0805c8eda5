"""Find a profile's header in a sheet and cut the sheet into data rows.

Above the header there may be title rows (花名册 title, 填报单位 and date); the header may span
several rows (a merged parent cell "户主信息" over "姓名" and "身份证号码"), may be followed by a row
of column numbers (1, 2, 3 …); below the data come total rows (合计, 小计) and signature lines
(制表人, 审核人). Only the data rows are returned, each with its spreadsheet row number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .cells import plain
from .issues import column_letter
from .profiles import FIELDS, Profile, normalise_header
from .reader import Sheet

SCAN_ROWS = 30  # the header is looked for in the first rows of a sheet
TOTAL_WORDS = ("合计", "总计", "小计", "累计", "本页合计", "总合计")
FOOTER_WORDS = ("制表", "填表", "填报", "审核", "负责人", "单位负责人", "说明", "注：", "注:", "备注", "经办人")


@dataclass(frozen=True)
class Column:
    index: int
    header: str  # as shown, parent and child joined by "/"

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclass
class HeaderMatch:
    """Where a profile's header was found in a sheet and which column holds which field."""

    profile: Profile
    sheet: Sheet
    first_row: int  # 0-based row of the header's first line
    depth: int  # header lines
    columns: dict[str, Column]  # field -> column
    unused: list[str] = field(default_factory=list)  # header texts no field took

    @property
    def data_start(self) -> int:
        return self.first_row + self.depth

    @property
    def missing(self) -> list[str]:
        return [f for f in self.profile.required if f not in self.columns]

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def score(self) -> tuple[int, int, int, int]:
        return (int(self.complete), len(self.columns), -len(self.unused), -self.depth)

    def explain(self) -> str:
        mapped = "、".join(f"{c.header}→{FIELDS[f][0]}" if normalise_header(c.header) != normalise_header(FIELDS[f][0])
                          else c.header for f, c in sorted(self.columns.items(), key=lambda x: x[1].index))
        text = (f"工作表「{self.sheet.name}」第{self.first_row + 1}"
                + (f"至{self.first_row + self.depth}" if self.depth > 1 else "")
                + f"行为表头，识别了{len(self.columns)}列：{mapped}")
        if self.unused:
            text += f"；未使用的列：{'、'.join(self.unused)}"
        return text


def _merged_origin(sheet: Sheet) -> dict[tuple[int, int], tuple[int, int]]:
    """Every cell near the top covered by a merged range -> the range's top-left cell (once a sheet)."""
    cached = getattr(sheet, "_origin", None)
    if cached is not None:
        return cached
    origin: dict[tuple[int, int], tuple[int, int]] = {}
    sheet._origin = origin  # type: ignore[attr-defined]
    width = sheet.width
    for (r1, c1), (r2, c2) in sheet.merged:
        if r1 > SCAN_ROWS + 4 or r2 - r1 > 8:  # below any header, or a tall household cell
            continue
        if c2 - c1 + 1 > max(2, width // 2):  # a title across the table, not a column group
            continue
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                origin[r, c] = (r1, c1)
    return origin


def _header_texts(sheet: Sheet, first: int, depth: int, origin: dict) -> list[list[str]]:
    """Per column, the non-empty header lines top to bottom (merged parents repeated under them)."""
    width = sheet.width
    out = []
    for c in range(width):
        parts: list[str] = []
        for r in range(first, first + depth):
            src = origin.get((r, c), (r, c))
            if src[0] < first:
                src = (r, c)
            text = plain(sheet.cell(*src))
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        out.append(parts)
    return out


def match_header(profile: Profile, sheet: Sheet, first: int, depth: int,
                 origin: dict | None = None) -> HeaderMatch:
    origin = _merged_origin(sheet) if origin is None else origin
    texts = _header_texts(sheet, first, depth, origin)
    columns: dict[str, Column] = {}
    taken: set[int] = set()
    # Two passes: the whole header text ("户主信息/姓名" as "户主信息姓名" or "户主信息/姓名"), then its
    # last line alone ("姓名"), so a qualified synonym wins over a bare one.
    for whole in (True, False):
        for c, parts in enumerate(texts):
            if c in taken or not parts:
                continue
            if whole:
                candidates = {normalise_header("".join(parts)), normalise_header("/".join(parts))}
            else:
                candidates = {normalise_header(parts[-1])}
            for name, synonyms in profile.normalised.items():
                if name in columns:
                    continue
                if candidates & set(synonyms):
                    columns[name] = Column(c, "/".join(parts))
                    taken.add(c)
                    break
    unused = ["/".join(parts) for c, parts in enumerate(texts) if parts and c not in taken]
    return HeaderMatch(profile, sheet, first, depth, columns, unused)


def locate(profile: Profile, sheet: Sheet) -> HeaderMatch | None:
    """The best header position of ``profile`` in ``sheet`` (None when no column matches)."""
    origin = _merged_origin(sheet)
    best: HeaderMatch | None = None
    depths = sorted({profile.header_rows, 1})
    for first in range(min(SCAN_ROWS, len(sheet.rows))):
        if not any(plain(v) for v in sheet.rows[first]):
            continue
        for depth in depths:
            found = match_header(profile, sheet, first, depth, origin)
            if found.columns and (best is None or found.score > best.score):
                best = found
    return best


@dataclass
class DataRow:
    """One data row: its 0-based index in the sheet, the row number Excel shows, and the raw value
    of each mapped field."""

    index: int
    values: dict[str, Any]
    raw: list[Any]
    number: int = 0

    def __post_init__(self) -> None:
        self.number = self.index + 1


@dataclass
class TotalRow:
    index: int
    text: str
    values: dict[str, Any]


_NUMBERS = re.compile(r"^\d+$")
_WS = re.compile(r"\s+")


def _column_numbers(row: list[Any]) -> bool:
    """A row of column numbers under the header: 1, 2, 3 … (or （1）, （2）…)."""
    values = [re.sub(r"[()（）]", "", plain(v)) for v in row if plain(v)]
    if len(values) < 3 or not all(_NUMBERS.match(v) for v in values):
        return False
    numbers = [int(v) for v in values]
    return numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def split_rows(match: HeaderMatch) -> tuple[list[DataRow], list[TotalRow], list[int]]:
    """Data rows, total rows and skipped footer rows (0-based) below the header."""
    sheet = match.sheet
    data: list[DataRow] = []
    totals: list[TotalRow] = []
    footers: list[int] = []
    start = match.data_start
    if start < len(sheet.rows) and _column_numbers(sheet.rows[start]):
        start += 1
    columns = [(name, col.index) for name, col in match.columns.items()]
    for i in range(start, len(sheet.rows)):
        row = sheet.rows[i]
        first = next((t for t in (plain(v) for v in row if v != "" and v is not None) if t), "")
        if not first:
            continue
        values = {name: row[c] if c < len(row) else "" for name, c in columns}
        compact = _WS.sub("", first) if len(first.split()) > 1 else first
        if compact.startswith(TOTAL_WORDS):
            texts = [plain(v) for v in row]
            totals.append(TotalRow(i, " ".join(t for t in texts if t), values))
            continue
        if compact.startswith(FOOTER_WORDS) and not any(
                plain(values.get(f)) for f in ("id_number", "head_id_number")):
            footers.append(i)  # 制表人：… 审核人：… 填表说明 …
            continue
        data.append(DataRow(i, values, list(row)))
    return data, totals, footers
