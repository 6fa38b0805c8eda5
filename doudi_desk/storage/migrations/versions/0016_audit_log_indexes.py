"""Indexes for the 审计记录 page's filters: by account (newest first) and by time.

Without them a county trail of 2,000,000 events is walked whole for an account with few events or a
day early in the trail (1–6 s, benchmarks/audit_log_bench.py); with them the page's keyset query
reads only the matching events.

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_audit_events_actor_chain_seq", "audit_events", ["actor", "chain_seq"])
    op.create_index("ix_audit_events_recorded_at", "audit_events", ["recorded_at"])


def downgrade() -> None:
    op.drop_index("ix_audit_events_recorded_at", table_name="audit_events")
    op.drop_index("ix_audit_events_actor_chain_seq", table_name="audit_events")
