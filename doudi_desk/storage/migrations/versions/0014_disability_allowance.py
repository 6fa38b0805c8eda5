"""残疾人两项补贴 (policy.md §10): members gain the 残疾人证 (held, and its 20-character number), the
long-term care need, and the support that rules an allowance out (孤儿基本生活保障, 工伤保险生活护理费).
Existing members hold none of them until a clerk records them.

Revision ID: 0014
Revises: 0006
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FLAGS = ("disability_certificate", "long_term_care", "orphan_support", "work_injury_care")


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        for name in FLAGS:
            batch.add_column(sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("certificate_number", sa.String(length=32), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.drop_column("certificate_number")
        for name in reversed(FLAGS):
            batch.drop_column(name)
