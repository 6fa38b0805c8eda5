"""Backups that can be taken while the program runs, and restores that are checked row by row.

* SQLite: the online backup API copies the whole file under one read transaction (a consistent
  snapshot while other connections keep writing). The backup is a plain SQLite file any tool can
  open; it is checked (integrity, row counts, the audit chain's links and head) from the copy
  itself, and its manifest is computed from it whenever it is verified or restored.
* PostgreSQL: ``pg_dump --format=custom`` runs on a snapshot exported by a REPEATABLE READ
  transaction, and the manifest (row count and digest of every table, chain head) is computed in
  that same transaction, so the two describe exactly the same data. The backup file is a tar
  holding ``manifest.json`` and ``database.pgdump``.

A restore goes only into an empty database and is accepted only when every table's digest equals
the manifest's and the audit chain verifies. A SQLite backup can be restored into PostgreSQL too
(a one-PC office moving to the shared server): rows are copied table by table after both sides
are migrated to the same schema.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Integer, MetaData, Table, create_engine, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from ..domain.errors import StorageFault
from .chain import ChainWalk
from .db import Database, _sqlite_file
from .models import Base
from .repo import EventRepository
from .sqlite_copy import (
    MANIFEST_FORMAT,
    EarlyCopy,
    links_verdict,
    online_copy,
    part_of,
    quick_check,
    raw_census,
)

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
TAR_MEMBER_MANIFEST = "manifest.json"
TAR_MEMBER_DUMP = "database.pgdump"


class BackupError(StorageFault):
    """A backup or restore that cannot be done or did not verify; the message says why."""

    def __init__(self, message: str):
        super().__init__(message, "backup")


# ------------------------------------------------------------------------------------ manifests


def _canon(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return value


def _tables(conn: Connection) -> list[Table]:
    """The program's tables in dependency order, plus alembic_version (reflected)."""
    tables = list(Base.metadata.sorted_tables)
    if inspect(conn).has_table("alembic_version"):
        meta = MetaData()
        tables.append(Table("alembic_version", meta, autoload_with=conn))
    return tables


def _existing(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


Progress = Callable[[float, str], None]  # (fraction done 0…1, what is being done, in Chinese)


def _order_by(table: Table, chained: bool = True) -> list[Any]:
    """A total order every database gives alike: the chain's order for the audit trail (when it has
    its chain: not before migration 0004), else the primary key (all columns for a table without one)."""
    if table.name == "audit_events" and chained:
        return [table.c.chain_seq]
    return list(table.primary_key.columns) or list(table.columns)


def _row_text_sql(conn: Connection, table: Table, cols: list[Any], chained: bool) -> str:
    """A SELECT giving each row as one text made by the database itself (no Python per value)."""
    prep = conn.dialect.identifier_preparer
    names = ", ".join(prep.quote(c.name) for c in cols)
    order = ", ".join(prep.quote(c.name) for c in _order_by(table, chained))
    row = f"json_array({names})" if conn.dialect.name == "sqlite" else f"ROW({names})::text"
    extra = ", chain_seq, prev_hash, hash" if chained else ""
    return f"SELECT {row}{extra} FROM {prep.quote(table.name)} ORDER BY {order}"


def _stream_digest(conn: Connection, table: Table, cols: list[Any], links: ChainWalk | None,
                   portable: bool) -> tuple[int, str]:
    """Row count and SHA-256 of a table's rows, streamed in :func:`_order_by` order (constant memory).
    ``links``, for the audit trail, checks on the way that each event links to the one before."""
    digest = hashlib.sha256()
    count = 0
    if portable:
        stmt = select(*cols, *((table.c.chain_seq, table.c.prev_hash, table.c.hash) if links else ()))
        result = conn.execute(stmt.order_by(*_order_by(table, links is not None)).execution_options(yield_per=5000))
        width = len(cols)
        for part in result.partitions():
            lines = [json.dumps([_canon(v) for v in row[:width]], ensure_ascii=False, default=str) for row in part]
            digest.update(("\n".join(lines) + "\n").encode())
            count += len(part)
            if links is not None and links.problem is None:
                links.feed([tuple(row[width:]) for row in part])
        return count, digest.hexdigest()
    # stream_results: a server-side cursor on PostgreSQL (psycopg's ordinary cursor receives the whole
    # table before the first row is read); yield_per on the result: fetched and handed on ~4 MB a
    # batch (the execution option alone does not size a driver-SQL result's partitions: one partition
    # of the whole table)
    result = conn.exec_driver_sql(_row_text_sql(conn, table, cols, links is not None),
                                  execution_options={"stream_results": True}).yield_per(1000)
    for part in result.partitions():
        digest.update(("\n".join([row[0] for row in part]) + "\n").encode())
        count += len(part)
        if links is not None and links.problem is None:
            links.feed([tuple(row[1:]) for row in part])
    return count, digest.hexdigest()


def manifest(conn: Connection, *, portable: bool = False, progress: Progress | None = None,
             manifest_format: int = MANIFEST_FORMAT) -> dict[str, Any]:
    """Row count and digest of every table, the schema version and the audit chain's head, read in
    ``conn``'s transaction.

    Format 2 streams each table's rows in a fixed order (the chain's, or the primary key's) into one
    SHA-256, each row as text made by the database (SQLite ``json_array``, PostgreSQL ``ROW()::text``),
    so millions of rows cost neither Python work per value nor memory. The audit trail's rows enter
    as id, chain number and hashes (their content is what those hashes cover, and every restore
    walks the whole chain); on the way its links are checked (``chain_links``: each event numbered after the one before and pointing at
    its hash). ``portable`` digests canonical values instead (the same on SQLite and PostgreSQL: for
    a SQLite backup restored into PostgreSQL). Format 1 (old PostgreSQL backups) sorted per-row
    hashes in memory; it is computed only to check such a backup.
    """
    if manifest_format == 1:
        return _manifest_v1(conn)
    present = _existing(conn)
    tables: dict[str, Any] = {}
    links: ChainWalk | None = None
    wanted = [t for t in _tables(conn) if t.name in present]
    for i, table in enumerate(wanted):
        if progress:
            progress(i / len(wanted), f"核对数据表 {table.name}")
        have = {c["name"] for c in inspect(conn).get_columns(table.name)}
        cols = [c for c in table.columns if c.name in have]
        chained = table.name == "audit_events" and {"chain_seq", "prev_hash", "hash"} <= have
        if chained:
            # Each event's own SHA-256 covers its content (storage/chain.py), and a restore rehashes
            # the whole chain: the digest needs only each row's id, place in the chain and hashes.
            cols = [table.c.id, table.c.chain_seq, table.c.prev_hash, table.c.hash]
        walk = ChainWalk(links_only=True) if chained else None
        rows, sha = _stream_digest(conn, table, cols, walk, portable)
        tables[table.name] = {"rows": rows, "sha256": sha}
        if walk is not None:
            links = walk
    version = None
    if "alembic_version" in present:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    chain = None
    if "audit_chain" in present:
        row = conn.execute(text("SELECT last_seq, last_hash FROM audit_chain WHERE id = 1")).first()
        chain = {"seq": row[0], "hash": row[1]} if row else None
    result = {"format": MANIFEST_FORMAT, "dialect": conn.dialect.name, "portable": portable,
              "schema_version": version, "tables": tables, "chain": chain}
    if links is not None:
        result["chain_links"] = links_verdict(links, chain)
    if progress:
        progress(1.0, "核对完毕")
    return result


def census(path: Path, progress: Progress | None = None) -> dict[str, Any]:
    """What a new SQLite backup is checked for before it is kept (storage/sqlite_copy.py's
    :func:`raw_census`), its tables those of this program's schema in their order."""
    return ordered_census(raw_census(path, progress))


def ordered_census(raw: dict[str, Any]) -> dict[str, Any]:
    """A raw census with only the program's tables (and ``alembic_version``), in dependency order."""
    counted = raw["tables"]
    names = [t.name for t in Base.metadata.sorted_tables if t.name in counted]
    names += ["alembic_version"] if "alembic_version" in counted else []
    return {**raw, "tables": {name: counted[name] for name in names}}


def _manifest_v1(conn: Connection) -> dict[str, Any]:
    """Format 1: each table's digest hashes the sorted hashes of its rows (canonical values)."""
    present = _existing(conn)
    tables: dict[str, Any] = {}
    for table in _tables(conn):
        if table.name not in present:
            continue
        have = {c["name"] for c in inspect(conn).get_columns(table.name)}
        cols = [c for c in table.columns if c.name in have]
        hashes = []
        for row in conn.execute(select(*cols).execution_options(yield_per=2000)):
            line = json.dumps([_canon(v) for v in row], ensure_ascii=False, default=str)
            hashes.append(hashlib.sha256(line.encode()).digest())
        hashes.sort()
        tables[table.name] = {"rows": len(hashes), "sha256": hashlib.sha256(b"".join(hashes)).hexdigest()}
    version = None
    if "alembic_version" in present:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    chain = None
    if "audit_chain" in present:
        row = conn.execute(text("SELECT last_seq, last_hash FROM audit_chain WHERE id = 1")).first()
        chain = {"seq": row[0], "hash": row[1]} if row else None
    return {"format": 1, "dialect": conn.dialect.name, "schema_version": version, "tables": tables, "chain": chain}


def _verify_chain(engine: Engine) -> dict[str, Any] | None:
    with engine.connect() as conn:
        if "audit_chain" not in _existing(conn):
            return None  # a backup from before the chain existed (schema 0003 or older)
    with Session(engine) as session:
        return EventRepository(session).verify()


def compare(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Differences between two manifests, in Chinese (empty when equal)."""
    problems = []
    if expected.get("schema_version") != actual.get("schema_version"):
        problems.append(f"数据库结构版本不同：{expected.get('schema_version')} ≠ {actual.get('schema_version')}")
    for name, want in expected["tables"].items():
        got = actual["tables"].get(name)
        if got is None:
            problems.append(f"缺少数据表 {name}")
        elif got["rows"] != want["rows"]:
            problems.append(f"数据表 {name}：应有 {want['rows']} 行，实有 {got['rows']} 行")
        elif got["sha256"] != want["sha256"]:
            problems.append(f"数据表 {name}：行数相同但内容不同")
    if expected.get("chain") != actual.get("chain"):
        problems.append("审计记录链的链头不同")
    return problems


# -------------------------------------------------------------------------------------- helpers


def _fsync(path: Path) -> None:
    with open(path, "rb+") as f:
        os.fsync(f.fileno())
    if os.name == "posix":  # make the rename durable too
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _check_destination(dest: Path, overwrite: bool) -> None:
    if dest.exists() and not overwrite:
        raise BackupError(f"备份文件 {dest} 已存在；请换一个文件名")
    if not dest.parent.is_dir():
        raise BackupError(f"备份文件夹 {dest.parent} 不存在")


def kind_of(path: Path) -> str:
    """``sqlite`` or ``pgdump`` by the file's first bytes."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise BackupError(f"找不到备份文件 {path}") from None
    except OSError as exc:
        raise BackupError(f"无法读取备份文件 {path}：{exc}") from None
    if head == SQLITE_MAGIC:
        return "sqlite"
    if tarfile.is_tarfile(path):
        return "pgdump"
    raise BackupError(f"{path} 不是本程序的备份文件（既不是 SQLite 数据库，也不是 PostgreSQL 备份包）")


def is_empty(db: Database) -> bool:
    with db.engine.connect() as conn:
        return not inspect(conn).get_table_names()


# --------------------------------------------------------------------------------------- SQLite


def backup_sqlite(db: Database, dest: Path, *, overwrite: bool = False,
                  progress: Progress | None = None, early: EarlyCopy | None = None) -> dict[str, Any]:
    """Copy a live SQLite database to ``dest`` while others keep working, and check the copy.

    The copy is made on a connection of its own (never the program's), inside one read
    transaction (storage/sqlite_copy.py), or was started before the program loaded (``early``: used
    when it is of this database to this file). The copy (a .part file until it is kept) must pass
    ``PRAGMA quick_check``; its :func:`census` (row counts, schema version, chain head) is read from it
    by SQLite's own driver and the audit trail's links and head are checked on the way. Rehashing
    every event is left to ``audit verify``, ``verify-backup`` and restoring, which walk the whole chain.
    """
    _check_destination(dest, overwrite)
    source = _sqlite_file(db.url)
    if source is None:
        raise BackupError("内存数据库无法备份")
    report = progress or (lambda _f, _t: None)
    report(0.0, "复制数据库")
    if early is not None and early.serves(source, dest):
        part = early.part
        try:
            early.wait_copied()
        except sqlite3.Error as exc:
            part.unlink(missing_ok=True)
            raise BackupError(f"备份失败：{exc}") from None
        checker = threading.Thread(target=early.wait_checked, name="backup-check")
        checked = early
    else:
        part = part_of(dest)
        part.unlink(missing_ok=True)
        _copy(source, part, report)
        verdict = _Verdict()
        checker = threading.Thread(target=lambda: setattr(verdict, "checked", quick_check(part)),
                                   name="backup-check")
        checked = verdict
    # The integrity check (SQLite's C code, on a connection of its own) runs beside the census:
    # on two cores the two overlap.
    report(0.5, "检查副本完整性")
    checker.start()
    try:
        if checked is early:  # counted by the early copy's thread while the program loaded
            result = ordered_census(early.wait_census())
        else:
            result = census(part, progress=lambda f, t: report(0.55 + 0.45 * f, t))
    except Exception:
        checker.join()
        part.unlink(missing_ok=True)
        if checked.checked not in (None, "ok"):
            raise BackupError(f"备份副本完整性检查未通过：{checked.checked}") from None
        raise
    checker.join()
    if checked.checked != "ok":
        part.unlink(missing_ok=True)
        raise BackupError(f"备份副本完整性检查未通过：{checked.checked or '未能完成检查'}")
    links = result.get("chain_links")
    if links is not None and not links["ok"]:
        part.unlink(missing_ok=True)
        where = links["problem"]["chain_seq"]
        raise BackupError(f"数据库中的审计记录链已断开（{'第 ' + str(where) + ' 号记录' if where else '链头'}），"
                          "未保留备份；请管理员运行 doudi-admin audit verify 查明")
    result["chain_checked"] = "links"  # links and head; "hashes" where every event was rehashed
    _fsync(part)
    os.replace(part, dest)
    report(1.0, "备份完成")
    return result


class _Verdict:
    checked: str | None = None


def _copy(source: Path, part: Path, report: Progress) -> None:
    try:
        online_copy(source, part, report)
    except sqlite3.Error as exc:
        part.unlink(missing_ok=True)
        if not source.exists():
            raise BackupError(f"无法打开数据库 {source}：{exc}") from None
        raise BackupError(f"备份失败：{exc}") from None
    except BaseException:  # stopped from the progress callback (the window is closing)
        part.unlink(missing_ok=True)
        raise


def _readonly_engine(path: Path) -> Engine:
    return create_engine("sqlite://", creator=lambda: sqlite3.connect(f"file:{path}?mode=ro", uri=True,
                                                                      check_same_thread=False),
                         json_deserializer=json.loads, poolclass=NullPool)


def inspect_sqlite(path: Path) -> dict[str, Any]:
    """Check a SQLite backup (integrity, audit chain) and return its manifest."""
    try:
        probe = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = probe.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            probe.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{path} 无法读取或已损坏：{exc}") from None
    if ok != "ok":
        raise BackupError(f"{path} 完整性检查未通过：{ok}")
    engine = _readonly_engine(path)
    try:
        with engine.connect() as conn:
            result = manifest(conn)
        chain = _verify_chain(engine)
    finally:
        engine.dispose()
    if result["schema_version"] is None:
        raise BackupError(f"{path} 不是本程序的数据库（没有数据库结构版本）")
    if chain is not None and not chain["ok"]:
        raise BackupError(f"{path} 中的审计记录链已断开（{chain['problem']}），请改用更早的备份")
    result["chain_verified"] = chain is not None
    result["chain_checked"] = "hashes" if chain is not None else None
    return result


def restore_sqlite_file(source: Path, db: Database) -> dict[str, Any]:
    """Restore a SQLite backup into an empty SQLite database and check it against the backup."""
    expected = inspect_sqlite(source)
    path = _sqlite_file(db.url)
    if path is None:
        raise BackupError("恢复目标须是 SQLite 数据库文件或 PostgreSQL 数据库")
    if not is_empty(db):
        raise BackupError(f"目标数据库 {path} 不是空的；只能恢复到新的空数据库，以免覆盖现有数据")
    db.dispose()
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(path)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            dst.close()
    finally:
        src.close()
    return _check_restored(db, expected)


def _check_restored(db: Database, expected: dict[str, Any]) -> dict[str, Any]:
    with db.engine.connect() as conn:  # digested the way the backup's manifest was
        actual = manifest(conn, portable=bool(expected.get("portable")),
                          manifest_format=expected.get("format", MANIFEST_FORMAT))
    problems = compare(expected, actual)
    chain = _verify_chain(db.engine)
    if chain is not None and not chain["ok"]:
        problems.append(f"审计记录链校验未通过：{chain['problem']}")
    if problems:
        _wipe(db)  # the target was empty before; leave it so, never half-right
        raise BackupError("恢复后的数据与备份不一致，已撤销本次恢复：" + "；".join(problems))
    return actual | {"chain_verified": chain is not None}


def _wipe(db: Database) -> None:
    """Empty a database this module has just restored into (it was empty before)."""
    db.dispose()
    path = _sqlite_file(db.url)
    if path is not None:
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        return
    with db.engine.begin() as conn:
        for name in inspect(conn).get_table_names():
            conn.execute(text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))
        conn.execute(text("DROP FUNCTION IF EXISTS audit_events_append_only() CASCADE"))
    db.dispose()


# ----------------------------------------------------------------------------------- PostgreSQL


def _pg_tool(name: str) -> str:
    folder = os.environ.get("DOUDI_PG_BIN")
    if folder:
        candidate = Path(folder) / name
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"找不到 PostgreSQL 工具 {name}；请安装 PostgreSQL 客户端（Debian：postgresql-client），"
                          "或用环境变量 DOUDI_PG_BIN 指明其所在文件夹")
    return found


def _pg_env(db: Database) -> dict[str, str]:
    url = db.url
    env = dict(os.environ)
    for key, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                       ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[key] = str(value)
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if option in url.query:
            env[variable] = str(url.query[option])
    return env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    try:
        proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=3600)
    except OSError as exc:
        raise BackupError(f"无法运行 {args[0]}：{exc}") from None
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise BackupError(f"{what}失败：{detail[-1] if detail else proc.returncode}")


def backup_postgres(db: Database, dest: Path, *, overwrite: bool = False) -> dict[str, Any]:
    """pg_dump on an exported snapshot, with the manifest read from the same snapshot."""
    _check_destination(dest, overwrite)
    pg_dump = _pg_tool("pg_dump")
    part = part_of(dest)
    part.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="doudi-backup-") as tmp:
        dump = Path(tmp) / TAR_MEMBER_DUMP
        with db.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                result = manifest(conn)
                # The exporting transaction stays open while pg_dump reads its snapshot.
                _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                      f"--file={dump}"], _pg_env(db), "pg_dump 备份")
        result["created_at"] = dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")
        data = json.dumps(result, ensure_ascii=False, indent=1).encode()
        with tarfile.open(part, "w") as tar:
            info = tarfile.TarInfo(TAR_MEMBER_MANIFEST)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname=TAR_MEMBER_DUMP)
    _fsync(part)
    os.replace(part, dest)
    return result


@contextmanager
def _unpacked(source: Path) -> Iterator[tuple[dict[str, Any], Path]]:
    with tempfile.TemporaryDirectory(prefix="doudi-restore-") as tmp:
        try:
            with tarfile.open(source) as tar:
                names = set(tar.getnames())
                if names != {TAR_MEMBER_MANIFEST, TAR_MEMBER_DUMP}:
                    raise BackupError(f"{source} 不是本程序的 PostgreSQL 备份包")
                for name in names:  # extract by name only: no paths from the archive are trusted
                    member = tar.extractfile(name)
                    assert member is not None
                    with open(Path(tmp) / name, "wb") as out:
                        shutil.copyfileobj(member, out)
        except (tarfile.TarError, OSError) as exc:
            raise BackupError(f"无法读取备份包 {source}：{exc}") from None
        try:
            meta = json.loads((Path(tmp) / TAR_MEMBER_MANIFEST).read_text(encoding="utf-8"))
        except ValueError as exc:
            raise BackupError(f"备份包 {source} 的说明文件已损坏：{exc}") from None
        if meta.get("format") not in (1, MANIFEST_FORMAT):
            raise BackupError(f"备份包 {source} 的格式版本 {meta.get('format')} 不受支持")
        yield meta, Path(tmp) / TAR_MEMBER_DUMP


def inspect_pgdump(source: Path) -> dict[str, Any]:
    """Read a PostgreSQL backup's manifest and let pg_restore list the dump (it must be readable)."""
    with _unpacked(source) as (meta, dump):
        _run([_pg_tool("pg_restore"), "--list", str(dump)], dict(os.environ), "读取备份")
        return meta


def restore_pgdump(source: Path, db: Database) -> dict[str, Any]:
    """pg_restore into an empty PostgreSQL database in one transaction, then check the manifest."""
    if db.is_sqlite:
        raise BackupError("PostgreSQL 备份只能恢复到 PostgreSQL 数据库")
    if not is_empty(db):
        raise BackupError(f"目标数据库 {db.url.database} 不是空的；只能恢复到新的空数据库，以免覆盖现有数据")
    with _unpacked(source) as (expected, dump):
        _run([_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              f"--dbname={db.url.database}", str(dump)], _pg_env(db), "pg_restore 恢复")
    db.dispose()
    return _check_restored(db, expected)


# ----------------------------------------------------------------- SQLite file into PostgreSQL


def restore_sqlite_into_postgres(source: Path, db: Database) -> dict[str, Any]:
    """Copy a SQLite backup into an empty PostgreSQL database (a one-PC office moving to the server).

    The backup is first migrated to this program's schema in a temporary copy; the target gets the
    same schema from the same migrations; rows are copied in dependency order and the id
    sequences moved past the copied ids. Accepted only if every table's digest matches.
    """
    inspect_sqlite(source)
    if not is_empty(db):
        raise BackupError(f"目标数据库 {db.url.database} 不是空的；只能恢复到新的空数据库，以免覆盖现有数据")
    with tempfile.TemporaryDirectory(prefix="doudi-restore-") as tmp:
        copy = Path(tmp) / "source.sqlite3"
        shutil.copyfile(source, copy)
        src = Database(f"sqlite:///{copy}")
        try:
            src.migrate()
            with src.engine.connect() as conn:  # canonical values: SQLite and PostgreSQL compared
                expected = manifest(conn, portable=True)
            db.migrate()
            with src.engine.connect() as sconn, db.engine.begin() as tconn:
                _copy_rows(sconn, tconn)
        finally:
            src.dispose()
    expected["dialect"] = "postgresql"
    return _check_restored(db, expected)


def _copy_rows(source: Connection, target: Connection) -> None:
    # The migrations wrote the chain head; the copy brings the source's.
    target.execute(text("DELETE FROM audit_chain"))
    for table in Base.metadata.sorted_tables:
        rows = [dict(r._mapping) for r in source.execute(select(table))]
        rows = _parents_first(table, rows)
        for start in range(0, len(rows), 2000):
            target.execute(table.insert(), rows[start:start + 2000])
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and isinstance(pk[0].type, Integer):
            name = pk[0].name
            target.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{name}'), "
                f"GREATEST((SELECT COALESCE(MAX({name}), 0) FROM {table.name}), 1), "
                f"(SELECT COUNT(*) > 0 FROM {table.name}))"))


def _parents_first(table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of a table that refers to itself (areas → parent, cases → parent case), parents first."""
    own = [fk for fk in table.foreign_keys if fk.column.table is table]
    if not own:
        return rows
    fk = own[0]
    key, ref = fk.parent.name, fk.column.name
    placed: set[Any] = set()
    ordered: list[dict[str, Any]] = []
    pending = rows
    while pending:
        later = [r for r in pending if r[key] is not None and r[key] not in placed]
        ready = [r for r in pending if not (r[key] is not None and r[key] not in placed)]
        if not ready:
            raise BackupError(f"数据表 {table.name} 中有循环引用，无法复制")
        ordered.extend(ready)
        placed.update(r[ref] for r in ready)
        pending = later
    return ordered


# ------------------------------------------------------------------------------------- dispatch


def backup(db: Database, dest: Path, *, overwrite: bool = False, progress: Progress | None = None,
           early: EarlyCopy | None = None) -> dict[str, Any]:
    """Back ``db`` up to ``dest`` (SQLite: ``early``, a copy already under way, is used if it is of
    this database to this file)."""
    if db.is_sqlite:
        if _sqlite_file(db.url) is None:
            raise BackupError("内存数据库无法备份")
        return backup_sqlite(db, dest, overwrite=overwrite, progress=progress, early=early)
    if db.url.get_backend_name() == "postgresql":
        return backup_postgres(db, dest, overwrite=overwrite)
    raise BackupError(f"不支持备份 {db.url.get_backend_name()} 数据库")


def inspect_backup(source: Path) -> dict[str, Any]:
    kind = kind_of(source)
    return (inspect_sqlite(source) if kind == "sqlite" else inspect_pgdump(source)) | {"kind": kind}


def restore(source: Path, db: Database) -> dict[str, Any]:
    kind = kind_of(source)
    if kind == "sqlite":
        if db.is_sqlite:
            return restore_sqlite_file(source, db)
        if db.url.get_backend_name() == "postgresql":
            return restore_sqlite_into_postgres(source, db)
        raise BackupError(f"不支持恢复到 {db.url.get_backend_name()} 数据库")
    return restore_pgdump(source, db)


__all__ = ["BackupError", "backup", "compare", "inspect_backup", "kind_of", "manifest", "restore"]
