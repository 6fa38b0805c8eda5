"""Report tables as plain data: columns grouped under the county form's header rows, rows of values.

One :class:`Table` is one sheet of the xlsx, one table of the PDF and one table on screen; the
header rows (merged cells included) come from :func:`header_grid`, so the three agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Column:
    """A leaf column: its key in the rows, its label, and the header groups above it (outermost first)."""

    key: str
    label: str
    group: tuple[str, ...] = ()
    kind: str = "int"  # int | money | decimal | text


@dataclass(frozen=True)
class Table:
    """A titled table; ``rows`` hold values by column key plus ``_kind`` (unit | subtotal | total)."""

    id: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[dict[str, Any], ...] = ()
    note: str = ""
    sheet: str = ""  # the xlsx sheet name (≤ 31 characters); the title when empty

    @property
    def sheet_name(self) -> str:
        return (self.sheet or self.title)[:31]


@dataclass(frozen=True)
class HeaderCell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


def header_depth(columns: Sequence[Column]) -> int:
    return max((len(c.group) + 1 for c in columns), default=1)


def header_grid(columns: Sequence[Column]) -> list[HeaderCell]:
    """The header as merged cells: a group spans the consecutive columns under it; a leaf label
    spans down to the last header row."""
    depth = header_depth(columns)
    cells: list[HeaderCell] = []
    for level in range(depth):
        col = 0
        while col < len(columns):
            path = columns[col].group + (columns[col].label,)
            if level >= len(path):
                col += 1
                continue
            if level == len(path) - 1:  # the leaf label
                cells.append(HeaderCell(path[level], level, col, rowspan=depth - level))
                col += 1
                continue
            prefix = path[: level + 1]
            end = col + 1
            while end < len(columns) and (columns[end].group + (columns[end].label,))[: level + 1] == prefix \
                    and len(columns[end].group) > level:
                end += 1
            cells.append(HeaderCell(path[level], level, col, colspan=end - col))
            col = end
    return cells


def cell_text(value: Any, kind: str = "int") -> str:
    """A value as printed: money in yuan (two decimals unless whole), None as —."""
    if value is None or value == "":
        return "—" if kind != "text" else ""
    if isinstance(value, Decimal):
        if kind == "money":
            return f"{value:.0f}" if value == value.to_integral_value() else f"{value:.2f}"
        return f"{value}"
    return str(value)


def plain_value(value: Any, kind: str = "int") -> Any:
    """A value for a spreadsheet cell: numbers stay numbers (Decimal → float with 2 decimals)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value


def table_rows_text(table: Table) -> list[list[str]]:
    return [[cell_text(r.get(c.key), c.kind) for c in table.columns] for r in table.rows]


@dataclass(frozen=True)
class ReportArea:
    code: str
    name: str
    level: str


@dataclass
class MonthlyReport:
    """A 统计月报: the month, the area, its tables, the 12-month trend and the charts to draw."""

    month: str
    area: ReportArea
    amount_label: str  # the month's amounts: 实发, 应发 or 实发/应发 (domain/paid_figures.py)
    tables: list[Table] = field(default_factory=list)
    charts: list[Any] = field(default_factory=list)  # domain.charts.ChartSpec
    notes: list[str] = field(default_factory=list)
    generated_on: str = ""
    unit_label: str = "村（社区）"
    trend_label: str = ""  # the 12 months' amounts, as amount_label (empty: amount_label)

    def table(self, table_id: str) -> Table:
        return next(t for t in self.tables if t.id == table_id)


def sum_rows(rows: Iterable[dict[str, Any]], columns: Sequence[Column]) -> dict[str, Any]:
    rows = list(rows)
    out: dict[str, Any] = {}
    for c in columns:
        if c.kind in ("int", "money"):
            out[c.key] = sum((r.get(c.key) or 0 for r in rows), Decimal(0) if c.kind == "money" else 0)
    return out
