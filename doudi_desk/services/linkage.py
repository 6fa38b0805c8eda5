"""Benefits that follow another programme's coverage of the same person (registry ``links``,
policy.md §10): when a family's 低保 stops, its members' 困难残疾人生活补贴 stops from the same month;
when a person enters 特困, both allowances stop. No new application: the stop is written on the
allowance's benefit record with its own audit event (and its 停发告知书, print kind
``linked_stop_notice``), in the transaction that changed the other benefit.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

from ..domain.model import Case, User
from ..domain.programmes import Link, Programme, following
from . import roles
from .case_writer import edit
from .coverage import benefits_of, covered_ids
from .lifecycle import add_months, effective_status

TRIGGER = "benefit_linked_stop"


def coverage_change(uow, case: Case) -> tuple[set[str], str | None]:
    """Who a benefit covers after its latest change and from which month (None: no benefit)."""
    b = case.benefit or {}
    history = b.get("history") or []
    if not history:
        return set(), None
    last = history[-1]
    month = last.get("month")
    if b.get("status") == "stopped":
        return set(), b.get("stopped_from") or month
    if b.get("status") == "phasing_out" and b.get("phase_out_until"):
        return set(), add_months(b["phase_out_until"], 1)  # the 低保 stops once the 渐退 months are over
    return covered_ids(uow, case), month


def follow(service, uow, source: Case, user: User, day: dt.date, before: set[str],
           after: set[str] | None = None) -> list[Case]:
    """After ``source``'s benefit changed (granted, reviewed, phased out or stopped), stop the parts
    of the benefits that follow its programme for the persons whose coverage began or ended.
    ``before``: the ID numbers it covered before the change; ``after``: those it covers now, when the
    caller knows them (a 复核 or 变更 being decided is not stored yet). Returns the benefits changed."""
    covered, month = coverage_change(uow, source)
    if month is None:
        return []
    if after is None or (source.benefit or {}).get("status") in ("stopped", "phasing_out"):
        after = covered
    changed: list[Case] = []
    for prog, link in following(source.programme, "ends"):
        ended = before - after
        if ended:
            still = benefits_of(service.ctx, uow, ended, source_role(source), _first(month), exclude={source.id})
            changed += _stop(service, uow, prog, link, ended - set(still), source, user, day, month)
    for prog, link in following(source.programme, "starts"):
        started = after - before
        if started:
            changed += _stop(service, uow, prog, link, started, source, user, day, month)
    return changed


def source_role(case: Case) -> str:
    from ..domain.programmes import programme

    return programme(case.programme).covers or ""


def _first(month: str) -> dt.date:
    return dt.date.fromisoformat(f"{month}-01")


def _stop(service, uow, prog: Programme, link: Link, people: set[str], source: Case, user: User, day: dt.date,
          month: str) -> list[Case]:
    if not people:
        return []
    approved = roles.ending(service.ctx.engines, "approved", programmes=[prog.code])
    out = []
    seen: set[int] = set()
    for id_number in sorted(people):
        for case in uow.cases.with_id_number(id_number, programme=prog.code, covered_states=approved):
            if case.id in seen or roles.case_outcome(service.ctx.engines, case) != "approved" or not case.benefit:
                continue
            household = uow.households.get(case.household_id)
            applicant = next((m for m in household.members if m.applicant), None)
            if applicant is None or applicant.id_number != id_number:
                continue  # the benefit is another member's (the person is only in its family)
            seen.add(case.id)
            if effective_status(case.benefit, _first(month)) == "stopped":
                continue
            if _stop_parts(service, uow, prog, link, case, source, user, day, month):
                out.append(case)
    return out


def _stop_parts(service, uow, prog: Programme, link: Link, case: Case, source: Case, user: User, day: dt.date,
                month: str) -> bool:
    """Write the stop of ``link.stops`` on one benefit (with its audit event); False when nothing
    of it was still paid."""
    benefit = copy.deepcopy(case.benefit or {})
    parts: dict[str, Any] = dict(benefit.get("parts") or {})
    stopping = [code for code in link.stops if Decimal(str(parts.get(code) or 0)) > 0]
    if not stopping:
        return False
    change = edit(case, whole_benefit=True)
    previous = {code: parts[code] for code in stopping}
    for code in stopping:
        parts[code] = "0"
    total = sum((Decimal(str(v or 0)) for v in parts.values()), Decimal(0))
    stops = dict(benefit.get("part_stops") or {})
    for code in stopping:
        stops[code] = {"from": month, "reason": link.reason, "case": source.number}
    result = "stop" if total == 0 else "lower"
    benefit.update(parts=parts, part_stops=stops, monthly_amount=_whole(total))
    if result == "stop":
        benefit.update(status="stopped", stopped_from=month)
        case.next_review_on = None
    benefit.setdefault("history", []).append({
        "month": month, "amount": _whole(total), "result": result, "parts": parts, "case": source.number,
        "decided_on": day.isoformat(),
        "linked": {"follows": source.programme, "reason": link.reason, "stopped": stopping, "previous": previous},
    })
    case.benefit = benefit
    labels = "、".join(prog.part(code).label for code in stopping)
    service.writer.save(uow, change, user, TRIGGER, day,
                        comment=f"{link.reason}（{source.number}）：{labels}自 {month} 起停发",
                        data={"linked_to": source.number, "stopped": stopping, "month": month})
    return True


def _whole(value: Decimal) -> str:
    return f"{value.quantize(Decimal(1))}" if value == value.to_integral_value() else f"{value:f}"
