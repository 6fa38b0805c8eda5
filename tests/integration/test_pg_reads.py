"""Reads on PostgreSQL without round trips of their own (issue 14): the case list, its searches, tab
counts and the queue run in a read-only unit of work, which on PostgreSQL sends no BEGIN and no
COMMIT (autocommit: under READ COMMITTED each statement sees what it would see inside a
transaction) and on both databases refuses any statement that is not a SELECT."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, text

from doudi_desk.domain.ids import make_id
from doudi_desk.services.cases import CaseService
from doudi_desk.services.queries import CaseQuery, QueryService
from tests.helpers.dibao import day, household, to_county, to_posting
from tests.helpers.office import open_office
from tests.pg_support import fresh_database, requires_pg


@pytest.fixture
def pg():
    with fresh_database() as url:
        yield from open_office(url, url)


def _statuses(ctx, work) -> list[tuple[str, str]]:
    """Each statement ``work`` sends, with psycopg's transaction status as it is sent: in a
    transaction every statement after a unit of work's first finds it INTRANS (psycopg sent a
    BEGIN before the first)."""
    seen: list[tuple[str, str]] = []

    def before(_conn, cursor, statement, _parameters, _context, _many):
        seen.append((statement.split()[0], cursor.connection.info.transaction_status.name))

    event.listen(ctx.db.engine, "before_cursor_execute", before)
    try:
        work()
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", before)
    return seen


@requires_pg
def test_the_case_list_searches_counts_and_queue_send_no_begin_or_commit_on_postgres(pg):
    view = to_posting(CaseService(pg))
    q = QueryService(pg)
    row = q.case_page("approver", CaseQuery(tab="all"), limit=1)["rows"][0]

    def lists():
        for search in ("", row.head_id_number[-4:], row.head[:1]):  # the ID shows masked: its tail
            page = q.case_page("approver", CaseQuery(tab="all", search=search), limit=1)
            assert [r.id for r in page["rows"]] == [view["id"]], search
            q.tab_counts("approver", search)
        q.queue_page("reviewer")
        q.case_rows([view["id"]], "approver")

    seen = _statuses(pg, lists)
    assert seen and all(kind == "SELECT" for kind, _ in seen), seen
    # INTRANS would mean psycopg sent a BEGIN first, and a COMMIT follows: two round trips more
    assert {status for _, status in seen} == {"IDLE"}, seen


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=requires_pg)])
def test_a_read_only_unit_of_work_refuses_a_write_and_writes_nothing(office, backend, request):
    ctx = request.getfixturevalue("pg") if backend == "postgresql" else office
    with ctx.db.unit_of_work() as uow:
        before = uow.session.execute(text("SELECT COUNT(*) FROM areas")).scalar_one()
    with pytest.raises(RuntimeError, match="read-only unit of work"), ctx.db.unit_of_work(read_only=True) as uow:
        assert uow.session.execute(text("SELECT COUNT(*) FROM areas")).scalar_one() == before
        uow.session.execute(text("INSERT INTO areas (code, name, level, parent_code) "
                                    "VALUES ('130999103', '新乡', 'township', '130999')"))
    with ctx.db.unit_of_work() as uow:
        assert uow.session.execute(text("SELECT COUNT(*) FROM areas")).scalar_one() == before
    if backend == "postgresql":  # every pooled connection is back out of autocommit once returned
        with ctx.db.unit_of_work(read_only=True) as a, ctx.db.unit_of_work(read_only=True) as b:
            assert {u.session.connection().connection.driver_connection.autocommit for u in (a, b)} == {True}
        with ctx.db.unit_of_work() as a, ctx.db.unit_of_work() as b:
            assert {u.session.connection().connection.driver_connection.autocommit for u in (a, b)} == {False}
    # and an ordinary unit of work afterwards still writes in its transaction
    with pytest.raises(ZeroDivisionError), ctx.db.unit_of_work() as uow:
        uow.session.execute(text("INSERT INTO areas (code, name, level, parent_code) "
                                    "VALUES ('130999103', '新乡', 'township', '130999')"))
        raise ZeroDivisionError
    with ctx.db.unit_of_work() as uow:
        assert uow.session.execute(text("SELECT COUNT(*) FROM areas")).scalar_one() == before


def _listed_values(ctx, ids) -> list[tuple]:
    with ctx.db.unit_of_work(read_only=True) as uow:
        return [(r["number"], r["eligible"], r["proposal_amounts"], r["decided_amount"], r["result"], r["objection"])
                for r in uow.listing.rows(ids, queue=True)]


@requires_pg
def test_a_list_reads_the_proposal_decision_and_objection_as_on_sqlite_parsing_each_document_once(pg, office):
    """PostgreSQL takes a list row's proposal and decision values out of one json_to_record of each
    document (``->>`` would parse the whole document again for each value): the same values as
    SQLite's json_extract, for a proposal, a decision, no proposal, and a document that is not an
    object (where ``->>`` gives NULL and json_to_record would refuse)."""
    values = []
    for ctx in (office, pg):
        svc = CaseService(ctx)
        posted = to_posting(svc)["id"]
        svc.advance(posted, "record_objection", "clerk", comment="有异议", effective_date=day(6),
                    data={"objection": {"received_on": day(6), "objector": "村民", "content": "反映收入不实"}})
        approved = to_county(svc, 1)["id"]
        svc.advance(approved, "approve", "approver", effective_date=day(13))
        fresh = svc.create_case(household(members=[{"name": "孔德福", "relation": "head", "id_number": make_id(
            "130102", dt.date(1958, 3, 1), 7)}], income=[], rigid_expenses=[]), "dibao", "clerk",
            applied_on=day(0))["id"]
        values.append(_listed_values(ctx, [posted, approved, fresh]))
    assert values[0] == values[1]
    (_, eligible, amounts, _, _, objection), (_, _, _, decided, result, none), (_, *nothing) = values[1]
    assert eligible is True and amounts["monthly_amount"] and decided and result, values[1]
    assert objection is True and none is False  # PostgreSQL asks "an objection?" as id IN (…): the same answer
    assert nothing == [None, {"monthly_amount": None, "amount": None}, None, None, False]

    sent = []

    def seen(_conn, _cursor, statement, _parameters, _context, _many):
        sent.append(statement)

    q = QueryService(pg)
    event.listen(pg.db.engine, "before_cursor_execute", seen)
    try:
        page = q.queue_page("approver", limit=10)  # the case list reads no proposal; the queue does
    finally:
        event.remove(pg.db.engine, "before_cursor_execute", seen)
    assert page["total"] is not None
    listing = [s for s in sent if "cases.proposal" in s]
    assert listing and not [s for s in listing if "->>" in s], listing
    assert all(s.count("json_to_record") == 2 for s in listing), listing

    for document in ("null", "[1, 2]", '"text"'):
        with pg.db.unit_of_work() as uow:
            uow.session.execute(text(f"UPDATE cases SET proposal = '{document}'::json, "
                                     f"decision = '{document}'::json WHERE id = :id"), {"id": approved})
        assert _listed_values(pg, [approved])[0][1:] == (None, {"monthly_amount": None, "amount": None}, None, None,
                                                          False)


@requires_pg
def test_reading_households_and_cases_by_id_sends_one_statement_text_whatever_their_number_on_postgres(pg):
    """A 公示名单's households and a batch's read-ahead are read by a list of ids. On PostgreSQL the
    list is one array parameter, so the statement's text is the same for one id as for many (the
    server has nothing new to parse); what is read is what an IN would read."""
    svc = CaseService(pg)
    views = [to_county(svc, seq) for seq in (31, 32, 33)]
    case_ids = [v["id"] for v in views]
    household_ids = [v["household"]["id"] for v in views]
    texts: list[str] = []

    def before(_conn, _cursor, statement, _parameters, _context, _many):
        texts.append(statement)

    def sent(work) -> list[str]:
        texts.clear()
        event.listen(pg.db.engine, "before_cursor_execute", before)
        try:
            work()
        finally:
            event.remove(pg.db.engine, "before_cursor_execute", before)
        return list(texts)

    with pg.db.unit_of_work() as uow:
        uow.cases.get(case_ids[0])  # the unit's first statement is sent before the reads compared
        one = sent(lambda: (uow.households.posted_where(household_ids[:1]), uow.cases.preload(case_ids[:1])))
        three = sent(lambda: (uow.households.posted_where(household_ids), uow.cases.preload(case_ids)))
        assert one and one == three
        assert sorted(uow.households.posted_where(household_ids)) == sorted(household_ids)
        assert sorted(i for i, _h, _v in uow.cases.preload(case_ids)) == sorted(case_ids)
