"""Start the Qt application: the window for daily work, or the offscreen self-test."""

from __future__ import annotations

import datetime as dt
import logging
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from . import errors
from .auto_backup import start_daily_backup
from .main_window import MainWindow
from .style import setup_application

log = logging.getLogger(__name__)


# How long the worker may hold the GIL while the GUI thread waits for it (Python's default: 5 ms).
# Painting a table calls the model's Python ``data()`` hundreds of times; each call must take the
# GIL back from a worker running Python (a query building its rows), so a first paint that costs
# 50 ms alone stalled the window for 150–400 ms behind the worker. 1 ms bounds each wait.
SWITCH_INTERVAL_S = 0.001


def make_app(argv: list[str] | None = None) -> QApplication:
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    setup_application(app)
    return app


def log_in_on_start(window: MainWindow, user: str) -> None:
    """``doudi-desk --user NAME``: log in as NAME once the log-in page is ready — the first time
    only, so 退出登录 shows the log-in page instead of logging the same user in again."""
    def first_ready() -> None:
        window.ready.disconnect(first_ready)
        if window.login_page and window.login_page.select(user):
            window.login(user)

    window.ready.connect(first_ready)


def run_window(url: str | None, log_file: Path | None, user: str | None = None) -> int:
    app = make_app()
    errors.LOG_FILE = log_file
    errors.install_excepthook()
    window = MainWindow(url)
    start_daily_backup(window)  # the SQLite file, once a day, kept N days in the user data folder
    if user:
        log_in_on_start(window, user)
    window.show()
    return app.exec()


def run_self_test(log_file: Path | None, timeout_s: float = 120.0) -> int:
    """Open the main window on a temporary demo database, move one case one step, exit 0 if it worked."""
    from ..services.context import open_context
    from ..services.demo import build_demo

    app = make_app()
    errors.LOG_FILE = log_file
    started = time.perf_counter()
    folder = tempfile.mkdtemp(prefix="doudi-selftest-")
    url = f"sqlite:///{Path(folder) / 'selftest.sqlite3'}"
    outcome = {"code": 1, "message": "超时"}

    def factory():
        ctx = open_context(url)
        build_demo(ctx, households=30)
        return ctx

    window = MainWindow(url, context_factory=factory)
    window.show()

    def fail(message: str) -> None:
        outcome.update(code=1, message=message)
        app.quit()

    def ready() -> None:
        if window.login_page is None or not window.login_page.select("zhangmin"):
            fail("登录页没有示例用户 zhangmin")
            return
        window.login_page.login()

    def logged_in(_user: str) -> None:
        from ..services.queries import CaseQuery

        def found(ids):
            if not ids:
                fail("示例数据中没有「已受理」的案件")
                return
            page = window.open_case(ids[0])
            page.loaded.connect(lambda: step(page))

        window.run(window.backend.queries.case_ids, "zhangmin", CaseQuery(tab="all", state="accepted"),
                   on_done=found, on_error=lambda exc: fail(f"查询失败：{exc}"))

    def step(page) -> None:
        if page.view.state != "accepted":
            if page.view.state == "investigating":
                moved = f"案件 {page.view.number} 已进入「{page.view.state_label}」"

                def passed(printed: str) -> None:
                    outcome.update(code=0, message=f"{moved}，{printed}")
                    app.quit()

                # What an installed program must also have: templates, fonts, QtPdf, translations.
                from .self_test import check_print_and_preview

                check_print_and_preview(window, page.case_id, "zhangmin", passed, fail)
            return
        button = page.buttons.get("start_investigation")
        if button is None or not button.isEnabled():
            fail("「开始调查」按钮不可用：" + page.reasons.text())
            return
        # the step is a command op: the window says when it has been done (initiator: the page)
        window.operation_did_execute.connect(lambda _changes, initiator: step(page) if initiator is page else None)
        button.click()

    window.ready.connect(ready)
    window.open_failed.connect(lambda message: fail(message.replace("\n", "")))
    window.logged_in.connect(logged_in)
    QTimer.singleShot(int(timeout_s * 1000), lambda: fail("超时"))
    app.exec()
    window.close()
    elapsed = time.perf_counter() - started
    status = "通过" if outcome["code"] == 0 else "失败"
    print(f"doudi-desk 自检{status}：{outcome['message']}（{elapsed:.1f} 秒，{dt.date.today().isoformat()}）")
    log.info("self-test %s: %s (%.1f s)", status, outcome["message"], elapsed)
    return outcome["code"]
