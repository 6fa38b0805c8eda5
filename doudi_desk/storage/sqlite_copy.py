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
from typing import Any

from .chain import GENESIS, ChainWalk

COPY_STEP_PAGES = 4096  # 16 MB a step with 4 KB pages: progress a few times a second
SQLITE_PREFIX = "sqlite:///"
MANIFEST_FORMAT = 2  # of a backup's manifest (storage/backup.py)

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


def links_verdict(links: ChainWalk, chain: dict[str, Any] | None) -> dict[str, Any]:
    """``chain_links`` of a manifest: the walk's first problem, else whether the head agrees with it."""
    problem = links.problem
    if problem is None and chain is None:
        problem = {"kind": "head", "chain_seq": None}
    elif problem is None and chain["seq"] > links.count:
        problem = {"kind": "truncated", "chain_seq": links.count + 1}
    elif problem is None and (chain["seq"], chain["hash"]) != (links.count, links.head):
        problem = {"kind": "head", "chain_seq": chain["seq"]}
    return {"ok": problem is None, "events": links.count, "problem": None if problem is None
            else {"kind": problem["kind"], "chain_seq": problem["chain_seq"]}}


def raw_census(path: Path, progress: Progress | None = None) -> dict[str, Any]:
    """What a new SQLite backup is checked for before it is kept, read from the copy by SQLite's own
    driver: every table's row count, the schema version, the chain head and the chain's links (each
    event numbered after the one before and pointing at its hash; ``chain_links`` as in
    storage/backup.py's ``manifest``). No per-row digest: a SQLite backup is the database file itself, nothing keeps
    a digest of it, and ``verify-backup`` and restoring digest and rehash every row of it."""
    report = progress or (lambda _f, _t: None)
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                             "AND name NOT LIKE 'sqlite%' ORDER BY name")]
        present = set(names)
        tables = {}
        for i, name in enumerate(names):
            report(0.2 * i / len(names), f"核对数据表 {name}")
            tables[name] = {"rows": con.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]}
        version = con.execute("SELECT version_num FROM alembic_version").fetchone() if "alembic_version" in present \
            else None
        chain = None
        if "audit_chain" in present:
            row = con.execute("SELECT last_seq, last_hash FROM audit_chain WHERE id = 1").fetchone()
            chain = {"seq": row[0], "hash": row[1]} if row else None
        result = {"format": MANIFEST_FORMAT, "dialect": "sqlite", "portable": False,
                  "schema_version": version[0] if version else None, "tables": tables, "chain": chain}
        have = {r[1] for r in con.execute("PRAGMA table_info(audit_events)")}
        if {"chain_seq", "prev_hash", "hash"} <= have:
            report(0.2, "核对审计记录链")
            walk = _linked_in_sql(con) or _walk_links(con, tables["audit_events"]["rows"], report)
            result["chain_links"] = links_verdict(walk, chain)
    finally:
        con.close()
    report(1.0, "核对完毕")
    return result


def _linked_in_sql(con: sqlite3.Connection) -> ChainWalk | None:
    """The links of the whole chain checked by SQLite itself (C code that lets other threads run,
    instead of 2 million rows turned into Python strings): events numbered 1..N, each unique, the
    first after the genesis hash, and every event's ``prev_hash`` equal to the hash of the one
    numbered before it. Returns the walk's outcome when all of that holds (what :class:`ChainWalk`
    would find), None when something does not: then the walk finds and names the first problem."""
    n, distinct, low, high = con.execute(
        "SELECT COUNT(*), COUNT(DISTINCT chain_seq), MIN(chain_seq), MAX(chain_seq) FROM audit_events").fetchone()
    walk = ChainWalk(links_only=True)
    if n == 0:
        return walk
    if not (distinct == n and low == 1 and high == n):
        return None
    first = con.execute("SELECT prev_hash FROM audit_events WHERE chain_seq = 1").fetchone()[0]
    linked = con.execute("SELECT COUNT(*) FROM audit_events a JOIN audit_events b ON b.chain_seq = a.chain_seq + 1 "
                         "WHERE b.prev_hash = a.hash").fetchone()[0]
    if first != GENESIS or linked != n - 1:
        return None
    walk.count = n
    walk.head = con.execute("SELECT hash FROM audit_events WHERE chain_seq = ?", (n,)).fetchone()[0]
    return walk


def _walk_links(con: sqlite3.Connection, rows: int, report: Progress) -> ChainWalk:
    """Every event in ``chain_seq`` order until the first broken link (which the walk describes)."""
    walk = ChainWalk(links_only=True)
    total = max(rows, 1)
    cursor = con.execute("SELECT chain_seq, prev_hash, hash FROM audit_events ORDER BY chain_seq")
    while batch := cursor.fetchmany(50_000):
        report(0.2 + 0.8 * walk.count / total, "核对审计记录链")
        if not walk.feed(batch):
            break
    return walk


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
    """The copy of ``source`` for a backup to ``dest``, then its ``quick_check`` and :func:`raw_census`
    side by side, on threads of their own.

    The backup that uses it (:func:`storage.backup.backup_sqlite`) takes the check's verdict and the
    census and keeps the file; whoever started it calls :meth:`discard` in any case (the file is
    deleted unless it was kept)."""

    def __init__(self, source: Path, dest: Path):
        self.source = source.resolve()
        self.dest = dest
        # a name of its own: a backup that cannot use it (another database, an upgraded one) writes
        # its own .part beside it while this thread may still be writing
        self.part = dest.with_name(dest.name + ".early.part")
        self.error: sqlite3.Error | None = None
        self.checked: str | None = None
        self.census: dict[str, Any] | None = None
        self.census_error: BaseException | None = None
        self.copied = threading.Event()
        self._checker: threading.Thread | None = None
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
        # the integrity check beside the census, as storage/backup.py does
        self._checker = threading.Thread(target=lambda: setattr(self, "checked", quick_check(self.part)),
                                         name="backup-early-check", daemon=True)
        self._checker.start()
        try:
            self.census = raw_census(self.part)
        except BaseException as exc:  # noqa: BLE001 - handed to the backup that waits for it
            self.census_error = exc
        self._checker.join()

    def serves(self, source: Path, dest: Path) -> bool:
        """This copy is of ``source``, for a backup to ``dest``."""
        return self.source == source.resolve() and self.dest == dest

    def wait_copied(self) -> None:
        """Until the copy is written; raises the copy's ``sqlite3.Error``."""
        self.copied.wait()
        if self.error is not None:
            raise self.error

    def wait_census(self) -> dict[str, Any]:
        """The copy's :func:`raw_census`; raises what reading it raised."""
        self._thread.join()
        if self.census_error is not None:
            raise self.census_error
        assert self.census is not None
        return self.census

    def wait_checked(self) -> str | None:
        """The integrity check's verdict (None if the copy failed)."""
        self._thread.join()
        return self.checked

    def discard(self) -> None:
        """Done with it: the copy is deleted unless the backup kept it (renamed it away)."""
        self._thread.join()
        self.part.unlink(missing_ok=True)
