"""The window's clock: the time that idleness is measured in and the timers of debounced work.

The real clock is ``time.monotonic`` and Qt's timers. A test gives the window a clock it advances
by hand (tests/helpers/clock.py), so nothing in a test waits for wall-clock time to pass.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QTimer


class Timer(Protocol):
    def start(self) -> None: ...

    def stop(self) -> None: ...

    def isActive(self) -> bool: ...  # noqa: N802 - Qt's name


class Clock(Protocol):
    def monotonic(self) -> float:
        """Seconds on a clock that never goes back."""

    def timer(self, parent: QObject, ms: int, callback: Callable[[], object], *,
              single_shot: bool = True) -> Timer:
        """A stopped timer calling ``callback`` ``ms`` after each ``start()`` (and every ``ms`` after
        that unless ``single_shot``); it ends with ``parent``."""


class QtClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def timer(self, parent: QObject, ms: int, callback: Callable[[], object], *,
              single_shot: bool = True) -> QTimer:
        timer = QTimer(parent)
        timer.setSingleShot(single_shot)
        timer.setInterval(ms)
        timer.timeout.connect(callback)
        return timer


REAL_CLOCK = QtClock()
