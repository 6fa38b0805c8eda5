"""The household JSON shape of calc-contract.md, parsed into domain objects and written back.

The same shape is used by ``doudi-admin calc``, ``doudi-admin case new --household`` and the
window's application form, so one parser checks them all: every text through
:func:`~doudi_desk.domain.text.clean_text`, every member's name through
:func:`~doudi_desk.domain.text.person_name`, every ID number through
:func:`~doudi_desk.domain.ids.validate_id` (normalised), every amount through
:func:`~doudi_desk.domain.money.to_amount` (two decimals, at most 10 million yuan), every count
bounded, every choice checked as a string before it is looked up.
"""

from __future__ import annotations

from typing import Any

from . import ids
from .errors import InputError
from .model import (
    DISABILITY_TYPES,
    EXCLUSIONS,
    EXPENSE_KINDS,
    INCOME_TYPES,
    RELATIONS,
    Assets,
    Disability,
    Household,
    IncomeItem,
    Member,
    RigidExpense,
    TemporaryClaim,
    Vehicle,
)
from .money import fmt, to_amount, to_bool, to_int
from .text import clean_text, person_name, shown

TEMPORARY_TYPES = {"urgent": "急难型", "expenditure": "支出型"}
MAX_MEMBERS = 30
MAX_ITEMS = 200  # income items, rigid expenses, vehicles
MAX_HOMES = 50


def _obj(raw: Any, field: str) -> dict:
    if not isinstance(raw, dict):
        raise InputError(f"{field}: 应为对象（键值表）", field)
    return raw


def _list(raw: Any, field: str, limit: int = MAX_ITEMS) -> list:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise InputError(f"{field}: 应为列表", field)
    if len(raw) > limit:
        raise InputError(f"{field}: 最多 {limit} 项（现为 {len(raw)} 项）", field)
    return raw


def _text(raw: Any, field: str, *, required: bool = True, max_len: int | None = None) -> str:
    return clean_text(raw, field, required=required, max_len=max_len)


def _choice(raw: Any, allowed: dict[str, str], field: str) -> str:
    """One of ``allowed``'s keys; anything else (an object, a list, a number) is refused by name."""
    if not isinstance(raw, str) or raw not in allowed:
        options = "、".join(f"{k}（{v}）" for k, v in allowed.items())
        raise InputError(f"{field}: 不能是 {shown(raw)}，可选：{options}", field)
    return raw


def parse_member(raw: Any, field: str) -> Member:
    m = _obj(raw, field)
    if m.get("name") is None or (isinstance(m.get("name"), str) and not m["name"].strip()):
        raise InputError(f"{field}.name: 姓名：缺少此项", f"{field}.name")
    name = person_name(m.get("name"), f"{field}.name")
    if "id_number" not in m:
        raise InputError(f"{field}.id_number: 缺少身份证号码", f"{field}.id_number")
    if not isinstance(m["id_number"], str):
        raise InputError(f"{field}.id_number: 身份证号码应写成文字（加引号），现为 {shown(m['id_number'])}",
                         f"{field}.id_number")
    id_number = ids.validate_id(m["id_number"], f"{field}.id_number")
    relation = _choice(m.get("relation", "other"), RELATIONS, f"{field}.relation")
    excluded = m.get("excluded")
    if excluded is not None:
        excluded = _choice(excluded, EXCLUSIONS, f"{field}.excluded")
    disability = None
    if m.get("disability") is not None:
        d = _obj(m["disability"], f"{field}.disability")
        dtype = _choice(d.get("type"), DISABILITY_TYPES, f"{field}.disability.type")
        if "grade" not in d:
            raise InputError(f"{field}.disability.grade: 缺少残疾等级", f"{field}.disability.grade")
        grade = to_int(d["grade"], f"{field}.disability.grade", low=1, high=4)
        disability = Disability(dtype, grade)
    return Member(
        name=name,
        id_number=id_number,
        relation=relation,
        excluded=excluded,
        disability=disability,
        serious_illness=to_bool(m.get("serious_illness"), f"{field}.serious_illness"),
        applicant=to_bool(m.get("applicant"), f"{field}.applicant"),
        adl_unable=to_int(m.get("adl_unable", 0) or 0, f"{field}.adl_unable", low=0, high=6),
        work_capacity=_text(m.get("work_capacity"), f"{field}.work_capacity", required=False, max_len=16) or None,
        student=to_bool(m.get("student"), f"{field}.student"),
        staff_relative=to_bool(m.get("staff_relative"), f"{field}.staff_relative"),
    )


def _member_ref(raw: Any, count: int, field: str) -> int | None:
    if raw is None:
        return None
    index = to_int(raw, field, low=0)
    if index >= count:
        raise InputError(f"{field}: 成员序号 {index} 超出范围（共 {count} 人，序号从0开始）", field)
    return index


def parse_household(raw: Any, prefix: str = "household", *, need_temporary: bool = False) -> Household:
    """Parse and check a household; the first problem raises InputError naming its field."""
    h = _obj(raw, prefix)
    raw_members = _list(h.get("members"), f"{prefix}.members", MAX_MEMBERS)
    if not raw_members:
        raise InputError(f"{prefix}.members: 家庭至少要有一名成员", f"{prefix}.members")
    members = [parse_member(m, f"{prefix}.members[{i}]") for i, m in enumerate(raw_members)]
    seen: dict[str, int] = {}
    for i, m in enumerate(members):
        if m.id_number in seen:
            raise InputError(
                f"{prefix}.members[{i}].id_number: 与第{seen[m.id_number]}号成员的身份证号码重复",
                f"{prefix}.members[{i}].id_number",
            )
        seen[m.id_number] = i
    if all(m.excluded for m in members):
        raise InputError(f"{prefix}.members: 除去不计入的人员后，家庭没有共同生活的成员", f"{prefix}.members")
    n = len(members)
    income = []
    for i, item in enumerate(_list(h.get("income"), f"{prefix}.income")):
        here = f"{prefix}.income[{i}]"
        item = _obj(item, here)
        if "amount" not in item:
            raise InputError(f"{here}.amount: 缺少金额", f"{here}.amount")
        income.append(
            IncomeItem(
                type=_choice(item.get("type"), INCOME_TYPES, f"{here}.type"),
                amount=to_amount(item["amount"], f"{here}.amount"),
                member=_member_ref(item.get("member"), n, f"{here}.member"),
                note=_text(item.get("note"), f"{here}.note", required=False),
            )
        )
    rigid = []
    for i, item in enumerate(_list(h.get("rigid_expenses"), f"{prefix}.rigid_expenses")):
        here = f"{prefix}.rigid_expenses[{i}]"
        item = _obj(item, here)
        if "amount" not in item:
            raise InputError(f"{here}.amount: 缺少金额", f"{here}.amount")
        rigid.append(
            RigidExpense(
                kind=_choice(item.get("kind", "other"), EXPENSE_KINDS, f"{here}.kind"),
                amount=to_amount(item["amount"], f"{here}.amount"),
                member=_member_ref(item.get("member"), n, f"{here}.member"),
                note=_text(item.get("note"), f"{here}.note", required=False),
            )
        )
    a = _obj(h.get("assets") or {}, f"{prefix}.assets")
    vehicles = []
    for i, v in enumerate(_list(a.get("vehicles"), f"{prefix}.assets.vehicles")):
        v = _obj(v, f"{prefix}.assets.vehicles[{i}]")
        vehicles.append(Vehicle(to_bool(v.get("disability_vehicle"), f"{prefix}.assets.vehicles[{i}].disability_vehicle")))
    assets = Assets(
        financial=to_amount(a.get("financial", "0") if a.get("financial") is not None else "0", f"{prefix}.assets.financial"),
        vehicles=vehicles,
        homes=to_int(a.get("homes", 0) if a.get("homes") is not None else 0, f"{prefix}.assets.homes", low=0,
                     high=MAX_HOMES),
        commercial_property=to_bool(a.get("commercial_property"), f"{prefix}.assets.commercial_property"),
    )
    temporary = None
    if h.get("temporary") is not None or need_temporary:
        t = _obj(h.get("temporary"), f"{prefix}.temporary")
        if "amount" not in t:
            raise InputError(f"{prefix}.temporary.amount: 缺少拟救助金额", f"{prefix}.temporary.amount")
        temporary = TemporaryClaim(
            type=_choice(t.get("type"), TEMPORARY_TYPES, f"{prefix}.temporary.type"),
            amount=to_amount(t["amount"], f"{prefix}.temporary.amount"),
            cause=_text(t.get("cause"), f"{prefix}.temporary.cause", required=False),
        )
    return Household(
        members=members,
        income=income,
        rigid_expenses=rigid,
        assets=assets,
        no_able_supporter=to_bool(h.get("no_able_supporter"), f"{prefix}.no_able_supporter"),
        temporary=temporary,
        village_code=_text(h.get("village"), f"{prefix}.village", required=False, max_len=32) or None,
        address=_text(h.get("address"), f"{prefix}.address", required=False),
        phone=_text(h.get("phone"), f"{prefix}.phone", required=False, max_len=50),
        bank_name=_text(h.get("bank_name"), f"{prefix}.bank_name", required=False, max_len=100),
        bank_account=bank_account(h.get("bank_account"), f"{prefix}.bank_account"),
    )


def bank_account(raw: Any, field: str) -> str:
    """A payment account number: 10 to 30 digits once spaces and hyphens are taken out ("" if none).

    No check digit is required: bank cards carry a Luhn digit, but passbook and 一卡通 accounts of
    rural credit cooperatives often do not.
    """
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise InputError(f"{field}: 银行账号应为文字", field)
    digits = "".join(raw.split()).replace("-", "")
    if not digits:
        return ""
    if not digits.isascii() or not digits.isdigit() or not 10 <= len(digits) <= 30:
        raise InputError(f"{field}: 银行账号应为10至30位数字（可含空格），现为「{shown(raw.strip())}」", field)
    return digits


def member_to_dict(m: Member) -> dict[str, Any]:
    """One member in the household JSON shape (the inverse of :func:`parse_member`)."""
    d: dict[str, Any] = {"name": m.name, "id_number": m.id_number, "relation": m.relation}
    if m.excluded:
        d["excluded"] = m.excluded
    if m.disability:
        d["disability"] = {"type": m.disability.type, "grade": m.disability.grade}
    for key in ("serious_illness", "applicant", "student", "staff_relative"):
        if getattr(m, key):
            d[key] = True
    if m.adl_unable:
        d["adl_unable"] = m.adl_unable
    if m.work_capacity:
        d["work_capacity"] = m.work_capacity
    return d


def household_to_dict(h: Household) -> dict[str, Any]:
    """The inverse of :func:`parse_household`. Money is written as two-place strings ("7418.60"),
    so a household compares equal however its amounts were typed (7418.6 or 7418.60)."""
    out: dict[str, Any] = {
        "members": [member_to_dict(m) for m in h.members],
        "income": [
            {"type": i.type, "amount": fmt(i.amount), "member": i.member} | ({"note": i.note} if i.note else {})
            for i in h.income
        ],
        "rigid_expenses": [
            {"kind": r.kind, "amount": fmt(r.amount), "member": r.member} | ({"note": r.note} if r.note else {})
            for r in h.rigid_expenses
        ],
        "assets": {
            "financial": fmt(h.assets.financial),
            "vehicles": [{"disability_vehicle": v.disability_vehicle} for v in h.assets.vehicles],
            "homes": h.assets.homes,
            "commercial_property": h.assets.commercial_property,
        },
        "no_able_supporter": h.no_able_supporter,
    }
    if h.temporary:
        out["temporary"] = {"type": h.temporary.type, "amount": fmt(h.temporary.amount)}
        if h.temporary.cause:
            out["temporary"]["cause"] = h.temporary.cause
    for key in ("village_code", "address", "phone", "bank_name", "bank_account"):
        value = getattr(h, key)
        if value:
            out["village" if key == "village_code" else key] = value
    return out
