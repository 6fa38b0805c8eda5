"""The life of a benefit after approval (procedures.md §1.9, §2; policy.md §9).

An approved 低保 or 特困 case carries a *benefit record*: its status, the monthly amount, who is
covered, when the next 复核 is due and, once decided, the month it was phased out or stopped. Reviews
(复核), reported changes (变更) and terminations (停保) are cases of their own that point at that
case; when they are decided, their result is written to the benefit record in the same transaction,
with an audit event on both cases.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Collection
from decimal import Decimal
from typing import Any, Protocol

from ..domain.errors import DomainError, InputError
from ..domain.forms import DateSpan, normalise_form, validate_form
from ..domain.household import parse_member
from ..domain.model import Case, Household, IncomeItem, User, Vehicle
from ..domain.money import to_amount, to_bool
from ..domain.policy import parse_policy
from ..domain.programmes import REGISTRY, parts_of
from ..domain.specs import BENEFIT_KINDS
from ..domain.text import clean_text, name_problem, shown
from . import lookup, roles
from .case_writer import CaseWriter, edit
from .context import AppContext
from .views import CaseView

RESULTS = {"raise": "增发", "lower": "减发", "keep": "维持", "phase_out": "渐退", "stop": "停发"}
STATUSES = {"active": "在保", "phasing_out": "渐退期", "stopped": "已停保"}
CHANGE_TYPES = ("birth", "death", "moved_in", "moved_out", "new_job", "vehicle", "property", "other")


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: str, n: int) -> str:
    """'2026-11' + 6 -> '2027-05'."""
    year, mon = (int(x) for x in month.split("-"))
    total = year * 12 + (mon - 1) + n
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_after(day: dt.date) -> str:
    """Payment starts the month after approval (policy.md §5)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return f"{year:04d}-{month:02d}"


def effective_status(benefit: dict[str, Any] | None, on: dt.date) -> str | None:
    """Status on a date: a phase-out ends by itself after its last month."""
    if not benefit:
        return None
    status = benefit.get("status")
    if status == "phasing_out" and benefit.get("phase_out_until") and month_of(on) > benefit["phase_out_until"]:
        return "stopped"
    if status == "stopped" and benefit.get("stopped_from") and month_of(on) < benefit["stopped_from"]:
        return "active"  # decided, but still paid until the end of this month
    return status


def latest_determination(uow, parent: Case) -> Case:
    """The case whose household was last determined: the latest decided 复核 or 变更 (a closed one
    whose decision was written to the benefit, services/lifecycle.py ``apply_to_parent``), else the
    parent."""
    latest = parent
    for other in uow.cases.children(parent.id):
        if other.kind in ("review", "change") and other.closed and (other.decision or {}).get("result") in RESULTS:
            latest = other
    return latest


def wage_income(household: Household) -> Decimal:
    return sum((i.amount for i in household.income
                if i.type == "wage" and (i.member is None or not household.members[i.member].excluded)),
               Decimal(0))


def _review_date(start_month: str, interval: int | None) -> dt.date | None:
    if not interval:
        return None
    return dt.date.fromisoformat(add_months(start_month, interval) + "-01")


def grant(case: Case, household: Household, decided_on: dt.date) -> None:
    """On approval of a 低保 or 特困 application: open the benefit record."""
    d = case.decision or {}
    start = d.get("start_month")
    case.benefit = {
        "status": "active",
        "monthly_amount": d.get("monthly_amount"),
        "covered": d.get("covered", []),
        "since_month": start,
        "review_interval_months": d.get("review_interval_months"),
        "wage_income": str(wage_income(household)),
        "phase_out_until": None,
        "stopped_from": None,
        "history": [{"month": start, "amount": d.get("monthly_amount"), "result": "approved",
                     "case": case.number, "decided_on": decided_on.isoformat()}],
    }
    if "parts" in d:  # paid as several allowances: each one, so one can stop alone (两项补贴)
        case.benefit["parts"] = dict(d["parts"])
        case.benefit["history"][0]["parts"] = dict(d["parts"])
    case.next_review_on = _review_date(start, d.get("review_interval_months"))


class CaseDesk(Protocol):
    """What the benefit's cases need of the case service (services/cases.py ``CaseService``, passed
    in: that module decides 复核/变更/停保 with :func:`apply_to_parent`, so this one never imports it)."""

    ctx: AppContext
    writer: CaseWriter

    def _effective_date(self, uow, cases: list[Case], raw: dt.date | str | None) -> dt.date: ...

    def _view(self, uow, case: Case, user: User | None) -> dict[str, Any]: ...

    def _household_for_decision(self, case: Case, household: Household) -> Household: ...


class LifecycleService:
    """Start reviews, changes and terminations; list due reviews and benefits in payment."""

    def __init__(self, cases: CaseDesk):
        self.cases = cases
        self.ctx = cases.ctx
        self.writer = cases.writer

    # --- queries ---
    def due_reviews(self, month: str | None = None, village: str | None = None,
                    villages: Collection[str] | None = None) -> list[dict[str, Any]]:
        """Benefits whose 复核 falls in a month (default: this month), overdue ones included;
        ``villages`` limits the list to a user's area."""
        today = self.ctx.today()
        month = month or month_of(today)
        try:
            end = dt.date.fromisoformat(add_months(month, 1) + "-01")
        except ValueError:
            raise InputError(f"应为 YYYY-MM，现为 {month}", "month") from None
        rows = []
        with self.ctx.db.unit_of_work() as uow:
            for case in uow.cases.query(workflow_states=self._approved(), village_code=village):
                if case.next_review_on is None or case.next_review_on >= end:
                    continue
                if villages is not None and case.village_code not in villages:
                    continue
                if effective_status(case.benefit, today) == "stopped":
                    continue
                open_review = [c for c in uow.cases.children(case.id, open_only=True) if c.kind == "review"]
                household = uow.households.get(case.household_id)
                rows.append({
                    "case": case.number, "id": case.id, "programme": case.programme, "head": household.head.name,
                    "village": case.village_code, "next_review_on": case.next_review_on.isoformat(),
                    "overdue": case.next_review_on < month_start(today),
                    "monthly_amount": (case.benefit or {}).get("monthly_amount"),
                    "status": effective_status(case.benefit, today),
                    "review_case": open_review[0].number if open_review else None,
                })
        return sorted(rows, key=lambda r: (r["next_review_on"], r["case"]))

    def benefits(self, village: str | None = None, status: str | None = None,
                 villages: Collection[str] | None = None) -> list[dict[str, Any]]:
        """Approved 低保 / 特困 cases with their benefit status today (``villages``: a user's area)."""
        today = self.ctx.today()
        rows = []
        with self.ctx.db.unit_of_work() as uow:
            for case in uow.cases.query(workflow_states=self._approved(), village_code=village):
                if not case.benefit or (villages is not None and case.village_code not in villages):
                    continue
                now = effective_status(case.benefit, today)
                if status and now != status:
                    continue
                b = case.benefit
                rows.append({"case": case.number, "id": case.id, "programme": case.programme,
                             "head": uow.households.get(case.household_id).head.name, "village": case.village_code,
                             "status": now, "status_label": STATUSES.get(now, now),
                             "monthly_amount": b.get("monthly_amount"), "phase_out_until": b.get("phase_out_until"),
                             "stopped_from": b.get("stopped_from"),
                             "next_review_on": case.next_review_on.isoformat() if case.next_review_on else None})
        return rows

    def _approved(self) -> dict[str, list[str]]:
        """Applications that ended approved, in every workflow (state roles: ``outcome``)."""
        return roles.ending(self.ctx.engines, "approved")

    # --- starting cases ---
    def _parent(self, uow, user: User, ref: str | int) -> Case:
        """The benefit's case, locked for this transaction: one open 复核, 变更 or 停保 at a time.

        The row lock is taken before the check for open cases, so of two clerks starting one at
        the same moment the second waits, then sees the first one's case and is refused.
        """
        parent = lookup.case_for(uow, user, ref)
        uow.cases.lock(parent.id)
        parent = uow.cases.get(parent.id)  # as it is now that no one else can start a case on it
        if (parent.kind not in BENEFIT_KINDS or roles.case_outcome(self.ctx.engines, parent) != "approved"
                or not parent.benefit):
            raise DomainError(f"案件 {parent.number} 不是在保的按月发放案件（低保、特困、两项补贴等）")
        if effective_status(parent.benefit, self.ctx.today()) == "stopped":
            raise DomainError(f"案件 {parent.number} 已停保")
        for other in uow.cases.children(parent.id, open_only=True):
            raise DomainError(f"案件 {parent.number} 已有未办结的{other.number}，请先办结")
        return parent

    def _current_household(self, uow, parent: Case) -> Household:
        """The household as last determined: from the latest decided review or change, else the parent."""
        household = copy.deepcopy(uow.households.get(latest_determination(uow, parent).household_id))
        household.id = None
        return self.cases._household_for_decision(parent, household)

    def start_review(self, parent_ref: str | int, actor: str, *, effective_date=None,
                     comment: str = "") -> CaseView:
        comment = _comment(comment)
        with self.ctx.db.unit_of_work() as uow:
            user = self._staff(uow, actor)
            parent = self._parent(uow, user, parent_ref)
            day = self.cases._effective_date(uow, [parent], effective_date)
            engine = self.ctx.engine_for_programme(parent.programme, "review")
            case = self.writer.open(uow, user, self._current_household(uow, parent), engine.spec, day,
                                    comment=comment or f"对 {parent.number} 开展复核", parent=parent)
            self.writer.note(uow, parent, user, day, "review_started", f"开始复核：{case.number}")
            return self.cases._view(uow, case, user)

    def start_change(self, parent_ref: str | int, actor: str, change: dict[str, Any], *, effective_date=None,
                     comment: str = "") -> CaseView:
        """Open a change case with the change applied to the household; a death or move of the only
        covered person opens a termination instead (procedures.md §1.9)."""
        if not isinstance(change, dict):
            raise InputError("change: 应为 JSON 对象（change_type、change_date、member …）", "change")
        kind = change.get("change_type")
        if not isinstance(kind, str) or kind not in CHANGE_TYPES:
            raise InputError(f"change.change_type: 只能是 {'、'.join(CHANGE_TYPES)}", "change.change_type")
        comment = _comment(comment)
        with self.ctx.db.unit_of_work() as uow:
            user = self._staff(uow, actor)
            parent = self._parent(uow, user, parent_ref)
            day = self.cases._effective_date(uow, [parent], effective_date)
            household = self._current_household(uow, parent)
            # The report is the change case's first form: checked like every form, its date
            # between the application of the benefit's case and the day the change is recorded.
            raw = {"change_type": kind, "change_date": change.get("change_date"),
                   "reported_by": change.get("reported_by", "family"),
                   "detail": change.get("detail") or RESULTS.get(kind, kind)}
            span = DateSpan(parent.applied_on, f"原案件 {parent.number} 的申请日期", day, "办理日期")
            try:
                report = normalise_form(self.ctx.definitions.forms["change_report"], raw, span=span)
            except InputError as exc:
                raise InputError(f"change.{exc.field}: {exc.message}", f"change.{exc.field}") from None
            for key in ("change_date", "detail"):
                if not report.get(key):
                    raise InputError(f"change.{key}: 缺少此项", f"change.{key}")
            happened = dt.date.fromisoformat(report["change_date"])
            leaving = self._apply_change(household, change)
            covered_names = {parent_member["name"] for parent_member in self._covered_members(uow, parent)}
            remaining = covered_names - {leaving} if leaving else covered_names
            if leaving and covered_names and not remaining:  # covered names unknown (imported): a change
                engine = self.ctx.engine_for_programme(parent.programme, "termination")
                reason = "death" if kind == "death" else "moved"
                forms = {"termination": {"reason": reason,
                                         "reasons": f"唯一保障对象{leaving}{'死亡' if kind == 'death' else '迁出'}"
                                                    f"（{happened.isoformat()}）：{report['detail']}"}}
                case = self.writer.open(uow, user, household if household.members else
                                        self._current_household(uow, parent), engine.spec, day,
                                        comment=comment or "唯一保障对象死亡或迁出，提出停保", parent=parent,
                                        forms=forms)
            else:
                engine = self.ctx.engine_for_programme(parent.programme, "change")
                deadline = None
                if kind == "death":  # adjustment finished within three months (民发〔2022〕 §1(3))
                    deadline = dt.date.fromisoformat(add_months(month_of(happened), 3) + f"-{min(happened.day, 28):02d}")
                case = self.writer.open(uow, user, household, engine.spec, day,
                                        comment=comment or f"家庭情况变化：{report['detail']}", parent=parent,
                                        forms={"change_report": report}, total_deadline=deadline)
            self.writer.note(uow, parent, user, day, f"{case.kind}_started", f"{case.number}：{report['detail']}")
            return self.cases._view(uow, case, user)

    def start_termination(self, parent_ref: str | int, actor: str, reason: str, reasons: str, *,
                          rule: str = "", effective_date=None) -> CaseView:
        spec = self.ctx.definitions.forms["termination"]
        data = {"reason": reason, "reasons": reasons} | ({"rule": rule} if rule else {})
        problems = validate_form(spec, data)
        if problems:
            name, msg = next(iter(problems.items()))
            raise InputError(f"{name}: {msg}", name)
        form = normalise_form(spec, data)
        with self.ctx.db.unit_of_work() as uow:
            user = self._staff(uow, actor)
            case = self.terminate_in(uow, user, parent_ref, form, effective_date)
            return self.cases._view(uow, case, user)

    def terminate_in(self, uow, user: User, parent_ref: str | int, form: dict[str, Any], effective_date=None, *,
                     note: str = "") -> Case:
        """Open a 停保 case on a benefit inside the caller's unit of work (a 大排查 problem of 错保 opens
        one this way): the benefit's row lock, the date order on both cases, the note on the benefit."""
        parent = self._parent(uow, user, parent_ref)
        day = self.cases._effective_date(uow, [parent], effective_date)
        engine = self.ctx.engine_for_programme(parent.programme, "termination")
        case = self.writer.open(uow, user, self._current_household(uow, parent), engine.spec, day,
                                comment=f"提出停保：{note or form['reasons']}", parent=parent,
                                forms={"termination": form})
        self.writer.note(uow, parent, user, day, "termination_started",
                         f"提出停保：{case.number}" + (f"（{note}）" if note else ""))
        return case

    def _staff(self, uow, actor: str) -> User:
        user = lookup.actor(uow, actor)
        if not set(user.roles) & {"caseworker", "township_reviewer"}:
            raise DomainError(f"用户 {user.full_name} 无权登记复核、变更或停保，须由经办人或乡镇审核人办理")
        return user

    def _covered_members(self, uow, parent: Case) -> list[dict[str, Any]]:
        household = uow.households.get(parent.household_id)
        covered = (parent.benefit or {}).get("covered", [])
        return [{"name": household.members[i].name} for i in covered if i < len(household.members)]

    @staticmethod
    def _apply_change(household: Household, change: dict[str, Any]) -> str | None:
        """Apply a reported change to the household copy; return the name of a member who left."""
        kind = change["change_type"]
        if kind in ("death", "moved_out"):
            name, index = _member_named(household, change.get("member"))
            del household.members[index]

            def keep(items):
                out = []
                for item in items:
                    if item.member == index:
                        continue  # the person's own income and costs leave with them
                    if item.member is not None and item.member > index:
                        item = type(item)(**{**item.__dict__, "member": item.member - 1})
                    out.append(item)
                return out

            household.income = keep(household.income)
            household.rigid_expenses = keep(household.rigid_expenses)
            return name
        if kind in ("birth", "moved_in"):
            raw = change.get("new_member")
            if not isinstance(raw, dict):
                raise InputError("change.new_member: 须填写新成员（姓名、身份证号码、关系）", "change.new_member")
            household.members.append(parse_member(raw, "change.new_member"))
        elif kind == "new_job":
            _name, index = _member_named(household, change.get("member"))
            amount = to_amount(change.get("amount"), "change.amount")
            household.income.append(IncomeItem("wage", amount, index, "新增就业"))
        elif kind == "vehicle":
            household.assets.vehicles.append(Vehicle(to_bool(change.get("disability_vehicle"),
                                                             "change.disability_vehicle")))
        elif kind == "property":
            household.assets.homes += 1
        return None


def _comment(comment: Any) -> str:
    return clean_text(comment, "comment", "说明", multiline=True, named=False)


def _member_named(household: Household, raw: Any) -> tuple[str, int]:
    """The member a change is about, by name as written (normalised like every entered name)."""
    problem, name = name_problem(raw)
    index = None if problem else next((i for i, m in enumerate(household.members) if m.name == name), None)
    if index is None:
        raise InputError(f"change.member: 家庭中没有成员「{shown(raw)}」", "change.member")
    return name, index


def outcome(case: Case, parent: Case, household: Household, policy_phase_out_months: int,
            amount_given: Any) -> dict[str, Any]:
    """What a decided review or change does to the benefit (policy.md §5, §9)."""
    proposal = case.proposal or {}
    benefit = parent.benefit or {}
    current = Decimal(str(benefit.get("monthly_amount") or 0))
    if proposal.get("eligible"):
        new = Decimal(str(amount_given if amount_given not in (None, "") else proposal.get("monthly_amount", 0)))
        result = "raise" if new > current else "lower" if new < current else "keep"
        return {"result": result, "monthly_amount": _whole(new), "previous_amount": _whole(current),
                "covered": proposal.get("covered", []),
                "review_interval_months": proposal.get("review_interval_months")}
    work_income_rose = wage_income(household) > Decimal(str(benefit.get("wage_income") or 0))
    only_income = proposal.get("failed") == ["income_over_standard"]
    if (only_income and work_income_rose and policy_phase_out_months > 0
            and benefit.get("status") == "active"):
        return {"result": "phase_out", "monthly_amount": _whole(current), "previous_amount": _whole(current),
                "phase_out_months": policy_phase_out_months}
    return {"result": "stop", "monthly_amount": "0", "previous_amount": _whole(current)}


def _whole(value: Decimal) -> str:
    return f"{value.quantize(Decimal(1))}" if value == value.to_integral_value() else f"{value:f}"


def apply_to_parent(service: CaseDesk, uow, case: Case, user: User, day: dt.date) -> None:
    """Write a decided review/change/termination to the benefit record of its parent case."""
    from .coverage import covered_ids
    from .linkage import follow

    parent = uow.cases.get(case.parent_case_id)
    prog = REGISTRY[parent.programme]
    covered_before = covered_ids(uow, parent)
    change = edit(parent, whole_benefit=True)
    benefit = copy.deepcopy(parent.benefit or {})
    start = month_after(day)
    if case.kind == "termination":
        result = {"result": "stop", "monthly_amount": "0",
                  "previous_amount": benefit.get("monthly_amount"),
                  "reasons": (case.forms.get("termination") or {}).get("reasons", "")}
    else:
        household = uow.households.get(case.household_id)
        found = uow.policies.effective(lookup.area_chain(uow, case.village_code), day)
        months = parse_policy(found[3], case.programme).phase_out_months if found else 0
        form_id = next((f for f in prog.approval_forms if case.forms.get(f)), "review_decision")
        form = case.forms.get(form_id) or {}
        result = outcome(case, parent, household, months, form.get("amount") if prog.amount_editable else None)
        if prog.parts and result["result"] != "stop":  # each allowance as now computed
            result["parts"] = parts_of(prog.code, case.proposal)
        result["reasons"] = form.get("reasons", "")
        if result["result"] in ("lower", "stop", "phase_out") and not str(result["reasons"]).strip():
            label = RESULTS[result["result"]]
            raise InputError(f"data.{form_id}.reasons: 本次结果为{label}，须书面说明理由", f"data.{form_id}.reasons")
        if result["result"] != "stop":
            benefit["wage_income"] = str(wage_income(household))
    result["effective_month"] = start
    res = result["result"]
    if case.kind == "review":  # a review investigates income and assets and fixes who is covered
        for key in ("pending", "pending_labels"):
            benefit.pop(key, None)
    if res == "stop":
        benefit.update(status="stopped", stopped_from=start)
        parent.next_review_on = None
    elif res == "phase_out":
        until = add_months(start, result["phase_out_months"] - 1)
        benefit.update(status="phasing_out", phase_out_until=until)
        result["phase_out_until"] = until
        parent.next_review_on = None
    else:
        interval = result.get("review_interval_months") or prog.review_months
        benefit.update(status="active", monthly_amount=result["monthly_amount"], covered=result.get("covered", []),
                       review_interval_months=interval)
        if "parts" in result:
            benefit["parts"] = dict(result["parts"])
            stops = {k: v for k, v in (benefit.get("part_stops") or {}).items()
                     if str(result["parts"].get(k, "0")) in ("0", "")}  # a part granted again is paid again
            benefit["part_stops"] = stops
        parent.next_review_on = _review_date(start, interval)
    entry = {"month": start, "amount": result["monthly_amount"], "result": res, "case": case.number,
             "decided_on": day.isoformat()} | ({"until": result["phase_out_until"]} if res == "phase_out" else {})
    if prog.parts:
        entry["parts"] = dict(benefit.get("parts") or {}) if res != "stop" else \
            {k: "0" for k in (benefit.get("parts") or {})}
    benefit.setdefault("history", []).append(entry)
    parent.benefit = benefit
    case.decision = {"result": res, "result_label": RESULTS[res], "decided_by": user.username,
                     "decided_on": day.isoformat(), "parent_case": parent.number} | result
    parent = service.writer.save(
        uow, change, user, f"benefit_{res}", day,
        comment=f"{case.number}：{RESULTS[res]}，自 {start} 起" + (f"；理由：{result['reasons']}"
                                                                   if result.get("reasons") else ""))
    # Benefits that follow this one's coverage (两项补贴 after 低保): in this same transaction. The
    # decided 复核/变更 is saved after this, so who it covers is read from its own household here.
    after = None
    if res not in ("stop", "phase_out") and case.kind != "termination":
        household = uow.households.get(case.household_id)
        after = {household.members[i].id_number for i in result.get("covered") or []
                 if isinstance(i, int) and 0 <= i < len(household.members)}
    follow(service, uow, parent, user, day, before=covered_before, after=after)

