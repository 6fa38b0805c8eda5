"""残疾人两项补贴 (policy.md §10; 国发〔2015〕52号): the decision of calc-contract.md "Programmes added
later" for one disabled person, and what the program needs to know about the programme besides.

Two monthly allowances for one person holding a 残疾人证: the living allowance (困难残疾人生活补贴)
follows the household's 低保 (or, where the policy says so, its 低保边缘 status) and the care allowance
(重度残疾人护理补贴) follows the grade and a long-term care need; 特困 and 工伤保险生活护理费 rule both
out, 孤儿基本生活保障 only the living allowance. Every step says one Chinese sentence, like the other
programmes, so a county auditor can follow the decision with ``doudi-admin calc``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .calc import _Calc, the_applicant
from .coverage import DIBAO_BASES, HouseholdStatus
from .model import DISABILITY_TYPES, GRADES, Household, Member
from .money import YUAN, fmt, quantize, yuan
from .policy import PolicyParams

CODE = "disability_allowance"
LIVING, CARE = "living", "care"
PARTS: dict[str, str] = {LIVING: "困难残疾人生活补贴", CARE: "重度残疾人护理补贴"}
# Reason codes in the contract's order.
FAILED_LABELS: dict[str, str] = {
    "no_certificate": "未持有残疾人证（或未登记残疾类别和等级）",
    "living_not_covered": "本人未纳入最低生活保障（生活补贴以享受低保为条件）",
    "living_tekun": "已纳入特困人员救助供养，不享受困难残疾人生活补贴",
    "living_orphan": "已享受孤儿基本生活保障，不享受困难残疾人生活补贴",
    "care_not_severe": "残疾等级不属于护理补贴发放范围（一、二级重度残疾人）",
    "care_no_long_term_care": "经评估不需要长期照护（6个月以上）",
    "care_tekun": "已纳入特困人员救助供养（照料护理费已包含护理），不享受重度残疾人护理补贴",
    "work_injury_care": "已享受工伤保险生活护理费，不享受两项补贴",
}
# The member facts the programme adds to the household JSON (calc-contract.md).
MEMBER_FLAGS: dict[str, str] = {
    "disability_certificate": "持有残疾人证",
    "long_term_care": "需要长期照护（6个月以上）",
    "orphan_support": "享受孤儿基本生活保障",
    "work_injury_care": "享受工伤保险生活护理费",
}
REVIEW_MONTHS = 12  # reviewed yearly with the certificate (policy.md §10)


@dataclass
class AllowanceDecision:
    """One decision in the shape of calc-contract.md ("disability_allowance")."""

    decision_date: dt.date
    eligible: bool
    members_counted: int
    per_capita_monthly: Decimal
    applicant: int
    parts: dict[str, Decimal]
    failed: list[str]
    explanation: list[str]
    status: HouseholdStatus = field(default_factory=HouseholdStatus)

    programme = CODE

    @property
    def monthly_amount(self) -> Decimal:
        return sum(self.parts.values(), Decimal(0))

    @property
    def covered(self) -> list[int]:
        return [self.applicant] if self.eligible else []

    def to_contract(self) -> dict[str, Any]:
        return {
            "programme": CODE,
            "eligible": self.eligible,
            "basis": "person" if self.eligible else None,
            "members_counted": self.members_counted,
            "per_capita_monthly": fmt(self.per_capita_monthly, 2),
            "covered": self.covered,
            "failed": list(self.failed),
            "topups": [],
            "living_allowance": fmt(self.parts[LIVING], 0),
            "care_allowance": fmt(self.parts[CARE], 0),
            "monthly_amount": fmt(self.monthly_amount, 0),
            "flags": [],
            "explanation": list(self.explanation),
        }


def severe_for_care(member: Member, policy: PolicyParams) -> bool:
    """Grade 1 or 2 of any type; grade 3–4 intellectual or mental where the policy extends it."""
    d = member.disability
    if d is None:
        return False
    return d.grade in (1, 2) or (policy.dca_extend_mental and d.grade in (3, 4) and d.type in ("intellectual", "mental"))


def decide(h: Household, p: PolicyParams, on: dt.date, status: HouseholdStatus | None = None) -> AllowanceDecision:
    """Both allowances for the one member marked ``applicant``, with what is in force for the
    household that month (``status``; nothing when None)."""
    status = status or HouseholdStatus()
    a = the_applicant(h, "残疾人两项补贴")
    c = _Calc(h, p, on)
    inc = c.income()
    m = h.members[a]
    who = c.member_label(a)
    failed: list[str] = []
    parts = {LIVING: Decimal(0), CARE: Decimal(0)}
    d = m.disability
    if not m.disability_certificate or d is None:
        failed.append("no_certificate")
        c.say(f"申请人{who}{'未登记残疾类别和等级' if d is None else '未持有残疾人证'}，不符合两项补贴申请条件。")
    else:
        grade = str(d.grade)
        c.say(f"申请人{who}持有残疾人证{f'（{m.certificate_number}）' if m.certificate_number else ''}，"
              f"{DISABILITY_TYPES.get(d.type, d.type)}残疾{GRADES.get(d.grade, grade)}。")
        tekun = a in status.tekun_covered
        injury = m.work_injury_care
        # Living allowance.
        in_dibao = a in status.dibao_covered
        via_edge = p.dla_extend_to_edge and status.edge_family
        if in_dibao:
            basis = DIBAO_BASES.get(status.dibao or "", "")
            c.say(f"{who}已纳入最低生活保障{f'（{basis}）' if basis else ''}。")
        elif via_edge:
            c.say("家庭为低保边缘家庭，本地政策将困难残疾人生活补贴扩大到低保边缘家庭。")
        else:
            failed.append("living_not_covered")
            edge = ("家庭虽为低保边缘家庭，但本地政策未将生活补贴扩大到低保边缘家庭"
                    if status.edge_family else "")
            c.say(f"{who}未纳入最低生活保障{'，' + edge if edge else ''}，不享受困难残疾人生活补贴。")
        if tekun:
            failed.append("living_tekun")
        if m.orphan_support:
            failed.append("living_orphan")
            c.say(f"{who}享受孤儿基本生活保障，不享受困难残疾人生活补贴（护理补贴不受影响）。")
        if (in_dibao or via_edge) and not (tekun or m.orphan_support or injury):
            parts[LIVING] = _amount(p.dla_monthly, grade, p)
            c.say(f"困难残疾人生活补贴：{GRADES.get(d.grade, grade)}每月{yuan(parts[LIVING])}"
                  + ("（本地标准未设此等级，不发放）。" if grade not in p.dla_monthly else "。"))
        # Care allowance.
        if severe_for_care(m, p):
            extended = d.grade in (3, 4)
            c.say(f"{DISABILITY_TYPES.get(d.type, d.type)}残疾{GRADES.get(d.grade, grade)}"
                  + ("，本地政策将护理补贴扩大到三、四级智力、精神残疾人" if extended else "，属重度残疾人") + "。")
        else:
            failed.append("care_not_severe")
            c.say(f"{DISABILITY_TYPES.get(d.type, d.type)}残疾{GRADES.get(d.grade, grade)}不属于护理补贴发放范围"
                  f"（一、二级{'，及三、四级智力、精神残疾' if p.dca_extend_mental else ''}）。")
        if m.long_term_care:
            c.say(f"{who}经评估需要长期照护（6个月以上）。")
        else:
            failed.append("care_no_long_term_care")
            c.say(f"{who}未经评估需要长期照护（6个月以上），不享受重度残疾人护理补贴。")
        if tekun:
            failed.append("care_tekun")
            c.say(f"{who}已纳入特困人员救助供养，其照料护理费已包含护理，两项补贴均不享受。")
        if injury:
            failed.append("work_injury_care")
            c.say(f"{who}享受工伤保险生活护理费，两项补贴均不享受。")
        if severe_for_care(m, p) and m.long_term_care and not (tekun or injury):
            parts[CARE] = _amount(p.dca_monthly, grade, p)
            c.say(f"重度残疾人护理补贴：{GRADES.get(d.grade, grade)}每月{yuan(parts[CARE])}"
                  + ("（本地标准未设此等级，不发放）。" if grade not in p.dca_monthly else "。"))
    eligible = any(v > 0 for v in parts.values())
    if eligible:
        granted = "、".join(f"{PARTS[k]}{yuan(v)}" for k, v in parts.items() if v > 0)
        c.say(f"每月合计{yuan(sum(parts.values(), Decimal(0)))}（{granted}），自审批确认的次月起按月发放，"
              f"每年结合残疾人证复核一次；两项补贴不计入家庭收入。")
    else:
        c.say("两项补贴均不符合条件：" + "；".join(FAILED_LABELS[f] for f in failed) + "。")
    return AllowanceDecision(decision_date=on, eligible=eligible, members_counted=inc.members,
                             per_capita_monthly=inc.per_capita_monthly, applicant=a, parts=parts, failed=failed,
                             explanation=c.lines, status=status)


def _amount(table: Mapping[str, Decimal], grade: str, p: PolicyParams) -> Decimal:
    """The amount for a grade, in whole yuan (a grade missing from the map gives none)."""
    return quantize(table.get(grade, Decimal(0)), YUAN, p.rounding)


def candidate(member: Member) -> bool:
    """A member who could apply: holds a certificate with a disability recorded."""
    return member.disability_certificate and member.disability is not None and not member.excluded


def household_from_forms(household: Household, forms: Mapping[str, Mapping[str, Any]]) -> Household:
    """What the 审核 established overrides the application: the certificate as checked and the
    long-term care need as assessed (forms/disability_check.yaml, forms/care_need.yaml)."""
    check = forms.get("disability_check") or {}
    need = forms.get("care_need") or {}
    for m in household.members:
        if not m.applicant:
            continue
        if check.get("result") in ("valid", "invalid"):
            m.disability_certificate = check["result"] == "valid"
        if "long_term_care" in need:
            m.long_term_care = bool(need["long_term_care"])
    return household
