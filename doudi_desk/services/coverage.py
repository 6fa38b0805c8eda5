"""What is in force for a family on a date, read from the benefits in the database — never typed
in (issue 13): who a 低保 covers and on which basis, who is covered by 特困, whether the family is a
低保边缘 family. A programme decided with the status (两项补贴) gets it from here, and the links
between programmes (services/linkage.py) use the same reading of who a benefit covers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from ..domain.coverage import ROLES, HouseholdStatus
from ..domain.model import Case, Household
from ..domain.programmes import covering
from ..domain.specs import OUTCOMES
from . import roles
from .lifecycle import effective_status, latest_determination


def covered_ids(uow, case: Case) -> set[str]:
    """ID numbers of the persons a benefit covers now: its covered indexes in the household as last
    determined (the latest decided 复核 or 变更, else the application)."""
    covered = (case.benefit or {}).get("covered") or []
    id_numbers = uow.households.id_numbers(latest_determination(uow, case).household_id)
    return {id_numbers[i] for i in covered if isinstance(i, int) and 0 <= i < len(id_numbers)}


def benefits_of(ctx, uow, id_numbers: Collection[str], role: str, on: dt.date,
                exclude: Collection[int] = ()) -> dict[str, list[Case]]:
    """Benefits of the programmes that cover persons as ``role`` (dibao | tekun) in force on ``on``,
    by the ID numbers of these people they cover."""
    codes = covering(role)
    approved = roles.ending(ctx.engines, "approved", programmes=codes)
    decided = roles.ending(ctx.engines, "decided", programmes=codes)
    found: dict[str, list[Case]] = {}
    cases: dict[int, Case] = {}
    for id_number, case_id in uow.listing.benefit_cases_of(list(id_numbers), approved, decided):
        if case_id in exclude:
            continue
        case = cases.get(case_id) or cases.setdefault(case_id, uow.cases.get(case_id))
        if effective_status(case.benefit, on) in (None, "stopped"):
            continue
        if id_number in covered_ids(uow, case):
            found.setdefault(id_number, []).append(case)
    return found


def status_for(ctx, uow, household: Household, on: dt.date, exclude: Collection[int] = ()) -> HouseholdStatus:
    """The family's status on ``on`` (the first day of the month a decision takes effect)."""
    ids = [m.id_number for m in household.members]
    index = {m.id_number: i for i, m in enumerate(household.members)}
    covered: dict[str, list[int]] = {}
    dibao_basis = None
    for role in ROLES:
        found = benefits_of(ctx, uow, ids, role, on, exclude)
        covered[role] = sorted(index[i] for i in found)
        if role == ROLES[0] and found:
            latest = latest_determination(uow, next(iter(found.values()))[0])
            dibao_basis = ((latest.proposal or {}).get("basis") or (latest.decision or {}).get("basis"))
    edge = not covered[ROLES[0]] and _edge_family(ctx, uow, ids, on)
    return HouseholdStatus(dibao=dibao_basis if covered[ROLES[0]] else None,
                           dibao_covered=tuple(covered[ROLES[0]]), tekun_covered=tuple(covered[ROLES[1]]),
                           edge_family=edge)


def _edge_family(ctx, uow, ids: list[str], on: dt.date) -> bool:
    """Whether the latest 低保 computation of a household holding these people, within a year,
    found a 低保边缘 family (policy.md §8)."""
    latest: Case | None = None
    every = roles.ending(ctx.engines, *OUTCOMES, programmes=covering(ROLES[0]))
    for id_number in ids:
        for case in uow.cases.with_id_number(id_number, covered_states=every):
            if case.programme in covering(ROLES[0]) and case.proposal and (latest is None or case.id > latest.id):
                latest = case
    if latest is None:
        return False
    decided = str(latest.proposal.get("decision_date") or "")
    year_ago = (on - dt.timedelta(days=365)).isoformat()  # an edge finding counts for a year
    return decided >= year_ago and "edge_family" in (latest.proposal.get("flags") or [])
