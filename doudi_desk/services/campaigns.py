"""大排查 campaigns (reports.md §3): create a campaign, choose its target households by rule,
assign villages to staff, record each household's check, raise problems and follow them
待整改 → 整改中 → 已整改, open a case from a problem (应保未保 → a new application; 错保 → a 停保
case), see progress per village, and print the seed's two tables.

Every change is one transaction with its audit event (an office event naming the campaign). A
case opened from a problem is created with the case services' own helpers in the same transaction
as the problem's link to it, so neither exists without the other.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from ..domain.campaigns import (
    DEFAULT_PHASES,
    PROBLEM_COLUMNS,
    PROBLEM_KINDS,
    PROBLEM_STATES,
    RULES,
    TOPICS,
    SummaryUnit,
    next_problem_state,
    parse_check,
    parse_phases,
    parse_rules,
    problem_rows,
    summary_table,
)
from ..domain.errors import DomainError, InputError
from ..domain.model import User
from ..domain.programmes import DEFAULT, REGISTRY
from ..domain.report_tables import Table
from . import lookup, roles
from .context import AppContext
from .ledger_books import families_of, head_of
from .lifecycle import effective_status

MANAGER_ROLES = {"township_reviewer", "county_approver"}  # create campaigns, assign, confirm 已整改
STAFF_ROLES = {"caseworker", "township_reviewer", "county_approver"}
SEVERE_TYPES = ("intellectual", "mental")


def _severe(m: Mapping[str, Any]) -> bool:
    grade = m.get("disability_grade")
    return bool(m.get("disability_type")) and grade is not None and (
        grade in (1, 2) or (grade == 3 and m["disability_type"] in SEVERE_TYPES))


class CampaignService:
    """Holds no session; every method is one unit of work."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx

    # --- helpers ---
    def _user(self, uow, actor: str, roles: set[str] = STAFF_ROLES, what: str = "参与大排查") -> User:
        user = lookup.actor(uow, actor)
        if not set(user.roles) & roles:
            raise DomainError(f"用户 {user.full_name} 无权{what}")
        return user

    def _campaign(self, uow, user: User, campaign_id: int) -> dict[str, Any]:
        campaign = uow.campaigns.get(int(campaign_id))
        if campaign is None:
            raise InputError(f"没有编号为 {campaign_id} 的排查活动", "campaign")
        if not (lookup.in_scope(uow, user, campaign["area_code"]) or
                (user.area_code and campaign["area_code"] in lookup.area_chain(uow, user.area_code))):
            raise DomainError(f"排查活动「{campaign['name']}」不在用户 {user.full_name} 的辖区内")
        return campaign

    def _audit(self, uow, user: User, action: str, campaign: Mapping[str, Any], comment: str, **data: Any) -> None:
        uow.events.append_office(user.username, action, self.ctx.now(), subject=f"大排查#{campaign['id']}",
                                 comment=f"{campaign['name']}：{comment}", data={"campaign": campaign["id"], **data})

    def _villages(self, uow, area_code: str) -> list:
        area = uow.areas.get(area_code)
        return [area] if area.level == "village" else uow.areas.children(area_code, level="village")

    # --- create ---
    def create(self, name: str, doc_number: str, area_code: str, actor: str, *,
               phases: Sequence[Mapping[str, Any]] | None = None, rules: Sequence[str] = tuple(RULES)) -> dict[str, Any]:
        """A campaign over an area (a township or the county) and its target households, chosen now
        by ``rules`` among the families the office has cases for."""
        if not str(name).strip():
            raise InputError("name: 排查活动须有名称", "name")
        rules = parse_rules(rules)
        today = self.ctx.today()
        phases = parse_phases(phases or [
            {"name": n, "start_on": today + dt.timedelta(days=30 * i), "end_on": today + dt.timedelta(days=30 * i + 29)}
            for i, n in enumerate(DEFAULT_PHASES)])
        flags = self._flags(area_code, rules)
        with self.ctx.db.unit_of_work() as uow:
            user = self._user(uow, actor, MANAGER_ROLES, "组织大排查（须为乡镇审核人或县级审批人）")
            area = uow.areas.get(area_code)
            if area is None or area.level == "village":
                raise InputError(f"排查范围应为乡镇或县（区），没有「{area_code}」", "area")
            if area.level != "county":
                lookup.check_village_scope(uow, user, area_code)
            elif user.area_code:
                raise DomainError(f"用户 {user.full_name} 不能组织全县范围的排查")
            targets = self._targets(uow, area_code, rules, flags)
            campaign_id = uow.campaigns.add({
                "name": name.strip(), "doc_number": (doc_number or "").strip(), "area_code": area_code,
                "rules": rules, "status": "open", "created_by": user.username, "created_at": self.ctx.now()}, phases)
            uow.campaigns.add_targets(campaign_id, targets)
            campaign = uow.campaigns.get(campaign_id)
            self._audit(uow, user, "campaign_created", campaign,
                        f"建立排查活动（{doc_number or '无文号'}），排查对象 {len(targets)} 户",
                        area=area_code, rules=rules, targets=len(targets),
                        phases=[{**p, "start_on": p["start_on"].isoformat(), "end_on": p["end_on"].isoformat()}
                                for p in phases])
            return self._summary(uow, campaign)

    def _flags(self, area_code: str, rules: Sequence[str]) -> dict[str, set[str]]:
        """Case number → monitoring flags (低保边缘, 刚性支出困难, 防返贫监测) when a rule asks for them."""
        wanted = {"edge_family", "rigid_expense_hardship", "monitoring_alert"} & set(rules)
        if not wanted:
            return {}
        from .monitoring import household_flags

        with self.ctx.db.unit_of_work() as uow:
            villages = [v.code for v in self._villages(uow, area_code)] if uow.areas.get(area_code) else []
        return {r["case"]: set(r["flags"]) & wanted for r in household_flags(self.ctx, villages=villages)}

    def _targets(self, uow, area_code: str, rules: Sequence[str], flags: Mapping[str, set[str]]) -> list[dict[str, Any]]:
        villages = [v.code for v in self._villages(uow, area_code)]
        cases = uow.ledgers.cases(villages)
        roots = [c for c in cases if c["parent_case_id"] is None]
        families = families_of(cases, uow.ledgers.members([c["household_id"] for c in roots]))
        latest = {k: max(g["all"], key=lambda c: c["id"]) for k, g in families.items()}
        members = uow.ledgers.members([c["household_id"] for c in latest.values()])
        today = self.ctx.today()
        year_ago = (today - dt.timedelta(days=365)).isoformat()
        out = []
        for key, g in families.items():
            reasons, anchor = [], None
            for c in g["cases"]:
                d = c["decision"] or {}
                prog = REGISTRY.get(c["programme"])
                approved = roles.outcome(self.ctx.engines, c["workflow_id"], c["state"]) == "approved"
                if not (prog and approved):
                    continue
                # 低保、特困在保: the programmes whose coverage is the family's status (domain/programmes.py)
                if ("benefit" in rules and prog.covers and c["benefit"]
                        and effective_status(c["benefit"], today) != "stopped"):
                    reasons.append("benefit")
                    anchor = anchor or c
                if "temporary" in rules and not prog.monthly and (d.get("decided_on") or "") >= year_ago:
                    reasons.append("temporary")
            for c in g["all"]:
                reasons.extend(sorted(flags.get(c["number"], ())))
            people = members.get(latest[key]["household_id"], [])
            if "severe_disability" in rules and any(_severe(m) for m in people if not m["excluded"]):
                reasons.append("severe_disability")
            reasons = list(dict.fromkeys(reasons))
            if not reasons:
                continue
            anchor = anchor or g["cases"][-1]
            out.append({"family_key": key, "household_id": latest[key]["household_id"], "case_id": anchor["id"],
                        "village_code": anchor["village"], "head_name": head_of(people or [g["head"]])["name"],
                        "members": len([m for m in people if not m["excluded"]]), "reasons": reasons})
        return sorted(out, key=lambda t: (t["village_code"], t["head_name"]))

    # --- reading ---
    def campaigns(self, actor: str) -> list[dict[str, Any]]:
        """The campaigns a user may see (their area's and those above it)."""
        with self.ctx.db.unit_of_work() as uow:
            user = self._user(uow, actor)
            out = []
            for c in uow.campaigns.all():
                if lookup.in_scope(uow, user, c["area_code"]) or (
                        user.area_code and c["area_code"] in lookup.area_chain(uow, user.area_code)):
                    out.append(self._summary(uow, uow.campaigns.get(c["id"])))
            return out

    def show(self, campaign_id: int, actor: str) -> dict[str, Any]:
        """A campaign with its progress per village, targets and problems."""
        with self.ctx.db.unit_of_work() as uow:
            user = self._user(uow, actor)
            campaign = self._campaign(uow, user, campaign_id)
            names = {a.code: a.name for a in uow.areas.all()}
            users = {u.username: u.full_name for u in uow.users.all()}
            assigned = uow.campaigns.assignments(campaign["id"])
            progress = uow.campaigns.progress(campaign["id"])
            villages = [v for v in self._villages(uow, campaign["area_code"]) if lookup.in_scope(uow, user, v.code)]
            rows = []
            for v in villages:
                p = progress.get(v.code, {"targets": 0, "checked": 0, "open": 0, "fixed": 0})
                rows.append({"village": v.code, "village_name": v.name, **p,
                             "assigned": assigned.get(v.code), "assigned_name": users.get(assigned.get(v.code, ""), "")})
            inside = {v.code for v in villages}
            targets = [t | {"village_name": names.get(t["village_code"], t["village_code"]),
                            "reason_labels": [RULES[r] for r in t["reasons"]],
                            "checked": t["check"] is not None}
                       for t in uow.campaigns.targets(campaign["id"]) if t["village_code"] in inside]
            problems = [self._problem_view(p, names, users, targets)
                        for p in uow.campaigns.problems(campaign["id"]) if p["village_code"] in inside]
            total = {k: sum(r[k] for r in rows) for k in ("targets", "checked", "open", "fixed")}
            return self._summary(uow, campaign) | {"progress": rows, "total": total, "targets": targets,
                                                   "problems": problems}

    def _summary(self, uow, campaign: Mapping[str, Any]) -> dict[str, Any]:
        area = uow.areas.get(campaign["area_code"])
        return {"id": campaign["id"], "name": campaign["name"], "doc_number": campaign["doc_number"],
                "area": campaign["area_code"], "area_name": area.name if area else campaign["area_code"],
                "status": campaign["status"], "rules": campaign["rules"],
                "rule_labels": [RULES.get(r, r) for r in campaign["rules"]],
                "phases": [{"name": p["name"], "start_on": p["start_on"].isoformat(), "end_on": p["end_on"].isoformat()}
                           for p in campaign.get("phases", [])],
                "created_by": campaign["created_by"]}

    @staticmethod
    def _problem_view(p, names, users, targets) -> dict[str, Any]:
        target = next((t for t in targets if t["id"] == p["target_id"]), None)
        return p | {"state_label": PROBLEM_STATES[p["state"]], "kind_label": PROBLEM_KINDS.get(p["kind"], p["kind"]),
                    "village_name": names.get(p["village_code"], p["village_code"]),
                    "head": target["head_name"] if target else "",
                    "confirmed_by_name": users.get(p["confirmed_by"] or "", p["confirmed_by"] or ""),
                    "deadline_text": p["deadline"].isoformat() if p["deadline"] else "",
                    "fixed_on_text": p["fixed_on"].isoformat() if p["fixed_on"] else ""}

    # --- assignments and checks ---
    def assign(self, campaign_id: int, village: str, username: str, actor: str) -> dict[str, Any]:
        """A member of staff checks the target households of a village."""
        with self.ctx.db.unit_of_work() as uow:
            user = self._user(uow, actor, MANAGER_ROLES, "分配排查任务（须为乡镇审核人或县级审批人）")
            campaign = self._campaign(uow, user, campaign_id)
            if village not in {v.code for v in self._villages(uow, campaign["area_code"])}:
                raise InputError(f"「{village}」不在排查范围内", "village")
            lookup.check_village_scope(uow, user, village)
            staff = uow.users.get(username)
            if staff is None or not staff.active or not set(staff.roles) & STAFF_ROLES:
                raise InputError(f"没有可承担排查的在用工作人员「{username}」", "user")
            if not lookup.in_scope(uow, staff, village):
                raise DomainError(f"{staff.full_name} 的辖区不包括该村（社区）")
            before = uow.campaigns.assign(campaign["id"], village, username)
            self._audit(uow, user, "campaign_assigned", campaign, f"{uow.areas.get(village).name} 由 {staff.full_name} 排查",
                        village=village, before=before, after=username)
            return {"village": village, "username": username, "before": before}

    def record_check(self, target_id: int, items: Mapping[str, Any], actor: str, *, checked_by: str = "",
                     checked_on: str | dt.date | None = None, note: str = "") -> dict[str, Any]:
        """The check of one target household (again: replaces the earlier one, audited with both)."""
        normalised = parse_check(items)
        day = self._day(checked_on, "checked_on")
        with self.ctx.db.unit_of_work() as uow:
            user = self._user(uow, actor, STAFF_ROLES, "登记入户核查")
            target = uow.campaigns.target(int(target_id))
            if target is None:
                raise InputError(f"target: 没有编号为 {target_id} 的排查对象", "target")
            campaign = self._campaign(uow, user, target["campaign_id"])
            self._open(campaign)
            lookup.check_village_scope(uow, user, target["village_code"])
            before = copy.deepcopy(target["check"])
            uow.campaigns.save_check(target["id"], {
                "checked_by": (checked_by or user.full_name).strip(), "checked_on": day, "items": normalised,
                "note": note.strip(), "recorded_by": user.username, "recorded_at": self.ctx.now()})
            changes = {k: {"before": (before or {}).get("items", {}).get(k), "after": v}
                       for k, v in normalised.items() if (before or {}).get("items", {}).get(k) != v}
            self._audit(uow, user, "campaign_check", campaign,
                        f"{'更新' if before else '登记'}入户核查：{target['head_name']}（{day.isoformat()}）",
                        target=target["id"], changes=changes)
            return uow.campaigns.target(target["id"])

    def _day(self, raw, name: str) -> dt.date:
        if raw in (None, ""):
            return self.ctx.today()
        try:
            day = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))
        except ValueError:
            raise InputError(f"{name}: 日期应为 YYYY-MM-DD，现为「{raw}」", name) from None
        if day > self.ctx.today():
            raise InputError(f"{name}: 日期 {day.isoformat()} 不能晚于今天", name)
        return day

    @staticmethod
    def _open(campaign: Mapping[str, Any]) -> None:
        if campaign["status"] != "open":
            raise DomainError(f"排查活动「{campaign['name']}」已结束，不能再登记")

    # --- problems ---
    def raise_problem(self, campaign_id: int, actor: str, *, finding: str, topic: str = "社会保障",
                      kind: str = "other", target_id: int | None = None, village: str | None = None,
                      task: str | None = None, responsible: str = "", measures: str = "",
                      deadline: str | dt.date | None = None) -> dict[str, Any]:
        """A problem found in the campaign (核查问题清单), 待整改."""
        if kind not in PROBLEM_KINDS:
            raise InputError(f"kind: 问题类型只能是 {'、'.join(f'{k}（{v}）' for k, v in PROBLEM_KINDS.items())}", "kind")
        if not str(finding or "").strip():
            raise InputError("finding: 须写明发现的问题", "finding")
        if not str(topic or "").strip():
            raise InputError("topic: 须写明主要内容（如 社会保障、防贫监测）", "topic")
        due = None
        if deadline not in (None, ""):
            try:
                due = deadline if isinstance(deadline, dt.date) else dt.date.fromisoformat(str(deadline))
            except ValueError:
                raise InputError(f"deadline: 完成时限应为 YYYY-MM-DD，现为「{deadline}」", "deadline") from None
        with self.ctx.db.unit_of_work() as uow:
            user = self._user(uow, actor, STAFF_ROLES, "登记排查问题")
            campaign = self._campaign(uow, user, campaign_id)
            self._open(campaign)
            target = None
            if target_id is not None:
                target = uow.campaigns.target(int(target_id))
                if target is None or target["campaign_id"] != campaign["id"]:
                    raise InputError(f"target: 本次排查没有编号为 {target_id} 的排查对象", "target")
                village = target["village_code"]
            if kind in ("missed", "wrongly_covered") and target is None:
                raise InputError("target: 应保未保、错保问题须指明排查对象家庭", "target")
            if not village or village not in {v.code for v in self._villages(uow, campaign["area_code"])}:
                raise InputError(f"village: 「{village or ''}」不在排查范围内", "village")
            lookup.check_village_scope(uow, user, village)
            problem_id = uow.campaigns.add_problem({
                "campaign_id": campaign["id"], "target_id": target["id"] if target else None, "village_code": village,
                "kind": kind, "topic": topic.strip(), "task": (task if task is not None else TOPICS.get(topic.strip(), "")),
                "responsible": responsible.strip() or (uow.areas.get(campaign["area_code"]).name + "民政办"),
                "finding": finding.strip(), "measures": measures.strip(), "outcome": "", "deadline": due,
                "state": "pending", "fixed_on": None, "confirmed_by": None, "case_id": None,
                "created_by": user.username, "created_at": self.ctx.now()})
            self._audit(uow, user, "campaign_problem", campaign,
                        f"登记问题#{problem_id}（{PROBLEM_KINDS[kind]}）：{finding.strip()}", problem=problem_id,
                        target=target["id"] if target else None, kind=kind)
            return uow.campaigns.problem(problem_id)

    def advance_problem(self, problem_id: int, state: str, actor: str, *, expected_version: int | None = None,
                        measures: str | None = None, outcome: str | None = None,
                        fixed_on: str | dt.date | None = None) -> dict[str, Any]:
        """待整改 → 整改中 (with the measures) → 已整改 (with the result, the date, and who confirmed it:
        a township reviewer or the county)."""
        if state not in PROBLEM_STATES:
            raise InputError(f"state: 只能是 {'、'.join(f'{k}（{v}）' for k, v in PROBLEM_STATES.items())}", "state")
        with self.ctx.db.unit_of_work() as uow:
            roles = MANAGER_ROLES if state == "fixed" else STAFF_ROLES
            user = self._user(uow, actor, roles, "确认整改完成（须为乡镇审核人或县级审批人）" if state == "fixed"
                              else "办理整改")
            problem = self._problem(uow, problem_id)
            campaign = self._campaign(uow, user, problem["campaign_id"])
            lookup.check_village_scope(uow, user, problem["village_code"])
            version = expected_version if expected_version is not None else problem["version"]
            new = next_problem_state(problem["state"], state)
            values: dict[str, Any] = {"state": new}
            if measures is not None:
                values["measures"] = measures.strip()
            if outcome is not None:
                values["outcome"] = outcome.strip()
            if new == "in_progress" and not (values.get("measures") or problem["measures"]):
                raise InputError("measures: 开始整改须写明整改措施", "measures")
            if new == "fixed":
                if not (values.get("outcome") or problem["outcome"]):
                    raise InputError("outcome: 确认整改完成须写明整改成效", "outcome")
                values["fixed_on"] = self._day(fixed_on, "fixed_on")
                values["confirmed_by"] = user.username
            uow.campaigns.update_problem(problem["id"], version, values)
            self._audit(uow, user, "campaign_problem_state", campaign,
                        f"问题#{problem['id']}：{PROBLEM_STATES[problem['state']]} → {PROBLEM_STATES[new]}",
                        problem=problem["id"], before=problem["state"], after=new,
                        **{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items() if k != "state"})
            return uow.campaigns.problem(problem["id"])

    def _problem(self, uow, problem_id: int) -> dict[str, Any]:
        problem = uow.campaigns.problem(int(problem_id))
        if problem is None:
            raise InputError(f"problem: 没有编号为 {problem_id} 的问题", "problem")
        return problem

    def open_case(self, problem_id: int, actor: str, *, programme: str = DEFAULT, reason: str = "other",
                  effective_date: str | dt.date | None = None) -> dict[str, Any]:
        """From a problem: 应保未保 → a new application for the family (``programme``); 错保 → a 停保 case
        on the family's benefit. The case and the problem's link to it are written together; the problem
        moves to 整改中."""
        from ..domain.forms import normalise_form, validate_form
        from .cases import CaseService
        from .lifecycle import LifecycleService

        cases = CaseService(self.ctx)
        life = LifecycleService(cases)
        with self.ctx.db.unit_of_work() as uow:
            user = self._user(uow, actor, {"caseworker", "township_reviewer"}, "开立案件（须为经办人或乡镇审核人）")
            problem = self._problem(uow, problem_id)
            campaign = self._campaign(uow, user, problem["campaign_id"])
            self._open(campaign)
            if problem["case_id"] is not None:
                raise DomainError(f"问题#{problem['id']} 已开立案件")
            if problem["kind"] not in ("missed", "wrongly_covered"):
                raise DomainError("只有应保未保、错保问题可以开立案件")
            target = uow.campaigns.target(problem["target_id"])
            lookup.check_village_scope(uow, user, target["village_code"])
            note = f"大排查「{campaign['name']}」问题#{problem['id']}：{problem['finding']}"
            if problem["kind"] == "missed":
                household = copy.deepcopy(uow.households.get(target["household_id"]))
                household.id = None
                household.temporary = None
                household.village_code = target["village_code"]
                day = cases._effective_date(uow, [], effective_date)
                case = cases.register_in(uow, user, household, programme, day, comment=f"依职权登记申请（{note}）")
            else:
                spec = self.ctx.definitions.forms["termination"]
                data = {"reason": reason, "reasons": f"{note}"}
                problems = validate_form(spec, data)
                if problems:
                    name, msg = next(iter(problems.items()))
                    raise InputError(f"{name}: {msg}", name)
                case = life.terminate_in(uow, user, target["case_id"], normalise_form(spec, data), effective_date,
                                         note=note)
            values: dict[str, Any] = {"case_id": case.id}
            if problem["state"] == "pending":
                values |= {"state": "in_progress",
                           "measures": problem["measures"] or f"开立案件 {case.number} 依程序办理"}
            uow.campaigns.update_problem(problem["id"], problem["version"], values)
            self._audit(uow, user, "campaign_case_opened", campaign,
                        f"问题#{problem['id']}（{PROBLEM_KINDS[problem['kind']]}）开立案件 {case.number}",
                        problem=problem["id"], case=case.number)
            return {"problem": uow.campaigns.problem(problem["id"]), "case_id": case.id, "case": case.number}

    def close(self, campaign_id: int, actor: str) -> dict[str, Any]:
        """End a campaign: no more checks or problems (its tables still print)."""
        with self.ctx.db.unit_of_work() as uow:
            user = self._user(uow, actor, MANAGER_ROLES, "结束排查活动")
            campaign = self._campaign(uow, user, campaign_id)
            self._open(campaign)
            uow.campaigns.set_status(campaign["id"], "closed")
            self._audit(uow, user, "campaign_closed", campaign, "结束排查活动")
            return self._summary(uow, uow.campaigns.get(campaign["id"]))

    # --- the seed's tables ---
    def tables(self, campaign_id: int, actor: str) -> tuple[dict[str, Any], Table, Table]:
        """The 排查情况统计表 (rows per township, or per village in a township's campaign) and the
        核查问题清单."""
        view = self.show(campaign_id, actor)
        with self.ctx.db.unit_of_work() as uow:
            area = uow.areas.get(view["area"])
            villages = self._villages(uow, view["area"])
            if area.level == "county":
                units = [(t.code, t.name, {v.code for v in villages if v.parent_code == t.code})
                         for t in uow.areas.children(area.code, level="township")]
                label = "镇名"
            else:
                units = [(v.code, v.name, {v.code}) for v in villages]
                label = "村（社区）"
        by_village: dict[str, list] = defaultdict(list)
        for t in view["targets"]:
            if t["check"]:
                by_village[t["village_code"]].append((t["check"]["items"], t["members"]))
        summary = summary_table(f"{view['area_name']}“大排查大整改大提升”排查情况统计表", label,
                                [SummaryUnit(code, name, tuple(c for v in codes for c in by_village.get(v, [])))
                                 for code, name, codes in units])
        problems = Table("campaign_problems", f"{view['area_name']}“大排查大整改大提升”核查问题清单", PROBLEM_COLUMNS,
                         problem_rows(view["problems"]), sheet="核查问题清单")
        return view, summary, problems

    def export(self, campaign_id: int, table: str, path: str, actor: str) -> str:
        """``summary`` (排查情况统计表) or ``problems`` (核查问题清单) to .xlsx or .pdf."""
        from ..exchange.report_xlsx import write_workbook
        from .reports_print import campaign_pdf, file_kind, write_output

        if table not in ("summary", "problems"):
            raise InputError("只能是 summary（排查情况统计表）或 problems（核查问题清单）", "table")
        kind = file_kind(path)
        view, summary, problems = self.tables(campaign_id, actor)
        chosen = summary if table == "summary" else problems
        with self.ctx.db.unit_of_work() as uow:
            name = lookup.actor(uow, actor).full_name
        subtitle = f"{view['name']}　{view['doc_number']}　　制表日期：{self.ctx.today().isoformat()}"
        write_output(path, kind, lambda p: write_workbook(p, [chosen], title="", subtitle=subtitle),
                     lambda: campaign_pdf(self.ctx, view, chosen, name))
        return str(path)
