"""The 统计月报's tables (reports.md §1) from the figures of ``domain/statistics.py``.

Rows are the area's units — the villages of a township, the townships of a county, or the one
village — then the 城市 and 农村 subtotals and the total. Each table is one sheet of the county's
workbook with its header groups.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .charts import report_charts
from .model import URBAN_RURAL
from .report_tables import Column, MonthlyReport, ReportArea, Table
from .statistics import MonthPoint, VillageFigures, average_days

CLASS = Column("class", "城乡", kind="text")


def dibao_columns(amount_label: str) -> tuple[Column, ...]:
    return (
        CLASS,
        Column("households", "户数", ("保障对象",)),
        Column("persons", "人数", ("保障对象",)),
        Column("elderly", "老年人", ("保障人数中",)),
        Column("minors", "未成年人", ("保障人数中",)),
        Column("disabled", "残疾人", ("保障人数中",)),
        Column("ill", "重病患者", ("保障人数中",)),
        Column("single", "单人户", ("户数中",)),
        Column("phasing", "渐退户", ("户数中",)),
        Column("new", "新增户数", ("本月变动",)),
        Column("stopped", "停保户数", ("本月变动",)),
        Column("amount", f"{amount_label}金额（元）", kind="money"),
    )


def tekun_columns(amount_label: str) -> tuple[Column, ...]:
    return (
        CLASS,
        Column("persons", "供养人数"),
        Column("centralised", "集中供养", ("供养方式",)),
        Column("dispersed", "分散供养", ("供养方式",)),
        Column("self_care", "全自理", ("生活自理能力",)),
        Column("partial", "半失能", ("生活自理能力",)),
        Column("full", "全失能", ("生活自理能力",)),
        Column("new", "新增人数", ("本月变动",)),
        Column("stopped", "终止人数", ("本月变动",)),
        Column("amount", f"{amount_label}金额（元）", ("基本生活费+照料护理费",), kind="money"),
    )


TEMP_COLUMNS = (
    CLASS,
    Column("cases", "人次", ("合计",)),
    Column("amount", "金额（元）", ("合计",), kind="money"),
    Column("urgent", "人次", ("急难型",)),
    Column("urgent_amount", "金额（元）", ("急难型",), kind="money"),
    Column("expenditure", "人次", ("支出型",)),
    Column("expenditure_amount", "金额（元）", ("支出型",), kind="money"),
    Column("first_aid", "人次", ("先行救助",)),
    Column("first_aid_amount", "金额（元）", ("先行救助",), kind="money"),
    Column("township", "乡镇审批", ("审批层级（人次）",)),
    Column("county", "县级审批", ("审批层级（人次）",)),
    Column("county_collective", "一事一议", ("审批层级（人次）",)),
)
PROCESS_COLUMNS = (
    CLASS,
    Column("received", "受理申请"),
    Column("decided", "合计", ("审核确认",)),
    Column("approved", "确认", ("审核确认",)),
    Column("refused", "不予确认", ("审核确认",)),
    Column("avg_days", "平均办理工作日（受理至决定）", kind="decimal"),
    Column("overdue", "月末逾期未办结", ("逾期案件",)),
    Column("decided_late", "本月超期办结", ("逾期案件",)),
    Column("objections", "公示异议"),
)
ALLOWANCE_COLUMNS = (
    CLASS,
    Column("dla_persons", "人数", ("残疾人两项补贴", "困难残疾人生活补贴")),
    Column("dla_amount", "金额（元）", ("残疾人两项补贴", "困难残疾人生活补贴"), kind="money"),
    Column("dca_persons", "人数", ("残疾人两项补贴", "重度残疾人护理补贴")),
    Column("dca_amount", "金额（元）", ("残疾人两项补贴", "重度残疾人护理补贴"), kind="money"),
    Column("price_persons", "人数", ("价格临时补贴",)),
    Column("price_amount", "金额（元）", ("价格临时补贴",), kind="money"),
)
ALLOWANCES_NOTE = ("两项补贴为当月在发的人数和应发金额（按审批、复核、停发决定及低保停发、纳入特困的联动停发计算）；"
                   "价格临时补贴按月测算发放，资金发放功能上线后填报，此前为0。")


def trend_columns(amount_label: str) -> tuple[Column, ...]:
    return (
        Column("label", "月份", kind="text"),
        Column("dibao_households", "户数", ("低保",)),
        Column("dibao_persons", "人数", ("低保",)),
        Column("dibao_amount", f"{amount_label}金额（元）", ("低保",), kind="money"),
        Column("tekun_persons", "人数", ("特困",)),
        Column("tekun_amount", f"{amount_label}金额（元）", ("特困",), kind="money"),
        Column("new", "新增", ("低保户、特困人员",)),
        Column("stopped", "停保", ("低保户、特困人员",)),
    )


@dataclass(frozen=True)
class Unit:
    """A row of the report: a village, or a township with its villages."""

    code: str
    name: str
    villages: tuple[str, ...]
    urban_rural: str | None = None  # a village's class; None for a township


def _values(section: str, f: VillageFigures) -> dict:
    values = dict(getattr(f, section))
    if section == "process":
        values["avg_days"] = average_days(values)
    return values


def _rows(section: str, columns: Sequence[Column], units: Sequence[Unit], classes: Mapping[str, str],
          figures: Mapping[str, VillageFigures]) -> tuple[dict, ...]:
    def combined(villages) -> VillageFigures:
        total = VillageFigures()
        for v in villages:
            if v in figures:
                total.add(figures[v])
        return total

    rows = []
    for u in units:
        rows.append({"label": u.name, "code": u.code, "_kind": "unit",
                     "class": URBAN_RURAL.get(u.urban_rural or "", "")} | _values(section, combined(u.villages)))
    every = [v for u in units for v in u.villages]
    for klass, label in URBAN_RURAL.items():
        mine = [v for v in every if classes.get(v) == klass]
        rows.append({"label": f"{label}小计", "_kind": "subtotal", "class": label}
                    | _values(section, combined(mine)))
    rows.append({"label": "合计", "_kind": "total", "class": ""} | _values(section, combined(every)))
    return tuple(rows)


def trend_rows(points: Sequence[MonthPoint]) -> tuple[dict, ...]:
    return tuple({"label": p.month, "month": p.month, "_kind": "unit", "dibao_households": p.dibao_households,
                  "dibao_persons": p.dibao_persons, "dibao_amount": p.dibao_amount,
                  "tekun_persons": p.tekun_persons, "tekun_amount": p.tekun_amount, "new": p.new,
                  "stopped": p.stopped} for p in points)


def build_report(month: str, area: ReportArea, units: Sequence[Unit], classes: Mapping[str, str],
                 figures: Mapping[str, VillageFigures], points: Sequence[MonthPoint], *, amount_label: str,
                 generated_on: str = "", notes: Sequence[str] = ()) -> MonthlyReport:
    """The report of ``month`` for ``area``: one table per programme, process figures, the
    allowances table (两项补贴 from its benefits; 价格临时补贴 from payrolls) and the 12-month trend;
    then the charts."""
    unit_label = "乡镇（街道）" if area.level == "county" else "村（社区）"
    label = Column("label", unit_label, kind="text")
    tables = [
        Table("dibao", "最低生活保障情况", (label, *dibao_columns(amount_label)),
              _rows("dibao", dibao_columns(amount_label), units, classes, figures), sheet="低保"),
        Table("tekun", "特困人员救助供养情况", (label, *tekun_columns(amount_label)),
              _rows("tekun", tekun_columns(amount_label), units, classes, figures), sheet="特困"),
        Table("temporary", "临时救助情况", (label, *TEMP_COLUMNS), _rows("temporary", TEMP_COLUMNS, units, classes, figures),
              note="人次和金额按审批日期计入当月；先行救助按救助日期计入。", sheet="临时救助"),
        Table("allowances", "残疾人两项补贴和价格临时补贴情况", (label, *ALLOWANCE_COLUMNS),
              _rows("allowances", ALLOWANCE_COLUMNS, units, classes, figures), note=ALLOWANCES_NOTE,
              sheet="两项补贴和价格补贴"),
        Table("process", "审核确认办理情况", (label, *PROCESS_COLUMNS), _rows("process", PROCESS_COLUMNS, units, classes, figures),
              note="受理申请按申请日期、审核确认按决定日期计入当月；逾期指超过办结期限。", sheet="办理情况"),
        Table("trend", "近12个月保障情况", trend_columns(amount_label), trend_rows(points), sheet="近12个月"),
    ]
    amount_note = (f"金额为{amount_label}金额：按当月生效的审批、复核、变更、渐退和停保决定计算"
                   + ("（资金发放功能上线后改为发放名册的实发金额）。" if amount_label == "应发" else "。"))
    report = MonthlyReport(month=month, area=area, amount_label=amount_label, tables=tables,
                           notes=[amount_note, *notes], generated_on=generated_on, unit_label=unit_label)
    report.charts = report_charts(report)
    return report
