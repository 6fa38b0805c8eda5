"""Load a generated county (a SQLite file) into a new PostgreSQL database, fast (COPY).

The schema comes from the program's own migrations (``Database.migrate``); rows are copied table by
table with psycopg's COPY, values converted to what each column's type expects (SQLite keeps
booleans as 0/1), then the id sequences are moved past the copied ids and the tables ANALYZEd
(as autovacuum would do soon after such a load).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Engine, Integer, text

from doudi_desk.storage.db import Database
from doudi_desk.storage.models import Base


def load(sqlite_path: Path, url: str, admin: Engine) -> None:
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}_part" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}_part"'))
    part_url = make_url(url).set(database=f"{name}_part").render_as_string(hide_password=False)
    db = Database(part_url)
    try:
        db.migrate()
        source = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
        raw = db.engine.raw_connection()
        try:
            pg = raw.driver_connection
            with pg.cursor() as cur:
                cur.execute("DELETE FROM audit_chain")
                for table in Base.metadata.sorted_tables:
                    have = {r[1] for r in source.execute(f"PRAGMA table_info({table.name})")}
                    cols = [c for c in table.columns if c.name in have]
                    bools = [isinstance(c.type, Boolean) for c in cols]
                    names = ", ".join(f'"{c.name}"' for c in cols)
                    with cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                        for row in source.execute(f'SELECT {names} FROM "{table.name}"'):
                            copy.write_row(_convert(row, bools))
                    pk = list(table.primary_key.columns)
                    if len(pk) == 1 and isinstance(pk[0].type, Integer):
                        col = pk[0].name
                        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{col}'), "
                                    f"GREATEST((SELECT COALESCE(MAX({col}), 0) FROM {table.name}), 1))")
            pg.commit()
            pg.autocommit = True
            with pg.cursor() as cur:
                cur.execute("VACUUM ANALYZE")
        finally:
            raw.close()
            source.close()
    finally:
        db.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}_part" RENAME TO "{name}"'))


def _convert(row: tuple, bools: list[bool]) -> tuple[Any, ...]:
    return tuple(bool(v) if b and v is not None else v for v, b in zip(row, bools, strict=True))
