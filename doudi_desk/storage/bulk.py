"""Bulk reads and writes of an import: who is already in force, and many families written at once.

An import of 20,000 households cannot afford the ORM's unit of work per row (platform-notes.md:
144 s against 14 s for Core executemany), nor one query per family: lookups go by chunks of ID
numbers or villages, inserts are multi-row INSERTs that return the new ids in order.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from ..domain.model import Household
from .mapping import assets_json, member_values
from .models import CaseRow, HouseholdRow, ImportBatchRow, MemberRow, json_normalized
from .outcomes import approved, decided_review

CHUNK = 900  # values per IN (...) list: well under SQLite's and PostgreSQL's parameter limits
BENEFIT_KINDS = ("application", "import")


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for i in range(0, len(values), size):
        yield list(values[i:i + size])


class ImportRepository:
    """Lookups and bulk writes for :mod:`doudi_desk.services.importing`."""

    def __init__(self, session: Session):
        self._s = session

    # --- batches ---
    def batches(self, digest: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        stmt = select(ImportBatchRow).order_by(ImportBatchRow.id.desc()).limit(limit)
        if digest is not None:
            stmt = stmt.where(ImportBatchRow.digest == digest)
        return [{"id": r.id, "digest": r.digest, "file_name": r.file_name, "profile": r.profile, "actor": r.actor,
                 "imported_at": r.imported_at, "counts": copy.deepcopy(r.counts)} for r in self._s.scalars(stmt)]

    def add_batch(self, digest: str, file_name: str, profile: str, actor: str, imported_at: dt.datetime,
                  counts: dict[str, Any]) -> int:
        row = ImportBatchRow(digest=digest, file_name=file_name[:255], profile=profile, actor=actor,
                             imported_at=imported_at, counts=json_normalized(counts))
        self._s.add(row)
        self._s.flush()
        return row.id

    # --- who is there ---
    def cases_of_people(self, id_numbers: Sequence[str]) -> list[dict[str, Any]]:
        """Open cases, and approved 低保/特困 cases, of households holding these ID numbers; a
        review/change/termination case is given with its parent (``parent_case_id``)."""
        out = []
        numbers = sorted(set(id_numbers))
        for chunk in _chunks(numbers):
            stmt = (select(MemberRow.id_number, CaseRow.id, CaseRow.parent_case_id, CaseRow.kind, CaseRow.state,
                           CaseRow.closed, CaseRow.programme, CaseRow.number)
                    .join(CaseRow, CaseRow.household_id == MemberRow.household_id)
                    .where(MemberRow.id_number.in_(chunk)))
            for r in self._s.execute(stmt):
                out.append({"id_number": r[0], "case_id": r[1], "parent_case_id": r[2], "kind": r[3],
                            "state": r[4], "closed": r[5], "programme": r[6], "number": r[7]})
        return out

    def benefit_cases(self, *, case_ids: Sequence[int] = (), villages: Sequence[str] = (),
                      programmes: Sequence[str] = (), exclude: Iterable[int] = (),
                      with_decision: bool = False) -> list[dict[str, Any]]:
        """Approved 低保/特困 cases (application or import) by id or by village (less ``exclude``), each
        with the household as last determined (after a decided 复核/变更) and whether a case on it is
        open; ``decision`` only when asked for (it is the largest column)."""
        wanted: set[int] = set(case_ids)
        condition: tuple[Any, ...] = (approved(CaseRow), CaseRow.kind.in_(BENEFIT_KINDS))
        if programmes:  # none given: every programme's
            condition += (CaseRow.programme.in_(list(programmes)),)
        for chunk in _chunks(sorted(set(villages))):
            wanted.update(self._s.scalars(select(CaseRow.id).where(*condition, CaseRow.village_code.in_(chunk))))
        wanted -= set(exclude)
        rows: dict[int, Any] = {}
        columns = [CaseRow.id, CaseRow.number, CaseRow.programme, CaseRow.kind, CaseRow.village_code,
                   CaseRow.household_id, CaseRow.benefit, CaseRow.next_review_on]
        if with_decision:
            columns.append(CaseRow.decision)
        for chunk in _chunks(sorted(wanted)):
            for r in self._s.execute(select(*columns).where(*condition, CaseRow.id.in_(chunk))):
                rows[r.id] = r
        if not rows:
            return []
        parents = sorted(rows)
        latest: dict[int, int] = {}  # parent -> household of its latest decided review/change
        open_child: dict[int, str] = {}
        for chunk in _chunks(parents):
            stmt = (select(CaseRow.parent_case_id, CaseRow.id, CaseRow.household_id, decided_review(CaseRow),
                           CaseRow.closed, CaseRow.number)
                    .where(CaseRow.parent_case_id.in_(chunk)).order_by(CaseRow.id))
            for parent, _cid, household_id, decided, closed, number in self._s.execute(stmt):
                if decided:
                    latest[parent] = household_id
                if not closed:
                    open_child.setdefault(parent, number)
        household_ids = {cid: latest.get(cid, r.household_id) for cid, r in rows.items()}
        households = self.households(sorted(set(household_ids.values())))
        out = []
        for cid in parents:
            r = rows[cid]
            # JSON columns are decoded afresh for each row read: nobody else holds these dicts
            out.append({"id": r.id, "number": r.number, "programme": r.programme, "kind": r.kind,
                        "village_code": r.village_code, "benefit": r.benefit,
                        "decision": r.decision if with_decision else None, "next_review_on": r.next_review_on,
                        "household": households[household_ids[cid]], "open_case": open_child.get(cid)})
        return out

    def households(self, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Households by id as plain dicts with their members in order (two queries per chunk)."""
        out: dict[int, dict[str, Any]] = {}
        for chunk in _chunks(list(ids)):
            stmt = select(HouseholdRow.id, HouseholdRow.village_code, HouseholdRow.address, HouseholdRow.phone,
                          HouseholdRow.bank_name, HouseholdRow.bank_account).where(HouseholdRow.id.in_(chunk))
            for r in self._s.execute(stmt):
                out[r.id] = {"id": r.id, "village_code": r.village_code, "address": r.address, "phone": r.phone,
                             "bank_name": r.bank_name, "bank_account": r.bank_account, "members": []}
            stmt = (select(MemberRow.household_id, MemberRow.name, MemberRow.id_number, MemberRow.relation,
                           MemberRow.disability_type, MemberRow.disability_grade, MemberRow.serious_illness)
                    .where(MemberRow.household_id.in_(chunk)).order_by(MemberRow.household_id, MemberRow.position))
            for r in self._s.execute(stmt):
                out[r[0]]["members"].append({"name": r[1], "id_number": r[2], "relation": r[3],
                                             "disability_type": r[4], "disability_grade": r[5],
                                             "serious_illness": r[6]})
        return out

    # --- writing ---
    def add_households(self, households: Sequence[Household], created_at: dt.datetime) -> list[int]:
        """Insert households and their members with multi-row INSERTs; the new ids in order."""
        if not households:
            return []
        values = [{"village_code": h.village_code, "address": h.address, "phone": h.phone,
                   "bank_name": h.bank_name, "bank_account": h.bank_account,
                   "no_able_supporter": h.no_able_supporter, "assets": assets_json(h.assets),
                   "temporary": None, "created_at": created_at} for h in households]
        # Core inserts on the tables (not the ORM classes): no per-row ORM bookkeeping
        table = HouseholdRow.__table__
        ids = list(self._s.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), values))
        members = [{"household_id": hid, **member_values(i, m)}
                   for hid, h in zip(ids, households, strict=True) for i, m in enumerate(h.members)]
        if members:
            self._s.execute(insert(MemberRow.__table__), members)
        for hid, h in zip(ids, households, strict=True):
            h.id = hid
        return ids

    def next_serial(self, prefix: str) -> int:
        """The next free serial after ``prefix`` (e.g. "2026-DBDR-") among case numbers."""
        last = self._s.scalar(select(func.max(CaseRow.number)).where(CaseRow.number >= prefix,
                                                                     CaseRow.number < prefix + "\uffff"))
        return int(last[len(prefix):]) + 1 if last else 1

    def add_cases(self, cases: Sequence[dict[str, Any]]) -> list[int]:
        """Insert cases given as column values (version 1); their ids in order. The JSON columns must
        hold JSON values already (str, int, bool, None, lists, dicts with str keys; money as strings):
        an import builds them so, and a JSON round trip per case would double the cost."""
        if not cases:
            return []
        values = [{**c, "forms": c.get("forms") or {}, "version": 1} for c in cases]
        table = CaseRow.__table__
        return list(self._s.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), values))
