"""Alembic environment for doudi_desk.

At run time ``Database.migrate`` passes its open connection in ``config.attributes["connection"]``
and owns the transaction. For development, ``alembic -c doudi_desk/storage/alembic.ini ...`` works
too: the URL then comes from ``-x url=...``, the ini file, or the default user database.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from doudi_desk.storage.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        # SQLite can alter little in place; batch mode rebuilds tables when a migration needs to.
        render_as_batch=True,
        compare_type=True,
        **kwargs,
    )


def _url() -> str:
    from doudi_desk.storage.db import default_url

    return (
        context.get_x_argument(as_dictionary=True).get("url")
        or config.get_main_option("sqlalchemy.url")
        or default_url()
    )


def run_migrations_offline() -> None:
    _configure(url=_url(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(_url())
    try:
        with engine.connect() as connection:
            _configure(connection=connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
