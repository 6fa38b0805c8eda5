"""A process's own peak resident memory, for the benchmarks' memory rows.

``getrusage(...).ru_maxrss`` will not do for a child process on Linux: the kernel keeps, across
``exec``, the high-water mark of the memory the child had before it, i.e. the pages of the benchmark
parent that ``fork`` copied. A child of a parent that had just generated a county (500–900 MB) then
reports the parent's peak as its own, whatever it used itself. ``VmHWM`` in /proc/self/status belongs
to the process's current memory only.
"""

from __future__ import annotations

import resource


def own_peak_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # no /proc: the best there is
