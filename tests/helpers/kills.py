"""SIGKILL a batch approval (tests/integration/crash_child.py) at chosen moments and check that each
case came out decided or untouched, never half-written."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from doudi_desk.services.audit import AuditService
from tests.helpers.arrange import household, place, proposal

CHILD = Path(__file__).resolve().parents[1] / "integration" / "crash_child.py"

# (kill at the n-th line starting with this, extra delay before the kill in seconds)
KILLS = [("inside", 1, 0.0), ("inside", 2, 0.05), ("done", 1, 0.0), ("inside", 3, 0.1), ("done", 2, 0.02),
         ("inside", 2, 0.0)]


def waiting_cases(office, n: int) -> list[int]:
    from doudi_desk.services.cases import CaseService

    svc = CaseService(office)
    ids = []
    for _ in range(n):
        cid = svc.create_case(household("dibao"), "dibao", "clerk", applied_on="2026-11-13")["id"]
        place(office, cid, state="county_review", closed=False, proposal=proposal("county"))
        ids.append(cid)
    return ids


def snapshot(office, ids: list[int]) -> dict[int, tuple]:
    from doudi_desk.services.cases import CaseService

    svc = CaseService(office)
    out = {}
    for cid in ids:
        view = svc.show(cid)
        out[cid] = (view["state"], view["version"], len(view["history"]),
                    view["history"][-1]["trigger"], (view["decision"] or {}).get("result"))
    return out


def run_and_kill(url: str, items: list[dict], tmp: Path, wait_for: str, nth: int, delay: float) -> list[str]:
    """Start the batch; SIGKILL it at the ``nth`` line starting with ``wait_for`` (+ delay)."""
    items_file = tmp / "items.json"
    items_file.write_text(json.dumps(items), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    proc = subprocess.Popen([sys.executable, str(CHILD), url, str(items_file)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    lines: list[str] = []
    seen = 0
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line.strip())
        seen += line.startswith(wait_for)
        if seen == nth:
            if delay:
                time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, (lines, proc.stderr.read() if proc.stderr else "")
    return lines


def check_all_or_nothing(office, before: dict[int, tuple], after: dict[int, tuple]) -> tuple[int, int]:
    decided = untouched = 0
    for cid, (state, version, events, _last, _result) in before.items():
        now = after[cid]
        if now == (state, version, events, _last, _result):
            untouched += 1
            continue
        assert now[0] == "approved" and now[1] == version + 1 and now[2] == events + 1, (cid, before[cid], now)
        assert now[3] == "approve" and now[4] == "approved", (cid, now)
        decided += 1
    return decided, untouched


def kill_runs(office, url: str, tmp_path: Path, *, kills=KILLS, n_cases: int = 16) -> int:
    ids = waiting_cases(office, n_cases)
    survived = 0
    for wait_for, nth, delay in kills:
        before = snapshot(office, ids)
        waiting = [cid for cid in ids if before[cid][0] == "county_review"]
        if not waiting:
            break
        items = [{"id": cid, "version": before[cid][1]} for cid in waiting]
        lines = run_and_kill(url, items, tmp_path, wait_for, nth, delay)
        after = snapshot(office, ids)
        decided, untouched = check_all_or_nothing(office, before, after)
        committed = {int(x.split()[1]) for x in lines if x.startswith("done")}
        assert committed <= {cid for cid in ids if after[cid][0] == "approved"}
        if wait_for == "inside" and not delay:
            # Killed inside that case's transaction: its UPDATE was never committed.
            inside = int([x for x in lines if x.startswith("inside")][-1].split()[1])
            assert after[inside] == before[inside], "a half-done case survived the kill"
        verify = AuditService(office).verify()
        assert verify["ok"], verify["message"]
        assert decided + untouched == len(ids)
        survived += 1
    final = snapshot(office, ids)
    states = [v[0] for v in final.values()]
    # The kills landed mid-batch: some cases were decided before them, some were still waiting.
    assert 0 < states.count("approved") < len(ids), states
    return survived

