"""The audit trail: append-only, hash-chained, and tampering behind the program's back is found.

Each tamper case opens the database with its own connection (as someone with the file or a
database account would), switches off the append-only triggers, changes rows, and then
``AuditService.verify`` / ``doudi-admin audit verify`` must name the first broken link. The same
scenarios run on PostgreSQL in test_postgres.py.
"""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import create_engine, text

from doudi_desk.domain.errors import DomainError
from doudi_desk.services.audit import AuditService
from doudi_desk.storage.chain import GENESIS
from tests.helpers.tamper import TAMPERS, disable_triggers, tamper_and_verify, update_comment, work


@pytest.mark.parametrize("name,tamper,kind", TAMPERS, ids=[t[0] for t in TAMPERS])
def test_tampering_is_detected(office, name, tamper, kind):
    result = tamper_and_verify(office, f"sqlite:///{office.db_path}", tamper, kind)
    if kind in ("altered",) and result["problem"]["case_number"]:
        assert result["problem"]["case_number"] in result["message"]


def test_a_clean_chain_verifies_and_every_event_is_linked(office):
    work(office)
    result = AuditService(office).verify()
    assert result["ok"] and result["events"] >= 15 and result["message"].startswith("审计记录链完整")
    con = sqlite3.connect(office.db_path)
    rows = con.execute("SELECT chain_seq, prev_hash, hash FROM audit_events ORDER BY chain_seq").fetchall()
    con.close()
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0][1] == GENESIS and all(rows[i][1] == rows[i - 1][2] for i in range(1, len(rows)))
    assert result["head"] == (rows[-1][0], rows[-1][2])


def test_the_database_refuses_update_and_delete_of_events(office):
    work(office)
    con = sqlite3.connect(office.db_path)
    try:
        for sql in ("UPDATE audit_events SET comment = 'x' WHERE chain_seq = 1",
                    "DELETE FROM audit_events WHERE chain_seq = 1"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                con.execute(sql)
    finally:
        con.close()
    assert AuditService(office).verify()["ok"]


def test_only_admins_and_county_approvers_may_read_the_trail(office):
    AuditService(office).verify("admin")
    AuditService(office).office_log("approver")
    with pytest.raises(DomainError, match="无权查看审计记录"):
        AuditService(office).verify("clerk")


def test_cli_audit_verify_exit_status_and_message(office, capsys):
    from doudi_desk.cli import main

    work(office)
    url = f"sqlite:///{office.db_path}"
    assert main(["--db", url, "audit", "verify"]) == 0
    assert "审计记录链完整" in capsys.readouterr().out
    engine = create_engine(url)
    with engine.begin() as conn:
        disable_triggers(conn)
        n = update_comment(conn, {"first": 1})
    engine.dispose()
    assert main(["--db", url, "audit", "verify"]) == 3
    out = capsys.readouterr().out
    assert f"第 {n} 号审计记录" in out and "被修改" in out


def test_events_written_before_the_chain_are_linked_by_the_migration(tmp_path):
    """A database from before migration 0004 (events without hashes) gets its chain on upgrade."""
    from alembic import command
    from alembic.config import Config

    from doudi_desk.storage.db import MIGRATIONS_DIR, Database

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0003")
        conn.execute(text("INSERT INTO areas VALUES ('1', '县', 'county', NULL)"))
        conn.execute(text("INSERT INTO households (id, village_code, address, phone, no_able_supporter, assets, "
                          "created_at) VALUES (1, NULL, '', '', 0, '{}', '2026-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO cases (id, number, programme, workflow_id, workflow_version, state, "
                          "household_id, village_code, created_by, created_at, applied_on, county_delegated, "
                          "staff_relative, forms, closed, version, kind) VALUES (1, '2026-DB-000001', 'dibao', "
                          "'dibao', 1, 'applied', 1, '1', 'clerk', '2026-01-01 00:00:00', '2026-01-01', 0, 0, "
                          "'{}', 0, 1, 'application')"))
        for seq in (1, 2, 3):
            conn.execute(text("INSERT INTO audit_events (case_id, seq, actor, \"trigger\", from_state, to_state, "
                              "recorded_at, effective_date, comment, changes, data) VALUES (1, :s, 'clerk', 't', "
                              "NULL, 'applied', '2026-01-01 09:00:00.000000', '2026-01-01', '中文', "
                              "'{\"a\": {\"before\": null, \"after\": \"1\"}}', '{}')"), {"s": seq})
    engine.dispose()
    db = Database(url)
    db.migrate()
    with db.unit_of_work() as uow:
        result = uow.events.verify()
    db.dispose()
    assert result["ok"] and result["events"] == 3
