"""The 台账 and 大排查 tabs on (this test's copy of) the demo township, driven through their widgets."""

from __future__ import annotations

from tests.helpers.window import SCREENSHOTS, demo_context, login, make_window, settle, type_text


def test_ledger_tab_shows_a_villages_ledger_and_makes_its_books(qtbot, demo_url, tmp_path):
    window = make_window(qtbot, demo_context(demo_url))
    login(qtbot, window, "wangfang")
    page = window.report_pages["ledgers"]
    window.tabs.setCurrentWidget(page)
    settle(qtbot, window)
    page.village.setCurrentIndex(page.village.findData("139901101002"))  # 西河村
    page.month.setCurrentIndex(page.month.findData("2026-10"))
    with qtbot.waitSignal(page.loaded, timeout=20000):
        page.show_button.click()
    model = page.view.model()
    expected = window.backend.ledger_books.ledger("139901101002", "dibao", "wangfang", "2026-10")
    assert model.rowCount() == len(expected.rows) > 1
    assert model.index(model.rowCount() - 1, 1).data() == "合计"
    page.view.selectRow(0)
    assert page.book_button.isEnabled()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SCREENSHOTS / "ledger_tab.png"))
    target = tmp_path / "本户.pdf"
    with qtbot.waitSignal(page.saved, timeout=30000):
        page.save_books(str(target), case=page.selected_case())
    assert target.read_bytes().startswith(b"%PDF")
    village = tmp_path / "全村.pdf"
    with qtbot.waitSignal(page.saved, timeout=60000):
        page.save_books(str(village), village="139901101002")
    assert "户的一户一册" in page.status.text()
    window.close()


def test_campaign_tab_from_a_new_campaign_to_a_fixed_problem(qtbot, demo_url, tmp_path):
    window = make_window(qtbot, demo_context(demo_url))
    login(qtbot, window, "wangfang")
    page = window.report_pages["campaigns"]
    window.tabs.setCurrentWidget(page)
    settle(qtbot, window)
    assert page.campaign.count() == 0 and page.new_button.isVisible()
    page.ask_new()
    settle(qtbot, window)
    dialog = page.dialog
    dialog.doc.setText("QSX-2026-1")
    for key, box in dialog.rules.items():
        box.setChecked(key in ("benefit", "temporary"))
    with qtbot.waitSignal(page.loaded, timeout=30000):
        dialog.accept()
    assert page.view is not None and page.view["doc_number"] == "QSX-2026-1"
    targets = page.view["total"]["targets"]
    assert targets > 0 and page.target_model.rowCount() == targets

    page.tabs.setCurrentIndex(1)
    page.target_view.selectRow(0)
    check = page.ask_check()
    check.widgets["registered_poor"].setChecked(True)
    check.widgets["school_age_children"].setValue(2)
    check.widgets["housing"].setCurrentIndex(check.widgets["housing"].findData("gap"))
    check.accept()  # 不到位 without a note: refused, the dialog stays with what was typed
    qtbot.waitUntil(lambda: check.message.text() != "", timeout=10000)
    assert "住房安全" in check.message.text() and check.isVisible()
    type_text(qtbot, check.widgets["housing_note"], "房屋漏雨")
    with qtbot.waitSignal(page.loaded, timeout=20000):
        check.accept()
    assert page.view["total"]["checked"] == 1

    page.target_view.selectRow(0)
    problem = page.ask_problem(with_target=True)
    problem.kind.setCurrentIndex(problem.kind.findData("other"))
    type_text(qtbot, problem.finding, "住房安全不到位，房屋漏雨")
    with qtbot.waitSignal(page.loaded, timeout=20000):
        problem.accept()
    page.tabs.setCurrentIndex(2)
    assert page.problem_model.rowCount() == 1 and page.problem_model.row(0)["state"] == "pending"
    page.problem_view.selectRow(0)
    step = page.ask_advance("in_progress")
    type_text(qtbot, step.text, "联系住建部门维修")
    with qtbot.waitSignal(page.loaded, timeout=20000):
        step.accept()
    page.problem_view.selectRow(0)
    fixed = page.ask_advance("fixed")
    type_text(qtbot, fixed.text, "已维修完毕")
    with qtbot.waitSignal(page.loaded, timeout=20000):
        fixed.accept()
    assert page.problem_model.row(0)["state_label"] == "已整改"
    assert "已整改 1 个" in page.summary.text()
    page.tabs.setCurrentIndex(0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SCREENSHOTS / "campaign_tab.png"))
    out = tmp_path / "统计表.xlsx"
    with qtbot.waitSignal(page.exported, timeout=20000):
        page.export_to("summary", str(out))
    import openpyxl

    assert openpyxl.load_workbook(out).active["C3"].value == "辖区内建档立卡总数"
    window.close()
