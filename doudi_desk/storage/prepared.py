"""Statements compiled once per database and run on the driver's own connection: the read path of
the case list and its searches (storage/listing.py), and the writes a batch keeps and sends
together (storage/deferred.py, :meth:`Prepared.many`).

SQLAlchemy's work per call — building the statement, its cache key, the execution context, the
result's metadata — cost 2–4 ms a search, against 0.05–0.2 ms of the database's own (issue 14). A
:class:`Prepared` is a statement as the dialect compiles it, built once: its SQL text, the order of
its parameters, and the converters SQLAlchemy would apply to them and to the columns it returns
(dates as text and booleans as integers on SQLite; none on PostgreSQL). Every value that changes
between calls is a named parameter (``bindparam``); what the statement's shape depends on (how
many villages, which kinds of match) is part of the key it is cached under.

It runs on the DBAPI connection of a unit of work (inside its transaction) or of a read unit
(:meth:`Database.reads <doudi_desk.storage.db.Database.reads>`). What it sends goes through the
engine's ``before_cursor_execute`` listeners first, as SQLAlchemy's own execution does: the guard
against NUL and lone surrogates (storage/db.py) and any observer (tests counting statements) see
it, with every parameter the driver gets. Their ``context`` names the values the call gave
(:data:`GIVEN`): the guard looks at those only, the rest being the statement's constants (a JSON
path, a relation 'head'), the program's own text. A driver's error comes out as SQLAlchemy's
``DBAPIError``, so a locked or unreachable database is reported as everywhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

GIVEN = "doudi_given"  # the context's execution option naming the values a call gave (the module's docstring)


class _Call:
    """The ``context`` a prepared statement's listeners are handed: only its execution options."""

    __slots__ = ("execution_options",)

    def __init__(self, values: Mapping[str, Any]):
        self.execution_options = {GIVEN: values}


class Driver:
    """A driver connection (sqlite3's, psycopg's) with the engine it came from."""

    __slots__ = ("dbapi", "engine", "dialect")

    def __init__(self, dbapi: Any, engine: Engine):
        self.dbapi = dbapi
        self.engine = engine
        self.dialect = engine.dialect

    @classmethod
    def of(cls, connection: Connection) -> Driver:
        """The driver connection under a SQLAlchemy connection (a session's, in its transaction)."""
        return cls(connection.connection.driver_connection, connection.engine)

    def cached(self, key: Hashable, build: Callable[[], Any], column_keys: tuple[str, ...] | None = None) -> Prepared:
        """The statement ``build()`` gives, compiled for this database once per ``key`` (and
        ``column_keys``: see :class:`Prepared`)."""
        return prepared(self.dialect, key, build, column_keys)


class Prepared:
    """One statement compiled for one dialect (see the module's docstring)."""

    __slots__ = ("sql", "_defaults", "_order", "_binds", "_results")

    def __init__(self, statement: Any, dialect: Any, column_keys: tuple[str, ...] | None = None):
        # column_keys: the keys of the rows a write is sent with, as SQLAlchemy compiles a statement for
        # the parameters it is given (an INSERT without values of its own writes those columns)
        compiled = statement.compile(dialect=dialect, column_keys=column_keys)
        if compiled.post_compile_params or compiled.literal_execute_params:
            raise ValueError("a prepared statement takes each value as its own bindparam, never an expanding IN")
        if compiled.insert_prefetch or compiled.update_prefetch:  # SQLAlchemy's execution would compute them
            raise ValueError("a prepared write is given every column it writes, none left to a Python default")
        self.sql: str = compiled.string
        by_name = {name: bind for bind, name in compiled.bind_names.items()}
        # the parameters the driver takes converted (dates as text on SQLite), with their converter
        self._binds = {name: proc for name in by_name
                       if (proc := by_name[name].type.dialect_impl(dialect).bind_processor(dialect)) is not None}
        # the values written into the statement (a LIMIT 1, a relation 'head', a JSON path) stay as
        # compiled, converted once here
        self._defaults: dict[str, Any] = {name: self._bound(name, value) for name, value in compiled.params.items()
                                          if not by_name[name].required}  # a write's columns: given by each call
        self._order = list(compiled.positiontup) if compiled.positional else None
        self._results = [(i, proc) for i, column in enumerate(getattr(statement, "selected_columns", ()))
                         if (proc := column.type.dialect_impl(dialect).result_processor(dialect, None)) is not None]

    def _bound(self, name: str, value: Any) -> Any:
        proc = self._binds.get(name)
        return value if proc is None or value is None else proc(value)

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        """The driver's parameters for ``values`` (by bind name; the rest keep their compiled value)."""
        merged = self._defaults
        if values:
            merged = {**merged, **values}
            for name in self._binds.keys() & values.keys():  # a few at most: a page's hundreds of ids go as they are
                merged[name] = self._bound(name, values[name])
        if self._order is None:
            return merged
        return tuple(map(merged.__getitem__, self._order))

    def _sent(self, driver: Driver, params: Any, given: Any, many: bool, run: Callable[[Any], Any]) -> Any:
        """``run(cursor)`` on a new cursor, after the engine's ``before_cursor_execute`` listeners
        were handed ``params`` (``given``: the values the call gave); a driver error as DBAPIError."""
        cursor = driver.dbapi.cursor()
        try:
            call = _Call(given)
            for listener in driver.engine.dispatch.before_cursor_execute:
                listener(None, cursor, self.sql, params, call, many)
            try:
                return run(cursor)
            except driver.dialect.loaded_dbapi.Error as exc:
                raise DBAPIError.instance(self.sql, params, exc, driver.dialect.loaded_dbapi.Error,
                                          dialect=driver.dialect) from exc
        finally:
            cursor.close()

    def all(self, driver: Driver, values: Mapping[str, Any] | None = None) -> list[Any]:
        """Every row, each a tuple (a list where a column was converted)."""
        values = values or {}
        params = self.parameters(values)

        def fetched(cursor: Any) -> list[Any]:
            cursor.execute(self.sql, params)
            return cursor.fetchall()

        rows = self._sent(driver, params, values, False, fetched)
        if not self._results:
            return rows
        out = []
        for row in rows:
            row = list(row)
            for i, proc in self._results:
                row[i] = proc(row[i])
            out.append(row)
        return out

    def many(self, driver: Driver, rows: list[Mapping[str, Any]]) -> int:
        """Send the statement once for each of ``rows`` (one executemany; a write); returns the
        number of rows it changed in all. The listeners see the driver's parameters of every row,
        all of them given by the call (a write has no constants of its own)."""
        params = [self.parameters(row) for row in rows]

        def sent(cursor: Any) -> int:
            cursor.executemany(self.sql, params)
            return cursor.rowcount

        return self._sent(driver, params, params, True, sent)


# (dialect name, driver, server version, key, column keys) -> Prepared; statements are few (one per shape of
# query a window asks), so the cache is never trimmed
_PREPARED: dict[Hashable, Prepared] = {}


def prepared(dialect: Any, key: Hashable, build: Callable[[], Any],
             column_keys: tuple[str, ...] | None = None) -> Prepared:
    full = (dialect.name, dialect.driver, dialect.server_version_info, key, column_keys)
    found = _PREPARED.get(full)
    if found is None:
        found = _PREPARED[full] = Prepared(build(), dialect, column_keys)
    return found
