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


def test_a_write_sent_for_many_rows_counts_the_rows_changed_and_the_guard_sees_every_row(tmp_path):
    """A batch's held writes (storage/deferred.py) go as one executemany of a prepared statement:
    an INSERT compiled for the columns its rows give, an UPDATE whose changed rows are counted (the
    version check), and every row looked at by the guard against NUL before anything is sent."""
    from sqlalchemy import insert, update

    from doudi_desk.storage.models import AuditChainRow

    db = Database(f"sqlite:///{tmp_path / 'many.sqlite3'}")
    db.migrate()
    t = AuditChainRow.__table__
    add = insert(t)
    move = update(t).where(t.c.id == bindparam("_id"), t.c.last_seq == bindparam("_seen")).values(
        last_hash=bindparam("last_hash"))
    raw = db.engine.raw_connection()
    try:
        driver = Driver(raw.driver_connection, db.engine)
        rows = [{"id": i, "last_seq": i, "last_hash": f"h{i}"} for i in (7, 8)]
        assert Prepared(add, sqlite.dialect(), tuple(sorted(rows[0]))).many(driver, rows) == 2
        moved = Prepared(move, sqlite.dialect(), ("_id", "_seen", "last_hash"))
        # the second row's version moved on: one row of two changed
        assert moved.many(driver, [{"_id": 7, "_seen": 7, "last_hash": "x"}, {"_id": 8, "_seen": 0, "last_hash": "y"}]) == 1
        with pytest.raises(StorageError) as refused:
            moved.many(driver, [{"_id": 7, "_seen": 7, "last_hash": "ok"}, {"_id": 8, "_seen": 8, "last_hash": "z\x00"}])
        assert refused.value.kind == "input"
        found = raw.driver_connection.execute("SELECT id, last_hash FROM audit_chain WHERE id IN (7, 8)").fetchall()
        assert sorted(found) == [(7, "x"), (8, "h8")]  # the refused rows were never sent
    finally:
        raw.rollback()
        raw.close()
        db.dispose()


def test_a_write_leaving_a_column_to_its_python_default_is_refused_when_prepared():
    """SQLAlchemy's execution fills a column's Python default (``default=``) into each row: a
    prepared write does not, so it must be given every column."""
    from sqlalchemy import insert

    with pytest.raises(ValueError):
        Prepared(insert(CaseRow.__table__), sqlite.dialect(), ("number", "programme"))
