"""The report documents (统计月报, 台账, 一户一册, 大排查 tables) and their rendering, charts
included: the template gives the tables, ``printing/charts.py`` the drawings appended after them.

They are kept out of the case documents' ``KINDS`` on purpose: none of them is printed for a case
(``doudi-admin print KIND --case`` does not offer them); ``services/reports_print.py`` gathers
their data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..domain.charts import ChartSpec
from .charts import chart_grid
from .errors import PrintError
from .fonts import FontSet
from .layout import GEOMETRIES
from .markup import Builder, Built, parse
from .render import Kind, PrintConfig, _assemble, _render_markup, fonts_for

REPORT_KINDS: dict[str, Kind] = {k.id: k for k in (
    Kind("monthly_report", "统计月报", "monthly_report.xml.j2", "area"),
    Kind("ledger", "台账", "ledger.xml.j2", "village"),
    Kind("household_book", "一户一册", "household_book.xml.j2", "household"),
    Kind("campaign_summary", "排查情况统计表", "campaign_summary.xml.j2", "area"),
    Kind("campaign_problems", "核查问题清单", "campaign_problems.xml.j2", "area"),
)}


def _build(kind_id: str, data: Mapping[str, Any], config: PrintConfig, fonts: FontSet) -> Built:
    kind = REPORT_KINDS.get(kind_id)
    if kind is None:
        raise PrintError(f"没有这种报表：{kind_id}（可选：{'、'.join(REPORT_KINDS)}）")
    xml_text = _render_markup(config, kind.template, dict(data))
    return Builder(fonts, kind.template).build(parse(xml_text, kind.template))


def render_report(kind_id: str, data: Mapping[str, Any], config: PrintConfig, *,
                  charts: Sequence[ChartSpec] = (), title: str = "", author: str = "") -> bytes:
    """One report as a PDF; ``charts`` follow the template's content, two to a row."""
    fonts = fonts_for(config)
    built = _build(kind_id, data, config, fonts)
    built.flowables.extend(chart_grid(list(charts), fonts, GEOMETRIES[built.orientation].width))
    pdf, _ = _assemble([built], [REPORT_KINDS[kind_id].title], fonts, True, title or built.title, author)
    return pdf


def render_reports(parts: Sequence[tuple[str, Mapping[str, Any]]], config: PrintConfig, *, title: str = "",
                   author: str = "") -> bytes:
    """Several reports in one PDF, each from a new page numbered from "— 1 —" (a village's 一户一册)."""
    if not parts:
        raise PrintError("没有要打印的内容")
    fonts = fonts_for(config)
    built = [_build(kind_id, data, config, fonts) for kind_id, data in parts]
    pdf, _ = _assemble(built, [b.title for b in built], fonts, True, title or built[0].title, author)
    return pdf
