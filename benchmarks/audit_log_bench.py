"""The 审计记录 page's query (services/audit.py AuditLog.page) on a county-sized trail.

Copies a database (default: a fresh demo township) and appends ``--events`` synthetic events
(default 2,000,000, one every 30 s from 2024-01-01, nine in ten on the demo's cases, one in ten
office log-ins) straight into the table — the chain hashes of these rows are not valid, which
the page never reads. Then times the first and the next page for each filter, against two floors
measured in the same run: one page of the chain index read bare (what an unfiltered page cannot
beat) and a full scan of the table (what a filter matching nothing in a backward walk costs).

Prints figures; asserts nothing. Run: .venv/bin/python benchmarks/audit_log_bench.py [--events N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from doudi_desk.services.audit import AuditLog  # noqa: E402
from doudi_desk.services.context import open_context  # noqa: E402
from doudi_desk.services.demo import build_demo  # noqa: E402


def fill(path: Path, events: int) -> None:
    con = sqlite3.connect(path)
    cases = [r[0] for r in con.execute("SELECT id FROM cases")]
    start = con.execute("SELECT MAX(chain_seq) FROM audit_events").fetchone()[0]
    base = dt.datetime(2024, 1, 1)

    def rows():
        for i in range(events):
            office = i % 10 == 0
            when = base + dt.timedelta(seconds=i * 30)
            yield (None if office else cases[i % len(cases)], 0 if office else 1000 + i,
                   "zhangmin" if i % 3 else "wangfang", "login" if office else "save_forms", None, "x",
                   when.isoformat(sep=" "), when.date().isoformat(), "", "{}", "{}", start + 1 + i, "-", "-")

    con.executemany("INSERT INTO audit_events (case_id, seq, actor, trigger, from_state, to_state, recorded_at, "
                    "effective_date, comment, changes, data, chain_seq, prev_hash, hash) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows())
    con.commit()
    con.close()


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--db", help="an existing SQLite database to copy instead of a fresh demo")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "audit.sqlite3"
        if args.db:
            shutil.copy(args.db, path)
        else:
            build_demo(open_context(f"sqlite:///{path}"), households=80)
        _, t_fill = timed(lambda: fill(path, args.events))
        print(f"appended {args.events:,} events in {t_fill / 1000:.0f} s")
        con = sqlite3.connect(path)
        _, floor_page = timed(lambda: con.execute(
            "SELECT * FROM audit_events ORDER BY chain_seq DESC LIMIT 101").fetchall())
        _, floor_scan = timed(lambda: con.execute("SELECT COUNT(*) FROM audit_events WHERE actor = 'x'").fetchone())
        con.close()
        print(f"floors: one page of the chain index {floor_page:.0f} ms; full scan of the table {floor_scan:.0f} ms")
        log = AuditLog(open_context(f"sqlite:///{path}"))
        log.page("admin")  # warm the cache like a window that has been open a while
        for who in ("admin", "zhaojun"):
            for label, filters in (("no filter", {}), ("操作人 with many events", {"by": "zhangmin"}),
                                   ("one recent day", {"since": "2025-06-01", "until": "2025-06-01"}),
                                   ("one case", {"case": "2026-DB-000077"}),
                                   ("操作人 with no events", {"by": "liqiang"}),
                                   ("the oldest day", {"since": "2024-01-01", "until": "2024-01-01"})):
                page, first = timed(lambda f=filters, w=who: log.page(w, **f))
                _, following = timed(lambda p=page, f=filters, w=who: log.page(w, before=p["next"], **f)) \
                    if page["next"] else (None, 0.0)
                print(f"{who:8} {label:24} {len(page['rows']):4} rows: first page {first:6.0f} ms, "
                      f"next {following:6.0f} ms")


if __name__ == "__main__":
    main()
