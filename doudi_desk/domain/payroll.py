"""The arithmetic of the monthly payroll (payments.md §1): what a benefit is owed for a month, the
lines a payroll gets from that, and the amounts owed back (追缴) when a decision reaches a month that
was already paid.

Pure: the service gathers the decision history of each benefit and what earlier payrolls did about
it, and stores what comes out. Money is ``Decimal``; a line's key ``(benefit, item, month)`` is paid
at most once (the storage enforces it too).

Programme groups are one list, :data:`GROUPS`, read from the programme registry: a new programme
(两项补贴) is paid once its registry entry names its payroll group.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

ZERO = Decimal(0)


# --- months -----------------------------------------------------------------------------------
def month_index(month: str) -> int:
    """'2026-11' → a running month number (year × 12 + month − 1)."""
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def shift(month: str, n: int) -> str:
    return month_text(month_index(month) + n)


def months(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last``, both included ([] when first > last)."""
    return [month_text(i) for i in range(month_index(first), month_index(last) + 1)]


def valid_month(text: str) -> bool:
    if not isinstance(text, str) or len(text) != 7 or text[4] != "-":
        return False
    year, mon = text[:4], text[5:]
    return year.isdigit() and mon.isdigit() and 1 <= int(mon) <= 12 and int(year) >= 1900


# --- programme groups -------------------------------------------------------------------------
@dataclass(frozen=True)
class Group:
    """One payroll kind: which benefits it pays and how.

    ``kind``: ``monthly`` (a benefit in force pays every month), ``one_off`` (临时救助: once, in the
    month it was approved) or ``price`` (价格临时补贴: per covered person, in triggered months).
    ``payee``: whose name the line carries — the household head, or the covered person.
    """

    code: str
    label: str
    short: str
    kind: str
    programmes: tuple[str, ...]
    item_label: str
    payee: str = "head"

    @property
    def item(self) -> str:
        return self.code

    @property
    def diff_item(self) -> str:
        """The item of a difference paid later for a month already paid at a lower amount."""
        return f"{self.code}_diff"


def _groups() -> tuple[Group, ...]:
    """A group per programme the registry pays (domain/programmes.py ``payment_label``), then
    价格临时补贴 over the programmes whose covered persons receive it (低保, 特困: policy.md §11)."""
    from .coverage import ROLES
    from .programmes import REGISTRY, covering

    own = tuple(Group(p.code, p.payment_label, p.short, "monthly" if p.monthly else "one_off", (p.code,),
                      p.payment_item, payee=p.payee) for p in REGISTRY.values() if p.payment_label)
    covered = tuple(code for role in ROLES for code in covering(role))
    return (*own, Group("price_subsidy", "价格临时补贴", "价格临时补贴", "price", covered, "价格临时补贴"))


GROUPS: tuple[Group, ...] = _groups()
GROUP_BY_CODE = {g.code: g for g in GROUPS}
PAYROLL_STATES = {"draft": "编制中", "submitted": "待审核", "reviewed": "待审批", "approved": "已审批",
                  "exported": "已导出", "results": "已回盘", "closed": "已结账"}
KIND_LABELS = {"regular": "当月", "back_pay": "补发", "difference": "差额补发", "one_off": "一次性"}
STATE_LABELS = {"pending": "待发", "held": "暂缓", "paid": "成功", "failed": "失败"}


def item_label(item: str) -> str:
    for g in GROUPS:
        if item == g.item:
            return g.item_label
        if item == g.diff_item:
            return f"{g.item_label}（差额）"
    return item


# --- what a benefit is owed -------------------------------------------------------------------
class Decision(NamedTuple):  # tuples: a county payroll makes hundreds of thousands of these
    """One entry of a benefit's decision history: from ``month`` on, ``amount`` a month.

    ``result``: approved, raise, lower, keep, phase_out (the amount continues to ``until``, then
    stops), stop (nothing from ``month``).
    """

    month: str
    result: str
    amount: Decimal
    ref: str
    until: str | None = None


class Due(NamedTuple):
    """What a benefit is owed for one month and the decision that says so."""

    amount: Decimal
    ref: str
    persons: int = 0
    note: str = ""


def in_force(history: Sequence[Decision], month: str) -> Decision | None:
    """The decision in force in a month: the last one effective by then (later entries win ties)."""
    found = None
    for d in history:
        if d.month <= month:
            found = d
    return found


def monthly_due(history: Sequence[Decision], month: str, persons: int = 0) -> Due:
    """The monthly amount in force (0 before the start, after a stop or after the 渐退 months)."""
    d = in_force(history, month)
    if d is None:
        return Due(ZERO, "", 0)
    if d.result == "stop":
        return Due(ZERO, d.ref, 0, "停发")
    if d.result == "phase_out":
        if d.until and month > d.until:
            return Due(ZERO, d.ref, 0, f"渐退期至{d.until}已满")
        return Due(d.amount, d.ref, persons, "渐退期")
    return Due(d.amount, d.ref, persons)


def paying_months(history: Sequence[Decision], first: str, last: str) -> int:
    """How many months in [first, last] the history pays something (by segments, not month by month)."""
    if first > last:
        return 0
    lo, hi = month_index(first), month_index(last)
    if len(history) == 1:  # most benefits: one decision, paid from its month on
        d = history[0]
        if d.result == "stop" or d.amount <= 0:
            return 0
        end = min(hi, month_index(d.until)) if d.result == "phase_out" and d.until else hi
        return max(0, end - max(month_index(d.month), lo) + 1)
    count = 0
    for i, d in enumerate(history):
        start = month_index(d.month)
        end = month_index(history[i + 1].month) - 1 if i + 1 < len(history) else hi
        if d.result == "stop" or d.amount <= 0:
            continue
        if d.result == "phase_out" and d.until:
            end = min(end, month_index(d.until))
        count += max(0, min(end, hi) - max(start, lo) + 1)
    return count


def first_month(history: Sequence[Decision]) -> str | None:
    return min((d.month for d in history), default=None)


def price_dues(month: str, people: Sequence[tuple[int, str, Sequence[str], Decimal]],
               already: Iterable[str] = ()) -> dict[int, tuple[Due, list[str]]]:
    """价格临时补贴 of one month: each person once (policy.md §11), in the order given.

    ``people``: (benefit, deciding case, ID numbers of the persons it covers that month, amount per
    person there); ``already``: persons who have it for that month elsewhere. Returns each benefit's
    due and the persons it is paid for (nobody left: 0).
    """
    seen = set(already)
    out = {}
    for benefit, ref, persons, rate in people:
        mine = [p for p in dict.fromkeys(persons) if p not in seen]
        seen.update(mine)
        out[benefit] = (Due(rate * len(mine), ref, len(mine), f"{month}每人{rate}元×{len(mine)}人"), mine)
    return out


# --- the lines of a payroll -------------------------------------------------------------------
class Payee(NamedTuple):
    """Who is paid and into which account (the household's 开户银行, 银行账号)."""

    name: str
    id_number: str
    bank_name: str
    bank_account: str
    village: str
    household_id: int | None = None


def account_problem(payee: Payee) -> str | None:
    """Why a line cannot go to the bank, or None: both bank and 10–30 digits are needed."""
    bank, digits = (payee.bank_name or "").strip(), (payee.bank_account or "").strip()
    if not bank or not digits:
        return "未登记" + "、".join(label for label, value in (("开户银行", bank), ("银行账号", digits)) if not value)
    if not (10 <= len(digits) <= 30 and digits.isascii() and digits.isdigit()):
        return "银行账号应为10至30位数字"
    return None


class Record(NamedTuple):
    """What earlier payrolls did about one (benefit, month): the live (to be paid or paid) amounts of
    the regular and the difference item, what is already owed back, and the last failed attempt."""

    live: Decimal | None = None
    live_diff: Decimal | None = None
    owed: Decimal = ZERO
    failed_account: str | None = None
    failed_reason: str = ""

    @property
    def net_paid(self) -> Decimal:
        return (self.live or ZERO) + (self.live_diff or ZERO) - self.owed


class Line(NamedTuple):
    benefit: int
    item: str
    month: str
    amount: Decimal
    kind: str  # regular | back_pay | difference | one_off
    state: str  # pending | held
    ref: str
    persons: int = 0
    hold_reason: str = ""
    note: str = ""


class Owed(NamedTuple):
    """An amount paid that a later decision says was not due: recovered, never a negative line."""

    benefit: int
    item: str
    month: str
    amount: Decimal
    source: str
    reason: str


@dataclass
class Plan:
    lines: list[Line] = field(default_factory=list)
    owed: list[Owed] = field(default_factory=list)


def plan(benefit: int, group: Group, payroll_month: str, dues: Mapping[str, Due], records: Mapping[str, Record],
         payee: Payee, *, one_off: bool = False) -> Plan:
    """The lines and amounts owed one benefit contributes to the payroll of ``payroll_month``.

    Every month in ``dues`` or ``records`` up to the payroll month is looked at:
    - not yet paid and something is due → a line (补发 for an earlier month), held back with the
      reason when the account is missing, or when the last attempt failed and the account is the
      same one;
    - paid more than is due now (a stop or a reduction reached a paid month) → an amount owed;
    - paid less than is due now (a raise reached a paid month) → one difference line.
    """
    out = Plan()
    problem = account_problem(payee)
    if not records and len(dues) == 1:  # the common case: this month only, nothing done about it yet
        [(month, due)] = dues.items()
        if month <= payroll_month and due.amount > 0:
            kind = "one_off" if one_off else ("regular" if month == payroll_month else "back_pay")
            out.lines.append(Line(benefit, group.item, month, due.amount, kind, "held" if problem else "pending",
                                  due.ref, due.persons, problem or "", due.note))
        return out
    for month in sorted(set(dues) | set(records)):
        if month > payroll_month:
            continue
        due = dues.get(month, Due(ZERO, ""))
        rec = records.get(month, Record())
        if rec.live is None:
            if due.amount <= 0:
                continue
            kind = "one_off" if one_off else ("regular" if month == payroll_month else "back_pay")
            reason = problem
            if reason is None and rec.failed_account is not None and rec.failed_account == payee.bank_account:
                reason = f"上次发放失败（{rec.failed_reason or '银行未说明原因'}），账户尚未更正"
            out.lines.append(Line(benefit, group.item, month, due.amount, kind, "held" if reason else "pending",
                                  due.ref, due.persons, reason or "", due.note))
            continue
        paid = rec.net_paid
        if due.amount < paid:
            gap = paid - due.amount
            why = f"{month}已发{paid}元，按{due.ref or '决定'}应发{due.amount}元" + (f"（{due.note}）" if due.note else "")
            out.owed.append(Owed(benefit, group.item, month, gap, due.ref, f"{why}，多发{gap}元"))
        elif due.amount > paid:
            gap = due.amount - paid
            note = f"{month}已发{paid}元，按{due.ref}应发{due.amount}元，补发差额"
            reason = problem
            if rec.live_diff is not None:
                reason = f"该月已补发过一次差额，仍差{gap}元，请核对后处理"
            out.lines.append(Line(benefit, group.diff_item, month, gap, "difference",
                                  "held" if reason else "pending", due.ref, due.persons, reason or "", note))
    return out


# --- freezing -----------------------------------------------------------------------------------
DIGEST_FIELDS = ("benefit", "item", "month", "amount", "kind", "state", "payee_name", "payee_id_number",
                 "bank_name", "bank_account")


class Digest:
    """SHA-256 over a payroll's lines in key order, fed one line at a time (100,000 lines stream).

    A line is the tuple of :data:`DIGEST_FIELDS`.
    """

    def __init__(self) -> None:
        self._h = hashlib.sha256()
        self.count = 0
        self.total = ZERO
        self._amount = DIGEST_FIELDS.index("amount")
        self._state = DIGEST_FIELDS.index("state")

    def add(self, line: Sequence[object]) -> None:
        values = [str(v) for v in line]
        amount = Decimal(values[self._amount])
        values[self._amount] = f"{amount:.2f}"
        self._h.update(("\x1f".join(values) + "\n").encode("utf-8"))
        self.count += 1
        if line[self._state] != "held":
            self.total += amount

    def hexdigest(self) -> str:
        return self._h.hexdigest()


def changes(previous: Mapping[int, Decimal], current: Mapping[int, Decimal]) -> dict[str, list[tuple[int, Decimal, Decimal]]]:
    """What moved against last month's payroll, by benefit: new, stopped and changed amounts."""
    return {
        "new": [(b, ZERO, a) for b, a in sorted(current.items()) if b not in previous],
        "stopped": [(b, a, ZERO) for b, a in sorted(previous.items()) if b not in current],
        "changed": [(b, previous[b], a) for b, a in sorted(current.items()) if b in previous and previous[b] != a],
    }
