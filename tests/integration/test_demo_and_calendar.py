"""The demo township covers every state; office calendar overrides move deadlines."""

from __future__ import annotations

import datetime as dt

from doudi_desk.domain import ids
from doudi_desk.services.admin import AdminService
from doudi_desk.services.cases import CaseService
from doudi_desk.services.context import open_context
from doudi_desk.services.demo import build_demo
from tests.helpers.demo import clocked


def test_demo_has_cases_in_every_state_with_valid_ids(tmp_path):
    ctx = clocked(open_context(f"sqlite:///{tmp_path / 'demo.sqlite3'}"))
    summary = build_demo(ctx, households=200, with_other_programmes=True)
    spec = ctx.definitions.workflows["dibao"]
    assert set(summary["states"]) == {s.name for s in spec.states}
    assert sum(summary["states"].values()) == 200
    assert "approved" in summary["others"]["tekun"] and "approved" in summary["others"]["temporary"]
    assert summary["others"]["lifecycle"] == {"review_open": 1, "review_decided": 1, "phase_out": 1,
                                              "termination": 1}
    with ctx.db.unit_of_work() as uow:
        cases = uow.cases.query()
        roles = {r for u in uow.users.all() for r in u.roles}
        # Review and change cases carry a copy of their household, and a 两项补贴 application the family
        # of the disabled person's 低保, so count the other applications only.
        numbers = [m.id_number for c in cases if c.kind == "application" and c.programme != "disability_allowance"
                   for m in uow.households.get(c.household_id).members]
        allowances = [c for c in cases if c.programme == "disability_allowance"]
    assert roles == {"caseworker", "township_reviewer", "county_approver", "admin"}
    # a dozen disabled persons: allowances in several states, one stopped with the family's 低保
    allowance_states = summary["others"]["allowances"]
    assert sum(allowance_states.values()) == 12 and allowance_states["living_stopped_with_dibao"] == 1
    assert {"approved", "county_approval", "reviewing", "applied", "refused", "withdrawn"} <= set(allowance_states)
    stopped = [c for c in allowances if c.benefit and (c.benefit.get("part_stops") or {}).get("living")]
    assert len(stopped) == 1 and stopped[0].benefit["parts"]["living"] == "0"
    assert len(numbers) == len(set(numbers)) > 200
    assert all(ids.id_problem(n) is None for n in numbers)
    ctx.db.dispose()


def test_calendar_override_moves_a_deadline(office):
    household = {
        "village": "130999101001",
        "members": [{"name": "孙丽", "id_number": "130102198204120623", "relation": "head"}],
    }
    svc = CaseService(office)
    case = svc.create_case(household, "dibao", "clerk", applied_on="2026-11-02")
    app = {"application": {"apply_date": "2026-11-02", "channel": "self", "reason": "无收入",
                           "pledge_signed": True, "authorization_signed": True}}
    view = svc.advance(case["id"], "accept", "clerk", data=app, effective_date="2026-11-02")  # Monday
    assert view["deadline"]["state"] == "2026-11-05"  # 3 working days: Tue, Wed, Thu
    # The county declares Wednesday 4 Nov a local day off; a later case gets the longer limit.
    AdminService(office).set_calendar_day(dt.date(2026, 11, 4), False, "县里停电放假", actor="admin")
    other = dict(household, members=[{"name": "赵晨", "id_number": "130102200509010716", "relation": "head"}])
    case2 = svc.create_case(other, "dibao", "clerk", applied_on="2026-11-02")
    view2 = svc.advance(case2["id"], "accept", "clerk", data=app, effective_date="2026-11-02")
    assert view2["deadline"]["state"] == "2026-11-06"


def test_deadlines_across_spring_festival_with_adjusted_saturdays(office):
    """2026 Spring Festival: 15–23 Feb off; Saturdays 14 Feb and 28 Feb are working days (调休)."""
    svc = CaseService(office)
    household = {"village": "130999101001",
                 "members": [{"name": "孙丽", "id_number": "130102198204120623", "relation": "head"}]}
    case = svc.create_case(household, "dibao", "clerk", applied_on="2026-02-10")
    app = {"application": {"apply_date": "2026-02-10", "channel": "self", "reason": "无收入",
                           "pledge_signed": True, "authorization_signed": True}}
    view = svc.advance(case["id"], "accept", "clerk", data=app, effective_date="2026-02-11")  # Wednesday
    # Investigation starts within 3 working days: Thu 12, Fri 13, and Saturday 14 Feb (调休 working day).
    assert view["deadline"]["state"] == "2026-02-14"
    # 30 working days: the holiday week is skipped, Saturday 28 Feb counts.
    assert view["deadline"]["total"] == "2026-03-31"
