"""Programmes and workflow states are data (issue 13).

- No service, storage module or window names a programme code or a workflow state: they ask the
  registry (domain/programmes.py) and the workflows' state roles (checked here on the source).
- A programme added at run time — a registry entry, its decision function and a workflow copied
  into a definitions folder — runs end to end through cases, lists, the queue, printing and the
  统计月报 without a line of code elsewhere.
- An office that renames states in its workflow YAML (each with its role or outcome) keeps every
  service working, old cases included (``state_map``).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import yaml

from tests.helpers.office import AREAS, TODAY, USERS

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "doudi_desk"
# Where programme and state names must not be written: the services, storage and the window. The demo
# township (services/demo*.py) and the window's --self-test (ui/application.py) are scripts over the
# shipped definitions and name the steps they play through; the migrations name the states as they were.
SCANNED = [p for d in ("services", "storage", "ui") for p in (PACKAGE / d).rglob("*.py")
           if not p.name.startswith("demo") and p.name != "application.py" and "migrations" not in p.parts]


def _shipped():
    from doudi_desk.definitions import default_root, load_definitions
    from doudi_desk.domain.guards import GUARDS

    return load_definitions(default_root(), GUARDS.keys())


def _strings(path: Path) -> list[tuple[int, str, str]]:
    """Every string literal of a file used as a value: (line, value, the line's text). A literal used
    as a key of data — a dict's key, a subscript, ``.get("…")``'s name — is left out: the household
    JSON's ``temporary`` claim or a result's ``opened`` count is a key, not a programme or a state."""
    import ast

    tree = ast.parse(path.read_text("utf-8"))
    lines = path.read_text("utf-8").splitlines()
    keys: set[int] = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Dict):
            keys.update(id(k) for k in n.keys if k is not None)
        elif isinstance(n, ast.Subscript):
            keys.add(id(n.slice))
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "get" and n.args:
            keys.add(id(n.args[0]))
    return [(n.lineno, n.value, lines[n.lineno - 1]) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in keys]


def test_no_programme_code_is_written_in_services_storage_or_window():
    from doudi_desk.domain.programmes import REGISTRY

    codes = set(REGISTRY)
    # ``temporary`` is also a 大排查 rule's name (近12个月临时救助对象, domain/campaigns.py).
    key_use = re.compile(r"""["']temporary["'] in rules|reasons\.append\(["']temporary["']\)""")
    found = [f"{p.relative_to(ROOT)}:{line}: {text.strip()}" for p in SCANNED for line, value, text in _strings(p)
             if value in codes and not (value == "temporary" and key_use.search(text))]
    assert found == []


def test_no_workflow_state_is_written_in_services_storage_or_window():
    from doudi_desk.domain.specs import OUTCOMES

    definitions = _shipped()
    states = {s.name for w in definitions.workflows.values() for s in w.states}
    # Names that are only state names: never written. Names shared with an outcome (approved …), a
    # form (posting, objection …) or a list tab (posting) may appear as those, never compared with a
    # case's state.
    shared = set(OUTCOMES) | set(definitions.forms) | {"posting"}
    strict = states - shared
    assert {"preliminary_review", "county_review", "investigating", "accepted", "reviewing"} <= strict
    state_use = re.compile(r"""state\w*["'\]]*\s*(==|!=|=|\bin\b)\s*[(\[]?\s*["']""")
    found = []
    for p in SCANNED:
        for line, value, text in _strings(p):
            if value in strict or (value in states and state_use.search(text)):
                found.append(f"{p.relative_to(ROOT)}:{line}: {text.strip()}")
    assert found == []


# --- a programme added as data ---------------------------------------------------------------------

def _context(root: Path, tmp_path: Path):
    from doudi_desk.services.admin import AdminService, default_policy
    from doudi_desk.services.context import open_context

    ctx = open_context(f"sqlite:///{tmp_path / 'office.sqlite3'}", definitions_root=root)
    ctx.today = lambda: TODAY
    ctx.now = lambda: dt.datetime(2026, 11, 23, 9, 30)
    admin = AdminService(ctx)
    for code, name, level, parent in AREAS:
        admin.add_area(code, name, level, parent)
    for username, name, roles in USERS:
        admin.add_user(username, name, roles)
    admin.set_policy("130999", dt.date(2026, 1, 1), default_policy())
    return ctx


def _definitions_copy(tmp_path: Path) -> Path:
    root = tmp_path / "definitions"
    for folder in ("workflows", "forms", "print_templates"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


def test_a_programme_added_as_data_runs_end_to_end(tmp_path, monkeypatch):
    """孤儿基本生活费 as the next programme: a registry entry, a decision function (here: 1,200 yuan a
    month for an applicant under 18 holding no other support), a workflow copied from 两项补贴's."""
    from decimal import Decimal

    from doudi_desk.domain import programmes
    from doudi_desk.domain.programmes import MONTHLY, Programme

    def decide_orphan(household, policy, on, status=None):
        from doudi_desk.domain.disability_allowance import AllowanceDecision

        a = next(i for i, m in enumerate(household.members) if m.applicant)
        minor = household.members[a].age_on(on) < 18
        amount = Decimal(1200) if minor else Decimal(0)
        return AllowanceDecision(on, minor, len(household.counted_indexes()), Decimal(0), a,
                                 {"living": amount, "care": Decimal(0)}, [] if minor else ["not_minor"],
                                 ["孤儿基本生活费：未满18周岁，每月1200元。" if minor else "申请人已满18周岁。"])

    entry = Programme("orphan", "孤儿基本生活费", "孤儿", "GE", MONTHLY, "基本生活费", "元/月", "保障",
                      "确认给予{names}孤儿基本生活费，每月{amount}元，自{start}起发放", decide_orphan,
                      application_forms=("disability_application",), approval_forms=("disability_approval",),
                      person_based=True, amount_editable=False, posted=False, review_months=12,
                      failed_labels={"not_minor": "申请人已满18周岁"})
    monkeypatch.setitem(programmes.REGISTRY, "orphan", entry)
    monkeypatch.setitem(programmes.PROGRAMMES, "orphan", entry.name)

    root = _definitions_copy(tmp_path)
    text = (root / "workflows" / "disability_allowance.yaml").read_text("utf-8")
    (root / "workflows" / "orphan.yaml").write_text(
        text.replace("id: disability_allowance", "id: orphan").replace("programme: disability_allowance",
                                                                       "programme: orphan")
        .replace("title: 残疾人两项补贴审核审批", "title: 孤儿基本生活费审核审批"), "utf-8")
    ctx = _context(root, tmp_path)
    from doudi_desk.services.cases import CaseService
    from doudi_desk.services.lifecycle import LifecycleService
    from doudi_desk.services.printing import PrintService
    from doudi_desk.services.queries import CaseQuery, QueryService
    from doudi_desk.services.statistics import StatisticsService

    svc = CaseService(ctx)
    child = {"village": "130999101001", "members": [
        {"name": "张小宝", "id_number": "130102201205200152", "relation": "head", "applicant": True}]}
    view = svc.create_case(child, "orphan", "clerk", applied_on="2026-10-12")
    assert view["number"].startswith("2026-GE-") and view["programme_label"] == "孤儿基本生活费"
    cid = view["id"]
    svc.advance(cid, "accept", "clerk", effective_date="2026-10-12", data={"disability_application": {
        "apply_date": "2026-10-12", "channel": "guardian", "requested": ["living"], "reason": "父母双亡",
        "pledge_signed": True, "guardian_name": "张大伯"}})
    svc.save_forms(cid, "clerk", {"disability_check": {"result": "valid", "source": "original",
                                                       "checked_on": "2026-10-13", "checked_by": "张敏"},
                                  "care_need": {"basis": "无", "assessed_on": "2026-10-13", "assessor": "张敏"}},
                   effective_date="2026-10-13")
    view = svc.advance(cid, "submit_to_county", "reviewer", effective_date="2026-10-14")
    assert view["proposal"]["monthly_amount"] == "1200"
    queries = QueryService(ctx)
    assert cid in queries.case_ids("approver", CaseQuery(tab="approval"))
    [row] = [r for r in queries.supervisor_queue("approver") if r["id"] == cid]
    assert row["proposed_amount"] == "1200" and row["batchable"]
    view = svc.advance(cid, "approve", "approver", data={"disability_approval": {"comment": "同意"}},
                       effective_date="2026-10-15")
    assert (view["state"], view["decision"]["start_month"], view["benefit"]["monthly_amount"]) == (
        "approved", "2026-11", "1200")
    assert [r["case"] for r in LifecycleService(svc).benefits()] == [view["number"]]
    printer = PrintService(ctx)
    available = {d["kind"] for d in printer.documents_for_case(cid) if d["available"]}
    assert {"application_form", "confirmation_notice", "approval_form"} <= available
    assert printer.case_document(cid, "confirmation_notice").startswith(b"%PDF")
    assert printer.roster("130999101001", "orphan", actor="clerk").startswith(b"%PDF")
    StatisticsService(ctx).monthly("2026-11", "130999", "approver")  # a programme without a table of its own
    ctx.db.dispose()


# --- states renamed by an office ---------------------------------------------------------------------

RENAMES = {
    "dibao.yaml": {"preliminary_review": "first_opinion", "county_review": "county_check", "approved": "in_payment",
                   "investigating": "household_survey", "accepted": "case_accepted"},
    "dibao_termination.yaml": {"terminated": "payment_stopped", "county_review": "county_stop_check"},
    "disability_allowance.yaml": {"reviewing": "township_check", "county_approval": "county_decision",
                                  "approved": "allowance_granted", "refused": "allowance_refused"},
}


def _rename(root: Path, version_bump: bool) -> None:
    for name, renames in RENAMES.items():
        path = root / "workflows" / name
        lines = path.read_text("utf-8").split("\n")
        for old, new in renames.items():  # every mention of the state, never an outcome's value
            lines = [line if line.strip().startswith("outcome:") else re.sub(rf"\b{old}\b", new, line)
                     for line in lines]
        text = "\n".join(lines)
        if version_bump:
            data = yaml.safe_load(text)
            mapping = ", ".join(f"{old}: {new}" for old, new in renames.items())
            text = text.replace("version: 1\n", "version: 2\n", 1).replace("state_map: {}", f"state_map: {{{mapping}}}")
            assert data["states"]
        path.write_text(text, "utf-8")


def test_states_renamed_in_a_copy_of_the_workflows_keep_every_service_working(tmp_path):
    """Each renamed state keeps its role (a state's roles and outcome are written on it), and a case
    runs through: a 低保 granted, an allowance computed from it, approved, the 低保 stopped and the
    allowance's living part with it; lists, queue, printing and statistics see them all."""
    root = _definitions_copy(tmp_path)
    _rename(root, version_bump=False)
    assert "county_decision" in (root / "workflows" / "disability_allowance.yaml").read_text("utf-8")
    ctx = _context(root, tmp_path)
    _run_through(ctx)
    ctx.db.dispose()


def test_old_cases_follow_a_rename_declared_in_state_map(tmp_path):
    """Cases stored under the shipped names, then the office renames states (version 2, state_map):
    the 低保 stored as ``approved`` is still found in payment and the allowance still follows it."""
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from disability_helpers import day, grant_dibao, to_county

    from doudi_desk.services.cases import CaseService

    ctx = _context(ROOT, tmp_path)
    svc = CaseService(ctx)
    dibao = grant_dibao(svc)
    allowance = to_county(svc)
    assert allowance["state"] == "county_approval"
    ctx.db.dispose()

    root = _definitions_copy(tmp_path)
    _rename(root, version_bump=True)
    from doudi_desk.services.context import open_context

    ctx = open_context(f"sqlite:///{tmp_path / 'office.sqlite3'}", definitions_root=root)
    ctx.today = lambda: TODAY
    ctx.now = lambda: dt.datetime(2026, 11, 23, 9, 30)
    svc = CaseService(ctx)
    assert svc.show(allowance["id"])["state"] == "county_decision"
    view = svc.advance(allowance["id"], "approve", "approver", data={"disability_approval": {"comment": "同意"}},
                       effective_date=day(17))
    assert view["state"] == "allowance_granted" and view["benefit"]["parts"] == {"living": "80", "care": "80"}
    _stop_and_follow(ctx, svc, dibao["id"], allowance["id"])
    ctx.db.dispose()


def _run_through(ctx):
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from disability_helpers import day, grant_dibao, to_county

    from doudi_desk.services.cases import CaseService
    from doudi_desk.services.printing import PrintService
    from doudi_desk.services.queries import CaseQuery, QueryService

    svc = CaseService(ctx)
    dibao = grant_dibao(svc)
    assert dibao["state"] == "in_payment" and dibao["benefit"]["status"] == "active"
    view = to_county(svc)
    assert view["state"] == "county_decision"
    assert view["proposal"]["living_allowance"] == "80"  # the 低保 in ``in_payment`` counts as in force
    assert view["id"] in QueryService(ctx).case_ids("approver", CaseQuery(tab="approval"))
    assert view["id"] in QueryService(ctx).case_ids("approver", CaseQuery(tab="todo"))
    view = svc.advance(view["id"], "approve", "approver", data={"disability_approval": {"comment": "同意"}},
                       effective_date=day(17))
    assert view["state"] == "allowance_granted" and view["benefit"]["parts"] == {"living": "80", "care": "80"}
    assert PrintService(ctx).case_document(view["id"], "confirmation_notice").startswith(b"%PDF")
    _stop_and_follow(ctx, svc, dibao["id"], view["id"])


def _stop_and_follow(ctx, svc, dibao_id: int, allowance_id: int) -> None:
    from disability_helpers import day

    from doudi_desk.services.lifecycle import LifecycleService
    from doudi_desk.services.printing import PrintService
    from doudi_desk.services.queries import CaseQuery, QueryService
    from doudi_desk.services.statistics import StatisticsService

    life = LifecycleService(svc)
    assert {r["id"] for r in life.benefits()} >= {dibao_id, allowance_id}
    view = life.start_termination(dibao_id, "clerk", "income_over", "务工收入超过标准", effective_date=day(30))
    svc.advance(view["id"], "submit_to_county", "clerk", effective_date=day(30))
    view = svc.advance(view["id"], "terminate", "approver", effective_date=day(31))
    assert view["state"] == "payment_stopped" and view["decision"]["effective_month"] == "2026-12"
    allowance = svc.show(allowance_id)
    assert allowance["benefit"]["parts"] == {"living": "0", "care": "80"}
    assert allowance["history"][-1]["trigger"] == "benefit_linked_stop"
    assert PrintService(ctx).case_document(allowance_id, "linked_stop_notice").startswith(b"%PDF")
    assert PrintService(ctx).case_document(view["id"], "termination_notice").startswith(b"%PDF")
    covered = QueryService(ctx).case_ids("clerk", CaseQuery(tab="all", outcome="approved"))
    assert {dibao_id, allowance_id} <= set(covered)
    report = StatisticsService(ctx).monthly("2026-11", "130999", "approver")
    total = next(r for r in report.table("allowances").rows if r["_kind"] == "total")
    assert (total["dla_persons"], total["dca_persons"]) == (1, 1)
    dibao_total = next(r for r in report.table("dibao").rows if r["_kind"] == "total")
    assert dibao_total["households"] == 1
