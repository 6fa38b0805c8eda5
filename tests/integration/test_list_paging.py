"""The case list at county scale (issue 14): pages found by keyset in SQL walk the same order as the
whole sorted list, ties included; the tab counts of one grouped query equal a COUNT per tab; a
county user's scope is no filter at all."""

from __future__ import annotations

import datetime as dt

import pytest

from doudi_desk.domain.ids import make_id
from doudi_desk.services.cases import CaseService
from doudi_desk.services.queries import SORT_KEYS, TABS, CaseQuery, QueryService
from tests.helpers.dibao import APPLICATION, day

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
                u = q._user(uow, user)
                calendar = WorkingCalendar(uow.calendar.all())
                expected = {tab: uow.listing.count(**q._filters(uow, u, CaseQuery(tab=tab, search=search), calendar))
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
