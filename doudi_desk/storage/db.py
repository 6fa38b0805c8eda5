"""Database connection, migrations and transactions.

:class:`Database` owns the SQLAlchemy engine. Each :meth:`Database.unit_of_work` is one session and
one transaction; faults of the environment (a locked, read-only or full database, a server that is
gone) come out as :class:`StorageError` with a Chinese message, everything else propagates as a bug.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sqlite3
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from itertools import repeat
from operator import contains
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import sessionmaker

from ..domain.errors import StorageFault
from ..paths import DB_FILE_NAME, user_folders
from .models import json_dumps
from .netshare import network_share
from .prepared import GIVEN, Driver
from .reads import ReadUnit
from .repo import UnitOfWork

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


class StorageError(StorageFault):
    """The database cannot be used right now (locked, read-only, full, unreachable, damaged).

    Attributes:
        kind: ``locked``, ``readonly``, ``full``, ``io``, ``corrupt``, ``connect`` or ``network``
            (a SQLite file on a network share, refused before it is opened).
    """

    def __init__(self, kind: str, message: str):
        super().__init__(message, kind)


# (kind, Chinese message, lower-case fragments of SQLite / PostgreSQL driver messages)
_FAULTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "locked",
        "数据库正被其他程序占用，请稍后再试",
        ("database is locked", "database table is locked", "could not obtain lock", "lock timeout"),
    ),
    (
        "readonly",
        "数据库文件是只读的，无法保存修改。请检查文件权限或存放位置",
        ("readonly database", "read-only database", "read-only transaction"),
    ),
    (
        "full",
        "磁盘空间已满，无法保存。请清理磁盘后再试",
        ("database or disk is full", "disk full", "no space left on device"),
    ),
    (
        "corrupt",
        "数据库文件已损坏或不是本程序的数据库文件，请从备份恢复",
        ("file is not a database", "database disk image is malformed"),
    ),
    (
        "io",
        "读写数据库文件时出错（磁盘故障或文件已被移走），请检查后再试",
        ("disk i/o error",),
    ),
    (
        "conflict",
        "另一台电脑正在同时修改相同的记录，本次操作未保存，请刷新后重试",
        ("deadlock detected", "could not serialize access"),
    ),
    (
        "permission",
        "数据库账户没有读写本程序数据的权限，请联系系统管理员",
        ("permission denied for",),
    ),
    (
        "input",
        "输入内容中含有不可见的空字符（\\0），无法保存；请删除后重试",
        ("cannot contain nul (0x00)",),
    ),
    (
        "encoding",
        "输入内容中含有无法识别的字符（不是有效的文字编码），无法保存；请删除后重试",
        (),
    ),
    (
        "connect",
        "无法连接数据库，请检查数据库文件位置或网络连接",
        (
            "unable to open database file",
            "could not connect",
            "connection refused",
            "connection failed",
            "server closed the connection",
            "terminating connection",
            "could not translate host name",
            "connection timed out",
            "connection is closed",
            "password authentication failed",
            "too many clients",
            "the database system is",  # starting up, shutting down, in recovery mode
        ),
    ),
)


def storage_error_for(exc: BaseException) -> StorageError | None:
    """The :class:`StorageError` an environment fault maps to, or None if ``exc`` is not one."""
    if not isinstance(exc, DBAPIError) or isinstance(exc, IntegrityError):
        return None  # constraint violations are bugs in the caller, not the environment
    text = str(exc.orig if exc.orig is not None else exc).lower()
    for kind, message, fragments in _FAULTS:
        if any(fragment in text for fragment in fragments):
            return StorageError(kind, message)
    if exc.connection_invalidated:
        return StorageError("connect", _FAULTS[-1][1])
    return None


@contextmanager
def _translated_errors() -> Iterator[None]:
    try:
        yield
    except DBAPIError as exc:
        known = storage_error_for(exc)
        if known is None:
            raise
        log.warning("database fault (%s): %s", known.kind, exc.orig)
        raise known from exc


_CONTAINERS = (dict, list, tuple)
# what a parameter holds when it holds no container to look into (str included: looked at apart)
_SCALARS = frozenset({str, int, float, bool, type(None), Decimal, dt.date, dt.datetime, dt.time, bytes})
_is_text = str.__instancecheck__  # isinstance(value, str), for filter()
_WRAPPERS = ("Json", "Jsonb")  # psycopg's wrappers of JSON values (their ``obj``)


def _text_problem(strings: list[str], nul: bool) -> str | None:
    """``encoding`` if any of ``strings`` holds a lone surrogate, else ``input`` if one holds a NUL
    (when ``nul``), else None. UTF-8 can encode every character but a surrogate, so encoding each
    string (in C, nothing kept) finds one; a batch's writes are a few hundred thousand characters a
    chunk, most of them Chinese, where a regular expression over their join took three times as long."""
    try:
        deque(map(str.encode, strings), maxlen=0)
    except UnicodeEncodeError:
        return "encoding"
    if nul and any(map(contains, strings, repeat("\x00"))):
        return "input"
    return None


def _bad_text(parameters: Any, nul: bool) -> str | None:
    """``input`` (a NUL, when ``nul``) or ``encoding`` (a lone surrogate) if a parameter holds one.

    Called on every statement, and on bulk inserts of 100,000 rows: the values (the rows of an
    executemany flattened) are sorted in C — the strings to :func:`_text_problem`, and the kinds of
    value, so that only a statement with a container (a JSON column's value, psycopg's Json
    wrapper, an array) has its values walked in Python, to look into those."""
    if isinstance(parameters, str):
        return _text_problem([parameters], nul)
    if isinstance(parameters, dict):
        parameters = list(parameters.values())
    elif not isinstance(parameters, list | tuple):
        inner = getattr(parameters, "obj", None)  # psycopg passes JSON columns as a Json wrapper
        return _bad_text(inner, nul) if isinstance(inner, str | dict | list | tuple) else None
    values: list[Any] = []
    value, row = values.append, values.extend
    for v in parameters:
        if v.__class__ is tuple or v.__class__ is list:  # a row of an executemany
            row(v)
        elif v.__class__ is dict:  # a row by name (PostgreSQL's parameters)
            row(v.values())
        else:
            value(v)
    found = _text_problem(list(filter(_is_text, values)), nul)
    if found or set(map(type, values)) <= _SCALARS:
        return found
    for x in values:
        if isinstance(x, _CONTAINERS) or x.__class__.__name__ in _WRAPPERS:
            found = _bad_text(x, nul)
            if found:
                return found
    return None


READING = "doudi_reading"  # execution option of a read-only unit of work's statements (Database.unit_of_work)


def _refuse_bad_text(nul: bool):
    """The last line of defence behind the input checks (domain/text.py): text the driver cannot
    encode (a lone surrogate) or, on SQLite, a NUL (PostgreSQL refuses it itself) becomes a known
    error instead of a crash. A bulk insert that checked its own rows as it built them says so
    with the execution option ``nul_checked`` (storage/payments.py); a prepared statement names the
    values its call gave (storage/prepared.py GIVEN), and only those are looked at. The same
    listener keeps a read-only unit of work to SELECTs (one listener: it runs on every statement)."""

    def check(_conn: Any, _cursor: Any, statement: str, parameters: Any, context: Any,
              _executemany: bool) -> None:
        if context is not None:
            options = context.execution_options
            if options.get(READING) and statement.lstrip()[:6].upper() != "SELECT":
                raise RuntimeError(f"a read-only unit of work may only read: {statement[:60]!r}")
            if options.get("nul_checked"):
                return
            parameters = options.get(GIVEN, parameters)  # a prepared statement's: only what the call gave
        kind = _bad_text(parameters, nul) if parameters else None
        if kind:
            raise StorageError(kind, next(f[1] for f in _FAULTS if f[0] == kind))

    return check


def refuse_nul() -> None:
    """Raise the refusal of text with a NUL character (PostgreSQL's rule, kept on SQLite too)."""
    kind, message, _fragments = next(f for f in _FAULTS if f[0] == "input")
    raise StorageError(kind, message)


def default_url() -> str:
    """SQLite file ``doudi_desk.sqlite3`` in the user's data folder (``%LOCALAPPDATA%\\doudi_desk``)."""
    folder = user_folders().data
    return URL.create("sqlite", database=str(folder / DB_FILE_NAME)).render_as_string(
        hide_password=False
    )


NETWORK_SHARE_MESSAGE = (
    "数据库文件 {path} 位于网络共享位置 {share}。SQLite 数据库文件通过网络共享（共享文件夹、映射的网络驱动器）"
    "使用会损坏数据，本程序不打开这样的文件。请把数据库文件放在本机硬盘上（默认位置是用户数据文件夹，"
    "Windows 上为 %LOCALAPPDATA%\\doudi_desk）；几台电脑共用一份数据时，请设立 PostgreSQL 服务器，"
    "用 --db postgresql+psycopg://用户:密码@服务器/数据库 打开（见使用说明「Shared server」一节）。"
)


def refuse_network_share(path: Path) -> None:
    """Raise StorageError("network") if the SQLite file ``path`` lies on a network share."""
    share = network_share(path)
    if share is not None:
        log.warning("refused SQLite database on a network share: %s (%s)", path, share)
        raise StorageError("network", NETWORK_SHARE_MESSAGE.format(path=path, share=share))


def sqlite_file(url: URL) -> Path | None:
    """The file of a SQLite URL, or None (memory, URI filenames, other databases)."""
    return _sqlite_file(url)


def _sqlite_file(url: URL) -> Path | None:
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if url.query.get("uri") or database.startswith("file:"):
        return None  # URI filenames (read-only opens, shared memory) are the caller's business
    return Path(database)


_REVISION_LINE = re.compile(r'^(down_revision|revision)\s*(?::[^=]*)?=\s*["\']([^"\']*)["\']', re.MULTILINE)


def migration_chain() -> tuple[str, list[str]]:
    """The head revision and every revision of the shipped migrations, read from the files' own
    ``revision = …`` / ``down_revision = …`` lines (what Alembic reads, without loading Alembic).

    Raises:
        RuntimeError: the migrations have no single head.
    """
    revisions: dict[str, str | None] = {}
    for path in sorted(MIGRATIONS_DIR.joinpath("versions").glob("*.py")):
        found = dict(m.groups() for m in _REVISION_LINE.finditer(path.read_text(encoding="utf-8")))
        if "revision" in found:
            revisions[found["revision"]] = found.get("down_revision")
    parents = {down for down in revisions.values() if down}
    heads = [r for r in revisions if r not in parents]
    if len(heads) != 1:
        raise RuntimeError(f"migrations must have one head, found {heads}")
    return heads[0], sorted(revisions)


ANALYSIS_LIMIT = 1000  # rows SQLite's ANALYZE samples per index (0 would read them all)

# SQLite in WAL mode writes each commit's pages to the -wal file; the commit that finds it holding this
# many pages then copies them back into the database file and syncs it (a checkpoint). For a clerk's
# one-case commits SQLite's default of 1,000 pages (4 MB) keeps each checkpoint short. A bulk writer
# (a batch decision: thousands of cases in chunks of a few hundred, each chunk about 1,000 pages) would
# checkpoint after nearly every chunk, copying again the pages every chunk rewrites (the audit trail's
# last page, its indexes' inner pages) and syncing the file each time: a tenth of a county's batch. Its
# unit of work lets the WAL grow to BULK_CHECKPOINT_PAGES (64 MB) and the batch checkpoints once at its end.
WAL_CHECKPOINT_PAGES = 1000
BULK_CHECKPOINT_PAGES = 16384
_BULK = "doudi_bulk"  # a pooled connection's info key: it checkpoints seldom until it is checked in


def _has_cases(conn: Any) -> bool:
    try:
        return conn.exec_driver_sql("SELECT 1 FROM cases LIMIT 1").first() is not None
    except DBAPIError:  # no schema yet
        conn.rollback()
        return False


class Database:
    """One database: an engine, its migrations and units of work.

    Args:
        url: any SQLAlchemy URL; a SQLite file's folder is created if missing.
        busy_timeout_ms: how long SQLite waits for another writer before "database is locked".
        echo: log every SQL statement (debugging).
    """

    def __init__(self, url: str, *, busy_timeout_ms: int = 5000, echo: bool = False) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        path = _sqlite_file(self.url)
        if path is not None:
            refuse_network_share(path)  # SQLite over SMB/NFS corrupts files
            path.parent.mkdir(parents=True, exist_ok=True)
        # A pool of connections (a file or a server, not SQLite's memory) hands out the one used last:
        # its page and statement caches are warm, where taking turns would leave each cold in turn.
        pooled = {"pool_use_lifo": True} if path is not None or not self.is_sqlite else {}
        self.engine: Engine = create_engine(
            self.url, echo=echo, json_serializer=json_dumps, json_deserializer=json.loads, **pooled
        )
        if self.is_sqlite:
            self._install_sqlite_pragmas(busy_timeout_ms)
        # PostgreSQL refuses NUL in text; refuse it on SQLite too, so both behave the same.
        event.listen(self.engine, "before_cursor_execute", _refuse_bad_text(nul=self.is_sqlite))
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Reads (lists, searches, counts) on PostgreSQL run in autocommit: no BEGIN and no COMMIT,
        # two round trips of a search's six. Under READ COMMITTED (PostgreSQL's default; the program
        # asks for no other) each statement of a transaction takes its own snapshot anyway, so the
        # reads see what they would see inside one. SQLite begins no transaction for a SELECT.
        reading = {READING: True} if self.is_sqlite else {READING: True, "isolation_level": "AUTOCOMMIT"}
        self._readers = sessionmaker(self.engine.execution_options(**reading), expire_on_commit=False)

    def location(self) -> str:
        """Where the database is, for people: a SQLite file's path as it is (a URL would
        percent-encode a Chinese user name), otherwise the URL without its password."""
        path = _sqlite_file(self.url)
        return str(path) if path is not None else self.url.render_as_string(hide_password=True)

    def _install_sqlite_pragmas(self, busy_timeout_ms: int) -> None:
        timeout = int(busy_timeout_ms)

        @event.listens_for(self.engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Per connection, because SQLite forgets these (except WAL) when a connection closes.
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.execute(f"PRAGMA busy_timeout={timeout}")
                # FULL: a committed decision survives a power cut too (NORMAL in WAL mode may lose the
                # last commits then); at a clerk's pace the extra fsync per commit costs nothing.
                cursor.execute("PRAGMA synchronous=FULL")
                cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
            finally:
                cursor.close()

        @event.listens_for(self.engine, "checkin")
        def _on_checkin(dbapi_connection: Any, record: Any) -> None:
            # A bulk unit of work is over: the connection checkpoints as every other one does again.
            if record.info.pop(_BULK, False) and dbapi_connection is not None:
                try:
                    dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
                except sqlite3.Error:  # a connection that cannot take a pragma is of no further use
                    log.warning("could not reset wal_autocheckpoint; the connection is dropped", exc_info=True)
                    record.invalidate()

    @staticmethod
    def _alembic_config() -> Any:
        from alembic.config import Config  # Alembic loads only when a database is behind (≈0.5 s)

        config = Config()
        # Config values go through configparser interpolation, so a literal % must be doubled.
        config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
        return config

    def revision(self) -> str | None:
        """The schema revision the database is at (None: no schema yet, a new database).

        Read from Alembic's own table with one SELECT: opening an up-to-date database (every start
        but the first after an upgrade) never loads Alembic."""
        with _translated_errors(), self.engine.connect() as conn:
            try:
                rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
            except DBAPIError as exc:
                if storage_error_for(exc) is not None:
                    raise
                return None  # no table: no schema yet
        if len(rows) > 1:
            raise RuntimeError(f"database has several schema heads: {sorted(r[0] for r in rows)}")
        return rows[0][0] if rows else None

    @classmethod
    def head_revision(cls) -> str:
        """The newest schema revision this program knows (its migrations' head)."""
        return migration_chain()[0]

    @classmethod
    def known_revisions(cls) -> set[str]:
        return set(migration_chain()[1])

    def migrate(self) -> None:
        """Apply all Alembic migrations up to head; does nothing on an up-to-date database."""
        from alembic import command

        config = self._alembic_config()
        with _translated_errors(), self.engine.connect() as conn:
            config.attributes["connection"] = conn
            if self.is_sqlite:
                self._migrate_sqlite(conn, config)
            else:
                with conn.begin():
                    command.upgrade(config, "head")

    @staticmethod
    def _migrate_sqlite(conn: Any, config: Any) -> None:
        from alembic import command

        # Foreign keys off while tables are rebuilt (batch mode drops and recreates tables, and a
        # DROP with foreign keys on would cascade-delete rows). The pragma is ignored inside a
        # transaction, so it is set before BEGIN and checked with foreign_key_check at the end.
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.commit()
        try:
            # IMMEDIATE takes the write lock now: the whole upgrade is one atomic transaction, and
            # a second copy of the program starting at the same moment waits instead of racing.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            command.upgrade(config, "head")
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left rows with broken foreign keys: {broken[:5]}")
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        finally:
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.commit()

    @contextmanager
    def unit_of_work(self, *, read_only: bool = False, bulk: bool = False) -> Iterator[UnitOfWork]:
        """One session, one transaction: commit if the block succeeds, roll back on any exception.

        ``read_only``: the block only reads (a list page, a search, counts). On PostgreSQL it runs
        without a transaction of its own (see ``__init__``); on both databases a statement that is
        not a SELECT raises RuntimeError before it is sent (a bug: a write would not be atomic).

        ``bulk``: one of many large transactions in a row (a batch's chunks). On SQLite its commit
        does not checkpoint until the WAL holds :data:`BULK_CHECKPOINT_PAGES`; the caller calls
        :meth:`checkpoint` after the last one. Nothing changes on PostgreSQL.

        Raises:
            StorageError: the database is locked, read-only, full, damaged or unreachable.
        """
        with _translated_errors():
            session = self._readers() if read_only else self._sessions()
            try:
                if bulk and self.is_sqlite:
                    connection = session.connection()
                    connection.exec_driver_sql(f"PRAGMA wal_autocheckpoint={BULK_CHECKPOINT_PAGES}")
                    connection.info[_BULK] = True  # reset when the pool takes the connection back
                yield UnitOfWork(session)
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    @contextmanager
    def reads(self) -> Iterator[ReadUnit]:
        """A unit of work for the case list's reads (storage/reads.py): a pooled driver connection,
        no ORM session. Whatever it read is rolled back as the connection goes back to the pool.

        Raises:
            StorageError: as :meth:`unit_of_work`.
        """
        errors = self.engine.dialect.loaded_dbapi.Error
        with _translated_errors():
            try:
                connection = self.engine.raw_connection()
            except errors as exc:  # the pool hands on the driver's own error when it cannot connect
                raise DBAPIError.instance(None, None, exc, errors, dialect=self.engine.dialect) from exc
            dbapi = connection.driver_connection
            try:
                if not self.is_sqlite:
                    dbapi.autocommit = True  # no BEGIN and no ROLLBACK: two round trips fewer
                yield ReadUnit(Driver(dbapi, self.engine))
            finally:
                if not self.is_sqlite:
                    dbapi.autocommit = False
                connection.close()

    def dispose(self) -> None:
        """Close all pooled connections (before deleting or replacing the database file)."""
        self.engine.dispose()

    def checkpoint(self) -> None:
        """SQLite: copy what the WAL holds back into the database file now, after a run of bulk units
        of work (PASSIVE: it waits for no reader or writer, and copies what none of them still needs).
        A failure is logged, not raised: the work before it is committed, and the next commit past
        the WAL's limit checkpoints in its turn. Nothing to do on PostgreSQL."""
        if not self.is_sqlite:
            return
        try:
            with _translated_errors(), self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        except (StorageFault, DBAPIError):
            log.warning("WAL checkpoint failed; SQLite checkpoints at a later commit", exc_info=True)

    def optimize(self, *, analyze: bool = False) -> None:
        """Keep the query planner's statistics current (platform-notes.md: a county database SQLite
        never ANALYZEd scans where an index would do).

        SQLite: ANALYZE (sampled: ``analysis_limit``, so 2 million events cost milliseconds) when
        ``analyze`` is asked for — after migrations and bulk imports — or when the database holds
        cases but has never been analysed; otherwise ``PRAGMA optimize``, which re-analyses only
        what grew (SQLite's advice for a connection about to close). PostgreSQL: ANALYZE after a
        bulk load (``analyze``); its autovacuum does the rest.
        """
        with _translated_errors(), self.engine.connect() as conn:
            if self.is_sqlite:
                has_stats = conn.exec_driver_sql(
                    "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first() is not None
                if analyze or (not has_stats and _has_cases(conn)):
                    conn.exec_driver_sql(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
                    conn.exec_driver_sql("ANALYZE")
                else:
                    conn.exec_driver_sql("PRAGMA optimize")
                conn.commit()
            elif analyze:
                conn.exec_driver_sql("ANALYZE")
                conn.commit()
