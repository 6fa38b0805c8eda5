"""What is in force for a household in a month: who its 低保 covers and on which basis, who is
covered by 特困, and whether it is a 低保边缘 family (calc-contract.md ``household.status``).

Programmes that follow another one's status (两项补贴 follows 低保 and 特困, policy.md §10) decide
with it. ``doudi-admin calc`` reads it from the request; the program builds it from the benefits in
force in the database (services/coverage.py), never from what a clerk types.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import InputError
from .money import to_bool, to_int

DIBAO_BASES = {"household": "整户保障", "single_person": "单人户保障"}
# The coverages a status records; a programme's registry entry names which one its persons count in
# (``covers``: 低保 → dibao, 特困 → tekun).
ROLES = ("dibao", "tekun")


@dataclass(frozen=True)
class HouseholdStatus:
    """Indexes refer to the members of the household being decided on."""

    dibao: str | None = None  # household | single_person | None
    dibao_covered: tuple[int, ...] = ()
    tekun_covered: tuple[int, ...] = ()
    edge_family: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"dibao": self.dibao, "dibao_covered": list(self.dibao_covered),
                "tekun_covered": list(self.tekun_covered), "edge_family": self.edge_family}


def parse_status(raw: Any, members: int, prefix: str = "household.status") -> HouseholdStatus:
    """The ``status`` object of a request; a missing one means nothing is in force."""
    if raw is None:
        return HouseholdStatus()
    if not isinstance(raw, Mapping):
        raise InputError(f"{prefix}: 应为对象（dibao、dibao_covered、tekun_covered、edge_family）", prefix)
    unknown = sorted(set(raw) - {"dibao", "dibao_covered", "tekun_covered", "edge_family"})
    if unknown:
        raise InputError(f"{prefix}.{unknown[0]}: 未知的键", f"{prefix}.{unknown[0]}")
    dibao = raw.get("dibao")
    if dibao is not None and dibao not in DIBAO_BASES:
        raise InputError(f"{prefix}.dibao: 只能是 household（整户）、single_person（单人户）或 null，现为 {dibao!r}",
                         f"{prefix}.dibao")
    lists: dict[str, tuple[int, ...]] = {}
    for key in ("dibao_covered", "tekun_covered"):
        items = raw.get(key)
        if items is None:
            items = []
        if not isinstance(items, list):
            raise InputError(f"{prefix}.{key}: 应为成员序号列表", f"{prefix}.{key}")
        indexes: list[int] = []
        for i, item in enumerate(items):
            here = f"{prefix}.{key}[{i}]"
            index = to_int(item, here, low=0)
            if index >= members:
                raise InputError(f"{here}: 成员序号 {index} 超出范围（共 {members} 人，序号从0开始）", here)
            if index not in indexes:
                indexes.append(index)
        lists[key] = tuple(sorted(indexes))
    return HouseholdStatus(dibao=dibao, dibao_covered=lists["dibao_covered"], tekun_covered=lists["tekun_covered"],
                           edge_family=to_bool(raw.get("edge_family"), f"{prefix}.edge_family"))


def describe(status: HouseholdStatus, names: list[str]) -> str:
    """The status in one Chinese sentence, for the record of a decision (names by member index)."""

    def who(indexes: tuple[int, ...]) -> str:
        return "、".join(names[i] for i in indexes if 0 <= i < len(names))

    parts = []
    if status.dibao_covered:
        parts.append(f"低保在保（{DIBAO_BASES.get(status.dibao or '', '')}）：{who(status.dibao_covered)}")
    if status.tekun_covered:
        parts.append(f"特困供养：{who(status.tekun_covered)}")
    if status.edge_family:
        parts.append("低保边缘家庭")
    return "；".join(parts) or "无低保、特困在保记录"
