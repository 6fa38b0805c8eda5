"""The 台账 (payments.md §4): per household and per person, every month's lines — item, amount and
state (paid, failed, held, back pay, owed) — so "what did this family receive in 2026" is one look.

A family is the people of a case's household: every benefit of any programme that covers one of
them (by ID number) is in its ledger, with 先行救助 paid in cash and amounts owed (追缴).
"""

from __future__ import annotations

from collections.abc import Iterable
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


def _money(value: Any) -> str:
    return f"{Decimal(str(value or 0)):.2f}"


class LedgerService:
    def __init__(self, ctx: AppContext):
        self.ctx = ctx

    def for_case(self, case_ref: str | int, actor: str, *, year: int | None = None) -> dict[str, Any]:
        """The ledger of the family of a case: its members as last determined, all their benefits."""
        with self.ctx.db.unit_of_work() as uow:
            user = PaymentService(self.ctx).user(uow, actor) if actor else None
            case = lookup.case_for(uow, user, case_ref)
            root = uow.cases.get(case.parent_case_id) if case.parent_case_id else case
            latest = uow.benefits.latest_determinations([root.id]).get(root.id)
            household = uow.households.get(latest[0] if latest else root.household_id)
            people = [m.id_number for m in household.members]
            cases = sorted({cid for p in people for cid in uow.benefits.cases_with_person(p)} | {root.id})
            title = f"{household.head.name}户"
            return self._ledger(uow, title, cases, year, [(m.name, m.id_number) for m in household.members])

    def for_person(self, id_number: str, actor: str, *, year: int | None = None) -> dict[str, Any]:
        text = (id_number or "").strip().upper()
        if not text:
            raise InputError("--person: 须给出身份证号码", "person")
        with self.ctx.db.unit_of_work() as uow:
            PaymentService(self.ctx).user(uow, actor)
            cases = uow.benefits.cases_with_person(text)
            if not cases:
                raise InputError(f"--person: 没有身份证号码为 {text} 的救助对象", "person")
            return self._ledger(uow, text, cases, year, [("", text)])

    def _ledger(self, uow, title: str, case_ids: Iterable[int], year: int | None,
                people: list[tuple[str, str]]) -> dict[str, Any]:
        case_ids = sorted(set(case_ids))
        cases = {cid: uow.cases.get(cid) for cid in case_ids}
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
                "month": line["month"], "payroll_month": line["payroll_month"], "case": case.number,
                "programme": PROGRAMMES.get(case.programme, case.programme), "item": item_label(line["item"]),
                "kind": KIND_LABELS.get(line["kind"], line["kind"]), "amount": _money(line["amount"]), "state": state,
                "state_label": label, "payee": line["payee_name"], "account": mask_bank_account(line["bank_account"]),
                "reason": line["hold_reason"] or line["result_reason"], "payroll": line["payroll_id"],
            })
        for case in cases.values():  # 先行救助 was paid outside the payroll, in cash or by transfer
            aid = case.forms.get("first_aid") or {}  # a one-off programme's 先行救助 (临时救助)
            if aid.get("amount") and (year is None or str(aid.get("paid_on", ""))[:4] == str(year)):
                rows.append({"month": str(aid.get("paid_on", ""))[:7], "payroll_month": "", "case": case.number,
                             "programme": PROGRAMMES.get(case.programme, case.programme), "item": "先行救助",
                             "kind": "先行救助",
                             "amount": _money(aid["amount"]), "state": "first_aid", "state_label": "已付（先行救助）",
                             "payee": "", "account": "", "reason": "", "payroll": None})
        owed = [o for o in uow.payments.owed(case_ids=case_ids, limit=10_000)
                if year is None or o["month"].startswith(f"{year:04d}")]
        for o in owed:
            rows.append({"month": o["month"], "payroll_month": "", "case": cases[o["case_id"]].number,
                         "programme": PROGRAMMES.get(cases[o["case_id"]].programme, ""), "item": item_label(o["item"]),
                         "kind": "追缴", "amount": _money(o["amount"]), "state": f"owed_{o['status']}",
                         "state_label": OWED_LABELS.get(o["status"], o["status"]), "payee": "", "account": "",
                         "reason": o["reason"] + (f"；{o['settle_note']}" if o["settle_note"] else ""), "payroll": None,
                         "owed_id": o["id"]})
        rows.sort(key=lambda r: (r["month"], r["case"], r["item"]))
        totals = {"paid": Decimal(0), "pending": Decimal(0), "failed": Decimal(0), "held": Decimal(0),
                  "first_aid": Decimal(0), "owed_open": Decimal(0), "owed_settled": Decimal(0)}
        for r in rows:
            a = Decimal(r["amount"])
            key = {"paid": "paid", "pending": "pending", "failed": "failed", "held": "held", "first_aid": "first_aid",
                   "owed_open": "owed_open", "owed_draft": "owed_open", "owed_recovered": "owed_settled",
                   "owed_written_off": "owed_settled"}.get(r["state"])
            if key:
                totals[key] += a
        received = totals["paid"] + totals["first_aid"]
        return {"title": title, "year": year, "people": [{"name": n, "id_number": i} for n, i in people],
                "cases": [{"id": c.id, "number": c.number, "programme": PROGRAMMES.get(c.programme, c.programme)}
                          for c in cases.values()],
                "rows": rows, "totals": {k: _money(v) for k, v in totals.items()} | {"received": _money(received)}}

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
