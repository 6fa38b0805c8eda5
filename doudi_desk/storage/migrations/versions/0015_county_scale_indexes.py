"""County-scale indexes (issue 14): the case list's tabs, counts and sort orders served by an index.

- ``ix_cases_workflow_state`` (workflow, state, closed, both deadlines): the 待办 tab and the
  supervisor queue pick (workflow, state) pairs (state names repeat across workflows, so an index on
  the state alone reads every workflow's cases of that name); the tab counts read it alone, grouped
  in its order, never the table.
- ``ix_cases_applied_on``, ``ix_cases_programme`` (with the id): the list sorted by application date
  or programme pages by keyset through them.

The statistics the planner needs are refreshed after every upgrade (services/upgrade.py).

Revision ID: 0015
Revises: 0016
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_cases_workflow_state", ["workflow_id", "state", "closed", "state_deadline", "total_deadline"]),
    ("ix_cases_applied_on", ["applied_on", "id"]),
    ("ix_cases_programme", ["programme", "id"]),
)


def upgrade() -> None:
    for name, columns in INDEXES:
        op.create_index(name, "cases", columns)


def downgrade() -> None:
    for name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name="cases")
