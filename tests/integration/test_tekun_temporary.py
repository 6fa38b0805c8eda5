"""特困 and 临时救助 end to end through the services; the staff-relative rule for every programme."""

from __future__ import annotations

import pytest

from doudi_desk.domain.errors import DomainError, RepeatClaim
from tests.helpers.office import dump_db
from tests.helpers.tekun import (
    ELDER,
    OPINION,
    POSTED,
    TEKUN_APP,
    TEMP_APP,
    day,
    tekun_investigation,
    tekun_to_county,
    temp_household,
    temp_to_posting,
)


@pytest.fixture
def svc(office):
    from doudi_desk.services.cases import CaseService

    return CaseService(office)


def test_tekun_approved_with_care_level_and_supply_mode(svc):
    view = tekun_to_county(svc)
    assert view["state"] == "county_review"
    assert view["proposal"]["tekun_care_level"] == "partial"  # two of six activities not managed
    assert view["proposal"]["monthly_amount"] == "1166"  # round(720 × 1.3) + 230
    assert view["deadline"]["state"] == "2026-11-13"  # county decides within 15 working days
    view = svc.advance(view["id"], "approve", "approver", data={"tekun_approval": {"spot_checked": True}},
                       effective_date=day(12))
    d = view["decision"]
    assert (view["state"], d["monthly_amount"], d["care_level"], d["supply_mode"], d["spot_checked"],
            d["start_month"]) == ("approved", "1166", "partial", "centralised", True, "2026-11")


def test_tekun_dispersed_supply_needs_a_care_agreement_before_approval(svc):
    view = tekun_to_county(svc, inv=tekun_investigation("dispersed"))
    with pytest.raises(DomainError, match="照料协议"):
        svc.advance(view["id"], "approve", "approver", effective_date=day(12))
    cid = view["id"]
    svc.advance(cid, "return_case", "approver", effective_date=day(12), comment="补签照料协议")
    svc.save_forms(cid, "clerk", {"supply_arrangement": {"carer": [{"name": "刘小梅", "role": "侄女"}],
                                                         "care_agreement_signed": True}}, effective_date=day(13))
    svc.advance(cid, "complete_investigation", "clerk", effective_date=day(13))
    svc.advance(cid, "post_notice", "reviewer", effective_date=day(14))
    svc.advance(cid, "submit_to_county", "reviewer", data={"posting": {"start_date": day(14), "place": "公开栏"}},
                effective_date=day(21))
    view = svc.advance(cid, "approve", "approver", effective_date=day(22))
    assert view["decision"]["supply_mode"] == "dispersed"


def test_tekun_objection_means_reinvestigation_and_a_new_posting(svc):
    case = svc.create_case(ELDER, "tekun", "clerk", applied_on=day(0))
    cid = case["id"]
    svc.advance(cid, "accept", "clerk", data=TEKUN_APP, effective_date=day(0))
    svc.advance(cid, "complete_investigation", "clerk", data=tekun_investigation(), effective_date=day(3))
    svc.advance(cid, "post_notice", "reviewer", data=OPINION, effective_date=day(4))
    svc.advance(cid, "record_objection", "clerk", data={"objection": {"received_on": day(5), "content": "有子女"}},
                effective_date=day(5))
    view = svc.advance(cid, "reinvestigate", "reviewer", effective_date=day(6), comment="核实子女赡养能力")
    assert {t["trigger"] for t in view["available_triggers"]} == {"complete_investigation", "withdraw"}
    svc.advance(cid, "complete_investigation", "clerk", effective_date=day(8))
    view = svc.advance(cid, "post_notice", "reviewer", effective_date=day(9))  # re-posted
    with pytest.raises(DomainError, match="公示期"):
        svc.advance(cid, "submit_to_county", "reviewer", data={"posting": {"start_date": day(9), "place": "公开栏"}},
                    effective_date=day(15))
    view = svc.advance(cid, "submit_to_county", "reviewer",
                       data={"posting": {"start_date": day(9), "place": "公开栏"}}, effective_date=day(16))
    assert view["state"] == "county_review"


def test_tekun_refused_when_able_to_work(svc):
    young = dict(ELDER, members=[{"name": "孙丽", "id_number": "130102198204120623", "relation": "head"}])
    view = tekun_to_county(svc, household=young)
    assert view["proposal"]["failed"] == ["able_to_work"]
    with pytest.raises(DomainError, match="不符合保障条件"):
        svc.advance(view["id"], "approve", "approver", effective_date=day(12))
    view = svc.advance(view["id"], "refuse", "approver", data={"refusal": {"reasons": "申请人具有劳动能力"}},
                       effective_date=day(12))
    assert view["state"] == "refused"


def test_staff_relative_cannot_be_decided_without_county_home_visit(svc, office):
    app = {"tekun_application": dict(TEKUN_APP["tekun_application"], staff_relative_declared=True)}
    view = tekun_to_county(svc, app=app)
    assert view["staff_relative"]
    before = dump_db(office.db_path)
    for trigger, data in (("approve", {}), ("refuse", {"refusal": {"reasons": "x"}})):
        with pytest.raises(DomainError, match="县级入户核查"):
            svc.advance(view["id"], trigger, "approver", data=data, effective_date=day(12))
    assert dump_db(office.db_path) == before
    visit = {"county_visit": {"visit_date": day(12), "visitors": [{"name": "赵军"}, {"name": "县民政局钱科长"}],
                              "findings": "与乡镇调查一致", "conclusion": "consistent"}}
    svc.save_forms(view["id"], "approver", visit, effective_date=day(12))
    view = svc.advance(view["id"], "approve", "approver", effective_date=day(13))
    assert view["state"] == "approved"


# --- 临时救助 ---

def test_urgent_paid_first_then_completed(svc):
    view = temp_to_posting(svc, temp_household(), first_aid=True)
    assert view["proposal"]["approval_level"] == "township" and view["proposal"]["amount"] == "5000"
    view = svc.advance(view["id"], "submit_for_township_approval", "reviewer", data=POSTED, effective_date=day(11))
    assert view["pending_completion"] == ["审批"]
    view = svc.advance(view["id"], "approve", "reviewer", effective_date=day(12))
    assert view["state"] == "approved" and view["closed"] and view["pending_completion"] == []
    assert view["decision"]["amount"] == "5000" and view["decision"]["first_aid_amount"] == "3000.00"


def test_expenditure_type_cannot_be_paid_first(svc, office):
    case = svc.create_case(temp_household("expenditure", cause="子女大学学费"), "temporary", "clerk",
                           applied_on=day(0))
    svc.advance(case["id"], "accept", "clerk", data=TEMP_APP, effective_date=day(0))
    before = dump_db(office.db_path)
    with pytest.raises(DomainError, match="急难型"):
        svc.advance(case["id"], "pay_first", "reviewer", data={"first_aid": {
            "paid_on": day(1), "amount": "1000", "method": "cash", "reason": "x"}}, effective_date=day(1))
    assert dump_db(office.db_path) == before


@pytest.mark.parametrize("amount,level", [
    ("9999", "township"), ("9999.49", "township"), ("9999.5", "county"), ("10000", "county"),
    ("29999", "county"), ("30000", "county_collective"),
])
def test_approver_chosen_by_amount_at_the_ceilings(svc, amount, level):
    view = temp_to_posting(svc, temp_household(amount=amount))
    assert view["proposal"]["approval_level"] == level
    wrong, right = (("submit_to_county", "submit_for_township_approval") if level == "township"
                    else ("submit_for_township_approval", "submit_to_county"))
    with pytest.raises(DomainError, match="审批限额"):
        svc.advance(view["id"], wrong, "reviewer", data=POSTED, effective_date=day(11))
    view = svc.advance(view["id"], right, "reviewer", data=POSTED, effective_date=day(11))
    approver = "reviewer" if level == "township" else "approver"
    if level == "county_collective":
        with pytest.raises(DomainError, match="一事一议"):
            svc.advance(view["id"], "approve", approver, effective_date=day(12))
        svc.save_forms(view["id"], "approver", {"collective_decision": {
            "meeting_date": day(12), "participants": [{"name": "局长"}, {"name": "副局长"}, {"name": "科长"}],
            "decision": "同意一次审批、分阶段救助"}}, effective_date=day(12))
    view = svc.advance(view["id"], "approve", approver, effective_date=day(12))
    assert view["state"] == "approved" and view["decision"]["approval_level"] == level


def test_one_claim_per_cause_per_year_unless_justified(svc):
    view = temp_to_posting(svc, temp_household())
    svc.advance(view["id"], "submit_for_township_approval", "reviewer", data=POSTED, effective_date=day(11))
    svc.advance(view["id"], "approve", "reviewer", effective_date=day(12))
    with pytest.raises(RepeatClaim) as info:  # recognised by its type, not by its words
        svc.create_case(temp_household(), "temporary", "clerk", applied_on=day(20))
    assert info.value.earlier == [view["number"]] and info.value.field == "repeat_reason"
    other_cause = svc.create_case(temp_household(cause="突发重病住院"), "temporary", "clerk", applied_on=day(20))
    assert other_cause["state"] == "applied"
    again = svc.create_case(temp_household(), "temporary", "clerk", applied_on=day(20),
                            repeat_reason="火灾后二次受灾，经村委会证明")
    assert "重复救助理由" in again["history"][0]["comment"]


def test_notices_and_lists_speak_of_the_programme_they_are_for(svc, office):
    """A 特困 or 临时救助 decision is not printed with 低保 wording, nor under the 低保 rule."""
    from doudi_desk.services.printing import PrintService
    from tests.printing_helpers import flat, pages_text, save_png

    printing = PrintService(office)
    view = tekun_to_county(svc)
    posted = flat("".join(pages_text(printing.case_document(view["id"], "posting_list"))))
    assert "《特困人员认定办法》（民发〔2021〕43号）" in posted and "最低生活保障审核确认办法" not in posted
    view = svc.advance(view["id"], "approve", "approver", data={"tekun_approval": {"spot_checked": True}},
                       effective_date=day(12))
    pdf = printing.case_document(view["id"], "confirmation_notice")
    save_png(pdf, "confirmation_notice_tekun")
    text = flat("".join(pages_text(pdf)))
    assert "特困人员救助供养确认通知书" in text and "纳入特困人员救助供养范围" in text
    assert "月救助供养金额：1166元（大写：壹仟壹佰陆拾陆元整）" in text and "2026年11月起" in text
    assert "户月保障金额" not in text and "最低生活保障" not in text
    form = flat("".join(pages_text(printing.case_document(view["id"], "approval_form"))))
    assert "同意。认定刘福为特困人员，月救助供养金额1166元，自2026年11月起发放。" in form

    view = temp_to_posting(svc, temp_household(), first_aid=True)
    view = svc.advance(view["id"], "submit_for_township_approval", "reviewer", data=POSTED, effective_date=day(11))
    view = svc.advance(view["id"], "approve", "reviewer", effective_date=day(12))
    pdf = printing.case_document(view["id"], "confirmation_notice")
    save_png(pdf, "confirmation_notice_temporary")
    text = flat("".join(pages_text(pdf)))
    assert "临时救助确认通知书" in text and "救助金额：5000元（大写：伍仟元整），一次性发放，其中已先行救助3000元" in text
    assert "按月发放" not in text and "保障人口" not in text
    assert "（本通知书由" not in text  # decided by the township within its amount: the township issues it
    form = flat("".join(pages_text(printing.case_document(view["id"], "approval_form"))))
    assert "同意。给予临时救助5000元，一次性发放。" in form
    assert "临时救助案件档案" in flat(pages_text(printing.case_file(view["id"]))[0])  # the whole file prints
