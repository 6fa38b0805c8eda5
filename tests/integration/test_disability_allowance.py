"""残疾人两项补贴 end to end through the services: every path of workflows/disability_allowance.yaml,
the family's status read from the benefits in force, and the links to 低保 and 特困 (a 低保 that
stops stops the living allowance from the same month; a person entering 特困 loses both) — on SQLite
and, in ``make test-pg``, on PostgreSQL."""

from __future__ import annotations

import pytest
from disability_helpers import (
    HEAD_ID,
    VILLAGE,
    application,
    check,
    day,
    family,
    grant_allowance,
    grant_dibao,
    stop_dibao,
    to_county,
    triggers,
)

from doudi_desk.domain.errors import DomainError
from tests.helpers.office import dump_db


@pytest.fixture
def svc(office):
    from doudi_desk.services.cases import CaseService

    return CaseService(office)


def parts(view):
    return view["benefit"]["parts"] if view.get("benefit") else None


# --- the application paths ---------------------------------------------------------------------

def test_approve_path_with_the_status_read_from_the_database(svc):
    dibao = grant_dibao(svc)  # the family's 低保 from November
    view = to_county(svc)
    assert view["state"] == "county_approval"
    p = view["proposal"]
    assert (p["eligible"], p["living_allowance"], p["care_allowance"], p["monthly_amount"], p["failed"]) == (
        True, "80", "80", "160", [])
    assert p["status"] == {"dibao": "household", "dibao_covered": [0, 1, 2, 3], "tekun_covered": [],
                           "edge_family": False}
    assert "低保在保（整户保障）：王建国" in p["status_text"]
    # 20 working days from 受理 on Fri 23 Oct (a local rule, limits.total_wd of the workflow)
    assert view["deadline"]["total"] == "2026-11-20"
    assert view["deadline"]["state"] == "2026-11-06"  # 县级审批: 10 working days after Sun 25 Oct
    view = svc.advance(view["id"], "approve", "approver", data={"disability_approval": {"comment": "同意"}},
                       effective_date=day(17))
    d = view["decision"]
    assert (view["state"], view["closed"], d["result"], d["monthly_amount"], d["parts"], d["start_month"]) == (
        "approved", True, "approved", "160", {"living": "80", "care": "80"}, "2026-11")
    assert d["review_interval_months"] == 12 and view["next_review_on"] == "2027-11-01"
    assert parts(view) == {"living": "80", "care": "80"} and view["benefit"]["status"] == "active"
    assert view["number"].startswith("2026-CJ-")
    assert triggers(view) == ["create", "accept", "save_forms", "submit_to_county", "approve"]
    assert dibao["benefit"]["status"] == "active"


def test_status_typed_into_the_household_is_not_believed(svc):
    """No 低保 in force: whatever the application's JSON claims, the living allowance is not granted."""
    claimed = family(applicant=True) | {"status": {"dibao": "household", "dibao_covered": [0, 1, 2, 3]}}
    view = to_county(svc, claimed)
    p = view["proposal"]
    assert (p["living_allowance"], p["care_allowance"], p["failed"]) == ("0", "80", ["living_not_covered"])
    assert p["status"]["dibao_covered"] == [] and p["status_text"] == "无低保、特困在保记录"


def test_an_invalid_certificate_is_refused_in_writing(svc, office):
    grant_dibao(svc)
    view = to_county(svc, valid=False)
    assert view["proposal"]["failed"] == ["no_certificate"] and not view["proposal"]["eligible"]
    with pytest.raises(DomainError, match="不符合保障条件"):
        svc.advance(view["id"], "approve", "approver", data={"disability_approval": {"comment": "同意"}},
                    effective_date=day(17))
    view = svc.advance(view["id"], "refuse", "approver",
                       data={"refusal": {"reasons": "残疾人证已过有效期", "rule": "国发〔2015〕52号"}},
                       effective_date=day(17))
    assert (view["state"], view["decision"]["result"], view["decision"]["reasons"]) == (
        "refused", "refused", "残疾人证已过有效期")
    assert view["benefit"] is None
    from doudi_desk.services.printing import PrintService

    pdf = PrintService(office).case_document(view["id"], "refusal_notice")
    assert pdf.startswith(b"%PDF")


def test_no_long_term_care_need_gives_the_living_allowance_only(svc):
    grant_dibao(svc)
    view = to_county(svc, long_term_care=False)
    assert (view["proposal"]["living_allowance"], view["proposal"]["care_allowance"]) == ("80", "0")
    assert view["proposal"]["failed"] == ["care_no_long_term_care"]


def test_not_accepted_correction_withdrawal_and_return(svc):
    # 不予受理
    view = svc.create_case(family(applicant=True), "disability_allowance", "clerk", applied_on=day(14))
    view = svc.advance(view["id"], "refuse_application", "clerk",
                       data=application(14) | {"not_accepted": {"reasons": "户籍不在本乡镇"}}, effective_date=day(14))
    assert (view["state"], view["decision"]["result"], view["deadline"]["total"]) == ("not_accepted", "not_accepted",
                                                                                     None)
    # 补正 → 补正材料已交 → 受理
    view = svc.create_case(family(applicant=True), "disability_allowance", "clerk", applied_on=day(15),
                           allow_duplicate=True, comment="前次不予受理后重新申请")
    cid = view["id"]
    view = svc.advance(cid, "request_correction", "clerk",
                       data=application(15) | {"correction_notice": {"missing_materials": ["disability_cert"]}},
                       effective_date=day(15))
    assert view["state"] == "correcting"
    view = svc.advance(cid, "resubmit", "clerk", data={"correction_received": {"received_on": day(16)}},
                       effective_date=day(16))
    view = svc.advance(cid, "accept", "clerk", effective_date=day(16))
    assert view["state"] == "reviewing" and view["accepted_on"] == day(16)
    # 退回重新审核 recomputes when it is submitted again
    svc.save_forms(cid, "clerk", check(17), effective_date=day(17))
    view = svc.advance(cid, "submit_to_county", "reviewer", effective_date=day(17))
    with pytest.raises(DomainError, match="理由"):
        svc.advance(cid, "return_case", "approver", effective_date=day(18))
    view = svc.advance(cid, "return_case", "approver", comment="核实照护情况", effective_date=day(18))
    assert view["state"] == "reviewing"
    svc.save_forms(cid, "clerk", {"care_need": check(19, long_term_care=False)["care_need"]}, effective_date=day(19))
    view = svc.advance(cid, "submit_to_county", "reviewer", effective_date=day(19))
    assert view["proposal"]["care_allowance"] == "0"
    # 申请人撤回
    view = svc.advance(cid, "withdraw", "clerk", comment="申请人外出务工，撤回申请", effective_date=day(20))
    assert (view["state"], view["closed"], view["decision"]["result"]) == ("withdrawn", True, "withdrawn")


def test_a_guardian_applies_and_the_forms_say_who(svc, office):
    grant_dibao(svc)
    view = svc.create_case(family(applicant=True), "disability_allowance", "clerk", applied_on=day(14))
    guardian = {"guardian_name": "李秀兰", "guardian_relation": "配偶", "guardian_phone": "13800001111"}
    view = svc.advance(view["id"], "accept", "clerk", data=application(14, channel="guardian", **guardian),
                       effective_date=day(14))
    assert view["forms"]["disability_application"]["guardian_name"] == "李秀兰"
    from doudi_desk.services.printing import PrintService

    pdf = PrintService(office).case_document(view["id"], "application_form", actor="clerk")
    assert pdf.startswith(b"%PDF")


def test_only_the_applicants_own_case_blocks_a_second_application(svc):
    grant_allowance(svc, start=14)
    with pytest.raises(DomainError, match="重复申请"):
        svc.create_case(family(applicant=True), "disability_allowance", "clerk", applied_on=day(20))
    # another disabled member of the same family applies for themself
    other = family()
    other["members"][3] |= {"applicant": True, "disability": {"type": "visual", "grade": 1},
                            "disability_certificate": True, "long_term_care": True}
    view = svc.create_case(other, "disability_allowance", "clerk", applied_on=day(20))
    assert view["state"] == "applied"


def test_the_approval_is_refused_when_the_status_changed_since_the_computation(svc, office):
    dibao = grant_dibao(svc)
    view = to_county(svc, start=20)
    assert view["proposal"]["living_allowance"] == "80"
    stop_dibao(office, svc, dibao["id"], on=24)  # decided on 2 Nov: no 低保 from December
    with pytest.raises(DomainError, match="在保状态已变化"):
        svc.advance(view["id"], "approve", "approver", data={"disability_approval": {"comment": "同意"}},
                    effective_date=day(26))
    svc.advance(view["id"], "return_case", "approver", comment="低保已停发，重新审核", effective_date=day(26))
    view = svc.advance(view["id"], "submit_to_county", "reviewer", effective_date=day(27))
    assert (view["proposal"]["living_allowance"], view["proposal"]["care_allowance"]) == ("0", "80")


# --- the links ------------------------------------------------------------------------------------

def test_a_dibao_that_stops_stops_the_living_allowance_from_the_same_month(svc, office):
    dibao = grant_dibao(svc)
    allowance = grant_allowance(svc)
    view = stop_dibao(office, svc, dibao["id"], on=30)  # 低保 decided to stop on 8 Nov: from December
    assert view["decision"]["effective_month"] == "2026-12"
    after = svc.show(allowance["id"])
    b = after["benefit"]
    assert (b["status"], b["monthly_amount"], b["parts"]) == ("active", "80", {"living": "0", "care": "80"})
    assert b["part_stops"]["living"] == {"from": "2026-12", "reason": "家庭最低生活保障停发", "case": dibao["number"]}
    last = b["history"][-1]
    assert (last["month"], last["result"], last["amount"], last["linked"]["stopped"]) == ("2026-12", "lower", "80",
                                                                                         ["living"])
    event = after["history"][-1]
    assert event["trigger"] == "benefit_linked_stop" and event["actor"] == "approver"
    assert "困难残疾人生活补贴自 2026-12 起停发" in event["comment"]
    assert after["state"] == "approved" and after["next_review_on"] == "2027-11-01"  # care goes on, reviewed yearly
    from doudi_desk.services.printing import PrintService

    printer = PrintService(office)
    kinds = {d["kind"]: d for d in printer.documents_for_case(allowance["id"])}
    assert kinds["linked_stop_notice"]["available"], kinds["linked_stop_notice"]
    assert printer.case_document(allowance["id"], "linked_stop_notice").startswith(b"%PDF")


def test_the_linked_stop_is_written_in_the_same_transaction(svc, office, monkeypatch):
    dibao = grant_dibao(svc)
    grant_allowance(svc)
    from doudi_desk.services.lifecycle import LifecycleService

    view = LifecycleService(svc).start_termination(dibao["id"], "clerk", "income_over", "收入超过标准",
                                                   effective_date=day(30))
    svc.advance(view["id"], "submit_to_county", "clerk", effective_date=day(30))
    before = dump_db(office.db_path)
    from doudi_desk.services import linkage

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full while writing the allowance")

    monkeypatch.setattr(linkage, "_stop_parts", broken)
    with pytest.raises(RuntimeError):
        svc.advance(view["id"], "terminate", "approver", effective_date=day(31))
    assert dump_db(office.db_path) == before  # the 低保's stop is not written without the allowance's


def test_entering_tekun_stops_both_allowances(svc, office):
    grant_dibao(svc)
    allowance = grant_allowance(svc)
    tekun = svc.create_case(family(applicant=True), "tekun", "clerk", applied_on=day(20))
    cid = tekun["id"]
    svc.advance(cid, "accept", "clerk", effective_date=day(20), data={"tekun_application": {
        "apply_date": day(20), "channel": "self", "reason": "重度残疾，无劳动能力", "no_able_supporter": True,
        "supporter_unable_reason": "incapacity_missing_prison", "pledge_signed": True, "authorization_signed": True}})
    svc.advance(cid, "complete_investigation", "clerk", effective_date=day(21), data={
        "verification": {"requested_on": day(21), "result": "consistent"},
        "home_visit": {"visit_date": day(21), "investigators": [{"name": "张敏"}, {"name": "李强"}],
                       "family_present": "本人", "conclusion": "meets"},
        "self_care": {k: "unable" for k in ("eating", "dressing", "transfer", "toileting", "walking", "bathing")}
        | {"assessed_on": day(21), "assessor": "县社会福利中心"},
        "supply_arrangement": {"mode": "centralised", "institution": "县敬老院"}})
    svc.advance(cid, "post_notice", "reviewer", effective_date=day(22),
                data={"preliminary_opinion": {"opinion": "approve", "category": "new", "comment": "拟同意"}})
    svc.advance(cid, "submit_to_county", "reviewer", effective_date=day(29),
                data={"posting": {"start_date": day(22), "place": "村务公开栏"}})
    tekun = svc.advance(cid, "approve", "approver", data={"tekun_approval": {"spot_checked": True}},
                        effective_date=day(30))
    assert tekun["state"] == "approved" and tekun["decision"]["start_month"] == "2026-12"
    after = svc.show(allowance["id"])
    b = after["benefit"]
    assert (b["status"], b["stopped_from"], b["monthly_amount"], b["parts"]) == (
        "stopped", "2026-12", "0", {"living": "0", "care": "0"})
    assert set(b["part_stops"]) == {"living", "care"} and b["part_stops"]["care"]["reason"] == "本人纳入特困人员救助供养"
    assert after["next_review_on"] is None and after["benefit"]["status_today"] == "active"  # paid to November
    assert after["history"][-1]["trigger"] == "benefit_linked_stop"


def test_a_member_who_leaves_the_dibao_loses_the_living_allowance(svc, office):
    """A 变更 that takes the disabled member out of the family's 低保 (moved out): the living
    allowance follows the person's own coverage, not the household's."""
    dibao = grant_dibao(svc)
    allowance = grant_allowance(svc)
    from doudi_desk.services.lifecycle import LifecycleService

    change = LifecycleService(svc).start_change(dibao["id"], "clerk", {
        "change_type": "moved_out", "change_date": day(28), "member": "王建国", "detail": "户主迁往县城居住"},
        effective_date=day(28))
    cid = change["id"]
    svc.advance(cid, "start_investigation", "clerk", effective_date=day(28))
    svc.advance(cid, "complete_investigation", "clerk", effective_date=day(29), data={
        "verification": {"requested_on": day(29), "result": "consistent"},
        "home_visit": {"visit_date": day(29), "investigators": [{"name": "张敏"}, {"name": "李强"}],
                       "family_present": "配偶", "conclusion": "meets"}})
    svc.advance(cid, "submit_to_county", "reviewer", effective_date=day(30),
                data={"preliminary_opinion": {"opinion": "approve", "category": "adjust", "comment": "户主迁出"}})
    change = svc.advance(cid, "decide", "approver", data={"review_decision": {"reasons": "户主迁出"}},
                         effective_date=day(31))
    assert change["decision"]["result"] in ("raise", "lower", "keep")
    b = svc.show(allowance["id"])["benefit"]
    assert b["parts"] == {"living": "0", "care": "80"} and b["part_stops"]["living"]["from"] == "2026-12"


def test_the_dynamic_list_suggests_an_application(svc, office):
    from doudi_desk.services.lifecycle_queries import LifecycleQueries

    queries = LifecycleQueries(office, svc)
    assert queries.suggestions("clerk") == []
    dibao = grant_dibao(svc)
    [row] = queries.suggestions("clerk")
    assert (row["member"], row["hint"], row["case"], row["programme"]) == (
        "王建国", "可申请两项补贴", dibao["number"], "disability_allowance")
    assert queries.suggestions("approver")  # the county sees every township
    view = svc.create_case(family(applicant=True), "disability_allowance", "clerk", applied_on=day(14))
    assert queries.suggestions("clerk") == []  # an application under way
    svc.advance(view["id"], "withdraw", "clerk", comment="撤回", effective_date=day(14))
    assert [r["member"] for r in queries.suggestions("clerk")] == ["王建国"]


# --- after approval ---------------------------------------------------------------------------------

def test_yearly_review_with_the_certificate(svc, office):
    grant_dibao(svc)
    allowance = grant_allowance(svc)
    from doudi_desk.services.lifecycle import LifecycleService

    life = LifecycleService(svc)
    due = [r["case"] for r in life.due_reviews("2027-11") if r["programme"] == "disability_allowance"]
    assert due == [allowance["number"]]
    review = life.start_review(allowance["id"], "clerk", effective_date=day(40))
    assert review["workflow"]["id"] == "disability_allowance_review" and "-CJFH-" in review["number"]
    rid = review["id"]
    svc.advance(rid, "start_review", "clerk", effective_date=day(40))
    svc.save_forms(rid, "clerk", check(40, long_term_care=False), effective_date=day(40))
    review = svc.advance(rid, "submit_to_county", "reviewer", effective_date=day(41))
    assert (review["proposal"]["living_allowance"], review["proposal"]["care_allowance"]) == ("80", "0")
    review = svc.advance(rid, "decide", "approver", effective_date=day(42), data={
        "disability_review_decision": {"reasons": "经评估不再需要长期照护", "comment": "同意"}})
    assert review["decision"]["result"] == "lower" and review["decision"]["parts"] == {"living": "80", "care": "0"}
    after = svc.show(allowance["id"])
    assert after["benefit"]["parts"] == {"living": "80", "care": "0"} and after["benefit"]["monthly_amount"] == "80"
    assert after["next_review_on"] == "2027-12-01"  # a year from the month the decision takes effect


def test_the_allowances_stopped_by_a_termination_case(svc, office):
    grant_dibao(svc)
    allowance = grant_allowance(svc)
    from doudi_desk.services.lifecycle import LifecycleService

    view = LifecycleService(svc).start_termination(allowance["id"], "clerk", "certificate_invalid",
                                                   "残疾人证已注销", effective_date=day(30))
    assert view["workflow"]["id"] == "disability_allowance_termination"
    svc.advance(view["id"], "submit_to_county", "clerk", effective_date=day(30))
    view = svc.advance(view["id"], "terminate", "approver", effective_date=day(31))
    assert view["state"] == "terminated"
    b = svc.show(allowance["id"])["benefit"]
    assert (b["status"], b["stopped_from"], b["history"][-1]["parts"]) == (
        "stopped", "2026-12", {"living": "0", "care": "0"})
    from doudi_desk.services.printing import PrintService

    assert PrintService(office).case_document(view["id"], "termination_notice").startswith(b"%PDF")


def test_statistics_count_each_allowance_in_force(svc, office):
    dibao = grant_dibao(svc)
    grant_allowance(svc)
    stop_dibao(office, svc, dibao["id"], on=30)
    from doudi_desk.services.statistics import StatisticsService

    def allowances(month):
        report = StatisticsService(office).monthly(month, "130999", "approver")
        total = next(r for r in report.table("allowances").rows if r["_kind"] == "total")
        return tuple(total[k] for k in ("dla_persons", "dla_amount", "dca_persons", "dca_amount"))

    assert allowances("2026-10") == (0, 0, 0, 0)
    assert allowances("2026-11") == (1, 80, 1, 80)


def test_roster_lists_each_person_with_the_certificate(svc, office):
    grant_dibao(svc)
    grant_allowance(svc)
    from doudi_desk.services.printing import PrintService

    pdf = PrintService(office).roster(VILLAGE, "disability_allowance", actor="clerk")
    from printing_helpers import pages_text

    text = "".join("".join(pages_text(pdf)).split())
    assert "残疾人两项补贴花名册" in text and HEAD_ID + "42" in text and "肢体二级" in text
    with pytest.raises(DomainError, match="不在村（社区）张榜公示"):
        PrintService(office).publication_list(VILLAGE, "disability_allowance", actor="clerk")


def test_the_county_approves_allowances_in_a_batch(svc, office):
    from doudi_desk.services.batch import BatchService
    from doudi_desk.services.queries import QueryService

    grant_dibao(svc)
    view = to_county(svc)
    queue = {r["id"]: r for r in QueryService(office).supervisor_queue("approver")}
    row = queue[view["id"]]
    assert (row["batchable"], row["approve_label"], row["proposed_amount"], row["programme_label"]) == (
        True, "审批确认", "160", "残疾人两项补贴")
    result = BatchService(office).run([{"id": view["id"], "number": view["number"], "version": view["version"],
                                        "head": "王建国"}], "approve", "approver")
    assert result["failed"] == [], result["failed"]
    assert svc.show(view["id"])["benefit"]["parts"] == {"living": "80", "care": "80"}


def test_the_case_list_tabs_show_the_allowance(svc, office):
    from doudi_desk.services.queries import CaseQuery, QueryService

    grant_dibao(svc)
    view = to_county(svc)
    q = QueryService(office)
    assert view["id"] in q.case_ids("approver", CaseQuery(tab="approval"))
    assert view["id"] in q.case_ids("approver", CaseQuery(tab="todo"))
    [row] = q.case_rows([view["id"]], "clerk")
    assert (row["programme_label"], row["state_label"]) == ("残疾人两项补贴", "县级审批")
    # the amount is a column of the approver's queue (the case list shows none)
    assert [r["proposed_amount"] for r in q.queue_page("approver")["rows"] if r["id"] == view["id"]] == ["160"]
    assert view["id"] in q.case_ids("clerk", CaseQuery(tab="all", programme="disability_allowance"))


def test_the_payroll_pays_each_allowance_to_the_person_until_the_link_stops_it(svc, office):
    """The payroll's 两项补贴 group (from the registry) pays the person from the benefit's record: both
    allowances in November, the care allowance alone once the family's 低保 has stopped (December)."""
    from doudi_desk.services.payments import PaymentService
    from tests.payment_helpers import ACCOUNT, lines, pay_month

    dibao = grant_dibao(svc, family() | ACCOUNT)
    grant_allowance(svc, family(applicant=True) | ACCOUNT)
    stop_dibao(office, svc, dibao["id"], on=30)
    pay = PaymentService(office)
    november = pay_month(pay, "2026-11", group="disability_allowance")
    assert [(payee, month, amount) for payee, _item, month, amount, *_ in lines(pay, november["id"])] == [
        ("王建国", "2026-11", "160.00")]
    december = pay_month(pay, "2026-12", group="disability_allowance")
    assert [(payee, month, amount) for payee, _item, month, amount, *_ in lines(pay, december["id"])] == [
        ("王建国", "2026-12", "80.00")]
