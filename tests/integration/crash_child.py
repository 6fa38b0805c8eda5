"""Run by test_crash_kill.py in a subprocess: batch-approve cases until the parent kills us.

Usage: python crash_child.py URL ITEMS.json

Prints ``inside <case id>`` when a case's transaction has written the case (its UPDATE is done)
but not yet its audit event and not committed — then lingers there, so a SIGKILL sent on that
line lands in the middle of the transaction — and ``done <case id>`` after each commit.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time


def main() -> None:
    url, items_file = sys.argv[1], sys.argv[2]
    from doudi_desk.services.batch import BatchService
    from doudi_desk.services.context import open_context
    from doudi_desk.storage.repo import EventRepository

    real_append = EventRepository._append  # behind append and append_next (the case writer's)

    def slow_append(self, event, **kwargs):
        if event.trigger == "approve":
            print(f"inside {event.case_id}", flush=True)
            time.sleep(0.15)
        return real_append(self, event, **kwargs)

    EventRepository._append = slow_append
    ctx = open_context(url)
    ctx.today = lambda: dt.date(2026, 11, 23)
    with open(items_file, encoding="utf-8") as f:
        items = json.load(f)
    BatchService(ctx).run(items, "approve", "approver",
                          progress=lambda i, n, number: print(f"done {items[i - 1]['id']}", flush=True))
    print("finished", flush=True)


if __name__ == "__main__":
    main()
