"""Writes of a batch's chunk kept in memory and sent together (one executemany per statement).

While a unit of work defers (:meth:`DeferredWrites.deferring`), the case UPDATEs and event INSERTs
of :class:`~doudi_desk.storage.repo.CaseRepository` and
:class:`~doudi_desk.storage.repo.EventRepository` are not executed one by one: they are kept with
their bound values and sent by :meth:`DeferredWrites.write`, each statement as one executemany of
a prepared statement on the driver's connection (storage/prepared.py).
A case's writes are then undone, if it is refused, by forgetting them (:meth:`mark`,
:meth:`undo_to`: ``UnitOfWork.savepoint`` does so instead of a SAVEPOINT).

What stays true, and how it is checked:

* The version check: every case UPDATE keeps ``WHERE id = … AND version = …``; if the rows
  written are fewer than the UPDATEs sent, :meth:`write` raises :class:`DeferredConflict` and
  the caller undoes the whole transaction and decides its cases again one at a time.
* Nothing is read stale or written out of order: any other statement while writes are kept (a
  write, or a read while some are kept) marks the deferral ``disturbed``; the caller then undoes
  the transaction and decides its cases again the ordinary way. A read with nothing kept (the
  calendar read by a chunk's first case) is harmless and allowed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..domain.errors import Conflict
from .prepared import Driver


class DeferredConflict(Conflict):
    """A deferred case UPDATE found its version moved on (or its row gone): the transaction's
    deferred work is to be undone and its cases decided again, each on its own."""


class DeferredWrites:
    """The statements kept while deferring: each statement with its rows of bound values, in the
    order they were first asked for."""

    def __init__(self, session: Session):
        self._s = session
        self.active = False
        self.disturbed = False  # another statement ran while writes were kept (see the module's doc)
        self._rows: dict[Any, list[dict[str, Any]]] = {}
        self._counted: set[Any] = set()  # statements whose every row must change exactly one row
        self._own = False  # our own statements (write, allowed reads) are not a disturbance

    @contextlib.contextmanager
    def deferring(self) -> Iterator[None]:
        """Keep case and event writes until :meth:`write` (which the caller must call before the
        block ends: what is still kept at its end is dropped)."""
        conn = self._s.connection()
        self.active, self.disturbed = True, False
        event.listen(conn, "before_cursor_execute", self._seen)
        try:
            yield
        finally:
            event.remove(conn, "before_cursor_execute", self._seen)
            self.active = False
            self._rows.clear()

    @contextlib.contextmanager
    def allowed(self) -> Iterator[None]:
        """Statements the caller runs knowing what is kept (it wrote them first: the read-ahead)."""
        own, self._own = self._own, True
        try:
            yield
        finally:
            self._own = own

    def add(self, statement: Any, values: dict[str, Any], *, one_row: bool = False) -> None:
        """Keep ``statement`` with ``values``; ``one_row``: each such row must change one row."""
        self._rows.setdefault(statement, []).append(values)
        if one_row:
            self._counted.add(statement)

    def mark(self) -> dict[Any, int]:
        return {statement: len(rows) for statement, rows in self._rows.items()}

    def undo_to(self, mark: dict[Any, int]) -> None:
        """Forget what was kept since ``mark`` (the case it was kept for was refused)."""
        for statement, rows in self._rows.items():
            del rows[mark.get(statement, 0):]

    def write(self) -> None:
        """Send what is kept, each statement as one executemany, and forget it.

        Raises:
            DeferredConflict: a counted statement changed fewer rows than it was sent with.
        """
        pending = [(statement, rows) for statement, rows in self._rows.items() if rows]
        self._rows.clear()
        if not pending:
            return
        driver = Driver.of(self._s.connection())
        with self.allowed():
            for statement, rows in pending:
                # compiled once, as SQLAlchemy would for these rows' keys, and sent on the driver's
                # connection (storage/prepared.py): the guard against NUL and lone surrogates still
                # sees every row, without SQLAlchemy's work per row and per statement
                keys = tuple(sorted(rows[0]))
                changed = driver.cached(("deferred", statement), lambda s=statement: s, keys).many(driver, rows)
                if statement in self._counted and changed != len(rows):
                    raise DeferredConflict(f"{len(rows) - changed} 个案件已由他人处理")

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self._own or not self.active:
            return
        kept = any(self._rows.values())
        if kept or not statement.lstrip()[:6].upper() == "SELECT":
            self.disturbed = True
