"""Database connection, migrations and transactions.

:class:`Database` owns the SQLAlchemy engine. Each :meth:`Database.unit_of_work` is one session and
one transaction; faults of the environment (a locked, read-only or full database, a server that is
gone) come out as :class:`StorageError` with a Chinese message, everything else propagates as a bug.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import platformdirs
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import sessionmaker

from ..domain.errors import DomainError
from .models import json_dumps
from .repo import UnitOfWork

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
DB_FILE_NAME = "doudi_desk.sqlite3"


class StorageError(DomainError):
    """The database cannot be used right now (locked, read-only, full, unreachable, damaged).

    Attributes:
        kind: ``locked``, ``readonly``, ``full``, ``io``, ``corrupt`` or ``connect``.
    """

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


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


_SURROGATE = re.compile("[\ud800-\udfff]")


def _bad_text(parameters: Any, nul: bool) -> str | None:
    """``input`` (a NUL, when ``nul``) or ``encoding`` (a lone surrogate) if a parameter holds one."""
    if isinstance(parameters, str):
        if _SURROGATE.search(parameters):
            return "encoding"
        return "input" if nul and "\x00" in parameters else None
    if isinstance(parameters, dict):
        values: Any = parameters.values()
    elif isinstance(parameters, list | tuple):
        values = parameters
    else:  # psycopg passes JSON columns as a Json wrapper around the value
        inner = getattr(parameters, "obj", None)
        values = (inner,) if isinstance(inner, str | dict | list | tuple) else ()
    for value in values:
        found = _bad_text(value, nul)
        if found:
            return found
    return None


def _refuse_bad_text(nul: bool):
    """The last line of defence behind the input checks (domain/text.py): text the driver cannot
    encode (a lone surrogate) or, on SQLite, a NUL (PostgreSQL refuses it itself) becomes a known
    error instead of a crash."""

    def check(_conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any,
              _executemany: bool) -> None:
        kind = _bad_text(parameters, nul) if parameters else None
        if kind:
            raise StorageError(kind, next(f[1] for f in _FAULTS if f[0] == kind))

    return check


def default_url() -> str:
    """SQLite file ``doudi_desk.sqlite3`` in the user's data folder."""
    folder = Path(platformdirs.user_data_dir("doudi_desk", appauthor=False))
    return URL.create("sqlite", database=str(folder / DB_FILE_NAME)).render_as_string(
        hide_password=False
    )


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
            path.parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(
            self.url, echo=echo, json_serializer=json_dumps, json_deserializer=json.loads
        )
        if self.is_sqlite:
            self._install_sqlite_pragmas(busy_timeout_ms)
        # PostgreSQL refuses NUL in text; refuse it on SQLite too, so both behave the same.
        event.listen(self.engine, "before_cursor_execute", _refuse_bad_text(nul=self.is_sqlite))
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

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
            finally:
                cursor.close()

    def migrate(self) -> None:
        """Apply all Alembic migrations up to head; does nothing on an up-to-date database."""
        config = Config()
        # Config values go through configparser interpolation, so a literal % must be doubled.
        config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
        with _translated_errors(), self.engine.connect() as conn:
            config.attributes["connection"] = conn
            if self.is_sqlite:
                self._migrate_sqlite(conn, config)
            else:
                with conn.begin():
                    command.upgrade(config, "head")

    @staticmethod
    def _migrate_sqlite(conn: Any, config: Config) -> None:
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
    def unit_of_work(self) -> Iterator[UnitOfWork]:
        """One session, one transaction: commit if the block succeeds, roll back on any exception.

        Raises:
            StorageError: the database is locked, read-only, full, damaged or unreachable.
        """
        with _translated_errors():
            session = self._sessions()
            try:
                yield UnitOfWork(session)
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    def dispose(self) -> None:
        """Close all pooled connections (before deleting or replacing the database file)."""
        self.engine.dispose()
