"""PostgreSQL for tests: a fresh database per test on the server named by ``DOUDI_TEST_PG_URL``.

``.ci/run`` installs the Debian ``postgresql`` package, starts it on loopback, creates a role with
CREATEDB and exports ``DOUDI_TEST_PG_URL=postgresql+psycopg://doudi_test:…@127.0.0.1:5432/doudi_test``.
Locally the PostgreSQL tests skip when it is unset. ``DOUDI_TEST_BACKEND=postgresql`` makes the
shared ``office`` fixture (tests/conftest.py) use PostgreSQL too, so the integration tests run on
both databases.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

PG_URL = os.environ.get("DOUDI_TEST_PG_URL", "")
requires_pg = pytest.mark.skipif(not PG_URL, reason="DOUDI_TEST_PG_URL is not set (.ci/run sets it)")

_template: str | None = None


def _admin_engine():
    from sqlalchemy import create_engine

    return create_engine(PG_URL, isolation_level="AUTOCOMMIT")


def _url_for(name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _template_name() -> str:
    """A database migrated to head, made once per test process and copied for each test."""
    global _template
    if _template is None:
        from sqlalchemy import text

        from doudi_desk.storage.db import Database

        name = f"doudi_tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        engine = _admin_engine()
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        db = Database(_url_for(name))
        db.migrate()
        db.dispose()
        _template = name
        import atexit

        atexit.register(_drop, name)
    return _template


def _drop(name: str) -> None:
    """Drop a test database. An autovacuum worker (owned by the server's superuser, which the test
    role may not terminate) can be visiting a fresh database for a moment: wait and try again, and
    after five seconds leave the database behind (the cluster is the tests' own) rather than fail a
    test that passed."""
    import time

    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    engine = _admin_engine()
    try:
        for _ in range(20):
            try:
                with engine.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                return
            except DBAPIError as exc:
                if "pg_signal_backend" not in str(exc):
                    raise
                time.sleep(0.25)
    finally:
        engine.dispose()


@contextmanager
def fresh_database(*, migrated: bool = True) -> Iterator[str]:
    """The URL of a new database (a copy of the migrated template, or empty), dropped afterwards."""
    from sqlalchemy import text

    template = _template_name() if migrated else "template0"
    name = f"doudi_t_{uuid.uuid4().hex[:12]}"
    engine = _admin_engine()
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    finally:
        engine.dispose()
    try:
        yield _url_for(name)
    finally:
        _drop(name)


def dump_url(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of any database, for before/after comparisons."""
    from sqlalchemy import MetaData, create_engine

    engine = create_engine(url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        with engine.connect() as conn:
            return {t.name: sorted((tuple(r) for r in conn.execute(t.select())), key=repr)
                    for t in meta.sorted_tables}
    finally:
        engine.dispose()
