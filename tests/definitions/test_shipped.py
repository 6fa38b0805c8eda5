"""Every shipped definition loads, is connected, and names only forms and guards that exist."""

from __future__ import annotations

import importlib.util
from collections import deque
from pathlib import Path

import pytest

from doudi_desk.definitions import Definitions, default_root, load_definitions
from doudi_desk.domain.forms import validate_form
from doudi_desk.domain.specs import ROLES, WorkflowSpec

# The guards the shipped workflows use; doudi_desk.domain.guards.GUARDS must provide them all.
EXPECTED_GUARDS = frozenset(
    {
        "forms_complete",
        "two_investigators",
        "proposal_computed",
        "objection_resolved",
        "not_delegated",
        "county_delegated",
        "posting_elapsed",
        "no_open_objection",
        "vote_passed",
        "vote_failed",
        "proposal_eligible",
        "investigator_not_approver",
        "no_failed_review",
        "county_visit_if_staff_relative",
        "care_agreement_if_dispersed",
        "urgent_claim",
        "amount_for_township",
        "amount_for_county",
        "collective_record_if_big_case",
    }
)


def guard_names() -> frozenset[str]:
    """The real registry once it exists; until then the names the workflows are meant to use."""
    if importlib.util.find_spec("doudi_desk.domain.guards") is None:
        return EXPECTED_GUARDS
    from doudi_desk.domain.guards import GUARDS

    return frozenset(GUARDS)


@pytest.fixture(scope="module")
def definitions() -> Definitions:
    return load_definitions(default_root(), guard_names(), templates=default_root() / "print_templates")


def test_default_root_holds_definitions() -> None:
    root = default_root()
    assert (root / "workflows" / "dibao.yaml").is_file()
    assert (root / "forms").is_dir()


def test_default_root_follows_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOUDI_DEFINITIONS_DIR", str(tmp_path))
    assert default_root() == tmp_path.resolve()


def test_every_file_loads(definitions: Definitions) -> None:
    root = default_root()
    assert set(definitions.workflows) == {p.stem for p in (root / "workflows").glob("*.yaml")}
    assert set(definitions.forms) == {p.stem for p in (root / "forms").glob("*.yaml")}


def test_every_named_document_can_be_printed(definitions: Definitions) -> None:
    """Each document a workflow names is a print kind with its template (issue 10 item 14), and each
    shipped template belongs to a kind (a case document's, or a report's)."""
    from doudi_desk.printing import KINDS, REPORT_KINDS

    named = {d for w in definitions.workflows.values() for s in w.states for d in s.documents}
    assert named <= set(KINDS), named - set(KINDS)
    folder = default_root() / "print_templates"
    assert all((folder / k.template).is_file() for k in KINDS.values())
    shipped = {p.name for p in folder.glob("*.xml.j2") if not p.name.startswith("_")}
    assert not set(KINDS) & set(REPORT_KINDS)
    assert all((folder / k.template).is_file() for k in REPORT_KINDS.values())
    assert shipped == {k.template for k in (*KINDS.values(), *REPORT_KINDS.values())}
    assert all(k.template == f"{k.id}.xml.j2" for k in KINDS.values() if k.id != "case_file")


def reachable(workflow: WorkflowSpec) -> set[str]:
    seen = {workflow.initial}
    queue = deque([workflow.initial])
    while queue:
        for t in workflow.transitions_from(queue.popleft()):
            if t.dest not in seen:
                seen.add(t.dest)
                queue.append(t.dest)
    return seen


def test_every_state_reachable_and_every_open_state_leavable(definitions: Definitions) -> None:
    for workflow in definitions.workflows.values():
        assert reachable(workflow) == {s.name for s in workflow.states}, workflow.id
        for state in workflow.states:
            assert state.final != bool(workflow.transitions_from(state.name)), state.name


def test_every_named_form_exists(definitions: Definitions) -> None:
    for workflow in definitions.workflows.values():
        named = {f for s in workflow.states for f in s.forms}
        named |= {f for t in workflow.transitions for f in t.forms}
        assert named <= set(definitions.forms), named - set(definitions.forms)


def test_every_role_exists(definitions: Definitions) -> None:
    for workflow in definitions.workflows.values():
        for t in workflow.transitions:
            assert t.roles and set(t.roles) <= set(ROLES), t.trigger


def test_workflows_use_only_expected_guards(definitions: Definitions) -> None:
    used = {c for w in definitions.workflows.values() for t in w.transitions for c in t.conditions}
    assert used == EXPECTED_GUARDS


def test_every_condition_is_a_registered_guard(definitions: Definitions) -> None:
    guards = pytest.importorskip("doudi_desk.domain.guards")
    used = {c for w in definitions.workflows.values() for t in w.transitions for c in t.conditions}
    assert used <= set(guards.GUARDS), used - set(guards.GUARDS)


def test_labels_are_chinese(definitions: Definitions) -> None:
    def chinese(text: str) -> bool:
        return any("\u4e00" <= ch <= "\u9fff" for ch in text)

    for workflow in definitions.workflows.values():
        assert chinese(workflow.title)
        assert all(chinese(s.label) and chinese(s.description) for s in workflow.states)
        assert all(chinese(t.label) for t in workflow.transitions)
    for form in definitions.forms.values():
        assert chinese(form.title)
        assert all(chinese(f.label) for f in form.fields), form.id
        assert all(chinese(c.label) for f in form.fields for c in f.choices), form.id


def test_empty_form_reports_exactly_the_required_fields(definitions: Definitions) -> None:
    for form in definitions.forms.values():
        required = {f.name for f in form.fields if f.required}
        assert set(validate_form(form, {})) == required, form.id


# --- the 低保 procedure (procedures.md §1) -------------------------------------------------

CW, TR, CA = "caseworker", "township_reviewer", "county_approver"
FC = "forms_complete"
T = tuple[str, set[str], list[str], list[str], bool]

# (trigger, source): (dest, roles, conditions, forms, reason_required)
DIBAO_TRANSITIONS: dict[tuple[str, str], T] = {
    ("accept", "applied"): ("accepted", {CW, TR}, [FC], [], False),
    ("request_correction", "applied"): ("correcting", {CW, TR}, [FC], ["correction_notice"], False),
    ("refuse_application", "applied"): ("not_accepted", {CW, TR}, [FC], ["not_accepted"], False),
    ("resubmit", "correcting"): ("applied", {CW}, [FC], ["correction_received"], False),
    ("start_investigation", "accepted"): ("investigating", {CW, TR}, [], [], False),
    ("complete_investigation", "investigating"): (
        "preliminary_review", {CW}, [FC, "two_investigators"], [], False,
    ),
    ("post_notice", "preliminary_review"): ("posting", {TR}, [FC, "proposal_computed"], [], False),
    ("submit_to_county", "preliminary_review"): (
        "county_review", {TR}, [FC, "objection_resolved", "not_delegated"], [], False,
    ),
    ("submit_for_decision", "preliminary_review"): (
        "township_decision", {TR}, [FC, "objection_resolved", "county_delegated"], [], False,
    ),
    ("record_objection", "posting"): ("objection", {CW, TR}, [FC], ["objection"], False),
    ("submit_to_county", "posting"): (
        "county_review", {TR},
        [FC, "posting_elapsed", "no_open_objection", "not_delegated"], [], False,
    ),
    ("submit_for_decision", "posting"): (
        "township_decision", {TR},
        [FC, "posting_elapsed", "no_open_objection", "county_delegated"], [], False,
    ),
    ("reinvestigate", "objection"): ("investigating", {TR}, [], [], True),
    ("hold_democratic_review", "objection"): ("democratic_review", {TR}, [], [], False),
    ("review_passed", "democratic_review"): (
        "preliminary_review", {CW, TR}, [FC, "vote_passed"], [], False,
    ),
    ("review_failed", "democratic_review"): (
        "preliminary_review", {CW, TR}, [FC, "vote_failed"], [], False,
    ),
}
for _decider, _role in (("county_review", CA), ("township_decision", TR)):
    DIBAO_TRANSITIONS["approve", _decider] = (
        "approved", {_role},
        [FC, "proposal_eligible", "investigator_not_approver", "no_failed_review",
         "county_visit_if_staff_relative"],
        ["approval"], False,
    )
    DIBAO_TRANSITIONS["refuse", _decider] = (
        "refused", {_role}, [FC, "investigator_not_approver", "county_visit_if_staff_relative"],
        ["refusal"], False,
    )
    DIBAO_TRANSITIONS["return_case", _decider] = ("investigating", {_role}, [], [], True)
for _source in ("applied", "correcting", "accepted", "investigating", "preliminary_review",
                "posting", "objection", "democratic_review"):
    DIBAO_TRANSITIONS["withdraw", _source] = ("withdrawn", {CW, TR}, [], [], True)


def test_dibao_transitions(definitions: Definitions) -> None:
    dibao = definitions.workflows["dibao"]
    actual = {
        (t.trigger, s): (t.dest, set(t.roles), list(t.conditions), list(t.forms), t.reason_required)
        for t in dibao.transitions
        for s in t.source
    }
    assert actual == DIBAO_TRANSITIONS


def test_dibao_states(definitions: Definitions) -> None:
    dibao = definitions.workflows["dibao"]
    assert dibao.initial == "applied"
    assert (dibao.total_limit_wd, dibao.extended_limit_wd, dibao.delegated_limit_wd) == (30, 45, 20)
    assert dibao.start_clock_state == "accepted"
    states = {s.name: s for s in dibao.states}
    assert {n for n, s in states.items() if s.final} == {
        "not_accepted", "approved", "refused", "withdrawn",
    }
    limits = {n: (s.time_limit_wd, s.time_limit_days) for n, s in states.items()}
    assert limits["accepted"] == (3, None)
    assert limits["posting"] == (None, 7)
    assert limits["democratic_review"] == (5, None)
    assert limits["county_review"] == limits["township_decision"] == (10, None)
    assert limits["preliminary_review"] == (None, None)
    assert states["applied"].forms == ("application",)
    assert states["investigating"].forms == ("verification", "home_visit", "neighbour_visit")
    assert states["preliminary_review"].forms == ("preliminary_opinion",)
    assert states["posting"].forms == ("posting",)
    assert states["democratic_review"].forms == ("democratic_review",)
    assert "refusal_notice" in states["refused"].documents


# --- state roles: what each state means to the services ---------------------------------------

def test_every_final_state_says_how_it_ends_the_case(definitions: Definitions) -> None:
    from doudi_desk.domain.specs import KIND_MAIN_OUTCOME, KIND_OUTCOMES

    for workflow in definitions.workflows.values():
        for state in workflow.states:
            if state.final:
                assert state.outcome in KIND_OUTCOMES[workflow.kind], (workflow.id, state.name)
            else:
                assert state.outcome is None, (workflow.id, state.name)
        assert workflow.states_ending(KIND_MAIN_OUTCOME[workflow.kind]), workflow.id


def test_every_workflow_that_decides_computes_once(definitions: Definitions) -> None:
    """A case is computed when it enters its one ``computes_proposal`` state; 停保 and 历史导入 (the
    roster's decision stands) compute nothing."""
    for workflow in definitions.workflows.values():
        computing = workflow.states_with("computes_proposal")
        assert len(computing) == (0 if workflow.kind in ("termination", "import") else 1), workflow.id


def test_the_household_is_editable_only_before_the_computation(definitions: Definitions) -> None:
    for workflow in definitions.workflows.values():
        editable = set(workflow.states_with("household_editable"))
        if workflow.kind in ("termination", "import"):
            assert not editable, workflow.id
            continue
        assert editable, workflow.id
        computing = workflow.states_with("computes_proposal")[0]
        # from the computing state on, no editable state is reached without going back through a
        # transition that leads into it again (退回重新调查 re-enters the investigation)
        assert computing not in editable
        assert not any(workflow.state(name).final for name in editable)


def test_the_posting_state_is_a_calendar_period(definitions: Definitions) -> None:
    for workflow in definitions.workflows.values():
        for name in workflow.states_with("posting"):
            assert workflow.state(name).time_limit_days, (workflow.id, name)


def test_cases_awaiting_a_decision_can_be_decided_from_there(definitions: Definitions) -> None:
    """A state in the 待审批 list has a transition towards a decision (公示, or a final state)."""
    for workflow in definitions.workflows.values():
        for name in workflow.states_with("awaiting_decision"):
            dests = {t.dest for t in workflow.transitions_from(name)}
            assert any(workflow.state(d).final or workflow.has_role(d, "posting") or
                       workflow.has_role(d, "awaiting_decision") for d in dests), (workflow.id, name)
