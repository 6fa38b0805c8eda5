"""One start of the window, timed from outside (run by benchmarks/county.py in a subprocess, offscreen).

    county_gui.py URL USER PASSWORD [--first]   # the program as ``doudi-desk --db URL`` starts it;
                                                # --first: wait for the day's backup too
    county_gui.py --bare                 # the floor: QApplication and an empty QMainWindow, shown

Prints one JSON line: seconds from process start to the log-in page (``login_page``), to log-in
usable (``login_usable``: the user's work area shows, its tabs built), to the case list's first page
(``case_list``), to everything settled (``settled``: no job on the worker, no backup running);
``stall_ms``: the longest gap between ticks of a 10 ms heartbeat QTimer on the GUI thread (and where it
happened); ``stall_cpu_ms``: in that gap, the CPU time the GUI thread and the whole process used
(a gap with little CPU of this process is the machine's other load, not the program); ``peak_mb``: the
process's peak resident memory. The bare window (the floor) is measured with the same heartbeat,
started before its window is made, so its own first show and paint count as the program's do. The daily backup goes to
``$XDG_DATA_HOME`` (the caller chooses a fresh folder for a first start of the day).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

T0 = time.perf_counter()
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this tree's doudi_desk, not another install


def peak_mb() -> float:
    """This process's own peak resident memory. Not ``ru_maxrss``: Linux carries the parent's peak
    over into a child across fork (or vfork) and exec, so a child of a large benchmark process would
    report the benchmark's peak, whatever its own. ``VmHWM`` is the peak of the memory since exec."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Heartbeat:
    def __init__(self, interval_ms: int = 10):
        from PySide6.QtCore import QTimer

        self.last = time.perf_counter()
        self.last_cpu = (time.thread_time(), time.process_time())
        self.worst = 0.0
        self.worst_cpu = (0.0, 0.0)
        self.where = ""
        self.phase = "start"
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), (time.thread_time(), time.process_time())
        gap = now - self.last
        used = (cpu[0] - self.last_cpu[0], cpu[1] - self.last_cpu[1])
        self.last, self.last_cpu = now, cpu
        if gap > self.worst:
            self.worst, self.where, self.worst_cpu = gap, self.phase, used

    def result(self) -> dict:
        return {"stall_ms": self.worst * 1000, "stall_where": self.where,
                "stall_cpu_ms": [round(self.worst_cpu[0] * 1000, 1), round(self.worst_cpu[1] * 1000, 1)]}


def bare() -> dict:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    beat = Heartbeat()
    window = QMainWindow()
    window.resize(1366, 768)
    window.show()
    shown = {}
    QTimer.singleShot(0, lambda: shown.setdefault("t", time.perf_counter() - T0))
    QTimer.singleShot(500, app.quit)  # the heartbeat runs on a while after the first show and paint
    app.exec()
    return {"shown": shown["t"], "peak_mb": peak_mb(), **beat.result()}


def _backup_busy(window, first_start: bool) -> bool:
    """A backup running, or (first start of the day) not yet run: its time and stalls count too.
    (Before issue 14 the backup was a job on the window's worker: ``executor.pending`` covers it.)"""
    state = getattr(window, "auto_backup", None)
    busy = getattr(state, "busy", None)
    if not callable(busy):
        return False
    return bool(busy()) or (first_start and getattr(state, "completed", 1) == 0)


def program(url: str, user: str, password: str, first_start: bool, timeout_s: float = 900.0) -> dict:
    from PySide6.QtCore import QTimer

    from doudi_desk.ui.application import make_app
    from doudi_desk.ui.auto_backup import start_daily_backup
    from doudi_desk.ui.main_window import MainWindow

    app = make_app()
    beat = Heartbeat()
    marks: dict[str, float] = {}

    def mark(name: str) -> None:
        marks.setdefault(name, time.perf_counter() - T0)
        beat.phase = f"after {name}"

    window = MainWindow(url)
    start_daily_backup(window)  # as run_window does
    window.show()

    def ready() -> None:
        if window.login_page is None:
            return
        mark("login_page")
        window.login_page.select(user)
        window.login(user, password)

    def logged_in(_name: str) -> None:
        mark("login_usable")
        window.case_list.model.page_loaded.connect(lambda: mark("case_list"))
        window.case_list.refreshed.connect(lambda: window.case_list.model.rowCount() == 0 and mark("case_list"))

    window.ready.connect(ready)
    window.logged_in.connect(logged_in)

    def poll() -> None:
        if "case_list" in marks and window.executor.pending == 0 and not _backup_busy(window, first_start):
            mark("settled")
            app.quit()
        elif time.perf_counter() - T0 > timeout_s:
            marks["timeout"] = time.perf_counter() - T0
            app.quit()

    watch = QTimer()
    watch.setInterval(50)
    watch.timeout.connect(poll)
    watch.start()
    app.exec()
    status = window.statusBar().currentMessage()
    window.close()
    return {**marks, **beat.result(), "peak_mb": peak_mb(), "cpu_s": _cpu_s(),
            "status": status, "backups": sorted(os.listdir(os.path.join(
                os.environ.get("XDG_DATA_HOME", ""), "doudi_desk", "backups")))
            if os.environ.get("XDG_DATA_HOME") and os.path.isdir(os.path.join(
                os.environ["XDG_DATA_HOME"], "doudi_desk", "backups")) else []}


def main(argv: list[str]) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if argv[:1] == ["--bare"]:
        result = bare()
    else:
        url, user, password = argv[:3]
        result = program(url, user, password, first_start="--first" in argv[3:])
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
