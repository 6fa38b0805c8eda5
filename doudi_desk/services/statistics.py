"""统计月报 (reports.md §1): gather a month's rows for an area and hand them to the domain's arithmetic.

The figures come from the decisions in force that month (effective months), so the report of a
past month can be made again later with the same figures. A constant number of queries per report
(storage/statistics.py), whatever the size of the area.

Amounts: where a payroll with the bank's results covers a village's month, the amount is what the
bank paid (实发); elsewhere the amount due (应发) from the benefits in force. :func:`paid_amounts`
is the one place the payrolls come in; domain/paid_figures.py decides what counts and labels every
row and month with its basis.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from ..domain.errors import DomainError, InputError
from ..domain.model import Area, User
from ..domain.monthly_report import Unit, build_report
from ..domain.paid_figures import GROUPS as PAID_GROUPS
from ..domain.paid_figures import (
    RETURNED,
    PaidRow,
    Payments,
    PayrollState,
    apply_payments,
    due_by_village,
    needing_due,
    payments_of,
)
from ..domain.programmes import REGISTRY, with_parts
from ..domain.report_tables import MonthlyReport, ReportArea
from ..domain.statistics import (
    Benefit,
    CaseDates,
    PartBenefit,
    Person,
    Step,
    TemporaryAid,
    allowance_figures,
    benefit_figures,
    last_months,
    merge,
    month_bounds,
    parse_month,
    process_figures,
    temporary_figures,
    trend,
)
from . import lookup, roles
from .context import AppContext

log = logging.getLogger(__name__)

REPORT_ROLES = {"caseworker", "township_reviewer", "county_approver", "admin"}
OBJECTION_TRIGGERS = ("record_objection",)
Progress = Callable[[int, int, str], None]


def paid_amounts(uow, villages: list[str], months: list[str]) -> Payments | None:
    """What the payrolls of those months say about these villages: which payroll covers each
    village, month and group (its township's or the county's), and the lines the bank paid, by
    (payroll month, village, group). What counts as 实发 is decided in domain/paid_figures.py.

    None when no payroll of those months covers them (every amount is then 应发). A few queries
    whatever the area's size: the areas, the payrolls, the sums kept with their result files (one
    aggregate of the paid lines only for results read before those sums were kept).
    """
    areas = {a.code: a for a in uow.areas.all()}
    payers = {v: _chain(areas, areas[v].parent_code) for v in villages if v in areas}
    codes = sorted({code for chain in payers.values() for code in chain})
    payrolls = uow.payments.payroll_states(codes, PAID_GROUPS, months) if codes else []
    if not payrolls:
        return None
    returned = {pid: (month, group) for pid, _area, group, month, state in payrolls if state in RETURNED}
    kept = uow.payments.result_sums(list(returned)) if returned else {}
    rows = [PaidRow(returned[pid][0], village, returned[pid][1], bool(earlier), Decimal(str(amount)), int(persons))
            for pid, sums in kept.items() for village, earlier, amount, persons in sums]
    older = [pid for pid in returned if pid not in kept]
    rows += [PaidRow(*r) for r in uow.payments.paid_by_village(older)] if older else []
    return payments_of((PayrollState(a, g, m, st) for _id, a, g, m, st in payrolls), rows, payers)


def _date(text: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text)[:10]) if text else None
    except ValueError:
        return None


@lru_cache(maxsize=65536)
def _money(text: Any) -> Decimal:
    try:
        return Decimal(str(text)) if text not in (None, "") else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


@lru_cache(maxsize=4096)
def _indexes(text: Any) -> tuple[int, ...]:
    """Covered members from JSON text ('[0, 1, 2]'); the same few lists recur, hence the cache."""
    if not text:
        return ()
    if not isinstance(text, str):
        return tuple(text)
    inner = text.strip()[1:-1].strip()
    return tuple(map(int, inner.split(","))) if inner else ()


def _tables(monthly: bool) -> dict[str, str]:
    """Programme code → its table in the report, for the monthly (低保, 特困) or the one-off
    (临时救助) programmes of the registry."""
    return {code: p.report_table for code, p in REGISTRY.items() if p.report_table and p.monthly == monthly}


def gather_benefits(uow, engines, villages: list[str]) -> tuple[list[Benefit], dict[int, list[Person]]]:
    """Every benefit of the villages that has a table of its own (低保, 特困) with its decisions, and
    the people they cover."""
    tables = _tables(monthly=True)
    approved = roles.ending(engines, "approved", programmes=tables)
    decided = roles.ending(engines, "decided", "terminated", programmes=tables)
    steps: dict[int, list[Step]] = defaultdict(list)
    for (parent, cid, household, result, month, decided_on, amount, covered, until, basis,
         care) in uow.statistics.benefit_steps(villages, decided):
        if not month or not result:
            continue
        sets_amount = result in ("raise", "lower", "keep")
        if sets_amount:
            steps[parent].append(Step(month, (decided_on or "", cid), result, _money(amount), _indexes(covered),
                                      household, basis, care, None, until))
        else:
            steps[parent].append(Step(month, (decided_on or "", cid), result, None, None, None, None, None, None,
                                      until))
    benefits = []
    for (cid, village, programme, household, decided_on, start, amount, covered, basis, care,
         supply) in uow.statistics.benefit_cases(villages, approved):
        if not start:
            continue
        first = Step(start, (decided_on or "", cid), "approved", _money(amount), _indexes(covered), household, basis,
                     care, supply)
        benefits.append(Benefit(cid, programme, village, (first, *steps.get(cid, ())), tables.get(programme)))
    people: dict[int, list[Person]] = defaultdict(list)
    merged = {w: approved.get(w, []) + decided.get(w, []) for w in approved.keys() | decided.keys()}
    for household, born, disabled, ill in uow.statistics.people(villages, merged):
        people[household].append(Person(born or 19000101, disabled, ill))
    return benefits, people


def gather_parts(uow, engines, villages: list[str]) -> list[PartBenefit]:
    """Benefits paid as several allowances (两项补贴) with their records' histories."""
    programmes = {p.code: {part.code: part.stat for part in p.parts} for p in with_parts()}
    if not programmes:
        return []
    approved = roles.ending(engines, "approved", programmes=programmes)
    out = []
    for cid, village, programme, text in uow.statistics.benefit_records(villages, approved):
        try:
            record = json.loads(text) if isinstance(text, str) else (text or {})
        except ValueError:
            log.warning("case %s: unreadable benefit record left out of the statistics", cid)
            continue
        history = tuple(h for h in (record.get("history") or []) if isinstance(h, dict))
        out.append(PartBenefit(cid, village, history, programmes.get(programme, {})))
    return out


def gather_temporary(uow, engines, villages: list[str]) -> list[TemporaryAid]:
    out = []
    for (cid, village, workflow, state, kind, decided, amount, level, aid_on,
         aid_amount) in uow.statistics.temporary_cases(villages, list(_tables(monthly=False))):
        approved = roles.outcome(engines, workflow, state) == "approved"
        if not approved and not aid_on:
            continue
        out.append(TemporaryAid(cid, village, kind or "", _date(decided) if approved else None,
                                _money(amount) if approved else Decimal(0), level if approved else None,
                                _date(aid_on), _money(aid_amount)))
    return out


def gather_case_dates(uow, villages: list[str], first: dt.date, last: dt.date) -> list[CaseDates]:
    out = []
    for cid, village, kind, applied, accepted, deadline, _state, decided, result in uow.statistics.case_dates(
            villages, first, last):
        out.append(CaseDates(cid, village, kind, _date(applied), _date(accepted), _date(decided), result,
                             _date(deadline)))
    return out


class StatisticsService:
    """Monthly statistics for an area, and the areas a user may report on. Holds no session."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx

    # --- areas ---
    def report_areas(self, actor: str) -> list[dict[str, Any]]:
        """The areas ``actor`` may make a report for: their own area and everything under it, the
        county first, then townships, then villages (each with its township)."""
        with self.ctx.db.unit_of_work() as uow:
            user = self._user(uow, actor)
            areas = uow.areas.all()
        by_code = {a.code: a for a in areas}
        order = {"county": 0, "township": 1, "village": 2}
        out = []
        for a in sorted(areas, key=lambda a: (order.get(a.level, 3), a.code)):
            if user.area_code and user.area_code not in _chain(by_code, a.code):
                continue
            parent = by_code.get(a.parent_code or "")
            out.append({"code": a.code, "name": a.name, "level": a.level, "urban_rural": a.urban_rural,
                        "label": a.name if a.level != "village" or parent is None else f"{parent.name} {a.name}"})
        return out

    def _user(self, uow, actor: str) -> User:
        user = lookup.actor(uow, actor)
        if not set(user.roles) & REPORT_ROLES:
            raise DomainError(f"用户 {user.full_name} 无权查看统计报表")
        return user

    # --- the report ---
    def monthly(self, month: str, area_code: str, actor: str | None = None, *,
                progress: Progress | None = None) -> MonthlyReport:
        """The 统计月报 of ``month`` (YYYY-MM) for an area (a village, a township or the county).

        Refused for a month after the current one, an unknown area, or an area outside the user's.
        """
        month_text = parse_month(month)
        if month_text is None:
            raise InputError(f"应为 YYYY-MM，现为「{month}」", "month")
        today = self.ctx.today()
        if month_text > f"{today.year:04d}-{today.month:02d}":
            raise InputError(f"{month_text} 尚未到来，不能统计", "month")
        step = progress or (lambda *_a: None)
        with self.ctx.db.unit_of_work() as uow:
            if actor is not None:
                user = self._user(uow, actor)
            area = uow.areas.get(area_code)
            if area is None:
                raise InputError(f"没有地区「{area_code}」", "area")
            if actor is not None and not lookup.in_scope(uow, user, area.code):
                raise DomainError(f"{area.name} 不在用户 {user.full_name} 的辖区内")
            units, classes = self._units(uow, area)
            villages = sorted(classes)
            months = last_months(month_text, 12)
            first, last = month_bounds(month_text)
            step(1, 6, "读取在保对象和审批决定…")
            benefits, people = gather_benefits(uow, self.ctx.engines, villages)
            parts = gather_parts(uow, self.ctx.engines, villages)
            step(2, 6, "读取临时救助…")
            aids = gather_temporary(uow, self.ctx.engines, villages)
            step(3, 6, "读取办理情况…")
            dates = gather_case_dates(uow, villages, first, last)
            objections = uow.statistics.event_counts(villages, OBJECTION_TRIGGERS, first, last)
            calendar = self.ctx.calendar(uow)
            paid = paid_amounts(uow, villages, months)
        step(4, 6, "计算本月数字…")
        figures = merge(benefit_figures(benefits, people, month_text), temporary_figures(aids, month_text),
                        allowance_figures(parts, month_text),
                        process_figures(dates, objections, month_text, calendar.is_working_day))
        step(5, 6, "计算近12个月趋势…")
        points = trend(benefits, months)
        due = {}
        if paid is not None:  # amounts due by village where months the trend shows are not paid
            due = due_by_village(needing_due(benefits, paid, villages, months), months)
        figures, points, bases = apply_payments(figures, points, paid, due, month_text, villages)
        report = build_report(month_text, ReportArea(area.code, area.name, area.level), units, classes, figures,
                              points, bases=bases, generated_on=today.isoformat())
        step(6, 6, "完成")
        return report

    def export(self, month: str, area_code: str, path: str, actor: str | None = None, *,
               progress: Progress | None = None) -> dict[str, Any]:
        """Make the report and write it to ``path``: ``.xlsx`` (one sheet per table) or ``.pdf``
        (tables and charts)."""
        from .reports_print import file_kind

        kind = file_kind(path)
        report = self.monthly(month, area_code, actor, progress=progress)
        prepared_by = ""
        if actor:
            with self.ctx.db.unit_of_work() as uow:
                prepared_by = lookup.actor(uow, actor).full_name
        write_report(self.ctx, report, path, kind, prepared_by)
        return {"path": str(path), "kind": kind, "month": report.month, "area": report.area.name}

    def write(self, report: MonthlyReport, path: str, prepared_by: str = "") -> str:
        """Write a report already made (the one on screen) to ``path``, .xlsx or .pdf."""
        write_report(self.ctx, report, path, None, prepared_by)
        return str(path)

    @staticmethod
    def _units(uow, area: Area) -> tuple[list[Unit], dict[str, str]]:
        """The report's rows and every village's urban/rural class."""
        if area.level == "village":
            villages = [area]
        else:
            villages = uow.areas.children(area.code, level="village")
        classes = {v.code: v.urban_rural or "rural" for v in villages}
        if area.level == "county":
            towns = uow.areas.children(area.code, level="township")
            units = [Unit(t.code, t.name, tuple(v.code for v in villages if v.parent_code == t.code)) for t in towns]
        else:
            units = [Unit(v.code, v.name, (v.code,), v.urban_rural or "rural") for v in villages]
        return units, classes


def _chain(by_code: dict[str, Area], code: str | None) -> list[str]:
    out = []
    while code and code in by_code:
        out.append(code)
        code = by_code[code].parent_code
    return out


def write_report(ctx: AppContext, report: MonthlyReport, path: str, kind: str | None = None,
                 prepared_by: str = "") -> None:
    """Write a made report as xlsx (one sheet per table) or PDF (tables and charts)."""
    from ..exchange.report_xlsx import write_workbook
    from .reports_print import file_kind, monthly_pdf, write_output

    def xlsx(target) -> None:
        write_workbook(target, report.tables, title=f"{report.area.name}社会救助统计月报",
                       subtitle=f"统计期：{report.month}　　地区：{report.area.name}　　"
                                f"单位：户、人、人次、件、元　　制表日期：{report.generated_on}",
                       notes=report.notes)

    write_output(path, kind or file_kind(path), xlsx, lambda: monthly_pdf(ctx, report, prepared_by))
