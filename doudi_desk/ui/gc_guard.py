"""Cyclic garbage is collected on the GUI thread only, while a window is open.

Python's cycle collector runs in whichever thread happens to allocate when a generation's count
passes its threshold. If that is the worker (ui/executor.py) and the cycle holds a Qt object — a
closed dialog, a page's callback kept by a finished op — the Qt object is destroyed in the worker,
and Qt crashes (seen in the suite: a segmentation fault "Garbage-collecting" inside a query on the
worker). So while a window is open the automatic collector is off and a timer on the GUI thread
runs the same generational collection the interpreter would [Anki ``aqt/main.py`` GarbageCollector;
PyQt's well-known recipe]. Reference counting, which frees almost everything, is unaffected.

A full collection walks every object the program holds: the modules, classes and functions of Qt,
SQLAlchemy and the program, the definitions, the pages — about 100 ms on the GUI thread, a stall the
user sees. Those objects live as long as the window, so once start-up (and each log-in) has made
them they are moved out of the collector's way with ``gc.freeze()`` [Instagram's and CPython's
advice for long-lived start-up objects]: later collections walk only what was made after. A cycle
among the frozen objects is collected once the last window closes (``stop`` unfreezes first).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject

from .clock import REAL_CLOCK, Clock

INTERVAL_MS = 1000

_open = 0  # guards started and not yet stopped (a test may hold more than one window)
_enabled_before = True  # the collector's state when the first guard started


class GuiThreadCollector:
    """Turns the automatic collector off while it runs; :meth:`check` collects on the GUI thread."""

    def __init__(self, parent: QObject, clock: Clock = REAL_CLOCK, interval_ms: int = INTERVAL_MS):
        global _open, _enabled_before
        self.threshold = gc.get_threshold()
        if _open == 0:
            _enabled_before = gc.isenabled()
            gc.disable()
        _open += 1
        self.running = True
        self.freeze()  # the imports of start-up
        self.timer = clock.timer(parent, interval_ms, self.check, single_shot=False)
        self.timer.start()

    def check(self) -> int:
        """Collect the generations whose counts passed their thresholds, youngest first (what the
        interpreter itself would have done); returns the objects found unreachable."""
        found = 0
        c0, c1, c2 = gc.get_count()
        if c0 > self.threshold[0]:
            found += gc.collect(0)
            if c1 > self.threshold[1]:
                found += gc.collect(1)
                if c2 > self.threshold[2]:
                    found += gc.collect(2)
        return found

    def hold(self) -> None:
        """No collection until :meth:`resume`: the worker is loading the services, SQLAlchemy and the
        models (the window's first job). Collecting meanwhile would walk the hundreds of thousands of
        objects it is making, young and not yet frozen: a stall of 100 ms and more."""
        self.timer.stop()

    def resume(self) -> None:
        """The loading is done: what it made lives as long as the window (frozen); collect again."""
        self.freeze()
        if self.running:
            self.timer.start()

    def freeze(self) -> None:
        """What exists now lives as long as the window: no later collection walks it again."""
        gc.freeze()

    def stop(self) -> None:
        """The window closes: collect once here; the last guard gives the collector back."""
        global _open
        if not self.running:
            return
        self.running = False
        self.timer.stop()
        _open -= 1
        if _open == 0:
            gc.unfreeze()  # the frozen objects are collectable again once no window is open
        gc.collect()
        if _open == 0 and _enabled_before:
            gc.enable()
