"""benchmarks/county.py at a tiny size: the generator makes a database the program accepts (valid ID
numbers, pinyin initials as the program stores them, a verifying audit chain), and every row of
the benchmark runs and prints a figure. Untimed: no figure is compared with anything here (speed
targets live in the benchmark, never in tests)."""

from __future__ import annotations

import re
import sqlite3
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

ROWS = (
    "first start of the day: log-in usable", "later start to case list", "longest GUI-thread stall (first start)",
    "peak memory, window (later start)", "search full ID number", "search exact name", "search name prefix",
    "全部案件 first page", "tab counts", "supervisor queue", "公示名单 PDF", "audit verify", "doudi-admin backup",
    "batch approval of",
)


@pytest.fixture(scope="module")
def bench_cache(tmp_path_factory):
    import os

    folder = tmp_path_factory.mktemp("county-cache")
    old = os.environ.get("DOUDI_BENCH_CACHE")
    os.environ["DOUDI_BENCH_CACHE"] = str(folder)
    yield folder
    if old is None:
        os.environ.pop("DOUDI_BENCH_CACHE", None)
    else:
        os.environ["DOUDI_BENCH_CACHE"] = old


def test_generated_county_is_what_the_program_writes(bench_cache):
    import county_gen

    from doudi_desk.domain.ids import id_problem
    from doudi_desk.services.audit import AuditService
    from doudi_desk.services.context import open_context
    from doudi_desk.storage.initials import name_initials

    path = county_gen.cached_database(200, log=None)
    assert county_gen.cached_database(200, log=None) == path  # cached by size and schema revision
    assert county_gen.schema_revision() in path.name
    ctx = open_context(f"sqlite:///{path}")
    try:
        result = AuditService(ctx).verify()
        assert result["ok"], result["message"]
        assert result["events"] >= 20 * 200 * 0.95  # ~20 events a family
    finally:
        ctx.db.dispose()
    con = sqlite3.connect(path)
    try:
        members = con.execute("SELECT name, name_initials, id_number FROM members").fetchall()
        assert len(members) >= 400
        assert all(id_problem(number) is None for _n, _i, number in members)
        assert all(initials == name_initials(name) for name, initials, _ in members)
        states = dict(con.execute("SELECT state, COUNT(*) FROM cases GROUP BY state").fetchall())
        assert states.get("county_review", 0) > 0 and states.get("posting", 0) >= 4 and states["approved"] > 50
        roles = {r for (roles,) in con.execute("SELECT roles FROM users") for r in roles.split(",")}
        assert roles == {"admin", "caseworker", "township_reviewer", "county_approver"}
        assert con.execute("SELECT COUNT(*) FROM households WHERE bank_account = ''").fetchone()[0] == 0
        programmes = {p for (p,) in con.execute("SELECT DISTINCT programme FROM cases")}
        assert programmes == {"dibao", "tekun", "temporary"}
    finally:
        con.close()


def test_every_row_is_measured(bench_cache, tmp_path, capsys):
    import county

    assert county.main(["--size", "200", "--work", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    table = out[out.index("SQLite, 200 households"):]
    for name in ROWS:
        line = next((ln for ln in table.splitlines() if ln.startswith(f"| {name}")), None)
        assert line is not None, f"row {name!r} missing:\n{table}"
        program = line.split("|")[2].strip()
        assert re.match(r"^[\d,.]+ (s|ms|MB)$", program), line  # a figure, not "—"
        assert "FAILED" not in line and "BROKEN" not in line, line
    assert re.search(r"audit verify, [\d,]+ events .*\| ok", table)
    batch = next(ln for ln in table.splitlines() if ln.startswith("| batch approval"))
    done, total = re.search(r"([\d,]+) done, (\d+) failed", batch).groups()
    assert int(total) == 0 and "chain ok: True" in batch


def _schema_of(url: str) -> dict[str, object]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                "indexes": sorted(conn.execute(text(
                    "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")).all()),
                "constraints": sorted(conn.execute(text(
                    "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE connamespace = 'public'::regnamespace")).all()),
                "triggers": sorted(conn.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).all()),
            }
    finally:
        engine.dispose()


def test_a_county_loaded_into_postgres_has_the_migrated_schema_and_every_row(bench_cache):
    """benchmarks/county_pg.py puts the indexes and keys aside while COPY runs and builds them again:
    the loaded database must end with exactly the schema objects of a migrated one (the names and
    definitions of every index, constraint and trigger), every row, and id sequences past the
    copied ids."""
    from tests.pg_support import PG_URL, _admin_engine, _drop, _url_for, fresh_database, requires_pg

    if not PG_URL:
        pytest.skip(requires_pg.kwargs["reason"])
    import uuid

    import county_gen
    import county_pg
    from sqlalchemy import create_engine, text

    path = county_gen.cached_database(200, log=None)
    name = f"doudi_t_county_{uuid.uuid4().hex[:8]}"
    admin = _admin_engine()
    try:
        county_pg.load(path, _url_for(name), admin, log=lambda *_a: None)
        with fresh_database() as migrated:
            assert _schema_of(_url_for(name)) == _schema_of(migrated)
        source = sqlite3.connect(path)
        engine = create_engine(_url_for(name))
        try:
            with engine.connect() as conn:
                for table in ("cases", "members", "audit_events", "households", "users"):
                    assert conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar() == \
                        source.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                top = conn.execute(text("SELECT MAX(id) FROM cases")).scalar()
                assert conn.execute(text("SELECT nextval(pg_get_serial_sequence('cases', 'id'))")).scalar() > top
        finally:
            engine.dispose()
            source.close()
    finally:
        admin.dispose()
        _drop(name)
