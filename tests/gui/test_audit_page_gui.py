"""审计记录 in the window: the demo office's administrator pages through the trail, filters it,
exports what is shown and opens a case from it (real widgets, offscreen)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from doudi_desk.services.audit import PAGE_SIZE
from doudi_desk.ui.audit_page import AuditPage
from doudi_desk.ui.case_page import CasePage
from doudi_desk.ui.work_tabs import Placeholder
from tests.helpers.window import demo_context, login, make_window, screenshot, settle, type_text
from tests.import_support import read_xlsx

XINGHUA_STAFF = {"陈静", "周丽", "孙伟"}  # 杏花乡: another township's caseworkers


def _index(window) -> int:
    [index] = [i for i in range(window.tabs.count()) if window.tabs.tabText(i) == "审计记录"]
    return index


def _page(window) -> AuditPage:
    """The page, built now if the tab was never shown (it stands in the tab bar as a placeholder
    until then: ui/work_tabs.py), in the tab's place."""
    index = _index(window)
    page = window.page("audit")
    assert isinstance(page, AuditPage) and window.tabs.widget(index) is page
    return page


def _query(qtbot, page: AuditPage, button=None) -> None:
    with qtbot.waitSignal(page.loaded, timeout=15000):
        qtbot.mouseClick(button or page.search, Qt.MouseButton.LeftButton)


def _shown(page: AuditPage) -> list[list[str]]:
    m = page.model
    return [[m.data(m.index(r, c)) for c in range(m.columnCount())] for r in range(m.rowCount())]


def test_the_administrator_filters_and_exports_the_audit_log(qtbot, demo_url, tmp_path):
    window = make_window(qtbot, demo_context(demo_url))
    login(qtbot, window, "admin")
    page = _page(window)
    assert page.model.rowCount() == 0  # nothing read until the tab is opened
    with qtbot.waitSignal(page.loaded, timeout=15000):
        window.tabs.setCurrentWidget(page)
    settle(qtbot, window)
    assert window.tabs.tabBar().tabButton(window.tabs.indexOf(page), window.tabs.tabBar().ButtonPosition.RightSide) \
        is None
    first = list(page.model.rows)
    assert len(first) == PAGE_SIZE and page.more.isEnabled()
    assert first[0]["action_label"] == "登录" and first[0]["actor_name"] == "刘管理"  # newest first: this log-in
    assert page.model.headerData(0, Qt.Orientation.Horizontal) == "时间"
    assert [page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(6)] == \
        ["时间", "操作人", "案件号", "操作", "状态变化", "说明"]
    screenshot(window, "audit_page")

    _query(qtbot, page, page.more)  # the next page, after the first
    seqs = [r["chain_seq"] for r in page.model.rows]
    assert len(seqs) == 2 * PAGE_SIZE and seqs == sorted(set(seqs), reverse=True) and seqs[:PAGE_SIZE] == \
        [r["chain_seq"] for r in first]
    while page.more.isEnabled():
        _query(qtbot, page, page.more)
    assert not {r["actor_name"] for r in page.model.rows} & XINGHUA_STAFF  # only 桃源镇's trail
    assert "已到最早的记录" in page.message.text()

    # 操作人 张敏 and one of her cases, from today.
    page.by.setCurrentIndex(page.by.findData("zhangmin"))
    type_text(qtbot, page.since.edit, "2026-11-23")
    _query(qtbot, page)
    mine = list(page.model.rows)
    assert mine and {r["actor_name"] for r in mine} == {"张敏"}
    number = next(r["case_number"] for r in mine if r["case_number"])
    type_text(qtbot, page.case, number)
    _query(qtbot, page)
    shown = _shown(page)
    assert shown and {row[2] for row in shown} == {number} and {row[1] for row in shown} == {"张敏"}
    screenshot(window, "audit_page_filtered")

    out = tmp_path / "审计记录.xlsx"
    with qtbot.waitSignal(page.export.exported, timeout=30000) as done:
        page.export.export_to(out)
    cells = read_xlsx(out)
    assert cells[1][0] == f"筛选：时间：2026-11-23 至 今天；操作人：张敏（zhangmin）；案件号：{number}"
    assert cells[3] == ["序号", "时间", "操作人", "案件号", "操作", "状态变化", "说明"]
    assert done.args[0]["rows"] == len(shown) == len(cells) - 4
    assert [[str(c or "") for c in row[1:]] for row in cells[4:]] == shown

    # A case number that does not exist: said in Chinese, the rows shown stay (and so does the export).
    type_text(qtbot, page.case, "2026-XX-999999")
    qtbot.mouseClick(page.search, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "没有案件" in page.message.text(), timeout=15000)
    assert page.message.text().startswith("案件号：") and _shown(page) == shown
    assert page.export.filters()["case"] == number

    # A case event opens its case.
    type_text(qtbot, page.case, number)
    _query(qtbot, page)
    rect = page.view.visualRect(page.model.index(0, 2))
    qtbot.mouseClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(page.open_case, timeout=5000):
        qtbot.mouseDClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: isinstance(window.tabs.currentWidget(), CasePage), timeout=15000)
    assert window.tabs.currentWidget().case_id == page.model.rows[0]["case_id"]
    settle(qtbot, window)


def test_the_audit_log_is_only_for_its_readers(qtbot, demo_url):
    window = make_window(qtbot, demo_context(demo_url))
    login(qtbot, window, "zhangmin")  # a caseworker
    assert not [i for i in range(window.tabs.count()) if window.tabs.tabText(i) == "审计记录"]
    window.logout()
    qtbot.waitUntil(lambda: window.login_page.users.count() > 0, timeout=10000)
    login(qtbot, window, "zhaojun")  # the county approver reads the county's trail
    index = _index(window)
    assert isinstance(window.tabs.widget(index), Placeholder) and "audit" not in window.lazy_tabs.pages
    bar = window.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())  # built on first show
    page = window.tabs.widget(index)
    assert isinstance(page, AuditPage) and window.tabs.currentWidget() is page
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=15000)
    settle(qtbot, window)
    while page.more.isEnabled():
        _query(qtbot, page, page.more)
    assert {r["actor_name"] for r in page.model.rows} & XINGHUA_STAFF
