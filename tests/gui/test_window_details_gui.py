"""What a clerk noticed in the real window at 1366×768 (issue 10 item 12): the case page that jumped
while typing, messages that kept the colour of an earlier one, columns cut off, Enter on the log-in
list, the window title."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QPainter, QPdfWriter
from PySide6.QtWidgets import QApplication

from tests.helpers.dibao import POSTING, day, investigating, investigation
from tests.helpers.window import fill_form, login, make_window, screenshot, settle, type_text


def _top(widget, page) -> int:
    QApplication.processEvents()
    return widget.mapTo(page, QPoint(0, 0)).y()


def test_the_case_page_does_not_move_while_typing(qtbot, office):
    _svc, cid = investigating(office)
    window = make_window(qtbot, office)
    login(qtbot, window, "clerk")
    page = window.open_case(cid)
    settle(qtbot, window)
    reasons = [page.reasons.text()]
    tops = [(_top(page.side, page), _top(page.forms_box, page))]
    assert reasons[0].count("「") >= 3  # several forms missing: a long text
    data = investigation()
    for form_id in ("verification", "home_visit", "neighbour_visit"):
        fill_form(qtbot, page.editors[form_id], data[form_id])
        page._preview()  # what the preview timer does after typing
        settle(qtbot, window)
        reasons.append(page.reasons.text())
        tops.append((_top(page.side, page), _top(page.forms_box, page)))
    assert reasons[-1] == "" and len(set(reasons)) == len(reasons)  # the text changed every time …
    assert len(set(tops)) == 1, tops  # … and nothing below it moved
    assert page.buttons["complete_investigation"].isEnabled()
    screenshot(window, "case_page_after_typing")


def test_a_later_preview_clears_the_earlier_preview_error(qtbot, office, tmp_path):
    from doudi_desk.ui.printing_ui import PrintedFile, ResultPanel

    window = make_window(qtbot, office)
    login(qtbot, window, "clerk")
    panel = ResultPanel(window)
    qtbot.addWidget(panel)
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    panel.done(PrintedFile(pdf, "审核审批表", 1, 8))
    assert panel.message.property("role") == "ok"
    window.print_desk.opener = lambda _path: False
    panel.open_in_viewer()
    assert panel.message.property("role") == "refusal" and "无法打开" in panel.message.text()
    window.print_desk.opener = lambda _path: True
    panel.open_in_viewer()
    assert panel.message.property("role") == "ok" and "无法打开" not in panel.message.text()
    assert "审核审批表" in panel.message.text()
    # The program's own preview: a file it cannot show, then the same file made whole.
    panel.preview()
    assert panel.message.property("role") == "refusal" and "无法在程序中显示" in panel.message.text()
    writer = QPdfWriter(str(pdf))
    painter = QPainter(writer)
    painter.drawText(100, 100, "x")
    painter.end()
    panel.preview()
    assert panel.message.property("role") == "ok" and "无法" not in panel.message.text()
    assert "审核审批表" in panel.message.text()


def test_no_duplicates_found_is_said_in_green_even_after_an_error(qtbot, office):
    window = make_window(qtbot, office)
    login(qtbot, window, "clerk")
    page = window.new_application()
    settle(qtbot, window)
    page.save()  # nothing filled in: refused in error red
    assert page.message.property("role") == "error"
    page.check_duplicates()
    settle(qtbot, window)
    assert page.message.text() == "查重完成：没有发现重复申请。"
    assert page.message.property("role") == "success"
    colour = page.message.palette().color(page.message.foregroundRole())
    assert colour.green() > colour.red()  # green, not the error red
    screenshot(page, "duplicate_check_done")


def test_every_column_of_the_history_fits_at_1366(qtbot, office):
    from doudi_desk.services.cases import CaseService
    from tests.helpers.dibao import to_posting

    view = to_posting(CaseService(office))
    CaseService(office).advance(view["id"], "submit_to_county", "reviewer", data=POSTING, effective_date=day(12),
                                comment="公示期满无异议；公示地点：村务公开栏及村委会门口，另在村民微信群同步公示")
    window = make_window(qtbot, office)
    assert window.width() == 1366
    login(qtbot, window, "reviewer")
    page = window.open_case(view["id"])
    settle(qtbot, window)
    page.side.setCurrentWidget(page.history)
    QApplication.processEvents()
    table = page.history
    assert table.rowCount() >= 6
    last = table.columnCount() - 1
    assert table.horizontalHeader().sectionViewportPosition(last) + table.columnWidth(last) \
        <= table.viewport().width()
    assert table.horizontalScrollBar().maximum() == 0
    metrics = table.fontMetrics()
    for r in range(table.rowCount()):
        for c in (0, 1, 2, last):  # the columns that do not wrap show their text whole
            for line in table.item(r, c).text().split("\n"):
                assert metrics.horizontalAdvance(line) <= table.columnWidth(c), (r, c, line)
    screenshot(window, "case_history_1366")


def test_a_long_bank_account_is_shown_whole_at_1366(qtbot, office):
    window = make_window(qtbot, office)
    login(qtbot, window, "clerk")
    application = window.new_application()
    settle(qtbot, window)
    account = application.contact.edits["bank_account"]
    type_text(qtbot, account, "6230 5801 7025 6056 400")
    QApplication.processEvents()
    assert account.width() - 12 >= account.fontMetrics().horizontalAdvance(account.text())
    screenshot(window, "application_bank_account_1366")


def test_enter_on_the_chosen_name_logs_in(qtbot, office):
    window = make_window(qtbot, office)
    assert window.login_page.select("clerk")
    window.login_page.users.setFocus()
    qtbot.keyClick(window.login_page.users, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.user is not None, timeout=10000)
    assert window.user["username"] == "clerk"


def test_the_window_title_names_the_program_once(qtbot, office):
    window = make_window(qtbot, office)
    title = window.windowTitle()
    name = QApplication.applicationDisplayName()
    assert name == "兜底 Desk"
    # Qt on Windows and Linux desktops shows the display name after the title unless the title
    # already ends with it (QPlatformWindow::formatWindowTitle).
    shown = title if title.endswith(name) else f"{title} — {name}"
    assert shown.count(name) == 1 and shown == "社会救助案件办理 — 兜底 Desk"



def test_log_out_after_starting_with_a_user_shows_the_log_in_page(qtbot, office):
    """``doudi-desk --user NAME`` logs NAME in once; 退出登录 then waits for a choice."""
    from doudi_desk.ui.application import log_in_on_start
    from doudi_desk.ui.main_window import MainWindow

    window = MainWindow(context_factory=lambda: office)
    qtbot.addWidget(window)
    log_in_on_start(window, "clerk")
    window.show()
    qtbot.waitUntil(lambda: window.user is not None, timeout=10000)
    assert window.user["username"] == "clerk"
    settle(qtbot, window)
    with qtbot.waitSignal(window.ready, timeout=10000):
        window.logout()
    settle(qtbot, window)
    assert window.user is None and window.stack.currentWidget() is window.login_page
