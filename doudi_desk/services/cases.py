"""Case use cases: open an application, advance it through its workflow, show it.

Every action runs in one unit of work: the new state, the form data, the computed proposal or
decision, and the audit event are written together or not at all. A refused action raises a
:class:`~doudi_desk.domain.errors.DomainError` with a Chinese message and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..domain.calc import FLAG_LABELS, decide
from ..domain.calendar import WorkingCalendar
from ..domain.coverage import describe as describe_status
from ..domain.errors import DomainError, InputError, RepeatClaim
from ..domain.forms import DateSpan, date_problem, normalise_form, validate_form
from ..domain.guards import GuardContext
from ..domain.household import household_to_dict, parse_household
from ..domain.model import Case, Household, User
from ..domain.policy import parse_policy
from ..domain.posting import POSTED, POSTING_TRIGGER, posted_values
from ..domain.programmes import PROGRAMMES, REGISTRY, amount_of, failure_label, parts_of
from ..domain.specs import ABANDONED, ROLES, WORKFLOW_KINDS, TransitionSpec
from ..domain.text import clean_text, shown
from ..storage.repo import StaleVersionError
from ..workflow.engine import RefusedError, WorkflowEngine
from . import coverage, lifecycle, linkage, lookup, roles
from .case_writer import CaseWriter, diff, edit, flat, set_deadlines
from .context import AppContext
from .lifecycle import month_after
from .views import (
    CaseView,
    Deadlines,
    HistoryEntry,
    HouseholdSummary,
    RelatedCase,
    WorkflowRef,
    trigger_view,
)

EXTENSION_REASONS = {
    "objection": "公示有异议",
    "household_split": "人户分离",
    "outside_hukou": "非户籍地申请",
    "hard_investigation": "调查核实困难",
}
RESULTS = {"approved": "确认", "refused": "不予确认", "not_accepted": "不予受理", "withdrawn": "撤回"}


def _amount_text(value: Any) -> str:
    """'2500.00' -> '2500', '2500.50' stays: amounts read like the computed ones."""
    from decimal import Decimal

    amount = Decimal(str(value))
    return f"{amount.quantize(Decimal(1))}" if amount == amount.to_integral_value() else f"{amount:f}"


class CaseService:
    """Open, advance and show cases. One instance per program; it holds no database session."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        self.writer = CaseWriter(ctx)

    # --- helpers ---
    def _actor(self, uow, username: str) -> User:
        return lookup.actor(uow, username)

    def _load(self, uow, actor: str, case_ref: str | int,
              expected_version: int | None) -> tuple[User, Case, WorkflowEngine]:
        """The acting user, the case (refused if someone saved it since the caller read it), its engine."""
        user = self._actor(uow, actor)
        case = lookup.case_for(uow, user, case_ref)
        if expected_version is not None and expected_version != case.version:
            raise StaleVersionError(current=case.version, expected=expected_version)
        return user, case, self._engine(case)

    def _engine(self, case: Case) -> WorkflowEngine:
        engine = self.ctx.engines.get(case.workflow_id)
        if engine is None:
            raise DomainError(f"案件 {case.number} 的办理流程「{case.workflow_id}」未定义")
        spec = engine.spec
        if case.workflow_version != spec.version and case.state in spec.state_map:
            case.state = spec.state_map[case.state]  # a renamed state of an older definition
        return engine

    def _effective_date(self, uow, cases: list[Case], raw: dt.date | str | None) -> dt.date:
        """The day an action is recorded for: a real date, not in the future, and not before the
        last event of any case the action writes an event on (its history reads in date order)."""
        today = self.ctx.today()
        if raw is None:
            day = today
        elif isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
            day = raw
        else:
            problem = date_problem(raw)
            if problem:
                raise InputError(f"办理日期{problem}", "date")
            day = dt.date.fromisoformat(str(raw).strip())
        if day > today:
            raise InputError(f"办理日期 {day.isoformat()} 不能晚于今天 {today.isoformat()}", "date")
        for case in cases:
            if case.id is not None:
                uow.events.check_in_order(case.id, day)
        return day

    def _form_span(self, uow, case: Case, engine: WorkflowEngine, day: dt.date) -> DateSpan:
        """Where a date written on one of the case's forms now may fall: from the start of the
        current step (in the first step: from the application, for a 复核/变更/停保 case the
        application of the case it reviews) to the day the work is recorded for."""
        spec = engine.spec
        if case.state == spec.initial or case.state_entered_on is None:
            origin = uow.cases.get(case.parent_case_id) if case.parent_case_id else case
            what = "申请日期" if origin is case else f"原案件 {origin.number} 的申请日期"
            return DateSpan(origin.applied_on, what, day, "办理日期")
        label = spec.state(case.state).label
        return DateSpan(max(case.state_entered_on, case.applied_on), f"本环节（{label}）开始日期", day, "办理日期")

    def policy_for(self, uow, village_code: str, on: dt.date, programme: str):
        found = uow.policies.effective(lookup.area_chain(uow, village_code), on)
        if found is None:
            raise DomainError(f"地区 {village_code} 在 {on.isoformat()} 没有生效的政策参数，请管理员先设置")
        set_id, area_code, effective_from, params = found
        return set_id, area_code, effective_from, parse_policy(params, programme)

    # --- create ---
    def create_case(
        self,
        household_data: Mapping[str, Any],
        programme: str,
        actor: str,
        *,
        village_code: str | None = None,
        applied_on: dt.date | str | None = None,
        allow_duplicate: bool = False,
        comment: str = "",
        repeat_reason: str = "",
    ) -> CaseView:
        """Register an application (申请登记): the household, the case, its first audit event.

        Refused when a member is already in an open or covered case of the same programme (unless
        ``allow_duplicate``), and for 临时救助 when the household had a claim for the same cause this
        year (unless ``repeat_reason`` says why it is justified).
        """
        if not isinstance(programme, str) or programme not in PROGRAMMES:
            raise InputError(f"未知的救助项目「{shown(programme)}」（可选：{'、'.join(PROGRAMMES)}）",
                             "programme")
        comment = _comment(comment)
        repeat_reason = clean_text(repeat_reason, "repeat_reason", "重复救助理由", multiline=True)
        prog = REGISTRY[programme]
        household = parse_household(household_data, need_temporary=prog.claim)
        if prog.person_based and not any(m.applicant for m in household.members):
            household.head.applicant = True  # the head applies unless another member is marked
        if prog.person_based and sum(m.applicant for m in household.members) > 1:
            raise InputError(f"household.members: {prog.name}申请只能有一名申请人（applicant）", "household.members")
        self.ctx.engine_for_programme(programme)  # an unknown workflow is refused before anything is read
        with self.ctx.db.unit_of_work() as uow:
            user = self._actor(uow, actor)
            if not set(user.roles) & {"caseworker", "township_reviewer"}:
                raise DomainError(f"用户 {user.full_name} 无权登记申请，须由经办人或乡镇审核人办理")
            village = village_code or household.village_code
            if not village:
                raise InputError("household.village: 须指定申请人户籍所在村（社区）代码", "household.village")
            area = uow.areas.get(village)
            if area is None or area.level != "village":
                raise InputError(f"household.village: 没有村（社区）「{village}」", "household.village")
            lookup.check_village_scope(uow, user, village)
            household.village_code = village
            day = self._effective_date(uow, [], applied_on)
            if allow_duplicate and not comment.strip():
                raise InputError("重复申请须说明理由", "comment")
            case = self.register_in(
                uow, user, household, programme, day,
                comment=(comment or "登记申请") + (f"；重复救助理由：{repeat_reason}" if repeat_reason else ""),
                allow_duplicate=allow_duplicate, repeat_reason=repeat_reason,
            )
            return self._view(uow, case, user)

    def register_in(self, uow, user: User, household: Household, programme: str, day: dt.date, *,
                    comment: str, allow_duplicate: bool = False, repeat_reason: str = "") -> Case:
        """Register an application inside the caller's unit of work (a 大排查 problem opens one this
        way, with its own link in the same transaction): the duplicate and repeat-claim checks, the
        household, the case and its first event.

        One open application per person: the check and the insert after it run while this
        transaction holds the applications lock, so two clerks registering the same family at the
        same moment are served one after the other (the second is refused).
        """
        uow.locks.hold(f"new_application:{programme}")
        if not allow_duplicate:
            self._check_duplicates(uow, household, programme)
        if REGISTRY[programme].repeat_by_cause:
            self._check_repeat_claim(uow, household, day, repeat_reason, programme)
        return self.writer.open(uow, user, household, self.ctx.engine_for_programme(programme).spec, day,
                                comment=comment)

    def _check_duplicates(self, uow, household: Household, programme: str) -> None:
        prog = REGISTRY[programme]
        if prog.repeat_by_cause:
            return  # 临时救助 helps covered families too; repeats are checked by cause instead
        covered = roles.ending(self.ctx.engines, "approved", programmes=[programme])
        clashes = []
        for m in household.members:
            if m.excluded or (prog.person_based and not m.applicant):
                continue  # a person's benefit (特困, 两项补贴): only the applicant's own cases count
            for other in uow.cases.with_id_number(m.id_number, programme=programme, covered_states=covered):
                if prog.person_based and not self._applies(uow, other, m.id_number):
                    continue  # another member's case of the same family
                if other.closed and lifecycle.effective_status(other.benefit, self.ctx.today()) == "stopped":
                    continue  # a benefit that has stopped: the person may apply again
                clashes.append(f"{m.name}（{m.id_number}）已在案件 {other.number}（{self._state_label(other)}）中")
        if clashes:
            raise DomainError("重复申请：" + "；".join(clashes) + "。如确需另行办理，请加 --allow-duplicate 并说明理由")

    @staticmethod
    def _applies(uow, case: Case, id_number: str) -> bool:
        """Whether the person with this ID number is the one who applied in ``case``."""
        applicant = next((m for m in uow.households.get(case.household_id).members if m.applicant), None)
        return applicant is not None and applicant.id_number == id_number

    def _check_repeat_claim(self, uow, household: Household, day: dt.date, reason: str, programme: str) -> None:
        """One claim per cause per household per year, unless justified (临时救助, procedures.md §3)."""
        claim = household.temporary
        cause = (claim.cause or "").strip() if claim else ""
        if not cause:
            raise InputError("household.temporary.cause: 临时救助须写明救助事由（如：火灾、车祸、重病住院）",
                             "household.temporary.cause")
        earlier = []
        covered = roles.ending(self.ctx.engines, "approved", programmes=[programme])
        for m in household.members:
            for other in uow.cases.with_id_number(m.id_number, programme=programme, covered_states=covered):
                if other.applied_on.year != day.year or other.number in earlier:
                    continue
                old = uow.households.get(other.household_id).temporary
                if old and (old.cause or "").strip() == cause:
                    earlier.append(other.number)
        if earlier and not reason.strip():
            raise RepeatClaim(f"同一家庭同一事由（{cause}）本年度已申请临时救助（案件 {'、'.join(earlier)}），"
                              "原则上不再重复救助；确需再次救助的，请写明重复救助理由", earlier)

    def _state_label(self, case: Case) -> str:
        return lookup.state_label(self.ctx.engines, case.workflow_id, case.state)

    # --- advance ---
    def _context(self, uow, case: Case, user: User, engine: WorkflowEngine, t: TransitionSpec,
                 submitted: Mapping[str, Any], day: dt.date, history, household: Household | None = None
                 ) -> GuardContext:
        return GuardContext(
            case=case, actor=user, transition=t, workflow=engine.spec, forms=self.ctx.definitions.forms,
            submitted=submitted, effective_date=day, history=history,
            household=household or uow.households.get(case.household_id),
        )

    def _check_submitted(self, uow, engine: WorkflowEngine, case: Case, t: TransitionSpec,
                         data: Mapping[str, Any], day: dt.date) -> dict[str, dict[str, Any]]:
        """Validate the form data sent with an action (every date inside the case's span, see
        :meth:`_form_span`); return it normalised."""
        if not isinstance(data, Mapping):
            raise InputError("应为 JSON 对象，键为表单名", "data")
        allowed = set(t.forms) | set(engine.spec.state(case.state).forms)
        span = self._form_span(uow, case, engine, day)
        out: dict[str, dict[str, Any]] = {}
        for form_id, values in data.items():
            if not isinstance(form_id, str) or form_id not in allowed:
                names = "、".join(sorted(allowed)) or "无"
                raise InputError(f"data.{shown(form_id)}: 本步骤不填写此表单（可填写：{names}）", "data")
            if not isinstance(values, Mapping):
                raise InputError(f"data.{form_id}: 应为 JSON 对象", f"data.{form_id}")
            spec = self.ctx.definitions.forms[form_id]
            try:
                # Format and dates only; completeness is a guard.
                normalised = normalise_form(spec, values, span=span, recorded=case.forms.get(form_id) or {})
            except InputError as exc:
                name = exc.field or ""
                raise InputError(f"data.{form_id}.{name}: {exc.message}", f"data.{form_id}.{name}") from None
            out[form_id] = normalised
        return out

    def advance(
        self,
        case_ref: str | int,
        trigger: str,
        actor: str,
        *,
        data: Mapping[str, Any] | None = None,
        effective_date: dt.date | str | None = None,
        comment: str = "",
        expected_version: int | None = None,
    ) -> CaseView:
        """Fire one workflow trigger on a case, as one transaction with its audit event."""
        with self.ctx.db.unit_of_work() as uow:
            user, case, engine = self._load(uow, actor, case_ref, expected_version)
            case = self.advance_in(uow, user, case, engine, trigger, data=data, effective_date=effective_date,
                                   comment=comment)
            return self._view(uow, case, user)

    def advance_in(self, uow, user: User, case: Case, engine: WorkflowEngine, trigger: str, *,
                   data: Mapping[str, Any] | None = None, effective_date: dt.date | str | None = None,
                   comment: str = "") -> Case:
        """:meth:`advance` inside the caller's unit of work (a batch decides many cases in one, each
        in its own savepoint), on a case the caller loaded and checked; returns the case as saved."""
        if case.closed:
            raise RefusedError(f"案件 {case.number} 已办结（{self._state_label(case)}），不能再办理")
        t = engine.transition(case.state, trigger)
        comment = _comment(comment)
        day = self._effective_date(uow, [case], effective_date)
        submitted = self._check_submitted(uow, engine, case, t, {} if data is None else data, day)
        if t.reason_required and not comment.strip():
            raise InputError(f"办理「{t.label}」须写明理由", "comment")
        prog = REGISTRY[case.programme]
        for form_id in set(t.forms) & set(prog.approval_forms if prog.amount_editable else ()):
            if not case.proposal:
                continue
            # The approver confirms the computed amount unless they enter another one.
            submitted.setdefault(form_id, {})
            if not (case.forms.get(form_id) or {}).get("amount"):
                submitted[form_id].setdefault("amount", self._proposed_amount(case))
            self._check_amount_reasoned(case, submitted[form_id], comment)
        history = uow.events.list(case.id)
        household = uow.households.get(case.household_id)
        ctx = self._context(uow, case, user, engine, t, submitted, day, history, household)
        change = edit(case)
        from_state = case.state
        new_state = engine.fire(case.state, trigger, ctx)
        for form_id, values in submitted.items():
            case.forms[form_id] = {**(case.forms.get(form_id) or {}), **values}
        case.state = new_state
        if any((case.forms.get(f) or {}).get("staff_relative_declared") for f in case.forms):
            case.staff_relative = True  # 单独登记备案 (57号文 §11): the county must visit
        calendar = self.ctx.calendar(uow)
        set_deadlines(case, engine.spec, calendar, day)
        spec = engine.spec
        if spec.has_role(new_state, "computes_proposal"):
            case.proposal = self._proposal(uow, case, day)
        outcome = spec.outcome_of(new_state)
        if outcome == "approved" and prog.uses_status:
            self._check_status_unchanged(uow, case, day)
        self._record_decision(case, user, t, day, calendar, comment)
        granted = case.kind == "application" and outcome == "approved" and prog.monthly
        if granted:
            lifecycle.grant(case, household, day)
        elif case.kind != "application" and outcome in ("decided", "terminated"):
            lifecycle.apply_to_parent(self, uow, case, user, day)
        case.workflow_version = engine.spec.version
        data = dict(submitted)
        if trigger == POSTING_TRIGGER:  # what the 公示名单 prints, read from this event alone
            data[POSTED] = posted_values(case)
        case = self.writer.save(uow, change, user, trigger, day, from_state=from_state, comment=comment,
                                data=data)
        if granted:  # benefits that follow this one's coverage (两项补贴 after 特困), same transaction
            linkage.follow(self, uow, case, user, day, before=set())
        return case

    def save_forms(
        self,
        case_ref: str | int,
        actor: str,
        data: Mapping[str, Any],
        *,
        effective_date: dt.date | str | None = None,
        expected_version: int | None = None,
    ) -> CaseView:
        """Keep form data of the current step without moving the case (work done in parts).

        Values are checked for format; completeness is checked when the step is finished.
        Written with its own audit event, like every other change.
        """
        with self.ctx.db.unit_of_work() as uow:
            user, case, engine = self._load(uow, actor, case_ref, expected_version)
            if case.closed:
                raise RefusedError(f"案件 {case.number} 已办结（{self._state_label(case)}），不能再修改")
            outgoing = engine.spec.transitions_from(case.state)
            if not any(set(user.roles) & set(t.roles) for t in outgoing):
                raise RefusedError(f"用户 {user.full_name} 无权填写「{self._state_label(case)}」环节的表单")
            if not isinstance(data, Mapping):
                raise InputError("应为 JSON 对象，键为表单名", "data")
            if not data:
                raise InputError("没有要保存的表单内容", "data")
            day = self._effective_date(uow, [case], effective_date)
            state_forms = set(engine.spec.state(case.state).forms)
            for form_id in data:
                if not isinstance(form_id, str) or form_id not in state_forms:
                    names = "、".join(sorted(state_forms)) or "无"
                    raise InputError(f"data.{shown(form_id)}: 本环节不填写此表单（可填写：{names}）", "data")
            pseudo = TransitionSpec("save_forms", (case.state,), case.state, "保存表单", (), forms=tuple(data))
            submitted = self._check_submitted(uow, engine, case, pseudo, data, day)
            change = edit(case)
            for form_id, values in submitted.items():
                case.forms[form_id] = {**(case.forms.get(form_id) or {}), **values}
            if not change.changes()[0]:
                raise InputError("表单内容与已保存的相同，没有需要保存的修改（未记录）", "data")
            case = self.writer.save(uow, change, user, "save_forms", day, comment="保存表单",
                                    data=submitted)
            return self._view(uow, case, user)

    def _check_amount_reasoned(self, case: Case, approval: Mapping[str, Any], comment: str) -> None:
        """An approved amount other than the computed one needs a written reason."""
        from decimal import Decimal, InvalidOperation

        try:
            given = Decimal(str(approval.get("amount")))
            computed = Decimal(str(self._proposed_amount(case)))
        except (InvalidOperation, TypeError):
            return
        if given != computed and not (str(approval.get("comment") or "").strip() or comment.strip()):
            raise InputError(
                f"data.approval.comment: 确认金额 {given} 元与测算金额 {computed} 元不一致，须在审批意见中说明理由",
                "data.approval.comment",
            )

    def update_household(self, case_ref: str | int, actor: str, household_data: Mapping[str, Any], *,
                         effective_date: dt.date | str | None = None, comment: str = "",
                         expected_version: int | None = None) -> CaseView:
        """Correct the household (members, income, expenses, assets) before the 初审 proposal.

        Investigation often finds what the application missed; the change is audited field by
        field and the proposal is computed from the corrected household when 初审 begins.
        """
        with self.ctx.db.unit_of_work() as uow:
            user, case, engine = self._load(uow, actor, case_ref, expected_version)
            if not engine.spec.has_role(case.state, "household_editable"):
                raise RefusedError(f"案件处于「{self._state_label(case)}」，家庭情况只能在受理前或调查中修改；"
                                   "如需修改请先退回重新调查")
            if not set(user.roles) & {"caseworker", "township_reviewer"}:
                raise RefusedError(f"用户 {user.full_name} 无权修改家庭情况，须由经办人或乡镇审核人办理")
            comment = _comment(comment)
            if not comment:
                raise InputError("修改家庭情况须写明原因", "comment")
            day = self._effective_date(uow, [case], effective_date)
            new = parse_household(household_data, need_temporary=REGISTRY[case.programme].claim)
            old = uow.households.get(case.household_id)
            new.id = old.id
            new.village_code = old.village_code
            before, after = household_to_dict(old), household_to_dict(new)
            if before == after:  # amounts compared as numbers: both sides are written "7418.60"
                raise InputError("household: 家庭情况与已登记的相同，没有需要保存的修改（未记录）", "household")
            uow.households.replace(new)
            change = edit(case)
            case.staff_relative = any(m.staff_relative for m in new.members)
            case = self.writer.save(
                uow, change, user, "update_household", day, comment=comment,
                changes={f"household.{k}": v for k, v in diff(flat(before), flat(after)).items()},
                data={"household": after})
            return self._view(uow, case, user)

    def extend_deadline(self, case_ref: str | int, actor: str, reason: str, *, comment: str = "",
                        effective_date: dt.date | str | None = None,
                        expected_version: int | None = None) -> CaseView:
        """Extend the whole procedure to its extended limit (低保 45 WD, §22; 民发〔2022〕 §4(1))."""
        comment = _comment(comment)
        if not isinstance(reason, str) or reason not in EXTENSION_REASONS:
            options = "、".join(f"{k}（{v}）" for k, v in EXTENSION_REASONS.items())
            raise InputError(f"延期理由只能是：{options}", "reason")
        with self.ctx.db.unit_of_work() as uow:
            user, case, engine = self._load(uow, actor, case_ref, expected_version)
            spec = engine.spec
            if "township_reviewer" not in user.roles and "county_approver" not in user.roles:
                raise RefusedError(f"用户 {user.full_name} 无权延长办理期限，须由乡镇审核人或县级审批人办理")
            if case.closed or case.accepted_on is None:
                raise RefusedError("只有已受理、尚未办结的案件可以延长办理期限")
            if not spec.extended_limit_wd or case.county_delegated:
                raise RefusedError(f"「{spec.title}」{'乡镇审批的' if case.county_delegated else ''}案件没有延长期限的规定")
            calendar = self.ctx.calendar(uow)
            extended = calendar.add_working_days(case.accepted_on, spec.extended_limit_wd)
            if case.total_deadline and case.total_deadline >= extended:
                raise RefusedError(f"办理期限已延长至 {case.total_deadline.isoformat()}，不能再延长")
            day = self._effective_date(uow, [case], effective_date)
            change = edit(case)
            case.total_deadline = extended
            case = self.writer.save(
                uow, change, user, "extend_deadline", day, data={"reason": reason},
                comment=f"{EXTENSION_REASONS[reason]}" + (f"：{comment}" if comment else ""))
            return self._view(uow, case, user)

    def _proposed_amount(self, case: Case) -> str:
        return amount_of(case.programme, case.proposal) or "0"  # monthly or one-off: domain/programmes.py

    def _proposal(self, uow, case: Case, day: dt.date) -> dict[str, Any]:
        household = self._household_for_decision(case, uow.households.get(case.household_id))
        set_id, area_code, effective_from, policy = self.policy_for(uow, case.village_code, day, case.programme)
        status = None
        if REGISTRY[case.programme].uses_status:
            status = self._status(uow, case, household, day)
        result = decide(case.programme, household, policy, day, status).to_contract()
        result["decision_date"] = day.isoformat()
        result["policy_set"] = {"id": set_id, "area": area_code, "effective_from": effective_from.isoformat()}
        if status is not None:  # what was in force, as read from the database (never typed in)
            result["status"] = status.to_dict()
            result["status_text"] = describe_status(status, [m.name for m in household.members])
        return result

    def _status(self, uow, case: Case, household: Household, day: dt.date):
        """The family's 低保/特困 status in the month the decision takes effect (the month after it),
        from the benefits in force (services/coverage.py)."""
        starts = dt.date.fromisoformat(month_after(day) + "-01")
        return coverage.status_for(self.ctx, uow, household, starts)

    def _check_status_unchanged(self, uow, case: Case, day: dt.date) -> None:
        """A decision made with the family's status is refused when that status changed since the
        computation (a 低保 stopped, a 特困 began): the township looks at the case again."""
        household = self._household_for_decision(case, uow.households.get(case.household_id))
        now = self._status(uow, case, household, day).to_dict()
        then = (case.proposal or {}).get("status")
        if then is not None and then != now:
            from ..domain.coverage import parse_status

            names = [m.name for m in household.members]
            raise RefusedError(
                f"测算后本人或家庭的低保、特困在保状态已变化（测算时：{(case.proposal or {}).get('status_text')}；"
                f"现在：{describe_status(parse_status(now, len(names)), names)}），请退回重新审核后再审批")

    @staticmethod
    def _household_for_decision(case: Case, household: Household) -> Household:
        """What the forms established overrides the application (the programme's ``from_forms``:
        the 特困 supporter declaration and self-care assessment, the 残疾人证 as checked …)."""
        hook = REGISTRY[case.programme].from_forms
        return hook(household, case.forms) if hook else household

    def _record_decision(self, case: Case, user: User, t: TransitionSpec, day: dt.date,
                         calendar: WorkingCalendar, comment: str) -> None:
        prog = REGISTRY[case.programme]
        outcome = self.ctx.engines[case.workflow_id].spec.outcome_of(case.state)
        if outcome == "approved":
            approval = next((case.forms[f] for f in prog.approval_forms if case.forms.get(f)), {})
            proposal = case.proposal or {}
            amount = _amount_text(approval.get("amount") or self._proposed_amount(case))
            case.decision = {
                "result": "approved",
                "computed_amount": self._proposed_amount(case),
                "covered": proposal.get("covered", []),
                "basis": proposal.get("basis"),
                "decided_by": user.username,
                "decided_on": day.isoformat(),
                "policy_set": proposal.get("policy_set"),
                "comment": approval.get("comment") or comment,
            }
            if not prog.monthly:
                first_aid = case.forms.get("first_aid") or {}
                case.decision |= {"amount": amount, "approval_level": proposal.get("approval_level"),
                                  "first_aid_amount": first_aid.get("amount"),
                                  "form_of_help": approval.get("form_of_help")}
            else:
                case.decision |= {"monthly_amount": amount, "start_month": month_after(day),
                                  "review_interval_months": proposal.get("review_interval_months")
                                  or prog.review_months}
                if prog.parts:  # each allowance as decided (两项补贴)
                    case.decision["parts"] = parts_of(prog.code, proposal)
                if "tekun_care_level" in proposal:  # a person supported with a care level (特困)
                    supply = case.forms.get("supply_arrangement") or {}
                    case.decision |= {"care_level": proposal.get("tekun_care_level"),
                                      "supply_mode": supply.get("mode"),
                                      "spot_checked": bool(approval.get("spot_checked"))}
        elif outcome == "refused":
            refusal = case.forms.get("refusal") or {}
            case.decision = {
                "result": "refused",
                "reasons": refusal.get("reasons", ""),
                "rule": refusal.get("rule", ""),
                "decided_by": user.username,
                "decided_on": day.isoformat(),
                "notice_due": calendar.add_working_days(day, 3).isoformat(),
            }
        elif outcome in ABANDONED:
            form = case.forms.get("not_accepted") or {}
            case.decision = {
                "result": outcome,
                "reasons": form.get("reasons") or comment,
                "decided_by": user.username,
                "decided_on": day.isoformat(),
            }

    def _pending_completion(self, case: Case, history) -> list[str]:
        """After 先行救助: what must still be completed before the case may close."""
        if "first_aid" not in case.forms or case.closed:
            return []
        forms = self.ctx.definitions.forms
        pending = []
        for form_id, label in (("verification", "家庭经济状况信息核对"), ("home_visit", "入户调查")):
            data = case.forms.get(form_id)
            if not data or validate_form(forms[form_id], data):
                pending.append(label)
        triggers = [e.trigger for e in history]
        posted = "post_notice" in triggers
        posting_done = posted and any(t.startswith("submit_") for t in triggers[triggers.index("post_notice"):])
        if not posting_done:
            pending.append("公示")
        pending.append("审批")
        return pending

    # --- show ---
    def show(self, case_ref: str | int, actor: str | None = None) -> CaseView:
        with self.ctx.db.unit_of_work() as uow:
            user = self._actor(uow, actor) if actor else None
            case = lookup.case_for(uow, user, case_ref)
            return self._view(uow, case, user)

    def _view(self, uow, case: Case, user: User | None) -> CaseView:
        engine = self._engine(case)
        spec = engine.spec
        calendar = self.ctx.calendar(uow)
        today = self.ctx.today()
        household = uow.households.get(case.household_id)
        history = uow.events.list(case.id)
        state = spec.state(case.state)

        def days_left(deadline: dt.date | None) -> int | None:
            return calendar.working_days_between(today, deadline) if deadline else None

        triggers = []
        if user is not None and not case.closed:
            for opt in engine.options(
                case.state,
                lambda t: self._context(uow, case, user, engine, t, {}, today, history, household),
            ):
                triggers.append(trigger_view(spec, opt))
        labels = {s.name: s.label for s in spec.states}
        action_labels = trigger_labels(spec)
        users = {u.username: u.full_name for u in uow.users.all()}
        head = household.head
        village = uow.areas.get(case.village_code)
        return CaseView(
            id=case.id,
            number=case.number,
            programme=case.programme,
            programme_label=PROGRAMMES.get(case.programme, case.programme),
            workflow=WorkflowRef(id=spec.id, version=case.workflow_version, title=spec.title),
            state=case.state,
            state_label=state.label,
            closed=case.closed,
            version=case.version,
            village=case.village_code,
            village_name=village.name if village else case.village_code,
            household=HouseholdSummary(
                id=household.id,
                head=head.name,
                members=len(household.members),
                members_counted=len(household.counted_indexes()),
                address=household.address,
            ),
            applied_on=case.applied_on.isoformat(),
            accepted_on=case.accepted_on.isoformat() if case.accepted_on else None,
            county_delegated=case.county_delegated,
            staff_relative=case.staff_relative,
            deadline=Deadlines(
                state=case.state_deadline.isoformat() if case.state_deadline else None,
                state_working_days_left=days_left(case.state_deadline)
                if state.time_limit_wd is not None else None,
                state_calendar_days_left=(case.state_deadline - today).days
                if case.state_deadline and state.time_limit_days is not None else None,
                total=case.total_deadline.isoformat() if case.total_deadline and not case.closed else None,
                total_working_days_left=days_left(case.total_deadline) if not case.closed else None,
                calendar_covers_year=calendar.covers(today.year),
            ),
            available_triggers=triggers,
            pending_completion=self._pending_completion(case, history),
            proposal=case.proposal,
            proposal_failed_labels=[failure_label(case.programme, f)
                                    for f in (case.proposal or {}).get("failed", [])],
            proposal_flag_labels=[FLAG_LABELS.get(f, f) for f in (case.proposal or {}).get("flags", [])],
            decision=case.decision,
            decision_label=_decision_label(case.decision),
            decided_by_name=users.get((case.decision or {}).get("decided_by"),
                                      (case.decision or {}).get("decided_by")),
            kind=case.kind,
            kind_label=WORKFLOW_KINDS.get(case.kind, case.kind),
            parent_case=(uow.cases.get(case.parent_case_id).number if case.parent_case_id else None),
            parent_case_id=case.parent_case_id,
            benefit=(case.benefit | {"status_today": lifecycle.effective_status(case.benefit, today)}
                     if case.benefit else None),
            next_review_on=case.next_review_on.isoformat() if case.next_review_on else None,
            related_cases=[
                RelatedCase(id=c.id, number=c.number, kind=c.kind, kind_label=WORKFLOW_KINDS.get(c.kind, c.kind),
                            workflow_id=c.workflow_id, state=c.state, state_label=self._state_label(c),
                            closed=c.closed)
                for c in uow.cases.children(case.id)
            ],
            forms=case.forms,
            history=[
                HistoryEntry(
                    seq=e.seq,
                    recorded_at=e.recorded_at.isoformat(sep=" "),
                    effective_date=e.effective_date.isoformat(),
                    actor=e.actor,
                    actor_name=users.get(e.actor, e.actor),
                    trigger=e.trigger,
                    action=action_labels.get(e.trigger, e.trigger),
                    from_state=e.from_state,
                    from_label=labels.get(e.from_state) if e.from_state else None,
                    to_state=e.to_state,
                    to_label=labels.get(e.to_state, e.to_state),
                    comment=e.comment,
                    changes=e.changes,
                )
                for e in history
            ],
        )


def trigger_labels(spec) -> dict[str, str]:
    """What each event of a case's workflow is called in its 办理记录 (the transitions' labels and
    the steps every workflow shares); the audit log names case events the same way."""
    return {t.trigger: t.label for t in spec.transitions} | {
        "create": "登记申请", "save_forms": "保存表单", "update_household": "修改家庭情况",
        "extend_deadline": "延长办理期限", "payment_account": "更正发放账户"}


def _decision_label(decision: Mapping[str, Any] | None) -> str | None:
    """The decision's result in words (确认, 不予确认, 增发, 停发 …)."""
    if not decision:
        return None
    result = decision.get("result")
    return RESULTS.get(result) or lifecycle.RESULTS.get(result) or decision.get("result_label") or "其他"


def _comment(comment: Any) -> str:
    """The free text a person writes with an action (--comment), checked like every other text."""
    return clean_text(comment, "comment", "说明", multiline=True, named=False)


def role_labels(roles: tuple[str, ...]) -> str:
    return "、".join(ROLES.get(r, r) for r in roles)
