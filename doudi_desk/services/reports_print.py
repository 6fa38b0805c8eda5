"""Report data in the shape the report templates take (print_templates/monthly_report.xml.j2 …),
and the PDFs made from it: 统计月报 with its charts, ledgers, 一户一册 and the 大排查 tables."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..domain.errors import DomainError, InputError
from ..domain.report_tables import MonthlyReport, Table, cell_text, header_grid
from .context import AppContext

_WEIGHT = {"text": 2.2, "money": 1.5, "decimal": 1.3, "int": 1.0}


def table_context(table: Table, *, widths: Sequence[float] | None = None) -> dict[str, Any]:
    """A table for ``_report_table.xml.j2``: header rows of merged cells, rows as printed text."""
    header: list[list[dict[str, Any]]] = [[] for _ in range(max((c.row for c in header_grid(table.columns)),
                                                                  default=-1) + 1)]
    for cell in header_grid(table.columns):
        header[cell.row].append({"text": cell.text, "span": cell.colspan, "rowspan": cell.rowspan})
    weights = widths or [1.0 if c.key == "class" or c.key.endswith("basis") else _WEIGHT.get(c.kind, 1.0)
                         for c in table.columns]
    return {
        "title": table.title,
        "header": header,
        "rows": [{"cells": [cell_text(r.get(c.key), c.kind) for c in table.columns],
                  "strong": r.get("_kind") in ("subtotal", "total")} for r in table.rows],
        "widths": ",".join(f"{w:g}" for w in weights),
        "align": ",".join("left" if c.kind == "text" else "right" for c in table.columns),
        "ncols": len(table.columns),
        "note": table.note,
    }


def print_config(uow, ctx: AppContext):
    from .printing import PrintService

    return PrintService(ctx)._config(uow)


def office_for_area(uow, ctx: AppContext, area_code: str) -> dict[str, str]:
    """Who issues a report of this area: the township office, or the county's civil-affairs bureau."""
    from .office import OfficeService

    area = uow.areas.get(area_code)
    if area is not None and area.level == "county":
        office = OfficeService(ctx).details_in(uow, None)
        return office | {"name": office["county_office"], "seal_text": office["county_office"]}
    return OfficeService(ctx).details_in(uow, area_code)


def monthly_pdf(ctx: AppContext, report: MonthlyReport, prepared_by: str = "") -> bytes:
    """The 统计月报 as a PDF: every table, the notes, then the charts."""
    from ..printing import render_report

    with ctx.db.unit_of_work() as uow:
        config = print_config(uow, ctx)
        office = office_for_area(uow, ctx, report.area.code)
    tables = [table_context(t) for t in report.tables]
    data = {
        "title": f"{report.area.name}社会救助统计月报",
        "area": {"code": report.area.code, "name": report.area.name},
        "month": report.month,
        "office": office,
        "prepared_by": prepared_by,
        "issued_on": report.generated_on,
        "amount_label": report.amount_label,
        "tables": tables,
        "notes": list(report.notes),
        "charts": bool(report.charts),
    }
    return render_report("monthly_report", data, config, charts=report.charts,
                         title=f"{report.area.name}{report.month}统计月报", author=office["name"])


def ledger_pdf(ctx: AppContext, table: Table, village: str, prepared_by: str = "") -> bytes:
    """A village's 台账 as a PDF."""
    from ..printing import render_report

    with ctx.db.unit_of_work() as uow:
        config = print_config(uow, ctx)
        office = office_for_area(uow, ctx, village)
    data = {"title": table.title, "office": office, "table": table_context(table), "prepared_by": prepared_by,
            "issued_on": ctx.today().isoformat()}
    return render_report("ledger", data, config, title=table.title, author=office["name"])


def file_kind(path: str) -> str:
    """``xlsx`` or ``pdf`` from a file name, or a refusal naming --out."""
    suffix = str(path).lower().rsplit(".", 1)[-1] if "." in Path(str(path)).name else ""
    if suffix not in ("xlsx", "pdf"):
        raise InputError(f"文件名应以 .xlsx 或 .pdf 结尾：{path}", "out")
    return suffix


def write_output(path: str, kind: str, xlsx: Callable[[Path], None], pdf: Callable[[], bytes]) -> None:
    """Write a report file whole to a temporary name first, then rename it, so a failure never
    leaves half a file under the name asked for."""
    target = Path(path)
    temp = target.with_name(target.name + ".part")
    try:
        if kind == "xlsx":
            xlsx(temp)
        else:
            temp.write_bytes(pdf())
        os.replace(temp, target)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise DomainError(f"无法写入文件 {path}：{exc.strerror or exc}") from None


def campaign_pdf(ctx: AppContext, view: dict[str, Any], table: Table, prepared_by: str = "") -> bytes:
    """排查情况统计表 or 核查问题清单 of a campaign, in the seed's layout."""
    from ..printing import render_report

    with ctx.db.unit_of_work() as uow:
        config = print_config(uow, ctx)
        office = office_for_area(uow, ctx, view["area"])
    kind = "campaign_summary" if table.id == "campaign_summary" else "campaign_problems"
    widths = None
    if kind == "campaign_problems":
        widths = [0.6, 1.3, 3.2, 1.4, 2.2, 3.2, 2.2, 2.0, 1.3]
    else:
        widths = [0.6, 1.8] + [1.0] * (len(table.columns) - 2)
    data = {"campaign": view, "office": office, "table": table_context(table, widths=widths),
            "prepared_by": prepared_by, "issued_on": ctx.today().isoformat(), "title": table.title}
    return render_report(kind, data, config, title=table.title, author=office["name"])
