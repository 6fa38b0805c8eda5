"""Read-only bulk queries behind the 台账 and 一户一册 of a village: cases, their households'
members, their audit events — a constant number of queries for a whole village, plain values out."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import AuditEventRow, CaseRow, HouseholdRow, MemberRow

CASE_COLUMNS = (CaseRow.id, CaseRow.number, CaseRow.programme, CaseRow.kind, CaseRow.state, CaseRow.workflow_id,
                CaseRow.household_id, CaseRow.village_code, CaseRow.applied_on, CaseRow.accepted_on,
                CaseRow.parent_case_id, CaseRow.next_review_on, CaseRow.closed, CaseRow.decision, CaseRow.benefit,
                CaseRow.forms)
CASE_KEYS = ("id", "number", "programme", "kind", "state", "workflow_id", "household_id", "village",
             "applied_on", "accepted_on", "parent_case_id", "next_review_on", "closed", "decision", "benefit",
             "forms")


def _case(row: Any) -> dict[str, Any]:
    out = dict(zip(CASE_KEYS, row, strict=True))
    for key in ("decision", "benefit", "forms"):
        out[key] = copy.deepcopy(out[key])
    return out


class LedgerReader:
    """Cases, members and events of villages or of given cases, in bulk."""

    def __init__(self, session: Session):
        self._s = session

    def cases(self, villages: Sequence[str], *, programme: str | None = None) -> list[dict[str, Any]]:
        """Every case of the villages (``programme`` to limit), in id order."""
        stmt = select(*CASE_COLUMNS).where(CaseRow.village_code.in_(list(villages)))
        if programme:
            stmt = stmt.where(CaseRow.programme == programme)
        return [_case(r) for r in self._s.execute(stmt.order_by(CaseRow.id))]

    def members(self, household_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
        """Members of households by household id, in position order."""
        out: dict[int, list[dict[str, Any]]] = {}
        ids = sorted(set(household_ids))
        for start in range(0, len(ids), 500):  # bounded IN lists
            stmt = (select(MemberRow.household_id, MemberRow.name, MemberRow.id_number, MemberRow.relation,
                           MemberRow.excluded, MemberRow.disability_type, MemberRow.disability_grade,
                           MemberRow.serious_illness, MemberRow.student)
                    .where(MemberRow.household_id.in_(ids[start:start + 500]))
                    .order_by(MemberRow.household_id, MemberRow.position))
            for hid, *values in self._s.execute(stmt):
                out.setdefault(hid, []).append(dict(zip(
                    ("name", "id_number", "relation", "excluded", "disability_type", "disability_grade",
                     "serious_illness", "student"), values, strict=True)))
        return out

    def household_details(self, household_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Address, phone and one-off claim (临时救助: type, amount, cause) of households by id."""
        out: dict[int, dict[str, Any]] = {}
        ids = sorted(set(household_ids))
        for start in range(0, len(ids), 500):
            stmt = (select(HouseholdRow.id, HouseholdRow.address, HouseholdRow.phone, HouseholdRow.temporary)
                    .where(HouseholdRow.id.in_(ids[start:start + 500])))
            for hid, address, phone, temporary in self._s.execute(stmt):
                out[hid] = {"address": address, "phone": phone, "claim": copy.deepcopy(temporary)}
        return out

    def events(self, case_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
        """Audit events of cases by case id, in order."""
        out: dict[int, list[dict[str, Any]]] = {}
        ids = sorted(set(case_ids))
        for start in range(0, len(ids), 500):
            stmt = (select(AuditEventRow.case_id, AuditEventRow.seq, AuditEventRow.actor, AuditEventRow.trigger,
                           AuditEventRow.from_state, AuditEventRow.to_state, AuditEventRow.effective_date,
                           AuditEventRow.recorded_at, AuditEventRow.comment, AuditEventRow.data)
                    .where(AuditEventRow.case_id.in_(ids[start:start + 500]))
                    .order_by(AuditEventRow.case_id, AuditEventRow.seq))
            for cid, *values in self._s.execute(stmt):
                row = dict(zip(("seq", "actor", "trigger", "from_state", "to_state", "effective_date",
                                "recorded_at", "comment", "data"), values, strict=True))
                row["forms"] = sorted(k for k in (row.pop("data") or {}) if k != "household")
                out.setdefault(cid, []).append(row)
        return out
