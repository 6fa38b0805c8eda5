"""Print use cases: gather a document's data from the case and office records, render it to PDF.

The window and ``doudi-admin print`` call :class:`PrintService`; it reads in one unit of work,
builds plain data and hands it to :mod:`doudi_desk.printing`. Nothing is written.

**公示 batches.** A township posts the 初审公示 of a village's cases together: the cases whose
初审公示 was issued (``post_notice``) on the same day form one batch, named by that date
(``--batch 2026-11-20``). The posting period is that day and the six following (7 days, 57号文
§19). Without a batch the latest one with a case still in 公示 is printed, else the latest one.
A case posted twice (after an objection) belongs to both batches, each with what was posted then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..definitions.loader import default_root
from ..domain.errors import DomainError, InputError
from ..domain.model import (
    COUNTED_INCOME,
    DISABILITY_TYPES,
    EXPENSE_KINDS,
    INCOME_TYPES,
    PROGRAMMES,
    RELATIONS,
    Case,
    Household,
)
from ..domain.privacy import PERSONAL_FIELDS
from ..printing import (
    KINDS,
    Part,
    PostedList,
    PostedOffice,
    PostedRow,
    PrintConfig,
    fonts_for,
    render,
    render_case_file,
)
from . import lookup
from .audit import record_export
from .context import AppContext
from .lifecycle import paid_cases
from .office import OfficeService

# Documents that print full ID numbers: each printing is an export recorded in the audit trail.
PERSONAL_KINDS = frozenset({"home_visit_form", "authorization", "roster"})

POSTING_DAYS = 7
CATEGORY_LABELS = {"new": "新增", "renew": "续保", "adjust": "调整", "stop": "停保"}
BASIS_LABELS = {"household": "按户补差", "single_person": "单人户", "person": "按人"}
# Documents of one case, in the order of the procedure (the case file follows it).
CASE_FILE_ORDER = ("authorization", "correction_notice", "acceptance_notice", "not_accepted_notice",
                   "home_visit_form", "neighbour_record", "posting_list", "review_record", "approval_form",
                   "confirmation_notice", "refusal_notice")


def shipped_templates() -> Path:
    """The shipped print_templates/ folder (beside workflows/ and forms/)."""
    return default_root() / "print_templates"


def rmb_upper(value: Any) -> str:
    """An amount in yuan as written on Chinese financial documents: 2792 → 贰仟柒佰玖拾贰元整."""
    digits = "零壹贰叁肆伍陆柒捌玖"
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    if amount < 0:
        return "负" + rmb_upper(-amount)
    yuan_part = int(amount)
    jiao, fen = int(amount * 10) % 10, int(amount * 100) % 10
    out = ""
    if yuan_part:
        units = ["", "拾", "佰", "仟"]
        groups = ["", "万", "亿"]
        text = str(yuan_part)
        pending_zero = False
        for i, ch in enumerate(text):
            pos = len(text) - 1 - i
            d = int(ch)
            if d == 0:
                pending_zero = True
            else:
                if pending_zero and out:
                    out += "零"
                pending_zero = False
                out += digits[d] + units[pos % 4]
            if pos % 4 == 0 and pos and text[max(0, i - 3):i + 1].strip("0"):
                out += groups[pos // 4]
        out += "元"
    if not jiao and not fen:
        return (out or "零元") + "整"
    if jiao:
        out += digits[jiao] + "角"
    elif out:
        out += "零"
    if fen:
        out += digits[fen] + "分"
    return out


class PrintService:
    """Produce every printable document as PDF bytes. One instance per program; holds no session."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        self.office = OfficeService(ctx)

    # --- catalogue (for the window) ---
    @staticmethod
    def kinds() -> list[dict[str, Any]]:
        """Every document kind: id, Chinese title, what it is printed for, whether it is posted."""
        return [{"kind": k.id, "title": k.title, "scope": k.scope, "posted": k.posted} for k in KINDS.values()]

    def documents_for_case(self, case_ref: str | int) -> list[dict[str, Any]]:
        """What the case page offers: this step's documents first, then every other one that has data.

        Each entry: kind, title, scope (``case`` or ``village``), ``current_step`` and whether it can
        be printed now (``available``, with ``reason`` when not).
        """
        with self.ctx.db.unit_of_work() as uow:
            case = self._case(uow, case_ref)
            engine = self.ctx.engines.get(case.workflow_id)
            try:
                documents = engine.spec.state(case.state).documents if engine else ()
            except KeyError:
                documents = ()
            step_docs = [d for d in documents if d in KINDS]
            out = []
            seen = set()
            for kind in [*step_docs, *CASE_FILE_ORDER, "publication_list", "case_file"]:
                if kind in seen or kind not in KINDS:
                    continue
                seen.add(kind)
                reason = self._unavailable(uow, case, kind)
                out.append({"kind": kind, "title": KINDS[kind].title, "scope": KINDS[kind].scope,
                            "current_step": kind in step_docs, "available": reason is None, "reason": reason})
            return out

    # --- case documents ---
    def case_document(self, case_ref: str | int, kind: str, actor: str | None = None) -> bytes:
        """One document of a case (a village list for the case's village where the kind is one).
        Documents with ID numbers are logged as exports (privacy: services/audit.py)."""
        if kind == "case_file":
            return self.case_file(case_ref, actor)
        if kind not in KINDS:
            raise InputError(f"KIND: 没有这种文书「{kind}」（可选：{'、'.join(KINDS)}）", "kind")
        with self.ctx.db.unit_of_work() as uow:
            case = self._case(uow, case_ref, actor)
            reason = self._unavailable(uow, case, kind)
            if reason:
                raise DomainError(f"案件 {case.number} 不能打印{KINDS[kind].title}：{reason}")
            config = self._config(uow)
            if kind == "posting_list":
                batches = self._case_batches(uow, case)
                return render(Part(kind, self._posting_data(uow, case.village_code, batches[-1], case.programme)), config)
            if kind == "publication_list":
                return render(Part(kind, self._publication_data(uow, case.village_code, case.programme)), config)
            context = self._case_context(uow, case)
            pdf = render(Part(kind, context), config, title=f"{KINDS[kind].title}（{case.number}）",
                         author=context["office"]["name"])
            if kind in PERSONAL_KINDS:
                record_export(uow, self.ctx, actor or "system", f"{KINDS[kind].title}（{case.number}）",
                              fields=[PERSONAL_FIELDS["id_number"]], cases=[case.number])
            return pdf

    def case_file(self, case_ref: str | int, actor: str | None = None) -> bytes:
        """案件档案: every document of the case in procedure order behind a cover, numbered through."""
        with self.ctx.db.unit_of_work() as uow:
            case = self._case(uow, case_ref, actor)
            context = self._case_context(uow, case)
            parts = []
            for kind in CASE_FILE_ORDER:
                if self._unavailable(uow, case, kind):
                    continue
                if kind == "posting_list":
                    for batch in self._case_batches(uow, case):
                        data = self._posting_data(uow, case.village_code, batch, case.programme)
                        day = dt.date.fromisoformat(batch)
                        parts.append(Part(kind, data, f"初审公示名单（{day.year}年{day.month}月{day.day}日）"))
                    continue
                parts.append(Part(kind, context))
            pdf = render_case_file(context, parts, self._config(uow), author=context["office"]["name"])
            record_export(uow, self.ctx, actor or "system", f"案件档案（{case.number}）",
                          fields=[PERSONAL_FIELDS["id_number"]], cases=[case.number])
            return pdf

    def _unavailable(self, uow, case: Case, kind: str) -> str | None:
        """Why a document cannot be printed for this case yet, or None."""
        forms = case.forms
        d = case.decision or {}
        if kind in ("acceptance_notice", "correction_notice", "not_accepted_notice") and case.kind != "application":
            return "复核、变更和停保由乡镇依职权启动，不出具受理、补正或不予受理文书"
        if kind == "acceptance_notice" and not case.accepted_on:
            return "尚未受理"
        if kind == "correction_notice" and not forms.get("correction_notice"):
            return "没有补正告知记录"
        if kind == "not_accepted_notice" and d.get("result") != "not_accepted":
            return "未作出不予受理决定"
        if kind in ("home_visit_form", "neighbour_record") and not case.accepted_on:
            return "尚未受理"
        if kind == "neighbour_record" and not forms.get("neighbour_visit") and case.state != "investigating":
            return "没有邻里访问记录"
        if kind == "home_visit_form" and not forms.get("home_visit") and case.state != "investigating":
            return "没有入户调查记录"
        if kind == "review_record" and not forms.get("democratic_review") and case.state != "democratic_review":
            return "未组织民主评议"
        if kind == "approval_form" and not case.proposal:
            return "尚未测算拟保障金额（调查完成后进入乡镇初审时测算）"
        if kind == "confirmation_notice" and d.get("result") != "approved":
            return "尚未确认"
        if kind == "refusal_notice" and d.get("result") != "refused":
            return "未作出不予确认决定"
        if kind == "posting_list" and not self._case_batches(uow, case):
            return "尚未发布初审公示"
        if kind == "publication_list":
            if case.programme == "temporary":
                return "临时救助为一次性救助，不设长期公布名单"
            if not paid_cases(uow, case.village_code, case.programme, self.ctx.today()):
                return f"本村没有在保的{PROGRAMMES[case.programme]}家庭"
        if kind == "roster":
            return "花名册按村或乡镇打印"
        return None

    # --- village and township lists ---
    def posting_batches(self, village_code: str, programme: str = "dibao") -> list[dict[str, Any]]:
        """The 公示 batches of a village, newest first: batch id (start date), period, households."""
        with self.ctx.db.unit_of_work() as uow:
            self._village(uow, village_code)
            found = self._batches(uow, village_code, programme)
            out = []
            for batch in sorted(found, reverse=True):
                start = dt.date.fromisoformat(batch)
                entries = found[batch]
                out.append({"batch": batch, "start": batch,
                            "end": (start + dt.timedelta(days=POSTING_DAYS - 1)).isoformat(),
                            "households": len(entries),
                            "in_posting": sum(1 for case, _ in entries if case.state == "posting")})
            return out

    def posting_list(self, village_code: str, batch: str | None = None, programme: str = "dibao") -> bytes:
        """初审公示名单 of one village and batch (default: the current one)."""
        return self.posting_lists([(village_code, batch)], programme=programme)

    def posting_lists(self, villages: Iterable[str | tuple[str, str | None]], programme: str = "dibao") -> bytes:
        """Several villages' 公示 lists in one PDF, each starting on a new page numbered from 1."""
        with self.ctx.db.unit_of_work() as uow:
            parts = []
            for item in villages:
                code, batch = (item, None) if isinstance(item, str) else item
                data = self._posting_data(uow, code, batch, programme)
                parts.append(Part("posting_list", data, data.title))
            if not parts:
                raise InputError("--village: 请至少选择一个村（社区）", "village")
            return render(parts, self._config(uow), restart_numbers=True)

    def publication_list(self, village_code: str, programme: str = "dibao") -> bytes:
        """长期公布名单: the village's households receiving 低保, with name, size and amount only."""
        with self.ctx.db.unit_of_work() as uow:
            return render(Part("publication_list", self._publication_data(uow, village_code, programme)),
                          self._config(uow))

    def publication_lists(self, villages: Iterable[str], programme: str = "dibao") -> bytes:
        with self.ctx.db.unit_of_work() as uow:
            parts = [Part("publication_list", self._publication_data(uow, v, programme)) for v in villages]
            if not parts:
                raise InputError("--village: 请至少选择一个村（社区）", "village")
            return render(parts, self._config(uow), restart_numbers=True)

    def roster(self, area_code: str, programme: str = "dibao", actor: str | None = None) -> bytes:
        """花名册 of a village or a township: internal, with ID numbers; never for posting."""
        with self.ctx.db.unit_of_work() as uow:
            area = uow.areas.get(area_code)
            if area is None or area.level not in ("village", "township"):
                raise InputError(f"--village: 没有村（社区）或乡镇「{area_code}」", "village")
            user = lookup.actor(uow, actor) if actor else None
            if user is not None:
                lookup.check_village_scope(uow, user, area.code)
            villages = [area] if area.level == "village" else uow.areas.children(area.code, level="village")
            households = []
            totals = {"households": 0, "members": 0, "covered": 0, "amount": Decimal(0)}
            for village in villages:
                for _case, h, d in paid_cases(uow, village.code, programme, self.ctx.today()):
                    covered = len(d["covered"])
                    amount = Decimal(str(d["monthly_amount"] or 0))
                    households.append({
                        "village": village.name, "head": h.head.name, "size": len(h.members), "covered": covered,
                        "amount": amount, "start_month": d.get("start_month") or "", "phone": h.phone,
                        "bank_name": h.bank_name, "bank_account": h.bank_account,
                        "members": [{"name": m.name, "relation": RELATIONS.get(m.relation, m.relation), "sex": _sex(m.sex),
                                     "birth_date": m.birth_date.isoformat(), "id_number": m.id_number}
                                    for m in h.members],
                    })
                    totals["households"] += 1
                    totals["members"] += len(h.members)
                    totals["covered"] += covered
                    totals["amount"] += amount
            if not households:
                raise DomainError(f"{area.name}没有在保家庭，花名册为空")
            data = {"area": {"code": area.code, "name": area.name}, "programme_label": PROGRAMMES[programme],
                    "office": self.office.details_in(uow, area.code if area.level == "township" else area.parent_code),
                    "issued_on": self.ctx.today(), "households": households, "totals": totals,
                    "prepared_by": user.full_name if user else ""}
            pdf = render(Part("roster", data), self._config(uow), title=f"{area.name}花名册")
            fields = [PERSONAL_FIELDS["id_number"]] + (
                [PERSONAL_FIELDS["bank_account"]] if any(h["bank_account"] for h in households) else [])
            record_export(uow, self.ctx, actor or "system", f"{area.name}花名册", fields=fields,
                          area=area.code, rows=totals["members"])
            return pdf

    # --- one entry point for the command line ---
    def render_kind(self, kind: str, *, case: str | None = None, villages: Sequence[str] = (),
                    batch: str | None = None, actor: str | None = None) -> bytes:
        """Dispatch ``doudi-admin print KIND --case ID | --village CODE [--batch ID]``."""
        if kind not in KINDS:
            raise InputError(f"KIND: 没有这种文书「{kind}」（可选：{'、'.join(KINDS)}）", "kind")
        scope = KINDS[kind].scope
        if scope == "payroll":
            raise InputError(f"KIND: {KINDS[kind].title}按发放名册打印：doudi-admin payroll print 名册编号 {kind}", "kind")
        if case is not None:
            if villages:
                raise InputError("--case 与 --village 只能给一个", "case")
            if scope == "area":
                raise InputError(f"--village: {KINDS[kind].title}按村或乡镇打印，请给 --village", "village")
            return self.case_document(case, kind, actor)
        if not villages:
            raise InputError(f"{KINDS[kind].title}须指定 {'--case' if scope == 'case' else '--village'}", "case")
        if scope == "case":
            raise InputError(f"--case: {KINDS[kind].title}按案件打印，请给 --case", "case")
        if batch and kind != "posting_list":
            raise InputError("--batch 只用于初审公示名单（posting_list）", "batch")
        if kind == "posting_list":
            if batch and len(villages) > 1:
                raise InputError("--batch 只能与一个 --village 一起使用", "batch")
            return self.posting_lists([(v, batch) for v in villages])
        if kind == "publication_list":
            return self.publication_lists(villages)
        if len(villages) > 1:
            raise InputError("花名册一次打印一个村或乡镇", "village")
        return self.roster(villages[0], actor=actor)

    def font_report(self) -> dict[str, Any]:
        """The font chosen for each role and the substitutions made (for a settings page)."""
        with self.ctx.db.unit_of_work() as uow:
            config = self._config(uow)
        fonts = fonts_for(config)
        return {"faces": {role: {"label": f.label, "path": f.path, "index": f.index} for role, f in fonts.faces.items()},
                "notes": list(fonts.notes)}

    # --- gathering ---
    def _config(self, uow) -> PrintConfig:
        fonts, folder = self.office.print_settings_in(uow)
        dirs = tuple(d for d in (folder, str(shipped_templates())) if d)
        return PrintConfig(template_dirs=dirs, fonts=fonts)

    @staticmethod
    def _case(uow, ref: str | int, actor: str | None = None) -> Case:
        """The case; with an actor, refused when it lies outside the actor's area."""
        return lookup.case_for(uow, lookup.actor(uow, actor) if actor else None, ref)

    def _village(self, uow, code: str):
        area = uow.areas.get(code)
        if area is None or area.level != "village":
            raise InputError(f"--village: 没有村（社区）「{code}」", "village")
        return area

    def _batches(self, uow, village_code: str, programme: str) -> dict[str, list[tuple[Case, PostedRow]]]:
        """batch id → [(case, row as posted then)] for a village, from the cases' audit trails."""
        found: dict[str, list[tuple[Case, PostedRow]]] = {}
        for case in uow.cases.query(village_code=village_code, programme=programme):
            for batch, row in self._posted_rows(uow, case, lambda c=case: uow.households.get(c.household_id)):
                found.setdefault(batch, []).append((case, row))
        return found

    def _case_batches(self, uow, case: Case) -> list[str]:
        return sorted({batch for batch, _ in self._posted_rows(uow, case, lambda: uow.households.get(case.household_id))})

    def _posted_rows(self, uow, case: Case, household_of) -> list[tuple[str, PostedRow]]:
        """(batch, row) for each time the case was posted, with the proposal and category of then."""
        out = []
        state: dict[str, Any] = {}
        household = None
        for e in uow.events.list(case.id):
            for key in ("proposal.monthly_amount", "proposal.covered", "proposal.eligible",
                        "forms.preliminary_opinion.category", "forms.preliminary_opinion.opinion"):
                if key in e.changes:
                    state[key] = e.changes[key].get("after")
            if e.trigger != "post_notice":
                continue
            opinion = (e.data.get("preliminary_opinion") or {})
            category = opinion.get("category") or state.get("forms.preliminary_opinion.category") or ""
            approve = (opinion.get("opinion") or state.get("forms.preliminary_opinion.opinion")) != "refuse" \
                and state.get("proposal.eligible", True)
            household = household or household_of()
            covered = state.get("proposal.covered") or []
            row = PostedRow(
                name=household.head.name,
                members=len(household.members),
                covered=len(covered) if approve else 0,
                amount=_amount(state.get("proposal.monthly_amount")) if approve else "",
                category=CATEGORY_LABELS.get(category, ""),
            )
            out.append((e.effective_date.isoformat(), row))
        return out

    def _posting_data(self, uow, village_code: str, batch: str | None, programme: str) -> PostedList:
        village = self._village(uow, village_code)
        found = self._batches(uow, village_code, programme)
        if not found:
            raise DomainError(f"{village.name}没有发布过初审公示的{PROGRAMMES[programme]}案件")
        if batch:
            try:
                batch = dt.date.fromisoformat(batch).isoformat()
            except ValueError:
                raise InputError(f"--batch: 批次为公示开始日期（YYYY-MM-DD）：{batch}", "batch") from None
            if batch not in found:
                have = "、".join(sorted(found, reverse=True)[:8])
                raise InputError(f"--batch: {village.name}没有 {batch} 开始的初审公示（已有批次：{have}）", "batch")
        else:
            current = [b for b, entries in found.items() if any(c.state == "posting" for c, _ in entries)]
            batch = max(current or found)
        start = dt.date.fromisoformat(batch)
        entries = sorted(found[batch], key=lambda cr: cr[0].id or 0)
        office = self.office.details_in(uow, village.parent_code)
        private = set()
        for case, _ in entries:
            _private_values(uow.households.get(case.household_id), private)
        return PostedList(
            title=f"{village.name}{PROGRAMMES[programme]}初审公示",
            village=village.name,
            township=office["township"],
            office=_posted_office(office),
            issued_on=start,
            rows=tuple(row for _, row in entries),
            start=start,
            end=start + dt.timedelta(days=POSTING_DAYS - 1),
            programme=PROGRAMMES[programme],
            batch=batch,
            private=frozenset(private),
        )

    def _publication_data(self, uow, village_code: str, programme: str) -> PostedList:
        village = self._village(uow, village_code)
        rows = []
        private: set[str] = set()
        for _case, h, d in paid_cases(uow, village_code, programme, self.ctx.today()):
            rows.append(PostedRow(name=h.head.name, members=len(h.members), covered=len(d["covered"]),
                                  amount=_amount(d["monthly_amount"])))
            _private_values(h, private)
        if not rows:
            raise DomainError(f"{village.name}没有在保的{PROGRAMMES[programme]}家庭")
        office = self.office.details_in(uow, village.parent_code)
        return PostedList(
            title=f"{village.name}{PROGRAMMES[programme]}对象公布名单",
            village=village.name, township=office["township"], office=_posted_office(office),
            issued_on=self.ctx.today(), rows=tuple(rows), programme=PROGRAMMES[programme],
            private=frozenset(private),
        )

    def _labels(self, form_id: str, field: str) -> dict[str, str]:
        spec = self.ctx.definitions.forms.get(form_id)
        f = spec.field(field) if spec else None
        return {c.value: c.label for c in f.choices} if f else {}

    def _case_context(self, uow, case: Case) -> dict[str, Any]:
        """Everything the case documents print, as plain JSON-like data (print_templates/README.md)."""
        h = uow.households.get(case.household_id)
        village = uow.areas.get(case.village_code)
        office = self.office.details_in(uow, village.parent_code if village else None)
        users = {u.username: u.full_name for u in uow.users.all()}
        events = uow.events.list(case.id)
        state_label = lookup.state_label(self.ctx.engines, case.workflow_id, case.state)
        programme_label = PROGRAMMES[case.programme]
        forms = case.forms

        def last(*triggers: str):
            for e in reversed(events):
                if e.trigger in triggers:
                    return e
            return None

        def who(username: str | None) -> str:
            return users.get(username or "", username or "")

        counted = set(h.counted_indexes())
        covered_idx = set((case.decision or {}).get("covered") or (case.proposal or {}).get("covered") or [])
        members = []
        for i, m in enumerate(h.members):
            members.append({
                "name": m.name, "relation": RELATIONS.get(m.relation, m.relation), "sex": _sex(m.sex),
                "birth_date": m.birth_date.isoformat(), "id_number": m.id_number,
                "health": "重病" if m.serious_illness else "健康",
                "disability": m.disability.label if m.disability else "",
                "work_capacity": m.work_capacity or "", "student": m.student,
                "excluded": bool(m.excluded), "counted": i in counted, "covered": i in covered_idx,
            })

        def member_name(index: int | None) -> str:
            return h.members[index].name if index is not None and 0 <= index < len(h.members) else "家庭"

        income = [{"type": INCOME_TYPES.get(i.type, i.type), "member": member_name(i.member), "amount": str(i.amount),
                   "counted": i.type in COUNTED_INCOME, "note": i.note} for i in h.income]
        rigid = [{"kind": EXPENSE_KINDS.get(r.kind, r.kind), "member": member_name(r.member), "amount": str(r.amount)}
                 for r in h.rigid_expenses]
        applicant = next((m.name for m in h.members if m.applicant), h.head.name)

        visit_raw = forms.get("home_visit") or {}
        investigators = [p.get("name", "") for p in visit_raw.get("investigators") or [] if isinstance(p, Mapping)]
        visit = {
            "visit_date": visit_raw.get("visit_date"), "investigators": investigators,
            "family_present": visit_raw.get("family_present") or "",
            "living_conditions": visit_raw.get("living_conditions") or "",
            "conclusion": visit_raw.get("conclusion") or "",
            "conclusion_label": self._labels("home_visit", "conclusion").get(visit_raw.get("conclusion") or "", "未调查"),
            "remarks": visit_raw.get("remarks") or "",
        }
        nb_raw = forms.get("neighbour_visit") or {}
        neighbour = {
            "visit_date": nb_raw.get("visit_date"),
            "interviewees": [{"name": p.get("name", ""), "role": p.get("role", "")}
                             for p in nb_raw.get("interviewees") or [] if isinstance(p, Mapping)],
            "statements": nb_raw.get("statements") or "",
        }
        rv = forms.get("democratic_review") or {}

        def num(key: str) -> int | None:
            try:
                return int(rv.get(key))
            except (TypeError, ValueError):
                return None

        participants = num("participants")
        reps = num("representatives")
        yes = num("votes_for")
        result = ""
        if participants and yes is not None:
            result = "通过" if yes * 3 >= participants * 2 else "未通过"
        review = {
            "held_on": rv.get("held_on"), "place": rv.get("place") or "", "chair": rv.get("chair") or "",
            "recorder": rv.get("recorder") or "", "participants": participants or "",
            "representatives": reps if reps is not None else "",
            "quorum": bool(participants and reps is not None and reps * 3 >= participants * 2),
            "votes_for": yes if yes is not None else "", "votes_against": _blank(num("votes_against")),
            "votes_abstain": _blank(num("votes_abstain")), "result": result,
            "conclusion": rv.get("conclusion") or "",
            "signature_rows": max(3, -(-(participants or 0) // 4)),
        }
        op = forms.get("preliminary_opinion") or {}
        opinion = {
            "opinion": self._labels("preliminary_opinion", "opinion").get(op.get("opinion") or "", ""),
            "category": self._labels("preliminary_opinion", "category").get(op.get("category") or "", ""),
            "comment": op.get("comment") or "",
        }
        ob = forms.get("objection") or {}
        objection = {"received_on": ob.get("received_on"), "content": ob.get("content") or "无"}
        app = forms.get("application") or {}
        application = {"reason": app.get("reason") or "", "apply_date": app.get("apply_date"),
                       "channel": self._labels("application", "channel").get(app.get("channel") or "", "")}
        ver = forms.get("verification") or {}
        verification = {"result_label": self._labels("verification", "result").get(ver.get("result") or "", "未核对")}
        cn = forms.get("correction_notice") or {}
        missing_labels = self._labels("correction_notice", "missing_materials")
        correction_event = last("request_correction")
        correction = {
            "missing": [missing_labels.get(v, v) for v in cn.get("missing_materials") or []],
            "note": cn.get("note") or "",
            "date": correction_event.effective_date if correction_event else None,
        }
        proposal = None
        if case.proposal:
            p = case.proposal
            proposal = {
                "eligible": bool(p.get("eligible")), "per_capita_monthly": p.get("per_capita_monthly"),
                "monthly_amount": p.get("monthly_amount") if case.programme != "temporary" else p.get("amount"),
                "covered_count": len(p.get("covered") or []), "explanation": list(p.get("explanation") or []),
                "basis_label": BASIS_LABELS.get(p.get("basis") or "", "不符合条件" if not p.get("eligible") else ""),
                "decision_date": p.get("decision_date"),
            }
        decision = None
        if case.decision:
            d = case.decision
            decision = {
                "result": d.get("result"), "monthly_amount": d.get("monthly_amount"),
                "start_month": d.get("start_month"), "reasons": d.get("reasons") or "",
                "rule": d.get("rule") or (forms.get("not_accepted") or {}).get("rule", "")
                if d.get("result") == "not_accepted" else d.get("rule") or "",
                "decided_on": d.get("decided_on"), "decided_by": who(d.get("decided_by")),
                "covered_names": [h.members[i].name for i in d.get("covered") or [] if 0 <= i < len(h.members)],
                "amount_upper": rmb_upper(d.get("monthly_amount")) if d.get("monthly_amount") not in (None, "") else "",
                # 临时救助: the one-off amount, and what was paid first (先行救助) out of it
                "amount": d.get("amount") or "", "first_aid_amount": d.get("first_aid_amount") or "",
                "amount_once_upper": rmb_upper(d.get("amount")) if d.get("amount") not in (None, "") else "",
            }
        if case.county_delegated or (case.decision or {}).get("approval_level") == "township":
            # decided by the township: delegated, or 临时救助 within the township's amount
            issuer = {"name": office["name"], "seal_text": office["seal_text"], "via": ""}
        else:
            issuer = {"name": office["county_office"], "seal_text": office["county_office"], "via": office["name"]}
        investigated = last("complete_investigation")
        reviewed = last("submit_to_county", "submit_for_decision", "post_notice")
        decided = last("approve", "refuse")
        signoffs = [
            {"title": "经办人意见",
             "opinion": (f"经入户调查、邻里访问和信息核对，该户{visit['conclusion_label']}"
                         + (f"，测算户月保障金额{_amount(proposal['monthly_amount'])}元。" if proposal and proposal["eligible"]
                            else "。")) if investigated else "",
             "name": who(investigated.actor) if investigated else "",
             "date": investigated.effective_date if investigated else None, "seal": False},
            {"title": "乡镇审核意见",
             "opinion": "".join(x for x in (opinion["opinion"], "。" if opinion["opinion"] else "", opinion["comment"])),
             "name": who(reviewed.actor) if reviewed else "",
             "date": reviewed.effective_date if reviewed else None, "seal": True},
            {"title": "乡镇审批意见" if case.county_delegated else "县级审批意见",
             "opinion": _decision_text(decision, (forms.get("approval") or {}).get("comment") or "", case.programme),
             "name": who(decided.actor) if decided else "",
             "date": decided.effective_date if decided else None, "seal": True},
        ]
        limit = 20 if case.county_delegated else 30
        engine = self.ctx.engines.get(case.workflow_id)
        if engine:
            limit = (engine.spec.delegated_limit_wd if case.county_delegated else engine.spec.total_limit_wd) or limit
        return {
            "office": office,
            "issuer": issuer,
            "case": {
                "id": case.id, "number": case.number, "programme": case.programme, "programme_label": programme_label,
                "state": case.state, "state_label": state_label, "applied_on": case.applied_on,
                "accepted_on": case.accepted_on, "total_deadline": case.total_deadline, "limit_wd": limit,
                "delegated": case.county_delegated,
            },
            "household": {
                "head": h.head.name, "applicant": applicant, "size": len(h.members), "counted": len(counted),
                "village": village.name if village else case.village_code, "township": office["township"],
                "address": h.address, "phone": h.phone, "members": members, "income": income, "rigid": rigid,
                "assets": {"financial": str(h.assets.financial), "vehicles": len(h.assets.vehicles),
                           "disability_vehicles": sum(1 for v in h.assets.vehicles if v.disability_vehicle),
                           "homes": h.assets.homes, "commercial_property": h.assets.commercial_property},
            },
            "people": {"caseworker": who(case.created_by)},
            "application": application, "verification": verification, "correction": correction,
            "visit": visit, "neighbour": neighbour, "review": review, "opinion": opinion, "objection": objection,
            "proposal": proposal, "decision": decision, "signoffs": signoffs,
            "printed_on": self.ctx.today(),
        }


def _sex(code: str) -> str:
    return {"M": "男", "F": "女"}.get(code, code)


def _blank(value: int | None) -> Any:
    return "" if value is None else value


def _amount(value: Any) -> str:
    if value in (None, ""):
        return ""
    d = Decimal(str(value))
    return f"{d:.0f}" if d == d.to_integral_value() else f"{d:.2f}"


def _decision_text(decision: dict[str, Any] | None, comment: str, programme: str = "dibao") -> str:
    if not decision:
        return ""
    if decision["result"] == "approved":
        start = decision.get("start_month") or ""
        since = f"自{start[:4]}年{int(start[5:7])}月起发放。" if len(start) >= 7 else ""
        if decision.get("amount"):  # 临时救助: one payment
            text = f"同意。给予临时救助{_amount(decision['amount'])}元，一次性发放。"
        elif programme == "tekun":
            text = (f"同意。认定{'、'.join(decision['covered_names'])}为特困人员，"
                    f"月救助供养金额{_amount(decision['monthly_amount'])}元，{since}")
        else:
            text = (f"同意。确认保障{len(decision['covered_names'])}人，"
                    f"户月保障金额{_amount(decision['monthly_amount'])}元，{since}")
        return text + (comment if comment and comment != "同意" else "")
    if decision["result"] == "refused":
        return "不予确认。理由：" + decision["reasons"]
    return decision.get("reasons") or ""


def _posted_office(office: Mapping[str, str]) -> PostedOffice:
    return PostedOffice(name=office["name"], phone=office["phone"], address=office["address"],
                        seal_text=office["seal_text"])


def _private_values(h: Household, into: set[str]) -> None:
    """A household's values no posted list may print (checked against every printed string)."""
    for m in h.members:
        into.add(m.id_number)
        if m.disability:
            into.add(m.disability.label)
            into.add(DISABILITY_TYPES.get(m.disability.type, m.disability.type))
    for value in (h.phone, h.address, h.bank_account):
        if value:
            into.add(value)
