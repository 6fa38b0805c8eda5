"""The automatic daily backup of the SQLite file while the window runs (services/backup.py does it):
once when the database is open, then every hour, so a program left running overnight still
makes the next day's copy. Failures go to the status bar and the log, never interrupt work."""

from __future__ import annotations

import logging

from PySide6.QtCore import QTimer

from ..services.backup import BackupService

log = logging.getLogger(__name__)

HOURLY_MS = 60 * 60 * 1000


def start_daily_backup(window, *, interval_ms: int = HOURLY_MS) -> QTimer:
    """Back up today (if not yet done) as soon as ``window`` has its database, then every hour."""

    def run() -> None:
        if window.backend is None:
            return

        def done(path) -> None:
            if path is not None:
                window.statusBar().showMessage(f"已自动备份到 {path}", 8000)

        def failed(exc) -> None:
            log.warning("automatic backup failed: %r", exc)
            window.statusBar().showMessage(f"自动备份失败：{exc}", 15000)

        window.run(BackupService(window.backend.ctx).daily, on_done=done, on_error=failed)

    timer = QTimer(window)
    timer.setInterval(interval_ms)
    timer.timeout.connect(run)
    timer.start()
    window.ready.connect(run)
    window.auto_backup = timer
    return timer
