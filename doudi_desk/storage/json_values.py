"""A few values of a JSON column for a statement over many rows, each document parsed once a row.

SQLite takes each value out with its JSON function (``json_extract``, which keeps recently parsed
documents). PostgreSQL's ``->>`` on a ``json`` column parses the whole document again for every
value taken out: five values of a case's proposal and decision cost a list page of 100 cases 3–6 ms
on the server, more than the rest of its statement. There the values come from one
``json_to_record`` of each document, joined LATERAL: the same values (the text of a string or a
number, a boolean as a boolean, NULL for a missing key or a document that is not an object) for
less than half the time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Boolean, String, case, column, func, literal_column, true

TEXT, BOOLEAN = "text", "boolean"


def json_values(document: Any, name: str, keys: Sequence[tuple[str, str]], *, postgres: bool
                ) -> tuple[list[Any], Any | None]:
    """The values of ``keys`` (``(key, TEXT | BOOLEAN)``) of the JSON column ``document``, and what
    the statement must be outer-joined with (``stmt.outerjoin(joined, true())``; None on SQLite).

    ``name`` names the joined record in the SQL (unique within the statement)."""
    if not postgres:
        return [document[key].as_boolean() if kind == BOOLEAN else document[key].as_string()
                for key, kind in keys], None
    # json_to_record refuses a scalar or an array, where ->> gives NULL: only objects go in
    # (json_typeof reads the first token only)
    only_objects = case((func.json_typeof(document) == literal_column("'object'"), document))
    record = (func.json_to_record(only_objects)
              .table_valued(*[column(key, Boolean if kind == BOOLEAN else String) for key, kind in keys])
              .render_derived(name=name, with_types=True)
              .lateral(name))
    return [record.c[key] for key, _kind in keys], record


def joined(stmt: Any, records: Sequence[Any]) -> Any:
    """``stmt`` outer-joined with the records :func:`json_values` asked for (none on SQLite)."""
    for record in records:
        if record is not None:
            stmt = stmt.outerjoin(record, true())
    return stmt
