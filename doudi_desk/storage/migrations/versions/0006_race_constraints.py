"""Rules that must hold when two clerks act at the same moment, and ID numbers stored one way.

* ``uq_cases_open_child``: at most one open 复核/变更/停保 case per benefit (a partial unique index
  on ``cases.parent_case_id`` over open cases).
* ``locks``: named row locks for rules no constraint can state (one open application per person
  and programme); see ``LockRepository.hold``.
* Members' ID numbers typed with other digits (full-width, Arabic-Indic …) or a lower-case x are
  rewritten with ASCII digits and X, as they are now stored, so duplicate checks find them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _normalise_id(number: str) -> str:
    # A frozen copy of domain.ids.normalise_id as of this revision.
    out = []
    for ch in unicodedata.normalize("NFKC", number):
        if ch.isspace():
            continue
        value = unicodedata.decimal(ch, None)
        if value is None:
            value = unicodedata.digit(ch, None)
        out.append(str(value) if value is not None else "X" if ch in "xX" else ch)
    return "".join(out)


def upgrade() -> None:
    conn = op.get_bind()
    clash = conn.execute(sa.text(
        "SELECT p.number, COUNT(*) FROM cases c JOIN cases p ON p.id = c.parent_case_id "
        "WHERE c.closed = :no GROUP BY p.number HAVING COUNT(*) > 1"), {"no": False}).all()
    if clash:
        numbers = "、".join(f"{number}（{count} 件）" for number, count in clash)
        raise RuntimeError(f"以下在保案件同时有多件未办结的复核、变更或停保案件，须先用旧版本撤回多余的一件再升级：{numbers}")
    op.create_table(
        "locks",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("taken", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_locks"),
    )
    op.create_index("uq_cases_open_child", "cases", ["parent_case_id"], unique=True,
                    sqlite_where=sa.text("closed = 0 AND parent_case_id IS NOT NULL"),
                    postgresql_where=sa.text("closed = false AND parent_case_id IS NOT NULL"))
    pattern = ("id_number ~ '[^0-9X]'" if conn.dialect.name == "postgresql" else "id_number GLOB '*[^0-9X]*'")
    rows = conn.execute(sa.text(f"SELECT id, id_number FROM members WHERE {pattern}")).all()
    for member_id, number in rows:
        fixed = _normalise_id(number)
        if fixed != number:
            conn.execute(sa.text("UPDATE members SET id_number = :n WHERE id = :id"), {"n": fixed, "id": member_id})


def downgrade() -> None:
    op.drop_index("uq_cases_open_child", table_name="cases")
    op.drop_table("locks")
