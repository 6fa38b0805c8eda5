"""Payments (资金发放): monthly payrolls with maker-checker states, their lines (nothing paid twice:
a unique index over live lines), bank files made and results read, amounts owed (追缴), and the
monthly price indices of 价格临时补贴.

Revision ID: 0011
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = sa.Numeric(14, 2)


def upgrade() -> None:
    op.create_table(
        "payrolls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_code", sa.String(length=32), nullable=False),
        sa.Column("group_code", sa.String(length=32), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("covers_from", sa.String(length=7), nullable=False),
        sa.Column("built_by", sa.String(length=64), nullable=False),
        sa.Column("built_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_by", sa.String(length=64), nullable=True),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("approved_by", sa.String(length=64), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.Column("exported_by", sa.String(length=64), nullable=True),
        sa.Column("results_by", sa.String(length=64), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("total", MONEY, nullable=False),
        sa.Column("held_count", sa.Integer(), nullable=False),
        sa.Column("held_total", MONEY, nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=True),
        sa.Column("frozen", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["area_code"], ["areas.code"], name="fk_payrolls_area_code_areas"),
        sa.PrimaryKeyConstraint("id", name="pk_payrolls"),
        sa.UniqueConstraint("area_code", "group_code", "month", name="uq_payrolls_area_code_group_code_month"),
    )
    op.create_index("ix_payrolls_state", "payrolls", ["state"])

    op.create_table(
        "payroll_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payroll_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=32), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("live", sa.Boolean(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("basis", sa.Integer(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("person_ids", sa.Text(), nullable=False),
        sa.Column("village_code", sa.String(length=32), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("payee_name", sa.String(length=100), nullable=False),
        sa.Column("payee_id_number", sa.String(length=32), nullable=False),
        sa.Column("bank_name", sa.String(length=100), nullable=False),
        sa.Column("bank_account", sa.String(length=40), nullable=False),
        sa.Column("hold_reason", sa.Text(), nullable=False),
        sa.Column("result_reason", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["payroll_id"], ["payrolls.id"], name="fk_payroll_lines_payroll_id_payrolls"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_payroll_lines_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_payroll_lines"),
    )
    op.create_index("uq_payroll_lines_live_key", "payroll_lines", ["case_id", "item", "month"], unique=True,
                    sqlite_where=sa.text("live = 1"), postgresql_where=sa.text("live"))
    op.create_index("ix_payroll_lines_case_month", "payroll_lines", ["case_id", "month"])
    op.create_index("ix_payroll_lines_payroll_seq", "payroll_lines", ["payroll_id", "seq"])

    op.create_table(
        "bank_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payroll_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("layout", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("total", MONEY, nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["payroll_id"], ["payrolls.id"], name="fk_bank_files_payroll_id_payrolls"),
        sa.PrimaryKeyConstraint("id", name="pk_bank_files"),
    )
    op.create_index("ix_bank_files_payroll_id", "bank_files", ["payroll_id"])

    op.create_table(
        "amounts_owed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=32), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("payroll_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("settled_by", sa.String(length=64), nullable=True),
        sa.Column("settled_at", sa.DateTime(), nullable=True),
        sa.Column("settle_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_amounts_owed_case_id_cases"),
        sa.ForeignKeyConstraint(["payroll_id"], ["payrolls.id"], name="fk_amounts_owed_payroll_id_payrolls"),
        sa.PrimaryKeyConstraint("id", name="pk_amounts_owed"),
        sa.UniqueConstraint("case_id", "item", "month", "source", name="uq_amounts_owed_case_id_item_month_source"),
    )
    op.create_index("ix_amounts_owed_case_id", "amounts_owed", ["case_id"])
    op.create_index("ix_amounts_owed_payroll_id", "amounts_owed", ["payroll_id"])

    op.create_table(
        "price_indices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_code", sa.String(length=32), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("cpi_yoy", sa.Numeric(6, 2), nullable=False),
        sa.Column("food_yoy", sa.Numeric(6, 2), nullable=False),
        sa.Column("entered_by", sa.String(length=64), nullable=False),
        sa.Column("entered_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["area_code"], ["areas.code"], name="fk_price_indices_area_code_areas"),
        sa.PrimaryKeyConstraint("id", name="pk_price_indices"),
        sa.UniqueConstraint("area_code", "month", name="uq_price_indices_area_code_month"),
    )


def downgrade() -> None:
    op.drop_table("price_indices")
    op.drop_index("ix_amounts_owed_payroll_id", table_name="amounts_owed")
    op.drop_index("ix_amounts_owed_case_id", table_name="amounts_owed")
    op.drop_table("amounts_owed")
    op.drop_index("ix_bank_files_payroll_id", table_name="bank_files")
    op.drop_table("bank_files")
    for name in ("ix_payroll_lines_payroll_seq", "ix_payroll_lines_case_month",
                 "uq_payroll_lines_live_key"):
        op.drop_index(name, table_name="payroll_lines")
    op.drop_table("payroll_lines")
    op.drop_index("ix_payrolls_state", table_name="payrolls")
    op.drop_table("payrolls")
