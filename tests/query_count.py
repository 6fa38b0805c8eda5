"""Count the statements a piece of code sends to the database (SQLAlchemy's cursor events).

Speed lives in benchmarks/; tests assert the shape that makes it: a village's list is gathered in
the same few queries whether it has 3 households or 3,000 (no query per case).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event


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
