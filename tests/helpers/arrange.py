"""Arranging a case of any workflow in any state, with valid form data for any step.

Used by the role matrix (tests/integration/test_role_matrix.py) and the hostile-input tests: a
case is registered through the services, then put in the wanted state directly, so a test can
reach every step of every workflow without walking each path.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from decimal import Decimal

from doudi_desk.domain import ids
from doudi_desk.domain.model import AuditEvent
from tests.helpers.names import han_name
from tests.helpers.office import TODAY, shipped_definitions

DEFS = shipped_definitions()
PAST = TODAY - dt.timedelta(days=10)
_seq = itertools.count(1)


def household(programme: str) -> dict:
    n = next(_seq)
    members = [
        {"name": han_name("甲", n), "id_number": ids.make_id("130999", dt.date(1950, 1, 1), n % 1000), "relation": "head",
         "disability": {"type": "physical", "grade": 1}},
        {"name": han_name("乙", n), "id_number": ids.make_id("130999", dt.date(1952, 1, 1), n % 1000), "relation": "spouse"},
    ]
    data = {"village": "130999101001", "members": members[:1] if programme == "tekun" else members,
            "income": [{"type": "farming", "amount": "1200"}], "assets": {"financial": "0", "vehicles": [], "homes": 1}}
    if programme == "temporary":
        data["temporary"] = {"type": "urgent", "amount": "3000", "cause": f"火灾{n}"}
    return data


def place(ctx, case_id: int, **changes) -> None:
    with ctx.db.unit_of_work() as uow:
        case = uow.cases.get(case_id)
        uow.cases.save(dataclasses.replace(case, **changes), expected_version=case.version)


def add_events(ctx, case_id: int, triggers: list[str]) -> None:
    with ctx.db.unit_of_work() as uow:
        for trigger in triggers:
            uow.events.append(AuditEvent(case_id=case_id, seq=uow.events.next_seq(case_id), actor="clerk",
                                         trigger=trigger, from_state=None, to_state="arranged",
                                         recorded_at=dt.datetime(2026, 11, 13, 9), effective_date=PAST))


def proposal(level: str) -> dict:
    return {"eligible": True, "monthly_amount": "500", "amount": "500", "approval_level": level, "covered": [0],
            "basis": "矩阵测试", "failed": [], "flags": [], "review_interval_months": 12,
            "decision_date": PAST.isoformat(), "policy_set": {"id": 1, "area": "130999", "effective_from": "2026-01-01"}}


def arrange(ctx, cases, life, spec, t, source: str) -> int:
    """A case of ``spec`` in state ``source`` whose conditions for ``t`` (other than the role) hold."""
    programme = spec.programme
    if spec.kind in ("application", "import"):
        case_id = cases.create_case(household(programme), programme, "clerk", applied_on=PAST)["id"]
        if spec.kind == "import":  # imported cases are written by the importer: one is put in place here
            place(ctx, case_id, workflow_id=spec.id, kind="import")
    else:
        parent = cases.create_case(household(programme), programme, "clerk", applied_on=PAST)["id"]
        from doudi_desk.services.lifecycle import grant

        with ctx.db.unit_of_work() as uow:
            case = uow.cases.get(parent)
            case.state, case.closed = "approved", True
            case.decision = {"result": "approved", "monthly_amount": "500", "start_month": "2026-01",
                             "covered": [0], "review_interval_months": 12}
            grant(case, uow.households.get(case.household_id), PAST)
            uow.cases.save(case, expected_version=case.version)
        if spec.kind == "review":
            case_id = life.start_review(parent, "clerk", effective_date=PAST)["id"]
        elif spec.kind == "change":
            case_id = life.start_change(parent, "clerk", {"change_type": "other", "change_date": PAST.isoformat(),
                                                          "detail": "矩阵测试"}, effective_date=PAST)["id"]
        else:
            case_id = life.start_termination(parent, "clerk", "other", "矩阵测试", effective_date=PAST)["id"]
    conditions = set(t.conditions)
    level = "county" if "amount_for_county" in conditions else "township"
    place(ctx, case_id, state=source, closed=False, state_entered_on=PAST, last_effective_date=PAST,
          county_delegated="county_delegated" in conditions, proposal=proposal(level))
    if "objection_resolved" in conditions:
        add_events(ctx, case_id, ["post_notice", "record_objection", "review_passed"])
    return case_id


def sample(form, trigger: str) -> dict:
    """Complete, valid data for a form: required fields, confirmations and people lists."""
    if form.id == "democratic_review":
        passed = trigger != "review_failed"
        return {"held_on": PAST.isoformat(), "chair": "村主任", "participants": 9, "representatives": 9,
                "votes_for": 9 if passed else 1, "votes_against": 0 if passed else 8, "votes_abstain": 0}
    out = {}
    for f in form.fields:
        if f.type == "signature_block" or not (f.required or f.type in ("bool", "person_list")):
            continue
        if f.type == "bool":
            value = True
        elif f.type == "choice":
            value = f.choices[0].value
        elif f.type == "multichoice":
            value = [c.value for c in f.choices[: max(1, int(f.min or 1))]]
        elif f.type == "date":
            value = PAST.isoformat()
        elif f.type == "int":
            value = int(f.min) if f.min is not None else 1
        elif f.type == "money":
            value = str(Decimal(str(f.min if f.min is not None else 100)).quantize(Decimal("0.01")))
        elif f.type == "person_list":
            value = [{"name": "调查员甲"}, {"name": "调查员乙"}][: max(2, int(f.min or 2))]
        elif f.type == "id_number":
            value = ids.make_id("130999", dt.date(1980, 1, 1), 1)
        else:
            value = "矩阵测试"
        out[f.name] = value
    return out


def form_data(spec, t, source: str) -> dict:
    names = set(t.forms) | set(spec.state(source).forms)
    return {name: sample(DEFS.forms[name], t.trigger) for name in sorted(names)}


def where_filled(form_id: str):
    """``(workflow spec, state, transition)`` of the first step where a shipped form is filled:
    ``transition`` is None when the form belongs to the state (saved with ``save_forms``), else the
    action that carries it (from ``state``)."""
    for spec in DEFS.workflows.values():
        for state in spec.states:
            if form_id in state.forms:
                return spec, state.name, None
    for spec in DEFS.workflows.values():
        for t in spec.transitions:
            if form_id in t.forms:
                return spec, t.source[0], t
    raise LookupError(f"form {form_id} is filled nowhere")


def fill(ctx, cases, life, form_id: str) -> tuple[int, object]:
    """A case at the step where ``form_id`` is filled, and a function sending data for that form
    there: ``send(data, actor=None, effective_date=TODAY)`` saves it (a state's form) or fires the
    action carrying it."""
    spec, state, t = where_filled(form_id)
    outgoing = spec.transitions_from(state)
    case_id = arrange(ctx, cases, life, spec, t or outgoing[0], state)
    roles = set((t or outgoing[0]).roles)
    actor = {"caseworker": "clerk", "township_reviewer": "reviewer", "county_approver": "approver"}[sorted(roles)[0]]

    def send(data, who=None, effective_date=TODAY):
        if t is None:
            return cases.save_forms(case_id, who or actor, data, effective_date=effective_date)
        return cases.advance(case_id, t.trigger, who or actor, data=data, effective_date=effective_date,
                             comment="测试")

    return case_id, send
