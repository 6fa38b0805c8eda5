"""Crash safety of the payroll: a SIGKILL during any step — rebuild, submit, review, approve, bank
file, results, close — leaves the payroll in its previous state or the next, never half, and the
audit chain intact. A real subprocess, a real kill, inside the step's transaction and after it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from doudi_desk.services.audit import AuditService
from tests.payment_helpers import TOWN, gap_benefit, services, single_benefit

CHILD = Path(__file__).with_name("payroll_crash_child.py")
pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
STEPS = [("build", "draft"), ("submit", "submitted"), ("review", "reviewed"), ("approve", "approved"),
         ("export", "exported"), ("import_result", "results"), ("close", "closed")]


def snapshot(office, payroll_id: int) -> tuple:
    """Everything a step may change: the payroll row, its lines, files and amounts owed, the events."""
    with office.db.unit_of_work() as uow:
        p = uow.payments.payroll(payroll_id)
        lines = [(x["case_id"], x["item"], x["month"], str(x["amount"]), x["state"], x["live"], x["bank_account"])
                 for x in uow.payments.stream_lines(payroll_id)]
        files = len(uow.payments.bank_files(payroll_id))
        events = uow.events.head()[0]
    return (p["state"], p["version"], p["line_count"], str(p["total"]), p["held_count"], p["digest"], tuple(lines),
            files, events)


def kill_inside(url: str, payroll_id: int, action: str, *extra: str, after_done: bool = False) -> None:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    proc = subprocess.Popen([sys.executable, str(CHILD), url, str(payroll_id), action, *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    wanted = "done" if after_done else "inside"
    seen = []
    for line in proc.stdout:
        seen.append(line.strip())
        if line.startswith(wanted):
            if not after_done:
                time.sleep(0.05)  # well inside: the step's rows are written, the event is not
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, (seen, proc.stderr.read() if proc.stderr else "")


def test_sigkill_in_every_step_leaves_the_previous_or_the_next_state(office, tmp_path):
    from doudi_desk.services.payment_accounts import PaymentAccountService

    svc, _life, pay, bank = services(office)
    gap = gap_benefit(svc, account={})
    single_benefit(svc)
    view = pay.build(TOWN, "dibao", "2026-06", "clerk", since="2026-06")
    assert view["held_count"] == 1
    PaymentAccountService(office).set_account(gap["id"], "clerk", "信用社", "6230580112345678", "补交存折")
    url = f"sqlite:///{office.db_path}"
    pid = view["id"]
    for action, state in STEPS:
        extra = ()
        if action == "import_result":
            result = tmp_path / "result.txt"
            result.write_bytes(bank.sample_result(pid, "gbk_txt", {1: "账户冻结"}))
            extra = (str(result),)
        before = snapshot(office, pid)
        kill_inside(url, pid, action, *extra)
        assert snapshot(office, pid) == before, f"{action}: a half-done step survived the kill"
        assert AuditService(office).verify()["ok"]
        kill_inside(url, pid, action, *extra, after_done=True)
        after = snapshot(office, pid)
        assert after[0] == state and after[1] == before[1] + 1 and after[-1] > before[-1], action
        assert AuditService(office).verify()["ok"]
    final = snapshot(office, pid)
    assert {x[4] for x in final[6]} == {"paid", "failed"} and final[2] == 2 and final[4] == 0
