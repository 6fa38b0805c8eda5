"""A small township with benefits of every kind at known dates, built through the services, for the
statistics, ledger and campaign tests. Figures of October 2026 are worked out by hand in
tests/integration/test_statistics.py.

前进村 (rural) and 城关社区 (urban, added here) belong to 河东镇, whose decisions the county takes.
"""

from __future__ import annotations

import datetime as dt

from doudi_desk.domain.ids import make_id

URBAN = "130999101002"  # 城关社区
RURAL = "130999101001"  # 前进村


def pid(born: str, seq: int) -> str:
    return make_id("130102", dt.date.fromisoformat(born), seq)


def d(text: str, n: int = 0) -> str:
    return (dt.date.fromisoformat(text) + dt.timedelta(days=n)).isoformat()


def member(name, born, seq, relation="head", **extra):
    return {"name": name, "id_number": pid(born, seq), "relation": relation} | extra


def gap_household(village, surname, seq):
    """Four people, net income 14,400 + 3,600 − 1,440 − 6,000 over 12 months: 2,792 a month."""
    return {
        "village": village,
        "members": [member(f"{surname}建国", "1972-03-15", seq), member(f"李{surname}兰", "1975-08-02", seq + 1,
                                                                        "spouse", serious_illness=True),
                    member(f"{surname}小明", "2012-05-20", seq + 2, "child"),
                    member(f"{surname}老汉", "1950-01-09", seq + 3, "parent")],
        "income": [{"type": "wage", "amount": "14400", "member": 0}, {"type": "farming", "amount": "3600"},
                   {"type": "basic_pension", "amount": "1800", "member": 3}],
        "rigid_expenses": [{"kind": "medical", "amount": "6000", "member": 1}],
        "assets": {"financial": "8000", "vehicles": [], "homes": 1},
    }


def single_household(village, surname, seq):
    """Three people, above the standard as a whole: the grade-3 intellectually disabled son alone."""
    return {
        "village": village,
        "members": [member(f"{surname}德明", "1980-11-30", seq), member(f"孙{surname}丽", "1982-04-12", seq + 1, "spouse"),
                    member(f"{surname}晨", "2005-09-01", seq + 2, "child", disability={"type": "intellectual", "grade": 3})],
        "income": [{"type": "wage", "amount": "30000", "member": 0}, {"type": "wage", "amount": "6000", "member": 1}],
        "assets": {"financial": "12000", "vehicles": [], "homes": 1},
    }


def elder(village, name, seq, born="1948-06-18"):
    return {"village": village, "members": [member(name, born, seq)],
            "income": [{"type": "transfer", "amount": "1200", "member": 0}], "assets": {"financial": "3000", "homes": 1}}


def investigation(day0, after=2):
    """The investigation's forms, dated ``after`` days from ``day0`` (within the step's span)."""
    return {
        "verification": {"requested_on": d(day0, after), "result": "consistent"},
        "home_visit": {"visit_date": d(day0, after), "investigators": [{"name": "张敏"}, {"name": "李强"}],
                       "family_present": "户主", "conclusion": "meets"},
    }


def dibao_to_county(svc, household, day0, *, objection_on=None):
    """Applied on ``day0``, accepted the next day, posted on day 3, at the county on day 10."""
    cid = svc.create_case(household, "dibao", "clerk", applied_on=day0)["id"]
    return dibao_steps(svc, cid, day0, objection_on=objection_on)


def dibao_steps(svc, cid, day0, *, objection_on=None):
    """An application registered on ``day0`` taken to the county (see dibao_to_county)."""
    svc.advance(cid, "accept", "clerk", effective_date=d(day0, 1), data={"application": {
        "apply_date": day0, "channel": "self", "reason": "困难", "pledge_signed": True, "authorization_signed": True}})
    svc.advance(cid, "start_investigation", "clerk", effective_date=d(day0, 1))
    svc.advance(cid, "complete_investigation", "clerk", effective_date=d(day0, 2), data=investigation(day0) | {
        "neighbour_visit": {"visit_date": d(day0, 2), "interviewees": [{"name": "邻居"}], "statements": "属实"}})
    svc.advance(cid, "post_notice", "reviewer", effective_date=d(day0, 3), data={"preliminary_opinion": {
        "opinion": "approve", "category": "new", "comment": "拟同意"}})
    if objection_on:
        svc.advance(cid, "record_objection", "clerk", effective_date=objection_on,
                    data={"objection": {"received_on": objection_on, "content": "收入不实"}})
        return svc.show(cid)
    return svc.advance(cid, "submit_to_county", "reviewer", effective_date=d(day0, 10),
                       data={"posting": {"start_date": d(day0, 3), "place": "公开栏"}})


def approve_dibao(svc, household, day0):
    """Approved on day 11 of ``day0``: paid from the month after."""
    view = dibao_to_county(svc, household, day0)
    return svc.advance(view["id"], "approve", "approver", effective_date=d(day0, 11))


def refuse_dibao(svc, household, day0):
    view = dibao_to_county(svc, household, day0)
    return svc.advance(view["id"], "refuse", "approver", effective_date=d(day0, 11),
                       data={"refusal": {"reasons": "家庭收入高于低保标准"}})


def tekun(svc, household, day0, *, mode="centralised", unable=2):
    """A 特困 approved on day 12 (``unable`` of the six daily activities not managed)."""
    items = ("eating", "dressing", "transfer", "toileting", "walking", "bathing")
    cid = svc.create_case(household, "tekun", "clerk", applied_on=day0)["id"]
    svc.advance(cid, "accept", "clerk", effective_date=day0, data={"tekun_application": {
        "apply_date": day0, "channel": "self", "reason": "孤寡老人", "no_able_supporter": True,
        "supporter_unable_reason": "none_exists", "pledge_signed": True, "authorization_signed": True}})
    supply = ({"mode": "centralised", "institution": "县敬老院"} if mode == "centralised" else
              {"mode": "dispersed", "carer": [{"name": "刘小梅", "role": "侄女"}], "care_agreement_signed": True})
    svc.advance(cid, "complete_investigation", "clerk", effective_date=d(day0, 3), data=investigation(day0) | {
        "self_care": {k: ("unable" if i < unable else "managed") for i, k in enumerate(items)}
        | {"assessed_on": d(day0, 2), "assessor": "县社会福利中心"},
        "supply_arrangement": supply})
    svc.advance(cid, "post_notice", "reviewer", effective_date=d(day0, 4), data={"preliminary_opinion": {
        "opinion": "approve", "category": "new", "comment": "拟同意"}})
    svc.advance(cid, "submit_to_county", "reviewer", effective_date=d(day0, 11),
                data={"posting": {"start_date": d(day0, 4), "place": "公开栏"}})
    return svc.advance(cid, "approve", "approver", effective_date=d(day0, 12))


def temporary(svc, village, surname, seq, day0, *, kind="urgent", amount="5000", first_aid=None):
    """A 临时救助 approved on day 12 (by the township below 10,000, else by the county)."""
    household = {"village": village, "members": [member(f"{surname}大山", "1980-01-01", seq)],
                 "income": [{"type": "wage", "amount": "6000", "member": 0}], "assets": {"financial": "2000", "homes": 1},
                 "temporary": {"type": kind, "amount": amount, "cause": "房屋火灾" if kind == "urgent" else "子女学费"}}
    cid = svc.create_case(household, "temporary", "clerk", applied_on=day0)["id"]
    svc.advance(cid, "accept", "clerk", effective_date=day0, data={"temporary_application": {
        "apply_date": day0, "channel": "self", "reason": "困难", "pledge_signed": True, "authorization_signed": True}})
    if first_aid:
        svc.advance(cid, "pay_first", "reviewer", effective_date=d(day0, 1), data={"first_aid": {
            "paid_on": d(day0, 1), "amount": first_aid, "method": "cash", "reason": "先行救助"}})
    svc.advance(cid, "start_investigation", "clerk", effective_date=d(day0, 2))
    svc.advance(cid, "complete_investigation", "clerk", effective_date=d(day0, 3), data=investigation(day0))
    view = svc.advance(cid, "post_notice", "reviewer", effective_date=d(day0, 4), data={"preliminary_opinion": {
        "opinion": "approve", "category": "new", "comment": "拟同意"}})
    township = view["proposal"]["approval_level"] == "township"
    svc.advance(cid, "submit_for_township_approval" if township else "submit_to_county", "reviewer",
                effective_date=d(day0, 11), data={"posting": {"start_date": d(day0, 4), "place": "公开栏"}})
    return svc.advance(cid, "approve", "reviewer" if township else "approver", effective_date=d(day0, 12))


def decide_change(svc, view, when, reasons):
    """Investigate and decide a change or review case opened by the lifecycle service."""
    cid = view["id"]
    svc.advance(cid, "start_investigation", "clerk", effective_date=when)
    svc.advance(cid, "complete_investigation", "clerk", effective_date=d(when, 1), data=investigation(when, after=1))
    svc.advance(cid, "submit_to_county", "reviewer", effective_date=d(when, 2), data={
        "preliminary_opinion": {"opinion": "approve", "category": "adjust", "comment": reasons}})
    return svc.advance(cid, "decide", "approver", effective_date=d(when, 3),
                       data={"review_decision": {"reasons": reasons}})


def terminate(svc, life, parent_id, when, reasons="家庭收入超过标准"):
    view = life.start_termination(parent_id, "clerk", "income_over", reasons, effective_date=when)
    svc.advance(view["id"], "submit_to_county", "clerk", effective_date=when)
    return svc.advance(view["id"], "terminate", "approver", effective_date=d(when, 1))


def build_township(office) -> dict:
    """The fixture of the statistics tests; returns the views of the cases by name."""
    from doudi_desk.services.admin import AdminService
    from doudi_desk.services.cases import CaseService
    from doudi_desk.services.lifecycle import LifecycleService

    AdminService(office).add_area(URBAN, "城关社区", "village", "130999101")
    svc = CaseService(office)
    life = LifecycleService(svc)
    out = {}
    # A: 前进村, approved 2026-08-14 → paid from September; 渐退 decided in November, from December.
    out["A"] = approve_dibao(svc, gap_household(RURAL, "王", 11), "2026-08-03")
    # B: 前进村, approved 2026-08-14, stopped by a 停保 decided 2026-09-22 → out from October.
    out["B"] = approve_dibao(svc, gap_household(RURAL, "钱", 21), "2026-08-03")
    out["B_stop"] = terminate(svc, life, out["B"]["id"], "2026-09-21")
    # C: 城关社区, approved 2026-05-22 → from June; new job, 渐退 decided 2026-06-18 → July to December.
    out["C"] = approve_dibao(svc, gap_household(URBAN, "孙", 31), "2026-05-11")
    change = life.start_change(out["C"]["id"], "clerk", {"change_type": "new_job", "change_date": "2026-06-10",
                                                          "member": "孙建国", "amount": "60000", "detail": "务工"},
                               effective_date="2026-06-12")
    out["C_phase"] = decide_change(svc, change, "2026-06-15", "就业收入超过标准，给予渐退")
    # D: 前进村, 单人户, approved 2026-09-25 → new in October; lowered in November (from December).
    out["D"] = approve_dibao(svc, single_household(RURAL, "赵", 41), "2026-09-14")
    # E: 特困, 前进村, 集中供养, 半失能 (2 activities), approved 2026-08-15 → from September.
    out["E"] = tekun(svc, elder(RURAL, "刘福", 51), "2026-08-03")
    # F: 特困, 城关社区, 分散供养, 全失能 (5 activities), approved 2026-09-26 → new in October.
    out["F"] = tekun(svc, elder(URBAN, "周寿", 61, born="1940-02-02"), "2026-09-14", mode="dispersed", unable=5)
    # G: 临时救助, 前进村, 急难型, 先行救助 3,000 on 2026-10-06, approved 5,000 by the township 2026-10-17.
    out["G"] = temporary(svc, RURAL, "吴", 71, "2026-10-05", first_aid="3000")
    # H: 临时救助, 城关社区, 支出型, 12,000 approved by the county 2026-10-17.
    out["H"] = temporary(svc, URBAN, "郑", 81, "2026-10-05", kind="expenditure", amount="12000")
    # I: 临时救助, 前进村, 急难型 2,000 approved 2026-09-15 (September, not October).
    out["I"] = temporary(svc, RURAL, "冯", 91, "2026-09-03", amount="2000")
    # J: refused 2026-10-16 (applied 2026-10-05): decided in October, refused.
    out["J"] = refuse_dibao(svc, gap_household(RURAL, "陈", 101), "2026-10-05")
    # K: an objection received 2026-10-22 during 公示, still open at the end of October.
    out["K"] = dibao_to_county(svc, gap_household(RURAL, "卫", 111), "2026-10-12", objection_on="2026-10-22")
    # L: 城关社区, accepted 2026-08-04 and left in investigation: past its 30 working days by October.
    cid = svc.create_case(gap_household(URBAN, "蒋", 121), "dibao", "clerk", applied_on="2026-08-03")["id"]
    out["L"] = svc.advance(cid, "accept", "clerk", effective_date="2026-08-04", data={"application": {
        "apply_date": "2026-08-03", "channel": "self", "reason": "困难", "pledge_signed": True,
        "authorization_signed": True}})
    return out


def later_changes(office, out: dict) -> dict:
    """Decisions taken in November, effective from December: they must not alter October."""
    from doudi_desk.services.cases import CaseService
    from doudi_desk.services.lifecycle import LifecycleService

    svc = CaseService(office)
    life = LifecycleService(svc)
    change = life.start_change(out["A"]["id"], "clerk", {"change_type": "new_job", "change_date": "2026-11-02",
                                                          "member": "王建国", "amount": "60000", "detail": "务工"},
                               effective_date="2026-11-03")
    out["A_phase"] = decide_change(svc, change, "2026-11-04", "就业收入超过标准，给予渐退")
    review = life.start_review(out["D"]["id"], "clerk", effective_date="2026-11-09")
    svc.advance(review["id"], "start_investigation", "clerk", effective_date="2026-11-09")
    richer = single_household(RURAL, "赵", 41)
    richer["income"] = richer["income"] + [{"type": "business", "amount": "3000", "member": 2}]
    svc.update_household(review["id"], "clerk", richer, effective_date="2026-11-09", comment="赵晨开网店")
    svc.advance(review["id"], "complete_investigation", "clerk", effective_date="2026-11-10",
                data=investigation("2026-11-09", after=1))
    svc.advance(review["id"], "submit_to_county", "reviewer", effective_date="2026-11-11", data={
        "preliminary_opinion": {"opinion": "approve", "category": "adjust", "comment": "减发"}})
    out["D_lower"] = svc.advance(review["id"], "decide", "approver", effective_date="2026-11-12",
                                 data={"review_decision": {"reasons": "新增经营收入"}})
    return out
