"""The assistance programmes as data: one registry entry per programme.

Everything the services, storage, printing and the window need to know about a programme is here
— its names, case-number prefix, whether it pays every month or once, its decision function,
which forms carry its application and its approval, what its documents are called, how it
appears in the payroll and the 统计月报, and which other programme's status it follows — so no
service tests a programme code. Its procedure is data too (``workflows/<code>*.yaml`` with state
roles, ``forms/``, ``print_templates/``). Adding a programme (孤儿基本生活费, 事实无人抚养儿童 …) is
one more entry here, its decision module, and those files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import calc
from . import disability_allowance as dla
from .coverage import HouseholdStatus
from .model import Household, Member
from .policy import PolicyParams

MONTHLY = "monthly"
ONE_OFF = "one_off"

Decider = Callable[[Household, PolicyParams, dt.date, HouseholdStatus | None], Any]
FormsHook = Callable[[Household, Mapping[str, Mapping[str, Any]]], Household]


@dataclass(frozen=True)
class Part:
    """One allowance of a programme paid as several (两项补贴: 生活补贴, 护理补贴): ``key`` is its
    amount in the decision (calc-contract.md), ``stat`` names its columns in the 统计月报
    (``<stat>_persons``, ``<stat>_amount``)."""

    code: str
    label: str
    key: str
    stat: str


@dataclass(frozen=True)
class Link:
    """A benefit that follows another programme's coverage of the same person (policy.md §10):
    when the person's coverage by ``follows`` ends (``on="ends"``) or begins (``on="starts"``), the
    ``stops`` parts stop from that same month, with their own notice and audit event."""

    follows: str
    on: str  # ends | starts
    stops: tuple[str, ...]
    reason: str  # Chinese, on the notice: 家庭最低生活保障停发


@dataclass(frozen=True)
class Suggestion:
    """A hint on the 动态管理 list: when a benefit of ``after`` starts, members for whom
    ``candidate`` is true and who have no benefit of this programme yet may apply."""

    after: str
    label: str
    candidate: Callable[[Member], bool]
    member_flag: str = ""  # a member fact every candidate has (lets the database narrow the search)


@dataclass(frozen=True)
class Ledger:
    """The programme's 台账 (reports.md §2): what its category and persons columns are called and
    what a row is (家庭, 特困人员). One-off programmes list their cases of the last 12 months."""

    category: str = "保障类别"
    persons: str = "保障人数"
    unit: str = "家庭"


@dataclass(frozen=True)
class Programme:
    code: str  # dibao, tekun, temporary, disability_allowance
    name: str  # 最低生活保障
    short: str  # 低保, for tables and tabs
    case_prefix: str  # two letters of the case number: 2026-DB-000123
    amount_kind: str  # MONTHLY or ONE_OFF
    amount_label: str  # what the amount is called: 保障金额, 救助供养金额, 救助金额
    unit: str  # 元/月 or 元
    grant: str  # what the household is given: 保障, 救助供养, 救助 (拟不予保障 …)
    approval: str  # the approving decision in words: {count}, {names}, {amount}, {start}, {parts}
    decide: Decider
    application_forms: tuple[str, ...] = ()  # forms that carry the application itself
    approval_forms: tuple[str, ...] = ()  # forms whose ``amount`` the approver confirms
    documents: Mapping[str, str] = field(default_factory=dict)  # document kind → title as this programme says it
    from_forms: FormsHook | None = None  # what the investigation established overrides the application
    person_based: bool = False  # one member applies (``applicant``); the benefit is that person's
    claim: bool = False  # the household carries a one-off claim (type, amount, cause)
    repeat_by_cause: bool = False  # one claim per cause per household and year (临时救助)
    covers: str | None = None  # what its covered persons are in HouseholdStatus: dibao | tekun
    uses_status: bool = False  # decided with the household's status (HouseholdStatus) from the database
    parts: tuple[Part, ...] = ()
    links: tuple[Link, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    review_months: int | None = None  # a fixed review interval (else the decision's own)
    posted: bool = True  # its 初审 is posted in the village (公示名单, 长期公布名单)
    payee: str = "head"  # whose name a payroll line carries: head | covered
    payment_label: str = ""  # the payroll group's name: 最低生活保障金 (none: not paid by payroll)
    payment_item: str = ""  # a payroll line's item: 低保金
    register_label: str = "登记申请"  # the application page's button
    ledger: Ledger | None = None  # a 台账 per village
    report_table: str | None = None  # its table in the 统计月报 (domain/statistics.py sections); parts: allowances
    failed_labels: Mapping[str, str] = field(default_factory=lambda: calc.FAILED_LABELS)  # reason code → 中文
    amount_editable: bool = True  # the approver may confirm another amount than the computed one (with a reason)

    @property
    def monthly(self) -> bool:
        return self.amount_kind == MONTHLY

    def heading(self, proposed: bool = False) -> str:
        """A column heading: 保障金额（元/月）, 拟救助金额（元） …"""
        return f"{'拟' if proposed else ''}{self.amount_label}（{self.unit}）"

    def amount_phrase(self, amount: str, proposed: bool = False) -> str:
        """An amount in a sentence: 保障金额每月500元, 拟救助金额35000元（一次性） …"""
        label = f"{'拟' if proposed else ''}{self.amount_label}"
        return f"{label}每月{amount}元" if self.monthly else f"{label}{amount}元（一次性）"

    def document(self, kind: str, default: str) -> str:
        """The title of a document kind as this programme calls it."""
        return self.documents.get(kind, default)

    def part(self, code: str) -> Part:
        return next(p for p in self.parts if p.code == code)


def _plain(fn: Callable[[Household, PolicyParams, dt.date], Any]) -> Decider:
    """A decision that does not look at the household's status."""

    def decide(household: Household, policy: PolicyParams, on: dt.date, _status: HouseholdStatus | None = None):
        return fn(household, policy, on)

    decide.__name__ = fn.__name__
    return decide


REGISTRY: dict[str, Programme] = {p.code: p for p in (
    Programme(
        "dibao", "最低生活保障", "低保", "DB", MONTHLY, "保障金额", "元/月", "保障",
        "确认保障{count}人（{names}），户月保障金额{amount}元，自{start}起按月发放",
        _plain(calc.decide_dibao), application_forms=("application",), approval_forms=("approval", "review_decision"),
        covers="dibao", payment_label="最低生活保障金", payment_item="低保金", ledger=Ledger(), report_table="dibao",
    ),
    Programme(
        "tekun", "特困人员救助供养", "特困", "TK", MONTHLY, "救助供养金额", "元/月", "救助供养",
        "认定{names}为特困人员，月救助供养金额{amount}元，自{start}起发放",
        _plain(calc.decide_tekun), application_forms=("tekun_application",),
        approval_forms=("tekun_approval", "review_decision"), from_forms=calc.tekun_from_forms,
        person_based=True, covers="tekun", payee="covered", payment_label="特困人员救助供养金", payment_item="特困供养金",
        ledger=Ledger("供养方式、自理能力", "供养人数", "特困人员"), report_table="tekun",
        register_label="登记特困人员申请",
        documents={"application_form": "特困人员救助供养申请书", "confirmation_notice": "特困人员认定通知书",
                   "certificate": "特困人员救助供养证", "refusal_notice": "不予认定告知书",
                   "termination_proposal": "终止救助供养审批表", "termination_notice": "终止救助供养通知书",
                   "adjustment_notice": "救助供养调整通知书"},
    ),
    Programme(
        "temporary", "临时救助", "临时救助", "LS", ONE_OFF, "救助金额", "元", "救助", "给予临时救助{amount}元，一次性发放",
        _plain(calc.decide_temporary), application_forms=("temporary_application",),
        approval_forms=("temporary_approval",), claim=True, repeat_by_cause=True, payment_label="临时救助金", payment_item="临时救助金",
        ledger=Ledger(), report_table="temporary", register_label="登记临时救助申请",
        documents={"application_form": "临时救助申请书", "confirmation_notice": "临时救助审批通知书",
                   "refusal_notice": "不予救助告知书", "approval_form": "临时救助审批表"},
    ),
    Programme(
        dla.CODE, "残疾人两项补贴", "两项补贴", "CJ", MONTHLY, "补贴金额", "元/月", "补贴",
        "确认给予{names}{parts}，每月合计{amount}元，自{start}起按月发放",
        dla.decide, application_forms=("disability_application",), approval_forms=("disability_approval", "disability_review_decision"),
        from_forms=dla.household_from_forms, person_based=True, uses_status=True,
        failed_labels=dla.FAILED_LABELS, amount_editable=False, register_label="登记两项补贴申请",
        parts=(Part(dla.LIVING, dla.PARTS[dla.LIVING], "living_allowance", "dla"),
               Part(dla.CARE, dla.PARTS[dla.CARE], "care_allowance", "dca")),
        links=(Link("dibao", "ends", (dla.LIVING,), "家庭最低生活保障停发"),
               Link("tekun", "starts", (dla.LIVING, dla.CARE), "本人纳入特困人员救助供养")),
        suggestions=(Suggestion("dibao", "可申请两项补贴", dla.candidate, "disability_certificate"),),
        review_months=dla.REVIEW_MONTHS, posted=False, payee="covered", payment_label="残疾人两项补贴", payment_item="两项补贴",
        documents={"application_form": "残疾人两项补贴申请审批表", "confirmation_notice": "残疾人两项补贴确认通知书",
                   "refusal_notice": "残疾人两项补贴不予确认告知书", "approval_form": "残疾人两项补贴审核审批表",
                   "termination_notice": "残疾人两项补贴停发通知书", "termination_proposal": "残疾人两项补贴停发审批表",
                   "adjustment_notice": "残疾人两项补贴调整通知书", "roster": "残疾人两项补贴花名册"},
    ),
)}
PROGRAMMES: dict[str, str] = {code: p.name for code, p in REGISTRY.items()}
DEFAULT = next(iter(REGISTRY))  # the programme a list or blank form is for when none is named (低保)
LEDGER_PROGRAMMES = tuple(code for code, p in REGISTRY.items() if p.ledger is not None)  # a 台账 each


def programme(code: str) -> Programme:
    """The programme by its code (KeyError names an unknown code)."""
    return REGISTRY[code]


def known(code: Any) -> bool:
    return isinstance(code, str) and code in REGISTRY


def amount_field(code: str) -> str:
    """Where a proposal, a decision or a benefit record of the programme keeps its amount:
    ``monthly_amount`` for a monthly programme, ``amount`` for a one-off one (临时救助)."""
    return "monthly_amount" if programme(code).monthly else "amount"


def amount_of(code: str, record: Mapping[str, Any] | None) -> Any:
    """The amount of a proposal, a decision or a benefit record: the monthly amount of a monthly
    programme, the one-off amount of a one-off one (None when the record has none). The one place
    that tells the two apart: every reader of "the amount of a case" asks here."""
    if not record:
        return None
    return record.get(amount_field(code))


def with_parts() -> list[Programme]:
    """Programmes paid as several allowances (for the 统计月报's allowance table)."""
    return [p for p in REGISTRY.values() if p.parts]


def following(code: str, on: str) -> list[tuple[Programme, Link]]:
    """Programmes whose benefits follow ``code``'s coverage when it ``on`` (ends | starts)."""
    return [(p, link) for p in REGISTRY.values() for link in p.links if link.follows == code and link.on == on]


def covering(role: str) -> list[str]:
    """Codes of the programmes whose covered persons count as ``role`` (dibao | tekun) in a status."""
    return [p.code for p in REGISTRY.values() if p.covers == role]


def parts_of(code: str, record: Mapping[str, Any] | None) -> dict[str, str]:
    """The amount of each part in a contract dict or benefit (``living_allowance`` → living …)."""
    prog = programme(code)
    if not prog.parts or not record:
        return {}
    stored = record.get("parts")
    if isinstance(stored, Mapping):
        return {p.code: str(stored.get(p.code, "0")) for p in prog.parts}
    return {p.code: str(record.get(p.key, "0")) for p in prog.parts}


def failure_label(code: str, reason: str) -> str:
    """A reason code of a decision in Chinese (the code itself when unknown)."""
    prog = REGISTRY.get(code)
    return (prog.failed_labels if prog else calc.FAILED_LABELS).get(reason, reason)


def suggesting(code: str) -> list[tuple[Programme, Suggestion]]:
    """Programmes that suggest an application when a benefit of ``code`` is in force."""
    return [(p, s) for p in REGISTRY.values() for s in p.suggestions if s.after == code]


def flags_programme() -> str:
    """The programme whose decision sets a household's low-income flags (policy.md §8): 低保's."""
    from .coverage import ROLES

    return covering(ROLES[0])[0]
