"""Load a generated county (a SQLite file) into a new PostgreSQL database, fast (COPY).

The schema comes from the program's own migrations (``Database.migrate``). Before the rows come,
the tables' foreign keys, primary and unique constraints and other indexes are put aside (their
definitions read from the catalogue), so COPY only appends rows: no index kept up row by row, no
foreign key checked row by row. Rows are copied table by table with psycopg's COPY, values
converted to what each column's type expects (SQLite keeps booleans as 0/1). Then the indexes and
constraints are built again, each in one pass (with more ``maintenance_work_mem``), the id
sequences moved past the copied ids, and the tables VACUUM ANALYZEd (as autovacuum would do soon
after such a load). The database is made under a ``_part`` name and renamed when whole, so a load
cut off half-way is never taken for a cached county.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Engine, Integer, text

from doudi_desk.storage.db import Database
from doudi_desk.storage.models import Base

# Foreign keys, then primary and unique keys (a foreign key needs the key it points at), then the
# indexes that back no constraint. Rebuilt in the opposite order.
_CONSTRAINTS = """
SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
  FROM pg_constraint c
 WHERE c.connamespace = 'public'::regnamespace AND c.contype IN ('f', 'p', 'u')
 ORDER BY c.contype = 'f' DESC, c.conname
"""
_INDEXES = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
 WHERE t.relnamespace = 'public'::regnamespace
   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
 ORDER BY 1
"""


def load(sqlite_path: Path, url: str, admin: Engine, log=print) -> None:
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
                cur.execute("SET maintenance_work_mem = '256MB'")
                constraints = cur.execute(_CONSTRAINTS).fetchall()
                indexes = cur.execute(_INDEXES).fetchall()
                for table, constraint, _definition, _kind in constraints:
                    cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
                for index, _definition in indexes:
                    cur.execute(f"DROP INDEX {index}")
                cur.execute("DELETE FROM audit_chain")
                t = time.perf_counter()
                for table in Base.metadata.sorted_tables:
                    _copy(source, cur, table)
                log(f"  rows copied in {time.perf_counter() - t:.0f} s")
                t = time.perf_counter()
                for _index, definition in indexes:
                    cur.execute(definition)
                for table, constraint, definition, _kind in reversed(constraints):
                    cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {definition}')
                log(f"  {len(indexes)} indexes and {len(constraints)} constraints built in "
                    f"{time.perf_counter() - t:.0f} s")
                for table in Base.metadata.sorted_tables:
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


def _copy(source: sqlite3.Connection, cur: Any, table: Any) -> None:
    have = {r[1] for r in source.execute(f"PRAGMA table_info({table.name})")}
    cols = [c for c in table.columns if c.name in have]
    bools = [i for i, c in enumerate(cols) if isinstance(c.type, Boolean)]
    names = ", ".join(f'"{c.name}"' for c in cols)
    rows = source.execute(f'SELECT {names} FROM "{table.name}"')
    with cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        if not bools:
            for row in rows:
                copy.write_row(row)
            return
        for row in rows:
            copy.write_row(_convert(row, bools))


def _convert(row: tuple, bools: list[int]) -> tuple[Any, ...]:
    values = list(row)
    for i in bools:
        if values[i] is not None:
            values[i] = bool(values[i])
    return tuple(values)
