"""Issue 5 in the window: a 特困 case, an urgent 临时救助 paid first, a review, a change and a phase-out,
each carried to its end through the real widgets (offscreen), then checked through the services.

Chinese is typed as an input-method commit (platform-notes.md); dialogs are non-modal and answered
through their widgets. Screenshots go to tests/output/screenshots/.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from doudi_desk.domain.ids import make_id
from doudi_desk.ui.household_editor import M_APPLICANT, M_NAME
from tests.helpers.lifecycle import GAP as _GAP
from tests.helpers.lifecycle import SINGLE
from tests.helpers.window import (
    choose_cell,
    click,
    demo_context,
    dialog_action,
    edit_cell,
    fill_form,
    fire,
    login,
    make_window,
    new_case_page,
    open_page,
    screenshot,
    settle,
    switch,
    type_text,
)

ELDER = make_id("130102", dt.date(1948, 6, 18), 93)
BROTHER = make_id("130102", dt.date(1950, 2, 1), 17)
ZHAO = make_id("130102", dt.date(1980, 11, 30), 51)
SUN = make_id("130102", dt.date(1982, 4, 12), 62)

GAP = dict(_GAP, address="前进村3组12号")
# Another family like GAP (other people), reviewed every 6 months too.
GAP_B = dict(GAP, address="前进村2组7号", members=[
    {"name": "周海燕", "id_number": make_id("130102", dt.date(1974, 5, 3), 26), "relation": "head"},
    {"name": "吴国庆", "id_number": make_id("130102", dt.date(1973, 10, 1), 37), "relation": "spouse",
     "serious_illness": True},
    {"name": "吴雨欣", "id_number": make_id("130102", dt.date(2013, 7, 9), 44), "relation": "child"},
    {"name": "吴长顺", "id_number": make_id("130102", dt.date(1951, 1, 20), 55), "relation": "parent"},
])
VISIT = {"visit_date": None, "investigators": [{"name": "张敏"}, {"name": "李强"}], "family_present": "户主",
         "conclusion": "meets"}


def _investigation(day: str) -> dict:
    return {"verification": {"requested_on": day, "result": "consistent"},
            "home_visit": dict(VISIT, visit_date=day)}


def approved(svc, household, start: dt.date) -> dict:
    """A 低保 case approved through the services, all dates from ``start`` (a Monday)."""
    def day(n: int) -> str:
        return (start + dt.timedelta(days=n)).isoformat()

    cid = svc.create_case(household, "dibao", "clerk", applied_on=day(0))["id"]
    svc.advance(cid, "accept", "clerk", effective_date=day(1), data={"application": {
        "apply_date": day(0), "channel": "self", "reason": "困难", "pledge_signed": True, "authorization_signed": True}})
    svc.advance(cid, "start_investigation", "clerk", effective_date=day(1))
    svc.advance(cid, "complete_investigation", "clerk", effective_date=day(2), data=_investigation(day(2)) | {
        "neighbour_visit": {"visit_date": day(2), "interviewees": [{"name": "邻居"}], "statements": "属实"}})
    svc.advance(cid, "post_notice", "reviewer", effective_date=day(3), data={"preliminary_opinion": {
        "opinion": "approve", "category": "new", "comment": "拟同意"}})
    svc.advance(cid, "submit_to_county", "reviewer", effective_date=day(10),
                data={"posting": {"start_date": day(3), "place": "公开栏"}})
    return svc.advance(cid, "approve", "approver", effective_date=day(11))


def investigate(qtbot, window, page, day: str) -> None:
    fill_form(qtbot, page.editors["verification"], {"requested_on": day, "result": "consistent"})
    fill_form(qtbot, page.editors["home_visit"], {"visit_date": day, "investigators": [{"name": "张敏"}, {"name": "李强"}],
                                                  "family_present": "户主", "conclusion": "meets"})
    fire(qtbot, window, page, "complete_investigation", day)


# --- 特困 ---------------------------------------------------------------------------------------
def test_tekun_application_to_approval(qtbot, office):
    from doudi_desk.domain.model import INCOME_TYPES
    from doudi_desk.services.cases import CaseService
    from doudi_desk.services.lifecycle import LifecycleService
    from doudi_desk.services.lifecycle_queries import LifecycleQueries

    window = make_window(qtbot, office)
    login(qtbot, window, "clerk")
    page = window.new_application()
    settle(qtbot, window)
    assert page.programme.findData("tekun") >= 0 and page.programme.findData("temporary") >= 0
    assert page.members.isColumnHidden(M_APPLICANT)
    page.programme.setCurrentIndex(page.programme.findData("tekun"))
    assert not page.members.isColumnHidden(M_APPLICANT) and page.claim_box.isHidden()
    assert page.save_button.text() == "登记特困人员申请"
    page.village.setCurrentIndex(page.village.findData("130999101001"))
    type_text(qtbot, page.applied_on.edit, "2026-11-02")
    type_text(qtbot, page.address, "前进村5组3号")
    table = page.members
    edit_cell(qtbot, table, 0, M_NAME, "刘福")
    edit_cell(qtbot, table, 0, 1, ELDER)
    qtbot.mouseClick(page.add_member_button, Qt.MouseButton.LeftButton)
    edit_cell(qtbot, table, 1, M_NAME, "刘二")
    edit_cell(qtbot, table, 1, 1, BROTHER)
    choose_cell(qtbot, table, 1, 4, "other")
    # The applicant is the younger brother; marking one member unmarks the other.
    table.item(0, M_APPLICANT).setCheckState(Qt.CheckState.Checked)
    table.item(1, M_APPLICANT).setCheckState(Qt.CheckState.Checked)
    assert page.household.applicant_row() == 1 and table.item(0, M_APPLICANT).checkState() == Qt.CheckState.Unchecked
    qtbot.mouseClick(page.income.add_button, Qt.MouseButton.LeftButton)
    choose_cell(qtbot, page.income, 0, 0, "transfer")
    edit_cell(qtbot, page.income, 0, 1, "1200")
    choose_cell(qtbot, page.income, 0, 2, 1)
    assert page.household_data()["members"][1]["applicant"] is True
    assert page.household_data()["income"] == [{"type": "transfer", "amount": "1200", "member": 1}]
    assert INCOME_TYPES["transfer"] == page.income.item(0, 0).text()
    screenshot(window, "new_application_tekun")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    case_page = window.current_page()
    assert case_page.objectName() == "case_page"
    settle(qtbot, window)
    case_id = case_page.case_id
    assert case_page.view["programme"] == "tekun" and case_page.view["state"] == "applied"
    assert case_page.kind_chip.text() == "申请" and case_page.parent_button.isHidden()
    assert [label.text() for label in case_page.step_bar.labels][:3] == ["申请登记", "调查核实", "乡镇初审"]

    fill_form(qtbot, case_page.editors["tekun_application"], {
        "apply_date": "2026-11-02", "channel": "self", "reason": "兄弟二人均年老，无生活来源",
        "no_able_supporter": True, "supporter_unable_reason": "none_exists", "pledge_signed": True,
        "authorization_signed": True})
    fire(qtbot, window, case_page, "accept", "2026-11-03")
    assert case_page.view["state"] == "investigating"
    assert case_page.life_buttons["edit_household"].isVisible()  # 修改家庭情况 during the investigation
    fill_form(qtbot, case_page.editors["self_care"], {
        "eating": "managed", "dressing": "unable", "transfer": "managed", "toileting": "managed",
        "walking": "managed", "bathing": "unable", "assessed_on": "2026-11-04", "assessor": "县社会福利中心"})
    fill_form(qtbot, case_page.editors["supply_arrangement"], {"mode": "centralised", "institution": "县敬老院"})
    investigate(qtbot, window, case_page, "2026-11-05")
    assert case_page.view["state"] == "preliminary_review"
    proposal = case_page.view["proposal"]
    assert proposal["eligible"] and proposal["tekun_care_level"] == "partial"
    assert any(line.startswith("申请人刘二") for line in proposal["explanation"])  # the marked applicant
    assert case_page.amount.text() == f"拟救助供养金额：每月 {proposal['monthly_amount']} 元"

    switch(qtbot, window, "reviewer")
    case_page = open_page(qtbot, window, case_id)
    fill_form(qtbot, case_page.editors["preliminary_opinion"], {"opinion": "approve", "category": "new",
                                                                "comment": "经调查核实，拟同意"})
    fire(qtbot, window, case_page, "post_notice", "2026-11-06")
    fill_form(qtbot, case_page.editors["posting"], {"start_date": "2026-11-06", "place": "村务公开栏"})
    fire(qtbot, window, case_page, "submit_to_county", "2026-11-13")
    assert case_page.view["state"] == "county_review"

    switch(qtbot, window, "approver")
    case_page = open_page(qtbot, window, case_id)
    dialog_action(qtbot, window, case_page, "approve", "2026-11-16", {"tekun_approval": {"spot_checked": True}})
    assert case_page.view["state"] == "approved"
    assert case_page.amount.text() == f"已确认：每月 {proposal['monthly_amount']} 元"
    assert case_page.side.currentWidget() is case_page.benefit_panel
    assert case_page.benefit_panel.status.text() == "在保"
    assert not case_page.life_buttons["start_review"].isVisible()  # the county does not start reviews

    # --- the database afterwards ---
    view = CaseService(office).show(case_id)
    d = view["decision"]
    assert (view["state"], d["care_level"], d["supply_mode"], d["spot_checked"], d["monthly_amount"]) == (
        "approved", "partial", "centralised", True, proposal["monthly_amount"])
    assert view["benefit"]["status"] == "active" and view["benefit"]["since_month"] == "2026-12"
    assert view["next_review_on"] == "2027-12-01"  # 特困: yearly
    household = LifecycleQueries(office).household_for_edit(case_id, "clerk")
    assert [m.get("applicant", False) for m in household["members"]] == [False, True]
    assert [e["trigger"] for e in view["history"]] == [
        "create", "accept", "complete_investigation", "post_notice", "submit_to_county", "approve"]
    assert [b["case"] for b in LifecycleService(CaseService(office)).benefits()] == [view["number"]]


# --- 临时救助: 先行救助, then the paperwork -----------------------------------------------------------
def test_urgent_temporary_paid_first_then_completed(qtbot, office):
    from doudi_desk.services.cases import CaseService

    window = make_window(qtbot, office)
    login(qtbot, window, "clerk")
    page = window.new_application()
    settle(qtbot, window)
    page.programme.setCurrentIndex(page.programme.findData("temporary"))
    assert page.claim_box.isVisible() and page.members.isColumnHidden(M_APPLICANT)
    page.village.setCurrentIndex(page.village.findData("130999101001"))
    type_text(qtbot, page.applied_on.edit, "2026-11-16")
    edit_cell(qtbot, page.members, 0, M_NAME, "赵德明")
    edit_cell(qtbot, page.members, 0, 1, ZHAO)
    qtbot.mouseClick(page.add_member_button, Qt.MouseButton.LeftButton)
    edit_cell(qtbot, page.members, 1, M_NAME, "孙丽")
    edit_cell(qtbot, page.members, 1, 1, SUN)
    choose_cell(qtbot, page.members, 1, 4, "spouse")
    qtbot.mouseClick(page.income.add_button, Qt.MouseButton.LeftButton)
    edit_cell(qtbot, page.income, 0, 1, "24000")
    page.claim_type.setCurrentIndex(page.claim_type.findData("urgent"))
    # Saving without amount and cause: the page says what is missing, nothing is registered.
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert "拟申请" in page.message.text() or "金额" in page.message.text()
    type_text(qtbot, page.claim_amount, "5000")
    type_text(qtbot, page.claim_cause, "房屋火灾")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    case_page = window.current_page()
    assert case_page.objectName() == "case_page"
    settle(qtbot, window)
    case_id = case_page.case_id
    assert case_page.view["programme"] == "temporary"
    fill_form(qtbot, case_page.editors["temporary_application"], {
        "apply_date": "2026-11-16", "channel": "self", "reason": "夜间房屋失火，衣物家具全部烧毁",
        "pledge_signed": True, "authorization_signed": True})
    fire(qtbot, window, case_page, "accept", "2026-11-16")
    assert case_page.view["state"] == "accepted" and case_page.pending.isHidden()

    switch(qtbot, window, "reviewer")
    case_page = open_page(qtbot, window, case_id)
    dialog_action(qtbot, window, case_page, "pay_first", "2026-11-16", {"first_aid": {
        "paid_on": "2026-11-16", "amount": "3000", "method": "cash", "reason": "火灾后无处安身，先行救助"}})
    assert case_page.view["state"] == "first_aid_paid" and not case_page.view["closed"]
    assert case_page.pending.isVisible()
    assert "待补办：家庭经济状况信息核对、入户调查、公示、审批" in case_page.pending.text()
    assert "先行救助 3000.00 元" in case_page.pending.text()
    assert case_page.step_bar.current_label() == "已先行救助（待补办）"
    screenshot(window, "temporary_first_aid")
    fire(qtbot, window, case_page, "start_investigation", "2026-11-16")
    assert case_page.view["pending_completion"] == ["家庭经济状况信息核对", "入户调查", "公示", "审批"]

    switch(qtbot, window, "clerk")
    case_page = open_page(qtbot, window, case_id)
    investigate(qtbot, window, case_page, "2026-11-16")
    assert "待补办：公示、审批" in case_page.pending.text()
    assert case_page.amount.text() == "拟救助金额：5000 元"

    switch(qtbot, window, "reviewer")
    case_page = open_page(qtbot, window, case_id)
    fill_form(qtbot, case_page.editors["preliminary_opinion"], {"opinion": "approve", "category": "new",
                                                                "comment": "拟同意救助5000元"})
    fire(qtbot, window, case_page, "post_notice", "2026-11-16")
    fill_form(qtbot, case_page.editors["posting"], {"start_date": "2026-11-16", "place": "村务公开栏"})
    assert not case_page.buttons["submit_to_county"].isEnabled()  # 5000 yuan: the township approves
    fire(qtbot, window, case_page, "submit_for_township_approval", "2026-11-23")
    assert case_page.pending.text().endswith("待补办：审批（补齐后方可办结）")
    dialog_action(qtbot, window, case_page, "approve", "2026-11-23", {"temporary_approval": {"form_of_help": "cash"}})
    assert case_page.view["state"] == "approved" and case_page.pending.isHidden()
    assert case_page.amount.text() == "已批准：临时救助 5000 元"
    assert "已先行救助 3000.00 元" in case_page.eligibility.text()
    assert case_page.side.indexOf(case_page.benefit_panel) < 0  # no benefit record for 临时救助

    view = CaseService(office).show(case_id)
    assert view["closed"] and view["pending_completion"] == []
    assert (view["decision"]["amount"], view["decision"]["first_aid_amount"]) == ("5000", "3000.00")
    labels = [e["trigger"] for e in view["history"]]
    assert labels == ["create", "accept", "pay_first", "start_investigation", "complete_investigation", "post_notice",
                      "submit_for_township_approval", "approve"]

    # --- the same family, the same cause, this year: refused until a 重复救助理由 is written ---
    page = window.new_application()
    settle(qtbot, window)
    page.programme.setCurrentIndex(page.programme.findData("temporary"))
    page.village.setCurrentIndex(page.village.findData("130999101001"))
    edit_cell(qtbot, page.members, 0, M_NAME, "赵德明")
    edit_cell(qtbot, page.members, 0, 1, ZHAO)
    type_text(qtbot, page.claim_amount, "2000")
    type_text(qtbot, page.claim_cause, "房屋火灾")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert window.current_page() is page and page.repeat_box.isVisible()
    assert "同一事由" in page.repeat_message.text() and "--repeat-reason" not in page.repeat_message.text()
    type_text(qtbot, page.repeat_reason, "火灾后临时住所再次受灾，经村委会证明")
    qtbot.mouseClick(page.repeat_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    again = window.current_page()
    assert again.objectName() == "case_page" and again.case_id != case_id
    settle(qtbot, window)
    assert "重复救助理由：火灾后临时住所再次受灾" in CaseService(office).show(again.case_id)["history"][0]["comment"]


# --- 复核: correct the household, the amount goes down, the benefit follows ------------------------------
def test_review_lowers_the_amount_of_the_parent(qtbot, office):
    from doudi_desk.services.cases import CaseService

    svc = CaseService(office)
    parent = approved(svc, GAP, dt.date(2026, 5, 11))
    window = make_window(qtbot, office)
    login(qtbot, window, "clerk")
    page = open_page(qtbot, window, parent["id"])
    assert page.side.currentWidget() is page.benefit_panel
    panel = page.benefit_panel
    assert panel.status.text() == "在保"
    assert panel.fact_labels["monthly_amount"].text() == "2792 元"
    assert panel.fact_labels["next_review_on"].text() == "2026-12-01"
    assert panel.history.rowCount() == 1 and not panel.related.isVisible()
    assert page.life_buttons["start_termination"].isVisible() and not page.life_buttons["edit_household"].isVisible()

    click(qtbot, window, page.life_buttons["start_review"])
    dialog = page.dialog
    assert dialog.objectName() == "start_review_dialog"
    type_text(qtbot, dialog.date.edit, "2026-06-01")
    type_text(qtbot, dialog.comment, "年度复核")
    click(qtbot, window, dialog.ok_button)
    review = new_case_page(qtbot, window, page)
    assert review.view["kind"] == "review" and review.kind_chip.text() == "复核"
    assert review.parent_button.isVisible() and parent["number"] in review.parent_button.text()
    assert "最低生活保障复核" in review.title.text()
    assert [label.text() for label in review.step_bar.labels] == ["复核登记", "调查核实", "乡镇审核", "县级决定", "已决定"]
    # The parent now names its open review and refuses a second one.
    assert not page.life_buttons["start_review"].isEnabled() and "未办结" in page.life_buttons["start_review"].toolTip()

    fire(qtbot, window, review, "start_investigation", "2026-06-01")
    click(qtbot, window, review.life_buttons["edit_household"])
    dialog = review.dialog
    assert dialog.objectName() == "household_dialog"
    income = dialog.editor.income
    assert income.rowCount() == 3
    qtbot.mouseClick(income.add_button, Qt.MouseButton.LeftButton)
    choose_cell(qtbot, income, 3, 0, "business")
    edit_cell(qtbot, income, 3, 1, "9600")
    type_text(qtbot, dialog.date.edit, "2026-06-01")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "须写明原因" in dialog.error.text()  # the reason is mandatory
    type_text(qtbot, dialog.comment, "入户调查发现开了小卖部")
    click(qtbot, window, dialog.ok_button)
    assert review.dialog is None and "已修改家庭情况" in review.banner.text()
    assert review.view["history"][-1]["trigger"] == "update_household"
    investigate(qtbot, window, review, "2026-06-02")
    assert review.amount.text() == "复核测算：每月 1992 元"

    switch(qtbot, window, "reviewer")
    review = open_page(qtbot, window, review.case_id)
    fill_form(qtbot, review.editors["preliminary_opinion"], {"opinion": "approve", "category": "adjust",
                                                             "comment": "新增经营收入，拟减发"})
    fire(qtbot, window, review, "submit_to_county", "2026-06-03")

    switch(qtbot, window, "approver")
    # In the supervisor queue the review is listed, but decided on its page (not by batch 批准).
    queue = window.supervisor
    window.tabs.setCurrentWidget(queue)
    settle(qtbot, window)
    index = next(i for i, r in enumerate(queue.model.rows) if r["id"] == review.case_id)
    assert queue.model.rows[index]["approve_label"] == "复核决定（在案件页办理）"
    queue.view.selectRow(index)
    assert not queue.approve_button.isEnabled() and "案件页" in queue.approve_button.toolTip()
    review = open_page(qtbot, window, review.case_id)
    dialog_action(qtbot, window, review, "decide", "2026-06-04",
                  {"review_decision": {"reasons": "新增经营收入，人均收入提高"}})
    assert review.view["state"] == "decided"
    assert review.amount.text() == "减发：每月 2792 → 1992 元"
    assert "自 2026-07 起执行" in review.eligibility.text()

    switch(qtbot, window, "clerk")
    review = open_page(qtbot, window, review.case_id)
    click(qtbot, window, review.parent_button)
    page = window.current_page()
    assert page.case_id == parent["id"]
    settle(qtbot, window)
    panel = page.benefit_panel
    assert panel.fact_labels["monthly_amount"].text() == "1992 元"
    assert panel.fact_labels["next_review_on"].text() == "2027-01-01"
    assert [panel.history.item(r, 2).text() for r in range(panel.history.rowCount())] == ["减发", "认定"]
    assert panel.related.rowCount() == 1 and panel.related.item(0, 1).text() == "复核"
    assert page.life_buttons["start_review"].isEnabled()
    page.side.setCurrentWidget(panel)
    screenshot(window, "lifecycle_benefit")

    view = svc.show(parent["id"])
    assert view["benefit"]["monthly_amount"] == "1992" and view["next_review_on"] == "2027-01-01"
    assert [h["result"] for h in view["benefit"]["history"]] == ["approved", "lower"]
    assert view["history"][-1]["trigger"] == "benefit_lower" and "新增经营收入" in view["history"][-1]["comment"]
    decided = svc.show(review.case_id)
    assert decided["history"][2]["trigger"] == "update_household" and "小卖部" in decided["history"][2]["comment"]
    assert "household.income[3].type" in decided["history"][2]["changes"]


# --- 变更: the only covered member died -----------------------------------------------------------------
def test_death_of_the_only_covered_member_opens_a_termination(qtbot, office):
    from doudi_desk.services.cases import CaseService

    svc = CaseService(office)
    parent = approved(svc, SINGLE, dt.date(2026, 5, 11))
    assert parent["benefit"]["covered"] == [2]
    window = make_window(qtbot, office)
    login(qtbot, window, "clerk")
    page = open_page(qtbot, window, parent["id"])
    assert page.benefit_panel.fact_labels["covered"].text() == "1 人"
    click(qtbot, window, page.life_buttons["start_change"])
    dialog = page.dialog
    assert dialog.objectName() == "change_dialog"
    dialog.change_type.setCurrentIndex(dialog.change_type.findData("death"))
    assert dialog.member.isVisible() and not dialog.amount.isVisible() and not dialog.new_member_box.isVisible()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "发生日期" in dialog.error.text()
    type_text(qtbot, dialog.change_date.edit, "2026-06-10")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "家庭成员" in dialog.error.text()
    dialog.member.setCurrentIndex(dialog.member.findData("赵晨"))
    type_text(qtbot, dialog.detail, "因病去世")
    type_text(qtbot, dialog.date.edit, "2026-06-11")
    click(qtbot, window, dialog.ok_button)
    termination = new_case_page(qtbot, window, page)
    assert termination.view["kind"] == "termination" and termination.kind_chip.text() == "停保"
    assert termination.view["forms"]["termination"]["reason"] == "death"
    assert termination.amount.text() == "拟停止保障" and "死亡" in termination.eligibility.text()
    assert "已提出停保" in page.banner.text()

    fire(qtbot, window, termination, "submit_to_county", "2026-06-12")
    switch(qtbot, window, "approver")
    termination = open_page(qtbot, window, termination.case_id)
    fire(qtbot, window, termination, "terminate", "2026-06-15")
    assert termination.view["state"] == "terminated" and termination.amount.text() == "停发：自 2026-07 起"

    switch(qtbot, window, "clerk")
    page = open_page(qtbot, window, parent["id"])
    assert page.benefit_panel.status.text() == "已停保（自 2026-07 起停发）"
    assert not page.life_buttons["start_change"].isEnabled()
    view = svc.show(parent["id"])
    assert view["benefit"]["status"] == "stopped" and view["benefit"]["stopped_from"] == "2026-07"
    assert view["benefit"]["status_today"] == "stopped" and view["next_review_on"] is None
    assert [c["kind"] for c in view["related_cases"]] == ["termination"]


# --- 变更: a new job lifts the family over the line: 渐退 ---------------------------------------------
def test_new_job_leads_to_phase_out(qtbot, office):
    from doudi_desk.services.cases import CaseService
    from doudi_desk.services.lifecycle import LifecycleService

    svc = CaseService(office)
    parent = approved(svc, GAP, dt.date(2026, 5, 11))
    window = make_window(qtbot, office)
    login(qtbot, window, "clerk")
    page = open_page(qtbot, window, parent["id"])
    click(qtbot, window, page.life_buttons["start_change"])
    dialog = page.dialog
    dialog.change_type.setCurrentIndex(dialog.change_type.findData("new_job"))
    assert dialog.member.isVisible() and dialog.amount.isVisible()
    type_text(qtbot, dialog.change_date.edit, "2026-06-10")
    dialog.member.setCurrentIndex(dialog.member.findData("王建国"))
    type_text(qtbot, dialog.amount, "60000")
    dialog.reported_by.setCurrentIndex(dialog.reported_by.findData("data_match"))
    type_text(qtbot, dialog.detail, "户主在县城务工，月工资约5000元")
    type_text(qtbot, dialog.date.edit, "2026-06-11")
    click(qtbot, window, dialog.ok_button)
    change = new_case_page(qtbot, window, page)
    assert change.view["kind"] == "change" and change.kind_chip.text() == "变更"
    assert change.view["forms"]["change_report"]["reported_by"] == "data_match"
    fire(qtbot, window, change, "start_investigation", "2026-06-11")
    investigate(qtbot, window, change, "2026-06-12")
    assert change.amount.text() == "复核测算：不再符合条件"

    switch(qtbot, window, "reviewer")
    change = open_page(qtbot, window, change.case_id)
    fill_form(qtbot, change.editors["preliminary_opinion"], {"opinion": "refuse", "category": "stop",
                                                             "comment": "就业收入超过标准"})
    fire(qtbot, window, change, "submit_to_county", "2026-06-13")
    switch(qtbot, window, "approver")
    change = open_page(qtbot, window, change.case_id)
    dialog_action(qtbot, window, change, "decide", "2026-06-15",
                  {"review_decision": {"reasons": "就业收入超过低保标准，给予渐退"}})
    assert change.amount.text() == "渐退：每月 2792 元发至 2026-12"

    click(qtbot, window, change.parent_button)
    page = window.current_page()
    settle(qtbot, window)
    panel = page.benefit_panel
    assert panel.status.text() == "渐退期（至 2026-12）"
    assert panel.fact_labels["phase_out_until"].text() == "2026-12" and panel.fact_labels["phase_out_until"].isVisible()
    assert not panel.fact_labels["stopped_from"].isVisible()
    benefit = svc.show(parent["id"])["benefit"]
    assert (benefit["status"], benefit["status_today"], benefit["phase_out_until"]) == (
        "phasing_out", "phasing_out", "2026-12")
    assert [b["case"] for b in LifecycleService(svc).benefits(status="phasing_out")] == [parent["number"]]


# --- 动态管理: 复核到期, 在保名单, 低收入监测 ------------------------------------------------------------
def test_due_reviews_benefits_and_flags(qtbot, qtmodeltester, office):
    from doudi_desk.services.cases import CaseService

    svc = CaseService(office)
    early = approved(svc, GAP, dt.date(2026, 3, 9))  # review 2026-10-01: overdue in November
    on_time = approved(svc, GAP_B, dt.date(2026, 5, 11))  # review 2026-12-01
    assert (early["next_review_on"], on_time["next_review_on"]) == ("2026-10-01", "2026-12-01")
    window = make_window(qtbot, office)
    login(qtbot, window, "clerk")
    dynamic = window.dynamic
    assert window.tabs.tabText(window.tabs.indexOf(dynamic)) == "动态管理"
    window.tabs.setCurrentWidget(dynamic)
    due = dynamic.show_list("due")
    settle(qtbot, window)
    assert [r["case"] for r in due.model.rows] == [early["number"]]  # November: the overdue one only
    due.month.setCurrentIndex(due.month.findData("2026-12"))
    settle(qtbot, window)
    rows = due.model.rows
    assert [r["case"] for r in rows] == [early["number"], on_time["number"]]
    qtmodeltester.check(due.model)
    column = [k for k, _ in due.COLUMNS].index("due")
    assert due.model.data(due.model.index(0, column)) == "已逾期"
    assert due.model.data(due.model.index(0, column), Qt.ItemDataRole.ForegroundRole) == __import__(
        "doudi_desk.ui.style", fromlist=["RED"]).RED
    assert due.model.data(due.model.index(1, column)) == "2026-12 到期"
    assert due.count_label.text() == "共 2 户应复核，其中逾期 1 户，已开展 0 户"
    due.select_row(0)
    click(qtbot, window, due.start_button)
    dialog = due.dialog
    type_text(qtbot, dialog.date.edit, "2026-11-23")
    click(qtbot, window, dialog.ok_button)
    review = window.current_page()
    assert review.objectName() == "case_page"
    settle(qtbot, window)
    assert review.view["kind"] == "review" and review.view["parent_case"] == early["number"]
    window.tabs.setCurrentWidget(dynamic)
    settle(qtbot, window)
    row = due.model.rows[0]
    assert row["review_case"] == review.view["number"]
    assert due.model.data(due.model.index(0, len(due.COLUMNS) - 1)).startswith(review.view["number"])
    due.select_row(0)
    assert not due.start_button.isEnabled() and due.open_review_button.isEnabled()
    due.select_row(1)
    assert due.start_button.isEnabled() and not due.open_review_button.isEnabled()
    due.view.clearSelection()
    screenshot(window, "due_reviews")

    benefits = dynamic.show_list("benefits")
    settle(qtbot, window)
    assert {r["case"] for r in benefits.model.rows} == {early["number"], on_time["number"]}
    qtmodeltester.check(benefits.model)
    assert "共 2 户" in benefits.count_label.text()
    open_column = [k for k, _ in benefits.COLUMNS].index("open_case")
    texts = {benefits.model.rows[r]["case"]: benefits.model.data(benefits.model.index(r, open_column))
             for r in range(2)}
    assert texts[early["number"]] == f"复核 {review.view['number']}" and texts[on_time["number"]] == ""
    benefits.status.setCurrentIndex(benefits.status.findData("stopped"))
    settle(qtbot, window)
    assert benefits.model.rowCount() == 0

    monitoring = dynamic.show_list("monitoring")
    settle(qtbot, window)
    qtmodeltester.check(monitoring.model)
    flagged = {r["head"]: r["flags"] for r in monitoring.model.rows}
    # One row per family even though the review stored its own copy of the household.
    assert list(flagged).count("王建国") <= 1
    monitoring.flag.setCurrentIndex(monitoring.flag.findData("monitoring_alert"))
    settle(qtbot, window)
    assert all("monitoring_alert" in r["flags"] for r in monitoring.model.rows)
    if monitoring.model.rowCount():
        monitoring._activated(0)
        settle(qtbot, window)
        assert window.current_page().objectName() == "case_page"

    # The county approver sees the lists but starts no review.
    switch(qtbot, window, "approver")
    assert window.dynamic is not None and not window.dynamic.due.start_button.isVisible()
    switch(qtbot, window, "admin")
    assert window.dynamic is None


def test_monitoring_screenshot_on_the_demo(qtbot, qtmodeltester, demo_url):
    ctx = demo_context(demo_url)
    window = make_window(qtbot, ctx)
    login(qtbot, window, "wangfang")
    window.tabs.setCurrentWidget(window.dynamic)
    monitoring = window.dynamic.show_list("monitoring")
    settle(qtbot, window)
    assert monitoring.model.rowCount() > 5
    qtmodeltester.check(monitoring.model)
    villages = {r["village_name"] for r in monitoring.model.rows}
    assert villages and not villages & {"杏花村", "石桥村"}  # 王芳 works in 桃源镇 only
    monitoring.select_row(0)
    screenshot(window, "monitoring_flags")
    due = window.dynamic.show_list("due")
    due.month.setCurrentIndex(due.month.count() - 1)
    settle(qtbot, window)
    assert all(r["next_review_on"] < due.month.currentData() + "-32" for r in due.model.rows)
    ctx.db.dispose()
