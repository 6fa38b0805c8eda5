"""The case list at county scale (issue 14): pages found by keyset in SQL walk the same order as the
whole sorted list, ties included; the tab counts of one grouped query equal a COUNT per tab; a
county user's scope is no filter at all."""

from __future__ import annotations

import datetime as dt

import pytest

from doudi_desk.domain.calendar import WorkingCalendar
from doudi_desk.domain.ids import make_id
from doudi_desk.services.cases import CaseService
from doudi_desk.services.queries import SORT_KEYS, TABS, CaseQuery, QueryService
from tests.helpers.dibao import APPLICATION, day
from tests.query_count import sent_with_parameters, sqlite_plans

VILLAGES = ("130999101001", "130999102001")
NAMES = ("王建国", "李秀兰", "王建国", "张三")  # ties on the head's name


def _household(i: int) -> dict:
    return {"village": VILLAGES[i % 2], "members": [
        {"name": NAMES[i % len(NAMES)], "id_number": make_id("130102", dt.date(1960, 1, 1), 100 + i),
         "relation": "head"}], "income": [{"type": "farming", "amount": "3600"}]}


@pytest.fixture
def listed(office):
    """13 cases: two villages, three application days, several states, two closed (no deadline)."""
    svc = CaseService(office)
    ids = []
    for i in range(13):
        view = svc.create_case(_household(i), "dibao" if i % 5 else "tekun", "clerk", applied_on=day(i % 3))
        ids.append(view["id"])
        if view["programme"] == "dibao" and i % 3 != 0:
            # the application form is dated the day the case was applied for (form dates stay inside the case)
            application = {"application": {**APPLICATION["application"], "apply_date": day(i % 3)}}
            svc.advance(view["id"], "accept", "clerk", data=application, effective_date=day(3))
        if view["programme"] == "dibao" and i in (4, 8):
            svc.advance(view["id"], "withdraw", "clerk", effective_date=day(4), comment="申请人书面撤回")
    return QueryService(office), ids


def _walk(q: QueryService, user: str, query: CaseQuery, limit: int) -> tuple[list[int], list[int | None]]:
    ids, totals, after = [], [], None
    for _ in range(100):  # a keyset that does not move on would page for ever
        page = q.case_page(user, query, after, limit)
        assert len(page["rows"]) <= limit
        ids += [r["id"] for r in page["rows"]]
        totals.append(page["total"])
        if page["next"] is None:
            return ids, totals
        after = page["next"]
    raise AssertionError(f"paging did not end: {ids[:30]}")


@pytest.mark.parametrize("sort", SORT_KEYS)
def test_keyset_pages_walk_the_whole_sorted_list_ties_included(listed, sort):
    q, ids = listed
    for descending in (False, True):
        for user, tab in (("clerk", "all"), ("clerk", "todo"), ("approver", "all"), ("reviewer", "overdue")):
            query = CaseQuery(tab=tab, sort=sort, descending=descending)
            whole = q.case_ids(user, query)
            for limit in (1, 4, 100):
                walked, totals = _walk(q, user, query, limit)
                assert walked == whole, (user, tab, sort, descending, limit)
                assert totals[0] == len(whole) and all(t is None for t in totals[1:])
    assert len(q.case_ids("approver", CaseQuery(tab="all"))) == 13


def test_closed_cases_without_a_deadline_go_last_on_every_page(listed):
    q, _ids = listed
    for descending in (False, True):
        rows = []
        after = None
        for _ in range(100):
            page = q.case_page("clerk", CaseQuery(tab="all", sort="deadline", descending=descending), after, 3)
            rows += page["rows"]
            if page["next"] is None:
                break
            after = page["next"]
        flags = [r["days_left"] is None for r in rows]
        assert flags == sorted(flags) and 2 <= sum(flags) <= len(rows) - 3  # the withdrawn ones among them
        assert all(r["days_left"] is None for r in rows if r["closed"]) and sum(r["closed"] for r in rows) == 2
        lefts = [r["days_left"] for r in rows if r["days_left"] is not None]
        assert lefts == sorted(lefts, reverse=descending)


def test_tab_counts_of_one_grouped_query_equal_a_count_per_tab(listed, office):
    q, _ids = listed
    from doudi_desk.domain.calendar import WorkingCalendar

    for user in ("clerk", "reviewer", "approver", "admin"):
        for search in ("", "王建国", "lsl", "0101"):
            counts = q.tab_counts(user, search)
            with office.db.unit_of_work() as uow:  # the way every tab was counted before: a COUNT each
                u, scope = q._viewer(uow, user)
                calendar = WorkingCalendar(uow.calendar.all())
                expected = {tab: uow.listing.count(**q._filters(u, CaseQuery(tab=tab, search=search), calendar, scope))
                            for tab in TABS}
            assert counts == expected, (user, search)
            assert counts["all"] == len(q.case_ids(user, CaseQuery(tab="all", search=search)))
    counts = q.tab_counts("approver")
    assert counts["all"] == 13 and counts["overdue"] > 0 and q.tab_counts("clerk")["todo"] > 0


def test_a_county_user_has_no_village_filter_a_township_user_has_its_villages(office, listed):
    q, _ids = listed
    from doudi_desk.services.admin import AdminService

    admin = AdminService(office)
    admin.add_user("county", "县里", ["county_approver"], "130999")
    admin.add_user("east", "河东", ["caseworker"], "130999101")
    with office.db.unit_of_work() as uow:
        assert q._scope(uow, uow.users.get("county")) is None  # every village of the database
        assert q._scope(uow, uow.users.get("east")) == ["130999101001"]
        assert q._scope(uow, uow.users.get("approver")) is None  # no area
    east = q.case_page("east", CaseQuery(tab="all"))
    assert {r["village"] for r in east["rows"]} == {"130999101001"} and east["total"] == 7
    assert q.case_page("county", CaseQuery(tab="all"))["total"] == 13
    admin.add_area("130998", "另一县", "county")
    admin.add_area("130998101", "某镇", "township", "130998")
    admin.add_area("130998101001", "某村", "village", "130998101")
    with office.db.unit_of_work() as uow:  # another county in the database: now the villages are listed
        assert q._scope(uow, uow.users.get("county")) == list(VILLAGES)


def _statements_of(office, run) -> list[tuple[str, object]]:
    """Every statement ``run()`` sends, with its parameters."""
    with sent_with_parameters(office.db.engine) as sent:
        run()
    return sent


# What the window asks for on every refresh of the case list (ui/case_list.py): a first page of the
# tab, searched, and the tab counts. A first page of 5 (13 cases: a full page, so the total is counted).
_REFRESHES = {
    "first page": lambda q: q.case_page("approver", CaseQuery(tab="all"), limit=5),
    "first page, township user": lambda q: q.case_page("clerk", CaseQuery(tab="all"), limit=5),
    "whole ID number": lambda q: q.case_page("approver", CaseQuery(tab="all", search=_household(3)["members"][0]
                                                                     ["id_number"]), limit=5),
    "name": lambda q: q.case_page("approver", CaseQuery(tab="all", search="王建国"), limit=5),
    "name prefix": lambda q: q.case_page("approver", CaseQuery(tab="all", search="王"), limit=5),
    "tab counts": lambda q: q.tab_counts("approver"),
    "tab counts, searched": lambda q: q.tab_counts("approver", "王建"),
}


def test_a_refresh_of_the_list_sends_the_same_few_statements_whatever_the_size(listed, office):
    """No statement per case, per village or per tab: a first page, a search and the tab counts send
    as many statements with 13 cases as with 37, and few: the user (with the areas' count), the
    calendar, the page with its columns, the total, and one for why the rows matched."""
    q, _ids = listed
    for run in _REFRESHES.values():
        run(q)  # the scope and calendar are worked out on first use, then kept
    before = {name: len(_statements_of(office, lambda run=run: run(q))) for name, run in _REFRESHES.items()}
    svc = CaseService(office)
    for i in range(13, 37):
        svc.create_case(_household(i), "dibao", "clerk", applied_on=day(i % 3))
    after = {name: len(_statements_of(office, lambda run=run: run(q))) for name, run in _REFRESHES.items()}
    assert after == before, (before, after)
    assert before["first page"] == 4 and before["name prefix"] == 5 and before["tab counts"] == 3, before
    assert max(before.values()) <= 5, before
    # a search whose matches fit on the first page is not counted again
    assert before["whole ID number"] == 4, before


def test_the_case_list_reads_no_proposal_and_no_objection_and_the_queue_does(listed, office):
    """The case list shows neither an amount nor an objection (ui/case_list.py COLUMNS, the export's
    columns): its pages parse no proposal or decision and look up no audit event for their rows.
    The supervisor queue, which shows them, reads them."""
    q, _ids = listed
    listing = _statements_of(office, lambda: [run(q) for name, run in _REFRESHES.items() if "tab counts" not in name])
    read = " ".join(statement for statement, _parameters in listing)
    assert "proposal" not in read and "decision" not in read and "audit_events" not in read, read
    queue = " ".join(statement for statement, _parameters in _statements_of(office, lambda: q.queue_page("approver")))
    assert "proposal" in queue and "decision" in queue and "audit_events" in queue, queue


def test_a_new_area_and_a_new_calendar_day_are_seen_by_the_next_refresh(listed, office):
    """The user's villages and the calendar are kept between refreshes only while they hold: an
    area added or a day declared a holiday shows on the next page."""
    q, _ids = listed
    from doudi_desk.services.admin import AdminService

    admin = AdminService(office)
    admin.add_user("east", "河东", ["caseworker"], "130999101")
    assert {r["village"] for r in q.case_page("east", CaseQuery(tab="all"))["rows"]} == {"130999101001"}
    admin.add_area("130999101002", "新村", "village", "130999101")
    today = office.today()
    svc = CaseService(office)
    new = svc.create_case({**_household(0), "village": "130999101002"}, "dibao", "clerk", applied_on=today.isoformat())
    svc.advance(new["id"], "accept", "clerk", effective_date=today.isoformat(),
                data={"application": {**APPLICATION["application"], "apply_date": today.isoformat()}})
    assert {r["village"] for r in q.case_page("east", CaseQuery(tab="all"))["rows"]} == {"130999101001",
                                                                                          "130999101002"}
    row = next(r for r in q.case_page("approver", CaseQuery(tab="all"))["rows"] if r["id"] == new["id"])
    assert row["days_left"] > 1, row
    holiday = next(d for d in (today + dt.timedelta(days=n) for n in range(1, 30))
                   if d.isoformat() <= row["deadline"] and d.weekday() < 5
                   and not WorkingCalendar().holiday_name(d))
    admin.set_calendar_day(holiday, False, "乡镇统一休息", actor="admin")
    again = next(r for r in q.case_page("approver", CaseQuery(tab="all"))["rows"] if r["id"] == row["id"])
    assert again["days_left"] == row["days_left"] - 1, (row, again)


@pytest.mark.parametrize("name,index", [
    ("first page", "sqlite_autoindex_cases_1"),  # cases by number: the unique index of case numbers
    ("first page, township user", None),
    ("whole ID number", "ix_members_id_number (id_number=?)"),
    ("name", "ix_members_name (name>? AND name<?)"),
    ("name prefix", "ix_members_name (name>? AND name<?)"),
])
def test_a_first_page_and_a_search_read_through_indexes(listed, office, name, index):
    """SQLite's plan of every statement of a first page or a search: cases, households and people
    are only ever looked up in an index (SEARCH), never read whole (SCAN); the first page walks the
    index of its sort order and stops after the page (no sort of every case), and its total is a
    COUNT(*) (which SQLite answers from the b-tree's count; COUNT(cases.id) steps through an index)."""
    if office.db.engine.dialect.name != "sqlite":
        pytest.skip("the query plan checked here is SQLite's")
    q, _ids = listed
    _REFRESHES[name](q)  # the scope and calendar are worked out on first use
    plans = dict(sqlite_plans(office.db.engine, _statements_of(office, lambda: _REFRESHES[name](q))))
    for sql, plan in plans.items():
        for line in plan:
            table = line.split()[1] if line.startswith("SCAN ") else None
            if table in ("cases", "members", "households"):
                assert "USING COVERING INDEX" in line, (line, plan, sql)
                # an index read in full is the total's COUNT(*) or the page's walk in sort order
                assert sql.lstrip().startswith("SELECT count(*)") or "LIMIT" in sql, (line, plan, sql)
    page = next(plan for sql, plan in plans.items() if "AS page" in sql)
    assert any(line.startswith(("SEARCH cases USING INTEGER PRIMARY KEY", "SEARCH cases USING INDEX"))
               for line in page), page  # the page's rows are looked up by id
    if index is not None:
        assert any(index in line for line in page), (index, page)
    if name == "first page":  # in the order of the index: no sort of every case before the LIMIT
        found = page[:page.index("SCAN page")]  # what finds the page (then its ≤ 101 rows are sorted)
        assert "SCAN cases USING COVERING INDEX sqlite_autoindex_cases_1" in found, page
        assert not any("TEMP B-TREE" in line for line in found), "\n".join(page)


def test_a_sort_by_head_orders_by_the_head_the_list_shows_not_the_first_member(office):
    """The 户主 sort and the 户主 column are one rule (storage/listing.py _head_of_case): the member of
    relation head, else the first member, even when the head is not listed first."""
    svc = CaseService(office)
    head_second = svc.create_case({"village": VILLAGES[0], "members": [
        {"name": "丁小明", "id_number": make_id("130102", dt.date(2012, 1, 1), 201), "relation": "child"},
        {"name": "赵建国", "id_number": make_id("130102", dt.date(1970, 1, 1), 202), "relation": "head"}],
        "income": [{"type": "farming", "amount": "3600"}]}, "dibao", "clerk", applied_on=day(0))
    head_first = svc.create_case(_household(0), "dibao", "clerk", applied_on=day(0))  # 王…
    q = QueryService(office)
    page = q.case_page("clerk", CaseQuery(tab="all", sort="head"), None, 10)
    heads = [r["head"] for r in page["rows"]]
    assert heads == sorted(heads) and heads[-1] == "赵建国", heads  # 丁 (the first member) would go first
    assert [r["id"] for r in page["rows"]] == [head_first["id"], head_second["id"]]


def test_the_list_and_the_queue_read_without_an_orm_session(listed, office, monkeypatch):
    """A first page, the next page, a search and the queue run statements compiled once on the
    driver's connection (Database.reads): no ORM session is made for them."""
    q, _ids = listed
    for run in _REFRESHES.values():
        run(q)  # the scope is worked out on first use (in a unit of work of its own), then kept
    made = []
    sessions = office.db._sessions
    monkeypatch.setattr(office.db, "_sessions", lambda: made.append(1) or sessions())
    first = q.case_page("approver", CaseQuery(tab="all"), limit=5)
    second = q.case_page("approver", CaseQuery(tab="all"), first["next"], 5)
    searched = q.case_page("approver", CaseQuery(tab="all", search="王建"), limit=5)
    queue = q.queue_page("approver")
    assert made == []
    assert len(first["rows"]) == len(second["rows"]) == 5 and searched["rows"] and queue["total"] is not None


def test_a_search_with_a_nul_or_a_lone_surrogate_is_refused_as_every_statement_is(listed):
    """The list's own statements go through the engine's guard as SQLAlchemy's do (storage/db.py):
    a NUL or a lone surrogate typed into the search is a known error, not a crash."""
    from doudi_desk.storage.db import StorageError

    q, _ids = listed
    for text_, kind in (("王\x00建", "input"), ("王\ud800", "encoding")):
        with pytest.raises(StorageError) as refused:
            q.case_page("approver", CaseQuery(tab="all", search=text_))
        assert refused.value.kind == kind, refused.value


def test_a_read_unit_that_cannot_connect_is_a_known_error():
    """Database.reads takes its connection from the pool, which hands on the driver's own error:
    it comes out as the same StorageError as a unit of work's."""
    from doudi_desk.storage.db import Database, StorageError

    db = Database("postgresql+psycopg://nobody:pw@127.0.0.1:1/none")
    try:
        with pytest.raises(StorageError) as refused, db.reads():
            pass
        assert refused.value.kind == "connect"
    finally:
        db.dispose()
