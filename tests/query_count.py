"""Count the SQL statements a piece of work sends (N+1 checks): an SQLAlchemy event listener on the
office's engine, removed again on leaving the block.

Speed lives in benchmarks/; tests assert the shape that makes it: a village's list is gathered in
the same few queries whether it has 3 households or 3,000 (no query per case).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event


@dataclass
class Counted:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_statements(office) -> Iterator[Counted]:
    """Every statement sent to the database inside the block, in order (executemany counts once)."""
    counted = Counted()

    def capture(_conn, _cursor, statement, _parameters, _context, _many) -> None:
        counted.statements.append(" ".join(statement.split())[:160])

    event.listen(office.db.engine, "before_cursor_execute", capture)
    try:
        yield counted
    finally:
        event.remove(office.db.engine, "before_cursor_execute", capture)




@contextmanager
def statements(engine) -> Iterator[list[str]]:
    """The SQL of every statement executed on ``engine`` inside the block, in order."""
    sent: list[str] = []

    def capture(_conn, _cursor, statement, _parameters, _context, _many):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", capture)


def selects(sent: list[str]) -> list[str]:
    return [s for s in sent if s.lstrip().upper().startswith(("SELECT", "WITH"))]


@contextmanager
def sent_with_parameters(engine) -> Iterator[list[tuple[str, Any]]]:
    """Every statement executed on ``engine`` inside the block with its parameters, in order."""
    sent: list[tuple[str, Any]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", capture)


def sqlite_plans(engine, sent: list[tuple[str, Any]]) -> list[tuple[str, list[str]]]:
    """SQLite's EXPLAIN QUERY PLAN of each SELECT in ``sent`` (from :func:`sent_with_parameters`), its lines."""
    with engine.connect() as conn:
        return [(sql, [r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)])
                for sql, params in sent if sql.lstrip().upper().startswith("SELECT")]
