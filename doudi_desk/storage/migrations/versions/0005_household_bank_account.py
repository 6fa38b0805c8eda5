"""The household's payment account (开户银行, 银行账号): benefits are paid into it; it is shown
masked to roles that do not need it and never printed on a posted list.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("households") as batch:
        batch.add_column(sa.Column("bank_name", sa.String(length=100), nullable=False, server_default=""))
        batch.add_column(sa.Column("bank_account", sa.String(length=40), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("households") as batch:
        batch.drop_column("bank_account")
        batch.drop_column("bank_name")
