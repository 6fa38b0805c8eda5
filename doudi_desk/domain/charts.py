"""Charts as plain data: what to draw, drawn on screen by ``ui/charts.py`` (QPainter) and in the PDF
by ``printing/charts.py`` (ReportLab graphics). A chart is a title, category labels and one or more
named series of numbers."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .report_tables import MonthlyReport

PALETTE = ("#2f6fb0", "#e07b39", "#3a9b5b", "#b8423c", "#7d5ba6", "#8c8c8c")


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class ChartSpec:
    """``kind`` is ``bar`` (grouped bars per category) or ``line`` (one line per series)."""

    id: str
    kind: str
    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str = ""

    @property
    def max_value(self) -> float:
        return max((v for s in self.series for v in s.values), default=0.0)

    @property
    def empty(self) -> bool:
        return not self.categories or self.max_value <= 0


def nice_max(value: float, ticks: int = 5) -> tuple[float, float]:
    """An axis top at or above ``value`` and its tick step on a 1-2-5 scale (step at least 1: the
    charts count people, cases and yuan, never fractions of them)."""
    if value <= 0:
        return float(ticks), 1.0
    raw = value / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(step, 1.0)
    return float(step * math.ceil(value / step - 1e-9)), float(step)


def _num(value) -> float:
    return float(value or 0) if not isinstance(value, Decimal) else float(value)


def report_charts(report: MonthlyReport) -> list[ChartSpec]:
    """The charts of a 统计月报: covered persons and amounts by unit, persons and amounts over the
    last 12 months, new against stopped each month, and overdue cases by unit."""
    dibao, tekun, process = report.table("dibao"), report.table("tekun"), report.table("process")
    trend = report.table("trend")
    units = [r for r in dibao.rows if r["_kind"] == "unit"]
    names = tuple(r["label"] for r in units)
    codes = [r["code"] for r in units]
    tek = {r["code"]: r for r in tekun.rows if r["_kind"] == "unit"}
    proc = {r["code"]: r for r in process.rows if r["_kind"] == "unit"}
    months = tuple(f"{int(r['label'][5:])}月" for r in trend.rows)  # 2026-11 → 11月
    unit = report.unit_label.split("（")[0]
    amount = report.amount_label
    return [
        ChartSpec("persons_by_unit", "bar", f"各{unit}保障人数", names, (
            Series("低保", tuple(_num(r["persons"]) for r in units)),
            Series("特困", tuple(_num(tek[n]["persons"]) for n in codes)),
        ), "人"),
        ChartSpec("amount_by_unit", "bar", f"各{unit}{amount}金额", names, (
            Series("低保", tuple(_num(r["amount"]) for r in units)),
            Series("特困", tuple(_num(tek[n]["amount"]) for n in codes)),
        ), "元"),
        ChartSpec("persons_by_month", "line", "近12个月保障人数", months, (
            Series("低保", tuple(_num(r["dibao_persons"]) for r in trend.rows)),
            Series("特困", tuple(_num(r["tekun_persons"]) for r in trend.rows)),
        ), "人"),
        ChartSpec("amount_by_month", "line", f"近12个月{report.trend_label or amount}金额", months, (
            Series("低保", tuple(_num(r["dibao_amount"]) for r in trend.rows)),
            Series("特困", tuple(_num(r["tekun_amount"]) for r in trend.rows)),
        ), "元"),
        ChartSpec("new_stopped", "bar", "近12个月新增与停保", months, (
            Series("新增", tuple(_num(r["new"]) for r in trend.rows)),
            Series("停保", tuple(_num(r["stopped"]) for r in trend.rows)),
        ), "户/人"),
        ChartSpec("overdue_by_unit", "bar", f"各{unit}逾期案件", names, (
            Series("月末逾期未办结", tuple(_num(proc[n]["overdue"]) for n in codes)),
            Series("本月超期办结", tuple(_num(proc[n]["decided_late"]) for n in codes)),
        ), "件"),
    ]
