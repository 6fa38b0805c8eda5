"""大排查 campaigns: campaigns with their phases, village assignments, target households, checks and
problems. Plain dicts out; problems are written with optimistic locking on ``version``."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from ..domain.errors import DomainError
from .models import (
    CampaignAssignmentRow,
    CampaignCheckRow,
    CampaignPhaseRow,
    CampaignProblemRow,
    CampaignRow,
    CampaignTargetRow,
    CaseRow,
)


def _row(obj: Any, names: Sequence[str]) -> dict[str, Any]:
    return {n: copy.deepcopy(getattr(obj, n)) for n in names}


CAMPAIGN = ("id", "name", "doc_number", "area_code", "rules", "status", "created_by", "created_at", "version")
TARGET = ("id", "campaign_id", "family_key", "household_id", "case_id", "village_code", "head_name", "members",
          "reasons")
PROBLEM = ("id", "campaign_id", "target_id", "village_code", "kind", "topic", "task", "responsible", "finding",
           "measures", "outcome", "deadline", "state", "fixed_on", "confirmed_by", "case_id", "created_by",
           "created_at", "version")
CHECK = ("target_id", "checked_by", "checked_on", "items", "note", "recorded_by", "recorded_at")


class CampaignRepository:
    def __init__(self, session: Session):
        self._s = session

    # --- campaigns ---
    def add(self, values: dict[str, Any], phases: Sequence[dict[str, Any]]) -> int:
        row = CampaignRow(**values, version=1)
        self._s.add(row)
        self._s.flush()
        for i, p in enumerate(phases):
            self._s.add(CampaignPhaseRow(campaign_id=row.id, position=i, **p))
        self._s.flush()
        return row.id

    def get(self, campaign_id: int) -> dict[str, Any] | None:
        row = self._s.get(CampaignRow, campaign_id)
        if row is None:
            return None
        out = _row(row, CAMPAIGN)
        out["phases"] = [{"name": p.name, "start_on": p.start_on, "end_on": p.end_on} for p in self._s.scalars(
            select(CampaignPhaseRow).where(CampaignPhaseRow.campaign_id == campaign_id)
            .order_by(CampaignPhaseRow.position))]
        return out

    def all(self) -> list[dict[str, Any]]:
        return [_row(r, CAMPAIGN) for r in self._s.scalars(select(CampaignRow).order_by(CampaignRow.id.desc()))]

    def set_status(self, campaign_id: int, status: str) -> None:
        self._s.execute(update(CampaignRow).where(CampaignRow.id == campaign_id)
                        .values(status=status, version=CampaignRow.version + 1))

    # --- assignments ---
    def assign(self, campaign_id: int, village: str, username: str) -> str | None:
        """Set who checks a village; returns who did before (None if nobody)."""
        row = self._s.scalars(select(CampaignAssignmentRow).where(
            CampaignAssignmentRow.campaign_id == campaign_id, CampaignAssignmentRow.village_code == village)).first()
        if row is None:
            self._s.add(CampaignAssignmentRow(campaign_id=campaign_id, village_code=village, username=username))
            self._s.flush()
            return None
        before, row.username = row.username, username
        self._s.flush()
        return before

    def assignments(self, campaign_id: int) -> dict[str, str]:
        return dict(self._s.execute(select(CampaignAssignmentRow.village_code, CampaignAssignmentRow.username)
                                    .where(CampaignAssignmentRow.campaign_id == campaign_id)).all())

    # --- targets and checks ---
    def add_targets(self, campaign_id: int, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self._s.execute(insert(CampaignTargetRow), [{"campaign_id": campaign_id, **r} for r in rows])

    def targets(self, campaign_id: int, village: str | None = None) -> list[dict[str, Any]]:
        """Targets with their check (``check`` None when not checked yet), by village and head."""
        stmt = (select(CampaignTargetRow, CampaignCheckRow)
                .outerjoin(CampaignCheckRow, CampaignCheckRow.target_id == CampaignTargetRow.id)
                .where(CampaignTargetRow.campaign_id == campaign_id))
        if village:
            stmt = stmt.where(CampaignTargetRow.village_code == village)
        out = []
        for target, check in self._s.execute(stmt.order_by(CampaignTargetRow.village_code, CampaignTargetRow.id)):
            row = _row(target, TARGET)
            row["check"] = _row(check, CHECK) if check is not None else None
            out.append(row)
        return out

    def target(self, target_id: int) -> dict[str, Any] | None:
        row = self._s.get(CampaignTargetRow, target_id)
        if row is None:
            return None
        out = _row(row, TARGET)
        check = self._s.scalars(select(CampaignCheckRow).where(CampaignCheckRow.target_id == target_id)).first()
        out["check"] = _row(check, CHECK) if check is not None else None
        return out

    def save_check(self, target_id: int, values: dict[str, Any]) -> None:
        row = self._s.scalars(select(CampaignCheckRow).where(CampaignCheckRow.target_id == target_id)).first()
        if row is None:
            self._s.add(CampaignCheckRow(target_id=target_id, **values))
        else:
            for key, value in values.items():
                setattr(row, key, value)
        self._s.flush()

    # --- problems ---
    def add_problem(self, values: dict[str, Any]) -> int:
        row = CampaignProblemRow(**values, version=1)
        self._s.add(row)
        self._s.flush()
        return row.id

    def problem(self, problem_id: int) -> dict[str, Any] | None:
        row = self._s.get(CampaignProblemRow, problem_id)
        return None if row is None else _row(row, PROBLEM)

    def problems(self, campaign_id: int) -> list[dict[str, Any]]:
        stmt = (select(CampaignProblemRow, CaseRow.number)
                .outerjoin(CaseRow, CaseRow.id == CampaignProblemRow.case_id)
                .where(CampaignProblemRow.campaign_id == campaign_id).order_by(CampaignProblemRow.id))
        return [_row(p, PROBLEM) | {"case_number": number} for p, number in self._s.execute(stmt)]

    def update_problem(self, problem_id: int, expected_version: int, values: dict[str, Any]) -> None:
        """Write ``values`` if the problem is still at ``expected_version`` (else a Chinese refusal)."""
        result = self._s.execute(update(CampaignProblemRow)
                                 .where(CampaignProblemRow.id == problem_id,
                                        CampaignProblemRow.version == expected_version)
                                 .values(**values, version=expected_version + 1)
                                 .execution_options(synchronize_session=False))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise DomainError("该问题已被他人修改，请刷新后重试")
        cached = self._s.identity_map.get(self._s.identity_key(CampaignProblemRow, problem_id))
        if cached is not None:
            self._s.expire(cached)

    # --- progress ---
    def progress(self, campaign_id: int) -> dict[str, dict[str, int]]:
        """Per village: targets, checked, problems open and fixed."""
        out: dict[str, dict[str, int]] = {}

        def slot(village: str) -> dict[str, int]:
            return out.setdefault(village, {"targets": 0, "checked": 0, "open": 0, "fixed": 0})

        stmt = (select(CampaignTargetRow.village_code, func.count(CampaignTargetRow.id),
                       func.count(CampaignCheckRow.id))
                .outerjoin(CampaignCheckRow, CampaignCheckRow.target_id == CampaignTargetRow.id)
                .where(CampaignTargetRow.campaign_id == campaign_id).group_by(CampaignTargetRow.village_code))
        for village, targets, checked in self._s.execute(stmt):
            slot(village).update(targets=targets, checked=checked)
        stmt = (select(CampaignProblemRow.village_code, CampaignProblemRow.state, func.count())
                .where(CampaignProblemRow.campaign_id == campaign_id)
                .group_by(CampaignProblemRow.village_code, CampaignProblemRow.state))
        for village, state, n in self._s.execute(stmt):
            slot(village)["fixed" if state == "fixed" else "open"] += n
        return out

