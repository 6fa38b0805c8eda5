"""Two programs at once: a second PC's context on the same database, and jobs released together."""

from __future__ import annotations

import threading
from collections.abc import Callable


def second_pc(ctx):
    """Another program on another PC: its own engine, its own connections to the same server."""
    from doudi_desk.services.context import open_context

    other = open_context(ctx.db_path)
    other.today, other.now = ctx.today, ctx.now
    return other


def race(*jobs: Callable[[], object]) -> list[object]:
    """Run the jobs in threads released together; return each one's result or exception."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(i: int, job: Callable[[], object]) -> None:
        barrier.wait()
        try:
            results[i] = job()
        except BaseException as exc:  # noqa: BLE001 - returned to the test
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results
