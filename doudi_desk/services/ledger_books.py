"""台账 and 一户一册 (reports.md §2).

- Ledgers per village: 低保 and 特困 — one row per household in force in a month (category,
  persons, amount, start month, last review, next review); 临时救助 — one row per case approved
  in the twelve months up to that month.
- 一户一册: one PDF per family (its members, every case and decision, reviews, objections and the
  documents filed, and every payment month with the rows of the case page's 发放台账 —
  :func:`payment_lines`), in date order, for one family or a whole village in one go (one PDF, each
  family numbered from page 1).

A family is the households registered under one head's ID number: a 低保 case, its reviews and a
later 临时救助 of the same head are one family. Everything for a village is read in a constant
number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ..domain.errors import DomainError, InputError
from ..domain.model import DISABILITY_TYPES, RELATIONS, User
from ..domain.privacy import PERSONAL_FIELDS, mask_id_number, sees_full_ids
from ..domain.programmes import LEDGER_PROGRAMMES, PROGRAMMES, REGISTRY, amount_of
from ..domain.report_tables import Column, Table
from ..domain.specs import WORKFLOW_KINDS
from ..domain.statistics import in_force, last_months, parse_month
from . import lookup, roles
from .audit import record_export
from .context import AppContext
from .lifecycle import RESULTS, STATUSES
from .statistics import REPORT_ROLES, gather_benefits

Progress = Callable[[int, int, str], None]
BASES = {"household": "整户", "single_person": "单人户"}
CARE = {"self_care": "全自理", "partial": "半失能", "full": "全失能"}
SUPPLY = {"centralised": "集中供养", "dispersed": "分散供养"}
TEMP_TYPES = {"urgent": "急难型", "expenditure": "支出型"}
LEVELS = {"township": "乡镇审批", "county": "县级审批", "county_collective": "县级（一事一议）"}
DECISIONS = {"approved": "确认", "refused": "不予确认", "not_accepted": "不予受理", "withdrawn": "撤回"}
EXTRA_ACTIONS = {
    "create": "登记", "save_forms": "保存表单", "update_household": "修改家庭情况", "extend_deadline": "延长办理期限",
    "payment_account": "更正发放账户", "review_started": "开始复核", "change_started": "登记家庭变化",
    "termination_started": "提出停保",
    **{f"benefit_{k}": f"保障{v}" for k, v in RESULTS.items()},
}


def payment_lines(uow, families: dict[str, list[int]]) -> dict[str, dict[str, Any]]:
    """Every payment month of each family (key → its benefits, the root cases), with the totals: the
    rows of the case page's 发放台账, read the same way (services/payment_ledger.py) for a whole
    village in a constant number of queries."""
    from .payment_ledger import family_ledgers

    return family_ledgers(uow, families)


def head_of(members: list[dict[str, Any]]) -> dict[str, Any]:
    return next((m for m in members if m["relation"] == "head"), members[0] if members else {"name": "", "id_number": ""})


def _money_text(value: Any) -> str:
    if value in (None, ""):
        return ""
    d = Decimal(str(value))
    return f"{d:.0f}" if d == d.to_integral_value() else f"{d:.2f}"


class LedgerBookService:
    """The village 台账 and the 一户一册 (household books). Holds no session. A family's payment
    ledger on its own is services/payment_ledger.py."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx

    def _user(self, uow, actor: str) -> User:
        user = lookup.actor(uow, actor)
        if not set(user.roles) & REPORT_ROLES:
            raise DomainError(f"用户 {user.full_name} 无权查看台账")
        return user

    def _village(self, uow, user: User, code: str):
        area = uow.areas.get(code)
        if area is None or area.level != "village":
            raise InputError(f"没有村（社区）「{code}」", "village")
        lookup.check_village_scope(uow, user, code)
        return area

    # --- ledgers ---
    def ledger(self, village: str, programme: str, actor: str, month: str | None = None) -> Table:
        """The 台账 of a village and programme for a month (default: this month)."""
        if programme not in LEDGER_PROGRAMMES:
            raise InputError(f"只能是 {'、'.join(f'{p}（{PROGRAMMES[p]}）' for p in LEDGER_PROGRAMMES)}",
                             "programme")
        today = self.ctx.today()
        month = parse_month(month) if month else f"{today.year:04d}-{today.month:02d}"
        if month is None:
            raise InputError("应为 YYYY-MM", "month")
        with self.ctx.db.unit_of_work() as uow:
            user = self._user(uow, actor)
            area = self._village(uow, user, village)
            cases = uow.ledgers.cases([village], programme=programme)
            prog = REGISTRY[programme]
            ledger = prog.ledger
            assert ledger is not None
            if not prog.monthly:
                members = uow.ledgers.members([c["household_id"] for c in cases])
                details = uow.ledgers.household_details([c["household_id"] for c in cases])
                return self._one_off_ledger(area, prog, month, cases, members, details)
            benefits, _people = gather_benefits(uow, self.ctx.engines, [village])
            mine = [b for b in benefits if b.programme == programme]
            states = {b.case_id: in_force(b, month) for b in mine}
            members = uow.ledgers.members([s.household_id for s in states.values() if s] +
                                          [c["household_id"] for c in cases])
        by_id = {c["id"]: c for c in cases}
        reviews: dict[int, str] = {}
        for c in cases:
            d = c["decision"] or {}
            if c["kind"] == "review" and roles.outcome(self.ctx.engines, c["workflow_id"], c["state"]) == "decided" \
                    and (d.get("effective_month") or "") <= month:
                parent = c["parent_case_id"]
                reviews[parent] = max(reviews.get(parent, ""), d.get("decided_on") or "")
        rows = []
        for b in sorted(mine, key=lambda b: by_id[b.case_id]["number"]):
            state = states[b.case_id]
            if state is None:
                continue
            case = by_id[b.case_id]
            family = members.get(state.household_id or case["household_id"]) or members.get(case["household_id"], [])
            counted = [m for m in family if not m["excluded"]]
            category = "、".join(x for x in (BASES.get(state.basis or ""), SUPPLY.get(state.supply_mode or ""),
                                             CARE.get(state.care_level or "")) if x)
            rows.append({
                "_kind": "unit", "no": len(rows) + 1, "label": head_of(family)["name"], "case": case["number"],
                "category": category, "members": len(counted), "persons": len(state.covered), "amount": state.amount,
                "start": (case["decision"] or {}).get("start_month", ""),
                "status": STATUSES.get(state.status, state.status),
                "last_review": reviews.get(b.case_id, ""),
                "next_review": case["next_review_on"].isoformat() if case["next_review_on"] else "",
            })
        total = {"_kind": "total", "no": "", "label": "合计", "members": sum(r["members"] for r in rows),
                 "persons": sum(r["persons"] for r in rows), "amount": sum((r["amount"] for r in rows), Decimal(0))}
        columns = (
            Column("no", "序号", kind="text"), Column("label", "户主", kind="text"), Column("case", "案件编号", kind="text"),
            Column("category", ledger.category, kind="text"),
            Column("members", "家庭人口"), Column("persons", ledger.persons),
            Column("amount", "月保障金额（元）", kind="money"), Column("start", "起始月份", kind="text"),
            Column("status", "状态", kind="text"), Column("last_review", "上次复核", kind="text"),
            Column("next_review", "下次复核（按目前安排）", kind="text"),
        )
        title = f"{area.name}{prog.name}台账"
        return Table(f"ledger_{programme}", title, columns, (*rows, total) if rows else (),
                     note=f"{month[:4]}年{int(month[5:])}月在保（含渐退期）的"
                          f"{ledger.unit}，共{len(rows)}户。",
                     sheet=f"{PROGRAMMES[programme][:4]}台账")

    def _one_off_ledger(self, area, prog, month: str, cases, members, details) -> Table:
        months = last_months(month, 12)
        rows = []
        for c in cases:
            d = c["decision"] or {}
            decided = d.get("decided_on") or ""
            if roles.outcome(self.ctx.engines, c["workflow_id"], c["state"]) != "approved" \
                    or not (months[0] <= decided[:7] <= month):
                continue
            claim = (details.get(c["household_id"]) or {}).get("claim") or {}
            rows.append({
                "_kind": "unit", "no": len(rows) + 1, "label": head_of(members.get(c["household_id"], []))["name"],
                "case": c["number"], "type": TEMP_TYPES.get(claim.get("type", ""), ""), "cause": claim.get("cause", ""),
                "amount": Decimal(str(d.get("amount") or 0)), "level": LEVELS.get(d.get("approval_level") or "", ""),
                "decided_on": decided,
                "first_aid": Decimal(str(d["first_aid_amount"])) if d.get("first_aid_amount") else None,
            })
        total = {"_kind": "total", "no": "", "label": "合计", "amount": sum((r["amount"] for r in rows), Decimal(0)),
                 "first_aid": sum((r["first_aid"] or 0 for r in rows), Decimal(0))}
        columns = (
            Column("no", "序号", kind="text"), Column("label", "户主", kind="text"), Column("case", "案件编号", kind="text"),
            Column("type", "救助类型", kind="text"), Column("cause", "救助事由", kind="text"),
            Column("amount", "救助金额（元）", kind="money"), Column("level", "审批层级", kind="text"),
            Column("decided_on", "审批日期", kind="text"), Column("first_aid", "先行救助（元）", kind="money"),
        )
        return Table(f"ledger_{prog.code}", f"{area.name}{prog.name}台账", columns, (*rows, total) if rows else (),
                     note=f"{months[0]}至{month}审批的{prog.name}，共{len(rows)}人次。", sheet=f"{prog.short}台账")

    def export_ledger(self, village: str, programme: str, path: str, actor: str, month: str | None = None) -> str:
        """A ledger to .xlsx or .pdf."""
        from .reports_print import file_kind, ledger_pdf, write_output

        kind = file_kind(path)
        table = self.ledger(village, programme, actor, month)
        with self.ctx.db.unit_of_work() as uow:
            name = lookup.actor(uow, actor).full_name
        write_output(path, kind, lambda p: _ledger_xlsx(p, table, self.ctx.today()),
                     lambda: ledger_pdf(self.ctx, table, village, name))
        return str(path)

    def save_books(self, path: str, actor: str, *, village: str | None = None, case: str | None = None,
                   progress: Progress | None = None) -> int:
        """一户一册 of one family (``case``: any case of it) or of a whole village to a PDF file;
        returns the number of families."""
        from .reports_print import write_output

        if bool(village) == bool(case):
            raise InputError("请指定一个案件（该户）或一个村（全村各户），二者选一", "case")
        if not str(path).lower().endswith(".pdf"):
            raise InputError(f"一户一册应输出为 .pdf 文件：{path}", "out")
        if case:
            pdf, count = self.household_book(case, actor), 1
        else:
            pdf, count = self.village_books(village, actor, progress=progress)
        write_output(path, "pdf", lambda _p: None, lambda: pdf)
        return count

    # --- 一户一册 ---
    def families(self, village: str, actor: str) -> list[dict[str, Any]]:
        """The families of a village (for choosing one): key, head, cases."""
        with self.ctx.db.unit_of_work() as uow:
            user = self._user(uow, actor)
            self._village(uow, user, village)
            cases = uow.ledgers.cases([village])
            members = uow.ledgers.members([c["household_id"] for c in cases if c["parent_case_id"] is None])
        groups = families_of(cases, members)
        return [{"key": key, "head": g["head"]["name"], "cases": [c["number"] for c in g["cases"]],
                 "programmes": sorted({PROGRAMMES.get(c["programme"], c["programme"]) for c in g["cases"]})}
                for key, g in sorted(groups.items(), key=lambda kv: kv[1]["cases"][0]["number"])]

    def household_book(self, ref: str, actor: str) -> bytes:
        """一户一册 of the family of a case (its number or id) as a PDF."""
        with self.ctx.db.unit_of_work() as uow:
            user = self._user(uow, actor)
            case = lookup.case_for(uow, user, ref)
            village = case.village_code
        pdf, _count = self._books(village, actor, only_case=case.id)
        return pdf

    def village_books(self, village: str, actor: str, *, progress: Progress | None = None) -> tuple[bytes, int]:
        """一户一册 of every family of a village in one PDF; returns the PDF and the number of families."""
        return self._books(village, actor, progress=progress)

    def _books(self, village: str, actor: str, *, only_case: int | None = None,
               progress: Progress | None = None) -> tuple[bytes, int]:
        from ..printing import render_reports
        from .reports_print import office_for_area, print_config

        step = progress or (lambda *_a: None)
        with self.ctx.db.unit_of_work() as uow:
            user = self._user(uow, actor)
            area = self._village(uow, user, village)
            step(0, 1, "读取案件…")
            cases = uow.ledgers.cases([village])
            groups = families_of(cases, uow.ledgers.members([c["household_id"] for c in cases if c["parent_case_id"] is None]))
            if only_case is not None:
                groups = {k: g for k, g in groups.items() if any(c["id"] == only_case for c in g["all"])}
            if not groups:
                raise DomainError(f"{area.name}没有登记过案件的家庭")
            ids = [c["id"] for g in groups.values() for c in g["all"]]
            latest = {k: max(g["all"], key=lambda c: c["id"])["household_id"] for k, g in groups.items()}
            members = uow.ledgers.members(list(latest.values()))
            details = uow.ledgers.household_details(list(latest.values()))
            events = uow.ledgers.events(ids)
            payments = payment_lines(uow, {k: [c["id"] for c in g["cases"]] for k, g in groups.items()})
            names = {u.username: u.full_name for u in uow.users.all()}
            township = uow.areas.get(area.parent_code) if area.parent_code else None
            office = office_for_area(uow, self.ctx, village)
            config = print_config(uow, self.ctx)
            full = sees_full_ids(user.roles)
            if full:  # the book prints whole ID numbers for these roles only (privacy.py)
                record_export(uow, self.ctx, actor, f"一户一册（{area.name}，{len(groups)}户）",
                              fields=[PERSONAL_FIELDS["id_number"]],
                              cases=[g["cases"][0]["number"] for g in groups.values()], area=village,
                              rows=len(groups))
        parts = []
        ordered = sorted(groups.items(), key=lambda kv: kv[1]["cases"][0]["number"])
        for n, (key, g) in enumerate(ordered, 1):
            parts.append(("household_book", self._book_data(
                g, members.get(latest[key], []), details.get(latest[key], {}), events, payments[key], names, area,
                township, office, full)))
            if n % 20 == 0:
                step(n, len(ordered) + 1, f"整理第 {n} 户…")
        step(len(ordered), len(ordered) + 1, "生成 PDF…")
        pdf = render_reports(parts, config, title=f"{area.name}一户一册", author=office["name"])
        step(len(ordered) + 1, len(ordered) + 1, "完成")
        return pdf, len(parts)

    def _book_data(self, g, members, detail, events, payments, names, area, township, office, full) -> dict[str, Any]:
        engines = self.ctx.engines
        head = head_of(members)
        timeline = []
        for c in g["all"]:
            spec = engines[c["workflow_id"]].spec if c["workflow_id"] in engines else None
            actions = {t.trigger: t.label for t in spec.transitions} if spec else {}
            states = {s.name: s.label for s in spec.states} if spec else {}
            forms = self.ctx.definitions.forms
            for e in events.get(c["id"], []):
                label = actions.get(e["trigger"]) or EXTRA_ACTIONS.get(e["trigger"], e["trigger"])
                moved = (f"{states.get(e['from_state'], e['from_state'])} → {states.get(e['to_state'], e['to_state'])}"
                         if e["from_state"] and e["from_state"] != e["to_state"] else "")
                docs = "、".join(forms[f].title for f in e["forms"] if f in forms)
                timeline.append({"date": e["effective_date"].isoformat(), "case": c["number"], "action": label,
                                 "moved": moved, "actor": names.get(e["actor"], e["actor"]), "comment": e["comment"],
                                 "documents": docs, "_order": (e["effective_date"], e["recorded_at"], c["id"], e["seq"])})
        timeline.sort(key=lambda r: r.pop("_order"))
        case_rows = []
        for c in g["all"]:
            d = c["decision"] or {}
            result = d.get("result_label") or DECISIONS.get(d.get("result", ""), d.get("result", ""))
            amount = amount_of(c["programme"], d) if c["programme"] in REGISTRY else d.get("monthly_amount")
            case_rows.append({
                "number": c["number"], "programme": PROGRAMMES.get(c["programme"], c["programme"]),
                "kind": WORKFLOW_KINDS.get(c["kind"], c["kind"]),
                "state": lookup.state_label(engines, c["workflow_id"], c["state"]),
                "applied_on": c["applied_on"].isoformat(), "decided_on": d.get("decided_on", ""),
                "result": result or "", "amount": _money_text(amount) if result else "",
                "from": d.get("start_month") or d.get("effective_month") or "",
            })
        benefits = []
        for c in g["cases"]:
            for h in ((c["benefit"] or {}).get("history") or []):
                benefits.append({"case": c["number"], "month": h.get("month", ""),
                                 "result": {"approved": "确认", **RESULTS}.get(h.get("result", ""), h.get("result", "")),
                                 "amount": _money_text(h.get("amount")), "decided_on": h.get("decided_on", ""),
                                 "by": h.get("case", "")})
        return {
            "title": f"{head['name']}家庭一户一册",
            "village": area.name, "township": township.name if township else "", "office": office,
            "head": head["name"], "address": detail.get("address", ""), "phone": detail.get("phone", ""),
            "members": [{"name": m["name"], "relation": RELATIONS.get(m["relation"], m["relation"]),
                         "id_number": m["id_number"] if full else mask_id_number(m["id_number"]),
                         "health": "、".join(x for x in (
                             f"{DISABILITY_TYPES.get(m['disability_type'], m['disability_type'])}{m['disability_grade']}级残疾"
                             if m["disability_type"] else "", "重病" if m["serious_illness"] else "",
                             "在校生" if m["student"] else "", "不计入家庭成员" if m["excluded"] else "") if x)}
                        for m in members],
            "cases": case_rows, "benefits": benefits, "timeline": timeline,
            "payments": [{"month": r["month"], "paid_in": r["payroll_month"], "item": r["item"], "kind": r["kind"],
                          "case": r["case"], "amount": r["amount"], "state": r["state_label"],
                          "note": r["reason"], "alert": r["state"] in ("failed", "held", "owed_open", "owed_draft")}
                         for r in payments["rows"]],
            "payment_totals": payments["totals"],
            "printed_on": self.ctx.today().isoformat(), "full_ids": full,
        }


def families_of(cases: list[dict[str, Any]], members: dict[int, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Root cases grouped by the head's ID number, each with its reviews, changes and terminations."""
    groups: dict[str, dict[str, Any]] = {}
    children: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for c in cases:
        if c["parent_case_id"] is not None:
            children[c["parent_case_id"]].append(c)
    for c in cases:
        if c["parent_case_id"] is not None:
            continue
        head = head_of(members.get(c["household_id"], []))
        key = head.get("id_number") or f"case-{c['id']}"
        g = groups.setdefault(key, {"head": head, "cases": [], "all": []})
        g["cases"].append(c)
        g["all"].append(c)
        g["all"].extend(children.get(c["id"], []))
    for g in groups.values():
        g["all"].sort(key=lambda c: c["id"])
    return groups


def _ledger_xlsx(path, table: Table, today: dt.date) -> None:
    from ..exchange.report_xlsx import write_workbook

    write_workbook(path, [table], title=table.title.split("台账")[0], subtitle=f"制表日期：{today.isoformat()}",
                   notes=())

