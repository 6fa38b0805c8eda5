"""Statements compiled once per dialect (storage/prepared.py): the parameters and columns they hand
the driver are what SQLAlchemy's own execution would have converted them to, on SQLite and on
PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Date, String, bindparam, event, literal, select
from sqlalchemy.dialects import postgresql, sqlite

from doudi_desk.storage.db import Database, StorageError
from doudi_desk.storage.models import CaseRow
from doudi_desk.storage.prepared import Driver, Prepared

DAY = dt.date(2026, 1, 2)


def _statement():
    return (select(CaseRow.id, CaseRow.applied_on, CaseRow.closed)
            .where(CaseRow.applied_on < bindparam("d", None, type_=Date), CaseRow.number == bindparam("n", None, type_=String),
                   CaseRow.proposal["eligible"].as_boolean().is_(True))
            .limit(3))


def test_on_sqlite_dates_go_as_text_json_paths_as_compiled_and_the_order_is_the_placeholders():
    stmt = Prepared(_statement(), sqlite.dialect())
    assert stmt.sql.count("?") == 5
    assert stmt.parameters({"d": DAY, "n": "2026-DB-000001"}) == ("2026-01-02", "2026-DB-000001", '$."eligible"', 3, 0)


def test_on_postgresql_parameters_go_by_name_as_they_are():
    stmt = Prepared(_statement(), postgresql.psycopg.dialect())
    assert "%(d)s" in stmt.sql and "%(n)s" in stmt.sql
    params = stmt.parameters({"d": DAY, "n": "2026-DB-000001"})
    assert params["d"] == DAY and params["n"] == "2026-DB-000001" and 3 in params.values()


def test_an_expanding_in_is_refused_when_prepared():
    """``IN`` of a Python list is rendered when it runs, by its length: a prepared statement takes
    one bindparam a value instead."""
    with pytest.raises(ValueError):
        Prepared(select(CaseRow.id).where(CaseRow.state.in_(["a", "b"])), sqlite.dialect())


def test_listeners_get_every_parameter_and_the_nul_guard_looks_at_what_the_call_gave(tmp_path):
    """A prepared statement's constants are the program's own text, checked by no one on every
    call: the guard against NUL (storage/db.py) looks at the values a call gives, while observers
    still get every parameter the driver gets."""
    db = Database(f"sqlite:///{tmp_path / 'guard.sqlite3'}")
    stmt = Prepared(select(literal("a\x00b", String), bindparam("given", None, type_=String)), sqlite.dialect())
    sent = []

    def seen(_conn, _cursor, _statement, parameters, _context, _many):
        sent.append(parameters)

    raw = db.engine.raw_connection()
    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        driver = Driver(raw.driver_connection, db.engine)
        assert stmt.all(driver, {"given": "王"}) == [("a\x00b", "王")]
        with pytest.raises(StorageError) as refused:
            stmt.all(driver, {"given": "王\x00"})
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
        raw.close()
        db.dispose()
    assert refused.value.kind == "input"
    assert sent == [("a\x00b", "王")]  # the refused call is stopped before it reaches the observer
