"""The cases of a village paid now, for its lists (长期公布名单, 花名册): read in a constant number
of queries whatever the village's size — the approved cases, the household each was last determined
with (its latest decided 复核 or 变更), never a query per case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..domain.model import Case
from .lifecycle import effective_status


@dataclass(frozen=True)
class PaidCase:
    """An approved case still paid on a date, with what is paid now (after a 复核 or 变更 these
    differ from the first decision) and the household as last determined."""

    case: Case
    household_id: int
    monthly_amount: Any
    covered: list[int]  # indexes into that household's members
    start_month: str


def paid_cases(uow, village_code: str, programme: str, on: dt.date,
               approved: dict[str, list[str]]) -> list[PaidCase]:
    """Approved cases of a village still paid on ``on`` (a stopped benefit is left out), in id order.
    ``approved``: the approved states of the workflows (services/roles.py). Two queries."""
    found = [c for c in uow.cases.query(workflow_states=approved, village_code=village_code, programme=programme)
             if not (c.benefit and effective_status(c.benefit, on) == "stopped")]
    latest = uow.benefits.latest_determinations([c.id for c in found]) if found else {}
    out = []
    for case in found:
        d, b = case.decision or {}, case.benefit or {}
        out.append(PaidCase(case=case, household_id=latest[case.id][0] if case.id in latest else case.household_id,
                            monthly_amount=b.get("monthly_amount") or d.get("monthly_amount"),
                            covered=b.get("covered", d.get("covered")) or [],
                            start_month=d.get("start_month") or ""))
    return out
