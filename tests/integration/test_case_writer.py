"""The case writer (services/case_writer.py): every state change is written with one audit event
naming its actor and reason, in the same transaction as the change, so a failure anywhere after
the change leaves neither the change nor its event; and services/lifecycle.py reaches the writer
without importing services/cases.py (no cases ↔ lifecycle cycle)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import grimp
import pytest
from sqlalchemy import text

from doudi_desk.services.audit import AuditService
from doudi_desk.services.case_writer import CaseWriter, edit
from doudi_desk.storage.models import json_dumps
from doudi_desk.storage.repo import OutOfOrderError, StaleVersionError
from tests.helpers.dibao import day, investigating, investigation


def _state(office, cid):
    with office.db.unit_of_work() as uow:
        case = uow.cases.get(cid)
        return case.version, case.state, case.forms, uow.events.list(cid)


def test_each_state_change_writes_one_event_with_its_actor_and_reason(office):
    svc, cid = investigating(office)
    version, state, _forms, events = _state(office, cid)
    svc.advance(cid, "complete_investigation", "clerk", data=investigation(), effective_date=day(4),
                comment="入户调查完毕")
    new_version, new_state, _forms, after = _state(office, cid)
    assert new_version == version + 1 and new_state != state
    assert len(after) == len(events) + 1
    event = after[-1]
    assert (event.seq, event.actor, event.trigger, event.comment) == (
        events[-1].seq + 1, "clerk", "complete_investigation", "入户调查完毕")
    assert (event.from_state, event.to_state) == (state, new_state)
    assert event.changes["state"] == {"before": state, "after": new_state}
    assert event.data["home_visit"]["conclusion"] == "meets"


def test_a_failure_after_the_event_leaves_neither_the_change_nor_the_event(office):
    _svc, cid = investigating(office)
    version, state, forms, events = _state(office, cid)
    with pytest.raises(RuntimeError, match="after the event"):
        with office.db.unit_of_work() as uow:
            case = uow.cases.get(cid)
            change = edit(case)
            case.forms["home_visit"] = {"family_present": "户主本人"}
            CaseWriter(office).save(uow, change, uow.users.get("clerk"), "save_forms", office.today(),
                                    comment="保存表单")
            assert uow.events.list(cid)[-1].trigger == "save_forms"  # written, in this transaction
            raise RuntimeError("a failure after the event")
    assert _state(office, cid) == (version, state, forms, events)
    assert AuditService(office).verify()["ok"]


def test_an_event_that_cannot_be_written_undoes_the_case_it_follows(office):
    """The case is saved first; an event refused after it (dated before the case's last one) takes
    the saved case back with it."""
    _svc, cid = investigating(office)
    before = _state(office, cid)
    with pytest.raises(OutOfOrderError, match="早于上一步的办理日期"):
        with office.db.unit_of_work() as uow:
            case = uow.cases.get(cid)
            change = edit(case)
            case.forms["home_visit"] = {"family_present": "户主本人"}
            CaseWriter(office).save(uow, change, uow.users.get("clerk"), "save_forms", before[3][-1].effective_date
                                    .replace(day=1), comment="保存表单")
    assert _state(office, cid) == before


def test_a_stale_edit_is_refused_and_writes_no_event(office):
    svc, cid = investigating(office)
    with office.db.unit_of_work() as uow:
        stale = edit(uow.cases.get(cid))
    svc.save_forms(cid, "clerk", {"home_visit": {"family_present": "户主、配偶"}}, effective_date=day(3))
    saved = _state(office, cid)
    with pytest.raises(StaleVersionError):
        with office.db.unit_of_work() as uow:
            stale.case.forms["home_visit"] = {"family_present": "另一人"}
            CaseWriter(office).save(uow, stale, uow.users.get("clerk2"), "save_forms", office.today(),
                                    comment="保存表单")
    assert _state(office, cid) == saved


def test_a_note_is_one_event_and_leaves_the_case_as_it_is(office):
    _svc, cid = investigating(office)
    version, state, forms, events = _state(office, cid)
    with office.db.unit_of_work() as uow:
        CaseWriter(office).note(uow, uow.cases.get(cid), uow.users.get("reviewer"), office.today(), "review_started",
                                "开始复核：测试")
    after = _state(office, cid)
    assert after[:3] == (version, state, forms) and after[3][:-1] == events
    note = after[3][-1]
    assert (note.actor, note.trigger, note.comment, note.from_state, note.to_state, note.changes) == (
        "reviewer", "review_started", "开始复核：测试", state, state, {})


def test_the_changes_name_every_field_changed_since_edit_whether_its_form_was_replaced_or_changed_in_place(office):
    """A form's fields are compared only when the form differs from what edit() saw: a form changed
    in place (not replaced) must differ too."""
    _svc, cid = investigating(office)
    with office.db.unit_of_work() as uow:
        case = uow.cases.get(cid)
        reason = case.forms["application"]["reason"]
        change = edit(case)
        case.forms["application"]["reason"] = "因残致贫"  # in place
        case.forms["home_visit"] = {"family_present": "户主本人"}  # replaced
        CaseWriter(office).save(uow, change, uow.users.get("clerk"), "save_forms", office.today(), comment="保存表单")
    changes = _state(office, cid)[3][-1].changes
    assert changes == {"forms.application.reason": {"before": reason, "after": "因残致贫"},
                       "forms.home_visit.family_present": {"before": None, "after": "户主本人"}}
    assert list(changes) == sorted(changes)


def test_an_event_holds_and_hashes_its_values_as_they_read_back_and_its_text_is_theirs(office):
    """Values JSON has no type for (money, dates) are written as text once, by the writer; the
    event's row holds that text, the event reads back as it, and the chain's hash is over it."""
    _svc, cid = investigating(office)
    visit = {"visit_date": dt.date(2026, 3, 2), "amount": Decimal("12.50"), "investigators": [{"name": "张敏"}]}
    with office.db.unit_of_work() as uow:
        case = uow.cases.get(cid)
        change = edit(case)
        case.forms["home_visit"] = visit
        CaseWriter(office).save(uow, change, uow.users.get("clerk"), "save_forms", office.today(), comment="保存表单",
                                data={"home_visit": visit})
    event = _state(office, cid)[3][-1]
    read_back = {"visit_date": "2026-03-02", "amount": "12.50", "investigators": [{"name": "张敏"}]}
    assert event.data == {"home_visit": read_back}
    assert event.changes["forms.home_visit.amount"] == {"before": None, "after": "12.50"}
    assert event.changes["forms.home_visit.visit_date"] == {"before": None, "after": "2026-03-02"}
    with office.db.engine.connect() as con:
        stored = con.execute(text("SELECT CAST(changes AS TEXT), CAST(data AS TEXT) FROM audit_events "
                                  "WHERE case_id = :c ORDER BY seq DESC LIMIT 1"), {"c": cid}).one()
    assert stored == (json_dumps(event.changes), json_dumps(event.data))
    assert json.loads(stored[1]) == event.data
    assert AuditService(office).verify()["ok"]


def test_lifecycle_and_the_writer_reach_no_case_service_module():
    """No chain of imports, lazy ones included, from lifecycle or the writer to services.cases
    (the same rule as the import-linter contract, checked on the module graph itself)."""
    graph = grimp.build_graph("doudi_desk", cache_dir=None)
    for source in ("doudi_desk.services.lifecycle", "doudi_desk.services.case_writer"):
        assert graph.find_shortest_chain(importer=source, imported="doudi_desk.services.cases") is None
    assert graph.find_shortest_chain(importer="doudi_desk.services.case_writer",
                                     imported="doudi_desk.services.lifecycle") is None
