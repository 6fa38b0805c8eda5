"""Persistence: SQLAlchemy models, Alembic migrations and repositories returning domain objects.

The only package that imports SQLAlchemy and Alembic. Start with :class:`Database`::

    db = Database(default_url())
    db.migrate()
    with db.unit_of_work() as uow:
        case = uow.cases.get(case_id)
"""

from __future__ import annotations

import importlib
from typing import Any

# Loaded when first asked for (PEP 562): a module of this package that needs only the standard
# library (sqlite_copy, the copy ``doudi-admin backup`` starts first) must not pull SQLAlchemy in.
_EXPORTS = {"Database": "db", "StorageError": "db", "default_url": "db",
            "NotFoundError": "repo", "StaleVersionError": "repo", "UnitOfWork": "repo"}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Database",
    "NotFoundError",
    "StaleVersionError",
    "StorageError",
    "UnitOfWork",
    "default_url",
]
