"""Named guard functions that workflow definitions refer to by name.

A guard receives a :class:`GuardContext` and returns ``None`` when it passes or a Chinese sentence
saying why not. YAML names guards; nothing in YAML is ever imported or evaluated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .forms import validate_form
from .model import AuditEvent, Case, Household, User
from .specs import ROLES, FormSpec, TransitionSpec, WorkflowSpec


@dataclass(frozen=True)
class GuardContext:
    """Everything a guard may look at: the case as it would be after merging the submitted forms."""

    case: Case
    actor: User
    transition: TransitionSpec
    workflow: WorkflowSpec
    forms: Mapping[str, FormSpec]
    submitted: Mapping[str, Mapping[str, Any]]
    effective_date: dt.date
    history: Sequence[AuditEvent] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)
    household: Household | None = None

    def form(self, form_id: str) -> dict[str, Any]:
        """Stored data of a form overlaid with what this action submits."""
        merged = dict(self.case.forms.get(form_id) or {})
        merged.update(self.submitted.get(form_id) or {})
        return merged

    def events_since(self, trigger: str) -> list[AuditEvent]:
        """Events after the most recent event with this trigger (all events if none)."""
        start = 0
        for i, e in enumerate(self.history):
            if e.trigger == trigger:
                start = i + 1
        return list(self.history[start:])


GuardFn = Callable[[GuardContext], "str | None"]


@dataclass(frozen=True)
class Guard:
    name: str
    label: str
    fn: GuardFn

    def __call__(self, ctx: GuardContext) -> str | None:
        return self.fn(ctx)


GUARDS: dict[str, Guard] = {}


def guard(name: str, label: str) -> Callable[[GuardFn], GuardFn]:
    def register(fn: GuardFn) -> GuardFn:
        GUARDS[name] = Guard(name, label, fn)
        return fn

    return register


@guard("role_allowed", "角色有权办理")
def role_allowed(ctx: GuardContext) -> str | None:
    if set(ctx.actor.roles) & set(ctx.transition.roles):
        return None
    need = "、".join(ROLES[r] for r in ctx.transition.roles)
    have = "、".join(ROLES.get(r, r) for r in ctx.actor.roles) or "无"
    return f"用户 {ctx.actor.full_name}（{have}）无权办理「{ctx.transition.label}」，须由{need}办理"


def forms_to_check(ctx: GuardContext) -> tuple[str, ...]:
    """The action's own forms when it declares some, else the forms of the state being left."""
    if ctx.transition.forms:
        return ctx.transition.forms
    return ctx.workflow.state(ctx.case.state).forms


@guard("forms_complete", "表单填写完整")
def forms_complete(ctx: GuardContext) -> str | None:
    problems = [p for p in (_complete(ctx, form_id) for form_id in forms_to_check(ctx)) if p]
    return "；".join(problems) or None


def _people(value: Any) -> list[dict[str, Any]]:
    return [p for p in (value or []) if isinstance(p, dict) and str(p.get("name") or "").strip()]


@guard("two_investigators", "入户调查不少于2名调查人员")
def two_investigators(ctx: GuardContext) -> str | None:
    names = {p["name"].strip() for p in _people(ctx.form("home_visit").get("investigators"))}
    if len(names) >= 2:
        return None
    return f"入户调查须由2名以上工作人员进行，现只记录了{len(names)}名"


@guard("proposal_computed", "已测算拟保障金额")
def proposal_computed(ctx: GuardContext) -> str | None:
    return None if ctx.case.proposal else "尚未测算拟保障金额，请先完成家庭经济状况调查"


@guard("proposal_eligible", "测算结果符合条件")
def proposal_eligible(ctx: GuardContext) -> str | None:
    if not ctx.case.proposal:
        return "尚未测算拟保障金额"
    if ctx.case.proposal.get("eligible"):
        return None
    return "按政策测算不符合保障条件，不能确认；如需不予确认请选择「不予确认」"


def _posting_start(ctx: GuardContext) -> dt.date | None:
    """The posting's first day: as recorded, but never before the 初审 opinion was posted."""
    entered = ctx.case.state_entered_on
    raw = ctx.form("posting").get("start_date")
    try:
        recorded = dt.date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        recorded = None
    dates = [d for d in (recorded, entered) if d is not None]
    return max(dates) if dates else None


@guard("posting_elapsed", "公示期已满")
def posting_elapsed(ctx: GuardContext) -> str | None:
    start = _posting_start(ctx)
    if start is None:
        return "没有公示开始日期"
    # the 公示 period of the step the case is in, or of the workflow's posting step (state roles)
    posting = [ctx.case.state] if ctx.workflow.has_role(ctx.case.state, "posting") else \
        list(ctx.workflow.states_with("posting"))
    days = (ctx.workflow.state(posting[0]).time_limit_days if posting else None) or 7
    ends = start + dt.timedelta(days=days)
    if ctx.effective_date >= ends:
        return None
    return (f"公示期为{days}天（{start.isoformat()} 起），须到 {ends.isoformat()} 及以后方可报送，"
            f"办理日期为 {ctx.effective_date.isoformat()}")


def _open_objection(ctx: GuardContext) -> bool:
    open_ = False
    for e in ctx.events_since("post_notice"):
        if e.trigger == "record_objection":
            open_ = True
        elif e.trigger in ("reinvestigate", "review_passed", "review_failed"):
            open_ = False
    return open_


@guard("no_open_objection", "公示无未处理异议")
def no_open_objection(ctx: GuardContext) -> str | None:
    return "公示期间有未处理的异议，须先重新调查或组织民主评议" if _open_objection(ctx) else None


@guard("objection_resolved", "异议已经民主评议")
def objection_resolved(ctx: GuardContext) -> str | None:
    events = ctx.events_since("post_notice")
    objection = any(e.trigger == "record_objection" for e in events)
    reviewed = any(e.trigger in ("review_passed", "review_failed") for e in events)
    if objection and reviewed:
        return None
    if not objection:
        return "本次初审未经公示异议程序，须先发布初审公示，公示期满后报送"
    return "公示异议尚未经民主评议，不能报送"


def _votes(ctx: GuardContext) -> tuple[int, int, int, int, int] | str:
    data = ctx.form("democratic_review")
    try:
        participants = int(data.get("participants"))
        reps = int(data.get("representatives"))
        yes, no, abstain = (int(data.get(k)) for k in ("votes_for", "votes_against", "votes_abstain"))
    except (TypeError, ValueError):
        return "民主评议记录缺少参加人数、村民代表人数或表决票数"
    if yes + no + abstain > participants:
        return f"表决票数合计{yes + no + abstain}超过参加人数{participants}"
    if reps > participants:
        return f"村民代表人数{reps}超过参加人数{participants}"
    if reps * 3 < participants * 2:
        return f"村民代表{reps}人不足参加人数{participants}人的三分之二，评议无效，须重新组织"
    return participants, reps, yes, no, abstain


@guard("vote_passed", "民主评议赞成票达三分之二")
def vote_passed(ctx: GuardContext) -> str | None:
    v = _votes(ctx)
    if isinstance(v, str):
        return v
    participants, _reps, yes, _no, _abstain = v
    if yes * 3 >= participants * 2:
        return None
    return f"赞成{yes}票，未达到参加人数{participants}人的三分之二，评议未通过"


@guard("vote_failed", "民主评议赞成票不足三分之二")
def vote_failed(ctx: GuardContext) -> str | None:
    v = _votes(ctx)
    if isinstance(v, str):
        return v
    participants, _reps, yes, _no, _abstain = v
    if yes * 3 < participants * 2:
        return None
    return f"赞成{yes}票，已达到参加人数{participants}人的三分之二，评议已通过"


@guard("county_delegated", "县级已授权乡镇审批")
def county_delegated(ctx: GuardContext) -> str | None:
    return None if ctx.case.county_delegated else "县级民政部门未授权本乡镇审批确认，应报县级审核确认"


@guard("not_delegated", "由县级审核确认")
def not_delegated(ctx: GuardContext) -> str | None:
    return "县级民政部门已授权本乡镇审批确认，应报乡镇审批确认" if ctx.case.county_delegated else None


@guard("investigator_not_approver", "调查人员和登记人不得审批本案")
def investigator_not_approver(ctx: GuardContext) -> str | None:
    """Separation of duties: whoever registered the case or is recorded as one of its home-visit
    investigators cannot decide it; someone else must."""
    if ctx.case.created_by and ctx.case.created_by == ctx.actor.username:
        return f"{ctx.actor.full_name} 登记了本案，不能审批本案，须由其他有权人员审批"
    me = {ctx.actor.username, ctx.actor.full_name}
    for p in _people(ctx.form("home_visit").get("investigators")):
        if p.get("username") in me or p["name"].strip() in me:
            return f"{ctx.actor.full_name} 是本案入户调查人员，不能审批本案"
    return None


@guard("no_failed_review", "民主评议未被否决")
def no_failed_review(ctx: GuardContext) -> str | None:
    last = None
    for e in ctx.history:
        if e.trigger in ("review_passed", "review_failed", "reinvestigate", "return_case"):
            last = e.trigger
    if last == "review_failed":
        return "民主评议未通过，不能确认；应不予确认或退回重新调查"
    return None


def _complete(ctx: GuardContext, form_id: str) -> str | None:
    spec = ctx.forms[form_id]
    data = ctx.form(form_id)
    if not data:
        return f"「{spec.title}」尚未填写"
    errors = validate_form(spec, data)
    if errors:
        detail = "；".join(f"{(spec.field(n).label if spec.field(n) else n)}：{m}" for n, m in errors.items())
        return f"「{spec.title}」未填写完整（{detail}）"
    return None


@guard("county_visit_if_staff_relative", "近亲属备案案件已经县级入户核查")
def county_visit_if_staff_relative(ctx: GuardContext) -> str | None:
    if not ctx.case.staff_relative:
        return None
    problem = _complete(ctx, "county_visit")
    if problem:
        return f"本案为经办人员或村（居）委会成员近亲属备案案件，须先记录县级入户核查：{problem}"
    return None


@guard("care_agreement_if_dispersed", "分散供养已签订照料协议")
def care_agreement_if_dispersed(ctx: GuardContext) -> str | None:
    data = ctx.form("supply_arrangement")
    if data.get("mode") != "dispersed":
        return None
    carers = _people(data.get("carer"))
    if carers and data.get("care_agreement_signed") is True:
        return None
    return "分散供养须在审批前与具名照料人签订照料协议（供养方式表中填写照料人并勾选已签订）"


@guard("urgent_claim", "急难型临时救助")
def urgent_claim(ctx: GuardContext) -> str | None:
    claim = ctx.household.temporary if ctx.household else None
    if claim is not None and claim.type == "urgent":
        return None
    return "只有急难型临时救助可以先行救助；支出型须按正常程序调查、公示、审批"


def _approval_level(ctx: GuardContext) -> str | None:
    return (ctx.case.proposal or {}).get("approval_level")


_LEVELS = {"township": "乡镇审批", "county": "县级审批", "county_collective": "县级“一事一议”"}


@guard("amount_for_township", "金额在乡镇审批限额以下")
def amount_for_township(ctx: GuardContext) -> str | None:
    level = _approval_level(ctx)
    if level == "township":
        return None
    if level is None:
        return "尚未测算救助金额"
    amount = (ctx.case.proposal or {}).get("amount")
    return f"拟救助金额 {amount} 元达到乡镇审批限额，应由{_LEVELS[level]}"


@guard("amount_for_county", "金额达到乡镇审批限额")
def amount_for_county(ctx: GuardContext) -> str | None:
    level = _approval_level(ctx)
    if level in ("county", "county_collective"):
        return None
    if level is None:
        return "尚未测算救助金额"
    amount = (ctx.case.proposal or {}).get("amount")
    return f"拟救助金额 {amount} 元低于乡镇审批限额，由乡镇审批"


@guard("collective_record_if_big_case", "大额救助已“一事一议”集体研究")
def collective_record_if_big_case(ctx: GuardContext) -> str | None:
    if _approval_level(ctx) != "county_collective":
        return None
    problem = _complete(ctx, "collective_decision")
    if problem:
        return f"金额达到“一事一议”起点，须附县级集体研究记录：{problem}"
    return None
