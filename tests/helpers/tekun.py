"""特困 and 临时救助 applications walked by the services: the households, the forms of each step,
and the walks to 县级审核 (特困) and to 公示 (临时救助), dated from a Monday in October 2026."""

from __future__ import annotations

import datetime as dt

D0 = dt.date(2026, 10, 12)  # Monday


def day(n: int) -> str:
    return (D0 + dt.timedelta(days=n)).isoformat()


ELDER = {
    "village": "130999101001",
    "members": [{"name": "刘福", "id_number": "130102194806180932", "relation": "head"}],
    "income": [{"type": "basic_pension", "amount": "1560", "member": 0},
               {"type": "transfer", "amount": "1200", "member": 0}],
    "assets": {"financial": "3000", "homes": 1},
}
TEKUN_APP = {"tekun_application": {"apply_date": day(0), "channel": "self", "reason": "孤寡老人，无生活来源",
                                   "no_able_supporter": True, "supporter_unable_reason": "none_exists",
                                   "pledge_signed": True, "authorization_signed": True}}


def tekun_investigation(mode="centralised", **supply):
    return {
        "verification": {"requested_on": day(1), "result": "consistent"},
        "home_visit": {"visit_date": day(2), "investigators": [{"name": "张敏"}, {"name": "李强"}],
                       "family_present": "本人", "conclusion": "meets"},
        "self_care": {"eating": "managed", "dressing": "unable", "transfer": "managed", "toileting": "managed",
                      "walking": "managed", "bathing": "unable", "assessed_on": day(2), "assessor": "县社会福利中心"},
        "supply_arrangement": {"mode": mode, **supply},
    }


OPINION = {"preliminary_opinion": {"opinion": "approve", "category": "new", "comment": "拟同意"}}


def tekun_to_county(svc, household=ELDER, app=TEKUN_APP, inv=None):
    case = svc.create_case(household, "tekun", "clerk", applied_on=day(0))
    cid = case["id"]
    view = svc.advance(cid, "accept", "clerk", data=app, effective_date=day(0))
    assert view["state"] == "investigating"
    assert view["deadline"]["state"] == "2026-11-02"  # 15 working days for investigation and 初审
    svc.advance(cid, "complete_investigation", "clerk", data=inv or tekun_investigation(), effective_date=day(3))
    svc.advance(cid, "post_notice", "reviewer", data=OPINION, effective_date=day(4))
    return svc.advance(cid, "submit_to_county", "reviewer",
                       data={"posting": {"start_date": day(4), "place": "村务公开栏"}}, effective_date=day(11))


def temp_household(kind="urgent", amount="5000", cause="房屋火灾"):
    return {
        "village": "130999101001",
        "members": [{"name": "赵德明", "id_number": "130102198011300513", "relation": "head"},
                    {"name": "孙丽", "id_number": "130102198204120623", "relation": "spouse"}],
        "income": [{"type": "wage", "amount": "24000", "member": 0}],
        "assets": {"financial": "2000", "homes": 1},
        "temporary": {"type": kind, "amount": amount, "cause": cause},
    }


TEMP_APP = {"temporary_application": {"apply_date": day(0), "channel": "self", "reason": "夜间房屋失火",
                                      "pledge_signed": True, "authorization_signed": True}}
TEMP_INV = {
    "verification": {"requested_on": day(3), "result": "consistent"},
    "home_visit": {"visit_date": day(3), "investigators": [{"name": "张敏"}, {"name": "李强"}],
                   "family_present": "户主", "conclusion": "meets"},
}


def temp_to_posting(svc, household, first_aid=False):
    case = svc.create_case(household, "temporary", "clerk", applied_on=day(0))
    cid = case["id"]
    svc.advance(cid, "accept", "clerk", data=TEMP_APP, effective_date=day(0))
    if first_aid:
        view = svc.advance(cid, "pay_first", "reviewer", data={"first_aid": {
            "paid_on": day(1), "amount": "3000", "method": "cash", "reason": "火灾后无处安身，先行救助"}},
            effective_date=day(1))
        assert view["state"] == "first_aid_paid" and not view["closed"]
        assert view["pending_completion"] == ["家庭经济状况信息核对", "入户调查", "公示", "审批"]
    svc.advance(cid, "start_investigation", "clerk", effective_date=day(2))
    view = svc.advance(cid, "complete_investigation", "clerk", data=TEMP_INV, effective_date=day(3))
    if first_aid:
        assert view["pending_completion"] == ["公示", "审批"]
    return svc.advance(cid, "post_notice", "reviewer", data=OPINION, effective_date=day(4))


POSTED = {"posting": {"start_date": day(4), "place": "村务公开栏"}}
