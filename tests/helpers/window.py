"""Driving the real window offscreen with pytest-qt: opening it on a context, logging in, typing
like a clerk (Chinese through the input method), filling forms and table cells, firing actions,
screenshots. The window runs on a :class:`FakeClock` the test advances."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.helpers.clock import FakeClock
from tests.helpers.office import TODAY, shipped_definitions

SCREENSHOTS = Path(__file__).resolve().parents[1] / "output" / "screenshots"


def demo_context(url):
    from doudi_desk.services.context import open_context

    ctx = open_context(url, definitions=shipped_definitions())
    ctx.today = lambda: TODAY
    ctx.now = lambda: dt.datetime(2026, 11, 23, 9, 30)
    return ctx


def make_window(qtbot, ctx, clock: FakeClock | None = None):
    """The window on ``ctx``, shown at 1366×768, its clock one the test advances (:func:`advance`)."""
    from doudi_desk.ui.main_window import MainWindow

    window = MainWindow(context_factory=lambda: ctx, clock=clock or FakeClock())
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitUntil(lambda: window.login_page is not None and window.login_page.users.count() > 0, timeout=10000)
    return window


def settle(qtbot, window):
    """Let every queued database job deliver (waiting on the jobs, never a fixed time)."""
    qtbot.waitUntil(lambda: window.executor.pending == 0, timeout=15000)


def advance(qtbot, window, seconds: float):
    """Move the window's clock on (its timers due by then fire: the case page's preview of actions
    after 0.4 s, the draft after 1 s, the idle lock's check), then let the jobs they queued deliver."""
    window.clock.advance(seconds)
    settle(qtbot, window)


def login(qtbot, window, username: str):
    assert window.login_page.select(username)
    # The work area is built in two turns of the event loop (MainWindow.login): wait for the second,
    # which says so with logged_in, not only for the user to be set.
    with qtbot.waitSignal(window.logged_in, timeout=10000) as signal:
        qtbot.mouseClick(window.login_page.button, Qt.MouseButton.LeftButton)
    assert signal.args == [username]
    settle(qtbot, window)


def type_text(qtbot, widget, text: str, clear: bool = True):
    """Type like a clerk: ASCII through key clicks, Chinese through an input-method commit
    (qtbot.keyClicks with Chinese aborts the process, see platform-notes.md)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit

    if clear:
        if isinstance(widget, QLineEdit):
            widget.selectAll()
            qtbot.keyClick(widget, Qt.Key.Key_Delete)
        elif isinstance(widget, QPlainTextEdit):
            widget.selectAll()
            qtbot.keyClick(widget, Qt.Key.Key_Delete)
    if text.isascii():
        qtbot.keyClicks(widget, text)
    else:
        event = QInputMethodEvent()
        event.setCommitString(text)
        QApplication.sendEvent(widget, event)


def fill_form(qtbot, editor, values: dict):
    """Fill a FormEditor field by field through its widgets."""
    from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QPlainTextEdit

    from doudi_desk.ui.forms import DateField, MultiChoice

    for name, value in values.items():
        w = editor.fields[name].widget
        if isinstance(w, DateField):
            type_text(qtbot, w.edit, value)
        elif isinstance(w, QLineEdit | QPlainTextEdit):
            if isinstance(value, list):
                value = "、".join(p["name"] for p in value)
            type_text(qtbot, w, str(value))
        elif isinstance(w, QCheckBox):
            if w.isChecked() != bool(value):
                w.click()
        elif isinstance(w, QComboBox):
            w.setCurrentIndex(w.findData(value))
        elif isinstance(w, MultiChoice):
            for v in value:
                w.boxes[v].click()
        else:
            raise AssertionError(f"cannot fill {name}")


def screenshot(widget, name: str) -> Path:
    """Save ``widget.grab()`` after the pending events ran: widgets added to a shown layout are only
    shown (and laid out) by a queued event, which a grab right after rendering would miss."""
    from PySide6.QtWidgets import QApplication

    for _ in range(3):
        QApplication.sendPostedEvents()
        QApplication.processEvents()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    assert widget.grab().save(str(path))
    return path


def try_login(qtbot, window, username: str, password: str):
    page = window.login_page
    assert page.select(username)
    page.password.setText(password)
    qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)


# --- table cells and actions of a case page ---

def open_editor(qtbot, table, row, column):
    """Make the cell current (which opens its editor, as the tables edit on any trigger)."""
    index = table.model().index(row, column)
    table.setCurrentIndex(index)
    editor = table.indexWidget(index)
    if editor is None:
        table.edit(index)
        editor = table.indexWidget(index)
    assert editor is not None, (row, column)
    return editor


def commit(qtbot, editor):
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    QApplication.sendPostedEvents()  # the delegate commits on a queued call
    QApplication.processEvents()


def edit_cell(qtbot, table, row, column, text):
    editor = open_editor(qtbot, table, row, column)
    type_text(qtbot, editor, text)
    commit(qtbot, editor)
    return editor


def choose_cell(qtbot, table, row, column, value):
    combo = open_editor(qtbot, table, row, column)
    combo.setCurrentIndex(combo.findData(value))
    commit(qtbot, combo)


def fire(qtbot, window, page, trigger, date):
    type_text(qtbot, page.effective.edit, date)
    advance(qtbot, window, 0.5)  # the preview of actions judges the typed forms
    button = page.buttons[trigger]
    assert button.isEnabled(), button.toolTip()
    state = page.view["state"]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    return state


def dialog_action(qtbot, window, page, trigger, date, values, comment=""):
    type_text(qtbot, page.effective.edit, date)
    advance(qtbot, window, 0.5)
    qtbot.mouseClick(page.buttons[trigger], Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible()
    for form_id, data in values.items():
        fill_form(qtbot, dialog.editors[form_id], data)
    if comment:
        type_text(qtbot, dialog.comment, comment)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)


def fetch_all(qtbot, window, model):
    """Scroll a paged list model to its end, as a user would: fetch page after page until none is left."""
    settle(qtbot, window)
    while model.canFetchMore():
        model.fetchMore()
        settle(qtbot, window)


def switch(qtbot, window, username: str) -> None:
    window.logout()
    settle(qtbot, window)
    login(qtbot, window, username)


def open_page(qtbot, window, case_id: int):
    page = window.open_case(case_id)
    settle(qtbot, window)
    assert page.view is not None and page.view["id"] == case_id
    return page


def click(qtbot, window, button) -> None:
    assert button.isVisible() and button.isEnabled(), button.toolTip()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)


def new_case_page(qtbot, window, before):
    """The case page that an action opened (the current tab, not ``before``)."""
    page = window.current_page()
    assert page is not before and page.objectName() == "case_page"
    settle(qtbot, window)
    return page
