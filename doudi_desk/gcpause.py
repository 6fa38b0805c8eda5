"""Pause Python's cycle collector during bulk work: an import, a payroll, a batch, a printing.

Bulk work keeps many small container objects alive until it ends (a county roster's cells, rows and
records; a batch chunk's read-ahead; a long list's rows, parsed markup, cells and flowables). The
collector promotes them to its oldest generation, and CPython collects that generation whole —
every object the process holds, the window's pages and caches included — once the objects promoted
since the last time pass a quarter of it: measured, 30 % of a roster's parse, and a walk on nearly
every printing of a 2,000-row 公示名单, its cost set by the size of the process, not of the work.
Reference counting still frees everything freed as the work returns; cycles (ReportLab's pages and
canvas among them) wait for the next collection. A context manager or a decorator; nested or
concurrent use leaves the collector as the outermost found it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
