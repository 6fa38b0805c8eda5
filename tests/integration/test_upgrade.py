"""Installing a newer version over an older one: the first start finds the database at an older
schema revision, backs it up (the program's own checked backup) and only then migrates; the data
is kept; a failed backup or a database from a newer program changes nothing."""

from __future__ import annotations

import sqlite3

import pytest
from upgrade_helpers import OLD, old_database

from doudi_desk.domain.errors import DomainError
from doudi_desk.services.context import open_context
from doudi_desk.storage.backup import inspect_backup
from doudi_desk.storage.db import Database


def _revision(path) -> str | None:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        conn.close()


def test_an_older_database_is_backed_up_then_migrated_and_keeps_its_data(tmp_path):
    path = tmp_path / "数据" / "doudi_desk.sqlite3"
    path.parent.mkdir()
    url = old_database(path)
    backups = tmp_path / "backups"
    head = Database.head_revision()
    assert head != OLD

    ctx = open_context(url, backup_folder=backups)
    try:
        upgrade = ctx.upgrade
        assert upgrade is not None and (upgrade.from_revision, upgrade.to_revision) == (OLD, head)
        # The backup is the database as it was before any migration ran: schema 0003, every row.
        copy = upgrade.backup
        assert copy.parent == backups and copy.is_file() and "升级前备份" in copy.name and OLD in copy.name
        checked = inspect_backup(copy)
        assert checked["schema_version"] == OLD
        assert checked["tables"]["cases"]["rows"] == 1 and checked["tables"]["audit_events"]["rows"] == 1
        assert "audit_chain" not in checked["tables"]  # it did not exist yet at 0003
        # The database itself is at head, with its case and household.
        assert ctx.db.revision() == head
        with ctx.db.unit_of_work() as uow:
            case = uow.cases.get(1)
            assert case.number == "2026-DB-000001" and case.state == "applied"
            assert uow.events.verify()["ok"]  # the old event got its chain, the new ones link on
        # The backup and the upgrade are on the office's record, newest first.
        from doudi_desk.services.audit import AuditService

        log = AuditService(ctx).office_log(limit=10)
        assert [(e["action_label"], e["actor"]) for e in log[:2]] == [("升级数据库结构", "system"), ("备份", "system")]
        assert f"从 {OLD} 升级到 {head}" in log[0]["comment"] and str(copy) in log[1]["comment"]
    finally:
        ctx.db.dispose()

    # The next start: nothing to do, no second backup.
    again = open_context(url, backup_folder=backups)
    again.db.dispose()
    assert again.upgrade is None and len(list(backups.iterdir())) == 1


def test_a_failed_backup_leaves_the_old_database_untouched(tmp_path):
    path = tmp_path / "doudi_desk.sqlite3"
    url = old_database(path)
    blocked = tmp_path / "backups"
    blocked.write_text("a file where the backup folder should be")
    with pytest.raises(DomainError) as refused:
        open_context(url, backup_folder=blocked)
    message = str(refused.value)
    assert "升级前的备份没有成功" in message and "没有改动" in message and OLD in message
    assert _revision(path) == OLD  # not migrated
    ok = open_context(url, backup_folder=tmp_path / "elsewhere")  # once the folder is usable, it goes through
    ok.db.dispose()
    assert _revision(path) == Database.head_revision()


def test_a_database_from_a_newer_program_is_refused_as_it_is(tmp_path):
    path = tmp_path / "doudi_desk.sqlite3"
    ctx = open_context(f"sqlite:///{path}", backup_folder=tmp_path / "backups")
    ctx.db.dispose()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '0999'")
    conn.commit()
    conn.close()
    with pytest.raises(DomainError, match="比本程序.*新"):
        open_context(f"sqlite:///{path}", backup_folder=tmp_path / "backups")
    assert _revision(path) == "0999" and not (tmp_path / "backups").exists()


def test_a_new_database_needs_no_backup(tmp_path):
    ctx = open_context(f"sqlite:///{tmp_path / 'new.sqlite3'}", backup_folder=tmp_path / "backups")
    ctx.db.dispose()
    assert ctx.upgrade is None and not (tmp_path / "backups").exists()
