"""Read-only bulk queries behind the 统计月报 and the ledgers: a constant number of queries per
report, whatever the number of villages, each returning plain tuples (never ORM rows).

Only the JSON fields a report needs are extracted in SQL (``decision ->> 'start_month'``), and
every value comes back as text (dates as ``YYYY-MM-DD``, lists as JSON text), so a county's 150,000
cases are neither parsed whole nor run through per-row type conversion; the services parse what
they use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, String, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from .listing import in_states
from .models import AuditEventRow, CaseRow, HouseholdRow, MemberRow

# ``approved`` and ``decided`` filters are ``{workflow_id: [state, …]}``: the services build them from the
# workflows' outcomes (services/roles.py) for the programmes a table counts (domain/programmes.py).
WorkflowStates = dict[str, list[str]]


def _text(column: Any, *path: str) -> Any:
    return (column[path[0]] if len(path) == 1 else column[path]).as_string()


def _str(column: Any) -> Any:
    """A date or other column as plain text (no per-row conversion)."""
    return cast(column, String)


class StatisticsReader:
    """Plain rows for the monthly statistics of a set of villages."""

    def __init__(self, session: Session):
        self._s = session

    def _rows(self, stmt: Any) -> Any:
        # Through the session's Core connection: plain column rows need none of the ORM's loading.
        return self._s.connection().execute(stmt)

    def benefit_cases(self, villages: Sequence[str], approved: WorkflowStates) -> list[tuple]:
        """Approved applications (of the workflows in ``approved``): ``(id, village, programme,
        household_id, decided_on, start_month, monthly_amount, covered, basis, care_level, supply_mode)``."""
        d = CaseRow.decision
        stmt = (select(CaseRow.id, CaseRow.village_code, CaseRow.programme, CaseRow.household_id,
                       _text(d, "decided_on"), _text(d, "start_month"), _text(d, "monthly_amount"),
                       _text(d, "covered"), _text(d, "basis"), _text(d, "care_level"),
                       _text(d, "supply_mode"))
                .where(CaseRow.village_code.in_(list(villages)), CaseRow.kind == "application",
                       in_states(approved)))
        return list(self._rows(stmt).all())

    def benefit_records(self, villages: Sequence[str], approved: WorkflowStates) -> list[tuple]:
        """Approved applications with their benefit record as JSON text: ``(id, village, programme,
        benefit)`` — for benefits whose every change is in the record (parts stopped by a link)."""
        stmt = (select(CaseRow.id, CaseRow.village_code, CaseRow.programme, cast(CaseRow.benefit, String))
                .where(CaseRow.village_code.in_(list(villages)), CaseRow.kind == "application",
                       in_states(approved), CaseRow.benefit.is_not(None)))
        return list(self._rows(stmt).all())

    def benefit_steps(self, villages: Sequence[str], decided: WorkflowStates) -> list[tuple]:
        """Decided 复核/变更/停保 cases (of the workflows in ``decided``): ``(parent_id, id, household_id,
        result, effective_month, decided_on, monthly_amount, covered, phase_out_until, basis, care_level)``."""
        d, p = CaseRow.decision, CaseRow.proposal
        stmt = (select(CaseRow.parent_case_id, CaseRow.id, CaseRow.household_id, _text(d, "result"),
                       _text(d, "effective_month"), _text(d, "decided_on"), _text(d, "monthly_amount"),
                       _text(d, "covered"), _text(d, "phase_out_until"), _text(p, "basis"),
                       _text(p, "tekun_care_level"))
                .where(CaseRow.village_code.in_(list(villages)), CaseRow.parent_case_id.is_not(None),
                       in_states(decided)))
        return list(self._rows(stmt).all())

    def people(self, villages: Sequence[str], cases: WorkflowStates) -> list[tuple]:
        """Members of the households the benefit decisions rest on: ``(household_id, born, disabled,
        serious_illness)`` in position order; ``born`` is YYYYMMDD read off the ID number (validated
        on entry: 18 characters, the birth date in digits 7–14)."""
        households = (select(CaseRow.household_id)
                      .where(CaseRow.village_code.in_(list(villages)), in_states(cases)))
        stmt = (select(MemberRow.household_id, cast(func.substr(MemberRow.id_number, 7, 8), Integer),
                       MemberRow.disability_type.is_not(None), MemberRow.serious_illness)
                .where(MemberRow.household_id.in_(households))
                .order_by(MemberRow.household_id, MemberRow.position))
        return list(self._rows(stmt).all())

    def temporary_cases(self, villages: Sequence[str], programmes: Sequence[str]) -> list[tuple]:
        """Cases of one-off programmes (临时救助): ``(id, village, workflow_id, state, type, decided_on,
        amount, approval_level, first_aid_paid_on, first_aid_amount)``."""
        d, f = CaseRow.decision, CaseRow.forms
        stmt = (select(CaseRow.id, CaseRow.village_code, CaseRow.workflow_id, CaseRow.state,
                       _text(HouseholdRow.temporary, "type"),
                       _text(d, "decided_on"), _text(d, "amount"), _text(d, "approval_level"),
                       _text(f, "first_aid", "paid_on"), _text(f, "first_aid", "amount"))
                .join(HouseholdRow, HouseholdRow.id == CaseRow.household_id)
                .where(CaseRow.village_code.in_(list(villages)), CaseRow.programme.in_(list(programmes))))
        return list(self._rows(stmt).all())

    def case_dates(self, villages: Sequence[str], first: dt.date, last: dt.date) -> list[tuple]:
        """Cases that count in the process figures of the month ``first``–``last``: applied in it,
        decided in it, or past their deadline and not decided before it began. ``(id, village, kind,
        applied_on, accepted_on, total_deadline, state, decided_on, result)``, dates as text."""
        d = CaseRow.decision
        decided = _text(d, "decided_on")
        start, end = first.isoformat(), last.isoformat()
        stmt = (select(CaseRow.id, CaseRow.village_code, CaseRow.kind, _str(CaseRow.applied_on),
                       _str(CaseRow.accepted_on), _str(CaseRow.total_deadline), CaseRow.state, decided,
                       _text(d, "result"))
                .where(CaseRow.village_code.in_(list(villages)), CaseRow.applied_on <= last,
                       or_(CaseRow.applied_on >= first,
                           and_(decided >= start, decided <= end),
                           and_(CaseRow.total_deadline < last, CaseRow.accepted_on <= last,
                                or_(decided.is_(None), decided >= start)))))
        return list(self._rows(stmt).all())

    def event_counts(self, villages: Sequence[str], triggers: Sequence[str], first: dt.date,
                     last: dt.date) -> dict[str, int]:
        """How many events with one of ``triggers`` took effect between two dates, by village."""
        stmt = (select(CaseRow.village_code, func.count())
                .select_from(AuditEventRow).join(CaseRow, CaseRow.id == AuditEventRow.case_id)
                .where(AuditEventRow.trigger.in_(list(triggers)), AuditEventRow.effective_date >= first,
                       AuditEventRow.effective_date <= last, CaseRow.village_code.in_(list(villages)))
                .group_by(CaseRow.village_code))
        return {village: int(n) for village, n in self._rows(stmt)}
