"""The same program on a shared PostgreSQL server: two real connections editing and approving at
once, case numbers taken at the same moment, the audit chain under concurrent appends, tampering,
backup and restore, and a SIGKILL mid-batch. Skipped unless ``DOUDI_TEST_PG_URL`` is set (.ci/run
starts a server and sets it).
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from doudi_desk.domain.errors import DomainError
from doudi_desk.domain.ids import make_id
from doudi_desk.services.audit import AuditService
from doudi_desk.services.backup import BackupService, restore
from doudi_desk.services.batch import BatchService
from doudi_desk.services.cases import CaseService
from doudi_desk.services.queries import QueryService
from doudi_desk.services.views import CaseView
from doudi_desk.storage.db import StorageError
from doudi_desk.storage.repo import StaleVersionError
from tests.helpers import tamper as trail
from tests.helpers.arrange import household as fresh_household
from tests.helpers.arrange import place, proposal
from tests.helpers.dibao import (
    APPLICATION,
    OPINION,
    POSTING,
    day,
    household,
    investigation,
    to_posting,
    to_preliminary,
)
from tests.helpers.kills import KILLS, kill_runs
from tests.helpers.office import open_office
from tests.helpers.races import race, second_pc
from tests.pg_support import dump_url, fresh_database, requires_pg

pytestmark = requires_pg


@pytest.fixture
def pg():
    with fresh_database() as url:
        yield from open_office(url, url)


# --- same behaviour as SQLite -------------------------------------------------------------------------


def test_json_dates_money_and_history_read_back_as_on_sqlite(pg, office):
    views = []
    for ctx in (office, pg):
        svc = CaseService(ctx)
        view = to_posting(svc)
        view = svc.advance(view["id"], "submit_to_county", "reviewer", data=POSTING, effective_date=day(12))
        view = svc.advance(view["id"], "approve", "approver", effective_date=day(13))
        views.append(view)
    sqlite_view, pg_view = views
    assert pg_view["forms"] == sqlite_view["forms"]
    assert pg_view["proposal"] == sqlite_view["proposal"] and pg_view["decision"] == sqlite_view["decision"]
    assert pg_view["benefit"] == sqlite_view["benefit"]
    assert [(e["trigger"], e["effective_date"], e["changes"]) for e in pg_view["history"]] == \
        [(e["trigger"], e["effective_date"], e["changes"]) for e in sqlite_view["history"]]
    assert pg_view["deadline"] == sqlite_view["deadline"] and pg_view["version"] == sqlite_view["version"]


def test_a_posting_list_prints_the_same_rows_as_on_sqlite_from_the_events_values(pg, office):
    """The 公示名单 takes each event's posted values out with the database's JSON functions (SQLite
    json_extract, PostgreSQL #>>): the same rows on both, a refusal as 拟不予保障, and no statement
    returns an event's whole changes or data."""
    from printing_helpers import flat, pages_text, posting_list_event_columns

    from doudi_desk.services.printing import PrintService

    texts = []
    for ctx in (office, pg):
        svc = CaseService(ctx)
        to_posting(svc)
        refused = svc.create_case(household(members=[
            {"name": "孔德福", "id_number": make_id("130102", dt.date(1958, 3, 1), 7), "relation": "head"}],
            income=[], rigid_expenses=[]), "dibao", "clerk", applied_on=day(0))["id"]
        svc.advance(refused, "accept", "clerk", data=APPLICATION, effective_date=day(1))
        svc.advance(refused, "start_investigation", "clerk", effective_date=day(2))
        svc.advance(refused, "complete_investigation", "clerk", data=investigation(), effective_date=day(4))
        svc.advance(refused, "post_notice", "reviewer", effective_date=day(5), data={"preliminary_opinion": {
            "opinion": "refuse", "category": "new", "comment": "拟不同意"}})
        printer = PrintService(ctx)
        read = posting_list_event_columns(ctx, printer, "130999101001")
        assert read and not [c for c in read if {"changes", "data"} & {n.lower() for n in c}], read
        texts.append(flat("".join(pages_text(printer.posting_list("130999101001")))))
    sqlite_text, pg_text = texts
    assert pg_text == sqlite_text
    assert "王建国4" in pg_text and "孔德福1——拟不予保障" in pg_text, pg_text


def test_nul_characters_are_refused_the_same_way_on_both(pg, office):
    for ctx in (office, pg):
        svc = CaseService(ctx)
        view = to_posting(svc)
        before = svc.show(view["id"])["version"]
        with pytest.raises(DomainError, match="空字符"):  # refused by the text check, before storage
            svc.advance(view["id"], "record_objection", "clerk", comment="有\x00异议",
                        data={"objection": {"received_on": day(6), "objector": "村民", "content": "反映\x00"}},
                        effective_date=day(6))
        assert svc.show(view["id"])["version"] == before


def test_an_unreachable_server_is_a_known_error():
    from doudi_desk.storage.db import Database

    with pytest.raises(StorageError, match="无法连接数据库"):
        Database("postgresql+psycopg://nobody:x@127.0.0.1:1/none").migrate()


# --- two PCs, one case ------------------------------------------------------------------------------------

def test_two_connections_same_case_the_second_save_is_refused(pg):
    """Deterministic: PC 1 has written the case (row locked, not committed); PC 2's write waits for
    it, then finds the version moved on and is refused."""
    view = to_preliminary(CaseService(pg))
    other = second_pc(pg)
    try:
        with pg.db.unit_of_work() as uow1:
            case = uow1.cases.get(view["id"])
            uow1.cases.save(case, expected_version=case.version)
            outcome: list[object] = []

            def pc2():
                try:
                    with other.db.unit_of_work() as uow2:
                        mine = uow2.cases.get(view["id"])
                        uow2.cases.save(mine, expected_version=view["version"])
                except BaseException as exc:  # noqa: BLE001
                    outcome.append(exc)

            thread = threading.Thread(target=pc2)
            thread.start()
            thread.join(0.5)
            assert thread.is_alive(), "PC 2 should be waiting for PC 1's row lock"
        thread.join(10)
        assert len(outcome) == 1 and isinstance(outcome[0], StaleVersionError)
    finally:
        other.db.dispose()


def test_two_pcs_edit_one_case_the_second_gets_a_conflict_and_writes_nothing(pg):
    svc1 = CaseService(pg)
    view = to_preliminary(svc1)
    other = second_pc(pg)
    try:
        svc2 = CaseService(other)
        seen1, seen2 = svc1.show(view["id"], "reviewer"), svc2.show(view["id"], "reviewer")
        svc1.advance(view["id"], "post_notice", "reviewer", data=OPINION, effective_date=day(5),
                     expected_version=seen1["version"])
        mine = {"preliminary_opinion": {"opinion": "refuse", "category": "new", "comment": "PC2 的意见"}}
        with pytest.raises(StaleVersionError, match="已被他人修改"):
            svc2.advance(view["id"], "post_notice", "reviewer", data=mine, effective_date=day(5),
                         expected_version=seen2["version"])
        stored = svc2.show(view["id"])
        assert stored["forms"]["preliminary_opinion"]["comment"] == "拟同意"
        assert [e["trigger"] for e in stored["history"]].count("post_notice") == 1
    finally:
        other.db.dispose()


@pytest.mark.parametrize("round_", range(5))
def test_racing_saves_one_wins_one_conflicts(pg, round_):
    view = to_preliminary(CaseService(pg))
    pcs = [pg, second_pc(pg)]
    try:
        seen = view["version"]
        jobs = [lambda ctx=ctx, n=n: CaseService(ctx).save_forms(
            view["id"], "reviewer", {"preliminary_opinion": {"comment": f"第{n}台电脑"}}, effective_date=day(5),
            expected_version=seen) for n, ctx in enumerate(pcs)]
        results = race(*jobs)
        wins = [r for r in results if isinstance(r, CaseView)]
        stale = [r for r in results if isinstance(r, StaleVersionError)]
        assert len(wins) == 1 and len(stale) == 1, results
        after = CaseService(pg).show(view["id"])
        assert after["version"] == seen + 1
        assert [e["trigger"] for e in after["history"]].count("save_forms") == 1
    finally:
        pcs[1].db.dispose()


def county_cases(ctx, n: int) -> list[dict]:
    from doudi_desk.services.admin import AdminService

    svc = CaseService(ctx)
    items = []
    for _ in range(n):
        cid = svc.create_case(fresh_household("dibao"), "dibao", "clerk", applied_on="2026-11-13")["id"]
        place(ctx, cid, state="county_review", closed=False, proposal=proposal("county"))
        view = svc.show(cid)
        items.append({"id": cid, "number": view["number"], "version": view["version"]})
    if not any(u["username"] == "approver2" for u in QueryService(ctx).users()):
        AdminService(ctx).add_user("approver2", "钱县审", ["county_approver"])
    return items


@pytest.mark.parametrize("with_versions", [True, False], ids=["as-seen", "no-version"])
def test_overlapping_batches_decide_every_case_exactly_once(pg, with_versions):
    items = county_cases(pg, 24)
    if not with_versions:
        items = [{"id": i["id"], "number": i["number"]} for i in items]
    first, second = items[:16], items[8:]  # cases 8–15 are in both batches
    other = second_pc(pg)
    try:
        results = race(lambda: BatchService(pg).run(first, "approve", "approver"),
                       lambda: BatchService(other).run(list(reversed(second)), "approve", "approver2"))
    finally:
        other.db.dispose()
    a, b = results
    assert isinstance(a, dict) and isinstance(b, dict), results
    done_a = {d["id"] for d in a["done"]}
    done_b = {d["id"] for d in b["done"]}
    assert not done_a & done_b, "a case was decided by both supervisors"
    assert done_a | done_b == {i["id"] for i in items}, (a["failed"], b["failed"])
    failed = a["failed"] + b["failed"]
    assert all(f["id"] in {i["id"] for i in items[8:16]} for f in failed)
    assert failed, "the two batches should have collided on the shared cases"
    if with_versions:
        assert all(f["conflict"] for f in failed), failed
    svc = CaseService(pg)
    for item in items:
        view = svc.show(item["id"])
        assert view["state"] == "approved"
        assert [e["trigger"] for e in view["history"]].count("approve") == 1
    assert AuditService(pg).verify()["ok"]


def test_case_numbers_taken_at_the_same_moment_stay_unique(pg):
    other = second_pc(pg)
    try:
        jobs = []
        for n, ctx in enumerate([pg, other] * 4):
            def job(ctx=ctx, n=n):
                return CaseService(ctx).create_case(fresh_household("dibao"), "dibao", "clerk",
                                                    applied_on="2026-11-13")["number"]
            jobs.append(job)
        numbers = race(*jobs)
    finally:
        other.db.dispose()
    assert all(isinstance(x, str) for x in numbers), numbers
    assert len(set(numbers)) == len(numbers)


def test_the_audit_chain_never_forks_under_concurrent_appends(pg, monkeypatch):
    from argon2 import PasswordHasher

    from doudi_desk.services import accounts
    from doudi_desk.services.accounts import AccountService
    from doudi_desk.services.admin import AdminService

    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    AdminService(pg).set_password("admin", "County-key-2026", temporary=False)
    AdminService(pg).set_password("clerk", "Qingshan-2026", temporary=False)
    pcs = [pg] + [second_pc(pg) for _ in range(3)]
    try:
        def job(ctx):
            for _ in range(10):
                AccountService(ctx).log_in("clerk", "Qingshan-2026")
            return True

        assert race(*[lambda ctx=ctx: job(ctx) for ctx in pcs]) == [True] * 4
    finally:
        for ctx in pcs[1:]:
            ctx.db.dispose()
    result = AuditService(pg).verify()
    assert result["ok"], result["message"]
    assert len(AuditService(pg).office_log(limit=1000, actions=["login"])) == 40


# --- tampering behind the program's back ----------------------------------------------------------------


@pytest.mark.parametrize("name,tamper,kind", trail.TAMPERS, ids=[t[0] for t in trail.TAMPERS])
def test_tampering_is_detected_on_postgres(pg, name, tamper, kind):
    trail.tamper_and_verify(pg, pg.db_path, tamper, kind)


def test_the_server_refuses_update_delete_and_truncate_of_events(pg):
    from sqlalchemy import create_engine, text

    trail.work(pg)
    engine = create_engine(pg.db_path)
    try:
        for sql in ("UPDATE audit_events SET comment = 'x'", "DELETE FROM audit_events", "TRUNCATE audit_events"):
            with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
                conn.execute(text(sql))
    finally:
        engine.dispose()
    assert AuditService(pg).verify()["ok"]


# --- backup and restore -----------------------------------------------------------------------------------


def test_pg_dump_round_trip_is_equal_row_by_row(pg, tmp_path):
    trail.work(pg)
    before = dump_url(pg.db_path)
    BackupService(pg).backup(tmp_path / "county.bak")
    with fresh_database(migrated=False) as target:
        summary = restore(target, tmp_path / "county.bak")
        restored = dump_url(target)
        last = summary["chain"]["seq"]
        from tests.helpers.office import without_events_after

        assert without_events_after(restored, last) == without_events_after(before, last)
        with pytest.raises(DomainError, match="不是空的"):
            restore(target, tmp_path / "county.bak")


def test_a_backups_manifest_streams_each_table_a_batch_at_a_time(pg, tmp_path, monkeypatch):
    """The manifest reads every row of every table (a county: 2 million events, 150,000 cases with
    their forms). psycopg's ordinary cursor receives a whole result before the first row is read, so
    each table must come through a server-side cursor, fetched a batch at a time, never whole (a
    county's backup peaked at 801 MB with whole tables received, 2.7 GB with them fetched whole
    from a server-side cursor)."""
    import psycopg
    from sqlalchemy import event

    from doudi_desk.storage import backup as storage_backup
    from doudi_desk.storage.models import Base

    trail.work(pg)
    reads: list[tuple[str, str, bool]] = []
    fetched: list[int | None] = []  # rows asked for by each fetch from a server-side cursor (None: all)

    def seen(_conn, cursor, statement, _parameters, _context, _many):
        statement = " ".join(statement.split())
        table = statement.split(" FROM ")[1].split()[0] if " FROM " in statement else ""
        if table in Base.metadata.tables and "ORDER BY" in statement:  # a table's rows, in the digest's order
            kind = "text" if statement.startswith("SELECT ROW(") else "values"
            reads.append((kind, table, isinstance(cursor, psycopg.ServerCursor)))

    fetchmany, fetchall = psycopg.ServerCursor.fetchmany, psycopg.ServerCursor.fetchall
    monkeypatch.setattr(psycopg.ServerCursor, "fetchmany",
                        lambda self, size=0: fetched.append(size or self.arraysize) or fetchmany(self, size))
    monkeypatch.setattr(psycopg.ServerCursor, "fetchall", lambda self: fetched.append(None) or fetchall(self))
    event.listen(pg.db.engine, "before_cursor_execute", seen)
    try:
        BackupService(pg).backup(tmp_path / "county.bak")
        with pg.db.engine.connect() as conn:
            storage_backup.manifest(conn, portable=True)
    finally:
        event.remove(pg.db.engine, "before_cursor_execute", seen)
    # the backup's manifest (rows as text made by the server) and the portable one (values)
    read = {(kind, table) for kind, table, _server in reads}
    assert {("text", "cases"), ("text", "audit_events"), ("values", "cases"), ("values", "audit_events")} <= read, read
    assert [r for r in reads if not r[2]] == [], reads
    assert fetched and None not in fetched and max(fetched) <= 5000, fetched


def test_a_one_pc_office_moves_its_sqlite_backup_onto_the_server(office, tmp_path):
    trail.work(office)
    BackupService(office).backup(tmp_path / "township.bak")
    with fresh_database(migrated=False) as target:
        restore(target, tmp_path / "township.bak")
        from doudi_desk.services.context import open_context

        ctx = open_context(target)
        ctx.today, ctx.now = office.today, office.now
        try:
            assert AuditService(ctx).verify()["ok"]
            assert CaseService(ctx).show(1)["history"] == CaseService(office).show(1)["history"]
            view = CaseService(ctx).create_case(household(members=[{"name": "新户", "relation": "head",
                                                                     "id_number": make_id("130102", dt.date(1988, 1, 1), 12)}],
                                                          income=[], rigid_expenses=[]),
                                                "dibao", "clerk", applied_on=day(0))
            assert view["id"] == 3 and view["number"].endswith("000003")  # sequences moved past the copy
        finally:
            ctx.db.dispose()


# --- SIGKILL --------------------------------------------------------------------------------------------------


def test_sigkill_mid_batch_on_postgres(pg, tmp_path):
    # The server rolls back what a killed client left open; four kills, at different moments.
    assert kill_runs(pg, pg.db_path, tmp_path, kills=KILLS[:4], n_cases=10) == 4


def test_investigation_and_approval_on_two_pcs_interleaved(pg):
    """A longer two-PC scenario: the clerk investigates on PC 1 while the county works on PC 2."""
    other = second_pc(pg)
    try:
        svc1, svc2 = CaseService(pg), CaseService(other)
        a = svc1.create_case(household(), "dibao", "clerk", applied_on=day(0))
        svc1.advance(a["id"], "accept", "clerk", data=APPLICATION, effective_date=day(1))
        svc2.advance(a["id"], "start_investigation", "clerk", effective_date=day(2))
        svc1.advance(a["id"], "complete_investigation", "clerk", data=investigation(), effective_date=day(4))
        assert svc2.show(a["id"])["state"] == "preliminary_review"
    finally:
        other.db.dispose()



def test_a_pg_restore_that_does_not_verify_is_undone(pg, tmp_path, monkeypatch):
    from sqlalchemy import create_engine, inspect

    from doudi_desk.storage import backup as storage_backup

    BackupService(pg).backup(tmp_path / "county.bak")
    monkeypatch.setattr(storage_backup, "compare", lambda expected, actual: ["数据表 cases：行数相同但内容不同"])
    with fresh_database(migrated=False) as target:
        with pytest.raises(DomainError, match="已撤销本次恢复"):
            restore(target, tmp_path / "county.bak")
        engine = create_engine(target)
        try:
            assert inspect(engine).get_table_names() == []
        finally:
            engine.dispose()
