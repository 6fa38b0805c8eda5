"""Count the SQL statements a piece of work sends (N+1 checks): an SQLAlchemy event listener on the
office's engine, removed again on leaving the block."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Counted:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_statements(office) -> Iterator[Counted]:
    """Every statement sent to the database inside the block, in order (executemany counts once)."""
    from sqlalchemy import event

    counted = Counted()

    def capture(_conn, _cursor, statement, _parameters, _context, _many) -> None:
        counted.statements.append(" ".join(statement.split())[:160])

    event.listen(office.db.engine, "before_cursor_execute", capture)
    try:
        yield counted
    finally:
        event.remove(office.db.engine, "before_cursor_execute", capture)
