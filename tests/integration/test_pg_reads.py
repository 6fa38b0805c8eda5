"""Reads on PostgreSQL without round trips of their own (issue 14): the case list, its searches, tab
counts and the queue run in a read-only unit of work, which on PostgreSQL sends no BEGIN and no
COMMIT (autocommit: under READ COMMITTED each statement sees what it would see inside a
transaction) and on both databases refuses any statement that is not a SELECT."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from doudi_desk.services.cases import CaseService
from doudi_desk.services.queries import CaseQuery, QueryService
from tests.helpers.dibao import to_posting
from tests.helpers.office import open_office
from tests.pg_support import fresh_database, requires_pg


@pytest.fixture
def pg():
    with fresh_database() as url:
        yield from open_office(url, url)


def _statuses(ctx, work) -> list[tuple[str, str]]:
    """Each statement ``work`` sends, with psycopg's transaction status right after it."""
    seen: list[tuple[str, str]] = []

    def after(_conn, cursor, statement, _parameters, _context, _many):
        seen.append((statement.split()[0], cursor.connection.info.transaction_status.name))

    event.listen(ctx.db.engine, "after_cursor_execute", after)
    try:
        work()
    finally:
        event.remove(ctx.db.engine, "after_cursor_execute", after)
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
    # and an ordinary unit of work afterwards still writes in its transaction
    with pytest.raises(ZeroDivisionError), ctx.db.unit_of_work() as uow:
        uow.session.execute(text("INSERT INTO areas (code, name, level, parent_code) "
                                    "VALUES ('130999103', '新乡', 'township', '130999')"))
        raise ZeroDivisionError
    with ctx.db.unit_of_work() as uow:
        assert uow.session.execute(text("SELECT COUNT(*) FROM areas")).scalar_one() == before
