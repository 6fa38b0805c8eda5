"""ui/executor.py: the GUI thread takes its turn between two jobs. A job starts once the GUI thread
has handled what the job before it delivered, and the events that delivery posted (a table's
repaint, posted at low priority as Qt posts it): painting calls Python hundreds of times, and each
call waits for the GIL while the worker runs Python."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt

from doudi_desk.ui.executor import Executor


class Receiver(QObject):
    def __init__(self, handled: list[str]):
        super().__init__()
        self.handled = handled

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.User:
            self.handled.append("repainted")
            return True
        return super().event(event)


def test_a_job_starts_after_the_gui_thread_handled_what_the_job_before_delivered(qtbot):
    executor = Executor()
    handled: list[str] = []
    receiver = Receiver(handled)

    def delivered(_result) -> None:
        handled.append("delivered")
        QCoreApplication.postEvent(receiver, QEvent(QEvent.Type.User), Qt.EventPriority.LowEventPriority.value)

    seen_by_the_next: list[list[str]] = []
    for _ in range(3):
        executor.submit(lambda: seen_by_the_next.append(list(handled)), on_done=delivered)
    qtbot.waitUntil(lambda: executor.pending == 0, timeout=10000)
    assert seen_by_the_next == [[], ["delivered", "repainted"], ["delivered", "repainted"] * 2]


def test_a_gui_thread_that_never_turns_delays_the_worker_but_never_stops_it():
    """No event loop at all (a script, a shutdown): each job still runs, after GUI_TURN_S at most."""
    executor = Executor()
    ran: list[int] = []
    for i in range(3):
        executor.submit(ran.append, i)
    executor.shutdown()
    assert ran == [0, 1, 2]
