"""Repositories: domain dataclasses in, domain dataclasses out; ORM rows stay in here.

A :class:`UnitOfWork` wraps one session (one transaction, see ``Database.unit_of_work``) and offers
one repository per aggregate: ``areas``, ``users``, ``households``, ``cases``, ``events``,
``policies``, ``calendar``, ``settings``. Dates are ``datetime.date``, money ``Decimal``; JSON
columns hold JSON-native values only (money as strings), so a ``Decimal`` put into a form or
decision dict comes back as a string.
"""

from __future__ import annotations

import builtins
import contextlib
import copy
import dataclasses
import datetime as dt
import functools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import (
    Select,
    Text,
    and_,
    any_,
    bindparam,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..domain.errors import Conflict, InputError, NotFound, Refused, StorageFault
from ..domain.model import (
    Area,
    Assets,
    AuditEvent,
    Case,
    Disability,
    Household,
    IncomeItem,
    Member,
    RigidExpense,
    TemporaryClaim,
    User,
    Vehicle,
    head_of,
)
from ..domain.privacy import PostedHousehold, posted_household
from .benefits import BenefitRepository
from .bulk import ImportRepository
from .campaigns import CampaignRepository
from .chain import ChainWalk, event_digest
from .deferred import DeferredWrites
from .ledgers import LedgerReader
from .listing import CaseListRepository, in_states
from .mapping import MEMBER_ALLOWANCE_FIELDS, member_values
from .mapping import assets_json as _assets_json
from .models import (
    AreaRow,
    AuditChainRow,
    AuditEventRow,
    CalendarOverrideRow,
    CaseRow,
    HouseholdRow,
    IncomeItemRow,
    LockRow,
    MemberRow,
    PolicySetRow,
    RigidExpenseRow,
    SerialisedJSON,
    SettingRow,
    UserRow,
    json_dumps,
    json_normalized,
)
from .payments import PaymentRepository
from .prepared import Driver
from .statistics import StatisticsReader

_CENT = Decimal("0.01")


class StaleVersionError(Conflict):
    """A case was changed by someone else since it was read (optimistic locking)."""

    def __init__(self, current: int, expected: int):
        super().__init__(f"案件已被他人修改（当前版本 {current}，您的版本 {expected}），请刷新后重试",
                         current, expected)


class NotFoundError(NotFound):
    """A record asked for by id does not exist (deleted, or a wrong id)."""


class OpenChildError(Refused):
    """A second open 复核/变更/停保 case for one benefit (the partial unique index refused it)."""


class OutOfOrderError(InputError):
    """An event dated before the last event of its case: a history reads in date order."""


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _money(value: Decimal, what: str) -> Decimal:
    # Numeric(14, 2) would round a third decimal away silently; refuse instead of losing money.
    amount = Decimal(value)
    if amount != amount.quantize(_CENT):
        raise InputError(f"{what}金额最多保留两位小数：{amount}", field="amount")
    return amount


# ---------------------------------------------------------------------------------------- areas


def _area(row: AreaRow) -> Area:
    return Area(code=row.code, name=row.name, level=row.level, parent_code=row.parent_code,
                urban_rural=row.urban_rural)


class AreaRepository:
    """Administrative areas: county → township → village."""

    def __init__(self, session: Session):
        self._s = session
        self._known: dict[str, Area | None] = {}  # read ahead by preload_chains (Area is frozen)

    def add(self, area: Area) -> None:
        self._known.pop(area.code, None)
        self._s.add(
            AreaRow(code=area.code, name=area.name, level=area.level, parent_code=area.parent_code,
                    urban_rural=area.urban_rural)
        )
        self._s.flush()

    def set_urban_rural(self, code: str, urban_rural: str) -> None:
        row = self._s.get(AreaRow, code)
        if row is None:
            raise NotFoundError(f"没有地区「{code}」")
        row.urban_rural = urban_rural
        self._known.pop(code, None)
        self._s.flush()

    def preload_chains(self, codes: Iterable[str]) -> None:
        """Read these areas and all their parents ahead, one query per level (village, township,
        county), so that :meth:`get` answers them without a query for the rest of this unit of work
        (a batch checks each case's area against the user's: services/lookup.py area_chain)."""
        wanted = {c for c in codes if c and c not in self._known}
        while wanted:
            found: list[Area] = []
            statement = _rows_with(AreaRow, "code", (), _postgres(self._s))
            for chunk in chunks(sorted(wanted), IN_CHUNK):
                found += [_area(r) for r in self._s.connection().execute(statement, {"ids": list(chunk)})]
            self._known.update(dict.fromkeys(wanted))
            self._known.update((a.code, a) for a in found)
            wanted = {a.parent_code for a in found if a.parent_code and a.parent_code not in self._known}

    def get(self, code: str) -> Area | None:
        if code in self._known:
            return self._known[code]
        row = self._s.get(AreaRow, code)
        return None if row is None else _area(row)

    def names(self, codes: Iterable[str]) -> dict[str, str]:
        """Code → name of these areas, in one query per 900 codes (a county's 360 villages would
        otherwise be 360 look-ups); codes that are no area are left out."""
        wanted = sorted(set(codes))
        out: dict[str, str] = {}
        for i in range(0, len(wanted), 900):
            stmt = select(AreaRow.code, AreaRow.name).where(AreaRow.code.in_(wanted[i:i + 900]))
            out.update((code, name) for code, name in self._s.execute(stmt))
        return out

    def children(self, code: str, level: str | None = None) -> list[Area]:
        """Direct children of ``code``; with ``level``, all descendants of that level."""
        if level is None:
            rows = self._s.scalars(
                select(AreaRow).where(AreaRow.parent_code == code).order_by(AreaRow.code)
            )
            return [_area(r) for r in rows]
        found: list[Area] = []
        parents = [code]
        while parents:  # the hierarchy is three levels deep, so this runs at most three times
            rows = self._s.scalars(select(AreaRow).where(AreaRow.parent_code.in_(parents))).all()
            found.extend(_area(r) for r in rows if r.level == level)
            parents = [r.code for r in rows if r.level != level]
        return sorted(found, key=lambda a: a.code)

    def all(self) -> list[Area]:
        return [_area(r) for r in self._s.scalars(select(AreaRow).order_by(AreaRow.code))]

    def villages_under(self, code: str) -> list[str] | None:
        """Codes of the villages under ``code`` (itself, if a village), sorted; None when that is
        every village there is (a county's own database) or ``code`` is no area: no filter needed."""
        rows = self._s.execute(select(AreaRow.code, AreaRow.level, AreaRow.parent_code)).all()
        level = {c: lv for c, lv, _p in rows}
        if code not in level:
            return None
        if level[code] == "village":
            return [code]
        children: dict[str | None, list[str]] = {}
        for c, _lv, parent in rows:
            children.setdefault(parent, []).append(c)
        found, todo = [], [code]
        while todo:
            for child in children.get(todo.pop(), ()):
                (found if level[child] == "village" else todo).append(child)
        if len(found) == sum(1 for lv in level.values() if lv == "village"):
            return None
        return sorted(found)


# ---------------------------------------------------------------------------------------- users


def _user(row: UserRow) -> User:
    roles = tuple(r for r in row.roles.split(",") if r)
    return User(
        username=row.username,
        full_name=row.full_name,
        roles=roles,
        area_code=row.area_code,
        active=row.active,
    )


class UserRepository:
    """Accounts. Password hashes and the log-in counters never leave as part of :class:`User`;
    :meth:`credentials` gives them to the account service only."""

    def __init__(self, session: Session):
        self._s = session

    def update(self, user: User) -> None:
        """Overwrite name, roles, area and active flag of an existing account."""
        row = self._row(user.username)
        row.full_name = user.full_name
        row.roles = ",".join(user.roles)
        row.area_code = user.area_code
        row.active = user.active
        self._s.flush()

    def credentials(self, username: str) -> dict[str, Any] | None:
        """``{password_hash, failed_logins, locked_until, password_changed_at,
        must_change_password}`` of an account, or None if there is no such account."""
        row = self._s.get(UserRow, username, populate_existing=True)
        if row is None:
            return None
        return {
            "password_hash": row.password_hash,
            "failed_logins": row.failed_logins or 0,
            "locked_until": row.locked_until,
            "password_changed_at": row.password_changed_at,
            "must_change_password": bool(row.must_change_password),
        }

    def set_password_hash(self, username: str, password_hash: str | None, *, changed_at: dt.datetime,
                          must_change: bool) -> None:
        """Store a new hash (None removes the password); clears failures and any lock."""
        row = self._row(username)
        row.password_hash = password_hash
        row.password_changed_at = changed_at if password_hash else None
        row.must_change_password = bool(must_change and password_hash)
        row.failed_logins = 0
        row.locked_until = None
        self._s.flush()

    def rehash(self, username: str, password_hash: str) -> None:
        """Replace the hash of the same password (stronger parameters); nothing else changes."""
        self._row(username).password_hash = password_hash
        self._s.flush()

    def count_failure(self, username: str) -> int:
        """Add one failed log-in, atomically (two PCs failing at once both count); return the total."""
        self._s.execute(
            update(UserRow)
            .where(UserRow.username == username)
            .values(failed_logins=UserRow.failed_logins + 1)
            .execution_options(synchronize_session=False)
        )
        return int(self._s.scalar(select(UserRow.failed_logins).where(UserRow.username == username)) or 0)

    def lock(self, username: str, until: dt.datetime | None) -> None:
        """Refuse every log-in until ``until`` (None unlocks and clears the failure count)."""
        values: dict[str, Any] = {"locked_until": until}
        if until is None:
            values["failed_logins"] = 0
        self._s.execute(update(UserRow).where(UserRow.username == username).values(**values)
                        .execution_options(synchronize_session=False))
        self._expire(username)

    def clear_failures(self, username: str) -> None:
        self._s.execute(update(UserRow).where(UserRow.username == username)
                        .values(failed_logins=0, locked_until=None)
                        .execution_options(synchronize_session=False))
        self._expire(username)

    def any_password(self) -> bool:
        """Whether any account has a password (the office has switched log-in passwords on)."""
        return self._s.scalar(select(func.count()).select_from(UserRow)
                              .where(UserRow.password_hash.is_not(None))) != 0

    def _expire(self, username: str) -> None:
        cached = self._s.identity_map.get(self._s.identity_key(UserRow, username))
        if cached is not None:
            self._s.expire(cached)

    def _row(self, username: str) -> UserRow:
        row = self._s.get(UserRow, username)
        if row is None:
            raise NotFoundError(f"没有用户「{username}」")
        return row

    def add(self, user: User) -> None:
        self._s.add(
            UserRow(
                username=user.username,
                full_name=user.full_name,
                roles=",".join(user.roles),
                area_code=user.area_code,
                active=user.active,
            )
        )
        self._s.flush()

    def get(self, username: str) -> User | None:
        row = self._s.get(UserRow, username)
        return None if row is None else _user(row)

    def all(self) -> list[User]:
        return [_user(r) for r in self._s.scalars(select(UserRow).order_by(UserRow.username))]


# ----------------------------------------------------------------------------------- households


def _assets(data: dict[str, Any]) -> Assets:
    return Assets(
        financial=Decimal(data.get("financial", "0")),
        vehicles=[
            Vehicle(disability_vehicle=bool(v.get("disability_vehicle")), note=v.get("note", ""))
            for v in data.get("vehicles", [])
        ],
        homes=int(data.get("homes", 0)),
        commercial_property=bool(data.get("commercial_property", False)),
    )


def _temporary_json(claim: TemporaryClaim | None) -> dict[str, Any] | None:
    if claim is None:
        return None
    return {"type": claim.type, "amount": str(claim.amount), "cause": claim.cause}


def _temporary(data: dict[str, Any] | None) -> TemporaryClaim | None:
    if data is None:
        return None
    return TemporaryClaim(type=data["type"], amount=Decimal(data["amount"]), cause=data["cause"])


def _member_row(position: int, m: Member) -> MemberRow:
    return MemberRow(**member_values(position, m))


def _member(row: MemberRow) -> Member:
    disability = None
    if row.disability_type is not None and row.disability_grade is not None:
        disability = Disability(type=row.disability_type, grade=row.disability_grade)
    return Member(
        name=row.name,
        id_number=row.id_number,
        relation=row.relation,
        excluded=row.excluded,
        disability=disability,
        serious_illness=row.serious_illness,
        applicant=row.applicant,
        adl_unable=row.adl_unable,
        work_capacity=row.work_capacity,
        student=row.student,
        staff_relative=row.staff_relative,
        **{key: getattr(row, key) for key in MEMBER_ALLOWANCE_FIELDS},
    )


def _fill_household(row: HouseholdRow, h: Household) -> None:
    row.village_code = h.village_code
    row.address = h.address
    row.phone = h.phone
    row.bank_name = h.bank_name
    row.bank_account = h.bank_account
    row.no_able_supporter = h.no_able_supporter
    row.assets = _assets_json(h.assets)
    row.temporary = _temporary_json(h.temporary)
    row.members = [_member_row(i, m) for i, m in enumerate(h.members)]
    row.income_items = [
        IncomeItemRow(
            position=i,
            member_position=item.member,
            type=item.type,
            amount=_money(item.amount, "收入"),
            note=item.note,
        )
        for i, item in enumerate(h.income)
    ]
    row.rigid_expenses = [
        RigidExpenseRow(
            position=i,
            member_position=item.member,
            kind=item.kind,
            amount=_money(item.amount, "刚性支出"),
            note=item.note,
        )
        for i, item in enumerate(h.rigid_expenses)
    ]


# Ids per ``IN (...)`` of a bulk read: far below SQLite's and PostgreSQL's bound-parameter limits.
IN_CHUNK = 500
BULK_CHUNK = 5000  # ids bound in one IN (…) of a bulk read: SQLite ≥ 3.32 takes 32,766, PostgreSQL 65,535
_T = TypeVar("_T")


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _key_in_ids(column: Any, postgres: bool) -> Any:
    """``column`` IN the list given as ``:ids``. On PostgreSQL ``column = ANY(:ids)``, the list one
    array parameter: an expanding IN gives each value a placeholder and a cast, so the statement's
    text changes with every length and the server parses it anew (200 household ids: 1.2 ms of
    CPU against 0.4 ms). SQLite has no arrays: the expanding IN."""
    if postgres:
        return column == any_(bindparam("ids", type_=ARRAY(column.type)))
    return column.in_(bindparam("ids", expanding=True))


@functools.cache
def _rows_with(entity: Any, key: str, order: tuple[str, ...] = (), postgres: bool = False,
               names: tuple[str, ...] | None = None) -> Any:
    """SELECT every column of ``entity`` (or the columns ``names``) WHERE ``key`` IN (:ids) ORDER BY
    ``order``, built once: a batch's read-ahead runs these for every slice of cases, and building and
    keying a statement cost more than running it. Run on the session's connection, its rows are
    plain (no ORM loading)."""
    return (select(*_columns(entity, names)).where(_key_in_ids(getattr(entity, key), postgres))
            .order_by(*(getattr(entity, name) for name in order)))


@functools.cache
def _posted_statements(postgres: bool) -> tuple[Any, Any]:
    """What :meth:`HouseholdRepository.posted_where` reads of the households :ids, built once: their
    members in order (relation, name, ID number, disability) and their contact values. The ids are
    one parameter (compiled once, run on the driver's connection: storage/prepared.py): an array on
    PostgreSQL, a JSON list on SQLite (its rows by ``json_each``, each id found by the index).

    On PostgreSQL each id's members are read by the index in a lateral subquery, not filtered by
    ``= ANY(:ids)`` nor joined to the ids unnested: whichever plan those leave the server to cost
    is wrong at one size or the other (2,000 households of 100,000: a parallel scan of the county's
    members, 29 ms of the server, against 3 ms by the index; 200 of 10,000 joined: a hash over every
    member, 5 ms against 0.3). A subquery ordered by position is never merged into the join, so
    it is one index probe per id whatever the sizes."""
    m, h = MemberRow, HouseholdRow
    columns = (m.household_id, m.relation, m.name, m.id_number, m.disability_type, m.disability_grade)
    if postgres:
        wanted = func.unnest(bindparam("ids", type_=ARRAY(m.household_id.type))).table_valued("id").render_derived()
        each = select(*columns, m.position).where(m.household_id == wanted.c.id).order_by(m.position).lateral()
        members = (select(*(each.c[c.key] for c in columns)).select_from(wanted).join(each, true())
                   .order_by(each.c.household_id, each.c.position))
        return members, select(h.id, h.phone, h.address, h.bank_account).where(_key_in_ids(h.id, postgres))
    ids = select(func.json_each(bindparam("ids", type_=Text)).table_valued("value").c.value).scalar_subquery()
    members = select(*columns).where(m.household_id.in_(ids)).order_by(m.household_id, m.position)
    return members, select(h.id, h.phone, h.address, h.bank_account).where(h.id.in_(ids))


def chunks(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _columns(entity: Any, names: tuple[str, ...] | None = None) -> list[Any]:
    """Every column of a mapped class (or those ``names``), to read its rows as plain values (no ORM objects)."""
    return [getattr(entity, name) for name in names or (c.key for c in entity.__mapper__.column_attrs)]


# A member as :func:`_plain_member` reads it: its household, then Member's fields in their order,
# its disability as the two columns it is stored in.
_MEMBER_FIELDS = tuple(f.name for f in dataclasses.fields(Member))
_DISABILITY_AT = _MEMBER_FIELDS.index("disability")
_PLAIN_MEMBER = ("household_id", *_MEMBER_FIELDS[:_DISABILITY_AT], "disability_type", "disability_grade",
                 *_MEMBER_FIELDS[_DISABILITY_AT + 1:])


def _plain_member(row: Any) -> Member:
    """A Member from a row of the columns :data:`_PLAIN_MEMBER`, by position: read by name, a row's
    eighteen values took most of the time a batch spent building its households."""
    kind, grade = row[_DISABILITY_AT + 1], row[_DISABILITY_AT + 2]
    disability = None if kind is None or grade is None else Disability(type=kind, grade=grade)
    return Member(*row[1:_DISABILITY_AT + 1], disability, *row[_DISABILITY_AT + 3:])


def _household(row: Any, members: list[Member] | None = None, income: list[IncomeItem] | None = None,
               expenses: list[RigidExpense] | None = None) -> Household:
    """A Household from a HouseholdRow, or from a row of its columns with its members and items read apart."""
    return Household(
        id=row.id,
        members=members if members is not None else [_member(m) for m in row.members],
        income=income if income is not None else [
            IncomeItem(type=i.type, amount=i.amount, member=i.member_position, note=i.note)
            for i in row.income_items
        ],
        rigid_expenses=expenses if expenses is not None else [
            RigidExpense(kind=e.kind, amount=e.amount, member=e.member_position, note=e.note)
            for e in row.rigid_expenses
        ],
        assets=_assets(row.assets),
        no_able_supporter=row.no_able_supporter,
        temporary=_temporary(row.temporary),
        village_code=row.village_code,
        address=row.address,
        phone=row.phone,
        bank_name=row.bank_name,
        bank_account=row.bank_account,
    )


def _built(row: Any, members: list[Any], income: list[Any], expenses: list[Any]) -> Household:
    """A new Household from plain rows read by :meth:`HouseholdRepository._rows_where`."""
    return _household(row, [_plain_member(m) for m in members],
                      [IncomeItem(type=r.type, amount=r.amount, member=r.member_position, note=r.note) for r in income],
                      [RigidExpense(kind=r.kind, amount=r.amount, member=r.member_position, note=r.note)
                       for r in expenses])


class HouseholdRepository:
    """Households with their members, income items, rigid expenses and assets."""

    def __init__(self, session: Session):
        self._s = session
        self._ahead: dict[int, tuple[Any, Any, Any, Any]] = {}  # read ahead by preload: the rows

    def preload(self, household_ids: Iterable[int]) -> None:
        """Read these households ahead (four queries per chunk of ids): :meth:`get` then builds each
        from the rows read, a new object at every call, without a query, for the rest of this unit of
        work or until :meth:`replace` writes it (a batch reads each case's household three times)."""
        wanted = sorted(set(household_ids) - self._ahead.keys())
        for chunk in chunks(wanted, BULK_CHUNK):
            self._ahead.update(self._rows_where(list(chunk)))

    def add(self, household: Household) -> int:
        """Insert ``household``; sets and returns its new id."""
        row = HouseholdRow(created_at=_now())
        _fill_household(row, household)
        self._s.add(row)
        self._s.flush()
        household.id = row.id
        return row.id

    def get(self, household_id: int) -> Household:
        ahead = self._ahead.get(household_id)
        if ahead is not None:
            return _built(*ahead)
        return _household(self._row(household_id))

    def head_name(self, household_id: int) -> str:
        """The name of the household's 户主: from the member rows read ahead when it was, without
        building the household (a batch names each case's head in its list of done cases)."""
        ahead = self._ahead.get(household_id)
        if ahead is not None and ahead[1]:
            return head_of(ahead[1]).name
        return self.get(household_id).head.name

    def id_numbers(self, household_id: int) -> list[str]:
        """The members' ID numbers in member order: from the rows read ahead when it was, without
        building the household (who a benefit covers, for each case a batch grants)."""
        ahead = self._ahead.get(household_id)
        if ahead is not None:
            return [m.id_number for m in ahead[1]]
        return [m.id_number for m in self.get(household_id).members]

    def get_many(self, household_ids: Iterable[int]) -> dict[int, Household]:
        """id → household for many at once: four queries per chunk of ids (:meth:`get_where`),
        never a query per household."""
        wanted = sorted(set(household_ids))
        out: dict[int, Household] = {}
        for chunk in chunks(wanted, BULK_CHUNK):
            out.update(self.get_where(list(chunk)))
        missing = set(wanted) - out.keys()
        if missing:
            raise NotFoundError(f"找不到编号为 {min(missing)} 的家庭")
        return out

    def posted_where(self, ids: Sequence[int]) -> dict[int, PostedHousehold]:
        """id → what a posted list shows of a household (head, size) and the values it must never
        print, for the households ``ids``: two queries per :data:`BULK_CHUNK` of ids, only the columns
        these need, each row found by its key."""
        driver = Driver.of(self._s.connection())  # plain rows: no ORM work, no SQLAlchemy result
        postgres = _postgres(self._s)
        members = driver.cached("posted members", lambda: _posted_statements(postgres)[0])
        households = driver.cached("posted households", lambda: _posted_statements(postgres)[1])
        out: dict[int, PostedHousehold] = {}
        for chunk in chunks(sorted(set(ids)), BULK_CHUNK):
            values = {"ids": list(chunk) if postgres else json.dumps(list(chunk))}
            people: dict[int, list[tuple[Any, ...]]] = {}
            for row in members.all(driver, values):
                people.setdefault(row[0], []).append(row[1:])
            out.update((i, posted_household(people.get(i, []), phone, address, account))
                       for i, phone, address, account in households.all(driver, values))
        return out

    def get_where(self, ids: Any) -> dict[int, Household]:
        """id → household for the households whose ids ``ids`` gives (a list, or a SELECT of
        household ids: a village's list is then four queries whatever its size). Read as plain
        column values (households, members, income items, rigid expenses), no ORM rows."""
        return {i: _built(*rows) for i, rows in self._rows_where(ids).items()}

    def _rows_where(self, ids: Any) -> dict[int, tuple[Any, list[Any], list[Any], list[Any]]]:
        """id → (household row, member rows, income item rows, rigid expense rows) in four queries."""
        def rows(entity: Any, key: str, *order: str, names: tuple[str, ...] | None = None) -> Any:
            if isinstance(ids, list | tuple):  # ids given: the statement built once
                return self._s.connection().execute(_rows_with(entity, key, order, _postgres(self._s), names),
                                                    {"ids": list(ids)})
            return self._s.execute(select(*_columns(entity, names)).where(getattr(entity, key).in_(ids))
                                   .order_by(*(getattr(entity, name) for name in order)))

        members: dict[int, list[Any]] = {}
        for r in rows(MemberRow, "household_id", "household_id", "position", names=_PLAIN_MEMBER):
            members.setdefault(r.household_id, []).append(r)
        income: dict[int, list[Any]] = {}
        for r in rows(IncomeItemRow, "household_id", "household_id", "position"):
            income.setdefault(r.household_id, []).append(r)
        expenses: dict[int, list[Any]] = {}
        for r in rows(RigidExpenseRow, "household_id", "household_id", "position"):
            expenses.setdefault(r.household_id, []).append(r)
        return {r.id: (r, members.get(r.id, []), income.get(r.id, []), expenses.get(r.id, []))
                for r in rows(HouseholdRow, "id")}

    def replace(self, household: Household) -> None:
        """Overwrite a stored household (by ``household.id``), members and items included."""
        if household.id is None:
            raise ValueError("replace() needs a household that has an id")
        self._ahead.pop(household.id, None)
        row = self._row(household.id)
        # Old children are deleted before new ones are inserted, or (household_id, position)
        # would collide: the unit of work inserts before it deletes.
        row.members.clear()
        row.income_items.clear()
        row.rigid_expenses.clear()
        self._s.flush()
        _fill_household(row, household)
        self._s.flush()

    def _row(self, household_id: int) -> HouseholdRow:
        row = self._s.get(HouseholdRow, household_id)
        if row is None:
            raise NotFoundError(f"找不到编号为 {household_id} 的家庭")
        return row


# ---------------------------------------------------------------------------------------- cases

# Every Case field except id is a column of the same name.
def _village_cases(village_code: str, programme: str) -> Any:
    """The ids of a village's cases of a programme, as a subquery: written so, the planner starts
    from the village's few thousand cases (and their events by case), not from every event of a
    kind in the county."""
    return select(CaseRow.id).where(CaseRow.village_code == village_code, CaseRow.programme == programme)


_CASE_FIELDS = tuple(f.name for f in dataclasses.fields(Case) if f.name != "id")
_CASE_JSON_FIELDS = ("forms", "proposal", "decision", "benefit")
_CASE_SCALARS = tuple(name for name in _CASE_FIELDS if name not in _CASE_JSON_FIELDS)


def _case(row: Any, *, fresh: bool = False) -> Case:
    """A Case from a CaseRow, or (``fresh``) from a row of plain column values nothing else holds."""
    values = {name: getattr(row, name) for name in _CASE_FIELDS}
    if not fresh:
        for name in _CASE_JSON_FIELDS:
            # A copy, so a caller editing case.forms cannot change what the session holds.
            values[name] = copy.deepcopy(values[name])
    return Case(id=row.id, **values)


def _case_values(case: Case) -> dict[str, Any]:
    values = {name: getattr(case, name) for name in _CASE_FIELDS}
    values["forms"] = json_normalized(case.forms or {})
    for name in ("proposal", "decision", "benefit"):
        values[name] = None if values[name] is None else json_normalized(values[name])
    return values


@functools.cache
def _case_save(columns: tuple[str, ...] = _CASE_FIELDS) -> Any:
    """The UPDATE of :meth:`CaseRepository.save`, built once per set of columns: these fields of
    a case (every one unless fewer are known to have changed) and its version, by bound parameters
    (the JSON ones as their text), where its id and version are the ones given (``_id``, ``_expected``)."""
    t = CaseRow.__table__
    return (update(t).where(t.c.id == bindparam("_id"), t.c.version == bindparam("_expected"))
            .values({name: bindparam(name, type_=SerialisedJSON()) if name in _CASE_JSON_FIELDS else bindparam(name)
                     for name in (*columns, "version")}))


class CaseRepository:
    """Cases, with optimistic locking on ``version``."""

    def __init__(self, session: Session):
        self._s = session
        self.deferred: DeferredWrites | None = None  # set by the unit of work
        self._ahead: dict[int, Any] = {}  # read ahead by preload: plain rows, each handed out once
        # The plain columns of a case handed out from what was read ahead, as read: its save then
        # writes only those that changed (and the JSON ones), not every column and index of it.
        self._as_read: dict[int, tuple[Any, ...]] = {}
        self._children: dict[int, builtins.list[Any]] = {}  # read ahead by preload: rows of their children

    def preload(self, case_ids: Iterable[int]) -> list[tuple[int, int, str]]:
        """Read these cases ahead, one query per chunk of ids; returns (id, household id, village) of
        each found. The next :meth:`get` of each is answered from what was read (once: a later get
        reads the database again; saving or locking the case drops it). A batch reads a chunk so."""
        out: list[tuple[int, int, str]] = []
        postgres = _postgres(self._s)
        for chunk in chunks(sorted(set(case_ids)), BULK_CHUNK):
            for row in self._s.connection().execute(_rows_with(CaseRow, "id", (), postgres), {"ids": list(chunk)}):
                self._ahead[row.id] = row
                out.append((row.id, row.household_id, row.village_code))
            children: dict[int, builtins.list[Any]] = {i: [] for i in chunk}
            for row in self._s.connection().execute(_rows_with(CaseRow, "parent_case_id", ("id",), postgres), {"ids": list(chunk)}):
                children[row.parent_case_id].append(row)
            self._children.update(children)
        return out

    def _forget(self, case: Case | int) -> None:
        """Drop what was read ahead of a case about to be written (and its parent's children)."""
        row = self._ahead.pop(case if isinstance(case, int) else case.id, None)
        self._as_read.pop(case if isinstance(case, int) else case.id, None)
        parent = row.parent_case_id if row is not None else getattr(case, "parent_case_id", None)
        if parent is not None:
            self._children.pop(parent, None)
        elif isinstance(case, int) and row is None:
            self._children.clear()  # a case not read ahead: whose child it is is not known here

    def add(self, case: Case) -> Case:
        """Insert ``case`` at version 1; sets ``case.id`` and ``case.version`` and returns it.

        On a shared server two clerks may take the same :meth:`next_number` at the same moment;
        the second insert then takes the next free number instead of failing (``case.number`` is
        updated). SQLite has one writer at a time, so there it cannot happen.
        """
        values = {**_case_values(case), "version": 1}
        if case.parent_case_id is not None:
            self._children.pop(case.parent_case_id, None)
        try:
            if self._s.get_bind().dialect.name == "sqlite":
                row = CaseRow(**values)
                self._s.add(row)
                self._s.flush()
            else:
                row = self._add_numbered(values)
        except IntegrityError as exc:
            if "uq_cases_open_child" in str(exc.orig) or "cases.parent_case_id" in str(exc.orig):
                # The session must be rolled back now; the message cannot look the parent up.
                raise OpenChildError("该在保案件已有未办结的复核、变更或停保案件（可能是他人刚刚登记的），"
                                     "请刷新后查看，先办结该案件") from None
            raise
        case.id = row.id
        case.number = row.number
        case.version = 1
        return case

    def _add_numbered(self, values: dict[str, Any], attempts: int = 20) -> CaseRow:
        for attempt in range(attempts):
            row = CaseRow(**values)
            try:
                with self._s.begin_nested():  # a savepoint: the failed insert alone is undone
                    self._s.add(row)
                    self._s.flush()
                return row
            except IntegrityError:
                taken = self._s.scalar(select(func.count()).select_from(CaseRow)
                                       .where(CaseRow.number == values["number"]))
                if not taken or attempt == attempts - 1:
                    raise  # another constraint, or an implausible run of collisions: a bug
                prefix = values["number"].rsplit("-", 1)[0] + "-"
                last = self._s.scalar(select(func.max(CaseRow.number)).where(
                    CaseRow.number >= prefix, CaseRow.number < prefix + "\uffff"))
                values["number"] = f"{prefix}{int(last[len(prefix):]) + 1:06d}"
        raise AssertionError("unreachable")

    def get(self, case_id: int) -> Case:
        ahead = self._ahead.pop(case_id, None)
        if ahead is not None:
            self._as_read[case_id] = tuple(getattr(ahead, name) for name in _CASE_SCALARS)
            return _case(ahead, fresh=True)  # its JSON values were decoded for this row alone
        self._as_read.pop(case_id, None)
        row = self._s.get(CaseRow, case_id)
        if row is None:
            raise NotFoundError(f"找不到编号为 {case_id} 的案件")
        return _case(row)

    def lock(self, case_id: int) -> None:
        """Hold the case's row until this transaction ends; another transaction locking or saving it
        waits. A no-op UPDATE, because it locks on both databases (SQLite ignores FOR UPDATE but
        takes its write lock for an UPDATE); afterwards :meth:`get` reads the case as committed."""
        self._forget(case_id)
        self._s.execute(update(CaseRow).where(CaseRow.id == case_id).values(version=CaseRow.version)
                        .execution_options(synchronize_session=False))
        cached = self._s.identity_map.get(self._s.identity_key(CaseRow, case_id))
        if cached is not None:
            self._s.expire(cached)

    def get_by_number(self, number: str) -> Case | None:
        row = self._s.scalars(select(CaseRow).where(CaseRow.number == number)).one_or_none()
        return None if row is None else _case(row)

    def save(self, case: Case, expected_version: int) -> Case:
        """Write every field of ``case`` if the stored version is still ``expected_version``.

        Returns a copy of ``case`` at version ``expected_version + 1``; ``case`` is not changed,
        so a rolled-back transaction leaves the caller's object consistent with the database.

        Raises:
            StaleVersionError: someone saved the case since ``expected_version`` was read.
            NotFoundError: the case does not exist.
        """
        if case.id is None:
            raise ValueError("save() needs a case that has an id; use add() for a new case")
        read = self._as_read.get(case.id)
        self._forget(case)
        columns = _CASE_FIELDS if read is None else (
            *(name for name, old in zip(_CASE_SCALARS, read, strict=True) if getattr(case, name) != old),
            *_CASE_JSON_FIELDS)
        # The JSON columns go as their text (json_dumps), the same a normalised copy would give; the
        # UPDATE leaves no object in the session to match. On PostgreSQL the driver then gets text,
        # not objects to serialise, and the check of every statement's text (storage/db.py) one string.
        values = {name: getattr(case, name) for name in columns}
        values["forms"] = case.forms or {}
        for name in _CASE_JSON_FIELDS:
            values[name] = None if values[name] is None else json_dumps(values[name])
        values["version"] = expected_version + 1
        # One UPDATE with the version in its WHERE clause: check and write cannot be interleaved
        # by another writer, whatever the isolation level.
        params = {**values, "_id": case.id, "_expected": expected_version}
        if self.deferred is not None and self.deferred.active:  # a batch's chunk: written with the others
            self.deferred.add(_case_save(columns), params, one_row=True)  # the version check is counted then
            return dataclasses.replace(case, version=expected_version + 1)
        result = self._s.execute(_case_save(columns), params)
        if result.rowcount != 1:  # type: ignore[attr-defined]
            current = self._s.scalar(select(CaseRow.version).where(CaseRow.id == case.id))
            if current is None:
                raise NotFoundError(f"找不到编号为 {case.id} 的案件")
            raise StaleVersionError(current=current, expected=expected_version)
        # The UPDATE bypassed the session: drop any copy of the row it holds, so later reads in
        # this unit of work see what was written.
        cached = self._s.identity_map.get(self._s.identity_key(CaseRow, case.id))
        if cached is not None:
            self._s.expire(cached)
        return dataclasses.replace(case, version=expected_version + 1)

    def query(
        self,
        state: str | None = None,
        states: list[str] | None = None,
        village_code: str | None = None,
        programme: str | None = None,
        deadline_before: dt.date | None = None,
        open_only: bool = False,
        limit: int | None = None,
        offset: int = 0,
        workflow_states: dict[str, list[str]] | None = None,
    ) -> list[Case]:
        """Cases matching every filter given, in id order.

        ``deadline_before`` keeps cases whose state deadline or total deadline is earlier than
        that date; ``workflow_states`` (``{workflow_id: [state, …]}``) keeps cases in those states of
        those workflows (the services build it from the workflows' state roles).
        """
        stmt = select(CaseRow)
        if state is not None:
            stmt = stmt.where(CaseRow.state == state)
        if states is not None:
            stmt = stmt.where(CaseRow.state.in_(states))
        if workflow_states is not None:
            stmt = stmt.where(in_states(workflow_states))
        if village_code is not None:
            stmt = stmt.where(CaseRow.village_code == village_code)
        if programme is not None:
            stmt = stmt.where(CaseRow.programme == programme)
        if deadline_before is not None:
            stmt = stmt.where(
                or_(
                    CaseRow.state_deadline < deadline_before,
                    CaseRow.total_deadline < deadline_before,
                )
            )
        if open_only:
            stmt = stmt.where(CaseRow.closed.is_(False))
        stmt = stmt.order_by(CaseRow.id).offset(offset).limit(limit)
        return [_case(r) for r in self._s.scalars(stmt)]

    def events_on(self, trigger: str, *, village_code: str, programme: str, on: dt.date,
                  data: dict[tuple[str, ...], str] | None = None) -> list[tuple[Any, ...]]:
        """(case id, kind, programme, household id, *values) for each event ``trigger`` on ``on`` of the
        cases of a village and programme (a 公示 batch), in case and event order: one query, that
        day's events by their index, each case by its key. ``data`` maps a path of the event's data to
        how its value is read (``text``, ``int`` or ``bool``), taken out by the database's JSON
        functions (None where absent); no event's data is decoded whole."""
        paths = tuple((data or {}).items())
        driver = Driver.of(self._s.connection())  # compiled once, plain rows (storage/prepared.py)
        values = {"trigger": trigger, "on": on, "village_code": village_code, "programme": programme}
        rows = driver.cached(("events on", paths), lambda: _events_on(paths)).all(driver, values)
        rows.sort(key=lambda r: (r[0], r[-1]))  # by case and event (the last column is the event's seq)
        return [tuple(r[:-1]) for r in rows]

    def event_dates(self, trigger: str, *, village_code: str, programme: str) -> list[tuple[dt.date, str, str, int]]:
        """(date, workflow, state, number of events) of a village's ``trigger`` events by date and the
        cases' workflow and state now: a village's 公示 batches counted in one grouped query."""
        stmt = (select(AuditEventRow.effective_date, CaseRow.workflow_id, CaseRow.state, func.count())
                .join(CaseRow, CaseRow.id == AuditEventRow.case_id)
                .where(AuditEventRow.trigger == trigger,
                       AuditEventRow.case_id.in_(_village_cases(village_code, programme)))
                .group_by(AuditEventRow.effective_date, CaseRow.workflow_id, CaseRow.state))
        return [(d, w, s, n) for d, w, s, n in self._s.execute(stmt)]

    def count_by_state(self, open_only: bool = False) -> dict[str, int]:
        stmt = select(CaseRow.state, func.count()).group_by(CaseRow.state)
        if open_only:
            stmt = stmt.where(CaseRow.closed.is_(False))
        return {state: count for state, count in self._s.execute(stmt)}

    def next_number(self, programme_code: str, year: int) -> str:
        """The next free case number of a programme and year, e.g. ``2026-DB-000001``.

        Two writers asking at the same moment get the same number; the unique constraint on
        ``cases.number`` then refuses the second insert.
        """
        prefix = f"{year}-{programme_code}-"
        # The suffix is zero-padded, so the greatest string is the greatest number.
        last = self._s.scalar(
            select(func.max(CaseRow.number)).where(
                CaseRow.number >= prefix, CaseRow.number < prefix + "\uffff"
            )
        )
        serial = int(last[len(prefix) :]) + 1 if last else 1
        return f"{prefix}{serial:06d}"

    def open_cases_with_id_number(
        self, id_number: str, exclude_case: int | None = None
    ) -> list[Case]:
        """Open cases whose household has a member with this ID number (duplicate check)."""
        households = select(MemberRow.household_id).where(MemberRow.id_number == id_number)
        stmt = select(CaseRow).where(
            CaseRow.household_id.in_(households), CaseRow.closed.is_(False)
        )
        if exclude_case is not None:
            stmt = stmt.where(CaseRow.id != exclude_case)
        return [_case(r) for r in self._s.scalars(stmt.order_by(CaseRow.id))]

    def children(self, parent_id: int, *, open_only: bool = False) -> list[Case]:
        """Review, change and termination cases of the case that granted a benefit."""
        if parent_id in self._children:
            return [_case(r) for r in self._children[parent_id] if not (open_only and r.closed)]
        stmt = select(CaseRow).where(CaseRow.parent_case_id == parent_id)
        if open_only:
            stmt = stmt.where(CaseRow.closed.is_(False))
        return [_case(r) for r in self._s.scalars(stmt.order_by(CaseRow.id))]

    def with_id_number(
        self, id_number: str, *, programme: str | None = None,
        covered_states: tuple[str, ...] | dict[str, list[str]] = (),
    ) -> list[Case]:
        """Open cases, and closed ones in ``covered_states`` (e.g. approved = in payment; as
        ``{workflow_id: [state, …]}`` each name is taken with its workflow), of households with a
        member holding this ID number."""
        households = select(MemberRow.household_id).where(MemberRow.id_number == id_number)
        live = CaseRow.closed.is_(False)
        if isinstance(covered_states, dict):
            live = or_(live, in_states(covered_states))
        elif covered_states:
            live = or_(live, CaseRow.state.in_(covered_states))
        stmt = select(CaseRow).where(CaseRow.household_id.in_(households), live)
        if programme is not None:
            stmt = stmt.where(CaseRow.programme == programme)
        return [_case(r) for r in self._s.scalars(stmt.order_by(CaseRow.id))]


# --------------------------------------------------------------------------------------- events


# AuditEvent's fields, in order: each is a column of the same name.
_EVENT_FIELDS = tuple(f.name for f in dataclasses.fields(AuditEvent))


class ChangedValues(NamedTuple):
    """An event as :meth:`EventRepository.changed_values` reads it: only the values asked for."""

    trigger: str
    effective_date: dt.date
    after: dict[str, Any]  # changed field → its value after the change, for the fields asked for
    data: tuple[Any, ...]  # the values at the data paths asked for


def _event(row: AuditEventRow) -> AuditEvent:
    return AuditEvent(
        case_id=row.case_id,
        seq=row.seq,
        actor=row.actor,
        trigger=row.trigger,
        from_state=row.from_state,
        to_state=row.to_state,
        recorded_at=row.recorded_at,
        effective_date=row.effective_date,
        comment=row.comment,
        changes=copy.deepcopy(row.changes),
        data=copy.deepcopy(row.data),
    )


@functools.cache
def _events_on(data: tuple[tuple[tuple[str, ...], str], ...]) -> Any:
    """The statement of :meth:`CaseRepository.events_on` for these data paths, built once: the
    trigger, day, village and programme are bound parameters. Unordered (the rows are sorted by
    the caller): ordered by case, SQLite's planner took the cases of the village by their index, the
    order coming free, and read every event of each to find that day's postings (1.4 ms against
    0.3 ms from that day's postings by their index, 200 rows at 10,000 households)."""
    e, c = AuditEventRow, CaseRow
    values = [_json_as(e.data[path], kind) for path, kind in data]
    return (select(c.id, c.kind, c.programme, c.household_id, *values, e.seq)
            .join(e, e.case_id == c.id)
            .where(e.trigger == bindparam("trigger"), e.effective_date == bindparam("on"),
                   c.village_code == bindparam("village_code"), c.programme == bindparam("programme")))


def _json_as(value: Any, kind: str) -> Any:
    """A JSON element of a statement read as ``kind``: ``bool``, ``int``, else its text."""
    return value.as_boolean() if kind == "bool" else value.as_integer() if kind == "int" else value.as_string()


class _ReadAheadEvent(AuditEvent):
    """An event read ahead for a batch (:meth:`EventRepository.preload`) without its ``changes``
    and ``data``: deciding a case reads its history's triggers and dates (the guards), never those,
    and they were most of what the read-ahead fetched (700 bytes of JSON an event; on PostgreSQL
    the histories' read took twice as long with them). They are read the first time one is asked
    for, with those of every event read ahead with it (:class:`_Unread`), as the stored text, and
    decoded then. Otherwise it is the :class:`AuditEvent` it stands for (equal, same repr,
    ``dataclasses.replace`` works)."""

    def __init__(self, **named: Any):
        # What AuditEvent's own __init__ sets, the JSON values as _changes and _data: set by
        # from_row, or by dataclasses.replace, all 11 by name.
        self.__dict__.update((_STORED_AS[_EVENT_FIELDS.index(k)], v) for k, v in named.items())

    @classmethod
    def from_row(cls, row: Any, unread: _Unread) -> _ReadAheadEvent:
        """The event of a row of :data:`_READ_AHEAD` columns, its JSON values still ``unread``."""
        event = cls()
        event.__dict__.update(zip(_READ_AHEAD, row, strict=True))
        event.__dict__["_changes"] = event.__dict__["_data"] = unread
        unread.events[(event.case_id, event.seq)] = event
        return event

    def _decoded(self, name: str) -> Any:
        value = self.__dict__[f"_{name}"]
        if isinstance(value, _Unread):
            value.read()
            value = self.__dict__[f"_{name}"]
        if isinstance(value, str):
            value = json.loads(value)
            object.__setattr__(self, f"_{name}", value)
        return value

    changes = property(lambda self: self._decoded("changes"))  # type: ignore[assignment]
    data = property(lambda self: self._decoded("data"))  # type: ignore[assignment]

    def plain(self) -> AuditEvent:
        return AuditEvent(*(getattr(self, name) for name in _EVENT_FIELDS))

    def __eq__(self, other: object) -> bool:
        return self.plain() == (other.plain() if isinstance(other, _ReadAheadEvent) else other)

    def __hash__(self) -> int:
        return hash(self.plain())

    def __repr__(self) -> str:
        return repr(self.plain())


class _Unread:
    """The ``changes`` and ``data`` of the events of one read-ahead, read (one query) when the
    first of them is asked for. Audit events are never changed (append-only), so they may be read
    later than the rest of the event, even after its unit of work."""

    __slots__ = ("events", "_fetch")

    def __init__(self, fetch: Callable[[builtins.list[int]], Iterable[Any]]):
        self.events: dict[tuple[int, int], _ReadAheadEvent] = {}  # (case_id, seq) → event
        self._fetch = fetch  # the cases' ids → rows of (case_id, seq, changes, data)

    def read(self) -> None:
        events, self.events = self.events, {}
        for case_id, seq, changes, data in self._fetch(sorted({case_id for case_id, _seq in events})):
            event = events.pop((case_id, seq), None)
            if event is not None:
                event.__dict__["_changes"], event.__dict__["_data"] = changes, data
        if events:
            raise AuditChainError(f"审计记录被删除（案件 {min(events)[0]} 的第 {min(events)[1]} 条），"
                                  "请管理员运行 doudi-admin audit verify 检查")


_LAZY_JSON = ("changes", "data")
_STORED_AS = tuple(f"_{name}" if name in _LAZY_JSON else name for name in _EVENT_FIELDS)
_READ_AHEAD = tuple(name for name in _EVENT_FIELDS if name not in _LAZY_JSON)  # what preload reads of an event


@functools.cache
def _histories(postgres: bool) -> Any:
    """The events of the cases :ids in order, without their JSON values (for
    :class:`_ReadAheadEvent`): built once."""
    e = AuditEventRow
    return (select(*[getattr(e, f) for f in _READ_AHEAD]).where(_key_in_ids(e.case_id, postgres))
            .order_by(e.case_id, e.seq))


@functools.cache
def _histories_json(postgres: bool) -> Any:
    """The JSON values, as stored text, of the events of the cases :ids (:class:`_Unread`): built once."""
    e = AuditEventRow
    return (select(e.case_id, e.seq, cast(e.changes, Text), cast(e.data, Text))
            .where(_key_in_ids(e.case_id, postgres)))


class AuditChainError(StorageFault):
    """The audit chain's head is missing: the trail was tampered with or the schema is damaged."""

    def __init__(self, message: str):
        super().__init__(message, "chain")


def _naive(value: dt.datetime) -> dt.datetime:
    # Both databases store local time without a zone; hash what will read back.
    return value.astimezone().replace(tzinfo=None) if value.tzinfo is not None else value


@functools.cache
def _event_insert() -> Any:
    """The INSERT of an event row made by :func:`_linked` (its JSON values as their text), built once."""
    return insert(AuditEventRow.__table__).values(changes=bindparam("changes", type_=SerialisedJSON()),
                                                  data=bindparam("data", type_=SerialisedJSON()))


def _linked(prev_hash: str, values: dict[str, Any], texts: tuple[str, str] | None = None) -> dict[str, Any]:
    """The row of an event (``values``: its columns up to ``chain_seq``) linked after ``prev_hash``.
    Its JSON values are serialised once: that text is written, and what it reads back is hashed.
    ``texts``: the text of its changes and data, from a caller whose values are exactly what their
    text reads back as (services/case_writer.py: one json.dumps, its json.loads): written as they
    are, and the values hashed as given, as a verify reading the text back hashes them."""
    if texts is None:
        texts = json_dumps(values["changes"]), json_dumps(values["data"])
        read_back = {**values, "changes": json.loads(texts[0]), "data": json.loads(texts[1])}
    else:
        read_back = values
    digest = event_digest(prev_hash, read_back)
    return {**values, "changes": texts[0], "data": texts[1], "prev_hash": prev_hash, "hash": digest}


@functools.cache
def _head_update() -> Any:
    """The chain head moved on to an event (``_seq``, ``_hash``), built once."""
    t = AuditChainRow.__table__
    return update(t).where(t.c.id == 1).values(last_seq=bindparam("_seq"), last_hash=bindparam("_hash"))


class EventRepository:
    """The append-only audit trail: events of each case, and office events (``case_id`` None).

    Every event is linked into one hash chain per database (storage/chain.py); :meth:`verify`
    walks it and names the first broken link.
    """

    def __init__(self, session: Session):
        self._s = session
        # Read ahead by preload (a batch's chunk): each case's history (handed out once), its last
        # seq and date, and the chain head this transaction holds. Every change to them is journalled
        # so that a savepoint rolled back (UnitOfWork.savepoint) puts them back as they were.
        self._history: dict[int, builtins.list[AuditEvent]] = {}
        self._tail: dict[int, tuple[int, dt.date | None]] = {}
        self._head: tuple[int, str] | None = None
        self._keep_head = False
        self._written: tuple[int, str] | None = None  # the head as its row holds it (kept in memory)
        self._journal: builtins.list[tuple[str, Any, Any]] = []
        self.deferred: DeferredWrites | None = None  # set by the unit of work

    def preload(self, case_ids: Iterable[int]) -> None:
        """Read these cases' histories ahead (one query per chunk of ids) and keep the chain head
        in memory from now on: :meth:`list`, the date-order check and the numbering of the next
        event of these cases are then answered without a query, and an event is written as one
        INSERT, the head's row being written once when the transaction commits. Call it after :meth:`hold_head`, outside any savepoint
        (the head's row lock is then held until the transaction ends)."""
        ids = [i for i in set(case_ids) if i not in self._tail]
        found: dict[int, builtins.list[AuditEvent]] = {}
        statement, at = _histories(_postgres(self._s)), _READ_AHEAD.index("case_id")
        for chunk in chunks(sorted(ids), IN_CHUNK):
            unread = _Unread(self._json_of)
            for r in self._s.connection().execute(statement, {"ids": list(chunk)}):
                found.setdefault(r[at], []).append(_ReadAheadEvent.from_row(r, unread))
        for case_id in ids:
            history = found.get(case_id, [])
            self._history[case_id] = history
            # in seq order: the last is the highest
            self._tail[case_id] = (history[-1].seq if history else 0,
                                   max((e.effective_date for e in history), default=None))
        if not self._keep_head:
            self.hold_head()
            self._head = self._written = self._read_head()
            self._keep_head = True
            sqlalchemy_event.listen(self._s, "before_commit", self._write_head)

    def _json_of(self, case_ids: builtins.list[int]) -> builtins.list[Any]:
        """(case_id, seq, changes, data) of every event of these cases, the JSON values as stored
        text, for events read ahead (:class:`_Unread`): in this unit of work's transaction (a
        statement known not to read what a batch keeps: its events are new ones), or on a
        connection of its own once that has ended."""
        statement, values = _histories_json(_postgres(self._s)), {"ids": case_ids}
        if not self._s.in_transaction():
            with self._s.get_bind().connect() as conn:
                return conn.execute(statement, values).all()
        with self.deferred.allowed() if self.deferred is not None else contextlib.nullcontext():
            return self._s.connection().execute(statement, values).all()

    def mark(self) -> int:
        """A point to :meth:`undo_to` when the savepoint opened now is rolled back."""
        return len(self._journal)

    def undo_to(self, mark: int) -> None:
        """Forget what was noted of events written since ``mark`` (their savepoint was rolled back)."""
        while len(self._journal) > mark:
            kind, key, old = self._journal.pop()
            if kind == "head":
                self._head = old
            elif old is None:
                self._tail.pop(key, None)
            else:
                self._tail[key] = old

    def _set_head(self, head: tuple[int, str] | None) -> None:
        self._journal.append(("head", None, self._head))
        self._head = head

    def next_seq(self, case_id: int) -> int:
        last = self._s.scalar(
            select(func.max(AuditEventRow.seq)).where(AuditEventRow.case_id == case_id)
        )
        return (last or 0) + 1

    def _last(self, case_id: int) -> tuple[int, dt.date | None]:
        """The case's last ``seq`` (0: none yet) and the date of its latest event, in one query."""
        if case_id in self._tail:
            return self._tail[case_id]
        seq, day = self._s.execute(
            select(func.max(AuditEventRow.seq), func.max(AuditEventRow.effective_date))
            .where(AuditEventRow.case_id == case_id)
        ).one()
        return seq or 0, day

    def check_in_order(self, case_id: int, day: dt.date) -> None:
        """Refuse an event of the case dated before its last one, whatever that was (an action, a
        saved form, a household correction, a note from a 复核/变更/停保 case)."""
        if case_id in self._tail:
            last = self._tail[case_id][1]
        else:
            last = self._s.scalar(select(func.max(AuditEventRow.effective_date))
                                  .where(AuditEventRow.case_id == case_id))
        if last is not None and day < last:
            number = self._s.scalar(select(CaseRow.number).where(CaseRow.id == case_id))
            raise OutOfOrderError(
                f"办理日期 {day.isoformat()} 早于上一步的办理日期 {last.isoformat()}（案件 {number} 的最后一条"
                "办理记录）；办理记录须按日期先后登记", "date")

    def append(self, event: AuditEvent) -> None:
        """Store ``event``; its ``seq`` must be :meth:`next_seq` of its case (1 for the first), and
        it may not be dated before the case's last event (:meth:`check_in_order`)."""
        self._append(event)

    def append_next(self, event: AuditEvent, *, texts: tuple[str, str] | None = None) -> AuditEvent:
        """:meth:`append` ``event`` as the next event of its case, whatever ``seq`` it was given:
        the number and the date order come from one query. Returns the event as stored.

        ``texts``: the JSON text of ``event.changes`` and ``event.data`` when the caller has it,
        those values then being exactly what their text reads back as (see :func:`_linked`)."""
        return self._append(event, assign_seq=True, texts=texts)

    def _append(self, event: AuditEvent, *, assign_seq: bool = False, texts: tuple[str, str] | None = None
                ) -> AuditEvent:
        last_seq, last_day = self._last(event.case_id)
        expected = last_seq + 1
        if assign_seq:
            event = dataclasses.replace(event, seq=expected)
        if last_day is not None and event.effective_date < last_day:
            self.check_in_order(event.case_id, event.effective_date)  # refuses, naming the case
        if event.seq != expected:
            raise ValueError(
                f"event seq {event.seq} for case {event.case_id} is not the next one ({expected})"
            )
        self._append_row({
            "case_id": event.case_id,
            "seq": event.seq,
            "actor": event.actor,
            "trigger": event.trigger,
            "from_state": event.from_state,
            "to_state": event.to_state,
            "recorded_at": _naive(event.recorded_at),
            "effective_date": event.effective_date,
            "comment": event.comment,
            "changes": event.changes,
            "data": event.data,
        }, texts)
        if event.case_id in self._tail:
            self._journal.append(("tail", event.case_id, self._tail[event.case_id]))
            self._tail[event.case_id] = (event.seq, max(last_day or event.effective_date, event.effective_date))
        return event

    def append_office(self, actor: str, action: str, recorded_at: dt.datetime, *, comment: str = "",
                      data: dict[str, Any] | None = None, subject: str = "") -> int:
        """Store an office event (log-in, account change, export, backup); returns its chain number.

        ``subject`` (an account, a file) goes into ``to_state`` so lists can show it plainly.
        """
        when = _naive(recorded_at)
        return self._append_row({
            "case_id": None,
            "seq": 0,
            "actor": actor,
            "trigger": action,
            "from_state": None,
            "to_state": subject[:64],
            "recorded_at": when,
            "effective_date": when.date(),
            "comment": comment,
            "changes": {},
            "data": data or {},
        })

    def append_first_events(self, events: builtins.list[AuditEvent]) -> None:
        """The first events (seq 1) of many cases created in this transaction (an import), linked
        into the chain in order under one lock of the chain head and written in one multi-row insert."""
        if not events:
            return
        if any(e.seq != 1 or e.case_id is None for e in events):
            raise ValueError("append_first_events takes only the first event (seq 1) of a case")
        seq, prev = self._link_to()
        rows = []
        for event in events:
            seq += 1
            values = {
                "case_id": event.case_id, "seq": 1, "actor": event.actor, "trigger": event.trigger,
                "from_state": event.from_state, "to_state": event.to_state,
                "recorded_at": _naive(event.recorded_at), "effective_date": event.effective_date,
                "comment": event.comment, "changes": event.changes, "data": event.data, "chain_seq": seq,
            }
            rows.append(_linked(prev, values))
            prev = rows[-1]["hash"]
        self._s.execute(_event_insert(), rows)
        self._move_head((seq, prev))

    def hold_head(self) -> None:
        """Touch the chain head row (changing nothing): on PostgreSQL this takes its row lock and
        waits for any other appender to commit; on SQLite it takes the write lock and opens the
        transaction for real (a SAVEPOINT before any write would otherwise be its own transaction)."""
        self._s.execute(
            update(AuditChainRow).where(AuditChainRow.id == 1)
            .values(last_seq=AuditChainRow.last_seq)
            .execution_options(synchronize_session=False)
        )

    def _append_row(self, values: dict[str, Any], texts: tuple[str, str] | None = None) -> int:
        head = self._link_to()
        values["chain_seq"] = head[0] + 1
        row = _linked(head[1], values, texts)
        self._s.flush()  # what the session still holds (a new household, a case) goes in first
        if self.deferred is not None and self.deferred.active:  # a batch's chunk: written with the others
            self.deferred.add(_event_insert(), row)
        else:
            self._s.execute(_event_insert(), row)
        self._move_head((values["chain_seq"], row["hash"]))
        return values["chain_seq"]

    def _link_to(self) -> tuple[int, str]:
        """The chain head the next event links to: the one kept in memory since :meth:`preload`, or
        else the head row read under its lock (hold_head first: the SELECT after it then reads the
        true last hash, so two transactions can never link to the same predecessor)."""
        if self._head is not None:
            return self._head
        self.hold_head()
        return self._read_head()

    def _move_head(self, head: tuple[int, str]) -> None:
        """The chain head is now ``head``: kept in memory after :meth:`preload` (its row is written
        once, at commit: _write_head), else written to its row now."""
        if self._keep_head:
            self._set_head(head)
        else:
            self._s.execute(_head_update(), {"_seq": head[0], "_hash": head[1]})

    def _write_head(self, _session: Session) -> None:
        """Before the transaction commits (not a savepoint): the head row takes the last event
        written, in the same transaction as the events (a kill before the commit undoes both)."""
        if self._s.in_nested_transaction() or self._head == self._written:
            return
        self._s.execute(_head_update(), {"_seq": self._head[0], "_hash": self._head[1]})
        self._written = self._head

    def _read_head(self) -> tuple[int, str]:
        row = self._s.execute(
            select(AuditChainRow.last_seq, AuditChainRow.last_hash).where(AuditChainRow.id == 1)
        ).one_or_none()
        if row is None:
            raise AuditChainError("审计记录链的链头缺失，无法记录操作；请管理员运行 doudi-admin audit verify 检查")
        return row.last_seq, row.last_hash

    def list(self, case_id: int) -> builtins.list[AuditEvent]:
        ahead = self._history.pop(case_id, None)
        if ahead is not None and self._tail.get(case_id, (0,))[0] == (ahead[-1].seq if ahead else 0):
            return ahead  # read ahead, and no event of the case written since
        rows = self._s.scalars(
            select(AuditEventRow)
            .where(AuditEventRow.case_id == case_id)
            .order_by(AuditEventRow.seq)
        )
        return [_event(r) for r in rows]

    def of_cases(self, case_ids: Iterable[int] | Select, *, triggers: Sequence[str] = (),
                 changing: Sequence[str] = ()) -> dict[int, builtins.list[AuditEvent]]:
        """case id → its events in order, for many cases at once: a query per chunk of ids (one for a
        SELECT of case ids). The
        columns are read as plain values (no ORM rows), so nothing the session holds needs copying.

        With ``triggers`` or ``changing``, only the events that are one of those triggers or whose
        changes name a field starting with one of ``changing`` (e.g. ``proposal.``) are read."""
        out: dict[int, builtins.list[AuditEvent]] = {}
        columns = [getattr(AuditEventRow, f) for f in _EVENT_FIELDS]
        wanted: Any = None
        if triggers or changing:
            changes = cast(AuditEventRow.changes, Text)
            wanted = or_(AuditEventRow.trigger.in_(list(triggers)),
                         *[changes.contains(f'"{prefix}', autoescape=True) for prefix in changing])
        groups = [case_ids] if isinstance(case_ids, Select) else chunks(sorted(set(case_ids)), IN_CHUNK)
        for chunk in groups:
            stmt = select(*columns).where(AuditEventRow.case_id.in_(chunk))
            if wanted is not None:
                stmt = stmt.where(wanted)
            rows = self._s.execute(stmt.order_by(AuditEventRow.case_id, AuditEventRow.seq))
            for r in rows:
                out.setdefault(r.case_id, []).append(AuditEvent(*r))
        return out

    def changed_values(self, case_ids: Sequence[int], *, triggers: Sequence[str], keys: dict[str, str],
                       data: Sequence[tuple[str, ...]] = ()) -> dict[int, builtins.list[ChangedValues]]:
        """case id → its events that are one of ``triggers`` or change one of ``keys``, in order,
        each with only the values asked for, taken out by the database's JSON functions (SQLite
        ``json_extract``, PostgreSQL ``#>>``): no event's changes or data are decoded in Python.
        The cases' ids are bound (a query per :data:`BULK_CHUNK` of them), each case's events read
        by the (case, seq) key.

        ``keys`` maps a changed field to how its value after the change is read: ``text``,
        ``bool`` or ``count`` (the length of a list). An event's ``after`` holds the keys it
        changes (a change to null included, as None); ``data`` the values at these paths of the
        event's data (None where absent)."""
        e = AuditEventRow
        columns: builtins.list[Any] = [e.case_id, e.trigger, e.effective_date]
        for key, kind in keys.items():
            value = e.changes[(key, "after")]
            columns += [e.changes[key].as_string().is_not(None),
                        _json_as(value, kind)]
        columns += [e.data[path].as_string() for path in data]
        changes = cast(e.changes, Text)
        stmt = (select(*columns).where(e.case_id.in_(bindparam("ids", expanding=True)),
                                       or_(e.trigger.in_(list(triggers)),
                                           *[changes.contains(f'"{key}"', autoescape=True) for key in keys]))
                .order_by(e.case_id, e.seq))
        out: dict[int, builtins.list[ChangedValues]] = {}
        n = len(keys)
        conn = self._s.connection()
        for r in (r for chunk in chunks(sorted(set(case_ids)), BULK_CHUNK)
                  for r in conn.execute(stmt, {"ids": list(chunk)}).all()):
            after: dict[str, Any] = {}
            for i, (key, kind) in enumerate(keys.items()):
                if r[3 + 2 * i]:
                    value = r[4 + 2 * i]
                    after[key] = len(json.loads(value)) if kind == "count" and value is not None else value
            out.setdefault(r[0], []).append(ChangedValues(r[1], r[2], after, tuple(r[3 + 2 * n:])))
        return out

    def office(self, *, limit: int = 100, actions: tuple[str, ...] = ()) -> builtins.list[dict[str, Any]]:
        """The latest office events, newest first, as plain dicts."""
        stmt = select(AuditEventRow).where(AuditEventRow.case_id.is_(None))
        if actions:
            stmt = stmt.where(AuditEventRow.trigger.in_(actions))
        rows = self._s.scalars(stmt.order_by(AuditEventRow.chain_seq.desc()).limit(limit))
        return [
            {"chain_seq": r.chain_seq, "actor": r.actor, "action": r.trigger, "subject": r.to_state,
             "recorded_at": r.recorded_at, "comment": r.comment, "data": copy.deepcopy(r.data)}
            for r in rows
        ]

    def page(self, *, limit: int, before: int | None = None, since: dt.datetime | None = None,
             until: dt.datetime | None = None, actor: str | None = None,
             case_ids: builtins.list[int] | None = None, villages: builtins.list[str] | None = None,
             hidden_actors: builtins.list[str] = ()) -> builtins.list[dict[str, Any]]:
        """One page of the audit log, newest first: at most ``limit`` events with ``chain_seq``
        below ``before`` (keyset paging: one indexed query per page, whatever the trail's size).

        ``since``/``until``: recorded at or after / before these times; ``actor``: done by this
        account; ``case_ids``: events of these cases only. ``villages`` (None: everywhere) scopes the
        log to an area: case events of cases in these villages, and office events except those of
        ``hidden_actors`` (the accounts of other areas)."""
        e, c = AuditEventRow, CaseRow
        stmt = (select(e.chain_seq, e.case_id, e.seq, e.actor, e.trigger, e.from_state, e.to_state,
                       e.recorded_at, e.comment, c.number, c.workflow_id)
                .outerjoin(c, c.id == e.case_id))
        if before is not None:
            stmt = stmt.where(e.chain_seq < before)
        if since is not None:
            stmt = stmt.where(e.recorded_at >= since)
        if until is not None:
            stmt = stmt.where(e.recorded_at < until)
        if actor is not None:
            stmt = stmt.where(e.actor == actor)
        if case_ids is not None:
            stmt = stmt.where(e.case_id.in_(case_ids))
        if villages is not None:
            office = e.case_id.is_(None)
            if hidden_actors:
                office = and_(office, e.actor.not_in(hidden_actors))
            stmt = stmt.where(or_(c.village_code.in_(villages), office))
        rows = self._s.execute(stmt.order_by(e.chain_seq.desc()).limit(limit))
        return [
            {"chain_seq": r.chain_seq, "case_id": r.case_id, "seq": r.seq, "actor": r.actor, "trigger": r.trigger,
             "from_state": r.from_state, "to_state": r.to_state, "recorded_at": r.recorded_at,
             "comment": r.comment, "case_number": r.number, "workflow_id": r.workflow_id}
            for r in rows
        ]

    def seq_gaps(self, limit: int = 20) -> builtins.list[tuple[int, int]]:
        """``(case_id, first missing seq)`` of cases whose event numbers have a hole (a deleted event)."""
        stmt = (select(AuditEventRow.case_id, func.count(), func.max(AuditEventRow.seq))
                .where(AuditEventRow.case_id.is_not(None))
                .group_by(AuditEventRow.case_id)
                .having(func.count() != func.max(AuditEventRow.seq))
                .order_by(AuditEventRow.case_id).limit(limit))
        out = []
        for case_id, _count, _max in self._s.execute(stmt):
            seqs = set(self._s.scalars(select(AuditEventRow.seq).where(AuditEventRow.case_id == case_id)))
            out.append((case_id, next(n for n in range(1, len(seqs) + 2) if n not in seqs)))
        return out

    def head(self) -> tuple[int, str] | None:
        """``(last chain number, last hash)`` as recorded in the chain head, or None if missing."""
        row = self._s.execute(
            select(AuditChainRow.last_seq, AuditChainRow.last_hash).where(AuditChainRow.id == 1)
        ).one_or_none()
        return None if row is None else (row.last_seq, row.last_hash)

    def verify(self) -> dict[str, Any]:
        """Recompute the chain from the stored rows.

        Returns:
            ``{"ok", "events", "head": (seq, hash) | None, "problem": None | {"kind", "chain_seq",
            "event_id", "case_id", "seq"}}``; ``kind`` is ``altered`` (the row's content no longer
            gives its hash), ``relinked`` (its link does not point at the row before), ``missing``
            (a row in the middle was deleted), ``truncated`` (the last rows were deleted),
            ``head`` (the chain head disagrees with the last row or is gone), ``unreadable``.
        """
        walk = ChainWalk()
        result = self._s.connection().execute(
            select(*self.chain_columns()).order_by(AuditEventRow.chain_seq).execution_options(yield_per=5000))
        for part in result.partitions():
            if not walk.feed(part):
                break
        count = walk.count

        def problem(kind: str, row: Any = None, chain_seq: int | None = None) -> dict[str, Any]:
            return {"ok": False, "events": count, "head": self.head(), "problem": {
                "kind": kind, "chain_seq": chain_seq if chain_seq is not None else (row[1] if row else None),
                "event_id": row[0] if row is not None else None,
                "case_id": row[2] if row is not None else None,
                "seq": row[3] if row is not None else None,
            }}

        if walk.problem is not None:
            return problem(walk.problem["kind"], walk.problem["row"], walk.problem["chain_seq"])
        head = self.head()
        if head is None:
            return {"ok": False, "events": count, "head": None,
                    "problem": {"kind": "head", "chain_seq": None, "event_id": None, "case_id": None,
                                "seq": None}}
        if head[0] > count:
            return problem("truncated", chain_seq=count + 1)
        if head != (count, walk.head):
            return problem("head", chain_seq=head[0])
        return {"ok": True, "events": count, "head": head, "problem": None}

    @staticmethod
    def chain_columns() -> list[Any]:
        """What :class:`~doudi_desk.storage.chain.ChainWalk` reads: id, the hashed fields as stored
        text (dates and JSON cast to text, so both databases give the same), prev_hash, hash."""
        return [
            AuditEventRow.id, AuditEventRow.chain_seq, AuditEventRow.case_id, AuditEventRow.seq,
            AuditEventRow.actor, AuditEventRow.trigger, AuditEventRow.from_state, AuditEventRow.to_state,
            cast(AuditEventRow.recorded_at, Text), cast(AuditEventRow.effective_date, Text),
            AuditEventRow.comment, cast(AuditEventRow.changes, Text), cast(AuditEventRow.data, Text),
            AuditEventRow.prev_hash, AuditEventRow.hash,
        ]


# ------------------------------------------------------------------------------------- policies


class PolicyRepository:
    """Policy parameter sets of an area, each valid from a date until the next one."""

    def __init__(self, session: Session):
        self._s = session

    def add(
        self,
        area_code: str,
        effective_from: dt.date,
        params: dict[str, Any],
        created_by: str,
        note: str = "",
    ) -> int:
        row = PolicySetRow(
            area_code=area_code,
            effective_from=effective_from,
            params=json_normalized(params),
            note=note,
            created_by=created_by,
            created_at=_now(),
        )
        self._s.add(row)
        self._s.flush()
        return row.id

    def effective(
        self, area_codes: list[str], on: dt.date
    ) -> tuple[int, str, dt.date, dict[str, Any]] | None:
        """``(id, area_code, effective_from, params)`` in force on ``on``, or None.

        ``area_codes`` goes from the most specific area to the most general (village, township,
        county); the first area that has a set in force wins, and within it the latest one.
        """
        for code in area_codes:
            row = self._s.scalars(
                select(PolicySetRow)
                .where(PolicySetRow.area_code == code, PolicySetRow.effective_from <= on)
                .order_by(PolicySetRow.effective_from.desc())
                .limit(1)
            ).first()
            if row is not None:
                return row.id, row.area_code, row.effective_from, copy.deepcopy(row.params)
        return None


# ------------------------------------------------------------------------------------- calendar


_ALL_OVERRIDES = select(CalendarOverrideRow.day, CalendarOverrideRow.is_working).order_by(CalendarOverrideRow.day)


class CalendarRepository:
    """Days the office has declared working or not, overriding the national schedule."""

    def __init__(self, session: Session):
        self._s = session
        self._all: dict[dt.date, bool] | None = None  # read once per unit of work, until set/remove
        self._built: dict[Callable[..., Any], Any] = {}

    def set(self, day: dt.date, is_working: bool, note: str, created_by: str) -> None:
        self._all, self._built = None, {}
        row = self._s.get(CalendarOverrideRow, day)
        if row is None:
            self._s.add(
                CalendarOverrideRow(
                    day=day, is_working=is_working, note=note, created_by=created_by
                )
            )
        else:
            row.is_working, row.note, row.created_by = is_working, note, created_by
        self._s.flush()

    def remove(self, day: dt.date) -> None:
        self._all, self._built = None, {}
        self._s.execute(delete(CalendarOverrideRow).where(CalendarOverrideRow.day == day))

    def all(self) -> dict[dt.date, bool]:
        if self._all is None:
            rows = self._s.execute(_ALL_OVERRIDES)
            self._all = {day: is_working for day, is_working in rows}
        return dict(self._all)

    def built(self, build: Callable[[dict[dt.date, bool]], _T]) -> _T:
        """``build(self.all())``, made once per unit of work (again after :meth:`set` or :meth:`remove`):
        the working calendar every step of a batch counts its deadlines with."""
        if build not in self._built:
            self._built[build] = build(self.all())
        return self._built[build]


# ---------------------------------------------------------------------------------------- locks


class LockRepository:
    """Named locks held until the transaction ends (see :class:`~doudi_desk.storage.models.LockRow`)."""

    def __init__(self, session: Session):
        self._s = session

    def hold(self, name: str) -> None:
        """Take the lock ``name`` (waiting for a transaction that holds it to end).

        One upsert: it makes the row on first use, and it locks the row on PostgreSQL (ON CONFLICT
        DO UPDATE) and takes the write lock on SQLite. It must come before the reads it protects.
        """
        dialect = self._s.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        stmt = insert(LockRow).values(name=name, taken=1)
        stmt = stmt.on_conflict_do_update(index_elements=[LockRow.name], set_={"taken": LockRow.taken + 1})
        self._s.execute(stmt)


# ------------------------------------------------------------------------------------- settings


class SettingsRepository:
    """Small JSON values by key (office name, chosen printer, …)."""

    def __init__(self, session: Session):
        self._s = session

    def get(self, key: str, default: Any = None) -> Any:
        row = self._s.get(SettingRow, key)
        return default if row is None else copy.deepcopy(row.value)

    def set(self, key: str, value: Any) -> None:
        row = self._s.get(SettingRow, key)
        if row is None:
            self._s.add(SettingRow(key=key, value=json_normalized(value)))
        else:
            row.value = json_normalized(value)
        self._s.flush()


# --------------------------------------------------------------------------------- unit of work


class UnitOfWork:
    """The repositories of one session; created by ``Database.unit_of_work``."""

    def __init__(self, session: Session):
        self.session = session
        self.areas = AreaRepository(session)
        self.users = UserRepository(session)
        self.households = HouseholdRepository(session)
        self.cases = CaseRepository(session)
        self.events = EventRepository(session)
        self.policies = PolicyRepository(session)
        self.calendar = CalendarRepository(session)
        self.settings = SettingsRepository(session)
        self.locks = LockRepository(session)
        self.listing = CaseListRepository(session)
        self.statistics = StatisticsReader(session)
        self.ledgers = LedgerReader(session)
        self.campaigns = CampaignRepository(session)
        self.payments = PaymentRepository(session)
        self.benefits = BenefitRepository(session)
        self.imports = ImportRepository(session)
        self.deferred = DeferredWrites(session)
        self.cases.deferred = self.events.deferred = self.deferred

    def flush(self) -> None:
        """Send pending changes to the database now (constraint errors surface here)."""
        self.session.flush()

    @contextlib.contextmanager
    def savepoint(self) -> Iterator[None]:
        """A savepoint: the block's writes are undone alone if it raises (the exception goes on), and
        so is what the repositories noted of them (the chain head and the cases' last events kept
        in memory after :meth:`EventRepository.preload`).

        While writes are deferred (:attr:`deferred`), no SAVEPOINT is needed: the block's writes
        are still kept in memory, and are forgotten if it raises."""
        mark = self.events.mark()
        if self.deferred.active:
            kept = self.deferred.mark()
            try:
                yield
            except BaseException:
                self.deferred.undo_to(kept)
                self.events.undo_to(mark)
                raise
            return
        try:
            with self.session.begin_nested():
                yield
        except BaseException:
            self.events.undo_to(mark)
            raise
