"""A clock for the window that only moves when a test advances it (doudi_desk/ui/clock.py).

``make_window(qtbot, ctx, clock=FakeClock())`` gives it to the window; ``clock.advance(0.4)``
then fires, in time order, every timer of the window that falls due within those 0.4 s.
"""

from __future__ import annotations

from collections.abc import Callable


class FakeTimer:
    def __init__(self, clock: FakeClock, parent, ms: int, callback: Callable[[], object], single_shot: bool):
        self.clock, self.ms, self.callback, self.single_shot = clock, ms, callback, single_shot
        self.due: float | None = None
        parent.destroyed.connect(self.stop)

    def start(self) -> None:
        self.due = self.clock.now + self.ms / 1000

    def stop(self) -> None:
        self.due = None

    def isActive(self) -> bool:  # noqa: N802 - Qt's name
        return self.due is not None


class FakeClock:
    def __init__(self, start: float = 1000.0):
        self.now = start
        self.timers: list[FakeTimer] = []

    def monotonic(self) -> float:
        return self.now

    def timer(self, parent, ms: int, callback: Callable[[], object], *, single_shot: bool = True) -> FakeTimer:
        timer = FakeTimer(self, parent, ms, callback, single_shot)
        self.timers.append(timer)
        return timer

    def advance(self, seconds: float) -> None:
        """Move time on by ``seconds``, firing each timer when its moment comes."""
        end = self.now + seconds
        while True:
            due = [t for t in self.timers if t.due is not None and t.due <= end]
            if not due:
                break
            timer = min(due, key=lambda t: t.due)
            self.now = max(self.now, timer.due)
            timer.due = None if timer.single_shot else timer.due + timer.ms / 1000
            timer.callback()
        self.now = end
