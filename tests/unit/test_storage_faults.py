"""PostgreSQL (psycopg) faults become the same known errors as SQLite's, with a Chinese message."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from doudi_desk.storage.db import storage_error_for

CASES = [
    ('connection failed: connection to server at "10.0.0.5", port 5432 failed: Connection refused', "connect"),
    ("consuming input failed: server closed the connection unexpectedly", "connect"),
    ("terminating connection due to administrator command", "connect"),
    ('connection failed: FATAL:  password authentication failed for user "doudi"', "connect"),
    ("FATAL:  sorry, too many clients already", "connect"),
    ("the database system is starting up", "connect"),
    ("deadlock detected\nDETAIL:  Process 1 waits for ShareLock on transaction 2", "conflict"),
    ("could not serialize access due to concurrent update", "conflict"),
    ("canceling statement due to lock timeout", "locked"),
    ("cannot execute UPDATE in a read-only transaction", "readonly"),
    ('could not extend file "base/16384/16385": No space left on device', "full"),
    ("permission denied for table cases", "permission"),
    ("PostgreSQL text fields cannot contain NUL (0x00) bytes", "input"),
]


@pytest.mark.parametrize("text,kind", CASES, ids=[c[1] + ":" + c[0][:30] for c in CASES])
def test_psycopg_messages_map_to_known_errors(text, kind):
    error = storage_error_for(OperationalError("SELECT 1", {}, Exception(text)))
    assert error is not None and error.kind == kind
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error.message)


def test_constraint_violations_and_unknown_faults_stay_bugs():
    assert storage_error_for(IntegrityError("INSERT", {}, Exception("duplicate key value"))) is None
    assert storage_error_for(DBAPIError("SELECT", {}, Exception('relation "cases" does not exist'))) is None
