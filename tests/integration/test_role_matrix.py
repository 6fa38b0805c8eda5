"""Role matrix: every trigger of every shipped workflow × every role, through the real services.

For each transition and each source state, a case is put in that state (created through the
service, then placed by the storage layer as a fixture would), with complete form data, a
proposal, elapsed posting and whatever else the transition's other conditions need. Then each of
the four roles tries the trigger with a single-role account:

* a role the transition lists must not be refused for its role — and with its conditions met
  here, the action goes through;
* any other role is refused with the role guard's Chinese message, and the whole database is
  byte-for-byte unchanged (every row of every table compared).

The same is done for the actions outside the workflows (registering, saving forms, correcting the
household, extending a deadline, starting reviews/changes/terminations, office administration,
audit and backups). The number of role × action pairs checked is the figure the issue asks for.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from decimal import Decimal

import pytest

from conftest import TODAY, _office, dump_db
from doudi_desk.definitions.loader import default_root, load_definitions
from doudi_desk.domain import ids
from doudi_desk.domain.errors import DomainError
from doudi_desk.domain.guards import GUARDS
from doudi_desk.domain.model import AuditEvent
from doudi_desk.domain.specs import ROLES
from tests.figures import record

DEFS = load_definitions(default_root(), GUARDS.keys())
COMBOS = sorted(
    (spec.id, t.trigger, source)
    for spec in DEFS.workflows.values()
    for t in spec.transitions
    for source in t.source
)
ROLE_USERS = {role: f"m_{role}" for role in ROLES}
PAST = TODAY - dt.timedelta(days=10)
ROLE_REFUSAL = "角色有权办理"
_seq = itertools.count(1)


@pytest.fixture(scope="module")
def offices(tmp_path_factory):
    """One small office database per workflow (so the before/after dumps stay small), made on demand."""
    from doudi_desk.services.admin import AdminService
    from doudi_desk.services.cases import CaseService
    from doudi_desk.services.lifecycle import LifecycleService

    made: dict[str, tuple] = {}
    teardown = []

    def get(key: str):
        if key not in made:
            path = tmp_path_factory.mktemp("matrix") / "office.sqlite3"
            gen = _office(f"sqlite:///{path}", path)
            ctx = next(gen)
            teardown.append(gen)
            admin = AdminService(ctx)
            for role, username in ROLE_USERS.items():
                admin.add_user(username, f"矩阵{ROLES[role]}", [role])
            admin.set_password("admin", "County-key-2026", temporary=False)
            cases = CaseService(ctx)
            made[key] = (ctx, cases, LifecycleService(cases))
        return made[key]

    yield get
    for gen in teardown:
        next(gen, None)


# --- arranging a case in a given state --------------------------------------------------------


def household(programme: str) -> dict:
    n = next(_seq)
    members = [
        {"name": f"甲{n}", "id_number": ids.make_id("130999", dt.date(1950, 1, 1), n % 1000), "relation": "head",
         "disability": {"type": "physical", "grade": 1}},
        {"name": f"乙{n}", "id_number": ids.make_id("130999", dt.date(1952, 1, 1), n % 1000), "relation": "spouse"},
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


# --- the matrix -----------------------------------------------------------------------------------


@pytest.mark.parametrize("wid,trigger,source", COMBOS, ids=[f"{w}:{s}:{t}" for w, t, s in COMBOS])
def test_every_role_on_every_trigger(offices, wid, trigger, source):
    ctx, cases, life = offices(wid)
    spec = DEFS.workflows[wid]
    t = spec.transition(source, trigger)
    data = form_data(spec, t, source)
    refused_case = arrange(ctx, cases, life, spec, t, source)
    for role, username in ROLE_USERS.items():
        if role in t.roles:
            case_id = arrange(ctx, cases, life, spec, t, source)
            view = cases.advance(case_id, trigger, username, data=data, comment="矩阵测试", effective_date=TODAY)
            assert view["state"] == t.dest, f"{role} may {trigger} but the case is in {view['state']}"
            continue
        before = dump_db(ctx.db_path)
        with pytest.raises(DomainError) as refused:
            cases.advance(refused_case, trigger, username, data=data, comment="矩阵测试", effective_date=TODAY)
        assert ROLE_REFUSAL in str(refused.value) and "无权办理" in str(refused.value), str(refused.value)
        assert dump_db(ctx.db_path) == before, f"refused {trigger} by {role} changed the database"
    record("roles x triggers", len(ROLE_USERS), allowed=len(set(t.roles)), refused=len(ROLE_USERS) - len(set(t.roles)))


def test_the_matrix_covers_every_workflow_and_role():
    assert {w for w, _t, _s in COMBOS} == set(DEFS.workflows)
    assert all(set(t.roles) <= set(ROLES) and t.roles for s in DEFS.workflows.values() for t in s.transitions)
    # Every workflow role is allowed somewhere and refused somewhere, so both branches above run.
    for role in ("caseworker", "township_reviewer", "county_approver"):
        allowed = [c for c in COMBOS if role in DEFS.workflows[c[0]].transition(c[2], c[1]).roles]
        assert 0 < len(allowed) < len(COMBOS), role


# --- actions outside the workflows ------------------------------------------------------------------

STAFF = {"caseworker", "township_reviewer"}
ADMIN = {"admin"}


def _case_in(ctx, cases, state: str, **changes) -> int:
    case_id = cases.create_case(household("dibao"), "dibao", "clerk", applied_on=PAST)["id"]
    place(ctx, case_id, state=state, closed=False, state_entered_on=PAST, last_effective_date=PAST, **changes)
    return case_id


def _approved(ctx, cases) -> int:
    from doudi_desk.services.lifecycle import grant

    case_id = _case_in(ctx, cases, "approved")
    with ctx.db.unit_of_work() as uow:
        case = uow.cases.get(case_id)
        case.closed = True
        case.decision = {"result": "approved", "monthly_amount": "500", "start_month": "2026-01", "covered": [0],
                         "review_interval_months": 12}
        grant(case, uow.households.get(case.household_id), PAST)
        uow.cases.save(case, expected_version=case.version)
    return case_id


def _investigating_roles() -> set[str]:
    spec = DEFS.workflows["dibao"]
    return {r for t in spec.transitions_from("investigating") for r in t.roles}


def _actions():
    """(name, roles allowed, setup(ctx, services) -> act(username))."""
    from doudi_desk.services.admin import AdminService, default_policy
    from doudi_desk.services.audit import AuditService
    from doudi_desk.services.backup import BackupService
    from doudi_desk.services.batch import BatchService

    n = itertools.count(1)

    def create(ctx, cases, life):
        return lambda u: cases.create_case(household("dibao"), "dibao", u, applied_on=PAST)

    def save_forms(ctx, cases, life):
        cid = _case_in(ctx, cases, "investigating")
        return lambda u: cases.save_forms(cid, u, {"home_visit": {"family_present": "户主"}}, effective_date=TODAY)

    def update_household(ctx, cases, life):
        cid = _case_in(ctx, cases, "accepted")
        return lambda u: cases.update_household(cid, u, household("dibao"), comment="入户发现户籍有误",
                                                effective_date=TODAY)

    def extend(ctx, cases, life):
        cid = _case_in(ctx, cases, "investigating", accepted_on=PAST, total_deadline=TODAY)
        return lambda u: cases.extend_deadline(cid, u, "hard_investigation", effective_date=TODAY)

    def review(ctx, cases, life):
        cid = _approved(ctx, cases)
        return lambda u: life.start_review(cid, u, effective_date=TODAY)

    def change(ctx, cases, life):
        cid = _approved(ctx, cases)
        return lambda u: life.start_change(cid, u, {"change_type": "property", "change_date": PAST.isoformat()},
                                           effective_date=TODAY)

    def terminate(ctx, cases, life):
        cid = _approved(ctx, cases)
        return lambda u: life.start_termination(cid, u, "other", "矩阵测试", effective_date=TODAY)

    def batch(ctx, cases, life):
        cid = _case_in(ctx, cases, "county_review", proposal=proposal("county"))
        version = cases.show(cid)["version"]

        def act(u):
            result = BatchService(ctx).run([{"id": cid, "version": version}], "approve", u)
            if result["failed"]:
                raise DomainError(result["failed"][0]["message"])
        return act

    def admin(method, *args, **kwargs):
        def setup(ctx, cases, life):
            k = next(n)
            real = [a(k) if callable(a) else a for a in args]
            return lambda u: getattr(AdminService(ctx), method)(*real, actor=u, **kwargs)
        return setup

    def audit(method):
        return lambda ctx, cases, life: (lambda u: getattr(AuditService(ctx), method)(u))

    def backup(ctx, cases, life):
        k = next(n)
        return lambda u: BackupService(ctx).backup(ctx.db_path.parent / f"matrix-{k}-{u}.bak", actor=u)

    return [
        ("create_case", STAFF, create),
        ("save_forms", _investigating_roles(), save_forms),
        ("update_household", STAFF, update_household),
        ("extend_deadline", {"township_reviewer", "county_approver"}, extend),
        ("start_review", STAFF, review),
        ("start_change", STAFF, change),
        ("start_termination", STAFF, terminate),
        ("batch_approve", {"county_approver"}, batch),
        ("add_area", ADMIN, admin("add_area", lambda k: f"13099910100{k % 9 + 1}{k:03d}", "新村", "village",
                                  "130999101")),
        ("add_user", ADMIN, admin("add_user", lambda k: f"newuser{k}", "新用户", ["caseworker"])),
        ("update_user", ADMIN, admin("update_user", "clerk2", lambda k: f"李强{k}")),
        ("set_password", ADMIN, admin("set_password", "clerk2", lambda k: f"Matrix-pass-{k}")),
        ("unlock_user", ADMIN, admin("unlock_user", "clerk2")),
        ("set_policy", ADMIN, admin("set_policy", "130999", lambda k: dt.date(2027, 1, k % 28 + 1), default_policy())),
        ("set_calendar_day", ADMIN, admin("set_calendar_day", lambda k: dt.date(2027, 2, k % 28 + 1), True)),
        ("remove_calendar_day", ADMIN, admin("remove_calendar_day", dt.date(2027, 3, 1))),
        ("set_delegation", ADMIN, admin("set_delegation", "130999101", False)),
        ("audit_verify", {"admin", "county_approver"}, audit("verify")),
        ("audit_office_log", {"admin", "county_approver"}, audit("office_log")),
        ("backup", ADMIN, backup),
    ]


ACTIONS = _actions()


@pytest.mark.parametrize("name,allowed,setup", ACTIONS, ids=[a[0] for a in ACTIONS])
def test_every_role_on_every_service_action(offices, name, allowed, setup):
    ctx, cases, life = offices("service actions")
    for role, username in ROLE_USERS.items():
        act = setup(ctx, cases, life)
        if role in allowed:
            act(username)
            continue
        before = dump_db(ctx.db_path)
        with pytest.raises(DomainError, match="无权|不是系统管理员|须由"):
            act(username)
        assert dump_db(ctx.db_path) == before, f"refused {name} by {role} changed the database"
    record("roles x service actions", len(ROLE_USERS), allowed=len(allowed), refused=len(ROLE_USERS) - len(allowed))


# --- separation of duties -------------------------------------------------------------------------------


def test_whoever_registered_a_case_cannot_approve_it(office):
    from doudi_desk.services.admin import AdminService
    from doudi_desk.services.cases import CaseService
    from tests.integration.test_dibao_paths import POSTING, day, to_posting

    AdminService(office).add_user("zhao", "赵军军", ["caseworker", "county_approver"])
    svc = CaseService(office)
    view = svc.create_case(household("dibao"), "dibao", "zhao", applied_on=PAST)
    place(office, view["id"], state="county_review", proposal=proposal("county"), state_entered_on=PAST,
          last_effective_date=PAST)
    before = dump_db(office.db_path)
    with pytest.raises(DomainError, match="登记了本案"):
        svc.advance(view["id"], "approve", "zhao", effective_date=TODAY)
    assert dump_db(office.db_path) == before
    assert svc.advance(view["id"], "approve", "approver", effective_date=TODAY)["state"] == "approved"
    # The same user may approve a case someone else registered and investigated.
    other = to_posting(svc)
    svc.advance(other["id"], "submit_to_county", "reviewer", data=POSTING, effective_date=day(12))
    assert svc.advance(other["id"], "approve", "zhao", effective_date=day(13))["state"] == "approved"


def test_in_the_demo_no_case_is_decided_by_its_registrar_or_investigator(tmp_path):
    from doudi_desk.services.cases import CaseService
    from doudi_desk.services.context import open_context
    from doudi_desk.services.demo import build_demo
    from doudi_desk.services.reports import list_cases

    ctx = open_context(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    ctx.today = lambda: TODAY
    try:
        build_demo(ctx, households=60)
        svc = CaseService(ctx)
        decided = 0
        for row in list_cases(ctx, limit=None):
            view = svc.show(row["id"])
            created_by = view["history"][0]["actor"]
            investigators = {p.get("username") or p.get("name")
                             for p in (view["forms"].get("home_visit") or {}).get("investigators") or []}
            for e in view["history"]:
                if e["trigger"] in ("approve", "refuse", "decide"):
                    decided += 1
                    assert e["actor"] != created_by, (view["number"], e)
                    assert e["actor"] not in investigators, (view["number"], e)
        assert decided > 5
    finally:
        ctx.db.dispose()
