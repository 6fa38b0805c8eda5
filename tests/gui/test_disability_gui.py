"""残疾人两项补贴 in the window (offscreen, real widgets): a clerk registers the application with the
member's 残疾人证 in the household editor, the township checks the certificate and the care need,
the county approves with the computation read from the family's 低保, the person's 保障情况 tab
shows both allowances; when the family's 低保 stops, the tab shows the living allowance stopped.
The 动态管理 tab lists a certificate holder who may still apply. Screenshots in
tests/output/screenshots/."""

from __future__ import annotations

from disability_helpers import HEAD_CERTIFICATE, day, family, grant_dibao, stop_dibao
from PySide6.QtCore import Qt

from doudi_desk.ui.household_editor import (
    M_APPLICANT,
    M_CERT,
    M_CERT_NO,
    M_DGRADE,
    M_DTYPE,
    M_LTC,
    M_NAME,
)
from tests.helpers.window import (
    choose_cell,
    click,
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


def test_apply_decide_and_see_both_allowances(qtbot, office):
    from doudi_desk.services.cases import CaseService

    svc = CaseService(office)
    dibao = grant_dibao(svc)  # the family's 低保 from November
    window = make_window(qtbot, office)
    login(qtbot, window, "clerk")

    # 动态管理 → 可申请补贴: the head holds a certificate and has no allowance yet
    window.tabs.setCurrentWidget(window.dynamic)
    tab = window.dynamic.show_list("suggestions")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=10000)
    assert tab.model.row(0)["member"] == "王建国" and tab.model.row(0)["hint"] == "可申请两项补贴"
    screenshot(window, "disability_suggestions")

    page = window.new_application()
    settle(qtbot, window)
    page.programme.setCurrentIndex(page.programme.findData("disability_allowance"))
    assert page.save_button.text() == "登记两项补贴申请"
    assert not page.members.isColumnHidden(M_APPLICANT) and page.claim_box.isHidden()
    page.village.setCurrentIndex(page.village.findData("130999101001"))
    type_text(qtbot, page.applied_on.edit, day(14))
    type_text(qtbot, page.address, "前进村1组8号")
    table = page.members
    members = family()["members"]
    for r, m in enumerate(members):
        if r:
            qtbot.mouseClick(page.add_member_button, Qt.MouseButton.LeftButton)
        edit_cell(qtbot, table, r, M_NAME, m["name"])
        edit_cell(qtbot, table, r, 1, m["id_number"])
        if r:
            choose_cell(qtbot, table, r, 4, m["relation"])
    choose_cell(qtbot, table, 0, M_DTYPE, "physical")
    choose_cell(qtbot, table, 0, M_DGRADE, 2)
    edit_cell(qtbot, table, 0, M_CERT_NO, HEAD_CERTIFICATE)
    table.item(0, M_LTC).setCheckState(Qt.CheckState.Checked)
    table.item(0, M_APPLICANT).setCheckState(Qt.CheckState.Checked)
    head = page.household_data()["members"][0]
    assert (head["certificate_number"], head["disability_certificate"], head["long_term_care"], head["applicant"]) == (
        HEAD_CERTIFICATE, True, True, True)
    assert table.item(0, M_CERT).checkState() == Qt.CheckState.Checked  # ticked as the number was typed
    table.scrollToItem(table.item(0, M_CERT_NO))
    screenshot(window, "disability_new_application")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    case_page = window.current_page()
    assert case_page.objectName() == "case_page"
    settle(qtbot, window)
    case_id = case_page.case_id
    assert case_page.view["programme"] == "disability_allowance" and case_page.view["state"] == "applied"
    assert [label.text() for label in case_page.step_bar.labels][:3] == ["申请登记", "乡镇审核", "县级审批"]

    fill_form(qtbot, case_page.editors["disability_application"], {
        "apply_date": day(14), "channel": "self", "requested": ["living", "care"],
        "reason": "肢体残疾二级，生活不能完全自理", "pledge_signed": True})
    fire(qtbot, window, case_page, "accept", day(14))
    assert case_page.view["state"] == "reviewing"
    fill_form(qtbot, case_page.editors["disability_check"], {
        "result": "valid", "source": "database", "checked_on": day(15), "checked_by": "张敏"})
    fill_form(qtbot, case_page.editors["care_need"], {
        "long_term_care": True, "basis": "日常生活多项需他人协助", "assessed_on": day(15), "assessor": "乡镇卫生院"})
    type_text(qtbot, case_page.effective.edit, day(15))
    qtbot.mouseClick(case_page.save_button, Qt.MouseButton.LeftButton)  # 保存表单: the reviewer submits
    settle(qtbot, window)
    assert case_page.view["forms"]["disability_check"]["result"] == "valid"
    screenshot(window, "disability_review_forms")

    switch(qtbot, window, "reviewer")
    case_page = open_page(qtbot, window, case_id)
    fire(qtbot, window, case_page, "submit_to_county", day(16))
    assert case_page.view["state"] == "county_approval"
    assert case_page.amount.text() == "拟补贴金额：每月 160 元（困难残疾人生活补贴 80 元、重度残疾人护理补贴 80 元）"
    lines = [case_page.explanation.item(i).text() for i in range(case_page.explanation.count())]
    assert "王建国已纳入最低生活保障（整户保障）。" in lines
    assert "在保状态（据在保记录）：低保在保（整户保障）：王建国、李秀兰、王小明、王老汉" in case_page.eligibility.text()

    switch(qtbot, window, "approver")
    case_page = open_page(qtbot, window, case_id)
    screenshot(window, "disability_county_approval")
    dialog_action(qtbot, window, case_page, "approve", day(17), {"disability_approval": {"comment": "同意"}})
    assert case_page.view["state"] == "approved"
    assert case_page.side.currentWidget() is case_page.benefit_panel
    panel = case_page.benefit_panel
    assert panel.status.text() == "在保"
    assert panel.fact_labels["parts"].text() == "困难残疾人生活补贴：每月 80 元\n重度残疾人护理补贴：每月 80 元"
    screenshot(window, "disability_benefit_tab")

    # The family's 低保 stops (decided elsewhere): the living allowance stops from the same month.
    stop_dibao(office, svc, dibao["id"], on=30)
    case_page.load()  # what another office's change shows when the page is read again
    settle(qtbot, window)
    panel = case_page.benefit_panel
    assert case_page.side.currentWidget() is panel
    assert panel.fact_labels["parts"].text() == (
        "困难残疾人生活补贴：已停发（自 2026-12 起：家庭最低生活保障停发）\n重度残疾人护理补贴：每月 80 元")
    assert panel.fact_labels["monthly_amount"].text() == "80 元"
    assert panel.history.item(0, 2).text() == "联动停发" and panel.history.item(0, 3).text() == dibao["number"]
    shown = panel.history.fontMetrics().horizontalAdvance("联动停发")
    assert shown + 12 <= panel.history.columnWidth(2)  # read whole, not "联动…"
    screenshot(window, "disability_benefit_living_stopped")
    view = svc.show(case_id)
    assert view["history"][-1]["trigger"] == "benefit_linked_stop"
    assert view["benefit"]["parts"] == {"living": "0", "care": "80"}
    assert view["household"]["head"] == "王建国"

    # The person's certificate is cancelled: the clerk proposes 停保 of what is still paid (the care
    # allowance) in the window, the county decides it, and the tab shows the allowances stopped.
    switch(qtbot, window, "clerk")
    case_page = open_page(qtbot, window, case_id)
    click(qtbot, window, case_page.life_buttons["start_termination"])
    dialog = case_page.dialog
    assert dialog.objectName() == "termination_dialog"
    dialog.reason.setCurrentIndex(dialog.reason.findData("certificate_invalid"))
    type_text(qtbot, dialog.reasons, "残疾人证已被注销")
    type_text(qtbot, dialog.date.edit, day(32))
    screenshot(dialog, "disability_termination_dialog")
    click(qtbot, window, dialog.ok_button)
    termination = new_case_page(qtbot, window, case_page)
    assert termination.view["kind"] == "termination" and termination.view["programme"] == "disability_allowance"
    fire(qtbot, window, termination, "submit_to_county", day(32))
    switch(qtbot, window, "approver")
    termination = open_page(qtbot, window, termination.case_id)
    fire(qtbot, window, termination, "terminate", day(33))
    assert termination.view["state"] == "terminated"
    case_page = open_page(qtbot, window, case_id)
    panel = case_page.benefit_panel
    assert panel.status.text() == "在保（已决定自 2026-12 起停发）"  # decided in November: paid until the month ends
    screenshot(window, "disability_benefit_terminated")
    benefit = svc.show(case_id)["benefit"]
    assert benefit["status"] == "stopped" and benefit["stopped_from"] == "2026-12"
