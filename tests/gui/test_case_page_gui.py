"""The case page's refusals, drafts, version conflicts, database faults and crashes; a batch with
one failing case; the self-test command."""

from __future__ import annotations

import logging
import subprocess
import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.helpers.dibao import (
    day,
    investigating,
    investigation,
    to_posting,
)
from tests.helpers.names import han_name
from tests.helpers.window import (
    advance,
    fill_form,
    login,
    make_window,
    screenshot,
    settle,
    type_text,
)


def test_a_refused_action_shows_its_reason(qtbot, office):
    from doudi_desk.services.cases import CaseService

    view = to_posting(CaseService(office))
    window = make_window(qtbot, office)
    login(qtbot, window, "approver")
    page = window.open_case(view["id"])
    settle(qtbot, window)
    # The approver has nothing to do in 初审公示: every action disabled, the tooltip says why.
    button = page.buttons["record_objection"]
    assert not button.isEnabled() and "无权办理" in button.toolTip() and "县级审批人" in button.toolTip()
    assert "无权办理" in page.reasons.text()
    window.logout()
    settle(qtbot, window)
    login(qtbot, window, "reviewer")
    page = window.open_case(view["id"])
    settle(qtbot, window)
    assert not page.buttons["submit_to_county"].isEnabled()
    assert "「初审公示」尚未填写" in page.buttons["submit_to_county"].toolTip()
    # A back-dated step before the previous one is refused by the service: the reason shows.
    fill_form(qtbot, page.editors["posting"], {"start_date": day(5), "place": "村务公开栏"})
    type_text(qtbot, page.effective.edit, day(3))
    advance(qtbot, window, 0.5)
    assert not page.buttons["submit_to_county"].isEnabled()
    assert "公示期" in page.buttons["submit_to_county"].toolTip()
    type_text(qtbot, page.effective.edit, day(12))
    advance(qtbot, window, 0.5)
    assert page.buttons["submit_to_county"].isEnabled()
    type_text(qtbot, page.effective.edit, day(3))
    page.fire("submit_to_county")  # as if clicked before the preview caught up
    settle(qtbot, window)
    assert "早于上一步" in page.refusal_text() or "公示期" in page.refusal_text()
    assert CaseService(office).show(view["id"])["state"] == "posting"
    screenshot(window, "refused_action")


def test_half_filled_form_survives_closing_the_window(qtbot, office):
    _svc, cid = investigating(office)
    window = make_window(qtbot, office)
    login(qtbot, window, "clerk")
    page = window.open_case(cid)
    settle(qtbot, window)
    fill_form(qtbot, page.editors["home_visit"], {"family_present": "户主本人", "investigators": [{"name": "张敏"}]})
    window.close()  # no wait for the autosave timer: closing keeps the draft
    settle(qtbot, window)

    again = make_window(qtbot, office)
    login(qtbot, again, "clerk")
    page = again.open_case(cid)
    settle(qtbot, again)
    values = page.editors["home_visit"].values()
    assert values["family_present"] == "户主本人" and values["investigators"] == [{"name": "张敏"}]
    assert "草稿" in page.banner.text()
    # Another user does not see this clerk's draft.
    again.logout()
    settle(qtbot, again)
    login(qtbot, again, "clerk2")
    page = again.open_case(cid)
    settle(qtbot, again)
    assert page.editors["home_visit"].values()["family_present"] is None


def test_stale_version_shows_both_and_reapplies(qtbot, office):
    svc, cid = investigating(office)
    window = make_window(qtbot, office)
    login(qtbot, window, "clerk")
    page = window.open_case(cid)
    settle(qtbot, window)
    data = investigation()
    for form_id, values in data.items():
        fill_form(qtbot, page.editors[form_id], values)
    type_text(qtbot, page.effective.edit, day(4))
    advance(qtbot, window, 0.5)
    # Meanwhile a colleague saves the verification form on another PC.
    svc.save_forms(cid, "clerk2", {"verification": {"findings": "社保缴费记录一致"}}, effective_date=day(3))
    qtbot.mouseClick(page.buttons["complete_investigation"], Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    dialog = page.dialog
    assert dialog is not None and dialog.objectName() == "conflict_dialog"
    assert dialog.table.rowCount() > 0
    screenshot(dialog, "conflict_dialog")
    qtbot.mouseClick(dialog.reapply, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    view = svc.show(cid)
    assert view["state"] == "preliminary_review"
    assert view["forms"]["verification"]["findings"] == "社保缴费记录一致"  # theirs kept, mine applied on top
    assert [e["actor"] for e in view["history"]][-2:] == ["clerk2", "clerk"]


def test_database_fault_is_a_chinese_message_and_a_bug_opens_the_crash_dialog(qtbot, office, monkeypatch, caplog):
    from doudi_desk.storage.db import StorageError
    from doudi_desk.ui.errors import CrashDialog

    _svc, cid = investigating(office)
    window = make_window(qtbot, office)
    login(qtbot, window, "clerk")
    page = window.open_case(cid)
    settle(qtbot, window)
    for form_id, values in investigation().items():
        fill_form(qtbot, page.editors[form_id], values)
    type_text(qtbot, page.effective.edit, day(4))
    advance(qtbot, window, 0.5)

    def locked(*_a, **_k):
        raise StorageError("locked", "数据库正被其他程序占用，请稍后再试")

    monkeypatch.setattr(window.backend.cases, "advance", locked)
    qtbot.mouseClick(page.buttons["complete_investigation"], Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    boxes = [w for w in window.findChildren(QMessageBox) if w.isVisible()]
    assert boxes and "数据库正被其他程序占用" in boxes[0].text()
    assert page.editors["home_visit"].values()["family_present"] == "户主、配偶"  # nothing typed is lost
    boxes[0].close()

    def bug(*_a, **_k):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(window.backend.cases, "advance", bug)
    with caplog.at_level(logging.ERROR):
        qtbot.mouseClick(page.buttons["complete_investigation"], Qt.MouseButton.LeftButton)
        settle(qtbot, window)
    crash = [w for w in window.findChildren(CrashDialog) if w.isVisible()]
    assert crash and "ZeroDivisionError" in crash[0].details.toPlainText()
    assert any("unexpected error" in r.message for r in caplog.records)
    crash[0].close()


def test_batch_with_one_stale_case_names_it(qtbot, office):
    from doudi_desk.services.cases import CaseService
    from tests.helpers.dibao import to_county

    svc = CaseService(office)
    views = [to_county(svc, seq) for seq in (201, 203, 205)]
    window = make_window(qtbot, office)
    login(qtbot, window, "approver")
    queue = window.supervisor
    window.tabs.setCurrentWidget(queue)
    settle(qtbot, window)
    assert queue.model.rowCount() == 3
    svc.advance(views[1]["id"], "return_case", "approver", comment="材料不全")  # changed after the queue loaded
    queue.view.selectAll()
    qtbot.mouseClick(queue.approve_button, Qt.MouseButton.LeftButton)
    assert "将办理：确认 3 件" in queue.dialog.text()  # what the batch will do, by the workflow's own step
    qtbot.mouseClick(queue.dialog.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(queue.batch_finished, timeout=10000) as blocker:
        pass
    result = blocker.args[0]
    assert len(result["done"]) == 2 and [f["number"] for f in result["failed"]] == [views[1]["number"]]
    settle(qtbot, window)
    # The result names every case: the refused one first with its reason, then each one done.
    lines = queue.dialog.lines()
    assert len(lines) == 3, lines
    assert lines[0].split("　")[:3] == [views[1]["number"], views[1]["household"]["head"], "未办理"]
    assert "已由他人处理" in lines[0] and views[1]["household"]["head"] == han_name("孙", 203)
    for view, line in zip((views[0], views[2]), lines[1:], strict=True):
        assert line.split("　") == [view["number"], view["household"]["head"], "已办理", "现处于「确认（在保）」"]
    screenshot(queue.dialog, "batch_result")
    # Return with a reason: the reason is mandatory.
    queue.dialog.close()
    settle(qtbot, window)
    assert queue.model.rowCount() == 0


def test_self_test_command_exits_zero():
    proc = subprocess.run([sys.executable, "-m", "doudi_desk.app", "--self-test"], capture_output=True, text=True,
                          timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "自检通过" in proc.stdout
