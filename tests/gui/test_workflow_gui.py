"""A whole case through the real widgets, offscreen: log in, register an application with three
members (fixing a mistyped ID number), take it to 初审公示, record an objection, finish it, approve
it from the supervisor queue as another user, then check the database and the history."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from doudi_desk.domain.ids import make_id
from tests.helpers.window import (
    choose_cell,
    commit,
    dialog_action,
    edit_cell,
    fill_form,
    fire,
    login,
    make_window,
    open_editor,
    screenshot,
    settle,
    type_text,
)

HEAD = make_id("130102", dt.date(1970, 3, 15), 31)
SPOUSE = make_id("130102", dt.date(1972, 8, 2), 42)
CHILD = make_id("130102", dt.date(2012, 5, 20), 15)
WRONG = CHILD[:-1] + ("0" if CHILD[-1] != "0" else "1")  # one wrong check digit


def test_whole_case_through_the_window(qtbot, office):
    from doudi_desk.services.cases import CaseService

    window = make_window(qtbot, office)
    login(qtbot, window, "clerk")
    assert window.tabs.tabText(0) == "案件" and window.supervisor is None and window.settings is None

    # --- 申请登记: three members, one ID number mistyped then fixed ---
    page = window.new_application()
    settle(qtbot, window)
    page.village.setCurrentIndex(page.village.findData("130999101001"))
    type_text(qtbot, page.applied_on.edit, "2026-11-02")
    type_text(qtbot, page.address, "前进村3组12号")
    type_text(qtbot, page.contact.edits["bank_name"], "县农村信用社")
    account = page.contact.edits["bank_account"]
    type_text(qtbot, account, "6230-5801 abc0011 2233 445")  # letters and hyphens are not taken
    assert account.text() == "62305801 0011 2233 445"
    table = page.members
    edit_cell(qtbot, table, 0, 0, "王建国")
    edit_cell(qtbot, table, 0, 1, HEAD)
    assert table.item(0, 2).text() == "1970-03-15" and table.item(0, 3).text() == "男"
    qtbot.mouseClick(page.add_member_button, Qt.MouseButton.LeftButton)
    edit_cell(qtbot, table, 1, 0, "李秀兰")
    edit_cell(qtbot, table, 1, 1, SPOUSE)
    choose_cell(qtbot, table, 1, 4, "spouse")
    table.item(1, 7).setCheckState(Qt.CheckState.Checked)  # 重病
    qtbot.mouseClick(page.add_member_button, Qt.MouseButton.LeftButton)
    edit_cell(qtbot, table, 2, 0, "王小明")
    # Typing the wrong number: the message appears while typing, the cell turns red.
    editor = open_editor(qtbot, table, 2, 1)
    type_text(qtbot, editor, WRONG[:10])
    assert "已输入 10 位" in page.id_hint.text()
    type_text(qtbot, editor, WRONG[10:], clear=False)
    assert "校验码不正确" in page.id_hint.text()
    commit(qtbot, editor)
    assert table.item(2, 2).text() == "" and "校验码" in table.item(2, 1).toolTip()
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert "第3行" in page.message.text() and "校验码" in page.message.text()
    edit_cell(qtbot, table, 2, 1, CHILD)  # fixed
    assert table.item(2, 2).text() == "2012-05-20" and page.id_hint.text() == ""
    page._add_money_row(page.income, __import__("doudi_desk.domain.model", fromlist=["INCOME_TYPES"]).INCOME_TYPES)
    edit_cell(qtbot, page.income, 0, 1, "9600")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    case_page = window.current_page()
    assert case_page.objectName() == "case_page"
    settle(qtbot, window)
    assert case_page.view["state"] == "applied" and case_page.view["household"]["members"] == 3
    case_id = case_page.case_id
    assert "发放账户 县农村信用社 6230580100112233445" in case_page.summary_text.text()  # a caseworker sees it all

    # --- 受理, 开始调查, 调查完成 (the forms of each step on the page) ---
    app_form = case_page.editors["application"]
    fill_form(qtbot, app_form, {"apply_date": "2026-11-02", "channel": "self", "reason": "因病致贫，收入低",
                                "pledge_signed": True, "authorization_signed": True})
    fire(qtbot, window, case_page, "accept", "2026-11-03")
    assert case_page.view["state"] == "accepted"
    fire(qtbot, window, case_page, "start_investigation", "2026-11-04")
    assert case_page.view["state"] == "investigating"
    assert not case_page.buttons["complete_investigation"].isEnabled()
    fill_form(qtbot, case_page.editors["verification"], {"requested_on": "2026-11-04", "result": "consistent"})
    fill_form(qtbot, case_page.editors["home_visit"], {
        "visit_date": "2026-11-05", "investigators": [{"name": "张敏"}, {"name": "李强"}],
        "family_present": "户主、配偶", "conclusion": "meets"})
    fill_form(qtbot, case_page.editors["neighbour_visit"], {
        "visit_date": "2026-11-05", "interviewees": [{"name": "邻居老周"}], "statements": "情况属实"})
    fire(qtbot, window, case_page, "complete_investigation", "2026-11-05")
    assert case_page.view["state"] == "preliminary_review"
    assert case_page.view["proposal"]["eligible"]
    assert case_page.explanation.count() == len(case_page.view["proposal"]["explanation"]) > 3
    assert "每月" in case_page.amount.text()

    # --- the township reviewer: 初审公示, an objection, 民主评议, report to the county ---
    window.logout()
    settle(qtbot, window)
    login(qtbot, window, "reviewer")
    case_page = window.open_case(case_id)
    settle(qtbot, window)
    fill_form(qtbot, case_page.editors["preliminary_opinion"], {"opinion": "approve", "category": "new",
                                                                "comment": "经调查核实，拟同意"})
    fire(qtbot, window, case_page, "post_notice", "2026-11-06")
    assert case_page.view["state"] == "posting" and case_page.step_bar.current_label() == "初审公示"
    dialog_action(qtbot, window, case_page, "record_objection", "2026-11-09",
                  {"objection": {"received_on": "2026-11-09", "content": "反映该户有经营收入未申报"}})
    assert case_page.view["state"] == "objection"
    assert case_page.step_bar.current_label() == "异议处理"
    fire(qtbot, window, case_page, "hold_democratic_review", "2026-11-10")
    fill_form(qtbot, case_page.editors["democratic_review"], {
        "held_on": "2026-11-10", "chair": "村支书", "participants": "15", "representatives": "12",
        "votes_for": "12", "votes_against": "3", "votes_abstain": "0"})
    fire(qtbot, window, case_page, "review_passed", "2026-11-10")
    assert case_page.view["state"] == "preliminary_review"
    fire(qtbot, window, case_page, "submit_to_county", "2026-11-11")
    assert case_page.view["state"] == "county_review"

    # --- the county approver approves from the supervisor queue ---
    window.logout()
    settle(qtbot, window)
    login(qtbot, window, "approver")
    queue = window.supervisor
    window.tabs.setCurrentWidget(queue)
    settle(qtbot, window)
    assert [r["id"] for r in queue.model.rows] == [case_id]
    row = queue.model.rows[0]
    assert row["proposed_amount"] and "有异议" in row["flags"]
    queue.view.selectRow(0)
    qtbot.mouseClick(queue.approve_button, Qt.MouseButton.LeftButton)
    box = queue.dialog
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(queue.batch_finished, timeout=10000) as blocker:
        pass
    assert blocker.args[0]["failed"] == [] and len(blocker.args[0]["done"]) == 1
    settle(qtbot, window)
    assert queue.model.rows == []

    # --- the database and the history afterwards ---
    view = CaseService(office).show(case_id)
    assert view["state"] == "approved" and view["decision"]["decided_by"] == "approver"
    assert view["decision"]["monthly_amount"] == view["proposal"]["monthly_amount"]
    assert [e["trigger"] for e in view["history"]] == [
        "create", "accept", "start_investigation", "complete_investigation", "post_notice", "record_objection",
        "hold_democratic_review", "review_passed", "submit_to_county", "approve"]
    assert [e["actor"] for e in view["history"]][-1] == "approver"
    assert view["forms"]["home_visit"]["investigators"] == [{"name": "张敏"}, {"name": "李强"}]
    assert view["history"][1]["effective_date"] == "2026-11-03"
    assert view["forms"]["democratic_review"]["votes_for"] == 12
    case_page = window.open_case(case_id)
    settle(qtbot, window)
    assert case_page.history.rowCount() == 10 and "确认" in case_page.amount.text()
    screenshot(window, "approved_case")
