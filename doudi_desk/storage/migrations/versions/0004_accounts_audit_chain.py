"""Accounts and a trustworthy audit trail: log-in lock-out columns on users; office events
(case_id NULL), a hash chain over all events with its head in ``audit_chain``, and triggers that
refuse UPDATE and DELETE on ``audit_events``.

Events written before this revision are linked into the chain here, in id order.

Note for later migrations: rebuilding ``audit_events`` in SQLite batch mode drops its triggers;
such a migration must create them again (see :func:`create_append_only_triggers`).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFUSAL = "audit_events is append-only"


def create_append_only_triggers() -> None:
    """Database triggers that refuse UPDATE and DELETE on audit_events (both dialects)."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
                f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
            )
        return
    op.execute(
        "CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$"
    )
    op.execute(
        "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
    )
    # TRUNCATE bypasses row triggers; refuse it too.
    op.execute(
        "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"
    )


def drop_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
        return
    op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
    op.execute("DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events")
    op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("password_changed_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))

    with op.batch_alter_table("audit_events") as batch:
        batch.alter_column("case_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("chain_seq", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(length=64), nullable=True))

    op.create_table(
        "audit_chain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_chain"),
    )

    last_seq, last_hash = _link_existing_events()
    chain = sa.table("audit_chain", sa.column("id", sa.Integer), sa.column("last_seq", sa.Integer),
                     sa.column("last_hash", sa.String))
    op.get_bind().execute(chain.insert().values(id=1, last_seq=last_seq, last_hash=last_hash))

    with op.batch_alter_table("audit_events") as batch:
        batch.alter_column("chain_seq", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint("uq_audit_events_chain_seq", ["chain_seq"])

    create_append_only_triggers()


def _link_existing_events() -> tuple[int, str]:
    from doudi_desk.storage.chain import FIELDS, GENESIS, event_digest

    events = sa.table(
        "audit_events",
        sa.column("id", sa.Integer),
        sa.column("case_id", sa.Integer),
        sa.column("seq", sa.Integer),
        sa.column("actor", sa.String),
        sa.column("trigger", sa.String),
        sa.column("from_state", sa.String),
        sa.column("to_state", sa.String),
        sa.column("recorded_at", sa.DateTime),
        sa.column("effective_date", sa.Date),
        sa.column("comment", sa.Text),
        sa.column("changes", sa.JSON),
        sa.column("data", sa.JSON),
        sa.column("chain_seq", sa.Integer),
        sa.column("prev_hash", sa.String),
        sa.column("hash", sa.String),
    )
    conn = op.get_bind()
    prev, n, batch = GENESIS, 0, []
    stmt = (
        events.update()
        .where(events.c.id == sa.bindparam("eid"))
        .values(chain_seq=sa.bindparam("n"), prev_hash=sa.bindparam("p"), hash=sa.bindparam("h"))
    )
    columns = [events.c.id, *(events.c[k] for k in FIELDS if k != "chain_seq")]
    for row in conn.execute(sa.select(*columns).order_by(events.c.id)).mappings().all():
        n += 1
        digest = event_digest(prev, {**row, "chain_seq": n})
        batch.append({"eid": row["id"], "n": n, "p": prev, "h": digest})
        prev = digest
        if len(batch) >= 5000:
            conn.execute(stmt, batch)
            batch = []
    if batch:
        conn.execute(stmt, batch)
    return n, prev


def downgrade() -> None:
    drop_append_only_triggers()
    op.drop_table("audit_chain")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_constraint("uq_audit_events_chain_seq", type_="unique")
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
        batch.drop_column("chain_seq")
        batch.alter_column("case_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("users") as batch:
        batch.drop_column("must_change_password")
        batch.drop_column("password_changed_at")
        batch.drop_column("locked_until")
        batch.drop_column("failed_logins")
