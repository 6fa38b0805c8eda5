"""Backups while the program works, restores that are checked row by row, the daily backup."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest

from doudi_desk.domain.errors import DomainError
from doudi_desk.services.audit import AuditService
from doudi_desk.services.backup import BackupService, inspect_backup, restore
from doudi_desk.services.cases import CaseService
from doudi_desk.storage import backup as storage_backup
from doudi_desk.storage.db import Database
from tests.helpers.dibao import POSTING, day, to_posting
from tests.helpers.office import dump_db, without_events_after
from tests.helpers.tamper import work


def test_round_trip_is_equal_row_by_row(office, tmp_path):
    work(office)
    before = dump_db(office.db_path)
    result = BackupService(office).backup(tmp_path / "office.bak")
    assert result["rows"]["cases"] == 2 and result["chain_checked"] == "links"
    # The storage layer's restore alone: the restored database is the backup, every row equal.
    target = tmp_path / "restored.sqlite3"
    db = Database(f"sqlite:///{target}")
    storage_backup.restore(tmp_path / "office.bak", db)
    db.dispose()
    assert dump_db(target) == before
    # Through the service: the same, plus one office event saying it was restored.
    service_target = tmp_path / "restored2.sqlite3"
    summary = restore(f"sqlite:///{service_target}", tmp_path / "office.bak")
    restored = dump_db(service_target)
    last = summary["chain"]["seq"]
    assert without_events_after(restored, last) == without_events_after(before, last)
    assert [r[4] for r in restored["audit_events"] if r[-3] > last] == ["restored"]  # 'trigger' column


def test_backup_while_another_connection_keeps_writing(office, tmp_path):
    svc = CaseService(office)
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer():  # another PC logging in again and again: each one a write to the audit chain
        from doudi_desk.services.accounts import AccountService
        from doudi_desk.services.context import open_context

        other = open_context(f"sqlite:///{office.db_path}")
        other.today, other.now = office.today, office.now
        try:
            while not stop.is_set():
                AccountService(other).log_in("clerk")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            other.db.dispose()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        to_posting(svc)
        backups = [BackupService(office).backup(tmp_path / f"live-{i}.bak") for i in range(5)]
    finally:
        stop.set()
        thread.join()
    assert not errors, errors
    for i, result in enumerate(backups):
        assert inspect_backup(tmp_path / f"live-{i}.bak")["chain"] == result["chain"]
        summary = restore(f"sqlite:///{tmp_path / f'r{i}.sqlite3'}", tmp_path / f"live-{i}.bak")
        assert summary["rows"] == result["rows"] and summary["chain"] == result["chain"]


def test_restore_only_into_an_empty_database(office, tmp_path):
    work(office)
    BackupService(office).backup(tmp_path / "office.bak")
    before = dump_db(office.db_path)
    with pytest.raises(DomainError, match="不是空的"):
        restore(f"sqlite:///{office.db_path}", tmp_path / "office.bak")
    assert dump_db(office.db_path) == before


def test_damaged_or_foreign_files_are_refused(office, tmp_path):
    work(office)
    BackupService(office).backup(tmp_path / "office.bak")
    data = bytearray((tmp_path / "office.bak").read_bytes())
    data[len(data) // 2: len(data) // 2 + 4096] = b"\xff" * 4096
    (tmp_path / "damaged.bak").write_bytes(bytes(data))
    (tmp_path / "text.bak").write_text("not a backup", encoding="utf-8")
    for name, message in (("damaged.bak", "完整性|损坏|审计记录链|无法读取"), ("text.bak", "不是本程序的备份文件"),
                          ("missing.bak", "找不到")):
        target = tmp_path / f"from-{name}.sqlite3"
        with pytest.raises(DomainError, match=message):
            restore(f"sqlite:///{target}", tmp_path / name)


def test_a_backup_with_a_broken_chain_is_refused(office, tmp_path):
    import sqlite3

    work(office)
    BackupService(office).backup(tmp_path / "office.bak")
    con = sqlite3.connect(tmp_path / "office.bak")
    con.execute("DROP TRIGGER audit_events_no_update")
    con.execute("UPDATE audit_events SET comment = '改过' WHERE chain_seq = 3")
    con.commit()
    con.close()
    with pytest.raises(DomainError, match="审计记录链已断开"):
        restore(f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path / "office.bak")


def test_backup_refuses_to_overwrite_and_needs_an_admin(office, tmp_path):
    BackupService(office).backup(tmp_path / "a.bak", actor="admin")
    with pytest.raises(DomainError, match="已存在"):
        BackupService(office).backup(tmp_path / "a.bak")
    BackupService(office).backup(tmp_path / "a.bak", overwrite=True)
    with pytest.raises(DomainError, match="无权备份"):
        BackupService(office).backup(tmp_path / "b.bak", actor="clerk")
    assert not (tmp_path / "b.bak").exists()
    log = AuditService(office).office_log(actions=["backup"])
    assert [e["actor"] for e in log] == ["system", "admin"]


def test_daily_backup_once_a_day_kept_n_days(office, tmp_path):
    folder = tmp_path / "backups"
    service = BackupService(office)
    days = [dt.date(2026, 11, 1) + dt.timedelta(days=i) for i in range(10)]
    made = [service.daily(folder, keep_days=7, today=d) for d in days]
    assert all(m is not None for m in made)
    assert service.daily(folder, keep_days=7, today=days[-1]) is None  # already done today
    kept = sorted(p.name for p in folder.iterdir())
    assert kept == [f"office-{d.isoformat()}.sqlite3" for d in days[-7:]]
    (folder / "other-2026-01-01.sqlite3").write_bytes(b"")  # another database's backups are left alone
    service.daily(folder, keep_days=7, today=days[-1] + dt.timedelta(days=1))
    assert (folder / "other-2026-01-01.sqlite3").exists()
    restore(f"sqlite:///{tmp_path / 'from-daily.sqlite3'}", folder / kept[-1])


def test_cli_backup_verify_and_restore(office, tmp_path, capsys):
    from doudi_desk.cli import main

    work(office)
    url = f"sqlite:///{office.db_path}"
    assert main(["--db", url, "backup", str(tmp_path / "cli.bak")]) == 0
    assert "已备份到" in capsys.readouterr().out
    assert main(["verify-backup", str(tmp_path / "cli.bak")]) == 0
    assert "可以恢复" in capsys.readouterr().out
    assert main(["--db", f"sqlite:///{tmp_path / 'cli.sqlite3'}", "restore", str(tmp_path / "cli.bak")]) == 0
    assert "都与备份一致" in capsys.readouterr().out
    assert main(["--db", url, "restore", str(tmp_path / "cli.bak")]) == 2
    assert "不是空的" in capsys.readouterr().err


def test_restored_database_keeps_working(office, tmp_path):
    work(office)
    BackupService(office).backup(tmp_path / "office.bak")
    url = f"sqlite:///{tmp_path / 'again.sqlite3'}"
    restore(url, tmp_path / "office.bak")
    from doudi_desk.services.context import open_context

    ctx = open_context(url)
    ctx.today, ctx.now = office.today, office.now
    try:
        view = CaseService(ctx).advance(1, "submit_to_county", "reviewer", data=POSTING, effective_date=day(12))
        assert view["state"] == "county_review" and AuditService(ctx).verify()["ok"]
    finally:
        ctx.db.dispose()


def test_manifest_digests_do_not_depend_on_row_order(office, tmp_path):
    work(office)
    with office.db.engine.connect() as conn:
        first = storage_backup.manifest(conn)
    BackupService(office).backup(tmp_path / "x.bak")
    assert inspect_backup(Path(tmp_path / "x.bak"))["tables"]["cases"] == first["tables"]["cases"]


def test_a_restore_that_does_not_verify_is_undone(office, tmp_path, monkeypatch):
    work(office)
    BackupService(office).backup(tmp_path / "office.bak")
    monkeypatch.setattr(storage_backup, "compare", lambda expected, actual: ["数据表 cases：行数相同但内容不同"])
    target = tmp_path / "undone.sqlite3"
    with pytest.raises(DomainError, match="已撤销本次恢复"):
        restore(f"sqlite:///{target}", tmp_path / "office.bak")
    assert not target.exists()


def test_backup_streams_with_progress_and_refuses_broken_links(office, tmp_path):
    import sqlite3

    work(office)
    seen: list[tuple[float, str]] = []
    result = BackupService(office).backup(tmp_path / "ok.bak", progress=lambda f, t: seen.append((f, t)))
    fractions = [f for f, _t in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert {"复制数据库", "检查副本完整性", "备份完成"} <= {t for _f, t in seen}
    assert result["chain"]["seq"] > 0
    # Someone relinks an event behind the program's back: the next backup refuses and keeps no file.
    con = sqlite3.connect(office.db_path)
    con.execute("DROP TRIGGER audit_events_no_update")
    con.execute("UPDATE audit_events SET prev_hash = ? WHERE chain_seq = 3", ("0" * 64,))
    con.commit()
    con.close()
    with pytest.raises(DomainError, match="审计记录链已断开（第 3 号记录）"):
        BackupService(office).backup(tmp_path / "broken.bak")
    assert not (tmp_path / "broken.bak").exists() and not (tmp_path / "broken.bak.part").exists()


def test_manifest_streams_in_a_fixed_order_and_checks_the_links(office):
    work(office)
    with office.db.engine.connect() as conn:
        first = storage_backup.manifest(conn)
        again = storage_backup.manifest(conn)
        portable = storage_backup.manifest(conn, portable=True)
        old = storage_backup.manifest(conn, manifest_format=1)
    assert first == again and first["format"] == 2 and not first["portable"]
    assert first["chain_links"] == {"ok": True, "events": first["chain"]["seq"], "problem": None}
    assert portable["tables"]["cases"]["rows"] == first["tables"]["cases"]["rows"]
    assert portable["tables"]["cases"]["sha256"] != first["tables"]["cases"]["sha256"]
    assert old["format"] == 1 and old["tables"]["cases"]["rows"] == first["tables"]["cases"]["rows"]


@pytest.mark.parametrize(("change", "problem", "events"), [
    (None, None, "all"),
    ("UPDATE audit_events SET prev_hash = 'f' WHERE chain_seq = 4", {"kind": "relinked", "chain_seq": 4}, 3),
    ("DELETE FROM audit_events WHERE chain_seq = 4", {"kind": "missing", "chain_seq": 4}, 3),
    ("UPDATE audit_events SET prev_hash = 'f' WHERE chain_seq = 1", {"kind": "relinked", "chain_seq": 1}, 0),
    ("UPDATE audit_events SET chain_seq = 0 WHERE chain_seq = 1", {"kind": "missing", "chain_seq": 1}, 0),
    ("UPDATE audit_events SET hash = 'f' WHERE chain_seq = (SELECT MAX(chain_seq) FROM audit_events)",
     {"kind": "head", "chain_seq": "last"}, "all"),
])
def test_a_backups_census_finds_the_first_broken_link_as_the_walk_does(office, tmp_path, change, problem, events):
    """The census checks the links in SQL and walks the chain only to name the first problem: the
    verdict is the walk's, for an intact chain and for each way a link can break."""
    import sqlite3

    work(office)
    copy = tmp_path / "copy.sqlite3"
    with sqlite3.connect(office.db_path) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    con = sqlite3.connect(copy)
    last = con.execute("SELECT MAX(chain_seq) FROM audit_events").fetchone()[0]
    if change:
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            con.execute(f'DROP TRIGGER "{name}"')
        con.execute(change)
        con.commit()
    con.close()
    links = storage_backup.census(copy)["chain_links"]
    expected = None if problem is None else {**problem, "chain_seq": last if problem["chain_seq"] == "last"
                                             else problem["chain_seq"]}
    assert links == {"ok": problem is None, "events": last if events == "all" else events, "problem": expected}


def _no_second_copy(monkeypatch) -> list[Path]:
    """Record every copy the backup itself makes (an early copy is made by storage/sqlite_copy)."""
    made: list[Path] = []
    real = storage_backup.online_copy

    def copy(source, part, report):
        made.append(part)
        real(source, part, report)

    monkeypatch.setattr(storage_backup, "online_copy", copy)
    return made


def test_doudi_admin_backup_keeps_the_copy_it_started_before_the_program_loaded(office, tmp_path, monkeypatch, capsys):
    import sqlite3

    from doudi_desk.cli import main
    from doudi_desk.services.early_backup import start_early_copy

    work(office)
    made = _no_second_copy(monkeypatch)
    url = f"sqlite:///{office.db_path}"
    assert main(["--db", url, "backup", str(tmp_path / "cli.bak")]) == 0
    assert made == [] and (tmp_path / "cli.bak").exists() and list(tmp_path.glob("cli.bak.*")) == []
    assert inspect_backup(tmp_path / "cli.bak")["chain"]["seq"] > 0 and "已备份到" in capsys.readouterr().out

    # A copy of another database, or one made before the database was upgraded, is not kept.
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(office.db_path) as src, sqlite3.connect(other) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
    for source_url, upgraded in ((f"sqlite:///{other}", False), (url, True)):
        early = start_early_copy(source_url, tmp_path / "again.bak", overwrite=True)
        assert early is not None
        office.upgrade = object() if upgraded else None
        try:
            BackupService(office).backup(tmp_path / "again.bak", overwrite=True, early=early)
        finally:
            early.discard()
            office.upgrade = None
        assert made[-1] == tmp_path / "again.bak.part" and list(tmp_path.glob("again.bak.*")) == []
    assert len(made) == 2


def test_an_early_copy_refused_or_useless_leaves_no_file(office, tmp_path, monkeypatch):
    from doudi_desk.cli import main
    from doudi_desk.services.early_backup import start_early_copy

    work(office)
    url = f"sqlite:///{office.db_path}"
    monkeypatch.setenv("DOUDI_PASSWORD", "Qingshan-2026")
    assert main(["--db", url, "backup", str(tmp_path / "x.bak"), "--as", "clerk"]) == 2  # not an administrator
    assert list(tmp_path.glob("x.bak*")) == []
    (tmp_path / "kept.bak").write_text("an older backup")
    assert start_early_copy(url, tmp_path / "kept.bak", overwrite=False) is None  # the backup refuses it itself
    assert main(["--db", url, "backup", str(tmp_path / "kept.bak")]) == 2
    assert (tmp_path / "kept.bak").read_text() == "an older backup" and list(tmp_path.glob("kept.bak.*")) == []
    for other in ("postgresql+psycopg://u@h/db", "sqlite://", f"sqlite:///{office.db_path}?mode=ro"):
        assert start_early_copy(other, tmp_path / "y.bak", overwrite=False) is None


def test_doudi_admin_starts_a_backup_before_loading_sqlalchemy_and_never_loads_qt_or_printing(office, tmp_path):
    """The parser and the early copy need neither SQLAlchemy nor the models; the backup as a whole
    loads no Qt, no ReportLab, no Excel writer, no templates."""
    import os
    import subprocess
    import sys

    url = f"sqlite:///{office.db_path}"
    code = (
        "import sys\n"
        "from doudi_desk.cli import build_parser, main\n"
        "from doudi_desk.services.early_backup import start_early_copy\n"
        "build_parser()\n"
        "early = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'PySide6', 'reportlab'))\n"
        f"code = main(['--db', {url!r}, 'backup', {str(tmp_path / 'sub.bak')!r}])\n"
        "late = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'reportlab', 'openpyxl', 'xlsxwriter',"
        " 'jinja2', 'python_calamine') or m.startswith(('doudi_desk.printing', 'doudi_desk.ui')))\n"
        "print(code, early, late)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "0 [] []" and (tmp_path / "sub.bak").exists()


def test_doudi_admin_as_installed_closes_the_database_before_it_ends(office, tmp_path):
    """``run`` (the installed entry point) leaves the objects it loaded to the end of the process,
    uncollected: the command's database is closed first, so no -wal or -shm file stays behind."""
    import subprocess
    import sys

    work(office)
    office.db.dispose()  # this process keeps no connection open: the command's is the last one
    dest = tmp_path / "run.bak"
    out = subprocess.run([sys.executable, "-c", "from doudi_desk.cli import run; run()",
                          "--db", f"sqlite:///{office.db_path}", "backup", str(dest)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "已备份到" in out.stdout, out.stderr
    assert inspect_backup(dest)["chain"]["seq"] > 0
    assert sorted(p.name for p in office.db_path.parent.iterdir() if p.name.startswith(office.db_path.name)) \
        == [office.db_path.name]
