"""The daily backup runs beside the window, never in front of it (issue 14).

At county scale the first start of a day used to queue the whole backup on the window's one worker
before the log-in job: a clerk waited minutes to log in. The backup now has a thread and a
database connection of its own and shows its progress in the status bar.
"""

from __future__ import annotations

import threading

from tests.helpers.window import SCREENSHOTS, demo_context, make_window, settle


def test_log_in_is_not_queued_behind_a_running_backup(qtbot, demo_url, tmp_path, monkeypatch):
    from doudi_desk.services.backup import BackupService
    from doudi_desk.ui.auto_backup import start_daily_backup

    started, release = threading.Event(), threading.Event()

    def slow_daily(self, *args, progress=None, **kwargs):
        started.set()
        if progress:
            progress(0.25, "复制数据库")
        assert release.wait(30), "the test never released the backup"
        return None

    monkeypatch.setattr(BackupService, "daily", slow_daily)
    window = make_window(qtbot, demo_context(demo_url))
    backup = start_daily_backup(window)  # the log-in page already shows: start it now
    try:
        assert backup.run()
        qtbot.waitUntil(started.is_set, timeout=10000)
        assert backup.busy()
        qtbot.waitUntil(lambda: backup.label.isVisible() and "自动备份" in backup.label.text(), timeout=5000)
        window.login_page.select("zhangmin")
        window.login_page.login()
        # The backup is still running (it waits for release): log-in and the case list come anyway.
        qtbot.waitUntil(lambda: window.user is not None and window.case_list is not None
                        and window.case_list.model.row_data(0) is not None, timeout=15000)
        assert backup.busy()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(SCREENSHOTS / "auto_backup_running_after_login.png"))
    finally:
        release.set()
        backup.stop()
    assert not backup.busy()


def test_daily_backup_writes_todays_file_in_the_background(qtbot, demo_url, tmp_path, monkeypatch):
    from doudi_desk.services import backup as backup_service
    from doudi_desk.ui.auto_backup import start_daily_backup

    folder = tmp_path / "backups"
    monkeypatch.setattr(backup_service, "default_backup_folder", lambda: folder)
    closing = backup_service.BackupService.close

    def slow_close(self):  # the thread lingers over its connection: the outcome must wait for it
        closing(self)
        threading.Event().wait(0.3)

    monkeypatch.setattr(backup_service.BackupService, "close", slow_close)
    ctx = demo_context(demo_url)
    window = make_window(qtbot, ctx)
    backup = start_daily_backup(window)
    seen: list[tuple[float, str]] = []
    backup.progress.connect(lambda f, t: seen.append((f, t)))
    with qtbot.waitSignal(backup.finished, timeout=60000) as done:
        assert backup.run()
    made = done.args[0]
    assert made is not None and made.parent == folder and made.name.startswith("demo-")  # named after the database file
    assert seen and seen[-1][0] == 1.0 and any("复制数据库" in t for _f, t in seen)
    assert "已自动备份到" in window.statusBar().currentMessage()
    with qtbot.waitSignal(backup.finished, timeout=30000) as again:
        assert backup.run()  # the hourly retry: today's file exists, nothing new is made
    assert again.args[0] is None
    settle(qtbot, window)
    backup.stop()
    from doudi_desk.services.backup import inspect_backup

    checked = inspect_backup(made)
    assert checked["chain_verified"] and checked["tables"]["cases"]["rows"] > 0
