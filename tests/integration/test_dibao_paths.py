"""Every path of workflows/dibao.yaml end to end through the services on a temporary SQLite file."""

from __future__ import annotations

import json

import pytest

from doudi_desk.domain.errors import DomainError
from doudi_desk.services.views import as_json
from tests.helpers.dibao import (
    APPLICATION,
    OPINION,
    POSTING,
    day,
    household,
    investigation,
    to_posting,
    to_preliminary,
)
from tests.helpers.office import dump_db


@pytest.fixture
def svc(office):
    from doudi_desk.services.cases import CaseService

    return CaseService(office)


def triggers(view):
    return {t["trigger"]: t for t in view["available_triggers"]}


def test_approve_path(svc, office):
    view = to_posting(svc)
    assert view["state"] == "posting"
    assert view["proposal"]["monthly_amount"] == "2792"  # the worked example of calc-contract.md
    # 30 working days from acceptance on Sat 10 Oct, itself a 调休 working day in 2026.
    assert view["deadline"]["total"] == "2026-11-20"
    view = svc.advance(view["id"], "submit_to_county", "reviewer", data=POSTING, effective_date=day(12))
    assert view["state"] == "county_review"
    assert view["deadline"]["state"] == "2026-11-04"  # 10 working days from Wed 21 Oct
    view = svc.advance(view["id"], "approve", "approver", data={"approval": {"comment": "同意"}},
                       effective_date=day(13))
    assert view["state"] == "approved" and view["closed"]
    d = view["decision"]
    assert d["result"] == "approved"
    assert d["monthly_amount"] == "2792"
    assert d["start_month"] == "2026-11"  # the month after the approval on 22 Oct
    assert d["covered"] == [0, 1, 2, 3]
    assert d["policy_set"]["area"] == "130999"
    history = view["history"]
    assert [e["trigger"] for e in history] == [
        "create", "accept", "start_investigation", "complete_investigation", "post_notice",
        "submit_to_county", "approve"]
    assert history[-1]["actor"] == "approver" and history[-1]["changes"]["state"] == {
        "before": "county_review", "after": "approved"}
    assert history[3]["changes"]["proposal.monthly_amount"]["after"] == "2792"
    assert view["accepted_on"] == day(1)
    assert view["deadline"]["total"] is None  # decided: no deadline runs any more


def test_refuse_path_with_written_reasons(svc):
    view = to_posting(svc)
    view = svc.advance(view["id"], "submit_to_county", "reviewer", data=POSTING, effective_date=day(12))
    with pytest.raises(DomainError, match="不予确认理由|理由"):
        svc.advance(view["id"], "refuse", "approver", data={"refusal": {"rule": "第九条"}}, effective_date=day(13))
    view = svc.advance(view["id"], "refuse", "approver",
                       data={"refusal": {"reasons": "隐瞒经营收入", "rule": "第九条"}}, effective_date=day(13))
    assert view["state"] == "refused"
    assert view["decision"]["reasons"] == "隐瞒经营收入"
    assert view["decision"]["notice_due"] == "2026-10-27"  # 3 working days after Thu 22 Oct


def test_correction_then_accept(svc):
    case = svc.create_case(household(), "dibao", "clerk", applied_on=day(0))
    cid = case["id"]
    view = svc.advance(cid, "request_correction", "clerk",
                       data={"correction_notice": {"missing_materials": ["medical_records"]}}, effective_date=day(1))
    assert view["state"] == "correcting"
    view = svc.advance(cid, "resubmit", "clerk", data={"correction_received": {"received_on": day(3)}},
                       effective_date=day(3))
    assert view["state"] == "applied"
    view = svc.advance(cid, "accept", "clerk", data=APPLICATION, effective_date=day(3))
    assert view["state"] == "accepted" and view["accepted_on"] == day(3)
    assert view["deadline"]["state"] == "2026-10-15"  # investigation starts within 3 working days


def test_not_accepted_and_withdrawn_are_final(svc):
    a = svc.create_case(household(), "dibao", "clerk", applied_on=day(0))
    view = svc.advance(a["id"], "refuse_application", "clerk",
                       data={"not_accepted": {"reasons": "户籍不在本乡镇"}}, effective_date=day(1))
    assert view["state"] == "not_accepted" and view["closed"] and view["decision"]["reasons"] == "户籍不在本乡镇"
    b = svc.create_case(household(), "dibao", "clerk", applied_on=day(0))
    with pytest.raises(DomainError, match="理由"):
        svc.advance(b["id"], "withdraw", "clerk", effective_date=day(1))
    view = svc.advance(b["id"], "withdraw", "clerk", effective_date=day(1), comment="申请人书面撤回")
    assert view["state"] == "withdrawn"
    with pytest.raises(DomainError, match="已办结"):
        svc.advance(b["id"], "accept", "clerk", data=APPLICATION, effective_date=day(2))


def test_objection_then_reinvestigation(svc):
    view = to_posting(svc)
    cid = view["id"]
    view = svc.advance(cid, "record_objection", "clerk",
                       data={"objection": {"received_on": day(6), "content": "有经营收入未申报"}}, effective_date=day(6))
    assert view["state"] == "objection"
    view = svc.advance(cid, "reinvestigate", "reviewer", effective_date=day(7), comment="核实经营收入")
    assert view["state"] == "investigating"
    view = svc.advance(cid, "complete_investigation", "clerk", data=investigation(), effective_date=day(8))
    view = svc.advance(cid, "post_notice", "reviewer", data=OPINION, effective_date=day(9))
    assert view["state"] == "posting"
    # The second posting runs its own seven days.
    with pytest.raises(DomainError, match="公示期"):
        svc.advance(cid, "submit_to_county", "reviewer",
                    data={"posting": {"start_date": day(9), "place": "村务公开栏"}}, effective_date=day(15))
    view = svc.advance(cid, "submit_to_county", "reviewer",
                       data={"posting": {"start_date": day(9), "place": "村务公开栏"}}, effective_date=day(16))
    assert view["state"] == "county_review"


def _review(votes_for, participants=15, representatives=12):
    return {"democratic_review": {"held_on": day(8), "chair": "村支书", "participants": participants,
                                  "representatives": representatives, "votes_for": votes_for,
                                  "votes_against": participants - votes_for, "votes_abstain": 0}}


def to_review(svc):
    view = to_posting(svc)
    cid = view["id"]
    svc.advance(cid, "record_objection", "clerk",
                data={"objection": {"received_on": day(6), "content": "质疑家庭收入"}}, effective_date=day(6))
    return svc.advance(cid, "hold_democratic_review", "reviewer", effective_date=day(7))


def test_democratic_review_failing_the_vote_ends_in_refusal(svc):
    view = to_review(svc)
    cid = view["id"]
    assert view["state"] == "democratic_review"
    t = triggers(svc.show(cid, "clerk"))
    assert not t["review_passed"]["allowed"]
    with pytest.raises(DomainError, match="三分之二"):
        svc.advance(cid, "review_passed", "clerk", data=_review(9), effective_date=day(8))
    view = svc.advance(cid, "review_failed", "clerk", data=_review(9), effective_date=day(8))
    assert view["state"] == "preliminary_review"
    # Not posted again: after the review the township reports straight to the county.
    view = svc.advance(cid, "submit_to_county", "reviewer",
                       data={"preliminary_opinion": {"opinion": "refuse", "category": "new", "comment": "评议未通过"}},
                       effective_date=day(9))
    assert view["state"] == "county_review"
    with pytest.raises(DomainError, match="民主评议未通过"):
        svc.advance(cid, "approve", "approver", data={"approval": {"comment": "同意"}}, effective_date=day(10))
    view = svc.advance(cid, "refuse", "approver", data={"refusal": {"reasons": "民主评议未通过"}}, effective_date=day(10))
    assert view["state"] == "refused"


def test_democratic_review_passing(svc):
    view = to_review(svc)
    cid = view["id"]
    view = svc.advance(cid, "review_passed", "clerk", data=_review(10), effective_date=day(8))  # 10/15 = 2/3
    assert view["state"] == "preliminary_review"
    view = svc.advance(cid, "submit_to_county", "reviewer", effective_date=day(9))
    view = svc.advance(cid, "approve", "approver", effective_date=day(10))
    assert view["decision"]["monthly_amount"] == "2792"


def test_review_without_two_thirds_representatives_is_void(svc):
    view = to_review(svc)
    with pytest.raises(DomainError, match="村民代表"):
        svc.advance(view["id"], "review_failed", "clerk", data=_review(2, representatives=9), effective_date=day(8))


def test_county_delegation(svc, office):
    view = to_posting(svc, village="130999102001")
    assert view["county_delegated"]
    t = triggers(svc.show(view["id"], "reviewer"))
    assert not any("授权" in r for r in t["submit_for_decision"]["reasons"])
    assert any("授权" in r for r in t["submit_to_county"]["reasons"])
    # 20 working days from acceptance on Sat 10 Oct (a 调休 working day).
    assert view["deadline"]["total"] == "2026-11-06"
    view = svc.advance(view["id"], "submit_for_decision", "reviewer", data=POSTING, effective_date=day(12))
    assert view["state"] == "township_decision"
    with pytest.raises(DomainError, match="无权"):
        svc.advance(view["id"], "approve", "approver", effective_date=day(13))
    view = svc.advance(view["id"], "approve", "reviewer", effective_date=day(13))
    assert view["state"] == "approved" and view["decision"]["decided_by"] == "reviewer"


def test_county_can_return_a_case_for_reinvestigation(svc):
    view = to_posting(svc)
    view = svc.advance(view["id"], "submit_to_county", "reviewer", data=POSTING, effective_date=day(12))
    with pytest.raises(DomainError, match="理由"):
        svc.advance(view["id"], "return_case", "approver", effective_date=day(13))
    view = svc.advance(view["id"], "return_case", "approver", effective_date=day(13), comment="入户调查表缺签字")
    assert view["state"] == "investigating"


def test_case_survives_reopening_the_database(svc, office):
    from doudi_desk.services.cases import CaseService
    from doudi_desk.services.context import open_context

    view = to_preliminary(svc)
    other = open_context(f"sqlite:///{office.db_path}")
    other.today = office.today
    view2 = CaseService(other).advance(view["id"], "post_notice", "reviewer", data=OPINION, effective_date=day(5))
    assert view2["state"] == "posting" and view2["version"] == view["version"] + 1
    assert view2["proposal"] == view["proposal"]
    other.db.dispose()


# --- refused actions change nothing ---

REFUSALS = [
    ("wrong role", "complete_investigation", "reviewer", investigation(), day(4), "无权"),
    ("one investigator", "complete_investigation", "clerk", investigation(("张敏",)), day(4), "2名以上"),
    ("illegal trigger", "approve", "approver", {}, day(4), "不能执行"),
    ("future date", "complete_investigation", "clerk", investigation(), "2026-12-01", "晚于今天"),
    ("before previous step", "complete_investigation", "clerk", investigation(), day(1), "早于上一步"),
    ("unknown user", "complete_investigation", "nobody", investigation(), day(4), "没有用户"),
    ("bad form value", "complete_investigation", "clerk",
     {**investigation(), "verification": {"requested_on": day(2), "result": "maybe"}}, day(4), "result"),
    ("form not of this step", "complete_investigation", "clerk", {"approval": {"amount": "1"}}, day(4), "approval"),
]


@pytest.mark.parametrize("name,trigger,actor,data,when,message", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refused_action_changes_nothing(svc, office, name, trigger, actor, data, when, message):
    case = svc.create_case(household(), "dibao", "clerk", applied_on=day(0))
    svc.advance(case["id"], "accept", "clerk", data=APPLICATION, effective_date=day(1))
    svc.advance(case["id"], "start_investigation", "clerk", effective_date=day(2))
    before = dump_db(office.db_path)
    with pytest.raises(DomainError, match=message):
        svc.advance(case["id"], trigger, actor, data=data, effective_date=when)
    assert dump_db(office.db_path) == before


def test_stale_version_is_refused_and_changes_nothing(svc, office):
    case = svc.create_case(household(), "dibao", "clerk", applied_on=day(0))
    svc.advance(case["id"], "accept", "clerk", data=APPLICATION, effective_date=day(1), expected_version=1)
    before = dump_db(office.db_path)
    with pytest.raises(DomainError, match="已被他人修改"):
        svc.advance(case["id"], "start_investigation", "clerk", effective_date=day(2), expected_version=1)
    assert dump_db(office.db_path) == before


def test_posting_too_early_names_the_guard(svc, office):
    view = to_posting(svc)
    before = dump_db(office.db_path)
    with pytest.raises(DomainError) as info:
        svc.advance(view["id"], "submit_to_county", "reviewer", data=POSTING, effective_date=day(11))
    assert "公示期已满" in str(info.value) and "2026-10-21" in str(info.value)
    assert dump_db(office.db_path) == before


def test_duplicate_application_is_refused(svc):
    svc.create_case(household(), "dibao", "clerk", applied_on=day(0))
    with pytest.raises(DomainError, match="重复申请"):
        svc.create_case(household(), "dibao", "clerk", applied_on=day(0))
    with pytest.raises(DomainError, match="说明理由"):
        svc.create_case(household(), "dibao", "clerk", applied_on=day(0), allow_duplicate=True)
    view = svc.create_case(household(), "dibao", "clerk", applied_on=day(0), allow_duplicate=True,
                           comment="原户分户后重新申请")
    assert view["history"][0]["comment"] == "原户分户后重新申请"


def test_covered_person_cannot_apply_again_for_the_same_programme(svc):
    view = to_posting(svc)
    view = svc.advance(view["id"], "submit_to_county", "reviewer", data=POSTING, effective_date=day(12))
    svc.advance(view["id"], "approve", "approver", effective_date=day(13))
    with pytest.raises(DomainError, match="确认（在保）"):
        svc.create_case(household(), "dibao", "clerk", applied_on=day(14))


def test_investigator_cannot_approve(svc, office):
    from doudi_desk.services.admin import AdminService

    AdminService(office).add_user("zhao", "赵军军", ["caseworker", "county_approver"])
    case = svc.create_case(household(), "dibao", "clerk", applied_on=day(0))
    cid = case["id"]
    svc.advance(cid, "accept", "clerk", data=APPLICATION, effective_date=day(1))
    svc.advance(cid, "start_investigation", "clerk", effective_date=day(2))
    svc.advance(cid, "complete_investigation", "clerk", data=investigation(("张敏", "赵军军")), effective_date=day(4))
    svc.advance(cid, "post_notice", "reviewer", data=OPINION, effective_date=day(5))
    svc.advance(cid, "submit_to_county", "reviewer", data=POSTING, effective_date=day(12))
    with pytest.raises(DomainError, match="入户调查人员"):
        svc.advance(cid, "approve", "zhao", effective_date=day(13))
    assert svc.advance(cid, "approve", "approver", effective_date=day(13))["state"] == "approved"


def test_available_triggers_explain_why_disabled(svc):
    view = to_posting(svc)
    t = triggers(svc.show(view["id"], "reviewer"))
    assert t["record_objection"]["allowed"]
    assert not t["submit_to_county"]["allowed"]
    # Judged on today's date the posting period is over, but the posting record is missing.
    assert any("「初审公示」尚未填写" in r for r in t["submit_to_county"]["reasons"])
    t = triggers(svc.show(view["id"], "approver"))
    assert all(not x["allowed"] for x in t.values())


def test_audit_event_records_form_data_and_changes(svc, office):
    view = to_preliminary(svc)
    last = view["history"][-1]
    assert last["changes"]["forms.home_visit.investigators"]["after"] == [{"name": "张敏"}, {"name": "李强"}]
    assert last["effective_date"] == day(4)
    json.dumps(as_json(view), ensure_ascii=False)  # the whole view is JSON-ready


def test_forms_saved_in_parts_then_step_finished(svc, office):
    case = svc.create_case(household(), "dibao", "clerk", applied_on=day(0))
    cid = case["id"]
    svc.advance(cid, "accept", "clerk", data=APPLICATION, effective_date=day(1))
    svc.advance(cid, "start_investigation", "clerk", effective_date=day(2))
    parts = investigation()
    view = svc.save_forms(cid, "clerk", {"verification": parts["verification"]}, effective_date=day(2))
    assert view["state"] == "investigating" and view["forms"]["verification"]["result"] == "consistent"
    assert view["history"][-1]["trigger"] == "save_forms"
    t = triggers(view)
    assert not t["complete_investigation"]["allowed"]
    assert any("入户调查" in r for r in t["complete_investigation"]["reasons"])
    view = svc.save_forms(cid, "clerk", {"home_visit": parts["home_visit"]}, effective_date=day(3))
    view = svc.advance(cid, "complete_investigation", "clerk", data={"neighbour_visit": parts["neighbour_visit"]},
                       effective_date=day(4))
    assert view["state"] == "preliminary_review"
    before = dump_db(office.db_path)
    with pytest.raises(DomainError, match="无权"):
        svc.save_forms(cid, "approver", {"preliminary_opinion": {"opinion": "approve"}}, effective_date=day(4))
    with pytest.raises(DomainError, match="home_visit"):
        svc.save_forms(cid, "reviewer", {"home_visit": {"remarks": "x"}}, effective_date=day(4))
    assert dump_db(office.db_path) == before


def test_household_corrected_during_investigation_changes_the_proposal(svc, office):
    case = svc.create_case(household(), "dibao", "clerk", applied_on=day(0))
    cid = case["id"]
    svc.advance(cid, "accept", "clerk", data=APPLICATION, effective_date=day(1))
    svc.advance(cid, "start_investigation", "clerk", effective_date=day(2))
    corrected = household()
    corrected["income"].append({"type": "business", "amount": "9600"})  # found on the home visit
    with pytest.raises(DomainError, match="原因"):
        svc.update_household(cid, "clerk", corrected, effective_date=day(3))
    view = svc.update_household(cid, "clerk", corrected, effective_date=day(3), comment="入户发现小卖部经营收入")
    event = view["history"][-1]
    assert event["trigger"] == "update_household"
    assert event["changes"]["household.income[3].amount"] == {"before": None, "after": "9600.00"}
    view = svc.advance(cid, "complete_investigation", "clerk", data=investigation(), effective_date=day(4))
    # net income 10,560 + 9,600 = 20,160 → 420/月 per person: (720 − 420) × 4 + 792 top-ups
    assert view["proposal"]["per_capita_monthly"] == "420.00"
    assert view["proposal"]["monthly_amount"] == "1992"
    before = dump_db(office.db_path)
    with pytest.raises(DomainError, match="只能在受理前或调查中"):
        svc.update_household(cid, "clerk", household(), effective_date=day(4), comment="再改")
    assert dump_db(office.db_path) == before


def test_approved_amount_other_than_computed_needs_a_reason(svc, office):
    view = to_posting(svc)
    view = svc.advance(view["id"], "submit_to_county", "reviewer", data=POSTING, effective_date=day(12))
    before = dump_db(office.db_path)
    with pytest.raises(DomainError, match="不一致"):
        svc.advance(view["id"], "approve", "approver", data={"approval": {"amount": "2500"}}, effective_date=day(13))
    assert dump_db(office.db_path) == before
    view = svc.advance(view["id"], "approve", "approver",
                       data={"approval": {"amount": "2500", "comment": "按县级调剂意见核减"}}, effective_date=day(13))
    assert view["decision"]["monthly_amount"] == "2500"
    assert view["decision"]["computed_amount"] == "2792"


def test_posting_start_cannot_be_dated_before_the_posting(svc):
    view = to_posting(svc)  # posted on day 5
    with pytest.raises(DomainError, match="公示开始日期：2026-10-09 早于本环节（初审公示）开始日期 2026-10-14"):
        svc.advance(view["id"], "submit_to_county", "reviewer",
                    data={"posting": {"start_date": day(0), "place": "村务公开栏"}}, effective_date=day(8))


def test_total_deadline_extended_to_45_working_days_once(svc, office):
    view = to_posting(svc)
    assert view["deadline"]["total"] == "2026-11-20"  # 30 WD from Sat 10 Oct (调休 working day)
    with pytest.raises(DomainError, match="延期理由"):
        svc.extend_deadline(view["id"], "reviewer", "bored", effective_date=day(6))
    with pytest.raises(DomainError, match="无权"):
        svc.extend_deadline(view["id"], "clerk", "objection", effective_date=day(6))
    view = svc.extend_deadline(view["id"], "reviewer", "objection", comment="村民对收入有异议", effective_date=day(6))
    assert view["deadline"]["total"] == "2026-12-11"  # 45 WD
    assert view["history"][-1]["comment"] == "公示有异议：村民对收入有异议"
    before = dump_db(office.db_path)
    with pytest.raises(DomainError, match="不能再延长"):
        svc.extend_deadline(view["id"], "reviewer", "objection", effective_date=day(6))
    assert dump_db(office.db_path) == before


def test_delegated_cases_have_no_extension(svc):
    view = to_posting(svc, village="130999102001")
    with pytest.raises(DomainError, match="没有延长期限"):
        svc.extend_deadline(view["id"], "reviewer", "objection", effective_date=day(6))
