"""Domain objects: areas, households, members, income, expenses, assets, cases, events.

Plain dataclasses; storage maps them to tables, services pass them to the window and the CLI.
Money is always ``Decimal``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from . import ids

RELATIONS: dict[str, str] = {
    "head": "户主",
    "spouse": "配偶",
    "child": "子女",
    "parent": "父母",
    "other": "其他",
}
EXCLUSIONS: dict[str, str] = {"prison": "服刑或强制隔离戒毒", "missing": "宣告失踪", "clergy": "宗教教职人员"}
DISABILITY_TYPES: dict[str, str] = {
    "physical": "肢体",
    "visual": "视力",
    "hearing": "听力",
    "speech": "言语",
    "intellectual": "智力",
    "mental": "精神",
    "multiple": "多重",
}
COUNTED_INCOME: dict[str, str] = {
    "wage": "工资性收入",
    "business": "经营净收入",
    "farming": "种养殖净收入",
    "property": "财产净收入",
    "transfer": "转移净收入",
    "other": "其他收入",
}
EXCLUDED_INCOME: dict[str, str] = {
    "basic_pension": "城乡居民基础养老金",
    "preferential": "优抚金",
    "award": "奖励、奖学金、见义勇为奖金",
    "assistance": "社会救助金",
}
INCOME_TYPES: dict[str, str] = {**COUNTED_INCOME, **EXCLUDED_INCOME}
EXPENSE_KINDS: dict[str, str] = {"medical": "自付医疗费用", "education": "教育费用", "disaster": "灾害损失", "other": "其他刚性支出"}
# Disability grades as the 残疾人证 writes them (forms and notices print 二级, not 2级).
GRADES: dict[int, str] = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
AREA_LEVELS: dict[str, str] = {"county": "县（区）", "township": "乡镇（街道）", "village": "村（社区）"}
URBAN_RURAL: dict[str, str] = {"urban": "城市", "rural": "农村"}


def default_urban_rural(name: str) -> str:
    """A 社区 counts as urban, a 村 as rural (reports.md §1); the administrator can change it."""
    return "urban" if name.strip().endswith("社区") else "rural"


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    level: str  # county | township | village
    parent_code: str | None = None
    urban_rural: str | None = None  # villages: urban (城市, 社区) | rural (农村, 村)


@dataclass(frozen=True)
class Disability:
    type: str
    grade: int

    @property
    def label(self) -> str:
        return f"{DISABILITY_TYPES.get(self.type, self.type)}{GRADES.get(self.grade, f'{self.grade}级')}"


@dataclass
class Member:
    name: str
    id_number: str
    relation: str = "other"
    excluded: str | None = None
    disability: Disability | None = None
    serious_illness: bool = False
    applicant: bool = False
    adl_unable: int = 0
    work_capacity: str | None = None  # free label from the form (有/部分/无)
    student: bool = False
    staff_relative: bool = False  # 近亲属 of office staff or village cadres (备案)
    # 残疾人两项补贴 (policy.md §10): the 残疾人证 held (its 20-character number: the ID number, the
    # type digit and the grade digit), long-term care needed (6 months or more), and support that
    # rules an allowance out: 孤儿基本生活保障, 工伤保险生活护理费.
    disability_certificate: bool = False
    certificate_number: str = ""
    long_term_care: bool = False
    orphan_support: bool = False
    work_injury_care: bool = False

    @property
    def birth_date(self) -> dt.date:
        return ids.birth_date(self.id_number)

    @property
    def sex(self) -> str:
        return ids.sex(self.id_number)

    def age_on(self, on: dt.date) -> int:
        return ids.age_on(self.id_number, on)

    @property
    def severe_disability(self) -> bool:
        """Grade 1–2 of any type, or grade 3 intellectual or mental (policy.md §2)."""
        d = self.disability
        if d is None:
            return False
        return d.grade in (1, 2) or (d.grade == 3 and d.type in ("intellectual", "mental"))


@dataclass(frozen=True)
class IncomeItem:
    type: str
    amount: Decimal
    member: int | None = None
    note: str = ""


@dataclass(frozen=True)
class RigidExpense:
    kind: str
    amount: Decimal
    member: int | None = None
    note: str = ""


@dataclass(frozen=True)
class Vehicle:
    disability_vehicle: bool = False
    note: str = ""


@dataclass
class Assets:
    financial: Decimal = Decimal(0)
    vehicles: list[Vehicle] = field(default_factory=list)
    homes: int = 0
    commercial_property: bool = False


@dataclass(frozen=True)
class TemporaryClaim:
    type: str  # urgent | expenditure
    amount: Decimal
    cause: str = ""


_M = TypeVar("_M")


def head_of(members: Sequence[_M]) -> _M:
    """The 户主 of a household's members (anything with a ``relation``): the member whose
    relation is head, else the first."""
    for m in members:
        if m.relation == "head":  # type: ignore[attr-defined]
            return m
    return members[0]


@dataclass
class Household:
    members: list[Member]
    income: list[IncomeItem] = field(default_factory=list)
    rigid_expenses: list[RigidExpense] = field(default_factory=list)
    assets: Assets = field(default_factory=Assets)
    no_able_supporter: bool = False
    temporary: TemporaryClaim | None = None
    village_code: str | None = None
    address: str = ""
    phone: str = ""
    bank_name: str = ""  # where the benefit is paid (开户银行)
    bank_account: str = ""  # digits only; masked for roles that do not need it
    id: int | None = None

    @property
    def head(self) -> Member:
        return head_of(self.members)

    def counted_indexes(self) -> list[int]:
        return [i for i, m in enumerate(self.members) if not m.excluded]


@dataclass(frozen=True)
class User:
    username: str
    full_name: str
    roles: tuple[str, ...]
    area_code: str | None = None
    active: bool = True


@dataclass(frozen=True)
class AuditEvent:
    """One action on a case: who, when, from which state to which, and what changed."""

    case_id: int
    seq: int
    actor: str
    trigger: str
    from_state: str | None
    to_state: str
    recorded_at: dt.datetime
    effective_date: dt.date
    comment: str = ""
    changes: dict[str, Any] = field(default_factory=dict)  # field -> {"before": x, "after": y}
    data: dict[str, Any] = field(default_factory=dict)  # form data submitted with the action


@dataclass
class Case:
    """A case of one programme for one household, at one state of its workflow."""

    id: int | None
    number: str  # human case number, e.g. 2026-DB-000123
    programme: str
    workflow_id: str
    workflow_version: int
    state: str
    household_id: int
    village_code: str
    created_by: str
    created_at: dt.datetime
    applied_on: dt.date
    version: int = 1
    accepted_on: dt.date | None = None
    state_entered_on: dt.date | None = None
    state_deadline: dt.date | None = None
    total_deadline: dt.date | None = None
    county_delegated: bool = False
    staff_relative: bool = False
    forms: dict[str, dict[str, Any]] = field(default_factory=dict)  # form id -> latest data
    proposal: dict[str, Any] | None = None  # decision contract dict of the latest 初审 computation
    decision: dict[str, Any] | None = None  # final decision (amount, start month, reasons)
    last_effective_date: dt.date | None = None
    closed: bool = False
    kind: str = "application"  # application | review | change | termination
    parent_case_id: int | None = None  # for review/change/termination: the case that granted the benefit
    benefit: dict[str, Any] | None = None  # on an approved case: status, amount, covered, review and phase-out
    next_review_on: dt.date | None = None  # an approved case in payment: when its 复核 is due
