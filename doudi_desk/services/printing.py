"""Print use cases: gather a document's data from the case and office records, render it to PDF.

The window and ``doudi-admin print`` call :class:`PrintService`; it reads in one unit of work,
builds plain data and hands it to :mod:`doudi_desk.printing`. Nothing is written.

**公示 batches.** A township posts the 初审公示 of a village's cases together: the cases whose
初审公示 was issued (``post_notice``) on the same day form one batch, named by that date
(``--batch 2026-11-20``). The posting period is that day and the six following (7 days, 57号文
§19). Without a batch the current one is printed: the newest whose period has begun; a batch whose
period has ended says so on the paper.
A case posted twice (after an objection) belongs to both batches, each with what was posted then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..definitions.loader import TEMPLATES_DIR, default_root
from ..domain.documents import title as document_title
from ..domain.errors import DomainError, InputError
from ..domain.model import RELATIONS, Case
from ..domain.posting import POSTED, POSTED_VALUES, POSTING_TRIGGER
from ..domain.privacy import PERSONAL_FIELDS, PostedHousehold
from ..domain.programmes import DEFAULT, PROGRAMMES, amount_field, amount_of, parts_of
from ..domain.programmes import programme as programme_of
from ..domain.statistics import PartBenefit, part_in_force
from ..gcpause import gc_paused
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
from . import lookup, roles
from .audit import record_export
from .context import AppContext
from .office import OfficeService
from .paid import paid_cases
from .print_context import SEXES, blank_context, case_context, linked_stop, rmb_upper, yuan_text

if TYPE_CHECKING:
    from ..storage.repo import ChangedValues

__all__ = ["PrintService", "rmb_upper", "shipped_templates", "workflow_documents"]

# Documents that print full ID numbers: each printing is an export recorded in the audit trail.
PERSONAL_KINDS = frozenset({"application_form", "authorization", "verification_request", "home_visit_form",
                            "self_care_form", "care_agreement", "change_report", "roster"})
# Forms a family fills by hand before anything is registered: printable blank.
BLANK_KINDS = ("application_form", "income_statement")

POSTING_DAYS = 7
CATEGORY_LABELS = {"new": "新增", "renew": "续保", "adjust": "调整", "stop": "停保"}


def shipped_templates() -> Path:
    """The shipped print_templates/ folder (beside workflows/ and forms/)."""
    return default_root() / TEMPLATES_DIR


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
        """What the case page offers: this step's documents first, then the other documents its
        workflow names (in the order of the procedure), then the 案件档案.

        Each entry: kind, title, scope (``case`` or ``village``), ``current_step`` and whether it can
        be printed now (``available``, with ``reason`` when not).
        """
        with self.ctx.db.unit_of_work() as uow:
            case = self._case(uow, case_ref)
            spec = self._spec(case)
            try:
                documents = spec.state(case.state).documents if spec else ()
            except KeyError:
                documents = ()
            step_docs = [d for d in documents if d in KINDS]
            out = []
            seen = set()
            for kind in [*step_docs, *workflow_documents(spec), "case_file"]:
                if kind in seen or kind not in KINDS or KINDS[kind].scope == "area":
                    continue
                seen.add(kind)
                reason = self._unavailable(uow, case, kind)
                out.append({"kind": kind, "title": document_title(kind, case.programme), "scope": KINDS[kind].scope,
                            "current_step": kind in step_docs, "available": reason is None, "reason": reason})
            return out

    # --- case documents ---
    @gc_paused()
    def case_document(self, case_ref: str | int, kind: str, actor: str | None = None) -> bytes:
        """One document of a case (a village list for the case's village where the kind is one).
        Documents with ID numbers are logged as exports (privacy: services/audit.py)."""
        if kind == "case_file":
            return self.case_file(case_ref, actor)
        if kind not in KINDS:
            raise InputError(f"没有这种文书「{kind}」（可选：{'、'.join(KINDS)}）", "kind")
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
            name = document_title(kind, case.programme)
            pdf = render(Part(kind, context), config, title=f"{name}（{case.number}）",
                         author=context["office"]["name"])
            if kind in PERSONAL_KINDS:
                record_export(uow, self.ctx, actor or "system", f"{name}（{case.number}）",
                              fields=[PERSONAL_FIELDS["id_number"]], cases=[case.number])
            return pdf

    @gc_paused()
    def blank_document(self, kind: str, programme: str = DEFAULT, township: str | None = None,
                       actor: str | None = None) -> bytes:
        """A blank form to fill by hand before anything is registered (申请书, 收入及财产申报表)."""
        if kind not in BLANK_KINDS:
            raise InputError(f"只有{'、'.join(KINDS[k].title for k in BLANK_KINDS)}可以打印空白表", "blank")
        if programme not in PROGRAMMES:
            raise InputError(f"未知的救助项目「{programme}」（可选：{'、'.join(PROGRAMMES)}）", "programme")
        with self.ctx.db.unit_of_work() as uow:
            user = lookup.actor(uow, actor) if actor else None
            if township and user is not None:
                lookup.check_village_scope(uow, user, township)
            office = self.office.details_in(uow, township or (user.area_code if user else None))
            context = blank_context(self.ctx, programme, office)
            return render(Part(kind, context), self._config(uow), title=f"{KINDS[kind].title}（空白）",
                          author=office["name"])

    @gc_paused()
    def case_file(self, case_ref: str | int, actor: str | None = None) -> bytes:
        """案件档案: the case's documents in the order its workflow names them, behind a cover,
        numbered through (a 停保 case: its proposal, approval form and 停发通知书)."""
        with self.ctx.db.unit_of_work() as uow:
            case = self._case(uow, case_ref, actor)
            context = self._case_context(uow, case)
            parts = []
            for kind in workflow_documents(self._spec(case)):
                if kind not in KINDS or KINDS[kind].scope != "case" and kind != "posting_list":
                    continue
                if self._unavailable(uow, case, kind):
                    continue
                if kind == "posting_list":
                    for batch in self._case_batches(uow, case):
                        data = self._posting_data(uow, case.village_code, batch, case.programme)
                        day = dt.date.fromisoformat(batch)
                        parts.append(Part(kind, data, f"初审公示名单（{day.year}年{day.month}月{day.day}日）"))
                    continue
                parts.append(Part(kind, context))
            if not parts:
                raise DomainError(f"案件 {case.number} 还没有可以归档的文书")
            pdf = render_case_file(context, parts, self._config(uow), author=context["office"]["name"])
            record_export(uow, self.ctx, actor or "system", f"案件档案（{case.number}）",
                          fields=[PERSONAL_FIELDS["id_number"]], cases=[case.number])
            return pdf

    def _approved(self) -> dict[str, list[str]]:
        return roles.ending(self.ctx.engines, "approved")

    def _spec(self, case: Case):
        engine = self.ctx.engines.get(case.workflow_id)
        return engine.spec if engine else None

    def _unavailable(self, uow, case: Case, kind: str) -> str | None:
        """Why a document cannot be printed for this case yet, or None."""
        forms = case.forms
        d = case.decision or {}
        prog = programme_of(case.programme)
        spec = self._spec(case)
        outcome = roles.case_outcome(self.ctx.engines, case)

        def in_step(form_id: str) -> bool:
            """The current step fills this form: its document can be printed blank to fill by hand."""
            try:
                return spec is not None and form_id in spec.state(roles.current_state(spec, case.state)).forms
            except KeyError:
                return False

        if kind in ("acceptance_notice", "correction_notice", "not_accepted_notice") and case.kind != "application":
            return "复核、变更和停保由乡镇依职权启动，不出具受理、补正或不予受理文书"
        if spec is not None and kind not in workflow_documents(spec) and kind not in ("case_file", "publication_list"):
            return f"「{spec.title}」的办理流程不出具此文书"
        if kind == "acceptance_notice" and not case.accepted_on:
            return "尚未受理"
        if kind == "correction_notice" and not forms.get("correction_notice"):
            return "没有补正告知记录"
        if kind == "not_accepted_notice" and d.get("result") != "not_accepted":
            return "未作出不予受理决定"
        if kind in ("home_visit_form", "neighbour_record", "verification_request", "self_care_form") \
                and case.kind == "application" and not case.accepted_on:
            return "尚未受理"
        if kind == "neighbour_record" and not forms.get("neighbour_visit") and not in_step("neighbour_visit"):
            return "没有邻里访问记录"
        if kind == "home_visit_form" and not forms.get("home_visit") and not in_step("home_visit"):
            return "没有入户调查记录"
        if kind == "self_care_form" and not forms.get("self_care") and not in_step("self_care"):
            return "没有生活自理能力评估记录"
        if kind == "care_agreement":
            mode = (forms.get("supply_arrangement") or {}).get("mode")
            if mode == "centralised":
                return "集中供养，不签订委托照料协议"
            if mode != "dispersed" and not in_step("supply_arrangement"):
                return "尚未确定分散供养"
        if kind == "review_record" and not forms.get("democratic_review") and not in_step("democratic_review"):
            return "未组织民主评议"
        if kind == "preliminary_opinion_form" and not forms.get("preliminary_opinion") \
                and not in_step("preliminary_opinion"):
            return "尚未提出初审意见"
        if kind == "objection_record" and not forms.get("objection"):
            return "公示期间没有登记异议"
        if kind == "county_visit_form" and not forms.get("county_visit") and not in_step("county_visit"):
            return "未进行县级入户核查"
        if kind == "first_aid_record" and not forms.get("first_aid"):
            return "未先行救助"
        if kind == "collective_record" and not forms.get("collective_decision"):
            return "未经“一事一议”集体研究"
        if kind == "approval_form" and not case.proposal and case.kind != "termination":
            return "尚未测算拟保障金额（调查完成后进入乡镇初审时测算）"
        if kind in ("confirmation_notice", "certificate") and d.get("result") != "approved":
            return "尚未确认"
        if kind == "certificate" and not prog.monthly:
            return f"{prog.name}为一次性救助，不发救助证"
        if kind == "refusal_notice" and d.get("result") != "refused":
            return "未作出不予确认决定"
        if kind == "adjustment_notice" and outcome != "decided":
            return "尚未作出复核（变更）决定"
        if kind == "termination_notice" and outcome != "terminated":
            return "尚未决定停保"
        if kind == "linked_stop_notice" and linked_stop(prog, case.benefit) is None:
            return "没有随低保、特困状态变化停发的补贴"
        if kind == "termination_proposal" and not forms.get("termination"):
            return "没有停保登记"
        if kind == "change_report" and not forms.get("change_report"):
            return "没有家庭情况变化记录"
        if kind == "posting_list" and not self._case_batches(uow, case):
            return "尚未发布初审公示"
        if kind == "publication_list":
            if not prog.posted:
                return f"{prog.name}不张榜公布"
            if not prog.monthly:
                return f"{prog.name}为一次性救助，不设长期公布名单"
            if not paid_cases(uow, case.village_code, case.programme, self.ctx.today(), self._approved()):
                return f"本村没有在保的{prog.name}家庭"
        if kind == "roster":
            return "花名册按村或乡镇打印"
        return None

    # --- village and township lists ---
    # Every list is scoped like a case action: with an actor, a village outside the actor's area is
    # refused ("不在用户…的辖区内"); without one (set-up on the command line) all villages are open.
    def posting_batches(self, village_code: str, programme: str = DEFAULT,
                        actor: str | None = None) -> list[dict[str, Any]]:
        """The 公示 batches of a village, newest first: batch id (start date), period, households,
        whether the period has ended and which batch is printed by default (``current``)."""
        with self.ctx.db.unit_of_work() as uow:
            self._village(uow, village_code, actor)
            counts = self._batch_counts(uow, village_code, programme)
            default = _default_batch(counts, self.ctx.today()) if counts else None
            out = []
            for batch in sorted(counts, reverse=True):
                start = dt.date.fromisoformat(batch)
                end = start + dt.timedelta(days=POSTING_DAYS - 1)
                households, in_posting = counts[batch]
                out.append({"batch": batch, "start": batch, "end": end.isoformat(),
                            "households": households, "ended": end < self.ctx.today(), "current": batch == default,
                            "in_posting": in_posting})
            return out

    def posting_list(self, village_code: str, batch: str | None = None, programme: str = DEFAULT,
                     actor: str | None = None) -> bytes:
        """初审公示名单 of one village and batch (default: the current one)."""
        return self.posting_lists([(village_code, batch)], programme=programme, actor=actor)

    @gc_paused()  # gathering too: a long list's rows are many objects (doudi_desk/gcpause.py)
    def posting_lists(self, villages: Iterable[str | tuple[str, str | None]], programme: str = DEFAULT,
                      actor: str | None = None) -> bytes:
        """Several villages' 公示 lists in one PDF, each starting on a new page numbered from 1."""
        with self.ctx.db.unit_of_work() as uow:
            parts = []
            for item in villages:
                code, batch = (item, None) if isinstance(item, str) else item
                self._village(uow, code, actor)
                data = self._posting_data(uow, code, batch, programme)
                parts.append(Part("posting_list", data, data.title))
            if not parts:
                raise InputError("请至少选择一个村（社区）", "village")
            return render(parts, self._config(uow), restart_numbers=True)

    def publication_list(self, village_code: str, programme: str = DEFAULT, actor: str | None = None) -> bytes:
        """长期公布名单: the village's households receiving a monthly benefit, name, size and amount only."""
        return self.publication_lists([village_code], programme=programme, actor=actor)

    @gc_paused()
    def publication_lists(self, villages: Iterable[str], programme: str = DEFAULT, actor: str | None = None) -> bytes:
        with self.ctx.db.unit_of_work() as uow:
            parts = []
            for code in villages:
                self._village(uow, code, actor)
                parts.append(Part("publication_list", self._publication_data(uow, code, programme)))
            if not parts:
                raise InputError("请至少选择一个村（社区）", "village")
            return render(parts, self._config(uow), restart_numbers=True)

    @gc_paused()
    def roster(self, area_code: str, programme: str = DEFAULT, actor: str | None = None) -> bytes:
        """花名册 of a village or a township: internal, with ID numbers; never for posting."""
        with self.ctx.db.unit_of_work() as uow:
            area = uow.areas.get(area_code)
            if area is None or area.level not in ("village", "township"):
                raise InputError(f"没有村（社区）或乡镇「{area_code}」", "village")
            user = lookup.actor(uow, actor) if actor else None
            if user is not None:
                lookup.check_village_scope(uow, user, area.code)
            villages = [area] if area.level == "village" else uow.areas.children(area.code, level="village")
            prog = programme_of(programme)
            month_now = self.ctx.today().isoformat()[:7]
            households = []
            totals = {"households": 0, "members": 0, "covered": 0, "amount": Decimal(0)}
            for village in villages:
                paid = paid_cases(uow, village.code, programme, self.ctx.today(), self._approved())
                found = uow.households.get_many(p.household_id for p in paid)
                for p in paid:
                    case, h = p.case, found[p.household_id]
                    covered = len(p.covered)
                    amount = Decimal(str((p.monthly_amount if prog.monthly else amount_of(programme, case.decision))
                                         or 0))
                    row = {
                        "village": village.name, "head": h.head.name, "size": len(h.members), "covered": covered,
                        "amount": amount, "start_month": p.start_month, "phone": h.phone,
                        "bank_name": h.bank_name, "bank_account": h.bank_account,
                        "members": [{"name": m.name, "relation": RELATIONS.get(m.relation, m.relation), "sex": SEXES.get(m.sex, m.sex),
                                     "birth_date": m.birth_date.isoformat(), "id_number": m.id_number}
                                    for m in h.members],
                    }
                    if prog.parts:  # a person's allowances: the person, each allowance paid now
                        person = next((m for m in h.members if m.applicant), h.head)
                        row["person"] = {"name": person.name, "sex": SEXES.get(person.sex, person.sex),
                                         "birth_date": person.birth_date.isoformat(), "id_number": person.id_number,
                                         "disability": person.disability.label if person.disability else "",
                                         "certificate_number": person.certificate_number}
                        # what is paid this month (a part stopped by a link from next month is paid now), or
                        # from the first month for a benefit that starts later
                        history = tuple(e for e in ((case.benefit or {}).get("history") or []) if isinstance(e, dict))
                        since = (case.benefit or {}).get("since_month") or month_now
                        now = part_in_force(PartBenefit(case.id, village.code, history, {}), max(month_now, since))
                        row["parts"] = {k: str(v) for k, v in now.items()} if history else \
                            {k: v for k, v in parts_of(programme, case.decision).items() if Decimal(str(v or 0)) > 0}
                        row["amount"] = sum((Decimal(v) for v in row["parts"].values()), Decimal(0))
                    households.append(row)
                    totals["households"] += 1
                    totals["members"] += len(h.members)
                    totals["covered"] += covered
                    totals["amount"] += row["amount"]
            if not households:
                raise DomainError(f"{area.name}没有在保家庭，花名册为空")
            parts = [{"code": part.code, "label": part.label,
                      "persons": sum(1 for row in households if part.code in row.get("parts", {}))}
                     for part in prog.parts]
            data = {"area": {"code": area.code, "name": area.name}, "programme_label": prog.name, "parts": parts,
                    "amount_heading": prog.heading(), "amount_label": prog.amount_label,
                    "office": self.office.details_in(uow, area.code if area.level == "township" else area.parent_code),
                    "issued_on": self.ctx.today(), "households": households, "totals": totals,
                    "prepared_by": user.full_name if user else ""}
            pdf = render(Part("roster", data), self._config(uow), title=f"{area.name}{document_title('roster', prog.code)}")
            fields = [PERSONAL_FIELDS["id_number"]] + (
                [PERSONAL_FIELDS["bank_account"]] if any(h["bank_account"] for h in households) else [])
            record_export(uow, self.ctx, actor or "system", f"{area.name}花名册", fields=fields,
                          area=area.code, rows=totals["members"])
            return pdf

    # --- one entry point for the command line ---
    def render_kind(self, kind: str, *, case: str | None = None, villages: Sequence[str] = (),
                    batch: str | None = None, actor: str | None = None, programme: str = DEFAULT) -> bytes:
        """Dispatch ``doudi-admin print KIND --case ID | --village CODE [--batch ID]``."""
        if kind not in KINDS:
            raise InputError(f"没有这种文书「{kind}」（可选：{'、'.join(KINDS)}）", "kind")
        scope = KINDS[kind].scope
        if scope == "payroll":
            raise InputError(f"{KINDS[kind].title}按发放名册打印：doudi-admin payroll print 名册编号 {kind}", "kind")
        if case is not None:
            if villages:
                raise InputError("按案件打印时不能同时指定村（社区）", "village")
            if scope == "area":
                raise InputError(f"{KINDS[kind].title}按村或乡镇打印，请指定村（社区）", "village")
            return self.case_document(case, kind, actor)
        if not villages:
            raise InputError(f"{KINDS[kind].title}须指定{'案件' if scope == 'case' else '村（社区）'}",
                             "case" if scope == "case" else "village")
        if scope == "case":
            raise InputError(f"{KINDS[kind].title}按案件打印，请指定案件", "case")
        if batch and kind != "posting_list":
            raise InputError("批次只用于初审公示名单（posting_list）", "batch")
        if kind == "posting_list":
            if batch and len(villages) > 1:
                raise InputError("指定批次时只能给一个村（社区）", "batch")
            return self.posting_lists([(v, batch) for v in villages], programme=programme, actor=actor)
        if kind == "publication_list":
            return self.publication_lists(villages, programme=programme, actor=actor)
        if len(villages) > 1:
            raise InputError("花名册一次打印一个村或乡镇", "village")
        return self.roster(villages[0], programme=programme, actor=actor)

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

    def _village(self, uow, code: str, actor: str | None = None):
        area = uow.areas.get(code)
        if area is None or area.level != "village":
            raise InputError(f"没有村（社区）「{code}」", "village")
        if actor:
            lookup.check_village_scope(uow, lookup.actor(uow, actor), code)
        return area

    def _batch_counts(self, uow, village_code: str, programme: str) -> dict[str, tuple[int, int]]:
        """batch id → (rows posted, of which the case is still in 公示) for a village: one grouped
        query over the 公示 events, no case read."""
        counts: dict[str, list[int]] = {}
        for day, workflow, state, n in uow.cases.event_dates(POSTING_TRIGGER, village_code=village_code,
                                                             programme=programme):
            entry = counts.setdefault(day.isoformat(), [0, 0])
            entry[0] += n
            if roles.plays(self.ctx.engines, workflow, state, "posting"):
                entry[1] += n
        return {batch: (n, posting) for batch, (n, posting) in counts.items()}

    def _batch(self, uow, village_code: str, programme: str, batch: str
               ) -> tuple[list[PostedRow], frozenset[str]]:
        """The rows of one 公示 batch of a village as posted then, in case order, and the values of
        those households no posted list may print: the batch's postings with what each posted (the
        posting event's ``posted`` values, domain/posting.py) in one query, their households in two,
        whatever the village's size, never one per case. A case posted before events kept those
        values is read from its earlier events' changes (one more query for all such cases)."""
        day = dt.date.fromisoformat(batch)
        postings = uow.cases.events_on(POSTING_TRIGGER, village_code=village_code, programme=programme, on=day,
                                       data={(POSTED, key): kind for key, kind in POSTED_VALUES.items()})
        covered = list(POSTED_VALUES).index("covered")  # never None when the event keeps its values
        older = sorted({p[0] for p in postings if p[4 + covered] is None})
        # only what _posted_rows reads: the posting itself and the changes of the proposal and opinion,
        # each value taken out by the database (a proposal's explanation is never decoded here)
        events = uow.events.changed_values(older, triggers=(POSTING_TRIGGER,), keys=posted_keys(programme),
                                           data=POSTED_DATA) if older else {}
        households = uow.households.posted_where([p[3] for p in postings])
        rows = []
        for i, (case_id, kind, prog, household_id, *values) in enumerate(postings):
            if case_id in events:
                if i and postings[i - 1][0] == case_id:
                    continue  # an older case posted twice that day: its rows were all taken at its first
                rows += self._posted_rows(kind, prog, events[case_id], households[household_id], batch)
            else:
                rows.append(_posted_row(kind, households[household_id], **dict(zip(POSTED_VALUES, values,
                                                                                  strict=True))))
        private = frozenset().union(*(households[p[3]].private for p in postings))
        return rows, private

    @staticmethod
    def _case_batches(uow, case: Case) -> list[str]:
        """The 公示 batches a case was posted in (the days of its 初审公示 events)."""
        return sorted({e.effective_date.isoformat() for e in uow.events.list(case.id) if e.trigger == POSTING_TRIGGER})

    @staticmethod
    def _posted_rows(kind: str, programme: str, events: list[ChangedValues], household: PostedHousehold,
                     batch: str) -> list[PostedRow]:
        """A row for each time a case was posted in ``batch``, with the proposal and opinion of then,
        from the changes of its events (for postings whose event does not keep its ``posted`` values)."""
        amount_key = _posted_amount_key(programme)
        out = []
        state: dict[str, Any] = {}
        for e in events:
            state.update(e.after)  # the fields of posted_keys this event changed, as they were after it
            if e.trigger != POSTING_TRIGGER or e.effective_date.isoformat() != batch:
                continue
            posted_category, posted_opinion = e.data  # the 初审意见 the posting carried (POSTED_DATA)
            out.append(_posted_row(kind, household,
                                   category=posted_category or state.get("forms.preliminary_opinion.category"),
                                   opinion=posted_opinion or state.get("forms.preliminary_opinion.opinion"),
                                   amount=state.get(amount_key), covered=state.get("proposal.covered"),
                                   eligible=state.get("proposal.eligible", True)))
        return out

    @staticmethod
    def _posted(programme: str):
        """The programme, refused when its cases are not posted in the village (两项补贴)."""
        prog = programme_of(programme)
        if not prog.posted:
            raise DomainError(f"{prog.name}不在村（社区）张榜公示或公布，请打印{document_title('roster', prog.code)}")
        return prog

    def _posting_data(self, uow, village_code: str, batch: str | None, programme: str) -> PostedList:
        village = self._village(uow, village_code)
        prog = self._posted(programme)
        rows: list[PostedRow] = []
        asked = batch
        if batch:
            try:
                batch = dt.date.fromisoformat(batch).isoformat()
            except ValueError:
                batch = None
            else:
                rows, private = self._batch(uow, village_code, programme, batch)
        if not rows:  # no batch asked, or none posted that day: the village's batches are counted
            counts = self._batch_counts(uow, village_code, programme)
            if not counts:
                raise DomainError(f"{village.name}没有发布过初审公示的{prog.name}案件")
            if asked and batch is None:
                raise InputError(f"批次为公示开始日期（YYYY-MM-DD）：{asked}", "batch")
            if asked:
                have = "、".join(sorted(counts, reverse=True)[:8])
                raise InputError(f"{village.name}没有 {batch} 开始的初审公示（已有批次：{have}）", "batch")
            batch = _default_batch(counts, self.ctx.today())
            rows, private = self._batch(uow, village_code, programme, batch)
        start = dt.date.fromisoformat(batch)
        end = start + dt.timedelta(days=POSTING_DAYS - 1)
        office = self.office.details_in(uow, village.parent_code)
        return PostedList(
            title=f"{village.name}{prog.name}初审公示",
            village=village.name,
            township=office["township"],
            office=_posted_office(office),
            issued_on=start,
            rows=tuple(rows),
            start=start,
            end=end,
            programme=prog.name,
            batch=batch,
            amount_heading=prog.heading(proposed=True),
            grant=prog.grant,
            ended=end < self.ctx.today(),
            private=private,
        )

    def _publication_data(self, uow, village_code: str, programme: str) -> PostedList:
        village = self._village(uow, village_code)
        prog = self._posted(programme)
        paid = paid_cases(uow, village_code, programme, self.ctx.today(), self._approved())
        households = uow.households.posted_where(sorted({p.household_id for p in paid}))
        rows = [PostedRow(name=households[p.household_id].head, members=households[p.household_id].size,
                          covered=len(p.covered), amount=yuan_text(p.monthly_amount)) for p in paid]
        private = frozenset().union(*(h.private for h in households.values()))
        if not rows:
            raise DomainError(f"{village.name}没有在保的{prog.name}家庭")
        office = self.office.details_in(uow, village.parent_code)
        return PostedList(
            title=f"{village.name}{prog.name}对象公布名单",
            village=village.name, township=office["township"], office=_posted_office(office),
            issued_on=self.ctx.today(), rows=tuple(rows), programme=prog.name,
            amount_heading=prog.heading(), grant=prog.grant, private=private,
        )

    def _case_context(self, uow, case: Case) -> dict[str, Any]:
        """Everything the case documents print (services/print_context.py)."""
        village = uow.areas.get(case.village_code)
        office = self.office.details_in(uow, village.parent_code if village else None)
        return case_context(self.ctx, uow, case, office)


# What a posted row is made of: the changed fields of the proposal and the 初审意见 (how each is
# read: storage EventRepository.changed_values), and the 初审意见 a posting event carries in its data.
POSTED_DATA = (("preliminary_opinion", "category"), ("preliminary_opinion", "opinion"))


def _posted_row(kind: str, household: PostedHousehold, *, category: str | None, opinion: str | None,
                amount: Any, covered: int | None, eligible: Any) -> PostedRow:
    """A posted row (its checks name the household) from what was posted. The list shows what the
    township proposes (procedures.md §1.6: its 初审意见 is posted): a proposed refusal appears as
    拟不予保障, with no persons covered and no amount."""
    refused = opinion == "refuse"
    paid = not refused and kind != "termination" and eligible
    return PostedRow(name=household.head, members=household.size, covered=(covered or 0) if paid else 0,
                     amount=yuan_text(amount) if paid else "",
                     category=CATEGORY_LABELS.get("stop" if kind == "termination" else category or "", ""),
                     refused=refused)


def _posted_amount_key(programme: str) -> str:
    """The changed field holding the programme's proposed amount (monthly or one-off)."""
    return f"proposal.{amount_field(programme_of(programme).code)}"


def posted_keys(programme: str) -> dict[str, str]:
    return {_posted_amount_key(programme): "text", "proposal.covered": "count",
            "proposal.eligible": "bool", "forms.preliminary_opinion.category": "text",
            "forms.preliminary_opinion.opinion": "text"}


def workflow_documents(spec) -> list[str]:
    """The documents a workflow names, in the order of its states; a document named at several
    steps (the 审核审批表) is placed at the last, where it is complete."""
    if spec is None:
        return []
    order: list[str] = []
    for state in spec.states:
        for kind in state.documents:
            if kind in order:
                order.remove(kind)
            order.append(kind)
    return order


def _default_batch(found: Mapping[str, Any], today: dt.date) -> str:
    """The current 公示 batch of a village: the newest whose period has begun (its period running
    today, or the last one that ran); a case left in 公示 from an older batch does not pull the
    default back to it."""
    begun = [b for b in found if dt.date.fromisoformat(b) <= today]
    return max(begun or found)


def _posted_office(office: Mapping[str, str]) -> PostedOffice:
    return PostedOffice(name=office["name"], phone=office["phone"], address=office["address"],
                        seal_text=office["seal_text"])
