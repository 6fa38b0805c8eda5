"""A roster household against what the office already has: new, the same, changed, or in conflict.

Families are recognised by their members' ID numbers, within one programme: a household of the
file whose people belong to one benefit in force (低保 or 特困, approved or imported, not stopped)
is that family; what differs (members, amount, covered persons, account, village, category) is
listed and offered as a 变更, never written over. People spread over two families in force, or in
an application still being handled, are errors for the clerk to sort out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..domain.privacy import mask_bank_account
from ..importing.records import HouseholdRecord
from .lifecycle import effective_status

STATUS_LABELS = {"new": "新增", "matches": "已有且相同", "changed": "有变化", "error": "有错误", "gone": "名单中已无"}


@dataclass
class Comparison:
    status: str  # new | matches | changed | error
    case: dict[str, Any] | None = None  # the benefit in force it matched
    changes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def in_force(benefit_case: Mapping[str, Any], today: dt.date) -> bool:
    return effective_status(benefit_case.get("benefit"), today) not in (None, "stopped")


def compare(record: HouseholdRecord, village_code: str, people: Mapping[str, Sequence[Mapping[str, Any]]],
            benefits: Mapping[int, Mapping[str, Any]], today: dt.date) -> Comparison:
    parents: dict[int, list[str]] = {}
    pending: set[str] = set()
    for member in record.members:
        for c in people.get(member.id_number, ()):
            if c["programme"] != record.programme:
                continue
            pid = c["parent_case_id"] or c["case_id"]
            found = benefits.get(pid)
            if found is not None and in_force(found, today):
                parents.setdefault(pid, []).append(member.name)
            elif not c["closed"] and c["parent_case_id"] is None and c["kind"] == "application":
                pending.add(f"{member.name}已有办理中的申请 {c['number']}")
    if len(parents) > 1:
        parts = [f"{'、'.join(dict.fromkeys(names))}在 {benefits[pid]['number']}（户主 {_head(benefits[pid])}）"
                 for pid, names in parents.items()]
        return Comparison("error", errors=["本户成员分属两户在保家庭：" + "；".join(parts) + "。同一人不能同时在两户"])
    if not parents:
        if pending:
            return Comparison("error", errors=["；".join(sorted(pending)) + "，请先办结该申请再导入"])
        return Comparison("new")
    case = benefits[next(iter(parents))]
    changes = differences(record, village_code, case)
    return Comparison("changed" if changes else "matches", case, changes)


def _head(case: Mapping[str, Any]) -> str:
    members = case["household"]["members"]
    head = next((m for m in members if m["relation"] == "head"), members[0] if members else None)
    return head["name"] if head else ""


def _money(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except ArithmeticError:
        return None


def differences(record: HouseholdRecord, village_code: str, case: Mapping[str, Any]) -> list[str]:
    """What the file says differently from the family as last determined, in words."""
    household = case["household"]
    benefit = case.get("benefit") or {}
    out: list[str] = []
    stored = {m["id_number"]: m for m in household["members"]}
    listed = {m.id_number: m for m in record.members}
    head = next((m for m in household["members"] if m["relation"] == "head"), None) or (
        household["members"][0] if household["members"] else None)
    if head and record.members and head["id_number"] != record.members[0].id_number:
        out.append(f"户主 {head['name']} → {record.members[0].name}")
    added = [m.name for n, m in listed.items() if n not in stored]
    removed = [m["name"] for n, m in stored.items() if n not in listed]
    if added:
        out.append("增加成员 " + "、".join(added))
    if removed:
        out.append("减少成员 " + "、".join(removed))
    for n, m in listed.items():
        if n in stored and stored[n]["name"] != m.name:
            out.append(f"成员姓名 {stored[n]['name']} → {m.name}")
    amount = _money(benefit.get("monthly_amount"))
    if amount is not None and record.monthly_amount is not None and amount != record.monthly_amount:
        out.append(f"月保障金额 {_text(amount)} → {_text(record.monthly_amount)} 元")
    covered = benefit.get("covered") or []
    count = len(covered) if covered else benefit.get("covered_count")
    if count is not None and record.covered_count is not None and count != record.covered_count:
        out.append(f"保障人口 {count} → {record.covered_count} 人")
    if record.bank_account and household["bank_account"] != record.bank_account:
        out.append(f"银行账号 {mask_bank_account(household['bank_account']) or '（无）'} → "
                   f"{mask_bank_account(record.bank_account)}")
    if record.bank_name and household["bank_name"] and household["bank_name"] != record.bank_name:
        out.append(f"开户银行 {household['bank_name']} → {record.bank_name}")
    if case["village_code"] != village_code:
        out.append("所在村（社区）不同")
    category = benefit.get("category")
    if category and record.category and category != record.category:
        out.append(f"保障类别 {category} → {record.category}")
    return out


def _text(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal(1))}" if amount == amount.to_integral_value() else f"{amount:f}"
