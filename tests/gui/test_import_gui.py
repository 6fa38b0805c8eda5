"""The 导入 dialog driven through its widgets (preview → confirm with progress, errors, later roster
offers) and the 导出Excel button of the lists."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from doudi_desk.services.queries import CaseQuery
from doudi_desk.ui.export_excel import ExportButton
from tests.helpers.window import login, make_window, screenshot, settle
from tests.import_support import (
    BY_HOUSEHOLD,
    ROSTER_HEADER,
    household_rows,
    office_context,
    read_xlsx,
    write_rows,
)


@pytest.fixture
def office(tmp_path):
    yield from office_context(tmp_path)


def _wait_idle(qtbot, dialog):
    qtbot.waitUntil(lambda: not dialog.progress.isVisible(), timeout=30000)


def test_preview_then_confirm_with_progress(qtbot, qtmodeltester, office):
    window = make_window(qtbot, office)
    login(qtbot, window, "county_clerk")
    assert window.import_action.isVisible()
    dialog = window.open_import()
    settle(qtbot, window)
    assert dialog.profile.count() == 3  # 自动识别 and the two shipped profiles

    progress: list[tuple[int, int, str]] = []
    dialog.job = None
    original = dialog._progressed
    dialog._progressed = lambda done, total, text: (progress.append((done, total, text)), original(done, total, text))
    with qtbot.waitSignal(dialog.previewed, timeout=30000):
        dialog.set_file(str(BY_HOUSEHOLD))
    _wait_idle(qtbot, dialog)
    qtmodeltester.check(dialog.model)
    assert dialog.model.rowCount() == 60
    assert dialog.summary.text().startswith("预览：共 60 户 155 人：新增 60 户")
    assert "第3行为表头" in dialog.explanation.text()
    assert dialog.confirm_button.isEnabled() and not dialog.errors_button.isEnabled()
    assert dialog.tabs.tabText(1) == "问题清单（错误 0，已纠正 0）"
    warning = dialog.model.text(dialog.model.rows[7], "notes")  # row 22: 保障人口 1 of 2
    assert "保障对象待确认" in warning
    screenshot(dialog, "import_preview")

    with qtbot.waitSignal(dialog.imported, timeout=60000) as done:
        qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.progress.isVisible(), timeout=5000)
    _wait_idle(qtbot, dialog)
    assert len(done.args[0]["created"]) == 60
    assert dialog.summary.text() == "已导入 60 户（第 1 批）"
    assert not dialog.confirm_button.isEnabled()
    # progress came from the worker while it wrote, and ended at the end
    texts = [text for _d, _t, text in progress]
    assert "预览完成" in texts and "已写入 60 / 60 户" in texts
    assert progress[-1][0] == progress[-1][1] == 100 and "已导入 60 户" in progress[-1][2]
    screenshot(dialog, "import_done")

    settle(qtbot, window)
    window.case_list.select_tab("all")
    settle(qtbot, window)
    assert window.case_list.model.rowCount() == 60  # the lists refreshed themselves


def test_errors_refuse_the_whole_file_and_the_error_list_is_saved(qtbot, office, tmp_path):
    rows = [["测试花名册"], ROSTER_HEADER]
    rows += household_rows(1, "桃源镇", "西河村", [("甲", "139901195404061009", "户主")])
    rows += household_rows(2, "桃源镇", "西河村", [("乙", 139901197102051074.0, "户主")])  # typed as a number
    path = write_rows(tmp_path / "有错误.xlsx", rows)
    window = make_window(qtbot, office)
    login(qtbot, window, "taoyuan")
    dialog = window.open_import()
    with qtbot.waitSignal(dialog.previewed, timeout=30000):
        dialog.set_file(str(path))
    _wait_idle(qtbot, dialog)
    assert "有错误 1 户" in dialog.summary.text() and dialog.errors_button.isEnabled()
    assert "第4行N列（成员身份证号码）" in dialog.issues.toPlainText()
    screenshot(dialog, "import_errors")
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)  # 有错误时整个文件不导入 (default)
    qtbot.waitUntil(lambda: "整个文件未导入" in dialog.summary.text(), timeout=30000)
    assert window.backend.queries.case_ids("taoyuan", CaseQuery()) == []  # nothing written
    out = tmp_path / "错误清单.xlsx"
    dialog.export_errors(out)
    qtbot.waitUntil(lambda: "错误清单已导出" in dialog.progress_text.text(), timeout=30000)
    assert read_xlsx(out)[4][13] == "1.39901E+17"

    dialog.skip_errors.setChecked(True)
    with qtbot.waitSignal(dialog.imported, timeout=30000) as done:
        qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert len(done.args[0]["created"]) == 1 and "跳过有错误的 1 户" in dialog.summary.text()


def test_a_later_roster_offers_change_and_stop_cases(qtbot, office, tmp_path):
    first = [["花名册"], ROSTER_HEADER]
    first += household_rows(1, "桃源镇", "西河村", [("甲", "139901195404061009", "户主")], amount=720)
    first += household_rows(2, "桃源镇", "东岗村", [("乙", "139901197102051074", "户主")], amount=720)
    later = [["花名册"], ROSTER_HEADER]
    later += household_rows(1, "桃源镇", "西河村", [("甲", "139901195404061009", "户主")], amount=800)
    window = make_window(qtbot, office)
    login(qtbot, window, "taoyuan")
    window.backend.importing.commit(write_rows(tmp_path / "十月.xlsx", first), "taoyuan")
    dialog = window.open_import()
    with qtbot.waitSignal(dialog.previewed, timeout=30000):
        dialog.set_file(str(write_rows(tmp_path / "十一月.xlsx", later)))
    _wait_idle(qtbot, dialog)
    assert not dialog.confirm_button.isEnabled()  # nothing new
    assert dialog.tabs.tabText(2) == "不在名单中（1）"
    assert dialog.model.text(dialog.model.rows[0], "notes") == "变化：月保障金额 720 → 800 元"
    assert dialog.actions_button.isEnabled()  # offered from the preview: nothing to import first
    qtbot.mouseClick(dialog.actions_button, Qt.MouseButton.LeftButton)
    actions = dialog.child
    assert actions.list.count() == 2
    screenshot(actions, "import_offered_actions")
    qtbot.mouseClick(actions.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.child is not None and "已开立 2 个案件" in dialog.child.text(), timeout=30000)


def test_export_buttons_write_what_the_list_shows(qtbot, office, tmp_path):
    window = make_window(qtbot, office)
    window.backend.importing.commit(BY_HOUSEHOLD, "admin")
    login(qtbot, window, "taoyuan_rev")
    settle(qtbot, window)
    button = window.case_list.findChild(ExportButton, "export_cases")
    window.case_list.select_tab("all")
    window.case_list.village.setCurrentIndex(window.case_list.village.findData("139901101002"))
    settle(qtbot, window)
    shown = window.case_list.model.rowCount()
    out = tmp_path / "案件.xlsx"
    with qtbot.waitSignal(button.exported, timeout=30000) as done:
        button.export_to(out)
    cells = read_xlsx(out)
    assert done.args[0]["rows"] == shown == len(cells) - 4 == 11
    assert "村（社区）：西河村" in cells[1][0] and cells[4][2] == "139901195404069799"  # the reviewer sees full IDs
    assert "已记入审计记录" in window.statusBar().currentMessage()

    window.tabs.setCurrentWidget(window.dynamic)
    window.dynamic.show_list("benefits")
    settle(qtbot, window)
    benefits = window.dynamic.benefits.findChild(ExportButton, "export_benefits")
    screenshot(window, "export_button_benefits")
    with qtbot.waitSignal(benefits.exported, timeout=30000):
        benefits.export_to(tmp_path / "在保名单")  # the .xlsx is added
    got = read_xlsx(tmp_path / "在保名单.xlsx")
    assert got[0][0] == "桃源镇人民政府在保名单" and len(got) - 4 == window.dynamic.benefits.model.rowCount()
    dialog = benefits.choose()
    assert dialog.isVisible() and Path(dialog.selectedFiles()[0]).name.startswith("在保名单-")
    dialog.reject()


def test_an_imported_family_on_its_case_page(qtbot, office):
    window = make_window(qtbot, office)
    created = window.backend.importing.commit(BY_HOUSEHOLD, "admin")["created"]
    login(qtbot, window, "taoyuan")
    number = created[7]  # 吴明玲, 东岗村: 2 people, 1 covered, who is not said
    case_id = window.backend.cases.show(number, "taoyuan")["id"]
    page = window.open_case(case_id)
    qtbot.waitUntil(lambda: page.view is not None, timeout=15000)
    settle(qtbot, window)
    assert page.amount.text() == "按花名册导入：每月 420 元"
    assert "待补录家庭经济状况" in page.eligibility.text() and "保障对象待确认" in page.eligibility.text()
    assert page.life_buttons["start_review"].isVisible()  # 复核, 变更, 停保 as for any benefit
    page.side.setCurrentWidget(page.benefit_panel)
    assert page.benefit_panel.fact_labels["covered"].text() == "1 人（保障对象待确认）"
    assert page.benefit_panel.history.item(0, 2).text() == "导入"
    assert "待补录家庭经济状况" in page.summary_text.text() and "金融资产 0 元" not in page.summary_text.text()
    screenshot(window, "import_case_page")
