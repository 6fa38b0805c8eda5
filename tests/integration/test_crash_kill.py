"""Crash safety: SIGKILL in the middle of a batch approval leaves every case decided with its audit
event, or untouched — never half-done — and the audit chain intact. A real subprocess, a real kill.

Each run starts the batch over the cases still waiting, and is killed at a different moment: right
inside a case's transaction (its row already updated, the event not yet written), or a few
milliseconds after a commit. The same runs are made on PostgreSQL in test_postgres.py.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.helpers.kills import KILLS, kill_runs

CHILD = Path(__file__).with_name("crash_child.py")
pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")

def test_sigkill_mid_batch_leaves_each_case_decided_or_untouched(office, tmp_path):
    import sqlite3

    survived = kill_runs(office, f"sqlite:///{office.db_path}", tmp_path)
    assert survived == len(KILLS)
    con = sqlite3.connect(office.db_path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
