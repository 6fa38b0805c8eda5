"""ui/gc_guard.py: while the window is open, cycles are collected on the GUI thread, never on the
worker — a cycle holding a Qt object destroyed on the worker crashed the suite (segmentation fault,
"Garbage-collecting" inside a query on the worker)."""

from __future__ import annotations

import gc
import threading

from tests.helpers.window import advance, demo_context, login, make_window, settle


class Marked:
    """A cycle whose collection records the thread it happened in."""

    def __init__(self, seen: list[int]):
        self.seen = seen
        self.me = self

    def __del__(self):
        self.seen.append(threading.get_ident())


def _churn() -> int:
    """Worker work that allocates enough containers to trigger an automatic collection many times."""
    keep = [[i] for i in range(gc.get_threshold()[0] * 20)]  # alive until the end: the counts climb
    return len(keep)


def test_cycles_are_collected_on_the_gui_thread_not_the_worker(qtbot, office):
    was = gc.isenabled()
    gc.enable()
    try:
        window = make_window(qtbot, office)
        assert not gc.isenabled()  # the automatic collector is off while a window is open
        seen: list[int] = []
        Marked(seen)  # unreachable at once: only the cycle collector can free it
        window.executor.submit(_churn)
        settle(qtbot, window)
        assert seen == []  # the worker allocated plenty and collected nothing
        held = [[] for _ in range(gc.get_threshold()[0] + 1)]  # the youngest generation past its threshold
        advance(qtbot, window, 1.0)
        del held
        assert seen == [threading.get_ident()]  # collected, and here
        window.close()
        assert gc.isenabled()  # given back when the window closes
    finally:
        if not was:
            gc.disable()


def _walked(obj) -> bool:
    """Whether the cycle collector's generations hold ``obj`` (frozen objects are in none of them)."""
    return any(o is obj for o in gc.get_objects())


def test_what_start_up_and_log_in_made_is_never_walked_again_until_the_window_closes(qtbot, demo_url):
    was = gc.isenabled()
    window = make_window(qtbot, demo_context(demo_url))
    at_start = gc.get_freeze_count()
    assert at_start > 0 and not _walked(window.__dict__)  # the window and the imports before it
    login(qtbot, window, "zhangmin")
    page = window.case_list
    assert gc.get_freeze_count() > at_start and not _walked(page.__dict__)  # the work area built at log-in
    seen: list[int] = []
    Marked(seen)  # made after the freeze: still collected, on the GUI thread
    # Well past the youngest generation's threshold: the count is allocations less deallocations,
    # and the worker finishing its last job frees objects too.
    held = [[] for _ in range(gc.get_threshold()[0] * 5)]
    advance(qtbot, window, 1.0)
    del held
    assert seen == [threading.get_ident()]
    window.close()
    assert gc.get_freeze_count() == 0 and gc.isenabled() == was  # everything collectable again
