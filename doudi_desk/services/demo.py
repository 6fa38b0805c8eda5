"""The demo township: a fictional county office with villages, users of every role, about 200
households with valid synthetic ID numbers, and cases spread over every state of the 低保 workflow.

Every case is driven through the real :class:`CaseService`, with back-dated effective dates, so the
demo's histories are exactly what the program writes for real work.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import Decimal
from typing import Any

from ..domain import ids
from ..domain.errors import DomainError
from .admin import AdminService, default_policy
from .cases import CaseService
from .context import AppContext
from .office import OfficeService
from .views import CaseView

COUNTY = ("139901", "青山县", "county", None)
TOWNSHIPS = [("139901101", "桃源镇", "township", "139901"), ("139901102", "杏花乡", "township", "139901")]
VILLAGES = [
    ("139901101001", "东岗村", "village", "139901101"),
    ("139901101002", "西河村", "village", "139901101"),
    ("139901101003", "南坡村", "village", "139901101"),
    ("139901101004", "北屯村", "village", "139901101"),
    ("139901101005", "柳树沟村", "village", "139901101"),
    ("139901102001", "杏花村", "village", "139901102"),
    ("139901102002", "石桥村", "village", "139901102"),
]
USERS = [
    ("admin", "刘管理", ["admin"], "139901101"),
    ("zhangmin", "张敏", ["caseworker"], "139901101"),
    ("liqiang", "李强", ["caseworker"], "139901101"),
    ("wangfang", "王芳", ["township_reviewer"], "139901101"),
    ("chenjing", "陈静", ["caseworker", "township_reviewer"], "139901102"),
    ("zhouli", "周丽", ["caseworker"], "139901102"),
    ("sunwei", "孙伟", ["caseworker"], "139901102"),
    ("zhaojun", "赵军", ["county_approver"], "139901"),
]
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁"
GIVEN = ["建国", "秀兰", "桂英", "志强", "丽娟", "德明", "玉梅", "海燕", "国庆", "春生", "淑珍", "红梅", "文博",
         "子涵", "浩然", "雨欣", "金凤", "长顺", "福贵", "明辉", "小军", "晓燕", "立新", "凤英", "永福", "思远"]
REGION = "139901"
# How many households end in each state (the rest of the ~200 are applied).
TARGETS = {
    "correcting": 8, "not_accepted": 6, "accepted": 15, "investigating": 25, "preliminary_review": 15,
    "posting": 20, "objection": 5, "democratic_review": 5, "county_review": 25, "township_decision": 8,
    "approved": 40, "refused": 8, "withdrawn": 5,
}


def build_demo(ctx: AppContext, households: int = 200, seed: int = 2026,
               with_other_programmes: bool = False) -> dict[str, Any]:
    """Create the demo office in an empty database; return a summary.

    ``households`` 低保 applications spread over every state; with ``with_other_programmes`` also a
    dozen 特困 and 临时救助 cases each, a few reviews, a change ending in 渐退, a termination, and a
    dozen disabled persons with 两项补贴 in several states (services/demo_allowances.py).
    """
    admin = AdminService(ctx)
    with ctx.db.unit_of_work() as uow:
        if uow.areas.get(COUNTY[0]) is not None:
            raise DomainError("数据库中已有示例数据；请使用新的数据库（--db）")
    for code, name, level, parent in [COUNTY, *TOWNSHIPS, *VILLAGES]:
        admin.add_area(code, name, level, parent)
    for username, full_name, roles, area in USERS:
        admin.add_user(username, full_name, roles, area)
    today = ctx.today()
    admin.set_policy(COUNTY[0], dt.date(today.year - 1, 1, 1), default_policy(), note="示例县现行标准")
    admin.set_delegation("139901102", True)  # 杏花乡: the county has delegated decisions
    office = OfficeService(ctx)  # printed on notices and as the 公示 objection channel
    office.set_details({"phone": "0311-8661 2345", "address": "桃源镇人民路1号"}, "139901101")
    office.set_details({"phone": "0311-8672 1100", "address": "杏花乡政府街8号"}, "139901102")
    rng = random.Random(seed)
    service = CaseService(ctx)
    plan = [state for state, n in TARGETS.items() for _ in range(n)]
    plan += ["applied"] * max(0, households - len(plan))
    rng.shuffle(plan)
    reached: Counter[str] = Counter()
    used_ids: set[str] = set()
    for target in plan[:households]:
        delegated = target == "township_decision" or (target not in ("county_review",) and rng.random() < 0.15)
        village = rng.choice(VILLAGES[5:] if delegated else VILLAGES[:5])[0]
        eligible = target != "refused"
        household = _household(rng, used_ids, village, eligible)
        start = today - dt.timedelta(days=rng.randint(40, 120) if target not in ("applied", "correcting") else rng.randint(0, 20))
        view = service.create_case(household, "dibao", "zhouli" if delegated else "zhangmin", applied_on=start)
        state = _drive(service, view, target, start, today, rng)
        reached[state] += 1
    others: dict[str, dict[str, int]] = {}
    if with_other_programmes:
        from .demo_more import add_lifecycle, add_tekun, add_temporary

        def make(age: int) -> str:
            return _person(rng, used_ids, _born(rng, age))

        villages = [v[0] for v in VILLAGES[:5]]
        others = {"tekun": dict(add_tekun(service, rng, make, villages, today)),
                  "temporary": dict(add_temporary(service, rng, make, villages, today)),
                  "lifecycle": dict(add_lifecycle(service, rng, today))}
        from .demo_allowances import add_allowances

        def dibao_for(household: dict[str, Any], start: dt.date) -> dict[str, Any] | None:
            view = service.create_case(household, "dibao", "zhangmin", applied_on=start)
            _drive(service, view, "approved", start, today, rng)
            view = service.show(view.id)
            return view if view.benefit else None

        others["allowances"] = dict(add_allowances(
            service, rng, lambda village: _household(rng, used_ids, village, True), dibao_for, villages, today))
    return {"households": households, "states": dict(reached), "others": others}


def _person(rng: random.Random, used: set[str], born: dt.date, male: bool | None = None) -> str:
    while True:
        seq = rng.randint(0, 999)
        if male is not None and (seq % 2 == 1) != male:
            seq = (seq + 1) % 1000
        number = ids.make_id(REGION, born, seq)
        if number not in used:
            used.add(number)
            return number


def _born(rng: random.Random, age: int) -> dt.date:
    return dt.date(2026 - age, rng.randint(1, 12), rng.randint(1, 28))


def _household(rng: random.Random, used: set[str], village: str, eligible: bool) -> dict[str, Any]:
    surname = rng.choice(SURNAMES)
    size = rng.choice([1, 1, 2, 2, 3, 3, 4, 4, 5])
    head_age = rng.randint(35, 82)
    members = [{"name": surname + rng.choice(GIVEN), "id_number": _person(rng, used, _born(rng, head_age), True),
                "relation": "head"}]
    if size >= 2:
        members.append({"name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                        "id_number": _person(rng, used, _born(rng, max(20, head_age - rng.randint(0, 5))), False),
                        "relation": "spouse"})
    for _ in range(max(0, size - 2)):
        if head_age > 65:
            age, relation = rng.randint(30, 45), "child"
        else:
            age, relation = rng.randint(3, 17), "child"
        members.append({"name": surname + rng.choice(GIVEN), "id_number": _person(rng, used, _born(rng, age)),
                        "relation": relation})
    if rng.random() < 0.2:
        members[rng.randrange(len(members))]["disability"] = {"type": rng.choice(["physical", "intellectual", "visual"]),
                                                               "grade": rng.randint(1, 4)}
    if rng.random() < 0.15:
        members[rng.randrange(len(members))]["serious_illness"] = True
    per_person = Decimal(rng.randint(1500, 7000)) if eligible else Decimal(rng.randint(11000, 16000))
    income = [{"type": "wage", "amount": str(per_person * size * Decimal("0.7")), "member": 0},
              {"type": "farming", "amount": str(per_person * size * Decimal("0.3"))}]
    if head_age >= 60:
        income.append({"type": "basic_pension", "amount": "1800", "member": 0})
    rigid = []
    if any(m.get("serious_illness") for m in members):
        rigid.append({"kind": "medical", "amount": str(rng.randint(3, 20) * 1000), "member": None})
    address = f"{rng.randint(1, 120)}号"
    phone = f"13{rng.randint(100000000, 999999999)}"
    return {
        "village": village,
        "address": address,
        "phone": phone,
        "bank_name": "青山县农村信用社",
        "bank_account": f"6230 5801 {phone[2:6]} {phone[6:]}00",  # no extra draw: the demo stays the same
        "members": members,
        "income": income,
        "rigid_expenses": rigid,
        "assets": {"financial": str(rng.randint(0, 20) * 1000), "vehicles": [], "homes": 1,
                   "commercial_property": False},
    }


PATHS = {
    "applied": [],
    "correcting": ["request_correction"],
    "not_accepted": ["refuse_application"],
    "withdrawn": ["accept", "withdraw"],
    "accepted": ["accept"],
    "investigating": ["accept", "start_investigation"],
    "preliminary_review": ["accept", "start_investigation", "complete_investigation"],
    "posting": ["accept", "start_investigation", "complete_investigation", "post_notice"],
    "objection": ["accept", "start_investigation", "complete_investigation", "post_notice", "record_objection"],
    "democratic_review": ["accept", "start_investigation", "complete_investigation", "post_notice",
                          "record_objection", "hold_democratic_review"],
    "county_review": ["accept", "start_investigation", "complete_investigation", "post_notice", "submit_to_county"],
    "township_decision": ["accept", "start_investigation", "complete_investigation", "post_notice",
                          "submit_for_decision"],
    "approved": ["accept", "start_investigation", "complete_investigation", "post_notice", "submit", "approve"],
    "refused": ["accept", "start_investigation", "complete_investigation", "post_notice", "submit", "refuse"],
}


def step_data(trigger: str, day: dt.date, *, opinion: str = "approve") -> tuple[str, dict[str, Any], str]:
    """(actor, form data, comment) a township office would record for one step of the demo."""
    d = day.isoformat()
    if trigger == "accept":
        return "zhangmin", {"application": {
            "apply_date": d, "channel": "self", "reason": "家庭成员患病，收入低，生活困难",
            "pledge_signed": True, "authorization_signed": True, "materials": ["id_card", "hukou", "authorization"]}}, ""
    if trigger == "request_correction":
        return "zhangmin", {"correction_notice": {"missing_materials": ["income_statement", "medical_records"],
                                                  "note": "请补交收入申报和病历"}}, ""
    if trigger == "refuse_application":
        return "zhangmin", {"not_accepted": {"reasons": "申请人户籍不在本乡镇，应向户籍地乡镇申请",
                                             "rule": "最低生活保障审核确认办法第四条"}}, ""
    if trigger == "start_investigation":
        return "zhangmin", {}, ""
    if trigger == "complete_investigation":
        return "zhangmin", {
            "verification": {"requested_on": d, "result": "consistent", "items_checked": ["hukou", "social_insurance", "vehicles", "deposits"]},
            "home_visit": {"visit_date": d, "investigators": [{"name": "张敏", "username": "zhangmin"},
                                                             {"name": "李强", "username": "liqiang"}],
                           "family_present": "户主及配偶", "conclusion": "meets"},
            "neighbour_visit": {"visit_date": d, "interviewees": [{"name": "邻居老周"}],
                                "statements": "该户生活确有困难，情况属实"},
        }, ""
    if trigger == "post_notice":
        return "wangfang", {"preliminary_opinion": {"opinion": opinion, "category": "new",
                                                    "comment": "经调查核实，拟同意" if opinion == "approve" else "经调查核实，不符合条件"}}, ""
    if trigger in ("submit_to_county", "submit_for_decision"):
        return "wangfang", {"posting": {"start_date": d, "place": "村务公开栏"}}, ""
    if trigger == "record_objection":
        return "zhangmin", {"objection": {"received_on": d, "objector": "村民（匿名）", "content": "反映该户有经营收入未申报"}}, ""
    if trigger == "hold_democratic_review":
        return "wangfang", {}, ""
    if trigger == "withdraw":
        return "zhangmin", {}, "申请人书面申请撤回"
    if trigger == "approve":
        return "zhaojun", {"approval": {"comment": "同意"}}, ""
    if trigger == "refuse":
        return "zhaojun", {"refusal": {"reasons": "家庭人均收入高于当地低保标准", "rule": "社会救助暂行办法第九条"}}, ""
    raise KeyError(trigger)


def _drive(service: CaseService, view: CaseView, target: str, start: dt.date, today: dt.date,
           rng: random.Random) -> str:
    day = start
    delegated = view.county_delegated
    posted_on = None
    state = view.state
    for trigger in PATHS[target]:
        if trigger == "submit":
            trigger = "submit_for_decision" if delegated else "submit_to_county"
        if trigger in ("submit_to_county", "submit_for_decision"):
            day = max(day, (posted_on or day) + dt.timedelta(days=7))
        else:
            day = day + dt.timedelta(days=rng.randint(1, 4))
        if day > today:
            break
        actor, data, comment = step_data(trigger, day if trigger not in ("submit_to_county", "submit_for_decision")
                                         else posted_on or day)
        if delegated:  # 杏花乡: its caseworkers register and investigate, 陈静 reviews and, delegated, decides
            actor = "zhouli" if actor == "zhangmin" else "chenjing"
            if trigger == "complete_investigation":
                data["home_visit"]["investigators"] = [{"name": "周丽", "username": "zhouli"},
                                                       {"name": "孙伟", "username": "sunwei"}]
        if trigger == "post_notice":
            posted_on = day
            if target == "refused":
                data["preliminary_opinion"]["opinion"] = "refuse"
        try:
            view = service.advance(view.id, trigger, actor, data=data, effective_date=day, comment=comment)
        except DomainError:
            break  # e.g. an ineligible household cannot be approved: it stays where it is
        state = view.state
    return state
