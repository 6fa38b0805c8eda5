"""A 低保 application walked through workflows/dibao.yaml by the services: the household of 王建国,
the forms of each step, and the walks to 初审, 公示 and 县级审核 most tests start from."""

from __future__ import annotations

import datetime as dt

from doudi_desk.domain.ids import make_id
from tests.helpers.names import han_name

D0 = dt.date(2026, 10, 9)  # a Friday, after the National Day holiday


def day(n: int) -> str:
    return (D0 + dt.timedelta(days=n)).isoformat()


def household(village="130999101001", **extra):
    h = {
        "village": village,
        "members": [
            {"name": "王建国", "id_number": "130102197203150316", "relation": "head"},
            {"name": "李秀兰", "id_number": "130102197508020424", "relation": "spouse", "serious_illness": True},
            {"name": "王小明", "id_number": "130102201205200152", "relation": "child"},
            {"name": "王老汉", "id_number": "130102195001090176", "relation": "parent"},
        ],
        "income": [
            {"type": "wage", "amount": "14400", "member": 0},
            {"type": "farming", "amount": "3600"},
            {"type": "basic_pension", "amount": "1800", "member": 3},
        ],
        "rigid_expenses": [{"kind": "medical", "amount": "6000", "member": 1}],
        "assets": {"financial": "8000", "vehicles": [], "homes": 1, "commercial_property": False},
    }
    h.update(extra)
    return h


APPLICATION = {"application": {"apply_date": day(0), "channel": "self", "reason": "因病致贫",
                               "pledge_signed": True, "authorization_signed": True}}


def investigation(investigators=("张敏", "李强")):
    return {
        "verification": {"requested_on": day(2), "result": "consistent"},
        "home_visit": {"visit_date": day(3), "investigators": [{"name": n} for n in investigators],
                       "family_present": "户主、配偶", "conclusion": "meets"},
        "neighbour_visit": {"visit_date": day(3), "interviewees": [{"name": "邻居老周"}], "statements": "情况属实"},
    }


OPINION = {"preliminary_opinion": {"opinion": "approve", "category": "new", "comment": "拟同意"}}
POSTING = {"posting": {"start_date": day(5), "place": "村务公开栏"}}


def to_preliminary(svc, village="130999101001"):
    case = svc.create_case(household(village), "dibao", "clerk", applied_on=day(0))
    cid = case["id"]
    svc.advance(cid, "accept", "clerk", data=APPLICATION, effective_date=day(1))
    svc.advance(cid, "start_investigation", "clerk", effective_date=day(2))
    return svc.advance(cid, "complete_investigation", "clerk", data=investigation(), effective_date=day(4))


def to_posting(svc, village="130999101001"):
    view = to_preliminary(svc, village)
    return svc.advance(view["id"], "post_notice", "reviewer", data=OPINION, effective_date=day(5))


def to_county(svc, seq):
    """A one-person household (ID from seq) driven to 县级审核确认."""
    h = household(members=[{"name": han_name("孙", seq), "id_number": make_id("130102", dt.date(1960, 1, 1), seq),
                            "relation": "head", "serious_illness": True}],
                  income=[{"type": "farming", "amount": "1200"}], rigid_expenses=[])
    cid = svc.create_case(h, "dibao", "clerk", applied_on=day(0))["id"]
    svc.advance(cid, "accept", "clerk", data=APPLICATION, effective_date=day(1))
    svc.advance(cid, "start_investigation", "clerk", effective_date=day(2))
    svc.advance(cid, "complete_investigation", "clerk", data=investigation(), effective_date=day(4))
    svc.advance(cid, "post_notice", "reviewer", data=OPINION, effective_date=day(5))
    return svc.advance(cid, "submit_to_county", "reviewer", data=POSTING, effective_date=day(12))


def investigating(office):
    """A 低保 case of 王建国's household, accepted and in 入户调查."""
    from doudi_desk.services.cases import CaseService

    svc = CaseService(office)
    cid = svc.create_case(household(), "dibao", "clerk", applied_on=day(0))["id"]
    svc.advance(cid, "accept", "clerk", data=APPLICATION, effective_date=day(1))
    svc.advance(cid, "start_investigation", "clerk", effective_date=day(2))
    return svc, cid
