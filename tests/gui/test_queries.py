"""The window's read services (queries, drafts, batch) without Qt."""

from __future__ import annotations

import pytest

from doudi_desk.domain.ids import make_id
from doudi_desk.services.batch import BatchService
from doudi_desk.services.cases import CaseService
from doudi_desk.services.drafts import DraftService
from doudi_desk.services.queries import CaseQuery, QueryService
from doudi_desk.storage.initials import name_initials
from tests.helpers.dibao import (
    POSTING,
    day,
    household,
    to_county,
    to_posting,
)

ZHAO = make_id("130102", __import__("datetime").date(1980, 1, 1), 11)


@pytest.fixture
def svc(office):
    return CaseService(office)


def test_name_initials():
    assert name_initials("张三") == "zs"
    assert name_initials("曾国藩") == "zgf"  # the surname reading
    assert name_initials("王 伟") == "ww"
    assert name_initials("") == ""


def test_search_by_initials_name_id_and_number(svc, office):
    a = svc.create_case(household(), "dibao", "clerk", applied_on=day(0))
    q = QueryService(office)
    for text in ("wjg", "WJG", "王建", "130102197203", "130102201205200152", a["number"][:7], "lxl"):
        assert q.case_ids("clerk", CaseQuery(search=text)) == [a["id"]], text
    assert q.case_ids("clerk", CaseQuery(search="zs")) == []
    row = q.case_rows([a["id"]])[0]
    assert row["head"] == "王建国" and row["state_label"] == "申请登记" and row["members"] == 4


def test_tabs_sort_and_supervisor_queue(svc, office):
    q = QueryService(office)
    posted = to_posting(svc)
    fresh = svc.create_case(household(members=[{"name": "赵一", "id_number": ZHAO, "relation": "head"}],
                                      income=[], rigid_expenses=[]), "dibao", "clerk", applied_on=day(0))
    counts = q.tab_counts("reviewer")
    assert counts["all"] == 2 and counts["posting"] == 1
    assert q.case_ids("reviewer", CaseQuery(tab="posting")) == [posted["id"]]
    assert q.case_ids("clerk", CaseQuery(sort="head")) == [posted["id"], fresh["id"]]  # 王 < 赵 by code point
    assert q.case_ids("clerk", CaseQuery(sort="number", descending=True)) == [fresh["id"], posted["id"]]
    svc.advance(posted["id"], "submit_to_county", "reviewer", data=POSTING, effective_date=day(12))
    queue = q.supervisor_queue("approver")
    assert [r["id"] for r in queue] == [posted["id"]]
    assert queue[0]["proposed_amount"] == "2792" and queue[0]["flags"] == []
    assert q.supervisor_queue("clerk") == []


def test_duplicates_include_covered_cases(svc, office):
    svc.create_case(household(), "dibao", "clerk", applied_on=day(0))
    found = QueryService(office).duplicates(["130102197203150316", ZHAO, "bad"])
    assert [f["id_number"] for f in found] == ["130102197203150316"]
    assert "申请登记" in found[0]["message"]


def test_drafts_round_trip(office):
    d = DraftService(office)
    assert d.load("clerk", "application/new") is None
    d.save("clerk", "application/new", {"members": [{"name": "张三"}]})
    assert d.load("clerk", "application/new")["data"] == {"members": [{"name": "张三"}]}
    assert d.load("clerk2", "application/new") is None
    d.discard("clerk", "application/new")
    assert d.load("clerk", "application/new") is None


def test_batch_failure_names_the_case_and_keeps_the_others(svc, office):
    views = [to_county(svc, seq) for seq in (101, 103, 105)]
    items = [dict(id=v["id"], number=v["number"], version=v["version"]) for v in views]
    items[1]["version"] -= 1  # someone changed this one since the supervisor looked
    seen = []
    result = BatchService(office).run(items, "approve", "approver", progress=lambda i, n, num: seen.append((i, n)))
    assert [d["number"] for d in result["done"]] == [views[0]["number"], views[2]["number"]]
    assert result["failed"][0]["number"] == views[1]["number"] and "已被他人修改" in result["failed"][0]["message"]
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert svc.show(views[0]["id"])["state"] == "approved" and svc.show(views[1]["id"])["state"] == "county_review"
    queue = QueryService(office).supervisor_queue("approver")
    assert [r["id"] for r in queue] == [views[1]["id"]] and "单人户" in queue[0]["flags"]
    with pytest.raises(Exception, match="理由"):
        BatchService(office).run(items[1:2], "return", "approver")
    result = BatchService(office).run([{**items[1], "version": views[1]["version"]}], "return", "approver",
                                      reason="入户调查表缺签字")
    assert result["done"][0]["state_label"] == "家庭经济状况调查"
