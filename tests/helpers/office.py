"""The test office: areas, users and a policy set on a fresh database, "today" fixed at 2026-11-23,
and a dump of every row for before/after comparisons. The `office` fixture (tests/conftest.py)
yields one of these; tests that need a second office call :func:`open_office` themselves."""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

TODAY = dt.date(2026, 11, 23)


AREAS = [
    ("130999", "测试县", "county", None),
    ("130999101", "河东镇", "township", "130999"),
    ("130999102", "河西乡", "township", "130999"),
    ("130999101001", "前进村", "village", "130999101"),
    ("130999102001", "红星村", "village", "130999102"),
]
USERS = [
    ("admin", "管理员", ["admin"]),
    ("clerk", "张敏", ["caseworker"]),
    ("clerk2", "李强", ["caseworker"]),
    ("reviewer", "王芳", ["township_reviewer"]),
    ("approver", "赵军", ["county_approver"]),
]


# DOUDI_TEST_BACKEND=postgresql runs every test using `office` on a fresh PostgreSQL database
# (tests/pg_support.py); then `office.db_path` is that database's URL, which dump_db accepts too.
BACKEND = os.environ.get("DOUDI_TEST_BACKEND", "sqlite")


@functools.cache
def shipped_definitions():
    """The shipped workflow and form definitions, loaded once per test run (they are frozen)."""
    from doudi_desk.services.context import load_shipped_definitions

    return load_shipped_definitions()


def _clocked(ctx):
    ctx.today = lambda: TODAY
    ctx.now = lambda: dt.datetime(2026, 11, 23, 9, 30)
    return ctx


def _fill(ctx) -> None:
    from doudi_desk.services.admin import AdminService, default_policy

    admin = AdminService(ctx)
    for code, name, level, parent in AREAS:
        admin.add_area(code, name, level, parent)
    for username, name, roles in USERS:
        admin.add_user(username, name, roles)
    admin.set_policy("130999", dt.date(2026, 1, 1), default_policy())
    admin.set_delegation("130999102", True)


@functools.cache
def _sqlite_template() -> Path:
    """The office on SQLite, migrated and filled once per test run; each test gets a copy."""
    from doudi_desk.services.context import open_context

    folder = Path(tempfile.mkdtemp(prefix="doudi-office-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "office.sqlite3"
    ctx = _clocked(open_context(f"sqlite:///{path}", definitions=shipped_definitions()))
    _fill(ctx)
    ctx.db.dispose()  # the last connection closing folds the WAL into the file
    assert not path.with_name(path.name + "-wal").exists()
    return path


def open_office(url, db_path):
    """Yield the office on ``url`` (a fresh SQLite file at ``db_path`` is a copy of the run's
    template: the same rows as building it, without migrating and filling it again)."""
    from doudi_desk.services.context import open_context

    fresh_file = url == f"sqlite:///{db_path}" and not Path(db_path).exists()
    if fresh_file:
        shutil.copyfile(_sqlite_template(), db_path)
    ctx = _clocked(open_context(url, definitions=shipped_definitions()))
    if not fresh_file:
        _fill(ctx)
    ctx.db_path = db_path
    yield ctx
    ctx.db.dispose()


def dump_db(path) -> dict[str, list[tuple]]:
    """Every row of every table, for before/after comparisons (a SQLite file, or a database URL)."""
    if isinstance(path, str) and "://" in path:
        from tests.pg_support import dump_url

        return dump_url(path)
    con = sqlite3.connect(path)
    try:
        # sqlite_stat1/4 are the query planner's statistics (ANALYZE at the first open of a database
        # never analysed, storage/db.py), not the office's data: a refused command may leave them.
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                            "AND name NOT LIKE 'sqlite_stat%' ORDER BY name")]
        return {t: sorted(con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        con.close()


def without_events_after(dump: dict, last_seq: int) -> dict:
    """A dump with the audit events after ``last_seq`` and the chain head left out."""
    out = dict(dump)
    # audit_events columns end with chain_seq, prev_hash, hash
    out["audit_events"] = [r for r in dump["audit_events"] if r[-3] <= last_seq]
    out.pop("audit_chain")
    return out


def fix_cli_clock(monkeypatch, today: dt.date = TODAY, now: dt.datetime = dt.datetime(2026, 11, 23, 10, 0)) -> None:
    """Every context doudi-admin opens in this test has ``today`` and ``now`` fixed (its
    commands refuse dates after today, so a test's dates must not depend on the real calendar)."""
    import doudi_desk.services.context as context

    real = context.open_context

    def opened(url=None, **kw):
        ctx = real(url, **kw)
        ctx.today = lambda: today
        ctx.now = lambda: now
        return ctx

    monkeypatch.setattr(context, "open_context", opened)
