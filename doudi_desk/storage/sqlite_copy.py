"""The part of a SQLite backup that needs only the standard library: the online copy of a live
database file and SQLite's integrity check of the copy (storage/backup.py checks and keeps it).

``doudi-admin backup`` starts the copy (:class:`EarlyCopy`) before the program has loaded: the copy
and the check are SQLite's C code, which lets the other thread run, so the second core copies while
the first imports SQLAlchemy and opens the database — at 10,000 households these take about as
long as each other. Nothing here imports SQLAlchemy or the program's models.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

COPY_STEP_PAGES = 4096  # 16 MB a step with 4 KB pages: progress a few times a second
SQLITE_PREFIX = "sqlite:///"

Progress = Callable[[float, str], None]


def part_of(dest: Path) -> Path:
    """The file a backup is written to until it has been checked and kept."""
    return dest.with_name(dest.name + ".part")


def online_copy(source: Path, part: Path, report: Progress) -> None:
    """Copy ``source`` to ``part`` while others keep working (raises ``sqlite3.Error``).

    On a connection of its own, inside one read transaction: in WAL mode writers go on, and every
    step of the online backup reads the same snapshot, so it reports progress step by step without
    ever restarting."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
    try:
        src.execute("PRAGMA busy_timeout=10000")
        src.execute("BEGIN")
        src.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # the snapshot every step reads
        target = sqlite3.connect(part)
        try:
            src.backup(target, pages=COPY_STEP_PAGES,
                       progress=lambda _status, remaining, total: report(0.5 * (1 - remaining / max(total, 1)),
                                                                         "复制数据库"))
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        finally:
            target.close()
        src.execute("COMMIT")
    finally:
        src.close()


def quick_check(path: Path) -> str:
    """``PRAGMA quick_check`` of a file: ``ok``, or what is wrong."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return str(con.execute("PRAGMA quick_check").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error as exc:
        return str(exc)


def sqlite_path(url: str | None, default: Path) -> Path | None:
    """The database file of a plain ``sqlite:///FILE`` URL (``default`` for None); None for any
    other URL (another database, memory, URI filenames, query options)."""
    if url is None:
        return default
    if not url.startswith(SQLITE_PREFIX) or "?" in url:
        return None
    database = url[len(SQLITE_PREFIX):]
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _is_wal(source: Path) -> bool:
    """Only a WAL database is copied early: in another journal mode the copy's read lock would
    stand in the way of the program opening (and switching) the database."""
    try:
        con = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            return str(con.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal"
        finally:
            con.close()
    except sqlite3.Error:
        return False


class EarlyCopy:
    """The copy of ``source`` to ``part_of(dest)`` and its ``quick_check``, on a thread of their own.

    The backup that uses it (:func:`storage.backup.backup_sqlite`) waits for the copy, reads its
    census while the check runs, and keeps the file; whoever started it calls :meth:`discard` in any
    case (the file is deleted unless it was kept)."""

    def __init__(self, source: Path, dest: Path):
        self.source = source.resolve()
        self.part = part_of(dest)
        self.error: sqlite3.Error | None = None
        self.checked: str | None = None
        self.copied = threading.Event()
        self.part.unlink(missing_ok=True)
        self._thread = threading.Thread(target=self._run, name="backup-early-copy", daemon=True)
        self._thread.start()

    @classmethod
    def start(cls, source: Path | None, dest: Path, *, overwrite: bool) -> EarlyCopy | None:
        """Start the copy if it can be of use: a WAL database file, and a destination the backup will
        accept (else the backup itself says what is wrong, as it would without an early copy)."""
        if source is None or not source.is_file() or not dest.parent.is_dir() or (dest.exists() and not overwrite):
            return None
        if not _is_wal(source):
            return None
        return cls(source, dest)

    def _run(self) -> None:
        try:
            online_copy(self.source, self.part, lambda _f, _t: None)
        except sqlite3.Error as exc:
            self.error = exc
            self.copied.set()
            return
        self.copied.set()
        self.checked = quick_check(self.part)

    def serves(self, source: Path, part: Path) -> bool:
        """This copy is of ``source``, written to ``part``."""
        return self.source == source.resolve() and self.part == part

    def wait_copied(self) -> None:
        """Until the copy is written; raises the copy's ``sqlite3.Error``."""
        self.copied.wait()
        if self.error is not None:
            raise self.error

    def wait_checked(self) -> str | None:
        """The integrity check's verdict (None if the copy failed)."""
        self._thread.join()
        return self.checked

    def discard(self) -> None:
        """Done with it: the copy is deleted unless the backup kept it (renamed it away)."""
        self._thread.join()
        self.part.unlink(missing_ok=True)
