"""Statements compiled once per dialect (storage/prepared.py): the parameters and columns they hand
the driver are what SQLAlchemy's own execution would have converted them to, on SQLite and on
PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Date, String, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from doudi_desk.storage.models import CaseRow
from doudi_desk.storage.prepared import Prepared

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
