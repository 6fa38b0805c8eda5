"""A single-worker executor: database work runs off the GUI thread, results come back by signal.

Modelled on Anki's ``CollectionOp``/``QueryOp``: the GUI thread never holds a database session.
One worker keeps every database call in order (no two writes race in one program) and keeps
SQLite connections to one thread at a time.

The GUI thread takes its turn between two jobs: a job starts once the GUI thread has handled what
the job before it delivered, the repaint that caused included (or after ``GUI_TURN_S`` at most).
Painting a table calls the model's Python ``data()`` hundreds of times, and each call has to take
the GIL back from a worker running Python — up to the switch interval each time (ui/application.py):
a first page painted while the worker compiled the next query stalled the window 100–400 ms.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QEventLoop,
    QObject,
    QRunnable,
    Qt,
    QThreadPool,
    Signal,
    Slot,
)

log = logging.getLogger(__name__)

GUI_TURN_S = 0.25  # the longest a job waits for the GUI thread's turn (a GUI thread busy elsewhere)
_TURN_EVENT = QEvent.Type(QEvent.registerEventType())


class Job:
    """One piece of work. The function may take ``job`` to report progress and look at ``cancelled``."""

    _ids = itertools.count(1)

    def __init__(self, executor: Executor, fn: Callable[..., Any], args: tuple, kwargs: dict,
                 on_done: Callable[[Any], None] | None, on_error: Callable[[BaseException], None] | None,
                 on_progress: Callable[[int, int, str], None] | None, owner: QObject | None):
        self.id = next(self._ids)
        self.executor = executor
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.on_done, self.on_error, self.on_progress = on_done, on_error, on_progress
        self.owner = owner
        self.cancelled = False
        self.started = 0.0

    def cancel(self) -> None:
        """Ask the work to stop at its next safe point (it decides where that is)."""
        self.cancelled = True

    def report(self, done: int, total: int, text: str = "") -> None:
        """Called from the worker: progress goes to the GUI thread by signal."""
        self.executor._progress.emit(self, done, total, text)


class _Runnable(QRunnable):
    def __init__(self, job: Job):
        super().__init__()
        self.job = job
        self.setAutoDelete(True)

    def run(self) -> None:  # worker thread
        job = self.job
        turn = job.executor._gui_turn
        turn.wait(GUI_TURN_S)  # the GUI thread has handled the job before (module docstring)
        job.started = time.perf_counter()
        try:
            result = job.fn(*job.args, **job.kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread
            turn.clear()
            job.executor._finished.emit(job, False, exc)
        else:
            turn.clear()
            job.executor._finished.emit(job, True, result)


class _Turn(QObject):
    """Lives on the GUI thread: its event, posted at low priority after a delivery, is handled
    after the events that delivery posted (a table's repaint); then the next job may start."""

    def __init__(self, parent: QObject, gate: threading.Event):
        super().__init__(parent)
        self.gate = gate

    def event(self, event: QEvent) -> bool:
        if event.type() == _TURN_EVENT:
            self.gate.set()
            return True
        return super().event(event)


class Executor(QObject):
    """Runs callables one at a time on a worker thread.

    Signals:
        busy_changed(bool): work started (True) or the queue ran empty (False).
    """

    busy_changed = Signal(bool)
    _finished = Signal(object, bool, object)
    _progress = Signal(object, int, int, str)

    def __init__(self, parent: QObject | None = None, on_error: Callable[[BaseException], None] | None = None):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pending = 0
        self.default_error = on_error
        self._gui_turn = threading.Event()
        self._gui_turn.set()
        self._turn = _Turn(self, self._gui_turn)
        self._finished.connect(self._deliver)
        self._progress.connect(self._report)

    @property
    def pending(self) -> int:
        return self._pending

    def submit(self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None,
               on_progress: Callable[[int, int, str], None] | None = None,
               owner: QObject | None = None, pass_job: bool = False, **kwargs: Any) -> Job:
        """Queue ``fn(*args, **kwargs)`` (with ``job=`` when ``pass_job``); callbacks run in the GUI
        thread, and not at all once ``owner`` has been deleted."""
        job = Job(self, fn, args, kwargs, on_done, on_error, on_progress, owner)
        if pass_job:
            job.kwargs = {**kwargs, "job": job}
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        self._pool.start(_Runnable(job))
        return job

    def _alive(self, job: Job) -> bool:
        return job.owner is None or shiboken6.isValid(job.owner)

    @Slot(object, int, int, str)
    def _report(self, job: Job, done: int, total: int, text: str) -> None:
        if job.on_progress and self._alive(job):
            job.on_progress(done, total, text)

    @Slot(object, bool, object)
    def _deliver(self, job: Job, ok: bool, value: Any) -> None:
        self._pending -= 1
        log.debug("job %s %s in %.3f s", job.id, getattr(job.fn, "__name__", job.fn),
                  time.perf_counter() - job.started)
        try:
            if not self._alive(job):
                return
            if ok:
                if job.on_done:
                    job.on_done(value)
            else:
                handler = job.on_error or self.default_error
                if handler is None:
                    raise value
                handler(value)
        finally:
            QCoreApplication.postEvent(self._turn, QEvent(_TURN_EVENT), Qt.EventPriority.LowEventPriority.value)
            if self._pending == 0:
                self.busy_changed.emit(False)

    def wait_idle(self, timeout_s: float = 10.0) -> bool:
        """Process events until every queued job has delivered (closing the window, tests)."""
        deadline = time.monotonic() + timeout_s
        while self._pending and time.monotonic() < deadline:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            self._pool.waitForDone(20)
        QCoreApplication.processEvents()
        return self._pending == 0

    def shutdown(self) -> None:
        self._pool.waitForDone()
