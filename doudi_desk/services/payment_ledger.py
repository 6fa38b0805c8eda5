"""The 发放台账 of a family (payments.md §4): per household and per person, every month's lines — item,
amount and state (paid, failed, held, back pay, owed) — so "what did this family receive in 2026" is
one look, on the case page, in xlsx, and in the 一户一册 (services/ledger_books.py prints exactly these
rows: :func:`family_ledgers` is the one way both read them).

A family is the people of a case's household as last determined: every benefit of any programme that
covers one of them (by ID number) is in its ledger, with 先行救助 paid in cash and amounts owed (追缴).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from ..domain.errors import InputError
from ..domain.payroll import KIND_LABELS, STATE_LABELS, item_label
from ..domain.privacy import mask_bank_account
from ..domain.programmes import PROGRAMMES
from . import lookup
from .context import AppContext
from .payments import STATES, PaymentService

OWED_LABELS = {"draft": "追缴（待审批确认）", "open": "待追缴", "recovered": "已追回", "written_off": "已核销"}
TOTAL_OF_STATE = {"paid": "paid", "pending": "pending", "failed": "failed", "held": "held", "first_aid": "first_aid",
                  "owed_open": "owed_open", "owed_draft": "owed_open", "owed_recovered": "owed_settled",
                  "owed_written_off": "owed_settled"}


def _money(value: Any) -> str:
    return f"{Decimal(str(value or 0)):.2f}"


def ledger_rows(uow, case_ids: Iterable[int], *, year: int | None = None,
                cases: Mapping[int, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Every row of the 台账 of these benefits, in date order (month, case, item): payroll lines with
    their state, 先行救助, amounts owed. Three queries however many cases: the lines with their
    payroll, the amounts owed, the cases (unless ``cases`` were read already)."""
    case_ids = sorted(set(case_ids))
    if not case_ids:
        return []
    if cases is None:
        cases = uow.payments.ledger_cases(case_ids)
    rows = []
    for line in uow.payments.lines_of_cases(case_ids, year=year):
        state = line["state"]
        label = STATE_LABELS.get(state, state)
        if state == "pending":
            label = "待发（名册" + STATES[line["payroll_state"]] + "）"
        if line["kind"] in ("back_pay", "difference") and state in ("pending", "paid"):
            label = f"{KIND_LABELS[line['kind']]}·{label}"
        case = cases[line["case_id"]]
        rows.append({
            "month": line["month"], "payroll_month": line["payroll_month"], "case_id": case["id"],
            "case": case["number"], "programme": PROGRAMMES.get(case["programme"], case["programme"]),
            "item": item_label(line["item"]), "kind": KIND_LABELS.get(line["kind"], line["kind"]),
            "amount": _money(line["amount"]), "state": state, "state_label": label, "payee": line["payee_name"],
            "account": mask_bank_account(line["bank_account"]), "reason": line["hold_reason"] or line["result_reason"],
            "payroll": line["payroll_id"],
        })
    for case in (cases[c] for c in case_ids):  # 先行救助 was paid outside the payroll, in cash or by transfer
        paid_on = str(case["first_aid_paid_on"] or "")
        if case["first_aid_amount"] and (  # a one-off programme's 先行救助 (临时救助)
                year is None or paid_on[:4] == str(year)):
            rows.append({"month": paid_on[:7], "payroll_month": "", "case_id": case["id"], "case": case["number"],
                         "programme": PROGRAMMES.get(case["programme"], case["programme"]), "item": "先行救助", "kind": "先行救助",
                         "amount": _money(case["first_aid_amount"]), "state": "first_aid",
                         "state_label": "已付（先行救助）", "payee": "", "account": "", "reason": "", "payroll": None})
    for o in uow.payments.owed(case_ids=case_ids, limit=None):
        if year is not None and not o["month"].startswith(f"{year:04d}"):
            continue
        case = cases[o["case_id"]]
        rows.append({"month": o["month"], "payroll_month": "", "case_id": case["id"], "case": case["number"],
                     "programme": PROGRAMMES.get(case["programme"], ""), "item": item_label(o["item"]),
                     "kind": "追缴", "amount": _money(o["amount"]), "state": f"owed_{o['status']}",
                     "state_label": OWED_LABELS.get(o["status"], o["status"]), "payee": "", "account": "",
                     "reason": o["reason"] + (f"；{o['settle_note']}" if o["settle_note"] else ""), "payroll": None,
                     "owed_id": o["id"]})
    rows.sort(key=lambda r: (r["month"], r["case"], r["item"]))
    return rows


def ledger_totals(rows: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """The year's (or all years') sums by state; ``received`` = paid + 先行救助."""
    totals = dict.fromkeys(("paid", "pending", "failed", "held", "first_aid", "owed_open", "owed_settled"), Decimal(0))
    for r in rows:
        key = TOTAL_OF_STATE.get(r["state"])
        if key:
            totals[key] += Decimal(r["amount"])
    received = totals["paid"] + totals["first_aid"]
    return {k: _money(v) for k, v in totals.items()} | {"received": _money(received)}


def family_ledgers(uow, families: Mapping[Hashable, Sequence[int]], *,
                   year: int | None = None) -> dict[Hashable, dict[str, Any]]:
    """The 台账 of several families at once, each as the case page shows it for one of its cases.

    ``families``: key → the family's benefits (root application cases). Each family's people are the
    members of its benefits' households as last determined (the latest decided 复核/变更/停保, or as
    applied); its ledger holds every benefit covering one of them and its own. A constant number of
    queries whatever the number of families (a village's 300 households as one).
    """
    roots = sorted({r for ids in families.values() for r in ids})
    latest = uow.benefits.latest_determinations(roots)
    applied = uow.payments.ledger_cases(roots)
    household = {r: latest[r][0] if r in latest else applied[r]["household_id"] for r in roots if r in applied}
    members = uow.ledgers.members([h for h in household.values() if h is not None])
    people = {r: members.get(household.get(r), []) for r in roots}
    reach = uow.benefits.cases_with_people([m["id_number"] for ms in people.values() for m in ms])
    scope = {}
    for key, ids in families.items():
        mine = set(ids)
        for r in ids:
            for m in people.get(r, []):
                mine.update(reach.get(m["id_number"], ()))
        scope[key] = mine
    every = sorted({c for ids in scope.values() for c in ids})
    cases = uow.payments.ledger_cases(every)
    rows = ledger_rows(uow, every, year=year, cases=cases)
    out = {}
    for key, ids in families.items():
        mine = [r for r in rows if r["case_id"] in scope[key]]
        family = [m for r in ids for m in people.get(r, [])]
        seen: set[str] = set()
        persons = [m for m in family if not (m["id_number"] in seen or seen.add(m["id_number"]))]
        head = next((m for m in persons if m["relation"] == "head"), persons[0] if persons else None)
        out[key] = {"title": f"{head['name']}户" if head else "", "year": year,
                    "people": [{"name": m["name"], "id_number": m["id_number"]} for m in persons],
                    "cases": [{"id": c, "number": cases[c]["number"],
                               "programme": PROGRAMMES.get(cases[c]["programme"], cases[c]["programme"])}
                              for c in sorted(scope[key]) if c in cases],
                    "rows": mine, "totals": ledger_totals(mine)}
    return out


class PaymentLedgerService:
    """The 发放台账 of a family or a person (case page, CLI, xlsx). Holds no session."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx

    def for_case(self, case_ref: str | int, actor: str, *, year: int | None = None) -> dict[str, Any]:
        """The ledger of the family of a case: its members as last determined, all their benefits."""
        with self.ctx.db.unit_of_work() as uow:
            user = PaymentService(self.ctx).user(uow, actor) if actor else None
            case = lookup.case_for(uow, user, case_ref)
            root = case.parent_case_id or case.id
            return family_ledgers(uow, {root: [root]}, year=year)[root]

    def for_person(self, id_number: str, actor: str, *, year: int | None = None) -> dict[str, Any]:
        text = (id_number or "").strip().upper()
        if not text:
            raise InputError("须给出身份证号码", "person")
        with self.ctx.db.unit_of_work() as uow:
            PaymentService(self.ctx).user(uow, actor)
            case_ids = uow.benefits.cases_with_person(text)
            if not case_ids:
                raise InputError(f"没有身份证号码为 {text} 的救助对象", "person")
            cases = uow.payments.ledger_cases(case_ids)
            rows = ledger_rows(uow, case_ids, year=year)
        return {"title": text, "year": year, "people": [{"name": "", "id_number": text}],
                "cases": [{"id": c["id"], "number": c["number"], "programme": PROGRAMMES.get(c["programme"], c["programme"])}
                          for c in cases.values()],
                "rows": rows, "totals": ledger_totals(rows)}

    def export_xlsx(self, case_ref: str | int, actor: str, *, year: int | None = None) -> tuple[str, bytes]:
        from ..exchange import write_table

        ledger = self.for_case(case_ref, actor, year=year)
        t = ledger["totals"]
        title = (f"{ledger['title']}{'' if year is None else f'{year}年'}救助资金发放台账（已发{t['received']}元，"
                 f"失败{t['failed']}元，暂缓{t['held']}元，待追缴{t['owed_open']}元）")
        headings = ["月份", "项目", "类别", "金额（元）", "状态", "案件", "救助项目", "收款人", "账号", "说明"]
        rows = [[r["month"], r["item"], r["kind"], r["amount"], r["state_label"], r["case"], r["programme"], r["payee"],
                 r["account"], r["reason"]] for r in ledger["rows"]]
        data = write_table([("台账", title, headings, rows)], money_columns=["金额（元）"])
        name = f"{ledger['title']}{'' if year is None else year}发放台账.xlsx"
        return name, data
