"""Read-only queries for the window: the paged case list (tabs, filters, search, sort), the
supervisor queue, the duplicate check, a preview of which actions the page's form data would allow,
and the lists behind log-in and settings. Every call is one short read transaction; results are
plain JSON-ready values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..domain.calendar import WorkingCalendar
from ..domain.errors import DomainError
from ..domain.guards import GuardContext
from ..domain.ids import id_problem
from ..domain.model import (
    AREA_LEVELS,
    DISABILITY_TYPES,
    EXCLUSIONS,
    EXPENSE_KINDS,
    INCOME_TYPES,
    RELATIONS,
    User,
)
from ..domain.privacy import mask_bank_account, mask_id_number, sees_full_ids
from ..domain.programmes import PROGRAMMES, REGISTRY, amount_of
from ..domain.specs import ROLES, WORKFLOW_KINDS, TransitionSpec, WorkflowSpec
from . import lookup, roles
from .context import AppContext
from .views import CaseRow, QueueRow, TriggerView, trigger_view

TABS: dict[str, str] = {
    "todo": "待办",
    "all": "全部案件",
    "approval": "待审批",
    "posting": "公示中",
    "overdue": "已逾期",
}
# Member facts of 两项补贴 the household view names (policy.md §10).
MEMBER_SUPPORT = {"long_term_care": "需长期照护", "orphan_support": "孤儿基本生活保障", "work_injury_care": "工伤保险生活护理费"}
# The steps each tab lists, by the role they play in their workflow (workflows/*.yaml ``roles``).
TAB_ROLES = {"approval": "awaiting_decision", "posting": "posting"}
SORT_KEYS = ("number", "head", "village", "programme", "state", "applied_on", "deadline")
# What "approve" and "return" mean in the supervisor queue: the workflow's own transition of one of
# these names, wherever a step offers it to the user's role (发布初审公示 after 初审; the decision
# 确认 / 认定 / 审批同意; 退回重新调查). Which form each needs comes from the workflow (batch.py).
BATCH_APPROVE: tuple[str, ...] = ("post_notice", "approve")
BATCH_RETURN = "return_case"
KIND_SHORT = {k: v[:2] for k, v in WORKFLOW_KINDS.items() if k != "application"}  # 复核 变更 停保


def batch_transition(spec: WorkflowSpec, state: str, roles: Sequence[str] = ()) -> TransitionSpec | None:
    """The transition a batch approval fires from ``state`` (for one of ``roles``, if given).
    Only applications are batch-decided; a 复核, 变更 or 停保 is decided on its case page."""
    if spec.kind != "application":
        return None
    for trigger in BATCH_APPROVE:
        t = spec.transition(state, trigger)
        if t is not None and (not roles or set(roles) & set(t.roles)):
            return t
    return None


@dataclass(frozen=True)
class CaseQuery:
    """What the case list shows: a tab, filters, one search text and a sort order."""

    tab: str = "all"
    programme: str | None = None
    state: str | None = None
    village: str | None = None
    deadline: str | None = None  # None | "overdue" | "soon" (due within 3 working days)
    outcome: str | None = None  # cases ended this way (approved: 在保 or paid), whatever their state is called
    search: str = ""
    sort: str = "number"
    descending: bool = False


def queue_states(spec: WorkflowSpec, roles: Sequence[str]) -> list[str]:
    """The steps of one workflow that put a case in this user's 审批队列: an application the user
    approves in a batch, or a 复核/变更/停保 the user decides (shown, decided on its case page)."""
    out = []
    for s in spec.states:
        if batch_transition(spec, s.name, roles) is not None:
            out.append(s.name)
        elif spec.kind != "application" and any(
                set(roles) & set(t.roles) and spec.state(t.dest).final and not t.reason_required
                for t in spec.transitions_from(s.name)):
            out.append(s.name)
    return out


def _is_main(t: TransitionSpec) -> bool:
    """An action that makes a case someone's to-do. 申请人撤回 can be done from almost every step,
    so it does not make every open case a to-do of every caseworker."""
    return not (t.reason_required and len(t.source) > 2)


def todo_states(spec: WorkflowSpec, roles: Sequence[str]) -> list[str]:
    states = []
    for s in spec.states:
        if any(_is_main(t) and set(roles) & set(t.roles) for t in spec.transitions_from(s.name)):
            states.append(s.name)
    return states


def _in_tab(f: Mapping[str, Any], workflow: str, state: str, closed: bool) -> bool:
    """Whether cases of this (workflow, state, closed) group pass a tab's filters other than the
    deadline (:meth:`QueryService._filters`: the same conditions the list's SQL applies)."""
    if f.get("states") is not None and state not in f["states"]:
        return False
    if f.get("workflow_states") is not None and state not in f["workflow_states"].get(workflow, ()):
        return False
    return not (f.get("open_only") and closed)


def _total(uow, first_page: list[Any], cursor: Any, filters: dict[str, Any]) -> int:
    """How many cases the filters find, known from the first page when it holds them all."""
    return len(first_page) if cursor is None else uow.listing.count(**filters)


class QueryService:
    """Queries of the window. Holds no session; each method is one unit of work."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        # Each user's scope, worked out once and kept while it holds (the window's queries run on a
        # worker thread; an entry is replaced whole, never changed in place): area code -> (number of
        # areas then, the villages under it) — areas are only ever added. (The calendar is kept by
        # AppContext.calendar.)
        self._scopes: dict[str, tuple[int, list[str] | None]] = {}

    # --- helpers -------------------------------------------------------------------------
    def _user(self, uow, username: str) -> User:
        return self._viewer(uow, username)[0]

    def _viewer(self, uow, username: str) -> tuple[User, list[str] | None]:
        """The active user and the villages the user works on (:meth:`_scope`), in one statement
        while the areas are those the scope was worked out from."""
        user, areas = uow.listing.viewer(username)
        if user is None:
            raise DomainError(f"没有用户「{username}」")
        if not user.active:
            raise DomainError(f"用户「{username}」已停用")
        return user, self._scope(uow, user, areas)

    def _scope(self, uow, user: User, areas: int | None = None) -> list[str] | None:
        """Villages a user works on: those under the user's area; None means all (no filter).

        A county user of a database holding one county reaches every village: no filter at all,
        rather than ``village_code IN (360 villages)``, which makes the database scan. Kept per area
        while the number of areas (``areas``, else counted) is the same: areas are only added."""
        if not user.area_code:
            return None
        if areas is None:
            areas = uow.listing.area_count()
        known = self._scopes.get(user.area_code)
        if known is not None and known[0] == areas:
            return known[1]
        with self.ctx.db.unit_of_work() as own:  # the list reads without an ORM session (Database.reads)
            villages = own.areas.villages_under(user.area_code)
        self._scopes[user.area_code] = (areas, villages)
        return villages

    def _check_scope(self, uow, user: User, village_code: str | None) -> None:
        """Refuse a case outside the villages the user works on (another township's families)."""
        scope = self._scope(uow, user)
        if scope is not None and village_code not in scope:
            raise DomainError(f"用户 {user.full_name} 只能查看本辖区的案件")

    def _specs(self) -> list[WorkflowSpec]:
        return [e.spec for e in self.ctx.engines.values()]

    def _state_order(self) -> list[str]:
        seen: list[str] = []
        for spec in self._specs():
            for s in spec.states:
                if s.name not in seen:
                    seen.append(s.name)
        return seen

    def _filters(self, user: User, query: CaseQuery, calendar: WorkingCalendar,
                 scope: list[str] | None) -> dict[str, Any]:
        """The list's filters for ``query``, ``scope`` being the user's villages (:meth:`_viewer`)."""
        today = self.ctx.today()
        f: dict[str, Any] = {"villages": scope, "programme": query.programme,
                             "village": query.village, "search": query.search}
        steps: dict[str, list[str]] | None = None
        if query.tab == "todo":
            # per workflow: state names repeat across workflows (a 停保's 县级决定 may be withdrawn by
            # the township; an application's 县级审核确认 is not the township's to-do)
            steps = {spec.id: todo for spec in self._specs() if (todo := todo_states(spec, user.roles))}
            f["open_only"] = True
        elif query.tab in TAB_ROLES:
            steps = roles.with_role(self.ctx.engines, TAB_ROLES[query.tab])
            f["open_only"] = True
        elif query.tab == "overdue":
            f["deadline_before"] = today
        if query.outcome:
            steps = roles.intersect(steps, roles.ending(self.ctx.engines, query.outcome))
        f["workflow_states"] = steps
        f["states"] = [query.state] if query.state else None
        if query.deadline == "overdue":
            f["deadline_before"] = today
        elif query.deadline == "soon":
            f["deadline_before"] = calendar.add_working_days(today, 4)  # due within 3 working days
        return f

    # --- the case list ---------------------------------------------------------------------
    def case_ids(self, actor: str, query: CaseQuery) -> list[int]:
        """Ids of the cases of a tab, filtered, searched and sorted (every one of them: exports;
        the window pages with :meth:`case_page`)."""
        with self.ctx.db.unit_of_work(read_only=True) as uow:
            user, scope = self._viewer(uow, actor)
            filters = self._filters(user, query, self.ctx.calendar(uow), scope)
            sort = query.sort if query.sort in SORT_KEYS else "number"
            return uow.listing.ids(sort=sort, descending=query.descending, state_order=self._state_order(),
                                   **filters)

    def case_page(self, actor: str, query: CaseQuery, after: Sequence[Any] | None = None,
                  limit: int = 100) -> dict[str, Any]:
        """One page of the case list: ``rows`` (as :meth:`case_rows` gives them), ``next`` (pass it as
        ``after`` for the page after; None after the last page) and, on the first page, ``total``.

        The page is found by keyset in SQL (the sort values of the last row shown), so the first
        page of 150,000 cases costs what a page costs, not what fetching every id would. The same
        few statements whatever the size: the user (with the areas' count), the calendar, the page
        with its columns, the total (unless the first page holds them all) and, while searching,
        one for every kind of match. They are compiled once and run without an ORM session
        (Database.reads)."""
        with self.ctx.db.reads() as uow:
            user, scope = self._viewer(uow, actor)
            calendar = self.ctx.calendar(uow)
            filters = self._filters(user, query, calendar, scope)
            sort = query.sort if query.sort in SORT_KEYS else "number"
            found, cursor = uow.listing.page(sort=sort, descending=query.descending,
                                             state_order=self._state_order() if sort == "state" else (),
                                             after=after, limit=limit, **filters)
            total = None if after is not None else _total(uow, found, cursor, filters)
            rows = [CaseRow.of(r) for r in self._row_values(uow, user, calendar, found, query.search)]
        return {"rows": rows, "next": cursor, "total": total}

    def tab_counts(self, actor: str, search: str = "") -> dict[str, int]:
        """How many cases each tab holds; with ``search``, how many of them match it (so the tab
        bar shows where the matches are, whichever tab is open).

        One grouped query (cases by workflow, state, closed and overdue) is added up for every tab
        with the tab's own filters (:meth:`_filters`), instead of a COUNT per tab."""
        with self.ctx.db.unit_of_work(read_only=True) as uow:
            user, scope = self._viewer(uow, actor)
            calendar = self.ctx.calendar(uow)
            today = self.ctx.today()
            tabs = {tab: self._filters(user, CaseQuery(tab=tab, search=search), calendar, scope) for tab in TABS}
            groups = uow.listing.tally(today, villages=scope, search=search)
            counts = {}
            for tab, f in tabs.items():
                if f.get("deadline_before") not in (None, today):
                    counts[tab] = uow.listing.count(**f)  # not a tab of its own today; counted as asked
                else:
                    late = f.get("deadline_before") is not None
                    counts[tab] = sum(overdue if late else n for workflow, state, closed, n, overdue in groups
                                      if _in_tab(f, workflow, state, closed))
            return counts

    def case_rows(self, ids: Sequence[int], actor: str | None = None, search: str = "") -> list[CaseRow]:
        """The list's columns for a page of ids, with deadlines as working days left.

        ID numbers are masked unless ``actor``'s role needs them (domain/privacy.py); with
        ``actor``, cases outside the user's area are left out. With ``search``, ``matched`` says
        why each case matched (the member's name and how: 李秀兰（姓名拼音首字母）).
        """
        with self.ctx.db.unit_of_work(read_only=True) as uow:
            calendar = self.ctx.calendar(uow)
            rows = uow.listing.rows(ids)
            user = None
            if actor is not None:
                user, scope = self._viewer(uow, actor)
                if scope is not None:
                    inside = set(scope)
                    rows = [r for r in rows if r["village"] in inside]
            return [CaseRow.of(r) for r in self._row_values(uow, user, calendar, rows, search)]

    def _row_values(self, uow, user: User | None, calendar: WorkingCalendar, rows: list[dict[str, Any]],
                    search: str = "", queue: bool = False) -> list[dict[str, Any]]:
        """The fields of :class:`CaseRow` for rows the listing gave (in scope already), inside a unit
        of work: ID numbers masked, labels, why it matched, deadline in working days; ``queue``
        (rows with the queue's columns): the proposed amount as well."""
        households = {r["id"]: r.pop("household_id") for r in rows}
        matched = uow.listing.matches(households, search) if search.strip() else {}
        full = user is not None and sees_full_ids(user.roles)
        today = self.ctx.today()
        # what rows share is worked out once a call: a programme's label, a state's label, a
        # deadline's working days left
        labels: dict[tuple[str, str], str] = {}
        programmes: dict[str, tuple[str, Any, bool]] = {}
        days_left: dict[dt.date, int] = {}
        for r in rows:
            if not full:
                r["head_id_number"] = mask_id_number(r["head_id_number"])
            code = r["programme"]
            known = programmes.get(code)
            if known is None:
                prog = REGISTRY.get(code)
                known = programmes[code] = (PROGRAMMES.get(code, code), prog, prog is not None and not prog.monthly)
            r["programme_label"], prog, one_off = known
            if queue:
                r["one_off"] = one_off  # 临时救助: the amount is paid once
                r["proposed_amount"] = amount_of(prog.code, r.pop("proposal_amounts")) if prog else None
            r["matched"] = matched.get(r["id"], "")
            key = (r["workflow_id"], r["state"])
            label = labels.get(key)
            if label is None:
                label = labels[key] = lookup.state_label(self.ctx.engines, *key)
            r["state_label"] = label
            state_deadline, total_deadline = r["state_deadline"], r["total_deadline"]
            deadline = None if r["closed"] else (
                total_deadline if state_deadline is None else state_deadline if total_deadline is None
                else min(state_deadline, total_deadline))
            if deadline is None:
                r["deadline"] = r["days_left"] = None
                r["overdue"] = False
            else:
                r["deadline"] = deadline.isoformat()
                left = days_left.get(deadline)
                if left is None:
                    left = days_left[deadline] = calendar.working_days_between(today, deadline)
                r["days_left"] = left
                r["overdue"] = deadline < today
            applied_on = r["applied_on"]
            r["applied_on"] = applied_on.isoformat() if applied_on else None
            r["state_deadline"] = state_deadline.isoformat() if state_deadline else None
            r["total_deadline"] = total_deadline.isoformat() if total_deadline else None
        return rows

    def filter_options(self, actor: str) -> dict[str, Any]:
        with self.ctx.db.unit_of_work() as uow:
            user = self._user(uow, actor)
            scope = self._scope(uow, user)
            villages = [a for a in uow.areas.all() if a.level == "village" and (scope is None or a.code in scope)]
        states: list[tuple[str, str]] = []
        for spec in self._specs():
            for s in spec.states:
                if s.name not in [x[0] for x in states]:
                    states.append((s.name, s.label))
        return {
            "programmes": [[k, v] for k, v in PROGRAMMES.items()
                           if any(spec.programme == k for spec in self._specs())],
            "states": [list(s) for s in states],
            "villages": [[a.code, a.name] for a in villages],
        }

    # --- supervisor queue ------------------------------------------------------------------
    def supervisor_queue(self, actor: str) -> list[QueueRow]:
        """Cases waiting for this user's 初审 or 审核确认, with amount, days left and flags."""
        rows: list[QueueRow] = []
        after = None
        while True:
            page = self.queue_page(actor, after=after, limit=5000)
            rows += page["rows"]
            if page["next"] is None:
                return rows
            after = page["next"]

    def queue_page(self, actor: str, after: Sequence[Any] | None = None, limit: int = 200) -> dict[str, Any]:
        """A page of :meth:`supervisor_queue` (by deadline, keyset as :meth:`case_page`): ``rows``,
        ``next``, and on the first page ``total``. The window shows the first screen from the first
        page and fetches the rest behind it."""
        with self.ctx.db.reads() as uow:
            user, scope = self._viewer(uow, actor)
            steps = {spec.id: states for spec in self._specs() if (states := queue_states(spec, user.roles))}
            if not steps:
                return {"rows": [], "next": None, "total": 0 if after is None else None}
            filters = {"villages": scope, "workflow_states": steps, "open_only": True}
            found, cursor = uow.listing.page(sort="deadline", after=after, limit=limit, queue=True, **filters)
            total = None if after is not None else _total(uow, found, cursor, filters)
            rows = self._row_values(uow, user, self.ctx.calendar(uow), found, queue=True)
        transitions: dict[tuple[str, str], tuple[Any, Any]] = {}
        out = []
        for r in rows:
            flags = []
            if r["staff_relative"]:
                flags.append("近亲属备案")
            if r["objection"]:
                flags.append("有异议")
            if r["members"] == 1:
                flags.append("单人户")
            if r["eligible"] is False:
                flags.append("测算不符合")
            # The batch approves with the workflow's own transition only; a 复核/变更 (作出决定) or
            # 停保 (决定停保) in 县级决定 is decided on its case page (BatchService refuses it as well).
            engine = self.ctx.engines.get(r["workflow_id"])
            key = (r["workflow_id"], r["state"])
            if key not in transitions:
                transitions[key] = ((batch_transition(engine.spec, r["state"], user.roles) if engine else None),
                                    (engine.spec.transition(r["state"], BATCH_RETURN) if engine else None))
            t, back = transitions[key]
            approve_label = t.label if t else ""
            if t is None:
                kind = KIND_SHORT.get(engine.spec.kind, "") if engine else ""
                approve_label = f"{kind}决定（在案件页办理）" if kind else "在案件页办理"
            out.append(QueueRow.of({**r, "flags": flags, "approve_label": approve_label,
                                    "can_return": back is not None and bool(set(user.roles) & set(back.roles)),
                                    "batchable": t is not None}))
        return {"rows": out, "next": cursor, "total": total}

    # --- duplicate check -------------------------------------------------------------------
    def duplicates(self, id_numbers: Sequence[str], exclude_case: int | None = None) -> list[dict[str, Any]]:
        """People already in another open or covered (在保) case, by ID number."""
        numbers = sorted({n.strip().upper() for n in id_numbers if n and not id_problem(n.strip().upper())})
        with self.ctx.db.unit_of_work() as uow:
            found = uow.listing.people_in_cases(numbers, roles.ending(self.ctx.engines, "approved"),
                                                exclude_case=exclude_case)
        for f in found:
            f["state_label"] = lookup.state_label(self.ctx.engines, f["workflow_id"], f["state"])
            f["covered"] = roles.outcome(self.ctx.engines, f["workflow_id"], f["state"]) == "approved"
            f["message"] = (f"{f['name']}（{f['id_number']}）已在案件 {f['number']}"
                            f"（{PROGRAMMES.get(f['programme'], f['programme'])}，{f['state_label']}）中")
        return found

    # --- actions the page's form data would allow ----------------------------------------------
    def preview_triggers(self, case_id: int, actor: str, submitted: Mapping[str, Mapping[str, Any]],
                         effective_date: dt.date | str | None = None) -> list[TriggerView]:
        """``available_triggers`` as :meth:`CaseService.show` gives them, but judged with the form
        data the clerk has typed on the page and not yet sent (so 调查完成 lights up as soon as the
        investigation forms are complete)."""
        day = dt.date.fromisoformat(str(effective_date)) if effective_date else self.ctx.today()
        with self.ctx.db.unit_of_work() as uow:
            user = self._user(uow, actor)
            case = uow.cases.get(int(case_id))
            self._check_scope(uow, user, case.village_code)
            engine = self.ctx.engines.get(case.workflow_id)
            if engine is None or case.closed:
                return []
            spec = engine.spec
            if case.workflow_version != spec.version and case.state in spec.state_map:
                case.state = spec.state_map[case.state]
            history = uow.events.list(case.id)
            data = {k: dict(v) for k, v in submitted.items() if k in spec.state(case.state).forms}
            out = []
            for opt in engine.options(case.state, lambda t: GuardContext(
                    case=case, actor=user, transition=t, workflow=spec, forms=self.ctx.definitions.forms,
                    submitted=data, effective_date=day, history=history)):
                out.append(trigger_view(spec, opt))
            return out

    # --- the household of a case, for the case page ------------------------------------------
    def household_of_case(self, case_id: int, actor: str | None = None) -> dict[str, Any]:
        """The household of a case for the case page; ID numbers and the bank account masked unless
        ``actor``'s role needs them, and refused for a case outside ``actor``'s area."""
        with self.ctx.db.unit_of_work() as uow:
            case = uow.cases.get(int(case_id))
            full = False
            if actor is not None:
                user = self._user(uow, actor)
                self._check_scope(uow, user, case.village_code)
                full = sees_full_ids(user.roles)
            h = uow.households.get(case.household_id)
            village = uow.areas.get(h.village_code) if h.village_code else None
        today = self.ctx.today()
        members = []
        for m in h.members:
            notes = []
            if m.disability:
                notes.append(f"残疾：{DISABILITY_TYPES.get(m.disability.type, m.disability.type)}{m.disability.grade}级")
            if m.serious_illness:
                notes.append("重病")
            if m.work_capacity:
                notes.append(f"劳动能力：{m.work_capacity}")
            if m.excluded:
                notes.append(f"不计入：{EXCLUSIONS.get(m.excluded, m.excluded)}")
            if m.staff_relative:
                notes.append("近亲属备案")
            if m.disability_certificate:  # the number holds the ID number: masked like it
                number = m.certificate_number if full or not m.certificate_number else \
                    mask_id_number(m.certificate_number[:18]) + m.certificate_number[18:]
                notes.append(f"残疾人证{number}" if number else "持残疾人证")
            notes += [label for key, label in MEMBER_SUPPORT.items() if getattr(m, key)]
            members.append({"name": m.name, "id_number": m.id_number if full else mask_id_number(m.id_number),
                            "relation": RELATIONS.get(m.relation, m.relation),
                            "sex": "男" if m.sex == "M" else "女", "age": m.age_on(today), "notes": "，".join(notes)})
        return {
            "village": h.village_code, "village_name": village.name if village else h.village_code,
            "address": h.address, "phone": h.phone, "members": members, "bank_name": h.bank_name,
            "bank_account": h.bank_account if full else mask_bank_account(h.bank_account),
            "income": [{"type": INCOME_TYPES.get(i.type, i.type), "amount": str(i.amount),
                        "member": h.members[i.member].name if i.member is not None else "家庭"} for i in h.income],
            "rigid_expenses": [{"kind": EXPENSE_KINDS.get(e.kind, e.kind), "amount": str(e.amount)}
                               for e in h.rigid_expenses],
            "assets": {"financial": str(h.assets.financial), "vehicles": len(h.assets.vehicles),
                       "homes": h.assets.homes, "commercial_property": h.assets.commercial_property},
        }

    # --- log-in, set-up and settings lists -------------------------------------------------------
    def office_status(self) -> dict[str, Any]:
        with self.ctx.db.unit_of_work() as uow:
            areas = uow.areas.all()
            users = uow.users.all()
            name = uow.settings.get("office_name")
        return {"areas": len(areas), "users": len(users), "empty": not areas and not users,
                "office_name": name or next((a.name for a in areas if a.level == "township"), None)}

    def users(self) -> list[dict[str, Any]]:
        with self.ctx.db.unit_of_work() as uow:
            users = uow.users.all()
        return [{"username": u.username, "full_name": u.full_name, "roles": list(u.roles),
                 "role_labels": "、".join(ROLES.get(r, r) for r in u.roles), "area": u.area_code,
                 "active": u.active} for u in users]

    def user(self, username: str) -> dict[str, Any]:
        with self.ctx.db.unit_of_work() as uow:
            user = self._user(uow, username)
            area = uow.areas.get(user.area_code) if user.area_code else None
        return {"username": user.username, "full_name": user.full_name, "roles": list(user.roles),
                "role_labels": "、".join(ROLES.get(r, r) for r in user.roles),
                "area": user.area_code, "area_name": area.name if area else None}

    def areas(self) -> list[dict[str, Any]]:
        with self.ctx.db.unit_of_work() as uow:
            return [{"code": a.code, "name": a.name, "level": a.level, "level_label": AREA_LEVELS[a.level],
                     "parent": a.parent_code} for a in uow.areas.all()]

    def policy_sets(self) -> list[dict[str, Any]]:
        with self.ctx.db.unit_of_work() as uow:
            sets = uow.listing.policy_sets()
            names = {a.code: a.name for a in uow.areas.all()}
            people = {u.username: u.full_name for u in uow.users.all()}
        for s in sets:
            s["area_name"] = names.get(s["area"], s["area"])
            # who entered the set: the administrator by name; "system" is the command line's set-up
            s["created_by_name"] = (f"{people[s['created_by']]}（{s['created_by']}）" if s["created_by"] in people
                                    else "系统初始设置" if s["created_by"] == "system" else s["created_by"])
            s["effective_from"] = s["effective_from"].isoformat()
            s["created_at"] = s["created_at"].isoformat(sep=" ") if s["created_at"] else None
        return sets

    def calendar_overrides(self) -> list[dict[str, Any]]:
        with self.ctx.db.unit_of_work() as uow:
            days = uow.calendar.all()
        calendar = WorkingCalendar(days)
        return [{"day": d.isoformat(), "working": w, "national": calendar.holiday_name(d)}
                for d, w in sorted(days.items())]

    def delegated_townships(self) -> list[str]:
        with self.ctx.db.unit_of_work() as uow:
            return list(uow.settings.get("delegated_townships", []) or [])
