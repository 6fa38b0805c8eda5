"""Persistence: SQLAlchemy models, Alembic migrations and repositories returning domain objects.

The only package that imports SQLAlchemy and Alembic. Start with :class:`Database`::

    db = Database(default_url())
    db.migrate()
    with db.unit_of_work() as uow:
        case = uow.cases.get(case_id)
"""

from .db import Database, StorageError, default_url
from .repo import NotFoundError, StaleVersionError, UnitOfWork

__all__ = [
    "Database",
    "NotFoundError",
    "StaleVersionError",
    "StorageError",
    "UnitOfWork",
    "default_url",
]
