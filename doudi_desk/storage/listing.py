"""Read-only queries for the window's lists: case ids by filter and sort, rows for a page of ids,
people already in cases (duplicate check), policy sets. Plain values out, never ORM rows.

Searches are written so that SQLite can use an index (platform-notes.md): a name prefix is a
range ``name >= '王伟' AND name < '王伟' || U+10FFFF``, never ``LIKE '王伟%'``.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from .models import AreaRow, AuditEventRow, CaseRow, MemberRow, PolicySetRow

_TOP = "\U0010ffff"
_ID_LIKE = re.compile(r"^[0-9]{4,17}[0-9Xx]?$")
_NUMBER_LIKE = re.compile(r"^\d{4}-[A-Za-z]{2}-?\d*$")
_INITIALS = re.compile(r"^[A-Za-z]{1,32}$")


def _prefix(column: Any, text: str) -> Any:
    return and_(column >= text, column < text + _TOP)


class CaseListRepository:
    """Queries behind the case list, the supervisor queue and the duplicate check."""

    def __init__(self, session: Session):
        self._s = session

    # --- ids -----------------------------------------------------------------------------
    def _head_name(self) -> Any:
        return (
            select(MemberRow.name)
            .where(MemberRow.household_id == CaseRow.household_id)
            .order_by((MemberRow.relation != "head"), MemberRow.position)
            .limit(1)
            .scalar_subquery()
        )

    def _filtered(
        self,
        stmt: Any,
        *,
        villages: Sequence[str] | None = None,
        states: Sequence[str] | None = None,
        programme: str | None = None,
        village: str | None = None,
        open_only: bool = False,
        deadline_before: dt.date | None = None,
        search: str = "",
    ) -> Any:
        if villages is not None:
            stmt = stmt.where(CaseRow.village_code.in_(list(villages)))
        if states is not None:
            stmt = stmt.where(CaseRow.state.in_(list(states)))
        if programme:
            stmt = stmt.where(CaseRow.programme == programme)
        if village:
            stmt = stmt.where(CaseRow.village_code == village)
        if open_only:
            stmt = stmt.where(CaseRow.closed.is_(False))
        if deadline_before is not None:
            stmt = stmt.where(
                CaseRow.closed.is_(False),
                or_(CaseRow.state_deadline < deadline_before, CaseRow.total_deadline < deadline_before),
            )
        text = (search or "").strip()
        if text:
            stmt = stmt.where(self._search(text))
        return stmt

    def _search(self, text: str) -> Any:
        """A case matches when its number starts with the text, or any member of its household
        has an ID number, a name, or name initials starting with it."""
        if _NUMBER_LIKE.match(text):
            return _prefix(CaseRow.number, text.upper())
        if _ID_LIKE.match(text):
            people = select(MemberRow.household_id).where(_prefix(MemberRow.id_number, text.upper()))
            return or_(CaseRow.household_id.in_(people), _prefix(CaseRow.number, text))
        if _INITIALS.match(text):
            people = select(MemberRow.household_id).where(_prefix(MemberRow.name_initials, text.lower()))
            return CaseRow.household_id.in_(people)
        people = select(MemberRow.household_id).where(_prefix(MemberRow.name, text))
        return CaseRow.household_id.in_(people)

    def ids(
        self,
        *,
        sort: str = "number",
        descending: bool = False,
        state_order: Sequence[str] = (),
        **filters: Any,
    ) -> list[int]:
        """Ids of the cases matching every filter, in the order asked for (id breaks ties)."""
        keys = {
            "number": CaseRow.number,
            "head": self._head_name(),
            "village": CaseRow.village_code,
            "programme": CaseRow.programme,
            "applied_on": CaseRow.applied_on,
            # The nearer of the step's and the whole procedure's deadline; closed cases have none.
            "deadline": case(
                (CaseRow.closed.is_(True), None),
                (CaseRow.state_deadline.is_(None), CaseRow.total_deadline),
                (CaseRow.total_deadline.is_(None), CaseRow.state_deadline),
                (CaseRow.state_deadline < CaseRow.total_deadline, CaseRow.state_deadline),
                else_=CaseRow.total_deadline,
            ),
        }
        if sort == "state":
            key: Any = case({name: i for i, name in enumerate(state_order)}, value=CaseRow.state, else_=len(state_order))
        else:
            key = keys.get(sort, CaseRow.number)
        # Cases without a deadline go last whichever way the list is sorted.
        order: list[Any] = []
        if sort == "deadline":
            order.append(key.is_(None))
        order.append(key.desc() if descending else key.asc())
        order.append(CaseRow.id.desc() if descending else CaseRow.id.asc())
        stmt = self._filtered(select(CaseRow.id), **filters).order_by(*order)
        return list(self._s.scalars(stmt))

    def count(self, **filters: Any) -> int:
        stmt = self._filtered(select(func.count(CaseRow.id)), **filters)
        return int(self._s.scalar(stmt) or 0)

    # --- rows ----------------------------------------------------------------------------
    def rows(self, ids: Sequence[int]) -> list[dict[str, Any]]:
        """One plain dict per case id given (same order; missing ids are left out)."""
        ids = list(ids)
        if not ids:
            return []
        cases = {r.id: r for r in self._s.scalars(select(CaseRow).where(CaseRow.id.in_(ids)))}
        households = {c.household_id for c in cases.values()}
        members: dict[int, list[MemberRow]] = {}
        for m in self._s.scalars(
            select(MemberRow).where(MemberRow.household_id.in_(households)).order_by(MemberRow.position)
        ):
            members.setdefault(m.household_id, []).append(m)
        villages = {c.village_code for c in cases.values()}
        names = dict(self._s.execute(select(AreaRow.code, AreaRow.name).where(AreaRow.code.in_(villages))).all())
        objections = set(
            self._s.scalars(
                select(AuditEventRow.case_id)
                .where(AuditEventRow.case_id.in_(ids), AuditEventRow.trigger == "record_objection")
                .distinct()
            )
        )
        out = []
        for cid in ids:
            c = cases.get(cid)
            if c is None:
                continue
            people = members.get(c.household_id, [])
            head = next((m for m in people if m.relation == "head"), people[0] if people else None)
            proposal = c.proposal or {}
            out.append({
                "id": c.id,
                "number": c.number,
                "programme": c.programme,
                "workflow_id": c.workflow_id,
                "state": c.state,
                "version": c.version,
                "closed": c.closed,
                "village": c.village_code,
                "village_name": names.get(c.village_code, c.village_code),
                "head": head.name if head else "",
                "head_id_number": head.id_number if head else "",
                "members": len(people),
                "applied_on": c.applied_on,
                "state_deadline": c.state_deadline,
                "total_deadline": c.total_deadline,
                "county_delegated": c.county_delegated,
                "staff_relative": c.staff_relative,
                "objection": c.id in objections,
                "eligible": proposal.get("eligible"),
                "proposed_amount": proposal.get("amount") if c.programme == "temporary" else proposal.get("monthly_amount"),
                "decided_amount": (c.decision or {}).get("monthly_amount"),
                "result": (c.decision or {}).get("result"),
                "forms": copy.deepcopy(c.forms or {}),
            })
        return out

    # --- duplicate check -------------------------------------------------------------------
    def people_in_cases(self, id_numbers: Sequence[str], *, exclude_case: int | None = None) -> list[dict[str, Any]]:
        """Members with these ID numbers in cases that are open or ended in approval (在保)."""
        if not id_numbers:
            return []
        stmt = (
            select(MemberRow.id_number, MemberRow.name, CaseRow.id, CaseRow.number, CaseRow.state,
                   CaseRow.closed, CaseRow.programme, CaseRow.village_code)
            .join(CaseRow, CaseRow.household_id == MemberRow.household_id)
            .where(MemberRow.id_number.in_(list(id_numbers)),
                   or_(CaseRow.closed.is_(False), CaseRow.state == "approved"))
            .order_by(CaseRow.id)
        )
        if exclude_case is not None:
            stmt = stmt.where(CaseRow.id != exclude_case)
        return [
            {"id_number": r[0], "name": r[1], "case_id": r[2], "number": r[3], "state": r[4], "closed": r[5],
             "programme": r[6], "village": r[7]}
            for r in self._s.execute(stmt)
        ]

    # --- settings lists --------------------------------------------------------------------
    def policy_sets(self) -> list[dict[str, Any]]:
        rows = self._s.scalars(select(PolicySetRow).order_by(PolicySetRow.area_code, PolicySetRow.effective_from))
        return [
            {"id": r.id, "area": r.area_code, "effective_from": r.effective_from, "note": r.note,
             "created_by": r.created_by, "created_at": r.created_at, "params": copy.deepcopy(r.params)}
            for r in rows
        ]
