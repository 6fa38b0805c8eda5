"""Families and steps for the 残疾人两项补贴 tests: a 低保 granted through its workflow, an allowance
applied for, reviewed and approved, on the ``office`` fixture's township (tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

D0 = dt.date(2026, 10, 9)  # a Friday, after the National Day holiday; the office's today is 2026-11-23
VILLAGE = "130999101001"
HEAD_ID = "130102197203150316"  # 王建国, physically disabled, grade 2
HEAD_CERTIFICATE = HEAD_ID + "42"  # 残疾人证号: the ID number, 4 (肢体), 2 (二级)


def day(n: int) -> str:
    return (D0 + dt.timedelta(days=n)).isoformat()


def family(*, applicant: bool = False, long_term_care: bool = True, **member) -> dict[str, Any]:
    """A family of four on low income whose head holds a 残疾人证 (肢体二级)."""
    head = {"name": "王建国", "id_number": HEAD_ID, "relation": "head",
            "disability": {"type": "physical", "grade": 2}, "certificate_number": HEAD_CERTIFICATE,
            "long_term_care": long_term_care} | member
    if applicant:
        head["applicant"] = True
    return {
        "village": VILLAGE,
        "members": [
            head,
            {"name": "李秀兰", "id_number": "130102197508020424", "relation": "spouse", "serious_illness": True},
            {"name": "王小明", "id_number": "130102201205200152", "relation": "child"},
            {"name": "王老汉", "id_number": "130102195001090176", "relation": "parent"},
        ],
        "income": [{"type": "wage", "amount": "14400", "member": 1}, {"type": "farming", "amount": "3600"}],
        "rigid_expenses": [{"kind": "medical", "amount": "6000", "member": 1}],
        "assets": {"financial": "8000", "vehicles": [], "homes": 1, "commercial_property": False},
    }


DIBAO_APPLICATION = {"application": {"apply_date": day(0), "channel": "self", "reason": "因病因残致贫",
                                     "pledge_signed": True, "authorization_signed": True}}
INVESTIGATION = {
    "verification": {"requested_on": day(2), "result": "consistent"},
    "home_visit": {"visit_date": day(3), "investigators": [{"name": "张敏"}, {"name": "李强"}],
                   "family_present": "户主、配偶", "conclusion": "meets"},
    "neighbour_visit": {"visit_date": day(3), "interviewees": [{"name": "邻居老周"}], "statements": "情况属实"},
}


def grant_dibao(svc, household: dict[str, Any] | None = None, start: int = 0) -> dict[str, Any]:
    """A 低保 through its whole workflow, approved on day(start + 13) (paid from the next month)."""
    view = svc.create_case(household or family(), "dibao", "clerk", applied_on=day(start))
    cid = view["id"]
    app = {"application": dict(DIBAO_APPLICATION["application"], apply_date=day(start))}
    svc.advance(cid, "accept", "clerk", data=app, effective_date=day(start + 1))
    svc.advance(cid, "start_investigation", "clerk", effective_date=day(start + 2))
    inv = {k: dict(v) for k, v in INVESTIGATION.items()}
    inv["verification"]["requested_on"] = day(start + 2)
    inv["home_visit"]["visit_date"] = inv["neighbour_visit"]["visit_date"] = day(start + 3)
    svc.advance(cid, "complete_investigation", "clerk", data=inv, effective_date=day(start + 4))
    svc.advance(cid, "post_notice", "reviewer",
                data={"preliminary_opinion": {"opinion": "approve", "category": "new", "comment": "拟同意"}},
                effective_date=day(start + 5))
    svc.advance(cid, "submit_to_county", "reviewer",
                data={"posting": {"start_date": day(start + 5), "place": "村务公开栏"}}, effective_date=day(start + 12))
    view = svc.advance(cid, "approve", "approver", data={"approval": {"comment": "同意"}},
                       effective_date=day(start + 13))
    assert view["closed"] and view["decision"]["result"] == "approved", view["state"]
    return view


def application(start: int, requested=("living", "care"), channel: str = "self", **extra) -> dict[str, Any]:
    return {"disability_application": {"apply_date": day(start), "channel": channel, "requested": list(requested),
                                       "reason": "肢体残疾二级，生活不能完全自理", "pledge_signed": True} | extra}


def check(on: int, *, valid: bool = True, long_term_care: bool = True) -> dict[str, Any]:
    return {
        "disability_check": {"result": "valid" if valid else "invalid", "source": "database",
                             "checked_on": day(on), "checked_by": "张敏"},
        "care_need": {"long_term_care": long_term_care, "basis": "日常生活活动多项需他人协助，预计持续6个月以上",
                      "assessed_on": day(on), "assessor": "乡镇卫生院"},
    }


def to_county(svc, household: dict[str, Any] | None = None, start: int = 14, *, valid: bool = True,
              long_term_care: bool = True) -> dict[str, Any]:
    """An allowance application registered, accepted and reviewed by the township: at 县级审批 with its
    computation (the family's status read from the benefits in force)."""
    view = svc.create_case(household or family(applicant=True), "disability_allowance", "clerk",
                           applied_on=day(start))
    cid = view["id"]
    view = svc.advance(cid, "accept", "clerk", data=application(start), effective_date=day(start))
    assert view["accepted_on"] == day(start)
    svc.save_forms(cid, "clerk", check(start + 1, valid=valid, long_term_care=long_term_care),
                   effective_date=day(start + 1))
    return svc.advance(cid, "submit_to_county", "reviewer", effective_date=day(start + 2))


def grant_allowance(svc, household: dict[str, Any] | None = None, start: int = 14) -> dict[str, Any]:
    view = to_county(svc, household, start)
    view = svc.advance(view["id"], "approve", "approver", data={"disability_approval": {"comment": "同意"}},
                       effective_date=day(start + 3))
    assert view["closed"] and view["decision"]["result"] == "approved", view["state"]
    return view


def stop_dibao(office, svc, dibao_case: int, on: int, reason: str = "income_over") -> dict[str, Any]:
    """停保 of a 低保 through its termination workflow, decided on day(on)."""
    from doudi_desk.services.lifecycle import LifecycleService

    life = LifecycleService(svc)
    view = life.start_termination(dibao_case, "clerk", reason, "家庭成员务工收入超过低保标准",
                                  effective_date=day(on))
    svc.advance(view["id"], "submit_to_county", "clerk", effective_date=day(on))
    return svc.advance(view["id"], "terminate", "approver", effective_date=day(on + 1))


def triggers(view: dict[str, Any]) -> list[str]:
    return [e["trigger"] for e in view["history"]]
