"""The automatic daily backup of the SQLite file while the window runs (services/backup.py does it).

It never stands in the way: it runs on a thread of its own with a database connection of its own
(never on the window's one worker, so a log-in or a list is never queued behind it), starts a little
after the log-in page shows, then tries every hour so a program left running overnight still makes
the next day's copy. Its progress shows in the status bar; failures go to the status bar and the
log and never interrupt work. Closing the window stops it between two steps.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel

log = logging.getLogger(__name__)

HOURLY_MS = 60 * 60 * 1000
FIRST_DELAY_MS = 10_000  # let the window open and the user log in first


class _Stopped(Exception):
    """The window is closing: the backup gives up between two steps (its .part file is discarded)."""


class DailyBackup(QObject):
    """Runs :meth:`BackupService.daily` in the background.

    Signals (delivered in the GUI thread):
        progress(float, str): fraction done and what is being done.
        finished(object): the new backup file, or None when today's already existed.
        failed(object): the exception.
    """

    progress = Signal(float, str)
    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, window, *, interval_ms: int = HOURLY_MS, first_delay_ms: int = FIRST_DELAY_MS):
        super().__init__(window)
        self.window_ = window
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._delivered = False  # the running thread's outcome has reached the GUI thread
        self.completed = 0  # runs finished (made a file, found today's, or failed)
        self.label = QLabel()
        self.label.setObjectName("auto_backup_status")
        self.label.hide()
        window.statusBar().addPermanentWidget(self.label)
        self.progress.connect(self._show_progress)
        self.finished.connect(self._done)
        self.failed.connect(self._failed)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.run)
        self.timer.start()
        self._first = QTimer(self)
        self._first.setSingleShot(True)
        self._first.setInterval(first_delay_ms)
        self._first.timeout.connect(self.run)
        window.ready.connect(self._first.start)

    def busy(self) -> bool:
        """A backup is under way: its thread runs and its outcome has not yet been delivered.

        The thread is done with the database before it reports (its connection is closed first), so
        once ``finished`` or ``failed`` has been delivered the next run may start at once, even in the
        instant the old thread takes to return.
        """
        return self._thread is not None and self._thread.is_alive() and not self._delivered

    def run(self) -> bool:
        """Start today's backup in the background unless one is running; False if not started."""
        backend = self.window_.backend
        if backend is None or self.busy() or self._stop.is_set():
            return False
        self._delivered = False
        self._thread = threading.Thread(target=self._work, args=(backend,), name="daily-backup", daemon=True)
        self._thread.start()
        return True

    def _work(self, backend: Any) -> None:  # the backup's own thread
        service = backend.open_backup()
        outcome: tuple[Signal, object] | None = None
        try:
            def step(fraction: float, text: str) -> None:
                if self._stop.is_set():
                    raise _Stopped()
                self.progress.emit(fraction, text)

            outcome = (self.finished, service.daily(progress=step))
        except _Stopped:
            log.info("daily backup stopped: the window is closing")
        except BaseException as exc:  # noqa: BLE001 - shown in the status bar and logged
            outcome = (self.failed, exc)
        finally:
            service.close()
        if outcome is not None:  # reported only once the connection is closed
            signal, value = outcome
            signal.emit(value)

    def _show_progress(self, fraction: float, text: str) -> None:
        self.label.setText(f"自动备份：{text} {fraction:.0%}")
        self.label.show()

    def _done(self, path) -> None:
        self._delivered = True
        self.completed += 1
        self.label.hide()
        if path is not None:
            self.window_.statusBar().showMessage(f"已自动备份到 {path}", 8000)

    def _failed(self, exc: BaseException) -> None:
        self._delivered = True
        self.completed += 1
        self.label.hide()
        log.warning("automatic backup failed: %r", exc)
        self.window_.statusBar().showMessage(f"自动备份失败：{exc}", 15000)

    def stop(self, timeout_s: float = 5.0) -> None:
        """No more backups; a running one stops at its next step (waited for up to ``timeout_s``)."""
        self._stop.set()
        self.timer.stop()
        self._first.stop()
        if self._thread is not None:
            self._thread.join(timeout_s)


def start_daily_backup(window, *, interval_ms: int = HOURLY_MS, first_delay_ms: int = FIRST_DELAY_MS) -> DailyBackup:
    """Back up today (if not yet done) a little after ``window`` has its database, then every hour."""
    window.auto_backup = DailyBackup(window, interval_ms=interval_ms, first_delay_ms=first_delay_ms)
    return window.auto_backup
