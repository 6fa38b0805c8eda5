"""A county payroll's lines pinned against the arithmetic, benefit by benefit: the county of
benchmarks/payroll_bench.py at a small size (20 townships, 5 % without an account, 2 % with a 复核
lowering the amount from 2026-12), built through the service, every stored line compared with what
domain/payroll.py says that benefit is owed (read here straight from the stored cases and
households), and the approved payroll's digest with the digest of those expected lines.

The builder reads a county in bulk by its own paths (positions in rows, tuples, executemany);
this is what keeps those paths saying what the arithmetic says."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from doudi_desk.domain.payroll import (
    DIGEST_FIELDS,
    Decision,
    Digest,
    Payee,
    account_problem,
    monthly_due,
)
from doudi_desk.services.context import open_context
from doudi_desk.services.payments import PaymentService
from doudi_desk.storage.models import CaseRow, HouseholdRow, MemberRow

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

BENEFITS = 900  # 2–3 a village: the 序号 order within a village counts


@pytest.fixture
def county(tmp_path):
    import payroll_bench

    from tests.helpers.office import BACKEND

    if BACKEND == "postgresql":
        from tests.pg_support import fresh_database

        with fresh_database() as url:
            yield from _county(payroll_bench, url)
        return
    yield from _county(payroll_bench, f"sqlite:///{tmp_path / 'county.sqlite3'}")


def _county(payroll_bench, url):
    ctx = open_context(url)
    ctx.today = lambda: payroll_bench.TODAY
    ctx.now = lambda: dt.datetime(2026, 11, 23, 9, 0)
    payroll_bench.setup(ctx, BENEFITS)
    try:
        yield ctx, payroll_bench.COUNTY
    finally:
        ctx.db.dispose()


def _expected(ctx, months: list[str]) -> list[tuple]:
    """(case, item, month, amount, kind, state, payee, id number, bank, account, hold reason, village) of
    every line the payroll of ``months[-1]`` should hold, when months[:-1] were paid before it (their
    held lines come back as 补发, still held while the account is missing)."""
    with ctx.db.unit_of_work() as uow:
        s = uow.session
        cases = s.execute(select(CaseRow.id, CaseRow.number, CaseRow.household_id, CaseRow.village_code, CaseRow.benefit)
                          .where(CaseRow.state == "approved")).all()
        accounts = {h: (bank, account) for h, bank, account in
                    s.execute(select(HouseholdRow.id, HouseholdRow.bank_name, HouseholdRow.bank_account))}
        heads = {h: (name, number) for h, name, number in
                 s.execute(select(MemberRow.household_id, MemberRow.name, MemberRow.id_number)
                           .where(MemberRow.relation == "head"))}
    out = []
    month = months[-1]
    for case_id, _number, household, village, benefit in cases:
        history = [Decision(e["month"], e["result"], Decimal(e["amount"]), e["case"]) for e in benefit["history"]]
        payee = Payee(*heads[household], *accounts[household], village, household)
        problem = account_problem(payee)
        for m in months:
            if m != month and problem is None:
                continue  # paid in its own month
            due = monthly_due(history, m, len(benefit["covered"]))
            out.append((case_id, "dibao", m, due.amount, "regular" if m == month else "back_pay",
                        "held" if problem else "pending", payee.name, payee.id_number, payee.bank_name,
                        payee.bank_account, problem or "", village))
    return out


def _stored(ctx, payroll_id: int) -> list[tuple]:
    with ctx.db.unit_of_work() as uow:
        rows = list(uow.payments.stream_lines(payroll_id))
    return [(r["case_id"], r["item"], r["month"], Decimal(str(r["amount"])), r["kind"], r["state"], r["payee_name"],
             r["payee_id_number"], r["bank_name"], r["bank_account"], r["hold_reason"], r["village_code"])
            for r in rows]


def _approve(pay, payroll_id: int) -> dict:
    pay.step(payroll_id, "submit", "clerk")
    pay.step(payroll_id, "review", "reviewer")
    return pay.step(payroll_id, "approve", "approver")


def _digest(lines: list[tuple]) -> str:
    digest = Digest()
    assert DIGEST_FIELDS[:6] == ("benefit", "item", "month", "amount", "kind", "state")
    for line in sorted(lines, key=lambda r: (r[0], r[1], r[2])):
        digest.add(line[:10])
    return digest.hexdigest()


def test_county_lines_are_the_arithmetic_of_each_benefit_and_the_digest_theirs(county):
    ctx, area = county
    pay = PaymentService(ctx)
    november = pay.build(area, "dibao", "2026-11", "clerk", since="2026-11")
    stored = _stored(ctx, november["id"])
    expected = _expected(ctx, ["2026-11"])
    assert sorted(stored) == sorted(expected)
    assert {r[5] for r in stored} == {"pending", "held"}  # the fixture has accounts missing
    # 序号 order: village, payee, benefit
    assert stored == sorted(stored, key=lambda r: (r[11], r[6], r[0], r[2], r[1]))
    approved = _approve(pay, november["id"])
    assert approved["digest"] == _digest(expected)
    pending = [r for r in expected if r[5] == "pending"]
    assert (approved["count"], approved["total"]) == (len(expected), f"{sum(r[3] for r in pending):.2f}")

    december = pay.build(area, "dibao", "2026-12", "clerk")
    stored = _stored(ctx, december["id"])
    expected = _expected(ctx, ["2026-11", "2026-12"])
    assert sorted(stored) == sorted(expected)
    assert any(r[4] == "back_pay" for r in stored)  # the held lines of November come back, still held
    lowered = _lowered(ctx)
    assert lowered  # the fixture has 复核 lowering from 2026-12: December pays the lower amount
    december_amounts = {r[0]: r[3] for r in stored if r[2] == "2026-12"}
    assert {c: december_amounts[c] for c in lowered} == lowered
    assert _approve(pay, december["id"])["digest"] == _digest(expected)


def _lowered(ctx) -> dict[int, Decimal]:
    """Benefits whose 复核 lowered the amount from 2026-12: the lower amount."""
    with ctx.db.unit_of_work() as uow:
        rows = uow.session.execute(select(CaseRow.id, CaseRow.benefit).where(CaseRow.state == "approved")).all()
    return {cid: Decimal(b["history"][-1]["amount"]) for cid, b in rows
            if b["history"][-1]["result"] == "lower" and b["history"][-1]["month"] == "2026-12"}
