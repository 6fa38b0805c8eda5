"""Shared helpers of the payment tests: approved benefits with accounts, and a month paid through
every maker-checker step."""

from __future__ import annotations

import datetime as dt

from tests.helpers.lifecycle import GAP, INVESTIGATION, SINGLE, approved, day, investigation_on

TOWN = "130999101"  # 河东镇 (前进村)
ACCOUNT = {"bank_name": "青山县农村信用社", "bank_account": "6230580112345678"}
ACCOUNT2 = {"bank_name": "中国邮政储蓄银行", "bank_account": "6221880100123456789"}


def services(office):
    from doudi_desk.services.bank_io import BankFileService
    from doudi_desk.services.cases import CaseService
    from doudi_desk.services.lifecycle import LifecycleService
    from doudi_desk.services.payments import PaymentService

    svc = CaseService(office)
    return svc, LifecycleService(svc), PaymentService(office), BankFileService(office)


def gap_benefit(svc, account=ACCOUNT) -> dict:
    """王建国户, 4 persons covered, 2792 a month from 2026-06 (approved 2026-05-22)."""
    return approved(svc, dict(GAP, **account))


def single_benefit(svc, account=ACCOUNT2) -> dict:
    """赵德明户, 赵晨 covered alone (单人户), from 2026-06."""
    return approved(svc, dict(SINGLE, **account))


def pay_month(pay, month: str, *, since: str | None = None, group: str = "dibao", area: str = TOWN) -> dict:
    """Build, submit, review and approve a month's payroll; the approved view."""
    view = pay.build(area, group, month, "clerk", since=since)
    pay.step(view["id"], "submit", "clerk")
    pay.step(view["id"], "review", "reviewer")
    return pay.step(view["id"], "approve", "approver")


def lines(pay, payroll_id: int, actor: str = "clerk") -> list[tuple]:
    """(payee, item, month, amount, kind, state, reason) of every line, in 序号 order."""
    rows = pay.lines(payroll_id, actor, limit=10_000)["rows"]
    return [(r["payee"], r["item"], r["month"], r["amount"], r["kind"], r["state"], r["reason"]) for r in rows]


def lower_by_review(svc, life, parent: dict, *, start: int = 20) -> dict:
    """A 复核 that finds a new business income and lowers 2792 → 1992 from the month after day(start+3)."""
    review = life.start_review(parent["number"], "clerk", effective_date=day(start))
    richer = dict(GAP, **ACCOUNT, income=GAP["income"] + [{"type": "business", "amount": "9600"}])
    svc.advance(review["id"], "start_investigation", "clerk", effective_date=day(start))
    svc.update_household(review["id"], "clerk", richer, effective_date=day(start), comment="开了小卖部")
    svc.advance(review["id"], "complete_investigation", "clerk", effective_date=day(start + 1), data=investigation_on(start))
    svc.advance(review["id"], "submit_to_county", "reviewer", effective_date=day(start + 2), data={
        "preliminary_opinion": {"opinion": "approve", "category": "adjust", "comment": "减发"}})
    return svc.advance(review["id"], "decide", "approver", effective_date=day(start + 3),
                       data={"review_decision": {"reasons": "新增经营收入"}})


def at(office, when: dt.date) -> None:
    """Move the office's 'today' (payrolls are built up to the month after today)."""
    office.today = lambda: when


__all__ = ["ACCOUNT", "ACCOUNT2", "GAP", "INVESTIGATION", "SINGLE", "TOWN", "approved", "at", "day", "gap_benefit",
           "lines", "lower_by_review", "pay_month", "services", "single_benefit"]
