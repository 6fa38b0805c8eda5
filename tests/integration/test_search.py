"""The case list's search (issue 10 item 11): an ID number, a phone and a case number found by their
last digits as well as their first, through an index; and why each case matched."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import create_engine, text

from doudi_desk.domain.ids import make_id
from doudi_desk.services.cases import CaseService
from doudi_desk.services.queries import CaseQuery, QueryService
from tests.helpers.dibao import day, household

OTHER_TOWNSHIP = "130999102001"


@pytest.fixture
def found(office):
    svc = CaseService(office)
    a = svc.create_case(household(phone="0311-87654321"), "dibao", "clerk", applied_on=day(0))
    b = svc.create_case(household(OTHER_TOWNSHIP, members=[{"name": "赵德明", "id_number": _id_ending_in_x(),
                                                            "relation": "head"}], phone="13912345678",
                                  income=[], rigid_expenses=[]), "dibao", "clerk", applied_on=day(0))
    q = QueryService(office)
    return a, b, (lambda text_, who="clerk": q.case_ids(who, CaseQuery(search=text_)))


def _id_ending_in_x() -> str:
    for seq in range(1, 500):
        number = make_id("130102", dt.date(1958, 3, 1), seq)
        if number.endswith("X"):
            return number
    raise AssertionError("no X check digit")


def test_an_id_number_is_found_by_its_last_four_to_six_digits(found):
    a, b, search = found
    for tail in ("0152", "00152", "200152", "0316", "150316"):  # 王小明 …0152, 王建国 …0316
        assert search(tail) == [a["id"]], tail
    x_tail = _id_ending_in_x()[-5:]
    assert search(x_tail) == [b["id"]] and search(x_tail.lower()) == [b["id"]]
    assert search("130102197203") == [a["id"]]  # the beginning still works
    assert search("9999") == []


def test_a_phone_is_found_by_its_last_digits(found):
    a, b, search = found
    assert search("4321") == [a["id"]] and search("87654321") == [a["id"]]
    assert search("5678") == [b["id"]] and search("13912345678") == [b["id"]]


def test_a_case_number_is_found_by_its_tail(found):
    a, b, search = found
    assert a["number"].endswith("-000001") and b["number"].endswith("-000002")
    assert search("000002") == [b["id"]]
    for text_ in ("DB-000002", "db-000002", "DB000002", "DB-2", "db2"):
        assert search(text_) == [b["id"]], text_
    assert search(a["number"]) == [a["id"]] and search(a["number"][:7]) == [a["id"], b["id"]]


def test_scope_still_applies_to_what_a_search_finds(found, office):
    from doudi_desk.services.admin import AdminService

    a, b, search = found
    AdminService(office).update_user("clerk2", area="130999101")  # 河东镇 only
    assert search("5678", "clerk2") == [] and search("4321", "clerk2") == [a["id"]]


def test_each_row_says_why_it_matched(found, office):
    a, b, search = found
    q = QueryService(office)
    assert q.case_rows([a["id"]], "clerk", "lxl")[0]["matched"] == "李秀兰（姓名拼音首字母）"
    assert q.case_rows([a["id"]], "clerk", "0152")[0]["matched"] == "王小明（身份证号尾号）"
    assert q.case_rows([a["id"]], "clerk", "4321")[0]["matched"] == "联系电话尾号"
    assert q.case_rows([b["id"]], "clerk", "DB-2")[0]["matched"] == "案件编号"
    assert q.case_rows([a["id"]], "clerk", "王小")[0]["matched"] == "王小明（姓名）"
    assert q.case_rows([a["id"]], "clerk")[0]["matched"] == ""
    # the tab bar counts the matches in every tab
    counts = q.tab_counts("clerk", "0152")
    assert counts["all"] == 1 and counts["posting"] == 0


def _captured_plans(office, run) -> list[str]:
    """EXPLAIN QUERY PLAN of every SELECT ``run()`` sends to SQLite."""
    from tests.query_count import sent_with_parameters, sqlite_plans

    with sent_with_parameters(office.db.engine) as sent:
        run()
    return ["\n".join(plan) for _sql, plan in sqlite_plans(office.db.engine, sent)]


@pytest.mark.parametrize("text_,indexes", [
    ("0152", ("ix_members_id_reversed", "ix_members_id_number", "ix_households_phone_reversed",
              "ix_cases_number_reversed", "sqlite_autoindex_cases_1")),
    ("DB-2", ("ix_cases_number_reversed",)),
    ("lxl", ("ix_members_name_initials",)),
    ("王小", ("ix_members_name",)),
])
def test_every_kind_of_search_uses_an_index(found, office, text_, indexes):
    """No search reads a whole table: the case list's query (a township user's, with its scope and
    sort) finds cases by their ids, and each kind of match is a SEARCH on its own index."""
    if office.db.engine.dialect.name != "sqlite":
        pytest.skip("the query plan checked here is SQLite's")
    from doudi_desk.services.admin import AdminService

    AdminService(office).update_user("clerk2", area="130999101")
    q = QueryService(office)
    plans = _captured_plans(office, lambda: q.case_ids("clerk2", CaseQuery(tab="all", search=text_)))
    [plan] = [p for p in plans if "cases" in p and ("members" in p or "number_reversed" in p or "SUBQUERY" in p)]
    assert "SCAN" not in plan, plan
    assert plan.splitlines()[0].startswith("SEARCH cases USING ") and "rowid=?" in plan.splitlines()[0], plan
    for index in indexes:
        assert f"USING INDEX {index} " in plan or f"USING COVERING INDEX {index} " in plan, (index, plan)


def test_a_whole_id_number_is_one_indexed_equality(found, office):
    """A full 18-character ID number can only be a member's ID number: the search asks that one
    index (not the tails, case numbers or phones, which cannot match it) and the row says so."""
    from query_count import selects, statements

    a, b, search = found
    q = QueryService(office)
    full = _id_ending_in_x()  # 赵德明's
    assert full.endswith("X") and search(full) == [b["id"]] and search(full.lower()) == [b["id"]]
    assert q.case_rows([b["id"]], "clerk", full)[0]["matched"] == "赵德明（身份证号）"
    with statements(office.db.engine) as sent:
        q.case_page("clerk", CaseQuery(tab="all", search=full), limit=100)
    assert any("members.id_number = " in s for s in selects(sent)), sent
    assert not any("id_reversed" in s or "phone_reversed" in s or "number_reversed" in s for s in selects(sent))
    if office.db.engine.dialect.name == "sqlite":
        plans = _captured_plans(office, lambda: q.case_ids("clerk", CaseQuery(tab="all", search=full)))
        [plan] = [p for p in plans if "members" in p]
        assert "SCAN" not in plan and "ix_members_id_number (id_number=?)" in plan, plan


def test_rows_written_before_the_search_keys_are_found_after_the_migration(tmp_path):
    from alembic import command
    from alembic.config import Config

    from doudi_desk.storage.db import MIGRATIONS_DIR, Database
    from doudi_desk.storage.listing import CaseListRepository

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0005")
        conn.execute(text("INSERT INTO areas VALUES ('1', '县', 'county', NULL)"))
        conn.execute(text("INSERT INTO households (id, village_code, address, phone, no_able_supporter, assets, "
                          "created_at) VALUES (7, NULL, '', '0311 8765-4321', 0, '{}', '2026-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO members (household_id, position, name, name_initials, id_number, relation, "
                          "serious_illness, applicant, adl_unable, student, staff_relative) VALUES "
                          "(7, 0, '王建国', 'wjg', '130102197203150316', 'head', 0, 0, 0, 0, 0)"))
        conn.execute(text("INSERT INTO cases (id, number, programme, workflow_id, workflow_version, state, "
                          "household_id, village_code, created_by, created_at, applied_on, county_delegated, "
                          "staff_relative, forms, closed, version, kind) VALUES (3, '2026-DB-000123', 'dibao', "
                          "'dibao', 1, 'applied', 7, '1', 'clerk', '2026-01-01 00:00:00', '2026-01-01', 0, 0, "
                          "'{}', 0, 1, 'application')"))
    engine.dispose()
    db = Database(url)
    db.migrate()
    with db.unit_of_work() as uow:
        assert isinstance(uow.listing, CaseListRepository)
        for text_ in ("0316", "4321", "000123", "DB-123"):
            assert uow.listing.ids(search=text_) == [3], text_
    db.dispose()


def test_a_step_of_one_workflow_does_not_make_another_workflows_cases_a_to_do(office):
    """县级审核确认 of an application is the county's; that a 停保 in its 县级决定 (also named
    county_review) may be withdrawn by the township does not put the application in the
    township's 待办."""
    from tests.helpers.dibao import to_county

    view = to_county(CaseService(office), 401)
    q = QueryService(office)
    assert view["state"] == "county_review"
    assert view["id"] not in q.case_ids("reviewer", CaseQuery(tab="todo"))
    assert view["id"] in q.case_ids("approver", CaseQuery(tab="todo"))
    assert q.tab_counts("reviewer")["todo"] == 0
    assert q.case_ids("admin", CaseQuery(tab="todo")) == []


def test_why_rows_matched_is_one_statement_whatever_the_kinds_of_match(found, office):
    """Four digits can be the end of an ID number, its start, a case number's start or end and a
    phone's end: the page asks why its rows matched in one statement (a part per kind), and each row
    still names its own reason."""
    from query_count import selects, statements

    a, b, _search = found
    q = QueryService(office)
    q.case_page("clerk", CaseQuery(tab="all", search="0152"))  # the scope and calendar are kept after the first
    with statements(office.db.engine) as sent:
        page = q.case_page("clerk", CaseQuery(tab="all", search="0152"))
    asked = [s for s in selects(sent) if "AS part" in s]
    assert len(asked) == 1 and all(k in asked[0] for k in ("id_reversed", "id_number", "phone_reversed",
                                                           "number_reversed")), sent
    assert [r["matched"] for r in page["rows"]] == ["王小明（身份证号尾号）"]
    by_phone = q.case_page("clerk", CaseQuery(tab="all", search="4321"))["rows"]
    assert [(r["id"], r["matched"]) for r in by_phone] == [(a["id"], "联系电话尾号")]
    by_number = q.case_page("clerk", CaseQuery(tab="all", search="DB-2"))["rows"]
    assert [(r["id"], r["matched"]) for r in by_number] == [(b["id"], "案件编号")]
