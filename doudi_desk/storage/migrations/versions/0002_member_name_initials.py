"""Pinyin initials of member names, for searching ``zs`` → 张三 with an index.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("name_initials", sa.String(length=32), nullable=False, server_default=""))
    op.create_index("ix_members_name_initials", "members", ["name_initials"])
    # Fill the column for members written before this revision.
    from doudi_desk.storage.initials import name_initials

    conn = op.get_bind()
    members = sa.table("members", sa.column("id", sa.Integer), sa.column("name", sa.String),
                       sa.column("name_initials", sa.String))
    rows = conn.execute(sa.select(members.c.id, members.c.name)).all()
    if rows:
        conn.execute(
            members.update().where(members.c.id == sa.bindparam("mid")).values(name_initials=sa.bindparam("ini")),
            [{"mid": r.id, "ini": name_initials(r.name)} for r in rows],
        )


def downgrade() -> None:
    op.drop_index("ix_members_name_initials", table_name="members")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("name_initials")
