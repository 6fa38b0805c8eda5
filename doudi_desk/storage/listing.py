"""Read-only queries for the window's lists: case ids by filter and sort, rows for a page of ids,
people already in cases (duplicate check), policy sets. Plain values out, never ORM rows.

Searches are written so that SQLite can use an index (platform-notes.md): a name prefix is a
range ``name >= '王伟' AND name < '王伟' || U+10FFFF``, never ``LIKE '王伟%'``; the last digits of an
ID number, a phone number or a case number are a prefix of the reversed key stored beside it
(storage/search_keys.py). Each kind of match is its own indexed SELECT, joined by UNION, never an
OR across tables (which makes SQLite scan).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    String,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    literal_column,
    or_,
    select,
    tuple_,
    union,
    union_all,
)
from sqlalchemy.orm import Session

from ..domain.model import User
from .json_values import BOOLEAN, TEXT, joined, json_values
from .models import AreaRow, AuditEventRow, CaseRow, HouseholdRow, MemberRow, PolicySetRow, UserRow
from .prepared import Driver
from .search_keys import reversed_key

_TOP = "\U0010ffff"
_NO_DATE = dt.date(9999, 12, 31)  # stands in for "no deadline" in sort keys (never compared as a date)
_ID_LIKE = re.compile(r"^[0-9]{4,17}[0-9Xx]?$")
_FULL_ID = re.compile(r"^[0-9]{17}[0-9Xx]$")
_NUMBER_LIKE = re.compile(r"^\d{4}-[A-Za-z]{2}-?\d*$")
_NUMBER_TAIL = re.compile(r"^([A-Za-z]{2})-?(\d{1,6})$")  # DB-000123, tk12
_INITIALS = re.compile(r"^[A-Za-z]{1,32}$")
# Why a case matched a search, for the list's 搜索匹配 column.
MATCH_LABELS = {"id": "身份证号", "id_prefix": "身份证号开头", "id_tail": "身份证号尾号", "initials": "姓名拼音首字母",
                "name": "姓名", "phone_tail": "联系电话尾号", "number": "案件编号"}


@functools.cache
def _viewer_statement() -> Any:
    """:meth:`CaseListRepository.viewer`'s statement, built once (parameter ``username``)."""
    return (select(UserRow.username, UserRow.full_name, UserRow.roles, UserRow.area_code, UserRow.active,
                   select(func.count()).select_from(AreaRow).scalar_subquery())
            .where(UserRow.username == bindparam("username", None, type_=String)))


def _head_of_case(column: Any) -> Any:
    """``column`` of the case's head, the member of relation 户主 (else the first member), for a
    statement over cases: two look-ups in the (household, position) index, no sort."""
    first = select(column).where(MemberRow.household_id == CaseRow.household_id).order_by(MemberRow.position).limit(1)
    return func.coalesce(first.where(MemberRow.relation == "head").scalar_subquery(), first.scalar_subquery())


def _objection(postgres: bool) -> Any:
    """Whether an objection was recorded on the case. PostgreSQL plans the correlated EXISTS at
    county scale as an index AND per row (the ~500 objection events of the county read again for
    each of a page's 100 cases: 3–16 ms); as ``id IN (…)`` it reads them once into a hash (0.7 ms).
    SQLite probes its (case_id, seq) index per row either way."""
    if postgres:
        return CaseRow.id.in_(select(AuditEventRow.case_id).where(AuditEventRow.trigger == "record_objection"))
    return exists().where(AuditEventRow.case_id == CaseRow.id, AuditEventRow.trigger == "record_objection")


def _text(value: Any) -> str | None:
    """An amount as the proposal stores it (text), whatever type the JSON function gave back."""
    return None if value is None else str(value)


def _prefix(text: str) -> list[str]:
    """The bounds of a prefix search for ``text``: ``column >= text AND column < text || U+10FFFF``."""
    return [text, text + _TOP]


def in_states(workflow_states: dict[str, Sequence[str]]) -> Any:
    """Cases in these states of these workflows (``{workflow_id: [state, …]}``; state names repeat
    across workflows with other meanings, so each is taken with its workflow)."""
    return or_(false(), *[and_(CaseRow.workflow_id == w, CaseRow.state.in_(list(names)))
                          for w, names in workflow_states.items()])


# --- the list's statements, built once per shape (storage/prepared.py) ------------------------
# The indexed columns a search term compares (CaseListRepository._terms).
_SEARCHED = {"number": CaseRow.number, "number_reversed": CaseRow.number_reversed, "id_number": MemberRow.id_number,
             "id_reversed": MemberRow.id_reversed, "phone_reversed": HouseholdRow.phone_reversed,
             "name_initials": MemberRow.name_initials, "name": MemberRow.name}


class _Binds:
    """The parameters of a statement as it is built, named ``p0``, ``p1``, … in the order
    :func:`_plan` lists their values."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, type_: Any = String) -> Any:
        self.n += 1
        return bindparam(f"p{self.n - 1}", None, type_=type_)

    def many(self, n: int, type_: Any = String) -> list[Any]:
        return [self(type_) for _ in range(n)]


def _plan(
    *,
    villages: Sequence[str] | None = None,
    states: Sequence[str] | None = None,
    workflow_states: dict[str, Sequence[str]] | None = None,
    programme: str | None = None,
    village: str | None = None,
    open_only: bool = False,
    deadline_before: dt.date | None = None,
    search: str = "",
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The list's filters as the shape of their conditions (what :func:`_conditions` builds, and
    the key its statement is kept under) and the values of its parameters (``p0``, ``p1``, …)."""
    shape: list[Any] = []
    values: list[Any] = []
    if villages is not None:
        shape.append(("villages", len(villages)))
        values += villages
    if states is not None:
        shape.append(("states", len(states)))
        values += states
    if workflow_states is not None:  # these steps of these workflows (state names repeat across them)
        shape.append(("workflow_states", tuple(len(names) for names in workflow_states.values())))
        for workflow, names in workflow_states.items():
            values += [workflow, *names]
    if programme:
        shape.append(("programme",))
        values.append(programme)
    if village:
        shape.append(("village",))
        values.append(village)
    if open_only:
        shape.append(("open_only",))
    if deadline_before is not None:
        shape.append(("deadline_before",))
        values.append(deadline_before)
    text = (search or "").strip()
    if text:
        terms = CaseListRepository._terms(text)
        shape.append(("search", tuple((kind, column) for kind, column, _v in terms)))
        for _kind, _column, term_values in terms:
            values += term_values
    return tuple(shape), _numbered(values)


def _numbered(values: Sequence[Any]) -> dict[str, Any]:
    return dict(zip(_names(len(values)), values, strict=True))


@functools.cache
def _names(n: int) -> tuple[str, ...]:
    """``p0`` … ``p{n-1}``: the names of a statement's parameters (_Binds), made once for each number
    of them (a page's search sends some 200)."""
    return tuple(f"p{i}" for i in range(n))


def _among(column: Any, binds: list[Any]) -> Any:
    return column.in_(binds) if binds else false()


def _conditions(shape: tuple[Any, ...]) -> list[Any]:
    """The WHERE conditions of a :func:`_plan` shape, its values as parameters."""
    binds = _Binds()
    out: list[Any] = []
    for part in shape:
        what = part[0]
        if what == "villages":
            out.append(_among(CaseRow.village_code, binds.many(part[1])))
        elif what == "states":
            out.append(_among(CaseRow.state, binds.many(part[1])))
        elif what == "workflow_states":
            out.append(or_(false(), *[and_(CaseRow.workflow_id == binds(), _among(CaseRow.state, binds.many(n)))
                                      for n in part[1]]))
        elif what == "programme":
            out.append(CaseRow.programme == binds())
        elif what == "village":
            out.append(CaseRow.village_code == binds())
        elif what == "open_only":
            out.append(CaseRow.closed.is_(False))
        elif what == "deadline_before":
            day = binds(Date)
            out += [CaseRow.closed.is_(False), or_(CaseRow.state_deadline < day, CaseRow.total_deadline < day)]
        elif what == "search":
            out.append(CaseListRepository._search(part[1], binds))
    return out


def _match(kind: str, column: str, binds: _Binds) -> Any:
    """A search term's condition on its indexed column: an equality for a whole ID number, else the
    two bounds of a prefix (:func:`_prefix`)."""
    col = _SEARCHED[column]
    if kind == "id":
        return col == binds()
    return and_(col >= binds(), col < binds())


def _padded(values: list[Any]) -> list[Any]:
    """``values`` with the last repeated up to a power of two: ``IN`` lists of a few lengths, so
    a few statements are kept for every size of page."""
    size = 1
    while size < len(values):
        size *= 2
    return values + values[-1:] * (size - len(values))


def _matches_statement(ids: int, homes: int, terms: tuple[tuple[str, str], ...]) -> Any:
    """Why cases matched (CaseListRepository.matches): a part for each term, the term's number,
    then the case's (a case number) or the household's id, the member's position and name. The
    parameters are the page's case ids, its households' ids, then the terms' values."""
    binds = _Binds()
    case_ids, household_ids = binds.many(ids, Integer), binds.many(homes, Integer)
    parts = []
    for i, (kind, column) in enumerate(terms):
        condition = _match(kind, column, binds)
        part = literal_column(str(i)).label("part")
        if kind == "number":
            parts.append(select(part, CaseRow.id.label("key"), literal_column("0").label("position"),
                                literal_column("''").label("name")).where(CaseRow.id.in_(case_ids), condition))
        elif kind == "phone_tail":
            parts.append(select(part, HouseholdRow.id.label("key"), literal_column("0").label("position"),
                                literal_column("''").label("name"))
                         .where(HouseholdRow.id.in_(household_ids), condition))
        else:
            parts.append(select(part, MemberRow.household_id.label("key"), MemberRow.position.label("position"),
                                MemberRow.name.label("name")).where(MemberRow.household_id.in_(household_ids), condition))
    return parts[0] if len(parts) == 1 else union_all(*parts)


class CaseListRepository:
    """Queries behind the case list, the supervisor queue and the duplicate check.

    The list's own statements (the user, a page, a count, the tallies, why a case matched) are
    compiled once per shape and run on the driver's connection (storage/prepared.py): each value a
    call changes is a parameter ``p0``, ``p1``, … (:func:`_plan` lists them, :func:`_conditions`
    builds the matching statement once)."""

    def __init__(self, session: Session | None = None, driver: Driver | None = None):
        self._s = session
        self._driver = driver

    def _d(self) -> Driver:
        # a unit of work's: its session's connection, asked each time (a rollback may change it)
        return self._driver if self._driver is not None else Driver.of(self._s.connection())

    def _run(self, key: Hashable, build: Callable[[], Any], values: Mapping[str, Any] | None = None) -> list[Any]:
        driver = self._d()
        return driver.cached(key, build).all(driver, values)

    # --- who is asking ---------------------------------------------------------------------
    def viewer(self, username: str) -> tuple[User | None, int]:
        """The user of this name (None: no such user) and how many areas there are, in one
        statement: areas are only ever added (never moved or deleted), so their number tells whether
        a scope worked out before (QueryService) still holds."""
        rows = self._run("viewer", _viewer_statement, {"username": username})
        if not rows:
            return None, 0
        row = rows[0]
        return User(username=row[0], full_name=row[1], roles=tuple(r for r in row[2].split(",") if r),
                    area_code=row[3], active=bool(row[4])), int(row[5])

    def area_count(self) -> int:
        return int(self._run("areas", lambda: select(func.count()).select_from(AreaRow))[0][0])

    # --- ids -----------------------------------------------------------------------------
    @staticmethod
    def _terms(text: str) -> list[tuple[str, str, list[str]]]:
        """What a search text can mean: (kind of match, the indexed column, its values: one for an
        equality, two bounds for a prefix) triples, kinds as in MATCH_LABELS, columns as in _COLUMNS."""
        text = text.strip()
        upper = text.upper()
        if _NUMBER_LIKE.match(text):
            return [("number", "number", _prefix(upper))]
        tail = _NUMBER_TAIL.match(text)
        if tail:
            # DB-12 is 案件 DB-000012 (numbers have six digits), of whichever year
            return [("number", "number_reversed", _prefix(reversed_key(f"{tail[1]}-{tail[2].zfill(6)}")))]
        if _FULL_ID.match(text):  # a whole ID number: one equality on its index, nothing else can match
            return [("id", "id_number", [upper])]
        if _ID_LIKE.match(text):
            terms = [("id_prefix", "id_number", _prefix(upper)),
                     ("id_tail", "id_reversed", _prefix(reversed_key(upper)))]
            # Only what the text could be part of: a case number (2026-DB-000012) begins with at
            # most 4 digits and ends with 6 (7 past the millionth case of a year); a phone number has
            # at most 16 digits.
            if text.isdigit() and len(text) <= 4:
                terms.append(("number", "number", _prefix(upper)))
            if text.isdigit() and len(text) <= 7:
                terms.append(("number", "number_reversed", _prefix(reversed_key(upper))))
            if text.isdigit() and len(text) <= 16:
                terms.append(("phone_tail", "phone_reversed", _prefix(text[::-1])))
            return terms
        if _INITIALS.match(text):
            return [("initials", "name_initials", _prefix(text.lower()))]
        return [("name", "name", _prefix(text))]

    @staticmethod
    def _search(terms: Sequence[tuple[str, str]], binds: _Binds) -> Any:
        """A case matches when its number starts or ends with the text, or a member of its household
        has an ID number starting or ending with it, a name or name initials starting with it, or
        the household's phone ends with it. Each kind is its own indexed SELECT, joined by UNION."""
        selects = []
        for kind, column in terms:
            condition = _match(kind, column, binds)
            if kind == "number":
                selects.append(select(CaseRow.id).where(condition))
            elif kind == "phone_tail":
                selects.append(select(CaseRow.id).where(CaseRow.household_id.in_(
                    select(HouseholdRow.id).where(condition))))
            else:
                selects.append(select(CaseRow.id).where(CaseRow.household_id.in_(
                    select(MemberRow.household_id).where(condition))))
        return CaseRow.id.in_(selects[0] if len(selects) == 1 else union(*selects))

    def matches(self, households: Mapping[int, int], text: str) -> dict[int, str]:
        """Why each of these cases (case id → its household's id, as :meth:`rows` gives them) matched
        ``text``: the member's name and how (``李秀兰（姓名拼音首字母）``), the phone or the case number.
        Cases that did not match are left out. One statement for a page of cases, every kind of
        match a part of it."""
        if not households or not (text or "").strip():
            return {}
        terms = self._terms(text)
        ids, homes = _padded(list(households)), _padded(sorted(set(households.values())))
        values = _numbered([*ids, *homes, *[v for _k, _c, vs in terms for v in vs]])
        shape = (len(ids), len(homes), tuple((kind, column) for kind, column, _v in terms))
        rows = self._run(("matches", shape), lambda: _matches_statement(*shape), values)
        found: dict[int, list[str]] = {}  # household id -> reasons
        by_case: dict[int, list[str]] = {}
        for part, key, _position, name in sorted(rows, key=lambda r: (r[0], r[1], r[2])):
            kind = terms[part][0]
            label = MATCH_LABELS[kind]
            if kind == "number":
                by_case.setdefault(key, []).append(label)
            elif kind == "phone_tail":
                found.setdefault(key, []).append(label)
            else:
                found.setdefault(key, []).append(f"{name}（{label}）")
        out = {}
        for cid, hid in households.items():
            reasons = found.get(hid, []) + by_case.get(cid, [])
            if reasons:
                out[cid] = "；".join(dict.fromkeys(reasons))
        return out

    @staticmethod
    def _order(sort: str, descending: bool, state_order: Sequence[str]) -> list[tuple[Any, bool]]:
        """The sort as (expression, descending) pairs, the id last: a total order, and none of
        the expressions is NULL (keyset comparisons would fail on NULL)."""
        if sort == "deadline":
            # The nearer of the step's and the whole procedure's deadline; closed cases have none
            # and go last whichever way the list is sorted.
            due = case(
                (CaseRow.closed.is_(True), None),
                (CaseRow.state_deadline.is_(None), CaseRow.total_deadline),
                (CaseRow.total_deadline.is_(None), CaseRow.state_deadline),
                (CaseRow.state_deadline < CaseRow.total_deadline, CaseRow.state_deadline),
                else_=CaseRow.total_deadline,
            )
            return [(case((due.is_(None), 1), else_=0), False), (func.coalesce(due, _NO_DATE), descending),
                    (CaseRow.id, descending)]
        if sort == "state":
            key: Any = case({name: i for i, name in enumerate(state_order)}, value=CaseRow.state,
                            else_=len(state_order))
        elif sort == "head":
            key = func.coalesce(_head_of_case(MemberRow.name), "")
        else:
            key = {"village": CaseRow.village_code, "programme": CaseRow.programme,
                   "applied_on": CaseRow.applied_on}.get(sort, CaseRow.number)
        return [(key, descending), (CaseRow.id, descending)]

    @staticmethod
    def _after(order: list[tuple[Any, bool]]) -> Any:
        """Rows after the row whose sort values are the parameters ``a0``, ``a1``, … (keyset
        paging). One row-value comparison when every key runs the same way, which an index serves
        (platform-notes.md); otherwise spelled out term by term."""
        values = [bindparam(f"a{i}", None, type_=expr.type) for i, (expr, _d) in enumerate(order)]
        directions = {desc for _expr, desc in order}
        if len(directions) == 1:
            left, right = tuple_(*[e for e, _d in order]), tuple_(*values)
            return left < right if directions.pop() else left > right
        terms = []
        for i, (expr, desc) in enumerate(order):
            equal = [order[j][0] == values[j] for j in range(i)]
            terms.append(and_(*equal, expr < values[i] if desc else expr > values[i]))
        return or_(*terms)

    def page(
        self,
        *,
        sort: str = "number",
        descending: bool = False,
        state_order: Sequence[str] = (),
        after: Sequence[Any] | None = None,
        limit: int = 100,
        queue: bool = False,
        **filters: Any,
    ) -> tuple[list[dict[str, Any]], list[Any] | None]:
        """One page of the cases :meth:`ids` gives, after the row whose sort values are ``after``
        (None: the first page), found by keyset in SQL: ``(rows, next)``, the rows as :meth:`rows`
        gives them (``queue``: with the queue's columns as well) and ``next`` the sort values to pass
        for the page after, or None when this was the last page.

        One statement: the page's ids and sort values are found first (by index, LIMIT in SQL), and
        only those rows get their listed columns (head, members, village name, …)."""
        shape, values = _plan(**filters)
        values["limit"] = limit + 1
        if after is not None:
            values.update({f"a{i}": v for i, v in enumerate(after)})
        key = ("page", sort, descending, tuple(state_order) if sort == "state" else (), after is not None, queue,
               shape)
        found = self._run(key, lambda: self._page_statement(sort, descending, state_order, after is not None, queue,
                                                            shape), values)
        more = len(found) > limit
        found = found[:limit]
        rows = [self._row(r, queue) for r in found]
        if not more or not found:
            return rows, None
        # the sort values follow the row's columns
        return rows, list(found[-1][len(self._columns(self._postgres(), queue)[0]):])

    def _page_statement(self, sort: str, descending: bool, state_order: Sequence[str], after: bool, queue: bool,
                        shape: tuple) -> Any:
        order = self._order(sort, descending, state_order)
        keys = [e.label(f"k{i}") for i, (e, _d) in enumerate(order[:-1])]
        inner = select(CaseRow.id.label("id"), *keys).where(*_conditions(shape))
        if after:
            inner = inner.where(self._after(order))
        # ordered by the labels: the sort values computed once a row (the head's name is a subquery)
        by = [*keys, CaseRow.id]
        inner = inner.order_by(*[e.desc() if d else e.asc() for e, (_x, d) in zip(by, order, strict=True)])
        inner = inner.limit(bindparam("limit", None, type_=Integer)).subquery("page")
        sort_cols = [inner.c[f"k{i}"] for i in range(len(keys))] + [inner.c.id]
        postgres = self._postgres()
        return (self._listed(select(*self._columns(postgres, queue)[0], *sort_cols)
                             .select_from(inner).join(CaseRow, CaseRow.id == inner.c.id), postgres, queue)
                .order_by(*[col.desc() if d else col.asc() for col, (_e, d) in zip(sort_cols, order, strict=True)]))

    def ids(
        self,
        *,
        sort: str = "number",
        descending: bool = False,
        state_order: Sequence[str] = (),
        **filters: Any,
    ) -> list[int]:
        """Ids of the cases matching every filter, in the order asked for (id breaks ties)."""
        shape, values = _plan(**filters)

        def build() -> Any:
            order = self._order(sort, descending, state_order)
            return (select(CaseRow.id).where(*_conditions(shape))
                    .order_by(*[e.desc() if d else e.asc() for e, d in order]))

        key = ("ids", sort, descending, tuple(state_order) if sort == "state" else (), shape)
        return [r[0] for r in self._run(key, build, values)]

    def count(self, **filters: Any) -> int:
        # COUNT(*), never COUNT(cases.id): SQLite answers COUNT(*) of a table from its b-tree's own
        # count, but steps through an index entry by entry to count a column (150,000 cases: 0.04 ms
        # against 8.7 ms)
        shape, values = _plan(**filters)
        rows = self._run(("count", shape),
                         lambda: select(func.count()).select_from(CaseRow).where(*_conditions(shape)), values)
        return int(rows[0][0] or 0)

    def tally(self, today: dt.date, *, villages: Sequence[str] | None = None,
              search: str = "") -> list[tuple[str, str, bool, int, int]]:
        """How many cases there are of each (workflow, state, closed) in scope (and matching
        ``search``), and how many of them are overdue on ``today``: one grouped query, in the order
        of an index (ix_cases_workflow_state covers it), from which every tab's count is added up."""
        shape, values = _plan(villages=villages, search=search)
        values["today"] = today

        def build() -> Any:
            day = bindparam("today", None, type_=Date)
            due = or_(CaseRow.state_deadline < day, CaseRow.total_deadline < day)
            overdue = func.sum(case((and_(CaseRow.closed.is_(False), due), 1), else_=0))
            return (select(CaseRow.workflow_id, CaseRow.state, CaseRow.closed, func.count(), overdue)
                    .where(*_conditions(shape)).group_by(CaseRow.workflow_id, CaseRow.state, CaseRow.closed))

        return [(w, s, bool(closed), int(n), int(late or 0))
                for w, s, closed, n, late in self._run(("tally", shape), build, values)]

    # --- rows ----------------------------------------------------------------------------
    def _postgres(self) -> bool:
        return self._d().dialect.name == "postgresql"

    @staticmethod
    def _listed(stmt: Any, postgres: bool, queue: bool) -> Any:
        """``stmt`` over :meth:`_columns` joined with what those columns read (PostgreSQL: the JSON
        records of storage/json_values.py)."""
        return joined(stmt, CaseListRepository._columns(postgres, queue)[1])

    @staticmethod
    @functools.cache  # built once: a statement's parts are immutable, and building them costs more than running
    def _columns(postgres: bool = False, queue: bool = False) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        """The columns of a list row, each a column of the case or a subquery of the one case (an
        index look-up each): the head (the member of relation 户主, else the first) and the number of
        members, the village's name; and what a statement over them must join (:meth:`_listed`).

        ``queue``: the supervisor queue's columns as well, what a decision is taken on: whether an
        objection was recorded, and the few values of the proposal and decision the queue shows,
        taken out by the database's JSON functions (parsing whole proposals, their explanation line
        by line, costs more than the rest). The case list shows none of them, and reading them cost
        more than the rest of its row (a proposal is parsed for every row)."""
        c = CaseRow
        head = _head_of_case
        listed = (
            c.id, c.number, c.programme, c.workflow_id, c.state, c.version, c.closed, c.village_code,
            select(AreaRow.name).where(AreaRow.code == c.village_code).scalar_subquery().label("village_name"),
            head(MemberRow.name).label("head"), head(MemberRow.id_number).label("head_id_number"),
            select(func.count()).where(MemberRow.household_id == c.household_id).scalar_subquery().label("members"),
            c.household_id, c.applied_on, c.state_deadline, c.total_deadline, c.county_delegated, c.staff_relative,
        )
        if not queue:
            return listed, ()
        proposal, in_proposal = json_values(c.proposal, "proposal_values", (
            ("eligible", BOOLEAN), ("monthly_amount", TEXT), ("amount", TEXT)), postgres=postgres)
        decision, in_decision = json_values(c.decision, "decision_values", (
            ("monthly_amount", TEXT), ("result", TEXT)), postgres=postgres)
        return (
            *listed,
            _objection(postgres).label("objection"),
            *[v.label(label) for v, label in zip(
                [*proposal, *decision], ("eligible", "monthly_amount", "amount", "decided_amount", "result"),
                strict=True)],
        ), (in_proposal, in_decision)

    @staticmethod
    def _row(r: Any, queue: bool = False) -> dict[str, Any]:
        """A row of :meth:`_columns` (by position: cheaper than by name) as the dict the service reads."""
        (cid, number, programme, workflow_id, state, version, closed, village, village_name, head, head_id_number,
         members, household_id, applied_on, state_deadline, total_deadline, county_delegated, staff_relative) = r[:18]
        row = {
            "id": cid,
            "number": number,
            "programme": programme,
            "workflow_id": workflow_id,
            "state": state,
            "version": version,
            "closed": closed,
            "village": village,
            "village_name": village_name if village_name is not None else village,
            "head": head or "",
            "head_id_number": head_id_number or "",
            "members": members,
            "household_id": household_id,
            "applied_on": applied_on,
            "state_deadline": state_deadline,
            "total_deadline": total_deadline,
            "county_delegated": county_delegated,
            "staff_relative": staff_relative,
        }
        if queue:
            objection, eligible, monthly_amount, amount, decided_amount, result = r[18:24]
            row["objection"] = bool(objection)
            row["eligible"] = eligible
            # the programme's own amount (monthly or one-off) is picked by the service from the registry
            row["proposal_amounts"] = {"monthly_amount": _text(monthly_amount), "amount": _text(amount)}
            row["decided_amount"] = _text(decided_amount)
            row["result"] = result
        return row

    def rows(self, ids: Sequence[int], queue: bool = False) -> list[dict[str, Any]]:
        """One plain dict per case id given (same order; missing ids are left out): the listed
        columns only (:meth:`_columns`; ``queue``: the queue's as well), and the household's id, read
        in one statement."""
        ids = list(ids)
        if not ids:
            return []
        postgres = self._postgres()
        stmt = self._listed(select(*self._columns(postgres, queue)[0]).select_from(CaseRow), postgres, queue)
        found = {r[0]: r for r in self._s.connection().execute(stmt.where(CaseRow.id.in_(ids)))}
        return [self._row(found[cid], queue) for cid in ids if cid in found]

    # --- duplicate check -------------------------------------------------------------------
    def people_in_cases(self, id_numbers: Sequence[str], covered: dict[str, Sequence[str]], *,
                        exclude_case: int | None = None) -> list[dict[str, Any]]:
        """Members with these ID numbers in cases that are open or ended in one of the ``covered``
        states of their workflow (approved: 在保)."""
        if not id_numbers:
            return []
        stmt = (
            select(MemberRow.id_number, MemberRow.name, CaseRow.id, CaseRow.number, CaseRow.state,
                   CaseRow.closed, CaseRow.programme, CaseRow.village_code, CaseRow.workflow_id)
            .join(CaseRow, CaseRow.household_id == MemberRow.household_id)
            .where(MemberRow.id_number.in_(list(id_numbers)),
                   or_(CaseRow.closed.is_(False), in_states(covered)))
            .order_by(CaseRow.id)
        )
        if exclude_case is not None:
            stmt = stmt.where(CaseRow.id != exclude_case)
        return [
            {"id_number": r[0], "name": r[1], "case_id": r[2], "number": r[3], "state": r[4], "closed": r[5],
             "programme": r[6], "village": r[7], "workflow_id": r[8]}
            for r in self._s.execute(stmt)
        ]

    # --- benefits of people ------------------------------------------------------------------
    def benefit_cases_of(self, id_numbers: Sequence[str], approved: dict[str, Sequence[str]],
                         decided: dict[str, Sequence[str]]) -> list[tuple[str, int]]:
        """``(id_number, case id)`` of the approved cases (``approved`` states of their workflows) whose
        household holds one of these people, or whose decided review or change (``decided``) does —
        a member who joined by a change is in the change's copy of the household."""
        ids = list(id_numbers)
        if not ids:
            return []
        direct = (select(MemberRow.id_number, CaseRow.id)
                  .join(CaseRow, CaseRow.household_id == MemberRow.household_id)
                  .where(MemberRow.id_number.in_(ids), in_states(approved)))
        child = CaseRow.__table__.alias("child")
        parent = CaseRow.__table__.alias("parent")
        through = (select(MemberRow.id_number, parent.c.id)
                   .join(child, child.c.household_id == MemberRow.household_id)
                   .join(parent, parent.c.id == child.c.parent_case_id)
                   .where(MemberRow.id_number.in_(ids),
                          or_(false(), *[and_(child.c.workflow_id == w, child.c.state.in_(list(n)))
                                         for w, n in decided.items()]),
                          or_(false(), *[and_(parent.c.workflow_id == w, parent.c.state.in_(list(n)))
                                         for w, n in approved.items()])))
        found = {(r[0], r[1]) for r in self._s.execute(direct)} | {(r[0], r[1]) for r in self._s.execute(through)}
        return sorted(found, key=lambda r: (r[1], r[0]))

    def members_of_cases(self, workflow_states: dict[str, Sequence[str]], villages: Sequence[str] | None,
                         flag: str = "") -> list[dict[str, Any]]:
        """Members of the households of the cases in ``workflow_states`` (of these villages; None:
        all), with the case they belong to; ``flag`` (a boolean member column) narrows to members
        who have it. One query, plain rows."""
        stmt = (select(CaseRow.id, CaseRow.number, CaseRow.village_code, CaseRow.parent_case_id, CaseRow.benefit,
                       MemberRow.name, MemberRow.id_number, MemberRow.excluded, MemberRow.disability_type,
                       MemberRow.disability_grade, MemberRow.disability_certificate, MemberRow.certificate_number)
                .join(MemberRow, MemberRow.household_id == CaseRow.household_id)
                .where(in_states(workflow_states)))
        if villages is not None:
            stmt = stmt.where(CaseRow.village_code.in_(list(villages)))
        if flag:
            stmt = stmt.where(getattr(MemberRow, flag).is_(True))
        keys = ("case_id", "number", "village", "parent_case_id", "benefit", "name", "id_number", "excluded",
                "disability_type", "disability_grade", "disability_certificate", "certificate_number")
        return [dict(zip(keys, row, strict=True)) for row in self._s.execute(stmt.order_by(CaseRow.id, MemberRow.position))]

    # --- settings lists --------------------------------------------------------------------
    def policy_sets(self) -> list[dict[str, Any]]:
        rows = self._s.scalars(select(PolicySetRow).order_by(PolicySetRow.area_code, PolicySetRow.effective_from))
        return [
            {"id": r.id, "area": r.area_code, "effective_from": r.effective_from, "note": r.note,
             "created_by": r.created_by, "created_at": r.created_at, "params": copy.deepcopy(r.params)}
            for r in rows
        ]
