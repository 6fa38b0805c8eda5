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
from .paid_figures import DUE, MIXED, PAID, Bases, combine
from .payroll import PAYROLL_STATES
from .report_tables import Column, MonthlyReport, ReportArea, Table
from .statistics import MonthPoint, VillageFigures, average_days

CLASS = Column("class", "城乡", kind="text")
BASIS = Column("basis", "金额口径", kind="text")  # 实发, 应发, or 实发/应发 for a subtotal of both


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
        BASIS,
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
        BASIS,
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
ALLOWANCES_NOTE = "两项补贴为当月在发的人数和应发金额（按审批、复核、停发决定及低保停发、纳入特困的联动停发计算）。"
PRICE_NOTES = {
    "paid": "价格临时补贴为本月发放名册中银行回盘成功的人次和金额（失败、暂缓的不计）。",
    "awaiting": "本月价格临时补贴发放名册尚未银行回盘，回盘后计入，暂填0。",
    "none": "本月没有价格临时补贴发放名册（未启动联动机制或尚未发放），填0。",
}


def trend_columns(dibao_label: str, tekun_label: str | None = None) -> tuple[Column, ...]:
    return (
        Column("label", "月份", kind="text"),
        Column("dibao_households", "户数", ("低保",)),
        Column("dibao_persons", "人数", ("低保",)),
        Column("dibao_amount", f"{dibao_label}金额（元）", ("低保",), kind="money"),
        Column("dibao_basis", "金额口径", ("低保",), kind="text"),
        Column("tekun_persons", "人数", ("特困",)),
        Column("tekun_amount", f"{tekun_label or dibao_label}金额（元）", ("特困",), kind="money"),
        Column("tekun_basis", "金额口径", ("特困",), kind="text"),
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
          figures: Mapping[str, VillageFigures], bases: Bases | None = None) -> tuple[dict, ...]:
    def combined(villages) -> VillageFigures:
        total = VillageFigures()
        for v in villages:
            if v in figures:
                total.add(figures[v])
        return total

    def values(villages) -> dict:
        out = _values(section, combined(villages))
        if bases is not None:
            out["basis"] = bases.label(section, villages)
        return out

    rows = []
    for u in units:
        rows.append({"label": u.name, "code": u.code, "_kind": "unit",
                     "class": URBAN_RURAL.get(u.urban_rural or "", "")} | values(u.villages))
    every = [v for u in units for v in u.villages]
    for klass, label in URBAN_RURAL.items():
        mine = [v for v in every if classes.get(v) == klass]
        rows.append({"label": f"{label}小计", "_kind": "subtotal", "class": label} | values(mine))
    rows.append({"label": "合计", "_kind": "total", "class": ""} | values(every))
    return tuple(rows)


def trend_rows(points: Sequence[MonthPoint], bases: Bases | None = None) -> tuple[dict, ...]:
    trend = bases.trend if bases is not None else {}
    return tuple({"label": p.month, "month": p.month, "_kind": "unit", "dibao_households": p.dibao_households,
                  "dibao_persons": p.dibao_persons, "dibao_amount": p.dibao_amount,
                  "dibao_basis": trend.get((p.month, "dibao"), ""),
                  "tekun_persons": p.tekun_persons, "tekun_amount": p.tekun_amount,
                  "tekun_basis": trend.get((p.month, "tekun"), ""), "new": p.new,
                  "stopped": p.stopped} for p in points)


def amount_notes(bases: Bases, every: Sequence[str]) -> list[str]:
    """What the amounts are: 实发 and 应发 defined, 补发 inside this month's 实发, payrolls that
    still wait for the bank."""
    labels = {bases.label(p, every) for p in ("dibao", "tekun")} | {bases.trend_label(p) for p in ("dibao", "tekun")}
    if not labels & {PAID, MIXED}:
        return ["金额为应发金额：按当月生效的审批、复核、变更、渐退和停保决定计算（本程序的发放名册经银行回盘后，"
                "该月改为实发金额）。"]
    notes = ["金额口径见各表“金额口径”栏：实发为该月发放名册（已回盘、已结账）中银行回盘成功的金额，含补发和差额补发"
             "（按发放名册的月份计入，不按所属月份），发放失败、暂缓发放的不计；应发为尚无银行回盘的月份，"
             "按当月生效的审批、复核、变更、渐退和停保决定计算。"]
    names = {"dibao": "低保", "tekun": "特困"}
    earlier = [f"{names[p]}{amount:.2f}元" for p, amount in bases.earlier.items() if amount]
    if earlier:
        notes.append(f"{bases.month}实发金额中含补发以前月份的{'、'.join(earlier)}。")
    for p, state in bases.awaiting.items():
        notes.append(f"{bases.month}{names[p]}发放名册{PAYROLL_STATES.get(state, state)}，尚未银行回盘，金额暂按{DUE}。")
    return notes


def build_report(month: str, area: ReportArea, units: Sequence[Unit], classes: Mapping[str, str],
                 figures: Mapping[str, VillageFigures], points: Sequence[MonthPoint], *, bases: Bases | None = None,
                 generated_on: str = "", notes: Sequence[str] = ()) -> MonthlyReport:
    """The report of ``month`` for ``area``: one table per programme, process figures, the
    allowances table (两项补贴 from its benefits; 价格临时补贴 from payrolls) and the 12-month trend;
    then the charts.

    ``bases`` says which amounts are 实发 and which 应发 (paid_figures.py); without it every amount
    is 应发. A table's amount column is headed by its label for the month (实发, 应发 or 实发/应发)
    and each row says its own in the 金额口径 column."""
    unit_label = "乡镇（街道）" if area.level == "county" else "村（社区）"
    label = Column("label", unit_label, kind="text")
    bases = bases or Bases(month)
    every = [v for u in units for v in u.villages]
    labels = {p: bases.label(p, every) for p in ("dibao", "tekun")}  # '' where nothing is due or paid
    trends = {p: bases.trend_label(p) for p in ("dibao", "tekun")}
    dibao_label, tekun_label = labels["dibao"] or DUE, labels["tekun"] or DUE
    tables = [
        Table("dibao", "最低生活保障情况", (label, *dibao_columns(dibao_label)),
              _rows("dibao", dibao_columns(dibao_label), units, classes, figures, bases), sheet="低保"),
        Table("tekun", "特困人员救助供养情况", (label, *tekun_columns(tekun_label)),
              _rows("tekun", tekun_columns(tekun_label), units, classes, figures, bases), sheet="特困"),
        Table("temporary", "临时救助情况", (label, *TEMP_COLUMNS), _rows("temporary", TEMP_COLUMNS, units, classes, figures),
              note="人次和金额按审批日期计入当月；先行救助按救助日期计入。", sheet="临时救助"),
        Table("allowances", "残疾人两项补贴和价格临时补贴情况", (label, *ALLOWANCE_COLUMNS),
              _rows("allowances", ALLOWANCE_COLUMNS, units, classes, figures),
              note=PRICE_NOTES[bases.price] + ALLOWANCES_NOTE, sheet="两项补贴和价格补贴"),
        Table("process", "审核确认办理情况", (label, *PROCESS_COLUMNS), _rows("process", PROCESS_COLUMNS, units, classes, figures),
              note="受理申请按申请日期、审核确认按决定日期计入当月；逾期指超过办结期限。", sheet="办理情况"),
        Table("trend", "近12个月保障情况",
              trend_columns(trends["dibao"] or DUE, trends["tekun"] or DUE),
              trend_rows(points, bases), sheet="近12个月"),
    ]
    report = MonthlyReport(month=month, area=area, amount_label=combine(labels.values()) or DUE, tables=tables,
                           notes=[*amount_notes(bases, every), *notes], generated_on=generated_on,
                           unit_label=unit_label, trend_label=combine(trends.values()) or DUE)
    report.charts = report_charts(report)
    return report
