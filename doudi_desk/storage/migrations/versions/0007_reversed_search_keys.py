"""Reversed search keys: an ID number, a phone number and a case number found by their last
digits through an index (storage/search_keys.py), filled for the rows already there.

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (  # table, new column, length, the column it is computed from
    ("members", "id_reversed", 32, "id_number"),
    ("households", "phone_reversed", 50, "phone"),
    ("cases", "number_reversed", 32, "number"),
)
BATCH = 5000


def upgrade() -> None:
    from doudi_desk.storage.search_keys import phone_key, reversed_key

    conn = op.get_bind()
    for table, column, length, source in COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(column, sa.String(length=length), nullable=False, server_default=""))
        key = phone_key if column == "phone_reversed" else reversed_key
        t = sa.table(table, sa.column("id", sa.Integer), sa.column(source, sa.String), sa.column(column, sa.String))
        update = t.update().where(t.c.id == sa.bindparam("row_id")).values({column: sa.bindparam("key")})
        last = 0
        while True:  # in batches by id: a county's 300,000 members never sit in memory at once
            rows = conn.execute(sa.select(t.c.id, t.c[source]).where(t.c.id > last).order_by(t.c.id)
                                .limit(BATCH)).all()
            if not rows:
                break
            conn.execute(update, [{"row_id": r[0], "key": key(r[1])} for r in rows])
            last = rows[-1][0]
        op.create_index(f"ix_{table}_{column}", table, [column])


def downgrade() -> None:
    for table, column, _length, _source in reversed(COLUMNS):
        op.drop_index(f"ix_{table}_{column}", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
