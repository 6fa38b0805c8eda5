"""Life of a case after approval: review/change/termination cases point at the case that granted
the benefit; an approved case carries its benefit record and its next review date.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="application"))
        batch.add_column(sa.Column("parent_case_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("benefit", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("next_review_on", sa.Date(), nullable=True))
        batch.create_foreign_key("fk_cases_parent_case_id_cases", "cases", ["parent_case_id"], ["id"])
    op.create_index("ix_cases_parent_case_id", "cases", ["parent_case_id"])
    op.create_index("ix_cases_next_review_on", "cases", ["next_review_on"])


def downgrade() -> None:
    op.drop_index("ix_cases_next_review_on", table_name="cases")
    op.drop_index("ix_cases_parent_case_id", table_name="cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_constraint("fk_cases_parent_case_id_cases", type_="foreignkey")
        batch.drop_column("next_review_on")
        batch.drop_column("benefit")
        batch.drop_column("parent_case_id")
        batch.drop_column("kind")
