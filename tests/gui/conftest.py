"""Fixtures and helpers for driving the real window offscreen with pytest-qt."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[1] / "output" / "screenshots"


@pytest.fixture(scope="session")
def qapp_args():
    return ["doudi-desk-tests"]


@pytest.fixture(autouse=True)
def _app_setup(qapp):
    from doudi_desk.ui.style import setup_application

    setup_application(qapp)
    yield


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory):
    """A demo township database built once per test session (today fixed like the office fixture)."""
    from conftest import TODAY
    from doudi_desk.services.context import open_context
    from doudi_desk.services.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    ctx = open_context(f"sqlite:///{path}")
    ctx.today = lambda: TODAY
    ctx.now = lambda: dt.datetime(2026, 11, 23, 9, 0)
    build_demo(ctx, households=80)
    ctx.db.dispose()
    shutil.copyfile(path, path.with_name("pristine.sqlite3"))
    return f"sqlite:///{path}"


@pytest.fixture
def fresh_demo_url(demo_url, tmp_path):
    """A copy of the demo as it was built, for a test that writes: other tests (the payroll tab's
    December payroll, cases moved on) write on the shared demo, in whatever order they run."""
    source = Path(demo_url.removeprefix("sqlite:///")).with_name("pristine.sqlite3")
    target = tmp_path / "demo.sqlite3"
    shutil.copyfile(source, target)
    return f"sqlite:///{target}"


def demo_context(url):
    from conftest import TODAY
    from doudi_desk.services.context import open_context

    ctx = open_context(url)
    ctx.today = lambda: TODAY
    ctx.now = lambda: dt.datetime(2026, 11, 23, 9, 30)
    return ctx


def make_window(qtbot, ctx):
    from doudi_desk.ui.main_window import MainWindow

    window = MainWindow(context_factory=lambda: ctx)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitUntil(lambda: window.login_page is not None and window.login_page.users.count() > 0, timeout=10000)
    return window


def settle(qtbot, window, ms: int = 0):
    """Let timers fire (ms) and every queued database job deliver."""
    if ms:
        qtbot.wait(ms)
    qtbot.waitUntil(lambda: window.executor.pending == 0, timeout=15000)


def fetch_all(qtbot, window, model):
    """Scroll a paged list model to its end, as a user would: fetch page after page until none is left."""
    settle(qtbot, window)
    while model.canFetchMore():
        model.fetchMore()
        settle(qtbot, window)


def login(qtbot, window, username: str):
    assert window.login_page.select(username)
    qtbot.mouseClick(window.login_page.button, __import__("PySide6.QtCore", fromlist=["Qt"]).Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.user is not None and window.user["username"] == username, timeout=10000)
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
