"""Gather what a payroll pays: every benefit of the area and group with its decision history, payee
and account, and what earlier payrolls already did about it; the arithmetic is domain/payroll.py.

County scale: the benefits come out of a few bulk queries; only the benefits whose earlier lines
may disagree with their decisions now (a month missed, held or failed; a decision recorded after a
month it reaches was paid) are looked at month by month, the others for the payroll's month alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..domain.errors import DomainError
from ..domain.payroll import (
    GROUP_BY_CODE,
    ZERO,
    Decision,
    Due,
    Group,
    Line,
    Owed,
    Payee,
    Record,
    first_month,
    in_force,
    monthly_due,
    months,
    paying_months,
    plan,
    price_dues,
    shift,
)
from ..domain.policy import PolicyParams, parse_policy
from ..domain.price_subsidy import Indices, per_person
from ..domain.programmes import REGISTRY
from . import lookup

COVER_RESULTS = ("approved", "raise", "lower", "keep")


@dataclass(slots=True)
class Benefit:
    """One benefit as the payroll sees it."""

    id: int
    number: str
    programme: str
    village: str
    history: list[Decision]
    payee: Payee
    person_ids: list[str]  # covered now (the latest determination); [] when loaded without members
    persons: int
    decision: dict[str, Any] = field(default_factory=dict)
    parent_household: int | None = None


_AMOUNTS: dict[str, Decimal] = {}


def _amount(raw: Any) -> Decimal:
    """Decimal of a stored amount; a county has few distinct ones, so they are made once."""
    key = str(raw or 0)
    value = _AMOUNTS.get(key)
    if value is None:
        value = _AMOUNTS[key] = Decimal(key)
        if len(_AMOUNTS) > 100_000:
            _AMOUNTS.clear()
    return value


def decisions(b: Mapping[str, Any], d: Mapping[str, Any], number: str) -> list[Decision]:
    """A benefit record's history as decisions (older records without history: from its status);
    ``d`` is the case's decision, ``number`` its case number."""
    history = b.get("history") or []
    if len(history) == 1 and history[0].get("result") != "phase_out":  # most benefits: the approval alone
        e = history[0]
        return [Decision(e["month"], e["result"], _amount(e.get("amount")), e.get("case") or "", e.get("until"))]
    out = []
    last_phase = None
    for i, e in enumerate(history):
        if e.get("result") == "phase_out":
            last_phase = i
    for i, e in enumerate(history):
        until = e.get("until") or (b.get("phase_out_until") if i == last_phase else None)
        out.append(Decision(e["month"], e["result"], _amount(e.get("amount")), e.get("case") or "", until))
    if not out:
        start = b.get("since_month") or d.get("start_month")
        if start:
            out.append(Decision(start, "approved", _amount(b.get("monthly_amount") or d.get("monthly_amount")),
                                number))
        if b.get("status") == "phasing_out" and b.get("phase_out_until"):
            out.append(Decision(start or b["phase_out_until"], "phase_out", out[-1].amount if out else ZERO,
                                number, b["phase_out_until"]))
        if b.get("status") == "stopped" and b.get("stopped_from"):
            out.append(Decision(b["stopped_from"], "stop", ZERO, number))
    if any(out[i].month > out[i + 1].month for i in range(len(out) - 1)):
        out.sort(key=lambda x: x.month)  # stable: same-month decisions keep their order
    return out


def _head(members: Sequence[Any]) -> Any:
    for m in members:
        if m.relation == "head":
            return m
    return members[0]


class BenefitSource:
    """Loads the benefits of villages for one group, in bulk."""

    def __init__(self, uow):
        self.uow = uow
        self.repo = uow.benefits
        self._households: dict[int, dict[str, Any]] = {}

    def households(self, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        missing = [i for i in set(ids) if i not in self._households]
        if missing:
            self._households.update(self.repo.households(missing))
        return self._households

    def load(self, villages: Sequence[str], programmes: Sequence[str], *, everyone: bool = True) -> list[Benefit]:
        """The benefits in payment of these villages. Without ``everyone`` only the household heads are
        read (a county's 低保 payroll needs the head as payee and the number covered, not each person)."""
        one_off = {code for code in programmes if code in REGISTRY and not REGISTRY[code].monthly}
        cases = self.repo.approved_cases(villages, programmes, with_decision=bool(one_off))
        latest = self.repo.determinations_in(villages, programmes)
        self._households.update(self.repo.households_in(villages, programmes, heads_only=not everyone))
        households = self._households
        out = []
        by_covered = {code for code, g in GROUP_BY_CODE.items() if g.payee == "covered"}
        for case_id, number, programme, village, applied_household, decision, benefit in cases:
            found = latest.get(case_id)
            household_id = found[0] if found else applied_household
            h = households.get(household_id)
            if h is None or not h["members"]:
                continue
            members = h["members"]
            decision = decision or {}
            b = benefit or {}
            covered = b.get("covered", decision.get("covered")) or []
            if programme in one_off:  # paid once to the household: every counted member
                people = [m for m in members if not m.excluded]
                count = len(people)
            elif everyone:
                people = [members[i] for i in covered if isinstance(i, int) and i < len(members)
                          and not members[i].excluded]
                count = len(people)
            else:
                people, count = [], len(covered)
            who = people[0] if people and programme in by_covered else _head(members)
            payee = Payee(who.name, who.id_number, h["bank_name"] or "", h["bank_account"] or "", village,
                          household_id)
            history = [] if programme in one_off else decisions(b, decision, number)
            out.append(Benefit(case_id, number, programme, village, history, payee,
                               [m.id_number for m in people], count, decision, applied_household))
        return out

    def persons_at(self, benefit: Benefit, month: str) -> list[str]:
        """Who the benefit covers in a month: the covered persons of the decision in force then."""
        later = [d for d in benefit.history if d.month > month and d.result in COVER_RESULTS]
        if not later:
            return benefit.person_ids
        setting = None
        for d in benefit.history:
            if d.month <= month and d.result in COVER_RESULTS:
                setting = d
        if setting is None:
            return []
        if setting.ref == benefit.number or not setting.ref:
            decision = benefit.decision or (self.repo.cases_by_number([benefit.number]).get(benefit.number) or {}).get(
                "decision", {})
            household_id, covered = benefit.parent_household, decision.get("covered") or []
        else:
            found = self.repo.cases_by_number([setting.ref]).get(setting.ref)
            if not found:
                return benefit.person_ids
            household_id, covered = found["household_id"], found["decision"].get("covered") or []
        members = self.households([household_id]).get(household_id, {}).get("members", [])
        return [members[i].id_number for i in covered if isinstance(i, int) and i < len(members)
                and not members[i].excluded]


@dataclass
class Built:
    lines: list[tuple[Line, Benefit, str, int]] = field(default_factory=list)  # line, benefit, person ids, basis
    owed: list[Owed] = field(default_factory=list)


class PayrollBuilder:
    """The lines and amounts owed of one payroll (area, group, month), given where it starts."""

    def __init__(self, uow, ctx, area_code: str, group: Group, month: str, covers_from: str):
        self.uow, self.ctx = uow, ctx
        self.area_code, self.group, self.month, self.start = area_code, group, month, covers_from
        self.source = BenefitSource(uow)
        area = uow.areas.get(area_code)
        self.villages = [area_code] if area.level == "village" else [
            a.code for a in uow.areas.children(area_code, level="village")]
        self._chains: dict[str, list[str]] = {}
        self._per_person: dict[tuple[str, str], Decimal] = {}

    def chain(self, village: str) -> list[str]:
        if village not in self._chains:
            self._chains[village] = lookup.area_chain(self.uow, village)
        return self._chains[village]

    def build(self) -> Built:
        if self.group.kind == "one_off":
            return self._one_off()
        g = self.group
        benefits = self.source.load(self.villages, g.programmes,
                                    everyone=g.kind != "monthly" or g.payee == "covered")
        if self.group.kind == "price":
            return self._price(benefits)
        return self._monthly(benefits)

    # --- records of earlier payrolls -----------------------------------------------------------
    def _records(self, items: Sequence[str], case_ids: Sequence[int], first: str) -> dict[int, dict[str, Record]]:
        """(benefit → month → Record) from every earlier line and amount owed of these benefits."""
        regular, diff = items[0], items[1] if len(items) > 1 else None
        raw: dict[tuple[int, str], dict[str, Any]] = {}
        for line in self.uow.payments.history_of(case_ids, items, first):
            r = raw.setdefault((line["case_id"], line["month"]), {"live": None, "live_diff": None, "failed": None})
            if line["live"]:
                r["live_diff" if line["item"] == diff else "live"] = Decimal(str(line["amount"]))
            elif line["state"] == "failed" and line["item"] == regular:
                r["failed"] = (line["bank_account"], line["reason"])
        owed = self.uow.payments.owed_sums(case_ids, [regular])
        for (case_id, _item, month), amount in owed.items():
            raw.setdefault((case_id, month), {"live": None, "live_diff": None, "failed": None})["owed"] = amount
        out: dict[int, dict[str, Record]] = {}
        for (case_id, month), r in raw.items():
            failed = r.get("failed")
            out.setdefault(case_id, {})[month] = Record(
                r["live"], r["live_diff"], r.get("owed", ZERO),
                failed[0] if failed and r["live"] is None else None, failed[1] if failed else "")
        return out

    def _suspect(self, benefits: Sequence[Benefit], expected: Callable[[Benefit, str, str], int]) -> set[int]:
        """Benefits to look at month by month: lines missing (or held, failed) before this month, or a
        decision recorded after lines it reaches were made."""
        before = self.month
        if self.start >= before:
            return set()  # the first month paid through the program: nothing earlier to look at
        agg = self.uow.payments.live_aggregate(self.group.item, self.start, before)
        last_month = shift(before, -1)
        out = set()
        for b in benefits:
            history = b.history
            first = history[0].month if history else self.month  # histories are in month order
            if first < self.start:
                first = self.start
            groups = agg.get(b.id)
            if not groups:
                if first <= last_month and expected(b, first, last_month):
                    out.add(b.id)  # months due before this one and nothing paid for them
                continue
            have = sum(n for _basis, n, _last in groups)
            if have != expected(b, first, last_month):
                out.add(b.id)
                continue
            n = len(history)
            for basis, _n, last in groups:
                if basis < n and any(d.month <= last for d in history[basis:]):
                    out.add(b.id)
                    break
        return out

    def _current(self, items: Sequence[str]) -> dict[int, dict[str, Record]]:
        """Live lines of the payroll's own month in other payrolls (a family that moved area)."""
        out: dict[int, dict[str, Any]] = {}
        for line in self.uow.payments.live_at(items, self.month):
            r = out.setdefault(line["case_id"], {"live": None, "live_diff": None})
            r["live_diff" if line["item"] == items[-1] and len(items) > 1 else "live"] = Decimal(str(line["amount"]))
        return {cid: {self.month: Record(r["live"], r["live_diff"])} for cid, r in out.items()}

    # --- monthly benefits (低保, 特困, 两项补贴) ---------------------------------------------------
    def _monthly(self, benefits: list[Benefit]) -> Built:
        g = self.group
        items = (g.item, g.diff_item)
        suspect = self._suspect(benefits, lambda b, first, last: paying_months(b.history, first, last))
        records = self._records(items, sorted(suspect), self.start) if suspect else {}
        current = self._current(items)
        out = Built()
        for b in benefits:
            if b.id in suspect:
                first = max(self.start, first_month(b.history) or self.month)
                dues = {m: monthly_due(b.history, m, b.persons) for m in months(first, self.month)}
                recs = records.get(b.id, {})
            else:
                dues = {self.month: monthly_due(b.history, self.month, b.persons)}
                recs = current.get(b.id, {})
            self._add(out, b, plan(b.id, g, self.month, dues, recs, b.payee), len(b.history))
        return out

    @staticmethod
    def _add(out: Built, b: Benefit, p, basis: int, persons: Mapping[tuple[int, str], Sequence[str]] | None = None) -> None:
        persons = persons or {}
        for line in p.lines:
            out.lines.append((line, b, ",".join(persons.get((b.id, line.month), ())), basis))
        out.owed.extend(p.owed)

    # --- 临时救助: once, in the month approved ---------------------------------------------------------
    def _one_off(self) -> Built:
        g = self.group
        benefits = self.source.load(self.villages, g.programmes)
        due_of: dict[int, dict[str, Due]] = {}
        first_aid: dict[int, tuple[str, Decimal, Decimal]] = {}
        chosen = []
        for b in benefits:
            d = b.decision
            month = str(d.get("decided_on") or "")[:7]
            if not month or month < self.start or month > self.month:
                continue
            if d.get("form_of_help") in ("goods", "referral"):
                continue  # 实物 or 转介: nothing goes to the bank
            amount = Decimal(str(d.get("amount") or 0))
            aid = Decimal(str(d.get("first_aid_amount") or 0))
            note = f"审批{amount}元，已先行救助{aid}元，本次发放余额" if aid else ""
            due_of[b.id] = {month: Due(max(ZERO, amount - aid), b.number, b.persons, note)}
            if aid > amount:
                first_aid[b.id] = (month, aid, amount)
            chosen.append(b)
        records = self._records((g.item,), [b.id for b in chosen], self.start) if chosen else {}
        out = Built()
        known = self.uow.payments.owed_keys(list(first_aid)) if first_aid else set()
        for b in chosen:
            self._add(out, b, plan(b.id, g, self.month, due_of[b.id], records.get(b.id, {}), b.payee, one_off=True), 0)
            if b.id in first_aid:
                month, aid, amount = first_aid[b.id]
                if (b.id, g.item, month, b.number) not in known:
                    out.owed.append(Owed(b.id, g.item, month, aid - amount, b.number,
                                         f"先行救助{aid}元超过审批金额{amount}元，多发{aid - amount}元"))
        return out

    # --- 价格临时补贴 -------------------------------------------------------------------------------
    def _policy(self, village: str, month: str) -> PolicyParams:
        day = dt.date.fromisoformat(month + "-01")
        found = self.uow.policies.effective(self.chain(village), day)
        if found is None:
            raise DomainError(f"地区 {village} 在 {month} 没有生效的政策参数，请管理员先设置")
        return parse_policy(found[3], "price_subsidy")

    def _indices(self, village: str, month: str) -> Indices | None:
        for code in self.chain(village):
            row = self.uow.payments.price_index(code, month)
            if row is not None:
                return Indices(Decimal(str(row["cpi_yoy"])), Decimal(str(row["food_yoy"])))
        return None

    def per_person(self, village: str, month: str) -> Decimal:
        key = (village, month)
        if key not in self._per_person:
            indices = self._indices(village, month)
            self._per_person[key] = ZERO if indices is None else per_person(self._policy(village, month), indices)
        return self._per_person[key]

    def _price(self, benefits: list[Benefit]) -> Built:
        g = self.group
        items = (g.item, g.diff_item)
        order = {p: i for i, p in enumerate(g.programmes)}
        benefits.sort(key=lambda b: (order.get(b.programme, 99), b.id))
        villages = sorted({b.village for b in benefits} | set(self.villages))
        triggered = [m for m in months(self.start, self.month) if any(self.per_person(v, m) > 0 for v in villages)]

        def expected(b: Benefit, first: str, last: str) -> int:
            return sum(1 for m in triggered if first <= m <= last and self.per_person(b.village, m) > 0
                       and monthly_due(b.history, m).amount > 0 and self.source.persons_at(b, m))

        suspect = self._suspect(benefits, expected) if triggered else set()
        records = self._records(items, sorted(suspect), self.start) if suspect else {}
        current = self._current(items)
        edge = self._edge_families([v for v in villages if self.per_person(v, self.month) > 0
                                    and self._policy(v, self.month).price_include_edge])
        dues: dict[int, dict[str, Due]] = {}
        persons: dict[tuple[int, str], list[str]] = {}
        for m in sorted({self.month} | ({m for m in triggered} if suspect else set())):
            computed = [b for b in benefits if self.per_person(b.village, m) > 0
                        and (m == self.month or b.id in suspect)]
            ids = {b.id for b in computed}
            # Persons paid for this month by lines not recomputed here keep their one share.
            already = {p for line in self.uow.payments.live_at(items, m) if line["case_id"] not in ids
                       for p in (line["person_ids"] or "").split(",") if p}
            people = []
            for b in computed:
                d = in_force(b.history, m)
                covered = self.source.persons_at(b, m) if monthly_due(b.history, m).amount > 0 else []
                if m == self.month and b.id in edge:  # 单人户: the family's other members as 低保边缘
                    covered = [*covered, *edge.pop(b.id).person_ids]
                people.append((b.id, d.ref if d else b.number, covered, self.per_person(b.village, m)))
            if m == self.month:
                people += [(e.id, e.number, e.person_ids, self.per_person(e.village, m)) for e in edge.values()]
                benefits = benefits + list(edge.values())
            for benefit_id, (due, mine) in price_dues(m, people, already).items():
                dues.setdefault(benefit_id, {})[m] = due
                persons[(benefit_id, m)] = mine
        out = Built()
        for b in benefits:
            recs = records.get(b.id, {}) if b.id in suspect else current.get(b.id, {})
            self._add(out, b, plan(b.id, g, self.month, dues.get(b.id, {}), recs, b.payee), len(b.history), persons)
        return out

    def _edge_families(self, villages: Sequence[str]) -> dict[int, Benefit]:
        """低保边缘 families of these villages this month (policy.md §8, §11 where the policy includes
        them): every counted member, keyed by the family's application case. Edge status is computed
        from the household as last determined, so it is paid for the payroll's own month only."""
        if not villages:
            return {}
        from .monitoring import household_flags

        out: dict[int, Benefit] = {}
        rows = household_flags(self.ctx, on=dt.date.fromisoformat(self.month + "-01"), flag="edge_family",
                               villages=set(villages))
        households = self.source.households([r["household_id"] for r in rows])
        for r in rows:
            case = self.uow.cases.get_by_number(r["case"])
            root = case.parent_case_id or case.id
            h = households.get(r["household_id"])
            if h is None or not h["members"]:
                continue
            counted = [m for m in h["members"] if not m.excluded]
            head = _head(h["members"])
            out[root] = Benefit(root, case.number, "edge", r["village"], [], Payee(
                head.name, head.id_number, h["bank_name"] or "", h["bank_account"] or "", r["village"],
                r["household_id"]), [m.id_number for m in counted], len(counted))
        return out
