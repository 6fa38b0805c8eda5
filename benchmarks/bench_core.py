"""Speed figures for the spine: the policy arithmetic, building the demo township, one action, one view.

Prints figures; asserts nothing. Run: .venv/bin/python benchmarks/bench_core.py
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from doudi_desk.domain.calc import calc_request  # noqa: E402
from doudi_desk.services.cases import CaseService  # noqa: E402
from doudi_desk.services.context import open_context  # noqa: E402
from doudi_desk.services.demo import build_demo  # noqa: E402

EXAMPLE = ROOT.parent / "shared" / "domain" / "examples" / "household-gap.json"


def bench_calc(n: int = 2000) -> None:
    request = json.loads(EXAMPLE.read_text("utf-8"))
    start = time.perf_counter()
    for _ in range(n):
        calc_request(request)
    elapsed = time.perf_counter() - start
    print(f"calc (4-member household, parse + decide + explain): {n / elapsed:,.0f} decisions/s, "
          f"{elapsed / n * 1000:.2f} ms each")


def bench_services() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        ctx = open_context(f"sqlite:///{tmp}/bench.sqlite3")
        t1 = time.perf_counter()
        print(f"open context (definitions + migrations on a new file): {(t1 - t0) * 1000:.0f} ms")
        summary = build_demo(ctx, households=200)
        t2 = time.perf_counter()
        print(f"demo township, 200 households driven through the services: {t2 - t1:.1f} s "
              f"({sum(summary['states'].values())} cases)")
        service = CaseService(ctx)
        with ctx.db.unit_of_work() as uow:
            ids = [c.id for c in uow.cases.query(limit=200)]
        times = []
        for case_id in ids:
            s = time.perf_counter()
            service.show(case_id, "wangfang")
            times.append(time.perf_counter() - s)
        print(f"case show with available actions: median {statistics.median(times) * 1000:.1f} ms, "
              f"max {max(times) * 1000:.1f} ms over {len(times)} cases")
        with ctx.db.unit_of_work() as uow:
            posting = [c.id for c in uow.cases.query(state="accepted", limit=50)]
        times = []
        for case_id in posting:
            s = time.perf_counter()
            service.advance(case_id, "start_investigation", "zhangmin")
            times.append(time.perf_counter() - s)
        if times:
            print(f"case advance (one transaction with audit event): median {statistics.median(times) * 1000:.1f} ms "
                  f"over {len(times)} cases")
        ctx.db.dispose()


if __name__ == "__main__":
    bench_calc()
    bench_services()
