"""Backups: on demand (``doudi-admin backup FILE``), daily and automatic for the SQLite file, and
restore into an empty database with a row-by-row check (storage/backup.py does the work).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..domain.errors import DomainError
from ..paths import user_folders
from ..storage.backup import BackupError, inspect_backup
from ..storage.backup import backup as _backup
from ..storage.backup import restore as _restore
from ..storage.db import Database, default_url, sqlite_file
from ..storage.sqlite_copy import EarlyCopy
from .context import AppContext

log = logging.getLogger(__name__)

KEEP_DAYS = 30  # default; the setting ``backup_keep_days`` overrides it
_DAILY = re.compile(r"^(?P<stem>.+)-(?P<day>\d{4}-\d{2}-\d{2})\.sqlite3$")

__all__ = ["BackupError", "BackupService", "default_backup_folder", "inspect_backup", "restore"]


def default_backup_folder() -> Path:
    return user_folders().backups


def _summary(result: dict[str, Any]) -> dict[str, Any]:
    """``chain_checked``: ``links`` (a new backup: every event links to the one before, the head
    matches) or ``hashes`` (every event rehashed: verify-backup, restore); None without a chain."""
    return {"schema_version": result.get("schema_version"),
            "rows": {name: t["rows"] for name, t in result["tables"].items()},
            "chain": result.get("chain"), "chain_verified": result.get("chain_verified", True),
            "chain_checked": result.get("chain_checked")}


class BackupService:
    """Backups of the open database; restoring goes through :func:`restore` (no context: the
    target database must still be empty, so nothing may have opened and migrated it)."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        self._own: Database | None = None

    @classmethod
    def on_own_connection(cls, ctx: AppContext) -> BackupService:
        """A service with a database engine of its own, for a background thread that must never
        share (or wait for) the window's connections; :meth:`close` it when done."""
        own = Database(ctx.db.url.render_as_string(hide_password=False))
        service = cls(dataclasses.replace(ctx, db=own))
        service._own = own
        return service

    def close(self) -> None:
        if self._own is not None:
            self._own.dispose()

    def _may_back_up(self, uow, actor: str | None) -> str:
        if actor is None:
            return "system"
        user = uow.users.get(actor)
        if user is None or not user.active or "admin" not in user.roles:
            raise DomainError(f"用户「{actor}」无权备份数据库，须由系统管理员操作")
        return actor

    def backup(self, dest: str | Path, *, actor: str | None = None, overwrite: bool = False,
               progress: Callable[[float, str], None] | None = None, early: EarlyCopy | None = None) -> dict[str, Any]:
        """Back the database up to ``dest`` while the program keeps running; the copy is checked
        (integrity, the audit chain's links and head, every table's digest streamed into the
        manifest) before it is kept. Recorded as an office event. ``progress(fraction, text)`` is
        called along the way (from the thread doing the work). ``early``: the copy ``doudi-admin
        backup`` started before the program loaded (storage/sqlite_copy.py); not used if opening the
        database upgraded it since."""
        with self.ctx.db.unit_of_work() as uow:
            who = self._may_back_up(uow, actor)
        path = Path(dest).expanduser().resolve()
        result = _backup(self.ctx.db, path, overwrite=overwrite, progress=progress,
                         early=early if self.ctx.upgrade is None else None)
        summary = _summary(result)
        with self.ctx.db.unit_of_work() as uow:
            uow.events.append_office(who, "backup", self.ctx.now(), subject=path.name, comment=f"备份到 {path}",
                                     data={"file": str(path), "chain": summary["chain"],
                                           "rows": sum(summary["rows"].values())})
        log.info("backup written to %s", path)
        return summary | {"file": str(path)}

    def daily(self, folder: Path | None = None, *, keep_days: int | None = None,
              today: dt.date | None = None, progress: Callable[[float, str], None] | None = None) -> Path | None:
        """Today's automatic backup of the SQLite file, unless it exists; backups older than
        ``keep_days`` days are deleted. Does nothing for PostgreSQL (the server's own backups
        and ``doudi-admin backup`` cover it). Returns the new file, or None."""
        source = sqlite_file(self.ctx.db.url)
        if source is None:
            return None
        folder = folder or default_backup_folder()
        today = today or self.ctx.today()
        if keep_days is None:
            with self.ctx.db.unit_of_work() as uow:
                keep_days = int(uow.settings.get("backup_keep_days", KEEP_DAYS) or KEEP_DAYS)
        folder.mkdir(parents=True, exist_ok=True)
        stem = source.stem
        target = folder / f"{stem}-{today.isoformat()}.sqlite3"
        made = None
        if not target.exists():
            made = Path(self.backup(target, progress=progress)["file"])
        self._prune(folder, stem, today, keep_days)
        return made

    @staticmethod
    def _prune(folder: Path, stem: str, today: dt.date, keep_days: int) -> list[Path]:
        removed = []
        for path in folder.iterdir():
            m = _DAILY.match(path.name)
            if not m or m["stem"] != stem:
                continue
            try:
                day = dt.date.fromisoformat(m["day"])
            except ValueError:
                continue
            if (today - day).days >= keep_days:
                path.unlink(missing_ok=True)
                removed.append(path)
        return removed


def restore(url: str | None, source: str | Path) -> dict[str, Any]:
    """Restore a backup file into the empty database at ``url`` (None: the default SQLite file),
    check every table against the backup and the audit chain, then bring the schema up to date.
    Refused if the target has any table."""
    path = Path(source).expanduser().resolve()
    db = Database(url or default_url())
    try:
        result = _restore(path, db)
        db.migrate()
        with db.unit_of_work() as uow:
            uow.events.append_office("system", "restored", dt.datetime.now().replace(microsecond=0),
                                     subject=path.name, comment=f"从备份 {path} 恢复并核对无误",
                                     data={"file": str(path), "chain": result.get("chain")})
        return _summary(result) | {"file": str(path)}
    finally:
        db.dispose()
