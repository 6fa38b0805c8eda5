"""实发 or 应发: which amounts of the 统计月报 (reports.md §1) come from the payrolls (payments.md).

What counts as paid (实发), decided once here and said in the report's notes:

- A payroll counts once the bank's results are in: 已回盘 (``results``) or 已结账 (``closed``).
  Before that (编制中 … 已审批, 已导出) nobody knows what the bank paid, so its month stays 应发.
- Of such a payroll, only the lines the bank paid (成功) count. Failed (失败) and held (暂缓) lines
  were not paid; a failed or held line paid later as 补发 counts once, when it is paid.
- A line counts in the month of the payroll that paid it, 补发 and 差额补发 of earlier months
  included: a county's 统计月报 asks for the money that went out in the month (本月支出), and a
  month's figure must not change when a later payroll pays something for it. The notes name the
  补发 amount inside each month's figure.
- A village's (month, programme) is 实发 when a payroll of that month and programme covering the
  village — its township's, or the county's where the county pays — has its bank results; its
  amount is then what the bank paid (0 when nothing was). Otherwise it stays 应发, computed from the
  benefits in force, and the report says so per row and per month: never one figure mixing both
  without saying it.
- 价格临时补贴 exists only in payrolls: persons (人次) and amount of the lines paid, in the month of
  the payroll; a month without such a payroll with bank results shows none, and the note says why.

Pure: the service reads the payrolls and the paid lines (two queries) and hands them here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import NamedTuple

from .payroll import PAYROLL_STATES
from .statistics import Benefit, MonthPoint, VillageFigures, month_index

PAID, DUE = "实发", "应发"
MIXED = f"{PAID}/{DUE}"
RETURNED = ("results", "closed")  # the bank's results are in
PROGRAMMES = ("dibao", "tekun")  # the tables whose amounts can be 实发
PRICE = "price_subsidy"
GROUPS = (*PROGRAMMES, PRICE)  # the payroll groups the report reads
ZERO = Decimal(0)
_ORDER = tuple(PAYROLL_STATES)  # 编制中 … 已结账, in the order a payroll moves

Key = tuple[str, str, str]  # (month, village, programme or payroll group)


class PaidRow(NamedTuple):
    """Lines the bank paid, summed by the payroll's month, the village and the group."""

    month: str  # the payroll's month: when the money went out
    village: str
    group: str
    earlier: bool  # lines for an earlier month (补发, 差额补发)
    amount: Decimal
    persons: int


class PayrollState(NamedTuple):
    area: str  # the township, or the county where it pays
    group: str
    month: str
    state: str


@dataclass
class Payments:
    """What the payrolls of some months say about some villages."""

    states: dict[Key, str] = field(default_factory=dict)  # the payroll covering the village (most advanced)
    paid: dict[Key, Decimal] = field(default_factory=dict)
    earlier: dict[Key, Decimal] = field(default_factory=dict)  # of which for earlier months
    persons: dict[Key, int] = field(default_factory=dict)

    def returned(self, key: Key) -> bool:
        return self.states.get(key) in RETURNED

    def returned_villages(self) -> set[str]:
        return {village for (_m, village, _g), state in self.states.items() if state in RETURNED}


def payments_of(payrolls: Iterable[PayrollState], rows: Iterable[PaidRow],
                payers: Mapping[str, Sequence[str]]) -> Payments:
    """Which payroll covers each village in each month and group, and what the bank paid there.

    ``payers``: village → the areas whose payrolls may pay it (its township, its county).
    """
    by_area: dict[str, list[str]] = {}
    for village, areas in payers.items():
        for area in areas:
            by_area.setdefault(area, []).append(village)
    out = Payments()
    for p in payrolls:
        for village in by_area.get(p.area, ()):
            key = (p.month, village, p.group)
            known = out.states.get(key)
            if known is None or _ORDER.index(p.state) > _ORDER.index(known):
                out.states[key] = p.state
    for r in rows:
        key = (r.month, r.village, r.group)
        if not out.returned(key):
            continue
        out.paid[key] = out.paid.get(key, ZERO) + r.amount
        out.persons[key] = out.persons.get(key, 0) + r.persons
        if r.earlier:
            out.earlier[key] = out.earlier.get(key, ZERO) + r.amount
    return out


def village_sums(lines: Iterable[Mapping[str, object]], paid: Iterable[int], month: str) -> list[list[object]]:
    """What a payroll's bank result paid, summed by village and by whether the line is for an
    earlier month: ``[village, earlier, amount (text), persons]``. Made once when the results are
    read (they never change after) and kept with the result file, so a county's 12 months of
    reports never scan the lines again. ``lines``: the lines sent (id, village_code, month, amount,
    persons); ``paid``: the ids the bank paid."""
    paid = set(paid)
    sums: dict[tuple[str, bool], list] = {}
    for line in lines:
        if line["id"] not in paid:
            continue
        key = (str(line["village_code"]), str(line["month"]) < month)
        entry = sums.setdefault(key, [ZERO, 0])
        entry[0] += Decimal(str(line["amount"]))
        entry[1] += int(line["persons"] or 0)  # type: ignore[call-overload]
    return [[village, earlier, f"{amount:.2f}", persons] for (village, earlier), (amount, persons) in sorted(sums.items())]


def needing_due(benefits: Iterable[Benefit], payments: Payments, villages: Sequence[str],
                months: Sequence[str]) -> list[Benefit]:
    """The benefits whose amounts due the trend still needs: those of a village and programme that
    some month of ``months`` has no payroll with bank results for. Once a county pays every month
    through the program, none (the trend is then what was paid)."""
    unpaid = {(v, p) for v in villages for p in PROGRAMMES
              if any(not payments.returned((m, v, p)) for m in months)}
    return [b for b in benefits if (b.village, b.programme) in unpaid]


def due_by_village(benefits: Iterable[Benefit], months: Sequence[str]) -> dict[Key, Decimal]:
    """The amount due (应发) by (month, village, programme) over ``months`` (consecutive, oldest
    first), from each benefit's change points with running sums — the same segments as the trend's."""
    if not months:
        return {}
    first, n = month_index(months[0]), len(months)
    steps: dict[tuple[str, str], list[Decimal]] = {}
    for b in benefits:
        starts, states = b.timeline
        for k, (start, state) in enumerate(zip(starts, states, strict=True)):
            if state is None or not state.amount:
                continue
            end = starts[k + 1] if k + 1 < len(starts) else first + n
            lo, hi = max(start, first) - first, min(end, first + n) - first
            if lo >= hi:
                continue
            diff = steps.setdefault((b.village, b.programme), [ZERO] * (n + 1))
            diff[lo] += state.amount
            diff[hi] -= state.amount
    out: dict[Key, Decimal] = {}
    for (village, programme), diff in steps.items():
        running = ZERO
        for i, m in enumerate(months):
            running += diff[i]
            if running:
                out[m, village, programme] = running
    return out


def combine(labels: Iterable[str | None]) -> str:
    """One label for several cells: 实发, 应发, 实发/应发, or '' when none has an amount."""
    found = {x for x in labels if x}
    if not found:
        return ""
    return found.pop() if len(found) == 1 else MIXED


@dataclass
class Bases:
    """Which amounts of the report are 实发 and which 应发, by (month, village, programme); with
    what the notes need: 补发 inside the paid figures, payrolls waiting for the bank, 价格临时补贴."""

    month: str
    cells: dict[Key, str] = field(default_factory=dict)
    earlier: dict[str, Decimal] = field(default_factory=dict)  # programme → 补发 in the month's 实发
    awaiting: dict[str, str] = field(default_factory=dict)  # programme → a payroll's state, results not in
    price: str = "none"  # paid | awaiting | none: 价格临时补贴 of the month
    trend: dict[tuple[str, str], str] = field(default_factory=dict)  # (month, programme) → label

    def label(self, programme: str, villages: Iterable[str], month: str | None = None) -> str:
        m = month or self.month
        return combine(self.cells.get((m, v, programme)) for v in villages)

    def trend_label(self, programme: str) -> str:
        """One label for the 12 months of the trend."""
        return combine(label for (_m, p), label in self.trend.items() if p == programme)


def _has(value: object) -> bool:
    return bool(value) and value != ZERO


def apply_payments(figures: dict[str, VillageFigures], points: list[MonthPoint], payments: Payments | None,
                   due: Mapping[Key, Decimal], month: str, villages: Sequence[str],
                   ) -> tuple[dict[str, VillageFigures], list[MonthPoint], Bases]:
    """Put what the bank paid in place of the amounts due wherever a payroll with bank results
    covers a village's month, and fill 价格临时补贴 from the payrolls.

    ``figures``: the report month's figures by village (amounts due); ``points``: the trend; ``due``:
    the amounts due by (month, village, programme) of the trend's months where they are not paid —
    :func:`due_by_village` of :func:`needing_due` — used only for months some payroll has paid.
    """
    payments = payments or Payments()
    bases = Bases(month)
    # The report month, village by village.
    for v in villages:
        f = figures.get(v)
        for p in PROGRAMMES:
            key = (month, v, p)
            if payments.returned(key):
                if f is None:
                    f = figures[v] = VillageFigures()
                getattr(f, p)["amount"] = payments.paid.get(key, ZERO)
                bases.cells[key] = PAID
                if payments.earlier.get(key):
                    bases.earlier[p] = bases.earlier.get(p, ZERO) + payments.earlier[key]
            elif f is not None and _has(getattr(f, p)["amount"]):
                bases.cells[key] = DUE
            state = payments.states.get(key)
            if state is not None and state not in RETURNED and _ORDER.index(state) >= _ORDER.index(
                    bases.awaiting.get(p, state)):
                bases.awaiting[p] = state
        key = (month, v, PRICE)
        if payments.returned(key):
            if f is None:
                f = figures[v] = VillageFigures()
            f.allowances["price_persons"] = payments.persons.get(key, 0)
            f.allowances["price_amount"] = payments.paid.get(key, ZERO)
            bases.price = "paid"
        elif payments.states.get(key) and bases.price == "none":
            bases.price = "awaiting"
    # The trend: month by month, the paid villages' amounts due replaced by what was paid.
    out = []
    for point in points:
        m = point.month
        amounts = {}
        for p in PROGRAMMES:
            if m == month:
                amounts[p] = sum((getattr(figures[v], p)["amount"] for v in villages if v in figures), ZERO)
                bases.trend[m, p] = bases.label(p, villages)
                continue
            due_total = point.dibao_amount if p == "dibao" else point.tekun_amount
            paid_here = [v for v in villages if payments.returned((m, v, p))]
            if not paid_here:
                amounts[p] = due_total
                bases.trend[m, p] = DUE if due_total else ""
                continue
            others = sum((due.get((m, v, p), ZERO) for v in villages if not payments.returned((m, v, p))), ZERO)
            amounts[p] = others + sum((payments.paid.get((m, v, p), ZERO) for v in paid_here), ZERO)
            bases.trend[m, p] = combine((PAID, DUE if others else None))
        out.append(replace(point, dibao_amount=amounts["dibao"], tekun_amount=amounts["tekun"]))
    return figures, out, bases


__all__ = ["DUE", "GROUPS", "MIXED", "PAID", "PRICE", "Bases", "PaidRow", "PayrollState", "Payments",
           "apply_payments", "combine", "due_by_village", "needing_due", "payments_of", "village_sums"]
