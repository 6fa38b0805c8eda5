"""After approval: reviews, reported changes, 渐退 and termination (procedures.md §1.9, policy.md §9)."""

from __future__ import annotations

import datetime as dt

import pytest

from doudi_desk.domain.errors import DomainError
from doudi_desk.services.lifecycle import LifecycleService, effective_status
from tests.helpers.lifecycle import (
    GAP,
    INVESTIGATION,
    SINGLE,
    TEKUN,
    approved,
    day,
    investigation_on,
    run_to_decision,
)
from tests.helpers.office import dump_db


@pytest.fixture
def svc(office):
    from doudi_desk.services.cases import CaseService

    return CaseService(office)


@pytest.fixture
def life(svc):
    return LifecycleService(svc)


def test_approval_opens_the_benefit_with_its_review_date(svc):
    view = approved(svc, GAP)
    b = view["benefit"]
    assert (b["status"], b["monthly_amount"], b["since_month"], b["review_interval_months"]) == (
        "active", "2792", "2026-06", 6)
    assert view["next_review_on"] == "2026-12-01"


def test_review_that_lowers_the_amount(svc, life, office):
    parent = approved(svc, GAP)
    assert [r["case"] for r in life.due_reviews("2026-12")] == [parent["number"]]
    assert life.due_reviews("2026-11") == []
    review = life.start_review(parent["number"], "clerk", effective_date=day(20))
    assert review["kind"] == "review" and review["parent_case"] == parent["number"]
    assert review["household"]["members"] == 4  # pre-filled from the last determination
    with pytest.raises(DomainError, match="未办结"):
        life.start_review(parent["number"], "clerk", effective_date=day(20))
    richer = dict(GAP, income=GAP["income"] + [{"type": "business", "amount": "9600"}])
    svc.advance(review["id"], "start_investigation", "clerk", effective_date=day(20))
    svc.update_household(review["id"], "clerk", richer, effective_date=day(20), comment="开了小卖部")
    svc.advance(review["id"], "complete_investigation", "clerk", effective_date=day(21), data=investigation_on(20))
    view = svc.advance(review["id"], "submit_to_county", "reviewer", effective_date=day(22), data={
        "preliminary_opinion": {"opinion": "approve", "category": "adjust", "comment": "减发"}})
    assert view["proposal"]["monthly_amount"] == "1992"
    # In the county's queue, but decided on its case page: the batch (approve) does not apply to it.
    from doudi_desk.services.batch import BatchService
    from doudi_desk.services.queries import QueryService

    [row] = [r for r in QueryService(office).supervisor_queue("approver") if r["id"] == review["id"]]
    assert (row["batchable"], row["approve_label"]) == (False, "复核决定（在案件页办理）")
    result = BatchService(office).run([{"id": review["id"], "version": row["version"]}], "approve", "approver")
    assert not result["done"] and len(result["failed"]) == 1
    before = dump_db(office.db_path)
    with pytest.raises(DomainError, match="减发，须书面说明理由"):
        svc.advance(review["id"], "decide", "approver", effective_date=day(23))
    assert dump_db(office.db_path) == before
    view = svc.advance(review["id"], "decide", "approver", effective_date=day(23),
                       data={"review_decision": {"reasons": "新增经营收入"}})
    assert view["decision"]["result"] == "lower"
    assert (view["decision"]["previous_amount"], view["decision"]["monthly_amount"]) == ("2792", "1992")
    assert view["decision"]["effective_month"] == "2026-07"
    parent = svc.show(parent["id"])
    assert parent["benefit"]["monthly_amount"] == "1992"
    assert parent["next_review_on"] == "2027-01-01"
    assert [h["result"] for h in parent["benefit"]["history"]] == ["approved", "lower"]
    assert parent["history"][-1]["trigger"] == "benefit_lower"
    assert "新增经营收入" in parent["history"][-1]["comment"]
    # The village's 公布名单 and the 花名册 show what is paid now, not the first decision's amount.
    from doudi_desk.services.printing import PrintService
    from tests.printing_helpers import flat, pages_text

    for pdf in (PrintService(office).publication_list("130999101001"), PrintService(office).roster("130999101001")):
        text = flat("".join(pages_text(pdf)))
        assert "1992" in text and "2792" not in text


def test_death_of_the_only_covered_member_proposes_termination(svc, life):
    parent = approved(svc, SINGLE)
    assert parent["benefit"]["covered"] == [2]
    view = life.start_change(parent["id"], "clerk", {"change_type": "death", "change_date": day(30),
                                                      "member": "赵晨", "detail": "因病去世"}, effective_date=day(31))
    assert view["kind"] == "termination"
    assert view["forms"]["termination"]["reason"] == "death"
    view = svc.advance(view["id"], "submit_to_county", "clerk", effective_date=day(32))
    view = svc.advance(view["id"], "terminate", "approver", effective_date=day(33))
    assert view["state"] == "terminated" and view["decision"]["result"] == "stop"
    parent = svc.show(parent["id"])
    assert parent["benefit"]["status"] == "stopped" and parent["benefit"]["stopped_from"] == "2026-07"
    assert parent["next_review_on"] is None
    # Paid for June, not from July.
    assert effective_status(parent["benefit"], dt.date(2026, 6, 30)) == "active"
    assert effective_status(parent["benefit"], dt.date(2026, 7, 1)) == "stopped"
    # Stopped: off the village's 公布名单 and the 花名册 (today is 2026-11-23).
    from doudi_desk.services.printing import PrintService

    with pytest.raises(DomainError, match="没有在保的最低生活保障家庭"):
        PrintService(svc.ctx).publication_list("130999101001")
    with pytest.raises(DomainError, match="没有在保家庭"):
        PrintService(svc.ctx).roster("130999101001")


def test_death_of_another_member_opens_a_change_due_within_three_months(svc, life):
    parent = approved(svc, GAP)
    view = life.start_change(parent["id"], "clerk", {"change_type": "death", "change_date": "2026-06-15",
                                                      "member": "王老汉", "detail": "老人去世"}, effective_date=day(40))
    assert view["kind"] == "change" and view["household"]["members"] == 3
    assert view["deadline"]["total"] == "2026-09-15"
    view = run_to_decision(svc, view["id"], when=41)
    # 3 members: net 10,560 → 293.33/月; (720 − 293.33) × 3 + 360 + 216 = 1,856.01 → 1,856
    assert view["proposal"]["monthly_amount"] == "1856"
    view = svc.advance(view["id"], "decide", "approver", effective_date=day(44),
                       data={"review_decision": {"reasons": "家庭成员减少"}})
    assert view["decision"]["result"] == "lower"


def test_new_job_lifts_the_household_over_the_line_phase_out(svc, life):
    parent = approved(svc, GAP)
    view = life.start_change(parent["id"], "clerk", {"change_type": "new_job", "change_date": day(30),
                                                      "member": "王建国", "amount": "60000",
                                                      "detail": "户主在县城务工"}, effective_date=day(31))
    view = run_to_decision(svc, view["id"], when=31)
    assert view["proposal"]["eligible"] is False and view["proposal"]["failed"] == ["income_over_standard"]
    view = svc.advance(view["id"], "decide", "approver", effective_date=day(35),
                       data={"review_decision": {"reasons": "就业收入超过低保标准，给予渐退"}})
    d = view["decision"]
    assert (d["result"], d["monthly_amount"], d["effective_month"], d["phase_out_until"]) == (
        "phase_out", "2792", "2026-07", "2026-12")
    benefit = svc.show(parent["id"])["benefit"]
    months = {m: effective_status(benefit, dt.date(2026, m, 15)) for m in (7, 9, 12)}
    assert months == {7: "phasing_out", 9: "phasing_out", 12: "phasing_out"}
    assert effective_status(benefit, dt.date(2027, 1, 1)) == "stopped"
    assert [b["status"] for b in life.benefits()] == ["phasing_out"]


def test_income_rise_not_from_work_stops_without_phase_out(svc, life):
    parent = approved(svc, GAP)
    view = life.start_review(parent["id"], "clerk", effective_date=day(30))
    svc.advance(view["id"], "start_investigation", "clerk", effective_date=day(30))
    rich = dict(GAP, income=GAP["income"] + [{"type": "property", "amount": "60000"}])
    svc.update_household(view["id"], "clerk", rich, effective_date=day(30), comment="土地流转收入")
    svc.advance(view["id"], "complete_investigation", "clerk", effective_date=day(31), data=investigation_on(30))
    svc.advance(view["id"], "submit_to_county", "reviewer", effective_date=day(32), data={
        "preliminary_opinion": {"opinion": "refuse", "category": "stop", "comment": "停发"}})
    view = svc.advance(view["id"], "decide", "approver", effective_date=day(33),
                       data={"review_decision": {"reasons": "土地流转收入超过标准"}})
    assert view["decision"]["result"] == "stop"
    assert svc.show(parent["id"])["benefit"]["status"] == "stopped"


def test_tekun_termination_runs_its_own_seven_day_posting(svc, life):
    case = svc.create_case(TEKUN, "tekun", "clerk", applied_on=day(0))
    cid = case["id"]
    svc.advance(cid, "accept", "clerk", effective_date=day(0), data={"tekun_application": {
        "apply_date": day(0), "channel": "self", "reason": "孤老", "no_able_supporter": True,
        "supporter_unable_reason": "none_exists", "pledge_signed": True, "authorization_signed": True}})
    svc.advance(cid, "complete_investigation", "clerk", effective_date=day(2), data=INVESTIGATION | {
        "self_care": {k: "managed" for k in ("eating", "dressing", "transfer", "toileting", "walking", "bathing")}
        | {"assessed_on": day(2), "assessor": "县福利中心"},
        "supply_arrangement": {"mode": "centralised", "institution": "县敬老院"}})
    svc.advance(cid, "post_notice", "reviewer", effective_date=day(3), data={"preliminary_opinion": {
        "opinion": "approve", "category": "new", "comment": "拟同意"}})
    svc.advance(cid, "submit_to_county", "reviewer", effective_date=day(10),
                data={"posting": {"start_date": day(3), "place": "公开栏"}})
    parent = svc.advance(cid, "approve", "approver", effective_date=day(11))
    assert parent["benefit"]["review_interval_months"] == 12 and parent["next_review_on"] == "2027-06-01"
    view = life.start_termination(parent["id"], "clerk", "work_ability", "经鉴定已恢复劳动能力", effective_date=day(40))
    tid = view["id"]
    svc.advance(tid, "start_investigation", "clerk", effective_date=day(40))
    svc.advance(tid, "post_notice", "reviewer", effective_date=day(41), data={"home_visit": investigation_on(40)["home_visit"]})
    with pytest.raises(DomainError, match="公示期"):
        svc.advance(tid, "submit_to_county", "reviewer", effective_date=day(45),
                    data={"posting": {"start_date": day(41), "place": "公开栏"}})
    svc.advance(tid, "submit_to_county", "reviewer", effective_date=day(48),
                data={"posting": {"start_date": day(41), "place": "公开栏"}})
    view = svc.advance(tid, "terminate", "approver", effective_date=day(49))
    assert view["state"] == "terminated"
    assert svc.show(parent["id"])["benefit"]["stopped_from"] == "2026-07"


def test_only_covered_cases_can_be_reviewed(svc, life):
    case = svc.create_case(GAP, "dibao", "clerk", applied_on=day(0))
    with pytest.raises(DomainError, match="不是在保"):
        life.start_review(case["id"], "clerk", effective_date=day(1))
    parent = approved(svc, SINGLE)
    with pytest.raises(DomainError, match="无权"):
        life.start_review(parent["id"], "approver", effective_date=day(20))


def test_monitoring_lists_a_family_once_and_lists_follow_the_area(svc, life, office):
    from doudi_desk.services.monitoring import household_flags

    parent = approved(svc, GAP)
    life.start_review(parent["id"], "clerk", effective_date=day(20))
    rows = household_flags(office)
    assert [r["head"] for r in rows] == ["王建国"]  # the review's copy stands for the family
    assert household_flags(office, villages=["130999102001"]) == []
    assert life.benefits(villages=["130999102001"]) == [] and len(life.benefits()) == 1
    assert life.due_reviews("2026-12", villages=["130999102001"]) == []
