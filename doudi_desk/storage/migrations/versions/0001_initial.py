"""Initial schema: areas, users, households with members and items, cases, audit trail, policy
sets, calendar overrides, settings.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CODE = sa.String(length=32)
NAME = sa.String(length=100)
USER = sa.String(length=64)
MONEY = sa.Numeric(precision=14, scale=2)


def upgrade() -> None:
    op.create_table(
        "areas",
        sa.Column("code", CODE, nullable=False),
        sa.Column("name", NAME, nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("parent_code", CODE, nullable=True),
        sa.ForeignKeyConstraint(["parent_code"], ["areas.code"], name="fk_areas_parent_code_areas"),
        sa.PrimaryKeyConstraint("code", name="pk_areas"),
    )
    op.create_index("ix_areas_parent_code", "areas", ["parent_code"])

    op.create_table(
        "users",
        sa.Column("username", USER, nullable=False),
        sa.Column("full_name", NAME, nullable=False),
        sa.Column("roles", sa.String(length=200), nullable=False),
        sa.Column("area_code", CODE, nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("username", name="pk_users"),
    )

    op.create_table(
        "households",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_code", CODE, nullable=True),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("phone", sa.String(length=50), nullable=False),
        sa.Column("no_able_supporter", sa.Boolean(), nullable=False),
        sa.Column("assets", sa.JSON(), nullable=False),
        sa.Column("temporary", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["village_code"], ["areas.code"], name="fk_households_village_code_areas"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_households"),
    )
    op.create_index("ix_households_village_code", "households", ["village_code"])

    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", NAME, nullable=False),
        sa.Column("id_number", sa.String(length=32), nullable=False),
        sa.Column("relation", sa.String(length=16), nullable=False),
        sa.Column("excluded", sa.String(length=16), nullable=True),
        sa.Column("disability_type", sa.String(length=16), nullable=True),
        sa.Column("disability_grade", sa.Integer(), nullable=True),
        sa.Column("serious_illness", sa.Boolean(), nullable=False),
        sa.Column("applicant", sa.Boolean(), nullable=False),
        sa.Column("adl_unable", sa.Integer(), nullable=False),
        sa.Column("work_capacity", sa.String(length=16), nullable=True),
        sa.Column("student", sa.Boolean(), nullable=False),
        sa.Column("staff_relative", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name="fk_members_household_id_households",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_members"),
        sa.UniqueConstraint("household_id", "position", name="uq_members_household_id_position"),
    )
    op.create_index("ix_members_id_number", "members", ["id_number"])
    op.create_index("ix_members_name", "members", ["name"])

    for table, label in (("income_items", "type"), ("rigid_expenses", "kind")):
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("household_id", sa.Integer(), nullable=False),
            sa.Column("position", sa.Integer(), nullable=False),
            sa.Column("member_position", sa.Integer(), nullable=True),
            sa.Column(label, sa.String(length=32), nullable=False),
            sa.Column("amount", MONEY, nullable=False),
            sa.Column("note", sa.Text(), nullable=False),
            sa.ForeignKeyConstraint(
                ["household_id"],
                ["households.id"],
                name=f"fk_{table}_household_id_households",
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
            sa.UniqueConstraint(
                "household_id", "position", name=f"uq_{table}_household_id_position"
            ),
        )

    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("programme", CODE, nullable=False),
        sa.Column("workflow_id", sa.String(length=64), nullable=False),
        sa.Column("workflow_version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=64), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("village_code", CODE, nullable=False),
        sa.Column("created_by", USER, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("state_entered_on", sa.Date(), nullable=True),
        sa.Column("state_deadline", sa.Date(), nullable=True),
        sa.Column("total_deadline", sa.Date(), nullable=True),
        sa.Column("county_delegated", sa.Boolean(), nullable=False),
        sa.Column("staff_relative", sa.Boolean(), nullable=False),
        sa.Column("forms", sa.JSON(), nullable=False),
        sa.Column("proposal", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("decision", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("last_effective_date", sa.Date(), nullable=True),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name="fk_cases_household_id_households"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
        sa.UniqueConstraint("number", name="uq_cases_number"),
    )
    for column in ("household_id", "state", "village_code", "state_deadline", "total_deadline"):
        op.create_index(f"ix_cases_{column}", "cases", [column])

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("actor", USER, nullable=False),
        sa.Column("trigger", sa.String(length=64), nullable=False),
        sa.Column("from_state", sa.String(length=64), nullable=True),
        sa.Column("to_state", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_audit_events_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
        sa.UniqueConstraint("case_id", "seq", name="uq_audit_events_case_id_seq"),
    )

    op.create_table(
        "policy_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_code", CODE, nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", USER, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_code"], ["areas.code"], name="fk_policy_sets_area_code_areas"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_policy_sets"),
        sa.UniqueConstraint(
            "area_code", "effective_from", name="uq_policy_sets_area_code_effective_from"
        ),
    )

    op.create_table(
        "calendar_overrides",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("is_working", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", USER, nullable=False),
        sa.PrimaryKeyConstraint("day", name="pk_calendar_overrides"),
    )

    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_settings"),
    )


def downgrade() -> None:
    # Children before parents; a table's indexes go with it.
    for table in (
        "settings",
        "calendar_overrides",
        "policy_sets",
        "audit_events",
        "cases",
        "rigid_expenses",
        "income_items",
        "members",
        "households",
        "users",
        "areas",
    ):
        op.drop_table(table)
