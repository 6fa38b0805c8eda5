"""What a case document prints, gathered from the case record (print_templates/README.md, "Case documents").

Every opinion printed is the one recorded, or a sentence built from what was recorded: which
investigations were made and what they found, the township's choice and its category, the decision
with its amount, months and reasons. Nothing is a constant; a recorded comment that contradicts the
recorded choice ("拟不同意" with "…拟同意") is not joined to it. Amounts come from the programme
registry (:mod:`doudi_desk.domain.programmes`): a one-off 临时救助 amount is never called monthly.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from ..domain.household import TEMPORARY_TYPES
from ..domain.model import COUNTED_INCOME, EXPENSE_KINDS, INCOME_TYPES, RELATIONS, Case, Household
from ..domain.policy import CARE_LEVELS
from ..domain.programmes import Programme, amount_of, failure_label, parts_of, programme
from .lifecycle import RESULTS as REVIEW_RESULTS
from .lookup import state_label

log = logging.getLogger(__name__)

BASIS_LABELS = {"household": "按户补差", "single_person": "单人户", "person": "按人"}
APPROVAL_LEVELS = {"township": "乡镇审批", "county": "县级审批", "county_collective": "县级“一事一议”集体研究"}
DECISION_LABELS = {"approved": "同意", "refused": "不同意", "not_accepted": "不予受理", "withdrawn": "撤回"}
SEXES = {"M": "男", "F": "女"}
KIND_LABELS = {"application": "申请", "review": "复核", "change": "变更", "termination": "停保"}
SELF_CARE_ITEMS = ("eating", "dressing", "transfer", "toileting", "walking", "bathing")
# Triggers of the steps whose actor signs a block of the 审核审批表.
INVESTIGATED = ("complete_investigation",)
REVIEWED = ("submit_to_county", "submit_for_decision", "submit_for_township_approval", "post_notice")
_APPROVES = re.compile(r"(?<![不未])(拟同意|同意)")
_REFUSES = re.compile(r"不同意|不予(保障|救助|认定|确认|纳入)")


def yuan_text(value: Any) -> str:
    """1079.00 → 1079, 1005.5 → 1005.50 ("" for none)."""
    if value in (None, ""):
        return ""
    d = Decimal(str(value))
    return f"{d:.0f}" if d == d.to_integral_value() else f"{d:.2f}"


def cn_day(value: Any) -> str:
    if not value:
        return ""
    d = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    return f"{d.year}年{d.month}月{d.day}日"


def cn_month(value: Any) -> str:
    if not value or len(str(value)) < 7:
        return ""
    year, month = str(value)[:7].split("-")
    return f"{int(year)}年{int(month)}月"


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


def contradicts(opinion: str, comment: str) -> bool:
    """A comment that says the opposite of the recorded choice (approve / refuse)."""
    if opinion == "refuse":
        return bool(_APPROVES.search(comment))
    if opinion == "approve":
        return bool(_REFUSES.search(comment))
    return False


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in "。！？" else text + "。"


class Labels:
    """Choice labels of the form definitions: ``labels("home_visit", "conclusion", "meets")``."""

    def __init__(self, definitions):
        self.forms = definitions.forms

    def __call__(self, form_id: str, field: str, value: Any, default: str = "") -> str:
        spec = self.forms.get(form_id)
        f = spec.field(field) if spec else None
        if f is None or value in (None, ""):
            return default
        return next((c.label for c in f.choices if c.value == value), str(value))

    def title(self, form_id: str) -> str:
        spec = self.forms.get(form_id)
        return spec.title if spec else ""


def _people(raw: Any) -> list[dict[str, str]]:
    return [{"name": str(p.get("name", "")), "role": str(p.get("role") or "")}
            for p in raw or [] if isinstance(p, Mapping)]


def case_context(ctx, uow, case: Case, office: Mapping[str, str]) -> dict[str, Any]:
    """Everything the case documents print, as plain JSON-like data."""
    h = uow.households.get(case.household_id)
    village = uow.areas.get(case.village_code)
    users = {u.username: u.full_name for u in uow.users.all()}
    events = uow.events.list(case.id)
    engine = ctx.engines.get(case.workflow_id)
    spec = engine.spec if engine else None
    prog = programme(case.programme)
    label = Labels(ctx.definitions)
    forms = case.forms
    parent = uow.cases.get(case.parent_case_id) if case.parent_case_id else None

    def last(triggers: Sequence[str]):
        return next((e for e in reversed(events) if e.trigger in triggers), None)

    def who(username: str | None) -> str:
        return users.get(username or "", username or "")

    def names(indexes) -> list[str]:
        return [h.members[i].name for i in indexes or [] if isinstance(i, int) and 0 <= i < len(h.members)]

    proposal = _proposal(case, prog, names)
    decision = _decision(case, prog, forms, label, who, names, parent)
    benefit_record = parent.benefit if parent else case.benefit
    coverage = _coverage(case, proposal, decision, parent, names)
    application = _application(case, spec, forms, label, events, parent)
    temporary = _temporary(h, forms, label)
    visit_raw = forms.get("home_visit") or {}
    visit = {
        "visit_date": visit_raw.get("visit_date"),
        "investigators": [p["name"] for p in _people(visit_raw.get("investigators"))],
        "family_present": visit_raw.get("family_present") or "",
        "living_conditions": visit_raw.get("living_conditions") or "",
        "conclusion": visit_raw.get("conclusion") or "",
        "conclusion_label": label("home_visit", "conclusion", visit_raw.get("conclusion"), "未调查"),
        "remarks": visit_raw.get("remarks") or "",
    }
    ver = forms.get("verification") or {}
    verification = {
        "requested_on": ver.get("requested_on"),
        "checked": [label("verification", "items_checked", v) for v in ver.get("items_checked") or []],
        "result": ver.get("result") or "",
        "result_label": label("verification", "result", ver.get("result"), "未核对"),
        "findings": ver.get("findings") or "",
    }
    opinion_raw = forms.get("preliminary_opinion") or {}
    opinion = {
        "value": opinion_raw.get("opinion") or "",
        "opinion": label("preliminary_opinion", "opinion", opinion_raw.get("opinion")),
        "category": label("preliminary_opinion", "category", opinion_raw.get("category")),
        "comment": opinion_raw.get("comment") or "",
    }
    if case.county_delegated or (case.decision or {}).get("approval_level") == "township" \
            or (case.proposal or {}).get("approval_level") == "township":
        # decided by the township: delegated, or 临时救助 within the township's amount
        issuer = {"name": office["name"], "seal_text": office["seal_text"], "via": "", "level": "乡镇"}
    else:
        issuer = {"name": office["county_office"], "seal_text": office["county_office"], "via": office["name"],
                  "level": "县级"}
    signoffs = _signoffs(case, prog, forms, label, visit, verification, opinion, proposal, decision, issuer,
                         last, who, events)
    limit = 20 if case.county_delegated else 30
    if spec:
        limit = (spec.delegated_limit_wd if case.county_delegated else spec.total_limit_wd) or limit
    counted = set(h.counted_indexes())
    covered_idx = set(coverage["indexes"])
    members = [{
        "name": m.name, "relation": RELATIONS.get(m.relation, m.relation), "sex": SEXES.get(m.sex, m.sex),
        "birth_date": m.birth_date.isoformat(), "id_number": m.id_number,
        "health": "重病" if m.serious_illness else "健康",
        "disability": m.disability.label if m.disability else "",
        "work_capacity": m.work_capacity or "", "student": m.student, "applicant": m.applicant,
        "excluded": bool(m.excluded), "counted": i in counted, "covered": i in covered_idx,
    } for i, m in enumerate(h.members)]

    def member_name(index: int | None) -> str:
        return h.members[index].name if index is not None and 0 <= index < len(h.members) else "家庭共有"

    income = [{"type": INCOME_TYPES.get(i.type, i.type), "member": member_name(i.member), "amount": str(i.amount),
               "counted": i.type in COUNTED_INCOME, "note": i.note} for i in h.income]
    rigid = [{"kind": EXPENSE_KINDS.get(r.kind, r.kind), "member": member_name(r.member), "amount": str(r.amount),
              "note": r.note} for r in h.rigid_expenses]
    return {
        "blank": False,
        "office": office,
        "issuer": issuer,
        "programme": _programme(prog),
        "case": {
            "id": case.id, "number": case.number, "programme": case.programme, "programme_label": prog.name,
            "kind": case.kind, "kind_label": KIND_LABELS.get(case.kind, case.kind),
            "parent_number": parent.number if parent else "",
            "state": case.state, "state_label": state_label(ctx.engines, case.workflow_id, case.state),
            "applied_on": case.applied_on, "accepted_on": case.accepted_on, "total_deadline": case.total_deadline,
            "limit_wd": limit, "delegated": case.county_delegated,
        },
        "household": {
            "head": h.head.name, "applicant": next((m.name for m in h.members if m.applicant), h.head.name),
            "size": len(h.members), "counted": len(counted),
            "village": village.name if village else case.village_code, "township": office["township"],
            "address": h.address, "phone": h.phone, "bank_name": h.bank_name, "bank_account": h.bank_account,
            "members": members, "income": income, "rigid": rigid,
            "assets": {"financial": str(h.assets.financial), "vehicles": len(h.assets.vehicles),
                       "disability_vehicles": sum(1 for v in h.assets.vehicles if v.disability_vehicle),
                       "homes": h.assets.homes, "commercial_property": h.assets.commercial_property},
        },
        "coverage": {"count": len(coverage["indexes"]) if coverage["known"] else None, "names": names(coverage["indexes"])},
        "benefit": _benefit(prog, benefit_record),
        "parts": _parts(prog, case.proposal, case.decision, benefit_record),
        "linked": linked_stop(prog, benefit_record),
        "forms": forms_view(forms, label),
        "applicant": _applicant(h),
        "people": {"caseworker": who(case.created_by)},
        "application": application,
        "verification": verification,
        "correction": _correction(forms, label, last),
        "visit": visit,
        "neighbour": _neighbour(forms),
        "review": _review(forms),
        "opinion": opinion,
        "objection": _objection(forms),
        "county_visit": _county_visit(forms, label),
        "supporters": _supporters(forms, label),
        "self_care": _self_care(forms, label),
        "supply": _supply(forms, label),
        "temporary": temporary,
        "change": _change(forms, label),
        "termination": _termination(forms, label),
        "proposal": proposal,
        "decision": decision,
        "signoffs": signoffs,
        "printed_on": ctx.today(),
    }


# --- sections ---------------------------------------------------------------------------------

def _programme(prog: Programme) -> dict[str, Any]:
    return {"code": prog.code, "name": prog.name, "monthly": prog.monthly, "amount_label": prog.amount_label,
            "unit": prog.unit, "heading": prog.heading(), "proposed_heading": prog.heading(proposed=True),
            "grant": prog.grant, "person_based": prog.person_based, "has_parts": bool(prog.parts),
            "part_labels": [p.label for p in prog.parts]}


def _parts(prog: Programme, proposal, decision, benefit) -> list[dict[str, Any]]:
    """A programme paid as several allowances: each one's label, the amount proposed, decided and
    paid now (the benefit record: a part stopped by the 低保's stop shows 0)."""
    proposed, decided, paid = (parts_of(prog.code, r) for r in (proposal, decision, benefit))
    return [{"code": p.code, "label": p.label, "proposed": yuan_text(proposed.get(p.code)),
             "decided": yuan_text(decided.get(p.code)), "paid": yuan_text(paid.get(p.code)),
             "granted": Decimal(str(decided.get(p.code) or proposed.get(p.code) or 0)) > 0}
            for p in prog.parts]


def linked_stop(prog: Programme, benefit: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The latest stop that followed another programme's status (services/linkage.py): when, why,
    which allowances stopped with their amounts and which go on; None when there was none."""
    entries = [h for h in (benefit or {}).get("history") or [] if isinstance(h, Mapping) and h.get("linked")]
    if not entries:
        return None
    h = entries[-1]
    link = h["linked"]
    previous = link.get("previous") or {}
    now = h.get("parts") or {}
    labels = {p.code: p.label for p in prog.parts}
    stopped = [{"label": labels.get(k, k), "amount": previous.get(k, "")} for k in link.get("stopped") or []]
    remaining = [] if h.get("result") == "stop" else [
        {"label": labels.get(k, k), "amount": v} for k, v in now.items() if Decimal(str(v or 0)) > 0]
    return {"month": h.get("month"), "reason": link.get("reason") or "", "source": h.get("case") or "",
            "decided_on": h.get("decided_on"), "stopped": stopped, "remaining": remaining}


def _applicant(h: Household) -> dict[str, Any] | None:
    """The member who applies for a person's benefit (特困, 两项补贴), with what the household
    editor records about them."""
    m = next((m for m in h.members if m.applicant), None)
    if m is None:
        return None
    return {"name": m.name, "id_number": m.id_number, "sex": SEXES.get(m.sex, m.sex),
            "birth_date": m.birth_date.isoformat(), "disability": m.disability.label if m.disability else "",
            "certificate": m.disability_certificate, "certificate_number": m.certificate_number,
            "long_term_care": m.long_term_care, "orphan_support": m.orphan_support,
            "work_injury_care": m.work_injury_care}


def forms_view(forms: Mapping[str, Mapping[str, Any]], label: Labels) -> dict[str, dict[str, Any]]:
    """Every form recorded on the case, each field as ``{"value", "text"}`` — the text as a reader
    writes it (a choice's label, 是/否, names, dates in Chinese) — so a programme's templates can
    print its own forms without code of their own."""
    out: dict[str, dict[str, Any]] = {}
    for form_id, data in forms.items():
        spec = label.forms.get(form_id)
        if spec is None or not isinstance(data, Mapping):
            continue
        fields: dict[str, Any] = {}
        for f in spec.fields:
            value = data.get(f.name)
            fields[f.name] = {"value": value,
                              "text": _field_text(f.type, value, lambda v, i=form_id, n=f.name: label(i, n, v))}
        out[form_id] = fields
    return out


def _field_text(kind: str, value: Any, choice: Callable[[Any], str]) -> str:
    if value in (None, "", []):
        return ""
    if kind == "choice":
        return choice(value)
    if kind == "multichoice":
        return "、".join(choice(v) for v in value) if isinstance(value, list) else str(value)
    if kind == "bool":
        return "是" if value is True else "否"
    if kind == "date":
        return cn_day(value)
    if kind == "person_list":
        return "、".join(p["name"] for p in _people(value))
    if kind == "members_table":
        return f"{len(value)}人" if isinstance(value, list) else ""
    return str(value)


def _proposal(case: Case, prog: Programme, names: Callable) -> dict[str, Any] | None:
    p = case.proposal
    if not p:
        return None
    eligible = bool(p.get("eligible"))
    return {
        "eligible": eligible, "per_capita_monthly": p.get("per_capita_monthly"),
        "monthly_amount": p.get("monthly_amount"), "amount": amount_of(prog.code, p),
        "covered_count": len(p.get("covered") or []), "covered_names": names(p.get("covered")),
        "explanation": list(p.get("explanation") or []),
        "basis_label": (BASIS_LABELS.get(p.get("basis") or "", "") if prog.monthly else "一次性发放")
        if eligible else "不符合条件",
        "failed": [failure_label(prog.code, f) for f in p.get("failed") or []],
        "approval_level": APPROVAL_LEVELS.get(p.get("approval_level") or "", ""),
        "decision_date": p.get("decision_date"),
        "status_text": p.get("status_text") or "",  # the 低保/特困 status the computation read
    }


def _decision(case: Case, prog: Programme, forms, label: Labels, who: Callable, names: Callable,
              parent: Case | None) -> dict[str, Any] | None:
    d = case.decision
    if not d:
        return None
    result = d.get("result")
    amount = amount_of(prog.code, d)
    approval = next((forms[f] for f in prog.approval_forms if forms.get(f)), {})
    rule = d.get("rule") or ""
    if result == "not_accepted":
        rule = rule or (forms.get("not_accepted") or {}).get("rule", "")
    if case.kind == "termination":
        rule = rule or (forms.get("termination") or {}).get("rule", "")
    upper = rmb_upper(amount) if amount not in (None, "") else ""
    return {
        "result": result,
        "result_label": d.get("result_label") or DECISION_LABELS.get(result or "", result or ""),
        "amount": amount, "monthly_amount": d.get("monthly_amount"),
        "previous_amount": d.get("previous_amount"),
        "start_month": d.get("start_month") or d.get("effective_month"),
        "effective_month": d.get("effective_month") or d.get("start_month"),
        "phase_out_until": d.get("phase_out_until"), "phase_out_months": d.get("phase_out_months"),
        "reasons": d.get("reasons") or "", "rule": rule,
        "comment": (approval.get("comment") or d.get("comment") or "") if result != "refused" else "",
        "decided_on": d.get("decided_on"), "decided_by": who(d.get("decided_by")),
        "covered_names": names(d.get("covered")),
        "amount_upper": upper, "amount_once_upper": upper,
        "first_aid_amount": d.get("first_aid_amount") or "",
        "form_of_help": label("temporary_approval", "form_of_help", d.get("form_of_help")),
        "parent_case": d.get("parent_case") or (parent.number if parent else ""),
        "parts": [{"label": part.label, "decided": yuan_text(amount), "granted": Decimal(str(amount or 0)) > 0}
                  for part, amount in ((prog.part(k), v) for k, v in parts_of(prog.code, d).items())],
    }


def _benefit(prog: Programme, b: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The benefit in payment (of the case a 复核, 变更 or 停保 is about): amount, persons, since when."""
    if not b:
        return None
    return {"amount": b.get("monthly_amount") if prog.monthly else None, "covered_count": len(b.get("covered") or []),
            "since_month": b.get("since_month") or "", "status": b.get("status") or ""}


def _coverage(case: Case, proposal, decision, parent: Case | None, names) -> dict[str, Any]:
    """Who is covered as the document stands: after a decision what it left in payment, before it
    what is proposed. A 渐退 keeps the persons covered until it ends; a stop leaves nobody."""
    d = case.decision or {}
    if decision:
        if decision["result"] == "stop":
            return {"indexes": [], "known": True}
        if "covered" in d:
            return {"indexes": list(d.get("covered") or []), "known": True}
        if parent and parent.benefit:
            return {"indexes": list(parent.benefit.get("covered") or []), "known": True}
    if case.proposal:
        return {"indexes": list(case.proposal.get("covered") or []), "known": True}
    if parent and parent.benefit:
        return {"indexes": list(parent.benefit.get("covered") or []), "known": True}
    return {"indexes": [], "known": False}


def _application(case: Case, spec, forms, label: Labels, events, parent: Case | None) -> dict[str, Any]:
    """The application as registered: the workflow's first form (申请书 of each programme); for a
    复核, 变更 or 停保 the reason the office opened it."""
    form_id = next(iter(spec.state(spec.initial).forms), "") if spec and case.kind == "application" else ""
    raw = forms.get(form_id) or {}
    spec_form = label.forms.get(form_id)
    channel = spec_form.field("channel") if spec_form else None
    materials = spec_form.field("materials") if spec_form else None
    out = {
        "form": form_id, "title": label.title(form_id), "reason_label": "申请理由",
        "channels": [c.label for c in channel.choices] if channel else [],
        "material_choices": [c.label for c in materials.choices] if materials else [],
        "reason": raw.get("reason") or "", "apply_date": raw.get("apply_date") or case.applied_on,
        "channel": label(form_id, "channel", raw.get("channel")),
        "materials": [label(form_id, "materials", v) for v in raw.get("materials") or []],
        "pledge_signed": bool(raw.get("pledge_signed")), "authorization_signed": bool(raw.get("authorization_signed")),
        "staff_relative_declared": bool(raw.get("staff_relative_declared")),
    }
    if case.kind == "review":
        opened = next((e for e in events if e.trigger == "create"), None)
        out |= {"reason_label": "复核事由",
                "reason": _sentence(opened.comment if opened and opened.comment else
                                    f"按复核周期对{parent.number if parent else ''}开展定期复核")}
    elif case.kind == "change":
        c = forms.get("change_report") or {}
        out |= {"reason_label": "变更情况",
                "reason": _sentence(f"{label('change_report', 'change_type', c.get('change_type'))}"
                                    f"（{cn_day(c.get('change_date'))}）：{c.get('detail') or ''}")}
    elif case.kind == "termination":
        t = forms.get("termination") or {}
        out |= {"reason_label": "停保情形",
                "reason": _sentence(f"{label('termination', 'reason', t.get('reason'))}：{t.get('reasons') or ''}")}
    return out


def _temporary(h: Household, forms, label: Labels) -> dict[str, Any] | None:
    claim = h.temporary
    first = forms.get("first_aid") or {}
    collective = forms.get("collective_decision") or {}
    if claim is None and not first and not collective:
        return None
    return {
        "type": claim.type if claim else "", "type_label": TEMPORARY_TYPES.get(claim.type, claim.type) if claim else "",
        "cause": claim.cause if claim else "", "claimed": str(claim.amount) if claim else "",
        "first_aid": {"paid_on": first.get("paid_on"), "amount": first.get("amount") or "",
                      "method": label("first_aid", "method", first.get("method")),
                      "reason": first.get("reason") or ""} if first else None,
        "collective": {"meeting_date": collective.get("meeting_date"),
                       "participants": [p["name"] for p in _people(collective.get("participants"))],
                       "decision": collective.get("decision") or ""} if collective else None,
    }


def _correction(forms, label: Labels, last) -> dict[str, Any]:
    cn_ = forms.get("correction_notice") or {}
    event = last(("request_correction",))
    return {"missing": [label("correction_notice", "missing_materials", v) for v in cn_.get("missing_materials") or []],
            "note": cn_.get("note") or "", "date": event.effective_date if event else None}


def _neighbour(forms) -> dict[str, Any]:
    nb = forms.get("neighbour_visit") or {}
    return {"visit_date": nb.get("visit_date"), "interviewees": _people(nb.get("interviewees")),
            "statements": nb.get("statements") or ""}


def _review(forms) -> dict[str, Any]:
    rv = forms.get("democratic_review") or {}

    def num(key: str) -> int | None:
        try:
            return int(rv.get(key))
        except (TypeError, ValueError):
            return None

    participants, reps, yes = num("participants"), num("representatives"), num("votes_for")
    result = ""
    if participants and yes is not None:
        result = "通过" if yes * 3 >= participants * 2 else "未通过"

    def blank(v: int | None) -> Any:
        return "" if v is None else v

    return {
        "held_on": rv.get("held_on"), "place": rv.get("place") or "", "chair": rv.get("chair") or "",
        "recorder": rv.get("recorder") or "", "participants": participants or "", "representatives": blank(reps),
        "quorum": bool(participants and reps is not None and reps * 3 >= participants * 2),
        "votes_for": blank(yes), "votes_against": blank(num("votes_against")),
        "votes_abstain": blank(num("votes_abstain")), "result": result, "conclusion": rv.get("conclusion") or "",
        "signature_rows": max(3, -(-(participants or 0) // 4)),
    }


def _objection(forms) -> dict[str, Any]:
    ob = forms.get("objection") or {}
    return {"received_on": ob.get("received_on"), "objector": ob.get("objector") or "",
            "content": ob.get("content") or "无", "recorded": bool(ob)}


def _county_visit(forms, label: Labels) -> dict[str, Any] | None:
    cv = forms.get("county_visit") or {}
    if not cv:
        return None
    return {"visit_date": cv.get("visit_date"), "visitors": [p["name"] for p in _people(cv.get("visitors"))],
            "findings": cv.get("findings") or "", "conclusion": label("county_visit", "conclusion", cv.get("conclusion"))}


def _supporters(forms, label: Labels) -> dict[str, Any] | None:
    app = forms.get("tekun_application") or {}
    if not app:
        return None
    return {"declared_none": bool(app.get("no_able_supporter")), "people": _people(app.get("supporters")),
            "unable": label("tekun_application", "supporter_unable_reason", app.get("supporter_unable_reason"))}


def _self_care(forms, label: Labels) -> dict[str, Any] | None:
    sc = forms.get("self_care") or {}
    if not sc:
        return None
    spec = label.forms.get("self_care")
    items = []
    for key in SELF_CARE_ITEMS:
        f = spec.field(key) if spec else None
        items.append({"label": f.label if f else key, "managed": sc.get(key) == "managed",
                      "unable": sc.get(key) == "unable"})
    unable = sum(1 for i in items if i["unable"])
    level = "self_care" if unable == 0 else "partial" if unable <= 3 else "full"
    complete = all(sc.get(k) in ("managed", "unable") for k in SELF_CARE_ITEMS)
    return {"activities": items, "unable": unable, "level": CARE_LEVELS[level] if complete else "",
            "assessed_on": sc.get("assessed_on"), "assessor": sc.get("assessor") or ""}


def _supply(forms, label: Labels) -> dict[str, Any] | None:
    sa = forms.get("supply_arrangement") or {}
    if not sa:
        return None
    return {"mode": sa.get("mode") or "", "mode_label": label("supply_arrangement", "mode", sa.get("mode")),
            "institution": sa.get("institution") or "", "carers": _people(sa.get("carer")),
            "agreement_signed": bool(sa.get("care_agreement_signed"))}


def _change(forms, label: Labels) -> dict[str, Any] | None:
    c = forms.get("change_report") or {}
    if not c:
        return None
    return {"type": label("change_report", "change_type", c.get("change_type")), "date": c.get("change_date"),
            "reported_by": label("change_report", "reported_by", c.get("reported_by")), "detail": c.get("detail") or ""}


def _termination(forms, label: Labels) -> dict[str, Any] | None:
    t = forms.get("termination") or {}
    if not t:
        return None
    return {"reason": label("termination", "reason", t.get("reason")), "reasons": t.get("reasons") or "",
            "rule": t.get("rule") or ""}


# --- the opinions of the 审核审批表 -------------------------------------------------------------

def _signoffs(case: Case, prog: Programme, forms, label: Labels, visit, verification, opinion, proposal, decision,
              issuer, last, who, events) -> list[dict[str, Any]]:
    """经办 → 审核 → 审批: each opinion built from what was recorded, signed by who recorded it then."""
    investigated = last(INVESTIGATED)
    reviewed = last(REVIEWED)
    if case.kind == "termination":
        opened = next((e for e in events if e.trigger == "create"), None)
        t = forms.get("termination") or {}
        reason = label("termination", "reason", t.get("reason"))
        staff = {"opinion": _sentence(f"提出停保：{reason}。{t.get('reasons') or ''}"),
                 "event": investigated or opened}
        township = {"opinion": _sentence(f"经审核，停保情形为{reason}，拟停止{prog.grant}，报{issuer['name']}决定")
                    if reviewed else "", "event": reviewed}
    else:
        staff = {"opinion": _staff_opinion(forms, visit, verification, proposal, prog) if investigated else "",
                 "event": investigated}
        township = {"opinion": _township_opinion(case, opinion, proposal, prog) if reviewed and opinion["value"] else "",
                    "event": reviewed}
    decided = decision is not None and decision["result"] not in ("withdrawn",)
    return [
        {"title": "经办人意见", "opinion": staff["opinion"], "name": who(staff["event"].actor) if staff["event"] else "",
         "date": staff["event"].effective_date if staff["event"] else None, "seal": False},
        {"title": "乡镇审核意见", "opinion": township["opinion"],
         "name": who(township["event"].actor) if township["event"] else "",
         "date": township["event"].effective_date if township["event"] else None, "seal": True},
        {"title": f"{issuer['level']}审批意见", "opinion": _decision_opinion(case, decision, prog) if decided else "",
         "name": decision["decided_by"] if decided else "", "date": decision["decided_on"] if decided else None,
         "seal": True},
    ]


def _proposal_sentence(proposal, prog: Programme) -> str:
    if not proposal:
        return ""
    if proposal["eligible"]:
        covered = f"保障{proposal['covered_count']}人，" if prog.monthly and proposal["covered_count"] else ""
        return f"按现行政策测算符合条件，{covered}{prog.amount_phrase(yuan_text(proposal['amount']), proposed=True)}。"
    failed = "；".join(proposal["failed"])
    return f"按现行政策测算不符合条件{f'（{failed}）' if failed else ''}。"


def _staff_opinion(forms, visit, verification, proposal, prog: Programme) -> str:
    methods = [name for form_id, name in (("home_visit", "入户调查"), ("neighbour_visit", "邻里访问"),
                                          ("verification", "信息核对")) if forms.get(form_id)]
    findings = []
    if forms.get("home_visit"):
        findings.append(f"入户调查结论为{visit['conclusion_label']}"
                        + (f"（{visit['remarks']}）" if visit["remarks"] else ""))
    if forms.get("verification"):
        findings.append(f"信息核对结果为{verification['result_label']}")
    head = ("经" + "、".join(methods) + "，" if methods else "") + "，".join(findings)
    return _sentence(head) + _proposal_sentence(proposal, prog)


def _township_opinion(case: Case, opinion, proposal, prog: Programme) -> str:
    """The township's recorded choice and category, its amount, and its comment unless the comment
    says the opposite of the choice (then the computed result stands in for it)."""
    text = opinion["opinion"] + (f"（{opinion['category']}）" if opinion["category"] else "")
    approve = opinion["value"] == "approve"
    if approve and proposal and proposal["eligible"]:
        text += "，" + prog.amount_phrase(yuan_text(proposal["amount"]), proposed=True)
    text = _sentence(text)
    comment = opinion["comment"].strip()
    if comment and contradicts(opinion["value"], comment):
        log.info("case %s: 初审说明「%s」与初审意见「%s」矛盾，未印在审核审批表上", case.number, comment,
                    opinion["opinion"])
        comment = ""
        if not approve and proposal and not proposal["eligible"]:
            comment = _proposal_sentence(proposal, prog)
    if comment and comment.strip("。") not in (opinion["opinion"], text.strip("。")):
        text += _sentence(comment)
    return text


def _decision_opinion(case: Case, decision, prog: Programme) -> str:
    result = decision["result"]
    amount = yuan_text(decision["amount"])
    if result == "approved":
        names = decision["covered_names"]
        text = "同意。" + _sentence(prog.approval.format(
            count=len(names), names="、".join(names), amount=amount, start=cn_month(decision["start_month"]),
            parts="、".join(f"{p['label']}每月{p['decided']}元" for p in decision.get("parts", []) if p["granted"])))
        if decision["first_aid_amount"]:
            text += f"其中已先行救助{yuan_text(decision['first_aid_amount'])}元。"
    elif result == "refused":
        text = "不同意。理由：" + _sentence(decision["reasons"]) + (f"依据：{_sentence(decision['rule'])}" if decision["rule"] else "")
        return text
    elif result in REVIEW_RESULTS:
        month = cn_month(decision["effective_month"])
        previous = yuan_text(decision["previous_amount"])
        if result in ("raise", "lower"):
            text = (f"决定{REVIEW_RESULTS[result]}：自{month}起{prog.amount_label}由每月{previous}元调整为每月{amount}元"
                    + (f"，保障{len(decision['covered_names'])}人" if decision["covered_names"] else "") + "。")
        elif result == "keep":
            text = f"决定维持：{prog.amount_phrase(amount)}，不作调整。"
        elif result == "phase_out":
            text = (f"决定渐退：给予{decision['phase_out_months']}个月渐退期（至{cn_month(decision['phase_out_until'])}），"
                    f"渐退期内按每月{previous}元发放，期满停发。")
        else:
            text = f"决定停发：自{month}起停止发放{prog.name}金。" if case.kind != "termination" else \
                f"同意停保：自{month}起停止发放{prog.name}金。"
        if decision["reasons"]:
            text += "理由：" + _sentence(decision["reasons"])
    else:
        return _sentence(decision["reasons"])
    comment = decision["comment"].strip()
    if comment and comment not in ("同意", "同意。") and not contradicts("approve", comment):
        text += _sentence(comment)
    return text


def blank_context(ctx, code: str, office: Mapping[str, str]) -> dict[str, Any]:
    """What a blank 申请书 or 收入及财产申报表 prints: the office and the programme, every answer empty
    (the family fills it by hand before anything is registered)."""
    prog = programme(code)
    spec = ctx.engine_for_programme(code).spec
    label = Labels(ctx.definitions)
    form_id = next(iter(spec.state(spec.initial).forms), "")
    form = ctx.definitions.forms.get(form_id)
    channel = form.field("channel") if form else None
    materials = form.field("materials") if form else None
    return {
        "blank": True,
        "office": office,
        "programme": _programme(prog),
        "parts": [{"code": p.code, "label": p.label, "proposed": "", "decided": "", "paid": "", "granted": False}
                  for p in prog.parts],
        "forms": {},
        "applicant": None,
        "case": {"number": "", "programme": prog.code, "programme_label": prog.name, "kind": "application",
                 "applied_on": None},
        "household": {"head": "", "applicant": "", "size": "", "village": "", "township": office.get("township", ""),
                      "address": "", "phone": "", "bank_name": "", "bank_account": "", "members": [], "income": [],
                      "rigid": [], "assets": None},
        "application": {"form": form_id, "title": label.title(form_id), "reason_label": "申请理由", "reason": "",
                        "apply_date": None, "channel": "",
                        "channels": [c.label for c in channel.choices] if channel else [],
                        "materials": [], "material_choices": [c.label for c in materials.choices] if materials else [],
                        "pledge_signed": False, "authorization_signed": False, "staff_relative_declared": False},
        "supporters": None,
        "temporary": None,
        "people": {"caseworker": ""},
        "printed_on": ctx.today(),
    }
