"""Bringing a database up to this program's schema, with a backup first.

A newer version installed over an older one finds the database at an older schema revision. Before
the first migration touches it, the database is copied with the backup the program already has
(``storage.backup.backup``, the one ``doudi-admin backup`` and the daily backup use: written beside,
checked — integrity and audit chain — then kept) into the backup folder, named
``doudi_desk-升级前备份-<old revision>-<time>.sqlite3`` (never pruned by the daily backups). Only then
are the migrations applied; if the backup cannot be made, nothing is migrated and the message says
why. A database written by a *newer* program (a revision this one does not know) is refused as it
is. The backup and the upgrade are recorded as office events once the schema is current.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..domain.errors import DomainError
from ..paths import user_folders
from ..storage.backup import BackupError
from ..storage.backup import backup as backup_database
from ..storage.db import Database, sqlite_file

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Upgrade:
    """What :func:`migrate_with_backup` did to a database that was behind."""

    from_revision: str
    to_revision: str
    backup: Path


def _backup_name(db: Database, revision: str, when: dt.datetime) -> str:
    source = sqlite_file(db.url)
    stem = source.stem if source is not None else (db.url.database or "database")
    suffix = ".sqlite3" if db.is_sqlite else ".tar"
    return f"{stem}-升级前备份-{revision}-{when:%Y%m%d-%H%M%S}{suffix}"


def migrate_with_backup(db: Database, *, backup_folder: Path | None = None,
                        now: Callable[[], dt.datetime] = dt.datetime.now) -> Upgrade | None:
    """Migrate ``db`` to head; back it up first when it holds an older schema. Returns what was done
    to an existing database (None for a new or an up-to-date one).

    Raises:
        DomainError: the database is newer than this program, or the backup failed (not migrated).
    """
    current, head = db.revision(), Database.head_revision()
    if current == head:
        return None
    if current is None:  # a new database: nothing to keep
        db.migrate()
        return None
    if current not in Database.known_revisions():
        raise DomainError(
            f"数据库的结构版本是 {current}，比本程序（最高 {head}）新：它由更新版本的兜底 Desk 使用过。"
            "请安装最新版本后再打开；数据库没有改动。")
    folder = backup_folder or user_folders().backups
    when = now().replace(microsecond=0)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / _backup_name(db, current, when)
        backup_database(db, target)
    except (BackupError, OSError) as exc:
        reason = exc.message if isinstance(exc, DomainError) else (exc.strerror or str(exc))
        raise DomainError(
            f"数据库需要从结构版本 {current} 升级到 {head}，升级前的备份没有成功：{reason}。"
            f"数据库没有改动；请检查备份文件夹 {folder} 后重新启动程序。") from exc
    log.info("backed up %s to %s before migrating %s -> %s", db.url.render_as_string(hide_password=True),
             target, current, head)
    db.migrate()
    db.optimize(analyze=True)  # migrations rebuild tables and add indexes: fresh planner statistics
    with db.unit_of_work() as uow:
        uow.events.append_office("system", "backup", when, subject=target.name,
                                 comment=f"升级前自动备份到 {target}",
                                 data={"file": str(target), "from_revision": current, "to_revision": head})
        uow.events.append_office("system", "upgraded", now().replace(microsecond=0), subject=head,
                                 comment=f"数据库结构从 {current} 升级到 {head}（升级前备份：{target.name}）",
                                 data={"from_revision": current, "to_revision": head, "backup": str(target)})
    log.info("database migrated %s -> %s", current, head)
    return Upgrade(current, head, target)
