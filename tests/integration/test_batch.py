"""Batch approval from the supervisor queue takes each case's own decision form from its workflow
(issue 10 item 9): one test per workflow that can be batch-decided, and the refusals named."""

from __future__ import annotations

import logging

import pytest

from doudi_desk.services.batch import BatchService
from doudi_desk.services.cases import CaseService
from doudi_desk.services.queries import BATCH_APPROVE, QueryService
from tests.helpers.tekun import ELDER as TEKUN_ELDER
from tests.helpers.tekun import (
    OPINION,
    POSTED,
    TEKUN_APP,
    day,
    tekun_investigation,
    tekun_to_county,
    temp_household,
    temp_to_posting,
)


@pytest.fixture
def svc(office):
    return CaseService(office)


def items(*views):
    return [{"id": v["id"], "number": v["number"], "version": v["version"], "head": v["household"]["head"]}
            for v in views]


def test_the_workflows_a_batch_can_decide_are_the_ones_tested_here(office):
    decidable = {e.spec.id for e in office.engines.values()
                 if any(t.trigger == "approve" for t in e.spec.transitions)}
    assert decidable == {"dibao", "tekun", "temporary", "disability_allowance"}  # 两项补贴: test_disability_allowance
    assert "approve" in BATCH_APPROVE


def test_dibao_batch_confirms_at_county_and_at_a_delegated_township(svc, office):
    from tests.helpers.dibao import to_county

    county = to_county(svc, 201)
    queue = {r["id"]: r for r in QueryService(office).supervisor_queue("approver")}
    assert queue[county["id"]]["batchable"] and queue[county["id"]]["approve_label"] == "确认"
    result = BatchService(office).run(items(county), "approve", "approver")
    assert [d["number"] for d in result["done"]] == [county["number"]] and not result["failed"]
    view = svc.show(county["id"])
    assert view["state"] == "approved" and view["forms"]["approval"]["comment"] == "同意"
    assert view["decision"]["monthly_amount"] == county["proposal"]["monthly_amount"]


def test_tekun_batch_posts_and_decides_with_the_tekun_form(svc, office, caplog):
    at_county = tekun_to_county(svc)
    # and a second 特困 case still at 初审, posted by the township reviewer's batch
    cid = svc.create_case(TEKUN_ELDER | {"members": [{"name": "周老汉", "id_number": "130102194506180017",
                                                       "relation": "head"}]}, "tekun", "clerk",
                          applied_on=day(0))["id"]
    svc.advance(cid, "accept", "clerk", data=TEKUN_APP, effective_date=day(0))
    at_review = svc.advance(cid, "complete_investigation", "clerk", data=tekun_investigation(), effective_date=day(3))
    assert at_review["state"] == "preliminary_review"

    reviewer_queue = {r["id"]: r for r in QueryService(office).supervisor_queue("reviewer")}
    assert reviewer_queue[cid]["approve_label"] == "发布初审公示" and reviewer_queue[cid]["batchable"]
    posted = BatchService(office).run(items(at_review), "approve", "reviewer")
    assert posted["failed"] == [] and svc.show(cid)["state"] == "posting"
    assert svc.show(cid)["forms"]["preliminary_opinion"]["opinion"] == "approve"

    queue = {r["id"]: r for r in QueryService(office).supervisor_queue("approver")}
    assert queue[at_county["id"]]["approve_label"] == "认定" and queue[at_county["id"]]["batchable"]
    with caplog.at_level(logging.INFO, logger="doudi_desk.services.batch"):
        result = BatchService(office).run(items(at_county), "approve", "approver")
    assert result["failed"] == [], result["failed"]
    assert result["done"] == [{"id": at_county["id"], "number": at_county["number"], "head": "刘福",
                               "state_label": "认定（供养中）"}]
    view = svc.show(at_county["id"])
    assert view["state"] == "approved" and "approval" not in view["forms"]
    assert view["forms"]["tekun_approval"]["comment"] == "同意"
    assert view["decision"]["monthly_amount"] == "1166"
    assert f"batch approve by approver done: {at_county['number']}" in caplog.text


def test_temporary_batch_decides_at_either_level_and_names_the_case_it_cannot(svc, office):
    township = temp_to_posting(svc, temp_household(amount="5000"))
    township = svc.advance(township["id"], "submit_for_township_approval", "reviewer", data=POSTED,
                           effective_date=day(11))
    county = temp_to_posting(svc, temp_household(amount="20000", cause="突发重病住院"))
    county = svc.advance(county["id"], "submit_to_county", "reviewer", data=POSTED, effective_date=day(11))
    big = temp_to_posting(svc, temp_household(amount="30000", cause="车祸致残"))
    big = svc.advance(big["id"], "submit_to_county", "reviewer", data=POSTED, effective_date=day(11))

    reviewer_queue = {r["id"]: r for r in QueryService(office).supervisor_queue("reviewer")}
    assert reviewer_queue[township["id"]]["approve_label"] == "审批同意"
    result = BatchService(office).run(items(township), "approve", "reviewer")
    assert result["failed"] == [] and svc.show(township["id"])["state"] == "approved"
    assert svc.show(township["id"])["forms"]["temporary_approval"]["comment"] == "同意"
    assert svc.show(township["id"])["decision"]["amount"] == "5000"

    result = BatchService(office).run(items(county, big), "approve", "approver")
    assert [d["number"] for d in result["done"]] == [county["number"]]
    assert svc.show(county["id"])["decision"]["amount"] == "20000"
    [refused] = result["failed"]
    assert refused["number"] == big["number"] and refused["head"] == "赵德明" and not refused["conflict"]
    assert "一事一议" in refused["message"]
    assert svc.show(big["id"])["state"] == "county_approval"


def test_a_household_computed_ineligible_is_not_posted_as_approved_by_a_batch(svc, office):
    young = dict(TEKUN_ELDER, members=[{"name": "孙丽", "id_number": "130102198204120623", "relation": "head"}])
    cid = svc.create_case(young, "tekun", "clerk", applied_on=day(0))["id"]
    svc.advance(cid, "accept", "clerk", data=TEKUN_APP, effective_date=day(0))
    view = svc.advance(cid, "complete_investigation", "clerk", data=tekun_investigation(), effective_date=day(3))
    assert view["proposal"]["eligible"] is False
    result = BatchService(office).run(items(view), "approve", "reviewer")
    assert result["done"] == [] and "不符合保障条件" in result["failed"][0]["message"]
    assert svc.show(cid)["state"] == "preliminary_review"
    # with the opinion written on the case page (拟不同意), the batch posts it as written
    svc.save_forms(cid, "reviewer", {"preliminary_opinion": dict(OPINION["preliminary_opinion"], opinion="refuse",
                                                                 comment="有劳动能力，拟不同意")},
                   effective_date=day(4))
    view = svc.show(cid)
    result = BatchService(office).run(items(view), "approve", "reviewer")
    assert result["failed"] == [] and svc.show(cid)["forms"]["preliminary_opinion"]["opinion"] == "refuse"


def test_a_batch_is_a_few_transactions_and_a_stale_case_in_one_is_undone_alone(svc, office, monkeypatch):
    """Cases are decided in chunks (one commit for many cases), each in its own savepoint: a case
    changed since the supervisor looked is named and left as it was, while the cases before and
    after it in the same transaction are decided, each with its own event in the chain. Another
    connection sees none of the chunk's decisions until it commits; progress comes after it."""
    from sqlalchemy import event, text

    from doudi_desk.services import batch
    from doudi_desk.services.audit import AuditService
    from tests.helpers.dibao import to_county

    monkeypatch.setattr(batch, "CHUNK_SECONDS", 600)  # the four cases in one chunk, however slow the machine

    cases = [to_county(svc, 210 + i) for i in range(4)]
    asked = items(*cases)
    asked[1] = {**asked[1], "version": asked[1]["version"] - 1}  # someone else saved it since
    commits = []

    def committed(_conn):
        commits.append(1)

    reported, outside = [], []

    def peek() -> bool:  # asked before each case: what another program sees of the first case
        with office.db.engine.connect() as conn:
            outside.append(conn.execute(text("SELECT state FROM cases WHERE id = :i"), {"i": cases[0]["id"]}).scalar())
        return False

    event.listen(office.db.engine, "commit", committed)
    try:
        result = BatchService(office).run(asked, "approve", "approver", should_stop=peek,
                                          progress=lambda n, total, number: reported.append((n, total, number)))
    finally:
        event.remove(office.db.engine, "commit", committed)
    assert outside == ["county_review"] * 4  # the first case's decision was not committed before the last case
    assert [d["number"] for d in result["done"]] == [cases[i]["number"] for i in (0, 2, 3)]
    assert [(f["number"], f["conflict"]) for f in result["failed"]] == [(cases[1]["number"], True)]
    assert "已由他人处理" in result["failed"][0]["message"]
    assert len(commits) < len(cases)  # not a transaction per case
    assert [r[0] for r in reported] == [1, 2, 3, 4] and all(r[1] == 4 for r in reported)
    for i, case in enumerate(cases):
        view = svc.show(case["id"])
        if i == 1:
            assert view["state"] == case["state"] and view["version"] == case["version"]
            assert len(view["history"]) == len(case["history"])
        else:
            assert view["state"] == "approved" and view["version"] == case["version"] + 1
            assert view["history"][-1]["trigger"] == "approve" and len(view["history"]) == len(case["history"]) + 1
    assert AuditService(office).verify()["ok"]


def _to_county_with(svc, seq: int, size: int, saves: int):
    """A 低保 case at 县级审核确认 whose household has ``size`` members and whose history has
    ``saves`` more events (forms saved during the investigation)."""
    import datetime as dt

    from doudi_desk.domain.ids import make_id
    from tests.helpers.dibao import APPLICATION, OPINION, POSTING, day, household, investigation
    from tests.helpers.names import han_name

    members = [{"name": han_name("赵", seq * 10 + k), "id_number": make_id("130102", dt.date(1960 + k, 1, 1), seq * 10 + k),
                "relation": "head" if k == 0 else "child", "serious_illness": k == 0} for k in range(size)]
    cid = svc.create_case(household(members=members, income=[{"type": "farming", "amount": "1200"}],
                                    rigid_expenses=[]), "dibao", "clerk", applied_on=day(0))["id"]
    svc.advance(cid, "accept", "clerk", data=APPLICATION, effective_date=day(1))
    svc.advance(cid, "start_investigation", "clerk", effective_date=day(2))
    for k in range(saves):
        svc.save_forms(cid, "clerk", {"home_visit": {"family_present": f"户主（第 {k + 1} 次入户）"}}, effective_date=day(3))
    svc.advance(cid, "complete_investigation", "clerk", data=investigation(), effective_date=day(4))
    svc.advance(cid, "post_notice", "reviewer", data=OPINION, effective_date=day(5))
    return svc.advance(cid, "submit_to_county", "reviewer", data=POSTING, effective_date=day(12))


def test_a_batch_chunk_runs_a_few_statements_per_case_whatever_the_households_and_histories(svc, office, monkeypatch):
    """A chunk reads its cases, households, areas and histories ahead in a fixed number of queries;
    each case then costs its savepoint, the UPDATE of the case and the INSERT of its event (the chain
    head's row is written once per chunk). Before the read-ahead it was 25 statements per case here
    (the case, its household three times, each area of the scope check, the calendar, the history,
    the last event twice, the chain head read and written at each event …)."""
    from doudi_desk.services import batch
    from doudi_desk.services.audit import AuditService

    monkeypatch.setattr(batch, "CHUNK_SECONDS", 600)  # one chunk each, however slow the machine
    small = [_to_county_with(svc, 40 + i, size=1, saves=0) for i in range(2)]
    large = [_to_county_with(svc, 50 + i, size=6, saves=3) for i in range(8)]
    assert len(large[0]["history"]) == len(small[0]["history"]) + 3

    counts = {name: len(statements) for name, statements in _approved_each(office, small=small, large=large).items()}
    per_case = (counts["large"] - counts["small"]) / (len(large) - len(small))
    fixed = counts["small"] - per_case * len(small)
    assert per_case <= 4, counts  # at most SAVEPOINT, UPDATE cases, INSERT audit_events, RELEASE
    assert fixed <= 20, counts  # the user, the chain head, the chunk's cases, households, areas, histories
    assert AuditService(office).verify()["ok"]
    for case in small + large:
        view = svc.show(case["id"])
        assert view["state"] == "approved" and view["history"][-1]["trigger"] == "approve"
        assert len(view["history"]) == len(case["history"]) + 1


def test_a_case_undone_after_its_event_was_written_leaves_the_chain_and_the_others_whole(svc, office, monkeypatch):
    """The chain head and each case's last event are kept in memory while a chunk runs: a case
    refused after its UPDATE and its event were written (here: what follows the decision fails) is
    rolled back to its savepoint, and so is what was noted of it. The next cases link to the true
    head, a case asked for twice is refused the second time as already decided, and the cases read
    ahead in slices are decided like the rest."""
    from doudi_desk.domain.errors import DomainError
    from doudi_desk.services import batch, cases, linkage
    from doudi_desk.services.audit import AuditService
    from tests.helpers.dibao import to_county

    monkeypatch.setattr(batch, "CHUNK_SECONDS", 600)
    monkeypatch.setattr(batch, "READ_AHEAD", 2)
    views = [to_county(svc, 230 + i) for i in range(5)]
    follow = linkage.follow

    def failing_follow(service, uow, source, *args, **kwargs):
        if source.id == views[1]["id"]:
            raise DomainError("后续处理失败（测试）")
        return follow(service, uow, source, *args, **kwargs)

    monkeypatch.setattr(cases.linkage, "follow", failing_follow)
    asked = items(*views)
    asked.insert(3, dict(asked[0]))  # the first case again, as the supervisor saw it before
    result = BatchService(office).run(asked, "approve", "approver")

    assert [d["number"] for d in result["done"]] == [views[i]["number"] for i in (0, 2, 3, 4)]
    assert [(f["number"], f["conflict"]) for f in result["failed"]] == [(views[1]["number"], False),
                                                                      (views[0]["number"], True)]
    assert "后续处理失败" in result["failed"][0]["message"] and "已由他人处理" in result["failed"][1]["message"]
    for i, view in enumerate(views):
        now = svc.show(view["id"])
        assert len(now["history"]) == len(view["history"]) + (i != 1)
        assert now["state"] == ("county_review" if i == 1 else "approved")
    assert AuditService(office).verify()["ok"]


def test_a_chunks_writes_go_as_one_statement_each_without_a_savepoint_whatever_its_size(svc, office, monkeypatch):
    """A chunk keeps each case's UPDATE and event INSERT and sends them together when it is done
    (storage/deferred.py): the statements of a chunk are the same few for 2 cases as for 8, and no
    SAVEPOINT is taken. Every case is still decided once with its own event in the chain."""
    from doudi_desk.services import batch
    from doudi_desk.services.audit import AuditService

    monkeypatch.setattr(batch, "CHUNK_SECONDS", 600)
    small = [_to_county_with(svc, 60 + i, size=1, saves=0) for i in range(2)]
    large = [_to_county_with(svc, 70 + i, size=4, saves=2) for i in range(8)]
    sent = _approved_each(office, small=small, large=large)
    assert len(sent["large"]) == len(sent["small"]), sent
    assert not [s for s in sent["large"] if "SAVEPOINT" in s.upper()], sent["large"]
    assert sum(s.upper().startswith("UPDATE CASES") for s in sent["large"]) == 1, sent["large"]
    assert sum(s.upper().startswith("INSERT INTO AUDIT_EVENTS") for s in sent["large"]) == 1, sent["large"]
    assert AuditService(office).verify()["ok"]
    for case in small + large:
        view = svc.show(case["id"])
        assert view["state"] == "approved" and view["version"] == case["version"] + 1
        assert [e["trigger"] for e in view["history"]] == [e["trigger"] for e in case["history"]] + ["approve"]


def test_a_chunk_reads_all_its_cases_ahead_at_once(svc, office, monkeypatch):
    """What a chunk's cases need is read in one go however many it decides (up to CHUNK_CASES), so
    its kept writes are sent once too: 30 cases send the very statements 2 do. (Read 25 at a time,
    the 26th case read everything again, after sending the writes kept until then.)"""
    from doudi_desk.services import batch

    monkeypatch.setattr(batch, "CHUNK_SECONDS", 600)
    assert batch.CHUNK_CASES >= 30
    sent = _approved_each(office, small=[_to_county_with(svc, 10 + i, size=1, saves=0) for i in range(2)],
                          large=[_to_county_with(svc, 20 + i, size=1, saves=0) for i in range(30)])
    assert sent["large"] == sent["small"], sent


def test_after_a_chunk_ended_by_its_time_the_next_reads_ahead_only_what_it_decided(svc, office, monkeypatch):
    """On a slow PC a chunk ends by CHUNK_SECONDS after a few cases: the next one reads ahead as many
    as that chunk decided, not a whole chunk's worth to decide a few of them. Here each case takes
    0.2 s of a fake clock, so every chunk decides 2 cases; each case is still decided once."""
    import types

    from doudi_desk.services import batch
    from tests.helpers.dibao import to_county

    ticks = iter(range(10_000))
    monkeypatch.setattr(batch, "time", types.SimpleNamespace(monotonic=lambda: next(ticks) * 0.2))
    read = []
    read_ahead = batch._read_ahead
    monkeypatch.setattr(batch, "_read_ahead", lambda uow, some: (read.append(len(some)), read_ahead(uow, some)))
    views = [to_county(svc, 300 + i) for i in range(8)]
    result = BatchService(office).run(items(*views), "approve", "approver")
    assert [d["number"] for d in result["done"]] == [v["number"] for v in views] and not result["failed"]
    assert read == [8, 2, 2, 2]  # the first chunk read them all and decided 2


def test_the_cycle_collector_rests_while_a_batch_runs_and_is_given_back_after(svc, office):
    """A batch is bulk work like an import (doudi_desk/gcpause.py): no collection walks the program's
    objects between its cases, and the collector is on again when it ends, refused cases or not."""
    import gc

    from tests.helpers.dibao import to_county

    asked = items(to_county(svc, 290), to_county(svc, 291))
    asked[1] = {**asked[1], "version": asked[1]["version"] - 1}  # refused as stale
    collecting = []
    BatchService(office).run(asked, "approve", "approver", should_stop=lambda: collecting.append(gc.isenabled()))
    assert collecting == [False, False] and gc.isenabled()


def test_a_chunk_disturbed_by_another_statement_is_undone_and_decided_again_case_by_case(svc, office, monkeypatch):
    """While a chunk's writes are kept, a statement they could make stale (here: what follows one
    case's decision writes to the database itself) undoes the chunk, which is decided again the
    ordinary way, each case in its own savepoint: every case decided once, the one refused after
    its own write undone alone, the chain whole."""
    from sqlalchemy import text

    from doudi_desk.domain.errors import DomainError
    from doudi_desk.services import batch, cases, linkage
    from doudi_desk.services.audit import AuditService
    from tests.helpers.dibao import to_county

    monkeypatch.setattr(batch, "CHUNK_SECONDS", 600)
    views = [to_county(svc, 260 + i) for i in range(4)]
    follow, calls = linkage.follow, []

    def writing_follow(service, uow, source, *args, **kwargs):
        calls.append(source.id)
        if source.id in (views[1]["id"], views[2]["id"]):
            uow.session.execute(text("UPDATE settings SET key = key WHERE 0 = 1"))  # a write of its own
        if source.id == views[2]["id"]:
            raise DomainError("后续处理失败（测试）")
        return follow(service, uow, source, *args, **kwargs)

    monkeypatch.setattr(cases.linkage, "follow", writing_follow)
    result = BatchService(office).run(items(*views), "approve", "approver")

    assert [d["number"] for d in result["done"]] == [views[i]["number"] for i in (0, 1, 3)]
    assert [f["number"] for f in result["failed"]] == [views[2]["number"]]
    # the first pass stopped at the disturbing case; the second decided all four
    assert calls == [views[0]["id"], views[1]["id"]] + [v["id"] for v in views]
    for i, view in enumerate(views):
        now = svc.show(view["id"])
        assert now["state"] == ("county_review" if i == 2 else "approved")
        assert len(now["history"]) == len(view["history"]) + (i != 2)
    assert AuditService(office).verify()["ok"]


def test_a_chunk_whose_deferred_update_misses_a_row_is_undone_and_decided_again(svc, office, monkeypatch):
    """The version check stays in every kept UPDATE: when fewer rows change than were sent (the
    case moved on after it was read), the chunk is undone whole — events and head included — and
    its cases are decided again one at a time, each once."""
    from sqlalchemy import text

    from doudi_desk.services import batch
    from doudi_desk.services.audit import AuditService
    from doudi_desk.storage import deferred
    from tests.helpers.dibao import to_county

    monkeypatch.setattr(batch, "CHUNK_SECONDS", 600)
    views = [to_county(svc, 280 + i) for i in range(3)]
    write, moved = deferred.DeferredWrites.write, []

    def moved_on_first(self):
        if not moved and any(self._rows.values()):  # the second case moved on since it was read
            moved.append(1)
            with self.allowed():
                self._s.execute(text("UPDATE cases SET version = version + 1 WHERE id = :i"), {"i": views[1]["id"]})
        return write(self)

    monkeypatch.setattr(deferred.DeferredWrites, "write", moved_on_first)
    result = BatchService(office).run(items(*views), "approve", "approver")
    assert moved and not result["failed"] and len(result["done"]) == 3  # the move was undone with its chunk
    for view in views:
        now = svc.show(view["id"])
        assert now["state"] == "approved" and now["version"] == view["version"] + 1
        assert [e["trigger"] for e in now["history"]].count("approve") == 1
    assert AuditService(office).verify()["ok"]


def test_a_read_ahead_history_is_decoded_only_where_it_is_read(svc, office, monkeypatch):
    """Deciding a case reads its history's triggers and dates: the read-ahead keeps each event's
    changes and data as stored text, decoded when first read, and an event so read is equal to the
    one read the ordinary way."""
    from doudi_desk.services import batch
    from doudi_desk.storage import repo
    from tests.helpers.dibao import to_county

    monkeypatch.setattr(batch, "CHUNK_SECONDS", 600)
    views = [to_county(svc, 300 + i) for i in range(3)]
    decoded = []
    real = repo._ReadAheadEvent._decoded
    monkeypatch.setattr(repo._ReadAheadEvent, "_decoded", lambda self, name: decoded.append(name) or real(self, name))
    result = BatchService(office).run(items(*views), "approve", "approver")
    assert not result["failed"] and decoded == []

    with office.db.unit_of_work() as uow:
        uow.events.preload([views[0]["id"]])
        ahead = uow.events.list(views[0]["id"])
        plain = uow.events.of_cases([views[0]["id"]])[views[0]["id"]]
        assert isinstance(ahead[0], repo._ReadAheadEvent) and len(ahead) == len(plain) > 3
        assert ahead == plain and [e.changes for e in ahead] == [e.changes for e in plain]
        assert [e.data for e in ahead] == [e.data for e in plain] and decoded


def test_a_read_ahead_history_is_read_without_its_json_until_it_is_asked_for(svc, office, monkeypatch):
    """A batch reads its cases' histories without their changes and data (the guards read triggers
    and dates): no statement of the batch fetches them. Asked for, they are read in one query for
    every event read ahead with them — in the unit of work, or after it — and equal the stored ones."""
    from sqlalchemy import event

    from doudi_desk.services import batch
    from tests.helpers.dibao import to_county

    monkeypatch.setattr(batch, "CHUNK_SECONDS", 600)
    views = [to_county(svc, 320 + i) for i in range(3)]
    sent: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        if "FROM audit_events" in statement:
            sent.append(" ".join(statement.split()))

    event.listen(office.db.engine, "before_cursor_execute", seen)
    try:
        result = BatchService(office).run(items(*views), "approve", "approver")
        assert not result["failed"] and sent and not any("changes" in s or "data" in s for s in sent)
        ids = [v["id"] for v in views]
        with office.db.unit_of_work() as uow:
            uow.events.preload(ids)
            inside = uow.events.list(ids[0])
            sent.clear()
            changes = [e.changes for e in inside]
            assert len(sent) == 1 and [e.data for e in inside] and len(sent) == 1
            after = uow.events.list(ids[1])  # read ahead with the first: its values came in that query
            plain = uow.events.of_cases(ids)
        sent.clear()
        assert after == plain[ids[1]] and len(sent) == 0
        with office.db.unit_of_work() as uow:
            uow.events.preload([ids[2]])
            later = uow.events.list(ids[2])
        sent.clear()
        assert [e.data for e in later] == [e.data for e in plain[ids[2]]] and len(sent) == 1  # after its unit of work
    finally:
        event.remove(office.db.engine, "before_cursor_execute", seen)
    assert changes == [e.changes for e in plain[ids[0]]]


def test_a_case_decided_in_a_batch_ends_as_the_same_case_decided_alone(svc, office, monkeypatch):
    """The batch and the window's action are one decision path (CaseService.advance_in): two
    identical cases, one approved in a batch (its writes kept and sent with the chunk's, only its
    changed columns written) and one approved alone with the same form data, end with the same
    state, forms, decision, benefit, deadlines and version, and the same last event."""
    import json

    from doudi_desk.services import batch
    from tests.helpers.dibao import to_county

    monkeypatch.setattr(batch, "CHUNK_SECONDS", 600)
    alone, batched, other = (to_county(svc, 320 + i) for i in range(3))
    service = BatchService(office)
    data = service._data_for(office.engines["dibao"].spec, alone["state"], "approve", alone)
    svc.advance(alone["id"], "approve", "approver", data=data, expected_version=alone["version"])
    result = service.run(items(batched, other), "approve", "approver")
    assert not result["failed"]

    def outcome(view):  # what a case is after its decision, its number and its head's name put aside
        last = view["history"][-1]
        return json.loads(json.dumps(
            ({k: view[k] for k in ("state", "version", "forms", "decision", "decision_label", "benefit",
                                   "proposal", "deadline", "closed", "state_label", "next_review_on",
                                   "accepted_on", "staff_relative", "available_triggers")},
             {k: last[k] for k in last if k not in ("recorded_at", "seq", "chain_seq", "id")}),
            ensure_ascii=False, default=str).replace(view["number"], "本案编号").replace(view["household"]["head"], "户主"))

    a, b = outcome(svc.show(alone["id"])), outcome(svc.show(batched["id"]))
    assert a == b and a[1]["trigger"] == "approve" and a[0]["benefit"]["history"][0]["case"] == "本案编号"
    assert a[0]["state"] == "approved" and a[0]["version"] == alone["version"] + 1


def test_a_chunk_whose_kept_writes_meet_a_deadlock_is_decided_again_case_by_case(svc, office, monkeypatch):
    """Sending a chunk's kept writes together must not turn one case's deadlock (PostgreSQL breaks
    it by failing one side's statement) into a failure of every case of the chunk: the chunk is
    undone whole and its cases decided again one at a time, as before writes were kept."""
    from doudi_desk.domain.errors import StorageFault
    from doudi_desk.services import batch
    from doudi_desk.services.audit import AuditService
    from doudi_desk.storage import deferred
    from tests.helpers.dibao import to_county

    monkeypatch.setattr(batch, "CHUNK_SECONDS", 600)
    views = [to_county(svc, 290 + i) for i in range(3)]
    write, broken = deferred.DeferredWrites.write, []

    def deadlock_first(self):
        if not broken and any(self._rows.values()):
            broken.append(1)
            raise StorageFault("数据库检测到死锁，已放弃一方", "conflict")
        return write(self)

    monkeypatch.setattr(deferred.DeferredWrites, "write", deadlock_first)
    result = BatchService(office).run(items(*views), "approve", "approver")
    assert broken and not result["failed"] and len(result["done"]) == 3
    for view in views:
        now = svc.show(view["id"])
        assert now["state"] == "approved"
        assert [e["trigger"] for e in now["history"]].count("approve") == 1
    assert AuditService(office).verify()["ok"]


def _approved_each(office, **groups):
    """Each group of cases approved in a batch of its own: the statements each batch sent."""
    from tests.query_count import count_statements

    sent = {}
    for name, cases in groups.items():
        with count_statements(office) as counted:
            result = BatchService(office).run(items(*cases), "approve", "approver")
        assert not result["failed"] and len(result["done"]) == len(cases)
        sent[name] = counted.statements
    return sent


def test_a_batch_copies_what_its_chunks_wrote_into_the_database_file_once_at_its_end(svc, office, monkeypatch):
    """SQLite: the chunks' commits leave their pages in the WAL (no checkpoint after each chunk, a
    tenth of a county's batch) and the batch checkpoints when it ends, so the database file itself
    holds every decision (read here as the file alone, without the WAL) and no later click pays for it."""
    import sqlite3

    from doudi_desk.services import batch
    from doudi_desk.storage import db as db_module
    from tests.helpers.dibao import to_county

    if not office.db.is_sqlite:
        pytest.skip("SQLite's WAL")
    monkeypatch.setattr(batch, "CHUNK_CASES", 2)
    views = [to_county(svc, 310 + i) for i in range(5)]
    chunks = []
    unit_of_work = office.db.unit_of_work
    monkeypatch.setattr(office.db, "unit_of_work", lambda **kw: (chunks.append(kw), unit_of_work(**kw))[1])
    result = BatchService(office).run(items(*views), "approve", "approver")
    assert len(result["done"]) == 5 and chunks == [{"bulk": True}] * 3
    path = office.db.url.database
    file_only = sqlite3.connect(f"file:{path}?immutable=1", uri=True)  # the file, not its WAL
    try:
        states = dict(file_only.execute(f"SELECT number, state FROM cases WHERE id IN ({','.join('?' * 5)})",
                                        [v["id"] for v in views]).fetchall())
    finally:
        file_only.close()
    assert states == {v["number"]: "approved" for v in views}
    assert db_module.WAL_CHECKPOINT_PAGES == 1000  # the ordinary limit: 5 cases would stay in the WAL
