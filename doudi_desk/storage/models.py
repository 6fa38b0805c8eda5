"""Tables, as SQLAlchemy 2 typed ORM classes.

Rows never leave :mod:`doudi_desk.storage`: repositories turn them into domain dataclasses. Every
change here needs a new Alembic migration in ``storage/migrations/versions`` (a test compares the
migrated schema with this metadata).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from .search_keys import phone_key, reversed_key

# Explicit constraint names keep future migrations (SQLite batch mode included) able to find them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CODE = String(32)  # area codes (12-digit statistical codes), programme ids, state names
NAME = String(100)
MONEY = Numeric(14, 2)  # yuan with fen; exact on PostgreSQL, exact to 14 digits on SQLite
# Nullable JSON columns store SQL NULL for None (the plain JSON type would store the text 'null').
NULLABLE_JSON = JSON(none_as_null=True)


def _json_default(value: Any) -> Any:
    # Money goes into JSON as strings, never floats, so it stays exact.
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):  # datetime included
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"cannot store {type(value).__name__} in a JSON column: {value!r}")


def json_dumps(value: Any) -> str:
    """Serialise a JSON column value: Chinese kept readable, Decimal and dates as strings."""
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def json_normalized(value: Any) -> Any:
    """``value`` as it will read back from a JSON column (a fresh, independent copy)."""
    return json.loads(json_dumps(value))


class SerialisedJSON(TypeDecorator[Any]):
    """A bound value for a JSON column that is already its text (:func:`json_dumps`), sent to the
    driver as it is instead of being serialised again: SQLite stores the text, PostgreSQL reads the
    untyped text as json. A statement that writes many rows (a batch's events) then encodes each
    value once, and uses the same text for the hash of what will read back."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Any) -> None:
        return None


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class AreaRow(Base):
    __tablename__ = "areas"

    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    name: Mapped[str] = mapped_column(NAME)
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(CODE, ForeignKey("areas.code"), index=True)
    # 城市 (urban) or 农村 (rural) for the statistics; villages only (社区 urban, 村 rural by default).
    urban_rural: Mapped[str | None] = mapped_column(String(8))


class UserRow(Base):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    full_name: Mapped[str] = mapped_column(NAME)
    roles: Mapped[str] = mapped_column(String(200), default="")  # comma-separated role ids
    area_code: Mapped[str | None] = mapped_column(CODE)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))  # Argon2id, PHC string format
    # Log-in lock-out: consecutive failures since the last success, and until when the account
    # refuses every password (see services/accounts.py).
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Set when an administrator gives a password; the user chooses their own at the next log-in.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class HouseholdRow(Base):
    __tablename__ = "households"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    village_code: Mapped[str | None] = mapped_column(CODE, ForeignKey("areas.code"), index=True)
    address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    # The phone's digits reversed, so its last digits are an indexed prefix (storage/search_keys.py).
    phone_reversed: Mapped[str] = mapped_column(String(50), index=True, default="", server_default="")
    bank_name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    bank_account: Mapped[str] = mapped_column(String(40), default="", server_default="")
    no_able_supporter: Mapped[bool] = mapped_column(Boolean, default=False)
    assets: Mapped[dict[str, Any]] = mapped_column(JSON)
    temporary: Mapped[dict[str, Any] | None] = mapped_column(NULLABLE_JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)

    members: Mapped[list[MemberRow]] = relationship(
        order_by="MemberRow.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
    )
    income_items: Mapped[list[IncomeItemRow]] = relationship(
        order_by="IncomeItemRow.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
    )
    rigid_expenses: Mapped[list[RigidExpenseRow]] = relationship(
        order_by="RigidExpenseRow.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
    )


class MemberRow(Base):
    __tablename__ = "members"
    # The unique constraint also serves as the index for loading a household's members.
    __table_args__ = (UniqueConstraint("household_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(NAME, index=True)
    # Pinyin initials of ``name`` (张三 → zs) for the search box; see storage/initials.py.
    name_initials: Mapped[str] = mapped_column(String(32), index=True, default="", server_default="")
    id_number: Mapped[str] = mapped_column(String(32), index=True)
    # The ID number reversed: a search by its last digits is an indexed prefix (storage/search_keys.py).
    id_reversed: Mapped[str] = mapped_column(String(32), index=True, default="", server_default="")
    relation: Mapped[str] = mapped_column(String(16))
    excluded: Mapped[str | None] = mapped_column(String(16))
    disability_type: Mapped[str | None] = mapped_column(String(16))
    disability_grade: Mapped[int | None] = mapped_column(Integer)
    serious_illness: Mapped[bool] = mapped_column(Boolean, default=False)
    applicant: Mapped[bool] = mapped_column(Boolean, default=False)
    adl_unable: Mapped[int] = mapped_column(Integer, default=0)
    work_capacity: Mapped[str | None] = mapped_column(String(16))
    student: Mapped[bool] = mapped_column(Boolean, default=False)
    staff_relative: Mapped[bool] = mapped_column(Boolean, default=False)
    # 残疾人两项补贴 (policy.md §10, migration 0014)
    disability_certificate: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    certificate_number: Mapped[str] = mapped_column(String(32), default="", server_default="")
    long_term_care: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    orphan_support: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    work_injury_care: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class IncomeItemRow(Base):
    __tablename__ = "income_items"
    __table_args__ = (UniqueConstraint("household_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # keeps the order the items were entered in
    member_position: Mapped[int | None] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(32))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    note: Mapped[str] = mapped_column(Text, default="")


class RigidExpenseRow(Base):
    __tablename__ = "rigid_expenses"
    __table_args__ = (UniqueConstraint("household_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    member_position: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    note: Mapped[str] = mapped_column(Text, default="")


class CaseRow(Base):
    __tablename__ = "cases"
    # One open 复核, 变更 or 停保 case per benefit, whatever two clerks do at the same moment
    # (services/lifecycle.py also locks the benefit's case first, so the loser gets a message).
    # Migration 0015: the list's tabs, counts and sort orders (storage/listing.py).
    __table_args__ = (
        Index("uq_cases_open_child", "parent_case_id", unique=True,
              sqlite_where=text("closed = 0 AND parent_case_id IS NOT NULL"),
              postgresql_where=text("closed = false AND parent_case_id IS NOT NULL")),
        Index("ix_cases_workflow_state", "workflow_id", "state", "closed", "state_deadline", "total_deadline"),
        Index("ix_cases_applied_on", "applied_on", "id"),
        Index("ix_cases_programme", "programme", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    # The number reversed: a search by its tail (000123, DB-000123) is an indexed prefix.
    number_reversed: Mapped[str] = mapped_column(String(32), index=True, default="", server_default="")
    programme: Mapped[str] = mapped_column(CODE)
    workflow_id: Mapped[str] = mapped_column(String(64))
    workflow_version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(64), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    village_code: Mapped[str] = mapped_column(CODE, index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    applied_on: Mapped[dt.date] = mapped_column(Date)
    accepted_on: Mapped[dt.date | None] = mapped_column(Date)
    state_entered_on: Mapped[dt.date | None] = mapped_column(Date)
    state_deadline: Mapped[dt.date | None] = mapped_column(Date, index=True)
    total_deadline: Mapped[dt.date | None] = mapped_column(Date, index=True)
    county_delegated: Mapped[bool] = mapped_column(Boolean, default=False)
    staff_relative: Mapped[bool] = mapped_column(Boolean, default=False)
    forms: Mapped[dict[str, Any]] = mapped_column(JSON)
    proposal: Mapped[dict[str, Any] | None] = mapped_column(NULLABLE_JSON)
    decision: Mapped[dict[str, Any] | None] = mapped_column(NULLABLE_JSON)
    last_effective_date: Mapped[dt.date | None] = mapped_column(Date)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    kind: Mapped[str] = mapped_column(String(16), default="application", server_default="application")
    parent_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    benefit: Mapped[dict[str, Any] | None] = mapped_column(NULLABLE_JSON)
    next_review_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    # Optimistic lock: CaseRepository.save updates with "WHERE version = expected".
    version: Mapped[int] = mapped_column(Integer, nullable=False)


# The reversed search keys follow whatever the ORM writes (a case number may even change at insert
# on a shared server, CaseRepository._add_numbered). Bulk inserts through Core fill them with
# storage/search_keys.py themselves.
@event.listens_for(HouseholdRow, "before_insert")
@event.listens_for(HouseholdRow, "before_update")
def _household_keys(_mapper, _connection, row: HouseholdRow) -> None:
    row.phone_reversed = phone_key(row.phone)


@event.listens_for(MemberRow, "before_insert")
@event.listens_for(MemberRow, "before_update")
def _member_keys(_mapper, _connection, row: MemberRow) -> None:
    row.id_reversed = reversed_key(row.id_number)


@event.listens_for(CaseRow, "before_insert")
@event.listens_for(CaseRow, "before_update")
def _case_keys(_mapper, _connection, row: CaseRow) -> None:
    row.number_reversed = reversed_key(row.number)


class AuditEventRow(Base):
    """One event of the audit trail: an action on a case, or (``case_id`` NULL) on the office
    (log-in, accounts, exports, backups).

    Append-only: database triggers refuse UPDATE and DELETE (migration 0004), and every row carries
    the SHA-256 of its content and of the row before it in ``chain_seq`` order (storage/chain.py),
    so an edit or deletion made behind the program's back breaks the chain.
    """

    __tablename__ = "audit_events"
    # The unique constraint's index (case_id first) serves lookups of a case's events; the
    # (trigger, effective_date) index serves the monthly statistics (objections of a month); the
    # (actor, chain_seq) and recorded_at indexes serve the 审计记录 page's filters (migration 0016).
    __table_args__ = (UniqueConstraint("case_id", "seq"), UniqueConstraint("chain_seq"),
                      Index("ix_audit_events_trigger_effective_date", "trigger", "effective_date"),
                      Index("ix_audit_events_actor_chain_seq", "actor", "chain_seq"),
                      Index("ix_audit_events_recorded_at", "recorded_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    seq: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(64))
    trigger: Mapped[str] = mapped_column(String(64))
    from_state: Mapped[str | None] = mapped_column(String(64))
    to_state: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    effective_date: Mapped[dt.date] = mapped_column(Date)
    comment: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    chain_seq: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 … over the whole database
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainRow(Base):
    """The head of the audit chain: one row (id 1) with the last event's ``chain_seq`` and hash.

    Every append updates this row first, which serialises appenders (a row lock on PostgreSQL,
    the write lock on SQLite) so the chain never forks, and lets verification notice the
    deletion of the last events.
    """

    __tablename__ = "audit_chain"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class PolicySetRow(Base):
    __tablename__ = "policy_sets"
    __table_args__ = (UniqueConstraint("area_code", "effective_from"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_code: Mapped[str] = mapped_column(CODE, ForeignKey("areas.code"))
    effective_from: Mapped[dt.date] = mapped_column(Date)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class CalendarOverrideRow(Base):
    __tablename__ = "calendar_overrides"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    is_working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64))


class LockRow(Base):
    """Named locks for rules no constraint can state, e.g. one open application per person.

    A transaction that must check and then insert takes the lock's row first
    (``LockRepository.hold``): a row lock until commit on PostgreSQL, the write lock on SQLite.
    Rows are made on first use; ``taken`` counts how often the lock was held.
    """

    __tablename__ = "locks"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    taken: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class SettingRow(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


# ------------------------------------------------------------------ 大排查 campaigns (reports.md §3)


class CampaignRow(Base):
    """A screening campaign (大排查) over an area: name, issuing document number, target rules."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    doc_number: Mapped[str] = mapped_column(String(100), default="")
    area_code: Mapped[str] = mapped_column(CODE, ForeignKey("areas.code"), index=True)
    rules: Mapped[list[str]] = mapped_column(JSON)  # target rules chosen (domain/campaigns.py RULES)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class CampaignPhaseRow(Base):
    """A phase of a campaign (全面排查 → 集中整改 → 总结提升) with its dates."""

    __tablename__ = "campaign_phases"
    __table_args__ = (UniqueConstraint("campaign_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    start_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[dt.date] = mapped_column(Date)


class CampaignAssignmentRow(Base):
    """Which member of staff checks the households of a village in a campaign."""

    __tablename__ = "campaign_assignments"
    __table_args__ = (UniqueConstraint("campaign_id", "village_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    village_code: Mapped[str] = mapped_column(CODE, ForeignKey("areas.code"))
    username: Mapped[str] = mapped_column(String(64), ForeignKey("users.username"))


class CampaignTargetRow(Base):
    """A household chosen by the campaign's rules: the family (by its head's ID number), the
    household record that stands for it, and why it was chosen."""

    __tablename__ = "campaign_targets"
    __table_args__ = (UniqueConstraint("campaign_id", "family_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    family_key: Mapped[str] = mapped_column(String(32))
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    village_code: Mapped[str] = mapped_column(CODE, index=True)
    head_name: Mapped[str] = mapped_column(NAME)
    members: Mapped[int] = mapped_column(Integer, default=0)
    reasons: Mapped[list[str]] = mapped_column(JSON)


class CampaignCheckRow(Base):
    """The check of one target household: who checked it, when, and the seed's items."""

    __tablename__ = "campaign_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("campaign_targets.id", ondelete="CASCADE"), unique=True)
    checked_by: Mapped[str] = mapped_column(NAME)
    checked_on: Mapped[dt.date] = mapped_column(Date)
    items: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)


class CampaignProblemRow(Base):
    """A problem found in a campaign (核查问题清单), followed 待整改 → 整改中 → 已整改."""

    __tablename__ = "campaign_problems"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    target_id: Mapped[int | None] = mapped_column(ForeignKey("campaign_targets.id"))
    village_code: Mapped[str] = mapped_column(CODE)
    kind: Mapped[str] = mapped_column(String(32), default="other")  # missed | wrongly_covered | other
    topic: Mapped[str] = mapped_column(String(100))  # 主要内容
    task: Mapped[str] = mapped_column(Text, default="")  # 重点任务
    responsible: Mapped[str] = mapped_column(String(200), default="")  # 责任单位
    finding: Mapped[str] = mapped_column(Text)  # 发现问题
    measures: Mapped[str] = mapped_column(Text, default="")  # 整改措施
    outcome: Mapped[str] = mapped_column(Text, default="")  # 整改成效
    deadline: Mapped[dt.date | None] = mapped_column(Date)  # 完成时限
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending | in_progress | fixed
    fixed_on: Mapped[dt.date | None] = mapped_column(Date)
    confirmed_by: Mapped[str | None] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


# --- payments (资金发放, payments.md): payrolls, their lines, bank files, amounts owed, price indices


class PayrollRow(Base):
    """One payroll: an area (township, or the county where it pays), a programme group, a month.

    ``version`` is the optimistic lock of its maker-checker steps: every step is one
    ``UPDATE … WHERE version = expected AND state = expected``, so two approvers cannot both win.
    """

    __tablename__ = "payrolls"
    __table_args__ = (UniqueConstraint("area_code", "group_code", "month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_code: Mapped[str] = mapped_column(CODE, ForeignKey("areas.code"))
    group_code: Mapped[str] = mapped_column(CODE)
    month: Mapped[str] = mapped_column(String(7))
    state: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    # The first month this area's group is paid through the program (its first payroll's month or
    # the month given then): nothing before it is back-paid, it was paid outside the program.
    covers_from: Mapped[str] = mapped_column(String(7))
    built_by: Mapped[str] = mapped_column(String(64))
    built_at: Mapped[dt.datetime] = mapped_column(DateTime)
    submitted_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    exported_by: Mapped[str | None] = mapped_column(String(64))
    results_by: Mapped[str | None] = mapped_column(String(64))
    closed_by: Mapped[str | None] = mapped_column(String(64))
    line_count: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    held_count: Mapped[int] = mapped_column(Integer, default=0)
    held_total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    digest: Mapped[str | None] = mapped_column(String(64))
    frozen: Mapped[dict[str, Any] | None] = mapped_column(NULLABLE_JSON)  # totals and changes at approval
    note: Mapped[str] = mapped_column(Text, default="")


class PayrollLineRow(Base):
    """One payee, one item, one month. A line that is to be paid or was paid is ``live``; the
    partial unique index on (case, item, month) over live lines means nothing is paid twice, while
    a line held back or failed at the bank may be followed by a later one (补发)."""

    __tablename__ = "payroll_lines"
    __table_args__ = (
        Index("uq_payroll_lines_live_key", "case_id", "item", "month", unique=True,
              sqlite_where=text("live = 1"), postgresql_where=text("live")),
        Index("ix_payroll_lines_case_month", "case_id", "month"),
        Index("ix_payroll_lines_payroll_seq", "payroll_id", "seq"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payroll_id: Mapped[int] = mapped_column(ForeignKey("payrolls.id"))
    seq: Mapped[int] = mapped_column(Integer)  # 序号 in the payroll and the bank file
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))  # the benefit (the granting case)
    item: Mapped[str] = mapped_column(CODE)
    month: Mapped[str] = mapped_column(String(7))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    kind: Mapped[str] = mapped_column(String(16))  # regular | back_pay | difference | one_off
    state: Mapped[str] = mapped_column(String(16))  # pending | held | paid | failed
    live: Mapped[bool] = mapped_column(Boolean)
    ref: Mapped[str] = mapped_column(String(32), default="")  # the deciding case's number
    basis: Mapped[int] = mapped_column(Integer, default=0)  # decisions in the benefit's history when built
    persons: Mapped[int] = mapped_column(Integer, default=0)
    person_ids: Mapped[str] = mapped_column(Text, default="")  # 价格临时补贴: who it is for (each once a month)
    village_code: Mapped[str] = mapped_column(CODE)
    household_id: Mapped[int | None] = mapped_column(Integer)
    payee_name: Mapped[str] = mapped_column(NAME)
    payee_id_number: Mapped[str] = mapped_column(String(32))
    bank_name: Mapped[str] = mapped_column(String(100), default="")
    bank_account: Mapped[str] = mapped_column(String(40), default="")
    hold_reason: Mapped[str] = mapped_column(Text, default="")
    result_reason: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")


class BankFileRow(Base):
    """A bank file made for a payroll (``export``) or a result file read back (``result``)."""

    __tablename__ = "bank_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payroll_id: Mapped[int] = mapped_column(ForeignKey("payrolls.id"), index=True)
    direction: Mapped[str] = mapped_column(String(8))  # export | result
    layout: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    line_count: Mapped[int] = mapped_column(Integer)
    total: Mapped[Decimal] = mapped_column(MONEY)
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)


class AmountOwedRow(Base):
    """Paid but not due (追缴): a stop or reduction reached a month already paid. Recorded against
    the benefit, never as a negative line; open until recovered or written off with a reason."""

    __tablename__ = "amounts_owed"
    __table_args__ = (UniqueConstraint("case_id", "item", "month", "source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    item: Mapped[str] = mapped_column(CODE)
    month: Mapped[str] = mapped_column(String(7))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    source: Mapped[str] = mapped_column(String(32))  # the decision that made it not due
    reason: Mapped[str] = mapped_column(Text)
    payroll_id: Mapped[int] = mapped_column(ForeignKey("payrolls.id"), index=True)  # found while building it
    status: Mapped[str] = mapped_column(String(16))  # draft | open | recovered | written_off
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    settled_by: Mapped[str | None] = mapped_column(String(64))
    settled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    settle_note: Mapped[str] = mapped_column(Text, default="")


class PriceIndexRow(Base):
    """A month's published price indices for an area (year-on-year rises in percent, policy.md §11)."""

    __tablename__ = "price_indices"
    __table_args__ = (UniqueConstraint("area_code", "month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_code: Mapped[str] = mapped_column(CODE, ForeignKey("areas.code"))
    month: Mapped[str] = mapped_column(String(7))
    cpi_yoy: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    food_yoy: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    entered_by: Mapped[str] = mapped_column(String(64))
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text, default="")


class ImportBatchRow(Base):
    """One committed import of a roster file: who, when, which file (by SHA-256) and what it did.

    The audit trail has the same as an office event; this table lets the importer tell a clerk
    "this file was already imported on …" without reading the whole trail.
    """

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    profile: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)
