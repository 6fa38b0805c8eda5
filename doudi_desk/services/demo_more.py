"""The demo's other programmes and the life after approval: 特困 and 临时救助 cases in every stage,
reviews, a reported change, a phase-out and a termination — all driven through the real services."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any

from ..domain.errors import DomainError
from .cases import CaseService
from .lifecycle import LifecycleService

ADL = ("eating", "dressing", "transfer", "toileting", "walking", "bathing")


def _investigation(day: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "verification": {"requested_on": day, "result": "consistent"},
        "home_visit": {"visit_date": day, "investigators": [{"name": "张敏", "username": "zhangmin"},
                                                           {"name": "李强", "username": "liqiang"}],
                       "family_present": "本人", "conclusion": "meets"},
    } | (extra or {})


def _opinion(category: str = "new") -> dict[str, Any]:
    return {"preliminary_opinion": {"opinion": "approve", "category": category, "comment": "经调查核实，拟同意"}}


def _steps(service: CaseService, case_id: int, steps: list[tuple[str, str, dict[str, Any], str]], start: dt.date,
           today: dt.date) -> str:
    """Fire (trigger, actor, data, comment) steps a day or more apart; stop at today or on a refusal."""
    day = start
    posted: dt.date | None = None
    state = ""
    for trigger, actor, data, comment in steps:
        day += dt.timedelta(days=8 if trigger.startswith("submit") else 2)
        if day > today:
            break
        if trigger == "post_notice":
            posted = day
        # The 公示 record's start date is the day the notice went up, not the day it is reported on;
        # a workflow without 公示 (两项补贴) dates its forms on the day of the step.
        filled = _dated(data, posted if trigger.startswith("submit") and posted is not None else day)
        try:
            state = service.advance(case_id, trigger, actor, data=filled, effective_date=day,
                                    comment=comment)["state"]
        except DomainError:
            break
    return state


def _dated(data: dict[str, Any], day: dt.date) -> dict[str, Any]:
    """Fill the placeholder date '@' with the step's date."""
    text = day.isoformat()

    def fix(value: Any) -> Any:
        if value == "@":
            return text
        if isinstance(value, dict):
            return {k: fix(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fix(v) for v in value]
        return value

    return fix(data)


def add_tekun(service: CaseService, rng: random.Random, make_person, villages, today: dt.date, n: int = 12) -> Counter:
    reached: Counter[str] = Counter()
    for _ in range(n):
        age = rng.randint(62, 90)
        head = {"name": rng.choice("王李张刘陈杨赵周吴徐") + rng.choice(["福贵", "长顺", "桂兰", "秀英", "永福"]),
                "id_number": make_person(age), "relation": "head"}
        household = {"village": rng.choice(villages), "members": [head],
                     "income": [{"type": "basic_pension", "amount": "1560", "member": 0},
                                {"type": "transfer", "amount": str(rng.randint(0, 30) * 100), "member": 0}],
                     "assets": {"financial": str(rng.randint(0, 8) * 1000), "homes": 1}}
        start = today - dt.timedelta(days=rng.randint(5, 90))
        view = service.create_case(household, "tekun", "zhangmin", applied_on=start)
        unable = rng.randint(0, 6)
        care = {k: ("unable" if j < unable else "managed") for j, k in enumerate(ADL)} | {
            "assessed_on": "@", "assessor": "县社会福利中心"}
        mode = rng.choice(["centralised", "dispersed"])
        supply = {"mode": mode} | ({"institution": "县敬老院"} if mode == "centralised" else
                                   {"carer": [{"name": "侄子" + head["name"][0] + "军"}], "care_agreement_signed": True})
        steps = [
            ("accept", "zhangmin", {"tekun_application": {
                "apply_date": "@", "channel": "village", "reason": "年老体弱，无生活来源，无法定赡养人",
                "no_able_supporter": True, "supporter_unable_reason": "none_exists", "pledge_signed": True,
                "authorization_signed": True}}, ""),
            ("complete_investigation", "zhangmin", _investigation("@", {"self_care": care,
                                                                        "supply_arrangement": supply}), ""),
            ("post_notice", "wangfang", _opinion(), ""),
            ("submit_to_county", "wangfang", {"posting": {"start_date": "@", "place": "村务公开栏"}}, ""),
            ("approve", "zhaojun", {"tekun_approval": {"spot_checked": rng.random() < 0.4}}, ""),
        ]
        reached[_steps(service, view.id, steps[: rng.randint(1, len(steps))], start, today) or "applied"] += 1
    return reached


def add_temporary(service: CaseService, rng: random.Random, make_person, villages, today: dt.date,
                  n: int = 12) -> Counter:
    reached: Counter[str] = Counter()
    causes = ["房屋火灾", "交通事故", "突发重病住院", "子女大学学费", "洪涝灾害"]
    for i in range(n):
        kind = "urgent" if i % 2 == 0 else "expenditure"
        amount = rng.choice([2000, 5000, 8000, 12000, 20000, 35000])
        household = {"village": rng.choice(villages),
                     "members": [{"name": rng.choice("孙钱郑冯褚卫蒋沈韩") + rng.choice(["建华", "秀芳", "国强"]),
                                  "id_number": make_person(rng.randint(30, 60)), "relation": "head"}],
                     "income": [{"type": "wage", "amount": str(rng.randint(8, 20) * 1000), "member": 0}],
                     "assets": {"financial": "2000", "homes": 1},
                     "temporary": {"type": kind, "amount": str(amount), "cause": causes[i % len(causes)]}}
        start = today - dt.timedelta(days=rng.randint(3, 60))
        view = service.create_case(household, "temporary", "zhangmin", applied_on=start)
        steps: list[tuple[str, str, dict[str, Any], str]] = [("accept", "zhangmin", {"temporary_application": {
            "apply_date": "@", "channel": "self", "reason": causes[i % len(causes)], "pledge_signed": True,
            "authorization_signed": True}}, "")]
        if kind == "urgent":
            steps.append(("pay_first", "wangfang", {"first_aid": {"paid_on": "@", "amount": "2000", "method": "cash",
                                                                   "reason": "情况紧急，先行救助"}}, ""))
        steps += [
            ("start_investigation", "zhangmin", {}, ""),
            ("complete_investigation", "zhangmin", _investigation("@"), ""),
            ("post_notice", "wangfang", _opinion(), ""),
        ]
        if amount < 10000:
            steps += [("submit_for_township_approval", "wangfang", {"posting": {"start_date": "@", "place": "公开栏"}}, ""),
                      ("approve", "wangfang", {}, "")]
        else:
            steps += [("submit_to_county", "wangfang", {"posting": {"start_date": "@", "place": "公开栏"}}, "")]
            if amount < 30000:
                steps.append(("approve", "zhaojun", {}, ""))
        cut = len(steps) if i < 4 else rng.randint(1, len(steps))
        reached[_steps(service, view.id, steps[:cut], start, today) or "applied"] += 1
    return reached


def add_lifecycle(service: CaseService, rng: random.Random, today: dt.date) -> Counter:
    """Reviews (one decided), a reported birth, a new job ending in 渐退, a termination."""
    life = LifecycleService(service)
    reached: Counter[str] = Counter()
    with service.ctx.db.unit_of_work() as uow:
        approved = [c.id for c in uow.cases.query(state="approved")  # 桃源镇's, where zhangmin works
                    if c.programme == "dibao" and c.benefit and c.village_code.startswith("139901101")]
    rng.shuffle(approved)
    plan = ["review_open", "review_decided", "phase_out", "termination"]
    for parent_id, what in zip(approved, plan, strict=False):
        day = today - dt.timedelta(days=10)
        try:
            if what.startswith("review"):
                view = life.start_review(parent_id, "zhangmin", effective_date=day)
                if what == "review_decided":
                    _steps(service, view.id, [
                        ("start_investigation", "zhangmin", {}, ""),
                        ("complete_investigation", "zhangmin", _investigation("@"), ""),
                        ("submit_to_county", "wangfang", _opinion("renew"), ""),
                    ], day - dt.timedelta(days=2), today)
                    service.advance(view.id, "decide", "zhaojun", effective_date=today,
                                    data={"review_decision": {"reasons": "家庭情况复核后按现行标准调整"}})
            elif what == "phase_out":
                name = service.show(parent_id).household.head
                view = life.start_change(parent_id, "zhangmin", {
                    "change_type": "new_job", "change_date": (day - dt.timedelta(days=5)).isoformat(),
                    "member": name, "amount": "90000", "detail": f"{name}在县城工业园区务工"}, effective_date=day)
                _steps(service, view.id, [
                    ("start_investigation", "zhangmin", {}, ""),
                    ("complete_investigation", "zhangmin", _investigation("@"), ""),
                ], day - dt.timedelta(days=2), today)
                service.advance(view.id, "submit_to_county", "wangfang", effective_date=today,
                                data=_dated(_opinion("stop"), today))
                service.advance(view.id, "decide", "zhaojun", effective_date=today,
                                data={"review_decision": {"reasons": "务工收入超过低保标准，按规定给予渐退"}})
            else:
                view = life.start_termination(parent_id, "zhangmin", "voluntary", "本人书面申请退出低保",
                                              effective_date=day)
                service.advance(view.id, "submit_to_county", "zhangmin", effective_date=day)
                service.advance(view.id, "terminate", "zhaojun", effective_date=today)
            reached[what] += 1
        except DomainError:
            reached[what + "_refused"] += 1
    return reached
