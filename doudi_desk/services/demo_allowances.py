"""The demo's 残疾人两项补贴: a dozen disabled persons with allowances in several states — most in
families whose 低保 the demo grants first, a few without 低保 (the care allowance only), one whose
family's 低保 stops during the demo (its living allowance stops with it, with its own 停发告知书),
and one certificate holder in a 低保 family who has not applied yet (可申请两项补贴). All driven
through the real services, back-dated."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from typing import Any

from ..domain.certificate import DIGIT_OF_TYPE
from ..domain.errors import DomainError
from .cases import CaseService
from .demo_more import _steps
from .lifecycle import LifecycleService

CODE = "disability_allowance"
# (on 低保 first, disability type, grade, long-term care, how far the allowance goes)
PLANS: tuple[tuple[bool, str, int, bool, str], ...] = (
    (True, "physical", 1, True, "approved"),
    (True, "intellectual", 2, True, "approved"),
    (True, "visual", 1, True, "approved"),
    (True, "mental", 2, False, "approved"),  # the living allowance only: no long-term care need
    (True, "physical", 2, True, "approved_dibao_stops"),
    (True, "hearing", 3, False, "county"),
    (True, "multiple", 2, True, "reviewing"),
    (True, "physical", 1, True, "applied"),
    (True, "physical", 3, True, "refused"),  # the certificate checked out invalid
    (False, "physical", 1, True, "approved"),  # no 低保: the care allowance only
    (False, "intellectual", 1, True, "withdrawn"),
    (True, "visual", 2, True, "none"),  # on 低保, has not applied: 可申请两项补贴
)


def add_allowances(service: CaseService, rng: random.Random, new_household: Callable[[str], dict[str, Any]],
                   grant_dibao: Callable[[dict[str, Any], dt.date], dict[str, Any] | None], villages: list[str],
                   today: dt.date) -> Counter:
    """``new_household(village)``: a demo family; ``grant_dibao(household, start)``: its 低保 through
    the workflow (None if it did not reach approval)."""
    reached: Counter[str] = Counter()
    life = LifecycleService(service)
    for on_dibao, kind, grade, care, target in PLANS:
        household = new_household(rng.choice(villages))
        household["assets"]["financial"] = str(rng.randint(0, 8) * 1000)  # within the 低保 asset limit
        person = household["members"][0]
        person["disability"] = {"type": kind, "grade": grade}
        person["certificate_number"] = f"{person['id_number']}{DIGIT_OF_TYPE[kind]}{grade}"
        person["long_term_care"] = care
        dibao = grant_dibao(household, today - dt.timedelta(days=rng.randint(95, 110))) if on_dibao else None
        if on_dibao and dibao is None:
            reached["dibao_not_granted"] += 1
            continue
        if target == "none":
            reached["suggested"] += 1
            continue
        person["applicant"] = True
        back = (40, 50) if target.startswith("approved") else (20, 30) if target in ("county", "refused") else (3, 8)
        start = today - dt.timedelta(days=rng.randint(*back))
        view = service.create_case(household, CODE, "zhangmin", applied_on=start)
        steps = _allowance_steps(target, valid=target != "refused", care=care)
        state = _steps(service, view.id, steps, start - dt.timedelta(days=2), today) or view.state
        if target == "approved_dibao_stops" and dibao is not None:
            try:
                _stop_dibao(service, life, dibao["id"], today)
                state = "living_stopped_with_dibao"
            except DomainError:
                state = "dibao_stop_refused"
        reached[state] += 1
    return reached


def _allowance_steps(target: str, *, valid: bool, care: bool) -> list[tuple[str, str, dict[str, Any], str]]:
    application = {"disability_application": {
        "apply_date": "@", "channel": "guardian" if target == "approved" and not care else "self",
        "requested": ["living", "care"] if care else ["living"], "reason": "持证残疾人，家庭生活困难",
        "pledge_signed": True} | ({"guardian_name": "监护人", "guardian_relation": "父母"} if not care else {})}
    checked = {
        "disability_check": {"result": "valid" if valid else "invalid", "source": "database", "checked_on": "@",
                             "checked_by": "张敏"} | ({} if valid else {"note": "数据库中该证已注销"}),
        "care_need": {"long_term_care": care, "basis": "入户查看日常生活活动情况", "assessed_on": "@",
                      "assessor": "乡镇卫生院"},
    }
    steps: list[tuple[str, str, dict[str, Any], str]] = [("accept", "zhangmin", application, "")]
    if target == "applied":
        return []
    if target == "withdrawn":
        return steps + [("withdraw", "zhangmin", {}, "申请人书面撤回")]
    if target == "reviewing":
        return steps
    steps.append(("submit_to_county", "wangfang", checked, ""))
    if target == "county":
        return steps
    if target == "refused":
        return steps + [("refuse", "zhaojun", {"refusal": {"reasons": "残疾人证已注销，不符合申请条件",
                                                            "rule": "国发〔2015〕52号"}}, "")]
    return steps + [("approve", "zhaojun", {"disability_approval": {"comment": "同意"}}, "")]


def _stop_dibao(service: CaseService, life: LifecycleService, dibao_id: int, today: dt.date) -> None:
    """The family's 低保 stops (decided a few days ago): the living allowance stops with it."""
    day = today - dt.timedelta(days=6)
    view = life.start_termination(dibao_id, "zhangmin", "income_over", "家庭成员外出务工，收入超过低保标准",
                                  effective_date=day)
    service.advance(view.id, "submit_to_county", "zhangmin", effective_date=day)
    service.advance(view.id, "terminate", "zhaojun", effective_date=today - dt.timedelta(days=5))
