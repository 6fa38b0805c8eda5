"""The case list model (qtmodeltester), search by pinyin initials, tabs and sorting, and screenshots
of the main window, a case page and the supervisor queue on the demo township."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from doudi_desk.domain.ids import make_id
from tests.helpers.window import (
    demo_context,
    fetch_all,
    login,
    make_window,
    screenshot,
    settle,
    type_text,
)


def _head(name, seq):
    return {"village": "130999101001", "members": [
        {"name": name, "id_number": make_id("130102", dt.date(1960, 1, 1), seq), "relation": "head"}],
        "income": [{"type": "farming", "amount": "3600"}]}


def test_search_by_pinyin_initials_name_and_id(qtbot, office):
    from doudi_desk.services.cases import CaseService

    svc = CaseService(office)
    zhang = svc.create_case(_head("张三", 11), "dibao", "clerk")
    svc.create_case(_head("李四", 13), "dibao", "clerk")
    svc.create_case(_head("曾志伟", 15), "dibao", "clerk")
    window = make_window(qtbot, office)
    login(qtbot, window, "clerk")
    page = window.case_list
    page.select_tab("all")
    settle(qtbot, window)
    assert page.model.rowCount() == 3

    def search(text):
        with qtbot.waitSignal(page.refreshed, timeout=5000):
            type_text(qtbot, page.search, text)
        fetch_all(qtbot, window, page.model)
        return [page.model.row_data(r)["head"] for r in range(page.model.rowCount())]

    assert search("zs") == ["张三"]
    assert search("ZS") == ["张三"]
    assert search("zzw") == ["曾志伟"]  # 曾 read as the surname zēng
    assert search("李") == ["李四"]
    assert search(make_id("130102", dt.date(1960, 1, 1), 11)[:12]) == ["张三", "李四", "曾志伟"]
    assert search(zhang["number"]) == ["张三"]
    assert search("wxyz") == []
    assert page.count_label.text() == "在「全部案件」中搜索「wxyz」：找到 0 件"


def test_a_search_from_the_todo_tab_looks_everywhere_and_says_why_each_case_matched(qtbot, office):
    from doudi_desk.services.cases import CaseService
    from tests.helpers.dibao import to_posting

    svc = CaseService(office)
    posted = to_posting(svc)  # 王建国's household (李秀兰 …), in 公示
    other = svc.create_case(_head("李秀", 21) | {"phone": "0311-87654321"}, "dibao", "clerk")
    window = make_window(qtbot, office)
    login(qtbot, window, "clerk")
    page = window.case_list
    assert page.query.tab == "todo"
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        type_text(qtbot, page.search, "lx")
    fetch_all(qtbot, window, page.model)
    assert page.query.tab == "all" and page.tabs.currentIndex() == 1
    assert page.count_label.text() == "在「全部案件」中搜索「lx」：找到 2 件"
    from doudi_desk.ui.case_list import MATCH_COLUMN

    assert not page.view.isColumnHidden(MATCH_COLUMN)
    shown = {page.model.data(page.model.index(r, 0)): page.model.data(page.model.index(r, MATCH_COLUMN))
             for r in range(page.model.rowCount())}
    assert shown == {posted["number"]: "李秀兰（姓名拼音首字母）", other["number"]: "李秀（姓名拼音首字母）"}
    counts = {page.tabs.tabText(i).split("（")[0]: page.tabs.tabText(i).split("（")[1].rstrip("）")
              for i in range(page.tabs.count())}
    assert counts["全部案件"] == "2" and counts["公示中"] == "1" and counts["待审批"] == "0"
    screenshot(window, "case_list_search")
    # Another tab keeps the search and says which tab it searched.
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        page.select_tab("posting")
    assert page.count_label.text() == "在「公示中」中搜索「lx」：找到 1 件"
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        type_text(qtbot, page.search, "4321")
    assert page.count_label.text() == "在「公示中」中搜索「4321」：找到 0 件"
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        page.search.clear()
    assert page.view.isColumnHidden(MATCH_COLUMN) and page.count_label.text() == "共 1 件"


def test_case_list_model_passes_qtmodeltester_and_sorts(qtbot, qtmodeltester, demo_url):
    ctx = demo_context(demo_url)
    window = make_window(qtbot, ctx)
    login(qtbot, window, "wangfang")
    page = window.case_list
    page.select_tab("all")
    settle(qtbot, window)
    model = page.model
    assert model.rowCount() > 40
    fetch_all(qtbot, window, model)
    assert model.loaded()
    qtmodeltester.check(model)
    # Sorting by the deadline column (server side): overdue first, closed cases (no deadline) last.
    column = [k for k, _ in __import__("doudi_desk.ui.case_list", fromlist=["COLUMNS"]).COLUMNS].index("deadline")
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        page.view.horizontalHeader().sectionClicked.emit(column)
    fetch_all(qtbot, window, model)
    rows = [model.row_data(r) for r in range(model.rowCount())]
    lefts = [r["days_left"] for r in rows if r["days_left"] is not None]
    assert lefts == sorted(lefts) and rows[-1]["days_left"] is None
    overdue = [r for r in rows if r["overdue"]]
    if overdue:
        index = model.index(rows.index(overdue[0]), column)
        assert model.data(index, Qt.ItemDataRole.ForegroundRole).name() == "#c62828"
        assert "逾期" in model.data(index)
    ctx.db.dispose()


def test_tabs_and_screenshots(qtbot, demo_url):
    ctx = demo_context(demo_url)
    window = make_window(qtbot, ctx)
    screenshot(window, "login")
    login(qtbot, window, "wangfang")  # 乡镇审核人 of 桃源镇
    page = window.case_list
    settle(qtbot, window)
    counts = {page.tabs.tabText(i).split("（")[0]: int(page.tabs.tabText(i).split("（")[1].rstrip("）"))
              for i in range(page.tabs.count())}
    assert counts["全部案件"] >= counts["待办"] > 0 and counts["待审批"] > 0
    screenshot(window, "main_window")

    window.tabs.setCurrentWidget(window.supervisor)
    settle(qtbot, window)
    queue = window.supervisor
    assert queue.model.rowCount() == counts["待审批"] or queue.model.rowCount() > 0
    states = {r["state"] for r in queue.model.rows}
    assert states <= {"preliminary_review", "township_decision", "township_approval"}  # the county's are not hers
    queue.view.selectRow(0)
    screenshot(window, "supervisor_queue")

    page.select_tab("posting")
    settle(qtbot, window)
    assert page.model.rowCount() > 0
    case_id = page.model.case_id(0)
    case_page = window.open_case(case_id)
    settle(qtbot, window)
    assert case_page.view["state"] == "posting"
    assert case_page.explanation.count() > 3
    panel = case_page.show_print_tab()
    settle(qtbot, window)
    assert [(e["kind"], e["title"]) for e in panel.entries if e["current_step"]] == [("posting_list", "初审公示名单")]
    case_page.side.setCurrentIndex(0)
    screenshot(window, "case_page")
    case_page.side.setCurrentWidget(case_page.history)
    screenshot(window, "case_page_history")
    window.new_application()
    settle(qtbot, window)
    screenshot(window, "new_application")
    ctx.db.dispose()


def test_settings_for_the_administrator(qtbot, office):
    window = make_window(qtbot, office)
    login(qtbot, window, "admin")
    assert window.settings is not None and window.supervisor is None
    assert not window.new_action.isVisible()
    settings = window.settings
    window.tabs.setCurrentWidget(settings)
    settle(qtbot, window)
    assert settings.policy_table.rowCount() == 1 and settings.user_table.rowCount() == 5
    settings.setCurrentIndex(1)
    type_text(qtbot, settings.cal_day.edit, "2026-12-24")
    type_text(qtbot, settings.cal_note, "本地放假")
    settings._save_day()
    settle(qtbot, window)
    assert settings.calendar_table.rowCount() == 1 and settings.calendar_table.item(0, 1).text() == "放假"
    settings.setCurrentIndex(2)
    type_text(qtbot, settings.new_username, "sunli")
    type_text(qtbot, settings.new_full_name, "孙丽")
    settings.role_boxes["caseworker"].click()
    settings._add_user()
    settle(qtbot, window)
    assert settings.user_table.rowCount() == 6 and "已新增" in settings.user_status.text()
    settings._add_user()  # the same again: refused with a Chinese message, nothing crashes
    settle(qtbot, window)
    assert "已存在" in settings.user_status.text()
    screenshot(window, "settings")
