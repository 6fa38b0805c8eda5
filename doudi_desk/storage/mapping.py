"""Domain objects to column values, shared by the repositories and the bulk import."""

from __future__ import annotations

from typing import Any

from ..domain.model import Assets, Member
from .initials import name_initials

# Member facts of 残疾人两项补贴 (policy.md §10), stored as columns of the same name (migration 0014).
MEMBER_ALLOWANCE_FIELDS = ("disability_certificate", "certificate_number", "long_term_care", "orphan_support",
                           "work_injury_care")


def assets_json(assets: Assets) -> dict[str, Any]:
    return {
        "financial": str(assets.financial),
        "vehicles": [
            {"disability_vehicle": v.disability_vehicle, "note": v.note} for v in assets.vehicles
        ],
        "homes": assets.homes,
        "commercial_property": assets.commercial_property,
    }


def member_values(position: int, m: Member) -> dict[str, Any]:
    """The ``members`` columns of a member (household_id apart)."""
    return {
        "position": position,
        "name": m.name,
        "name_initials": name_initials(m.name),
        "id_number": m.id_number,
        "relation": m.relation,
        "excluded": m.excluded,
        "disability_type": None if m.disability is None else m.disability.type,
        "disability_grade": None if m.disability is None else m.disability.grade,
        "serious_illness": m.serious_illness,
        "applicant": m.applicant,
        "adl_unable": m.adl_unable,
        "work_capacity": m.work_capacity,
        "student": m.student,
        "staff_relative": m.staff_relative,
        **{key: getattr(m, key) for key in MEMBER_ALLOWANCE_FIELDS},
    }
