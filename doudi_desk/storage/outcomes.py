"""How storage tells how a case ended without naming its workflow's states: from its decision.

An office may rename any state in its workflow YAML (domain/specs.py state roles), so bulk queries
never compare ``cases.state`` with a name. A case that ended approved carries the decision
``result: approved`` (an application approved, a benefit brought in from a roster); a decided 复核
or 变更 carries the result it wrote to the benefit (增发 … 停发). Services that have the loaded
workflows filter by their states instead (services/roles.py, ``listing.in_states``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_

# The results a decided 复核/变更 writes to the benefit (services/lifecycle.py RESULTS).
REVIEW_RESULTS = ("raise", "lower", "keep", "phase_out", "stop")
APPROVED = "approved"


def result(case: Any) -> Any:
    """The decision's result of a case (a CaseRow or an alias of it) as text, NULL when undecided."""
    return case.decision["result"].as_string()


def approved(case: Any) -> Any:
    """Closed with an approving decision."""
    return and_(case.closed.is_(True), result(case) == APPROVED)


def decided_review(case: Any) -> Any:
    """A 复核 or 变更 whose decision was written to its benefit (the household as last determined)."""
    return and_(case.kind.in_(("review", "change")), case.closed.is_(True), result(case).in_(REVIEW_RESULTS))
