"""Read-only views: the office summary, case lists and a case as plain Chinese text."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..domain.programmes import amount_of, parts_of, programme
from . import lookup, roles
from .context import AppContext
from .lifecycle import STATUSES
from .views import CaseView


def list_cases(ctx: AppContext, *, state: str | None = None, village: str | None = None,
               limit: int | None = 50, staff_relative: bool = False) -> list[dict[str, Any]]:
    """Cases for the command line; ``staff_relative`` gives the county its list of cases filed
    separately because a member is a close relative of office staff or village cadres (57号文 §11)."""
    with ctx.db.unit_of_work() as uow:
        cases = uow.cases.query(state=state, village_code=village, limit=None if staff_relative else limit)
        if staff_relative:
            cases = [c for c in cases if c.staff_relative][:limit]
        out = []
        for c in cases:
            label = lookup.state_label(ctx.engines, c.workflow_id, c.state)
            head = uow.households.get(c.household_id).head.name
            out.append({"id": c.id, "number": c.number, "state": c.state, "state_label": label, "head": head,
                        "staff_relative": c.staff_relative, "kind": c.kind,
                        "village": c.village_code,
                        "deadline": (c.state_deadline or c.total_deadline).isoformat()
                        if (c.state_deadline or c.total_deadline) else None})
        return out


def summary_text(ctx: AppContext) -> str:
    """Cases per state for every workflow, with the office's areas and users."""
    lines = []
    with ctx.db.unit_of_work() as uow:
        counts = Counter((c.workflow_id, c.state) for c in uow.cases.query())
        areas = uow.areas.all()
        users = uow.users.all()
        sample = uow.cases.query(workflow_states=roles.ending(ctx.engines, "approved"), limit=1)
    county = [a for a in areas if a.level == "county"]
    towns = [a for a in areas if a.level == "township"]
    villages = [a for a in areas if a.level == "village"]
    lines.append(f"地区：{'、'.join(a.name for a in county) or '—'}，乡镇 {len(towns)} 个，村（社区）{len(villages)} 个")
    lines.append(f"用户：{'、'.join(f'{u.full_name}（{u.username}）' for u in users) or '—'}")
    lines.append(f"案件共 {sum(counts.values())} 件：")
    for spec in ctx.definitions.workflows.values():
        mine = [(s.label, counts[spec.id, s.name]) for s in spec.states if counts.get((spec.id, s.name))]
        if mine:
            lines.append(f"  {spec.title}")
            lines += [f"    {label:<12}{n:>5}" for label, n in mine]
    if sample:
        lines.append(f"查看一个已确认的案件：doudi-admin case show {sample[0].number}")
    return "\n".join(lines)


def case_text(view: CaseView) -> str:
    """A case as a supervisor reads it: where it stands, what can be done, why this amount, history."""
    kind = "" if view.kind == "application" else f" {view.kind_label}"
    lines = [
        f"案件 {view.number}（{view.programme_label}{kind}）  户主 {view.household.head}，"
        f"家庭成员 {view.household.members} 人  {view.village_name}（{view.village}）",
        f"当前环节：{view.state_label}  版本 {view.version}"
        + ("  【县级已授权乡镇审批】" if view.county_delegated else ""),
    ]
    if view.parent_case:
        lines.append(f"原案件：{view.parent_case}")
    benefit = view.benefit
    if benefit:
        status = STATUSES.get(benefit.get("status_today"), "—")
        lines.append(f"保障状态：{status}，每月 {benefit.get('monthly_amount') or '—'} 元"
                     + (f"，下次复核 {view.next_review_on}" if view.next_review_on else ""))
    dl = view.deadline
    if dl.state:
        left = dl.state_working_days_left
        cal = dl.state_calendar_days_left
        extra = f"（剩余 {left} 个工作日）" if left is not None else (f"（剩余 {cal} 天）" if cal is not None else "")
        lines.append(f"本环节期限：{dl.state}{extra}")
    if dl.total:
        left = dl.total_working_days_left
        lines.append(f"办结期限：{dl.total}" + (f"（剩余 {left} 个工作日）" if left is not None else ""))
    if view.available_triggers:
        lines.append("可办理：")
        for t in view.available_triggers:
            mark = "✓" if t.allowed else "✗"
            why = "" if t.allowed else "  —  " + "；".join(t.reasons)
            lines.append(f"  {mark} {t.trigger}（{t.label} → {t.to_label}）{why}")
    if view.proposal:
        p = view.proposal
        amount = amount_of(view.programme, p)
        lines.append(f"测算结果（{p.get('decision_date')}）：{'符合' if p['eligible'] else '不符合'}条件，"
                     f"{programme(view.programme).heading(proposed=True)} {amount}")
        lines += [f"  · {line}" for line in p.get("explanation", [])]
    if view.decision:
        d = view.decision
        label = view.decision_label or "—"
        who = f"（{d.get('decided_on') or '—'}，{view.decided_by_name or '—'}）"
        if d.get("result") == "approved":
            prog = programme(view.programme)
            since = f"，自 {d.get('start_month')} 起发放" if prog.monthly else "，一次性发放"
            parts = "".join(f"，{prog.part(k).label} {v}" for k, v in parts_of(prog.code, d).items())
            lines.append(f"决定：{label}，{prog.heading()} {amount_of(prog.code, d)}{parts}{since}{who}")
        elif d.get("result") in ("raise", "lower", "keep"):
            lines.append(f"决定：{label}，每月 {d.get('previous_amount')} 元 → {d.get('monthly_amount')} 元，"
                         f"自 {d.get('effective_month')} 起{who}")
        else:
            lines.append(f"决定：{label}，理由：{d.get('reasons') or '—'}{who}")
    lines.append("办理记录：")
    for e in view.history:
        move = f"{e.from_label} → {e.to_label}" if e.from_label else f"→ {e.to_label}"
        lines.append(f"  {e.seq:>2}. {e.effective_date}  {e.actor_name}  {e.action}  {move}"
                     + (f"  说明：{e.comment}" if e.comment else ""))
    return "\n".join(lines)
