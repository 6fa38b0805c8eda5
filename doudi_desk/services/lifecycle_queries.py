"""Read-only lists and lookups the window needs for life after approval (procedures.md §1.9, §4).

The lists of :class:`~doudi_desk.services.lifecycle.LifecycleService` (复核到期, 在保名单) and of
:func:`~doudi_desk.services.monitoring.household_flags` (低收入监测), limited to the villages the
user works on and completed with what a table shows (village and state names, the ids to open);
the cases linked to a case (its parent, its reviews, changes and terminations); and a case's
household in the shape the services take, for the 修改家庭情况 dialog. Nothing here writes.
"""

from __future__ import annotations

from typing import Any

from ..domain.calc import FLAG_LABELS
from ..domain.errors import DomainError
from ..domain.household import TEMPORARY_TYPES, household_to_dict
from ..domain.model import Disability, Member
from ..domain.programmes import PROGRAMMES, REGISTRY, Programme, Suggestion
from ..domain.specs import WORKFLOW_KINDS
from . import lookup, roles
from .cases import CaseService
from .context import AppContext
from .lifecycle import STATUSES, LifecycleService, effective_status
from .monitoring import household_flags
from .views import BenefitRow

KIND_LABELS = {"application": "申请", "review": "复核", "change": "变更", "termination": "停保", "import": "历史导入"}
STAFF_ROLES = {"caseworker", "township_reviewer"}


class LifecycleQueries:
    """Lists for the 动态管理 tab and links for the case page. Holds no session."""

    def __init__(self, ctx: AppContext, cases: CaseService | None = None):
        self.ctx = ctx
        self.cases = cases or CaseService(ctx)
        self.life = LifecycleService(self.cases)

    # --- helpers ---
    def _in_scope(self, uow, username: str):
        """A predicate: is this village among those the user works on (under the user's area)?"""
        user = lookup.actor(uow, username)
        names: dict[str, str] = {}
        inside: dict[str, bool] = {}

        def check(code: str | None) -> bool:
            if code not in inside:
                inside[code] = lookup.in_scope(uow, user, code)
            return inside[code]

        def name(code: str | None) -> str:
            if code not in names:
                area = uow.areas.get(code) if code else None
                names[code] = area.name if area else (code or "")
            return names[code]

        return user, check, name

    def _case_link(self, case) -> dict[str, Any]:
        return {"id": case.id, "number": case.number, "kind": case.kind,
                "kind_label": KIND_LABELS.get(case.kind, WORKFLOW_KINDS.get(case.kind, case.kind)),
                "state": case.state, "state_label": lookup.state_label(self.ctx.engines, case.workflow_id, case.state),
                "closed": case.closed, "applied_on": case.applied_on.isoformat(),
                "result_label": (case.decision or {}).get("result_label")}

    # --- lists ---
    def due_reviews(self, actor: str, month: str | None = None) -> list[dict[str, Any]]:
        """复核到期 in ``month`` (YYYY-MM; default this month), overdue ones included, in the user's area."""
        rows = self.life.due_reviews(month)
        with self.ctx.db.unit_of_work() as uow:
            _user, inside, village_name = self._in_scope(uow, actor)
            out = []
            for r in rows:
                if not inside(r["village"]):
                    continue
                review = uow.cases.get_by_number(r["review_case"]) if r.get("review_case") else None
                out.append(r | {
                    "village_name": village_name(r["village"]),
                    "programme_label": PROGRAMMES.get(r["programme"], r["programme"]),
                    "status_label": STATUSES.get(r["status"], r["status"]),
                    "review_case_id": review.id if review else None,
                    "review_state_label": lookup.state_label(self.ctx.engines, review.workflow_id, review.state) if review else None,
                })
        return out

    def benefits(self, actor: str, status: str | None = None) -> list[BenefitRow]:
        """在保名单: approved 低保 / 特困 cases with their status today, in the user's area."""
        if status is not None and status not in STATUSES:
            raise DomainError(f"保障状态只能是 {'、'.join(f'{k}（{v}）' for k, v in STATUSES.items())}")
        rows = self.life.benefits(status=status)
        with self.ctx.db.unit_of_work() as uow:
            _user, inside, village_name = self._in_scope(uow, actor)
            out = []
            for r in rows:
                if not inside(r["village"]):
                    continue
                case = uow.cases.get(r["id"])
                benefit = case.benefit or {}
                open_children = uow.cases.children(case.id, open_only=True)
                out.append(BenefitRow(
                    **r,
                    village_name=village_name(r["village"]),
                    programme_label=PROGRAMMES.get(r["programme"], r["programme"]),
                    since_month=benefit.get("since_month"),
                    covered_count=len(benefit.get("covered") or []) or benefit.get("covered_count") or 0,
                    pending_labels=list(benefit.get("pending_labels") or []),
                    open_case=open_children[0].number if open_children else None,
                    open_case_kind=(KIND_LABELS.get(open_children[0].kind, open_children[0].kind)
                                    if open_children else None),
                ))
        return out

    def flags(self, actor: str, flag: str | None = None) -> list[dict[str, Any]]:
        """低收入监测: households with a flag (or any flag when ``flag`` is None), one row per family.

        ``household_flags`` gives one row per stored household; a review or change stores its own
        copy of the family, so the rows are merged by the head's ID number, keeping the latest case.
        """
        rows = household_flags(self.ctx, flag=flag)
        with self.ctx.db.unit_of_work() as uow:
            _user, inside, village_name = self._in_scope(uow, actor)
            latest: dict[str, dict[str, Any]] = {}
            for r in rows:
                if flag is None and not r["flags"]:
                    continue
                if not inside(r["village"]):
                    continue
                case = uow.cases.get_by_number(r["case"])
                if case is None:
                    continue
                head_id = uow.households.get(r["household_id"]).head.id_number
                row = r | {
                    "case_id": case.id,
                    "programme": case.programme,
                    "programme_label": PROGRAMMES.get(case.programme, case.programme),
                    "kind_label": KIND_LABELS.get(case.kind, case.kind),
                    "case_state_label": lookup.state_label(self.ctx.engines, case.workflow_id, case.state),
                    "village_name": village_name(r["village"]),
                }
                if head_id not in latest or latest[head_id]["case_id"] < case.id:
                    latest[head_id] = row
        return sorted(latest.values(), key=lambda r: (r["village"], r["case"]))

    def suggestions(self, actor: str) -> list[dict[str, Any]]:
        """可申请两项补贴: members of families whose benefit is in force (低保) who could apply for a
        programme that suggests itself after it (registry ``suggestions``) and have no case of it in
        force or under way — one row per person, in the user's area. A constant number of queries."""
        today = self.ctx.today()
        out: dict[tuple[str, str], dict[str, Any]] = {}
        with self.ctx.db.unit_of_work() as uow:
            user, inside, village_name = self._in_scope(uow, actor)
            villages = _villages_of(uow, user)
            for prog, suggestion in all_suggestions():
                after = [suggestion.after]
                rows = uow.listing.members_of_cases(
                    roles.ending(self.ctx.engines, "approved", programmes=after), villages,
                    suggestion.member_flag)
                rows += uow.listing.members_of_cases(roles.ending(self.ctx.engines, "decided", programmes=after),
                                                     villages, suggestion.member_flag)
                roots: dict[int, Any] = {}
                found = []
                for r in rows:
                    root_id = r["parent_case_id"] or r["case_id"]
                    if root_id not in roots:
                        roots[root_id] = uow.cases.get(root_id) if r["parent_case_id"] else None
                    root = roots[root_id]
                    benefit = root.benefit if root is not None else r["benefit"]
                    if effective_status(benefit, today) in (None, "stopped") or not inside(r["village"]):
                        continue
                    if not suggestion.candidate(_member(r)):
                        continue
                    found.append((r, root.number if root is not None else r["number"], root_id, benefit))
                held = self._held(uow, prog.code, [r["id_number"] for r, *_ in found], today)
                for r, number, root_id, benefit in found:
                    if r["id_number"] in held or (prog.code, r["id_number"]) in out:
                        continue
                    out[prog.code, r["id_number"]] = {
                        "programme": prog.code, "programme_label": prog.name, "hint": suggestion.label,
                        "after_label": PROGRAMMES.get(suggestion.after, suggestion.after),
                        "case": number, "case_id": root_id, "village": r["village"],
                        "village_name": village_name(r["village"]), "member": r["name"],
                        "since_month": (benefit or {}).get("since_month") or "",
                    }
        return sorted(out.values(), key=lambda row: (row["village"], row["case"], row["member"]))

    def _held(self, uow, code: str, id_numbers: list[str], today) -> set[str]:
        """People with a case of ``code`` under way, or approved and not stopped."""
        held = set()
        approved = roles.ending(self.ctx.engines, "approved", programmes=[code])
        for f in uow.listing.people_in_cases(sorted(set(id_numbers)), approved):
            if f["programme"] != code:
                continue
            case = uow.cases.get(f["case_id"])
            applicant = next((m for m in uow.households.get(case.household_id).members if m.applicant), None)
            if applicant is not None and applicant.id_number != f["id_number"]:
                continue  # the case is another member's
            if not f["closed"] or effective_status(case.benefit, today) not in (None, "stopped"):
                held.add(f["id_number"])
        return held

    @staticmethod
    def flag_choices() -> list[tuple[str, str]]:
        return list(FLAG_LABELS.items())

    @staticmethod
    def status_choices() -> list[tuple[str, str]]:
        return list(STATUSES.items())

    # --- one case ---
    def links(self, case_ref: str | int) -> dict[str, Any]:
        """The case a review/change/termination belongs to, the cases opened on this one, and for a
        programme with a one-off claim (临时救助) the claim (type, proposed amount, cause) as registered."""
        with self.ctx.db.unit_of_work() as uow:
            case = lookup.case_by_ref(uow, case_ref)
            parent = uow.cases.get(case.parent_case_id) if case.parent_case_id else None
            prog = REGISTRY.get(case.programme)
            claim = uow.households.get(case.household_id).temporary if prog and prog.claim else None
            return {
                "parent": self._case_link(parent) if parent else None,
                "related": [self._case_link(c) for c in uow.cases.children(case.id)],
                "claim": {"type": claim.type, "type_label": TEMPORARY_TYPES.get(claim.type, claim.type),
                              "amount": str(claim.amount), "cause": claim.cause} if claim else None,
            }

    def case_id(self, case_ref: str | int) -> int:
        """The id of a case given by id or number (e.g. 2026-DB-000004)."""
        with self.ctx.db.unit_of_work() as uow:
            return lookup.case_by_ref(uow, case_ref).id

    def household_for_edit(self, case_ref: str | int, actor: str) -> dict[str, Any]:
        """The case's household as :meth:`CaseService.update_household` takes it (full ID numbers:
        only for the caseworker and the township reviewer, who may change it)."""
        with self.ctx.db.unit_of_work() as uow:
            user = lookup.actor(uow, actor)
            if not set(user.roles) & STAFF_ROLES:
                raise DomainError(f"用户 {user.full_name} 无权修改家庭情况，须由经办人或乡镇审核人办理")
            case = lookup.case_for(uow, user, case_ref)
            return household_to_dict(uow.households.get(case.household_id))


def all_suggestions() -> list[tuple[Programme, Suggestion]]:
    return [(p, s) for p in REGISTRY.values() for s in p.suggestions]


def _villages_of(uow, user) -> list[str] | None:
    """The villages under the user's area (None: the county, all villages)."""
    if not user.area_code:
        return None
    area = uow.areas.get(user.area_code)
    if area is None:
        return None
    return [area.code] if area.level == "village" else [a.code for a in uow.areas.children(area.code, level="village")]


def _member(row: dict[str, Any]) -> Member:
    disability = (Disability(row["disability_type"], row["disability_grade"])
                  if row["disability_type"] and row["disability_grade"] else None)
    return Member(name=row["name"], id_number=row["id_number"], excluded=row["excluded"], disability=disability,
                  disability_certificate=bool(row["disability_certificate"]),
                  certificate_number=row["certificate_number"] or "")
