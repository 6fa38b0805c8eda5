"""Reports and 大排查 campaigns (reports.md §1, §3): areas get their 城市/农村 class (社区 urban,
村 rural, settable), the audit trail an index for the monthly statistics, and the campaign tables
(campaign, phases, village assignments, target households, checks, problems).

Revision ID: 0013
Revises: 0005
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("areas") as batch:
        batch.add_column(sa.Column("urban_rural", sa.String(length=8), nullable=True))
    areas = sa.table("areas", sa.column("level", sa.String), sa.column("name", sa.String),
                     sa.column("urban_rural", sa.String))
    op.execute(areas.update().where(areas.c.level == "village", areas.c.name.like("%社区"))
               .values(urban_rural="urban"))
    op.execute(areas.update().where(areas.c.level == "village", areas.c.urban_rural.is_(None))
               .values(urban_rural="rural"))
    op.create_index("ix_audit_events_trigger_effective_date", "audit_events", ["trigger", "effective_date"])

    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("doc_number", sa.String(length=100), nullable=False),
        sa.Column("area_code", sa.String(length=32), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["area_code"], ["areas.code"], name="fk_campaigns_area_code_areas"),
        sa.PrimaryKeyConstraint("id", name="pk_campaigns"),
    )
    op.create_index("ix_campaigns_area_code", "campaigns", ["area_code"])
    op.create_table(
        "campaign_phases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"], ondelete="CASCADE",
                                name="fk_campaign_phases_campaign_id_campaigns"),
        sa.PrimaryKeyConstraint("id", name="pk_campaign_phases"),
        sa.UniqueConstraint("campaign_id", "position", name="uq_campaign_phases_campaign_id_position"),
    )
    op.create_table(
        "campaign_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("village_code", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"], ondelete="CASCADE",
                                name="fk_campaign_assignments_campaign_id_campaigns"),
        sa.ForeignKeyConstraint(["village_code"], ["areas.code"], name="fk_campaign_assignments_village_code_areas"),
        sa.ForeignKeyConstraint(["username"], ["users.username"], name="fk_campaign_assignments_username_users"),
        sa.PrimaryKeyConstraint("id", name="pk_campaign_assignments"),
        sa.UniqueConstraint("campaign_id", "village_code", name="uq_campaign_assignments_campaign_id_village_code"),
    )
    op.create_table(
        "campaign_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("family_key", sa.String(length=32), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("village_code", sa.String(length=32), nullable=False),
        sa.Column("head_name", sa.String(length=100), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"], ondelete="CASCADE",
                                name="fk_campaign_targets_campaign_id_campaigns"),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"], name="fk_campaign_targets_household_id_households"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_campaign_targets_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_campaign_targets"),
        sa.UniqueConstraint("campaign_id", "family_key", name="uq_campaign_targets_campaign_id_family_key"),
    )
    op.create_index("ix_campaign_targets_village_code", "campaign_targets", ["village_code"])
    op.create_table(
        "campaign_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("checked_by", sa.String(length=100), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["target_id"], ["campaign_targets.id"], ondelete="CASCADE",
                                name="fk_campaign_checks_target_id_campaign_targets"),
        sa.PrimaryKeyConstraint("id", name="pk_campaign_checks"),
        sa.UniqueConstraint("target_id", name="uq_campaign_checks_target_id"),
    )
    op.create_table(
        "campaign_problems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("village_code", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("task", sa.Text(), nullable=False),
        sa.Column("responsible", sa.String(length=200), nullable=False),
        sa.Column("finding", sa.Text(), nullable=False),
        sa.Column("measures", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("fixed_on", sa.Date(), nullable=True),
        sa.Column("confirmed_by", sa.String(length=64), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"], ondelete="CASCADE",
                                name="fk_campaign_problems_campaign_id_campaigns"),
        sa.ForeignKeyConstraint(["target_id"], ["campaign_targets.id"],
                                name="fk_campaign_problems_target_id_campaign_targets"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_campaign_problems_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_campaign_problems"),
    )
    op.create_index("ix_campaign_problems_campaign_id", "campaign_problems", ["campaign_id"])


def downgrade() -> None:
    op.drop_index("ix_campaign_problems_campaign_id", table_name="campaign_problems")
    op.drop_table("campaign_problems")
    op.drop_table("campaign_checks")
    op.drop_index("ix_campaign_targets_village_code", table_name="campaign_targets")
    op.drop_table("campaign_targets")
    op.drop_table("campaign_assignments")
    op.drop_table("campaign_phases")
    op.drop_index("ix_campaigns_area_code", table_name="campaigns")
    op.drop_table("campaigns")
    op.drop_index("ix_audit_events_trigger_effective_date", table_name="audit_events")
    with op.batch_alter_table("areas") as batch:
        batch.drop_column("urban_rural")
