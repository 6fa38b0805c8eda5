"""统计月报 arithmetic (reports.md §1): plain rows in, figures of one month out.

Nothing here reads a database. ``services/statistics.py`` gathers the rows — every benefit with the
decisions that shaped it, the people of the households those decisions rest on, 临时救助 cases,
case dates for the process figures — and this module answers "what was in force in month M" from
the decisions' *effective months*, so a report of October made in December gives October's figures:
a decision taken in November takes effect from December and cannot change October.

A benefit's life (lifecycle.py): the approval opens it from its start month (the month after the
decision); a decided 复核/变更 sets a new amount and covered persons from its effective month, or
starts 渐退 (the amount kept until ``phase_out_until``), or stops it; a decided 停保 stops it.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

AMOUNT_RESULTS = ("approved", "raise", "lower", "keep")  # results that set amount and covered persons
TEMP_LEVELS = ("township", "county", "county_collective")
TEMP_TYPES = ("urgent", "expenditure")
CARE_LEVELS = ("self_care", "partial", "full")
SUPPLY_MODES = ("centralised", "dispersed")


# ------------------------------------------------------------------------------------ months


def month_index(month: str) -> int:
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def month_name(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def shift(month: str, n: int) -> str:
    return month_name(month_index(month) + n)


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of ``YYYY-MM``."""
    first = dt.date.fromisoformat(month + "-01")
    last = dt.date.fromisoformat(shift(month, 1) + "-01") - dt.timedelta(days=1)
    return first, last


def parse_month(text: str) -> str | None:
    """``YYYY-MM`` normalised, or None when it is not a month."""
    try:
        first = dt.date.fromisoformat(str(text).strip() + "-01")
    except ValueError:
        return None
    return f"{first.year:04d}-{first.month:02d}"


def last_months(month: str, n: int = 12) -> list[str]:
    """The ``n`` months ending with ``month``, oldest first."""
    return [shift(month, k) for k in range(-n + 1, 1)]


# ------------------------------------------------------------------------------------ rows


class Person(NamedTuple):
    """A member as the statistics need them: birth date as the number YYYYMMDD (read straight off
    the ID number; a county has a quarter of a million people), disability, serious illness."""

    born: int
    disabled: bool = False
    ill: bool = False

    def age_at_least(self, years: int, on: dt.date) -> bool:
        """Whether the person is ``years`` old or older on ``on`` (birthday reached that day)."""
        return self.born + years * 10000 <= on.year * 10000 + on.month * 100 + on.day


class Step(NamedTuple):
    """One decision in a benefit's life, effective from ``month``.

    ``result``: approved | raise | lower | keep | phase_out | stop. Fields left None keep what the
    step before set (a 复核 does not restate the supply mode).
    """

    month: str
    order: tuple  # (decided on, case id): decisions taking effect in the same month apply in this order
    result: str
    amount: Decimal | None = None
    covered: tuple[int, ...] | None = None
    household_id: int | None = None
    basis: str | None = None  # household | single_person | person (特困)
    care_level: str | None = None
    supply_mode: str | None = None
    phase_out_until: str | None = None


class InForce(NamedTuple):
    """What a benefit is in one month."""

    status: str  # active | phasing_out
    amount: Decimal
    covered: tuple[int, ...]
    household_id: int | None
    basis: str | None
    care_level: str | None
    supply_mode: str | None


@dataclass(frozen=True)
class Benefit:
    """An approved 低保 or 特困 case with the decisions that shaped it."""

    case_id: int
    programme: str  # the programme's code
    village: str
    steps: tuple[Step, ...]  # any order
    table: str | None = None  # the report's table it counts in (dibao | tekun); None: its programme code

    @property
    def section(self) -> str:
        return self.table or self.programme

    @cached_property
    def timeline(self) -> tuple[tuple[int, ...], tuple[InForce | None, ...]]:
        """Change points: month indexes (ascending) and what the benefit is from each one on."""
        if len(self.steps) == 1 and self.steps[0].result in AMOUNT_RESULTS:  # most benefits: one decision
            s = self.steps[0]
            return (month_index(s.month),), (InForce("active", s.amount if s.amount is not None else Decimal(0),
                                                      s.covered or (), s.household_id, s.basis, s.care_level,
                                                      s.supply_mode),)
        starts: list[int] = []
        states: list[InForce | None] = []
        cur: InForce | None = None
        until: int | None = None
        steps = self.steps if len(self.steps) == 1 else sorted(self.steps, key=_step_key)
        for step in steps:
            i = month_index(step.month)
            if cur is not None and until is not None and until + 1 <= i:
                starts.append(until + 1)  # 渐退 ended by itself before this decision
                states.append(None)
                cur, until = None, None
            if step.result == "stop":
                cur, until = None, None
            elif step.result == "phase_out":
                if cur is not None:
                    cur = cur._replace(status="phasing_out")
                    until = month_index(step.phase_out_until) if step.phase_out_until else None
            elif step.result in AMOUNT_RESULTS:
                cur = InForce(
                    "active",
                    step.amount if step.amount is not None else (cur.amount if cur else Decimal(0)),
                    step.covered if step.covered is not None else (cur.covered if cur else ()),
                    step.household_id or (cur.household_id if cur else None),
                    step.basis or (cur.basis if cur else None),
                    step.care_level or (cur.care_level if cur else None),
                    step.supply_mode or (cur.supply_mode if cur else None),
                )
                until = None
            else:
                continue
            if starts and starts[-1] == i:  # decisions taking effect in the same month: the last one stands
                states[-1] = cur
                continue
            starts.append(i)
            states.append(cur)
        if cur is not None and until is not None:
            starts.append(until + 1)
            states.append(None)
        return tuple(starts), tuple(states)

    def at(self, index: int) -> InForce | None:
        starts, states = self.timeline
        k = bisect_right(starts, index)
        return states[k - 1] if k else None


def _step_key(step: Step) -> tuple:
    return step.month, step.order


def in_force(benefit: Benefit, month: str) -> InForce | None:
    """The benefit as paid in ``month``, or None when it is not (not yet started, or stopped; a
    渐退 ends by itself after its last month). Decisions taking effect in the same month apply in
    the order they were taken."""
    return benefit.at(month_index(month))


@dataclass(frozen=True)
class TemporaryAid:
    """A 临时救助 case: approved (``decided_on``) and/or helped first (``first_aid_on``)."""

    case_id: int
    village: str
    type: str  # urgent | expenditure
    decided_on: dt.date | None = None  # approval date; None while not approved
    amount: Decimal = Decimal(0)
    level: str | None = None  # township | county | county_collective
    first_aid_on: dt.date | None = None
    first_aid_amount: Decimal = Decimal(0)


@dataclass(frozen=True)
class CaseDates:
    """A case's dates for the process figures."""

    case_id: int
    village: str
    kind: str  # application | review | change | termination
    applied_on: dt.date
    accepted_on: dt.date | None
    decided_on: dt.date | None  # when it was closed by a decision (any result)
    result: str | None  # approved | refused | not_accepted | withdrawn | decided results of reviews
    total_deadline: dt.date | None


# ------------------------------------------------------------------------------------ figures

DIBAO_KEYS = ("households", "persons", "elderly", "minors", "disabled", "ill", "single", "phasing",
              "new", "stopped", "amount")
TEKUN_KEYS = ("persons", "centralised", "dispersed", "self_care", "partial", "full", "new", "stopped", "amount")
# 两项补贴 from its benefits in force; 价格临时补贴 from the payrolls (paid_figures.py).
ALLOWANCE_KEYS = ("dla_persons", "dla_amount", "dca_persons", "dca_amount", "price_persons", "price_amount")
TEMP_KEYS = ("cases", "amount", "urgent", "urgent_amount", "expenditure", "expenditure_amount", "first_aid",
             "first_aid_amount", "township", "county", "county_collective")
PROCESS_KEYS = ("received", "decided", "approved", "refused", "working_days_total", "working_days_cases",
                "overdue", "decided_late", "objections")


def _zero(keys: Iterable[str]) -> dict[str, object]:
    return {k: (Decimal(0) if "amount" in k else 0) for k in keys}


_ZERO = {name: _zero(keys) for name, keys in (("dibao", DIBAO_KEYS), ("tekun", TEKUN_KEYS),
                                              ("temporary", TEMP_KEYS), ("process", PROCESS_KEYS),
                                              ("allowances", ALLOWANCE_KEYS))}


@dataclass
class VillageFigures:
    """Every figure of one village in one month (amounts in yuan, Decimal)."""

    dibao: dict[str, object] = field(default_factory=lambda: dict(_ZERO["dibao"]))
    tekun: dict[str, object] = field(default_factory=lambda: dict(_ZERO["tekun"]))
    temporary: dict[str, object] = field(default_factory=lambda: dict(_ZERO["temporary"]))
    process: dict[str, object] = field(default_factory=lambda: dict(_ZERO["process"]))
    allowances: dict[str, object] = field(default_factory=lambda: dict(_ZERO["allowances"]))

    def add(self, other: VillageFigures) -> None:
        for mine, theirs in ((self.dibao, other.dibao), (self.tekun, other.tekun),
                             (self.temporary, other.temporary), (self.process, other.process),
                             (self.allowances, other.allowances)):
            for key, value in theirs.items():
                mine[key] = mine[key] + value  # type: ignore[operator]


def _covered_people(people: Mapping[int, list[Person]], state: InForce) -> list[Person]:
    members = people.get(state.household_id or -1, [])
    return [members[i] for i in state.covered if 0 <= i < len(members)]


def benefit_figures(benefits: Iterable[Benefit], people: Mapping[int, list[Person]], month: str,
                    ) -> dict[str, VillageFigures]:
    """低保 and 特困 figures of ``month`` by village (amounts due from the benefits in force)."""
    out: dict[str, VillageFigures] = defaultdict(VillageFigures)
    _, last = month_bounds(month)
    day = last.month * 100 + last.day
    elderly_born = (last.year - 60) * 10000 + day  # born on or before: 60 or older at the month's end
    adult_born = (last.year - 18) * 10000 + day  # born after: under 18
    index = month_index(month)
    for b in benefits:
        now, then = b.at(index), b.at(index - 1)
        if now is None and then is None:
            continue
        f = out[b.village]
        if b.section == "dibao":
            d = f.dibao
            if now is not None:
                covered = _covered_people(people, now)
                d["households"] += 1
                d["persons"] += len(now.covered)
                d["elderly"] += sum(1 for p in covered if p.born <= elderly_born)
                d["minors"] += sum(1 for p in covered if p.born > adult_born)
                d["disabled"] += sum(1 for p in covered if p.disabled)
                d["ill"] += sum(1 for p in covered if p.ill)
                d["single"] += now.basis == "single_person"
                d["phasing"] += now.status == "phasing_out"
                d["amount"] += now.amount
            d["new"] += now is not None and then is None
            d["stopped"] += now is None and then is not None
        elif b.section == "tekun":
            t = f.tekun
            if now is not None:
                t["persons"] += len(now.covered)
                if now.supply_mode in SUPPLY_MODES:
                    t[now.supply_mode] += len(now.covered)
                if now.care_level in CARE_LEVELS:
                    t[now.care_level] += len(now.covered)
                t["amount"] += now.amount
            t["new"] += now is not None and then is None
            t["stopped"] += now is None and then is not None
    return out


@dataclass(frozen=True)
class PartBenefit:
    """A benefit paid as several allowances (两项补贴) with its record's history: each entry
    ``{"month", "result", "parts": {part: amount}}`` from that month on (a stop: nothing)."""

    case_id: int
    village: str
    history: tuple[Mapping[str, object], ...]
    stats: Mapping[str, str]  # part code → its columns (``dla`` → dla_persons, dla_amount)


def part_in_force(benefit: PartBenefit, month: str) -> Mapping[str, Decimal]:
    """Each part's amount in ``month`` (nothing before the start or after a stop). Entries taking
    effect in the same month apply in the order they were recorded."""
    found: Mapping[str, object] | None = None
    for entry in sorted(enumerate(benefit.history), key=lambda e: (str(e[1].get("month") or ""), e[0])):
        if str(entry[1].get("month") or "9999") <= month:
            found = entry[1]
    if found is None or found.get("result") == "stop":
        return {}
    parts = found.get("parts")
    if not isinstance(parts, Mapping):
        return {}
    out = {}
    for code, amount in parts.items():
        try:
            value = Decimal(str(amount))
        except ArithmeticError:
            continue
        if value > 0:
            out[str(code)] = value
    return out


def allowance_figures(benefits: Iterable[PartBenefit], month: str) -> dict[str, VillageFigures]:
    """两项补贴 of ``month`` by village: persons and amounts due of each allowance in force."""
    out: dict[str, VillageFigures] = defaultdict(VillageFigures)
    for b in benefits:
        for code, amount in part_in_force(b, month).items():
            stat = b.stats.get(code)
            if not stat:
                continue
            a = out[b.village].allowances
            a[f"{stat}_persons"] += 1  # type: ignore[operator]
            a[f"{stat}_amount"] += amount  # type: ignore[operator]
    return out


def temporary_figures(aids: Iterable[TemporaryAid], month: str) -> dict[str, VillageFigures]:
    """临时救助 of ``month``: cases approved in it (人次, amount, type, level) and 先行救助 given in it."""
    out: dict[str, VillageFigures] = defaultdict(VillageFigures)
    first, last = month_bounds(month)
    for a in aids:
        t = out[a.village].temporary
        if a.decided_on and first <= a.decided_on <= last:
            t["cases"] += 1
            t["amount"] += a.amount
            if a.type in TEMP_TYPES:
                t[a.type] += 1
                t[f"{a.type}_amount"] += a.amount
            if a.level in TEMP_LEVELS:
                t[a.level] += 1
        if a.first_aid_on and first <= a.first_aid_on <= last:
            t["first_aid"] += 1
            t["first_aid_amount"] += a.first_aid_amount
    return out


class WorkingDays:
    """Working days between two dates by prefix counts over the days asked about: each day is
    looked up in the calendar once, however many cases span it."""

    def __init__(self, is_working_day: Callable[[dt.date], bool]):
        self.is_working_day = is_working_day
        self.start: dt.date | None = None
        self.prefix: list[int] = [0]  # prefix[k]: working days among start+1 … start+k

    def _extend(self, day: dt.date) -> None:
        if self.start is None or day < self.start:
            self.start, self.prefix = day, [0]
        while self.start + dt.timedelta(days=len(self.prefix) - 1) < day:
            nxt = self.start + dt.timedelta(days=len(self.prefix))
            self.prefix.append(self.prefix[-1] + bool(self.is_working_day(nxt)))

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (as WorkingCalendar counts)."""
        if end < start:
            return -self.between(end, start)
        if self.start is None or start < self.start:
            self._extend(start)
        self._extend(end)
        base = self.start
        assert base is not None
        return self.prefix[(end - base).days] - self.prefix[(start - base).days]


def process_figures(cases: Iterable[CaseDates], objections: Mapping[str, int], month: str,
                    is_working_day: Callable[[dt.date], bool]) -> dict[str, VillageFigures]:
    """Applications received and decided in ``month``, refused, working days from 受理 to decision,
    cases past their deadline and still open at the month's end, objections during 公示."""
    out: dict[str, VillageFigures] = defaultdict(VillageFigures)
    first, last = month_bounds(month)
    cases = list(cases)
    accepted = [c.accepted_on for c in cases if c.accepted_on]
    days = WorkingDays(is_working_day)
    if accepted:
        days.between(min(accepted), last)  # one pass over the whole span
    working_days = days.between
    for c in cases:
        p = out[c.village].process
        if c.kind == "application":
            if first <= c.applied_on <= last:
                p["received"] += 1
            if c.decided_on and first <= c.decided_on <= last and c.result in ("approved", "refused"):
                p["decided"] += 1
                p[c.result] += 1
                if c.accepted_on:
                    p["working_days_total"] += working_days(c.accepted_on, c.decided_on)
                    p["working_days_cases"] += 1
        if c.total_deadline and c.total_deadline < last and c.accepted_on and c.accepted_on <= last:
            if c.decided_on is None or c.decided_on > last:
                p["overdue"] += 1
            elif first <= c.decided_on <= last and c.decided_on > c.total_deadline:
                p["decided_late"] += 1
    for village, n in objections.items():
        out[village].process["objections"] += n
    return out


def average_days(process: Mapping[str, object]) -> Decimal | None:
    """Average working days from 受理 to decision, to one decimal, or None with no decision."""
    n = int(process["working_days_cases"])  # type: ignore[arg-type]
    if not n:
        return None
    return (Decimal(int(process["working_days_total"])) / n).quantize(Decimal("0.1"))  # type: ignore[arg-type]


def merge(*parts: Mapping[str, VillageFigures]) -> dict[str, VillageFigures]:
    out: dict[str, VillageFigures] = defaultdict(VillageFigures)
    for part in parts:
        for village, figures in part.items():
            out[village].add(figures)
    return dict(out)


# ------------------------------------------------------------------------------------ trend


@dataclass(frozen=True)
class MonthPoint:
    """Area totals of one month for the 12-month charts."""

    month: str
    dibao_households: int
    dibao_persons: int
    dibao_amount: Decimal
    tekun_persons: int
    tekun_amount: Decimal
    new: int  # households (低保) and persons (特困) that started this month
    stopped: int


def trend(benefits: Iterable[Benefit], months: list[str]) -> list[MonthPoint]:
    """Totals for each of ``months`` (consecutive, oldest first), from each benefit's change points:
    a segment in force adds to the months it covers (running sums), a change from nothing to
    something is a new one, the reverse a stopped one."""
    if not months:
        return []
    first, n = month_index(months[0]), len(months)
    sums = {k: [0] * (n + 1) for k in ("dh", "dp", "tp", "new", "stop")}
    money = {k: [Decimal(0)] * (n + 1) for k in ("da", "ta")}
    for b in benefits:
        starts, states = b.timeline
        previous = None
        dibao = b.section == "dibao"
        for k, (start, state) in enumerate(zip(starts, states, strict=True)):
            if first <= start < first + n and (previous is None) != (state is None):
                sums["new" if state is not None else "stop"][start - first] += 1
            previous = state
            if state is None:
                continue
            end = starts[k + 1] if k + 1 < len(starts) else first + n
            lo, hi = max(start, first) - first, min(end, first + n) - first
            if lo >= hi:
                continue
            persons = len(state.covered)
            if dibao:
                sums["dh"][lo] += 1
                sums["dh"][hi] -= 1
                sums["dp"][lo] += persons
                sums["dp"][hi] -= persons
                money["da"][lo] += state.amount
                money["da"][hi] -= state.amount
            else:
                sums["tp"][lo] += persons
                sums["tp"][hi] -= persons
                money["ta"][lo] += state.amount
                money["ta"][hi] -= state.amount
    out = []
    running = {"dh": 0, "dp": 0, "tp": 0, "da": Decimal(0), "ta": Decimal(0)}
    for i, m in enumerate(months):
        for key in ("dh", "dp", "tp"):
            running[key] += sums[key][i]
        for key in ("da", "ta"):
            running[key] += money[key][i]
        out.append(MonthPoint(m, running["dh"], running["dp"], running["da"], running["tp"], running["ta"],
                              sums["new"][i], sums["stop"][i]))
    return out
