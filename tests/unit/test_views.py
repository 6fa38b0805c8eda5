"""services/views.py: what the services hand out is typed, frozen, and prints as the old JSON."""

from __future__ import annotations

import dataclasses
import json

import pytest

from doudi_desk.services.views import (
    BenefitRow,
    CaseRow,
    CaseView,
    HistoryEntry,
    QueueRow,
    TriggerView,
    as_json,
    vars_of,
)


def trigger(**kw) -> TriggerView:
    return TriggerView(**({"trigger": "approve", "label": "审批确认", "to": "approved", "to_label": "确认",
                           "allowed": False, "reasons": ["无权"], "forms": [], "reason_required": False} | kw))


def test_a_view_is_frozen():
    t = trigger()
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.allowed = True  # type: ignore[misc]


def test_as_json_is_plain_data_in_field_order():
    t = trigger()
    data = as_json({"rows": [t], "total": 1})
    assert data == {"rows": [{"trigger": "approve", "label": "审批确认", "to": "approved", "to_label": "确认",
                              "allowed": False, "reasons": ["无权"], "forms": [], "reason_required": False}],
                    "total": 1}
    assert list(data["rows"][0]) == [f.name for f in dataclasses.fields(TriggerView)]
    json.dumps(data)  # JSON-ready


def test_reading_by_name_is_read_only_and_names_only_fields():
    t = trigger()
    assert t["label"] == t.label and t.get("to") == "approved" and "allowed" in t
    assert t.get("nonsense") is None and "nonsense" not in t
    with pytest.raises(KeyError):
        t["nonsense"]
    with pytest.raises(TypeError):
        t["allowed"] = True  # type: ignore[index]


def test_views_compare_by_content_and_with_the_dicts_they_replaced():
    assert trigger() == trigger()
    assert trigger() != trigger(allowed=True)
    assert trigger() == as_json(trigger())
    assert trigger() != {"trigger": "approve"}


def test_a_queue_row_is_a_case_row_with_what_a_decision_is_taken_on_and_its_batch_action():
    case_fields = [f.name for f in dataclasses.fields(CaseRow)]
    queue_fields = [f.name for f in dataclasses.fields(QueueRow)]
    assert queue_fields[:len(case_fields)] == case_fields
    assert queue_fields[len(case_fields):] == ["objection", "eligible", "decided_amount", "result", "proposed_amount",
                                               "one_off", "flags", "approve_label", "can_return", "batchable"]


def test_a_view_built_from_its_fields_by_of_is_the_view_its_init_builds():
    """``View.of(values)`` (the lists' fast path) gives what ``View(**values)`` gives: the same
    fields, frozen, equal; values missing a field or naming one the view has not are refused."""
    values = as_json(trigger())
    fast, slow = TriggerView.of(values), TriggerView(**values)
    assert type(fast) is TriggerView and fast == slow and vars_of(fast) == vars_of(slow)
    assert fast.reasons == ["无权"] and fast["label"] == "审批确认"
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.allowed = True  # type: ignore[misc]
    with pytest.raises(TypeError, match="reasons"):
        TriggerView.of({k: v for k, v in values.items() if k != "reasons"})
    with pytest.raises(TypeError, match="extra"):
        TriggerView.of({**values, "extra": 1})


def test_vars_of_is_one_level_deep():
    assert vars_of(trigger())["reasons"] == ["无权"]


@pytest.mark.parametrize("cls", [CaseView, HistoryEntry, CaseRow, QueueRow, BenefitRow, TriggerView])
def test_every_view_is_a_frozen_dataclass(cls):
    assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen


def test_the_services_hand_out_typed_views(office):
    from doudi_desk.services.cases import CaseService
    from doudi_desk.services.queries import QueryService
    from tests.helpers.dibao import to_preliminary

    view = to_preliminary(CaseService(office))
    assert isinstance(view, CaseView)
    assert all(isinstance(e, HistoryEntry) for e in view.history) and view.history[-1].to_state == view.state
    shown = CaseService(office).show(view.id, "reviewer")
    assert all(isinstance(t, TriggerView) for t in shown.available_triggers)
    assert shown.trigger("post_notice") is not None and shown.trigger("nonsense") is None
    [row] = QueryService(office).case_rows([view.id], "clerk")
    assert isinstance(row, CaseRow) and row.number == view.number
