"""Households and walks of the lifecycle tests (复核, 变更, 停保 after an approved 低保 or 特困 case),
dated from a Monday in May 2026."""

from __future__ import annotations

import datetime as dt

D0 = dt.date(2026, 5, 11)  # Monday


def day(n: int) -> str:
    return (D0 + dt.timedelta(days=n)).isoformat()


GAP = {
    "village": "130999101001",
    "members": [
        {"name": "王建国", "id_number": "130102197203150316", "relation": "head"},
        {"name": "李秀兰", "id_number": "130102197508020424", "relation": "spouse", "serious_illness": True},
        {"name": "王小明", "id_number": "130102201205200152", "relation": "child"},
        {"name": "王老汉", "id_number": "130102195001090176", "relation": "parent"},
    ],
    "income": [{"type": "wage", "amount": "14400", "member": 0}, {"type": "farming", "amount": "3600"},
               {"type": "basic_pension", "amount": "1800", "member": 3}],
    "rigid_expenses": [{"kind": "medical", "amount": "6000", "member": 1}],
    "assets": {"financial": "8000", "vehicles": [], "homes": 1},
}
SINGLE = {
    "village": "130999101001",
    "members": [
        {"name": "赵德明", "id_number": "130102198011300513", "relation": "head"},
        {"name": "孙丽", "id_number": "130102198204120623", "relation": "spouse"},
        {"name": "赵晨", "id_number": "130102200509010716", "relation": "child",
         "disability": {"type": "intellectual", "grade": 3}},
    ],
    "income": [{"type": "wage", "amount": "30000", "member": 0}, {"type": "wage", "amount": "6000", "member": 1}],
    "assets": {"financial": "12000", "vehicles": [], "homes": 1},
}
def investigation_on(n: int) -> dict:
    """The investigation forms, dated ``day(n)`` (a form's date lies inside its step)."""
    return {
        "verification": {"requested_on": day(n), "result": "consistent"},
        "home_visit": {"visit_date": day(n), "investigators": [{"name": "张敏"}, {"name": "李强"}],
                       "family_present": "户主", "conclusion": "meets"},
    }


INVESTIGATION = investigation_on(2)


def approved(svc, household) -> dict:
    case = svc.create_case(household, "dibao", "clerk", applied_on=day(0))
    cid = case["id"]
    svc.advance(cid, "accept", "clerk", effective_date=day(1), data={"application": {
        "apply_date": day(0), "channel": "self", "reason": "困难", "pledge_signed": True, "authorization_signed": True}})
    svc.advance(cid, "start_investigation", "clerk", effective_date=day(1))
    svc.advance(cid, "complete_investigation", "clerk", effective_date=day(2), data=INVESTIGATION | {
        "neighbour_visit": {"visit_date": day(2), "interviewees": [{"name": "邻居"}], "statements": "属实"}})
    svc.advance(cid, "post_notice", "reviewer", effective_date=day(3), data={"preliminary_opinion": {
        "opinion": "approve", "category": "new", "comment": "拟同意"}})
    svc.advance(cid, "submit_to_county", "reviewer", effective_date=day(10),
                data={"posting": {"start_date": day(3), "place": "公开栏"}})
    return svc.advance(cid, "approve", "approver", effective_date=day(11))


def run_to_decision(svc, case_id, *, when=20, data=None):
    svc.advance(case_id, "start_investigation", "clerk", effective_date=day(when))
    svc.advance(case_id, "complete_investigation", "clerk", effective_date=day(when + 1), data=investigation_on(when))
    view = svc.advance(case_id, "submit_to_county", "reviewer", effective_date=day(when + 2), data={
        "preliminary_opinion": {"opinion": "approve", "category": "adjust", "comment": "复核"}})
    return view


TEKUN = {
    "village": "130999101001",
    "members": [{"name": "刘福", "id_number": "130102194806180932", "relation": "head"}],
    "income": [{"type": "transfer", "amount": "1200", "member": 0}],
    "assets": {"financial": "3000", "homes": 1},
}
