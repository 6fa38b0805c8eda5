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

import datetime as dt
import itertools

import pytest

from doudi_desk.domain.errors import DomainError
from doudi_desk.domain.specs import ROLES
from tests.helpers.arrange import (
    DEFS,
    PAST,
    arrange,
    form_data,
    household,
    place,
    proposal,
)
from tests.helpers.office import TODAY, dump_db, open_office

COMBOS = sorted(
    (spec.id, t.trigger, source)
    for spec in DEFS.workflows.values()
    for t in spec.transitions
    for source in t.source
)
ROLE_USERS = {role: f"m_{role}" for role in ROLES}
ROLE_REFUSAL = "角色有权办理"


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
            gen = open_office(f"sqlite:///{path}", path)
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
    from doudi_desk.services.audit import AuditLog, AuditService
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
        ("audit_log_page", {"admin", "county_approver"},
         lambda ctx, cases, life: (lambda u: AuditLog(ctx).page(u, limit=5))),
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


# --- separation of duties -------------------------------------------------------------------------------


def test_whoever_registered_a_case_cannot_approve_it(office):
    from doudi_desk.services.admin import AdminService
    from doudi_desk.services.cases import CaseService
    from tests.helpers.dibao import POSTING, day, to_posting

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
    from doudi_desk.services.reports import list_cases
    from tests.helpers.demo import open_demo

    ctx = open_demo(tmp_path / "demo.sqlite3", 60)
    try:
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
