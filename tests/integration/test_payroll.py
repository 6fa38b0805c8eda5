"""The payroll's arithmetic by hand (payments.md §1), through the real services: start month, 复核
from its effective month, 渐退, stops and reductions in months already paid (追缴), held lines paid
later as 补发, 临时救助 after 先行救助 paid once."""

from __future__ import annotations

import datetime as dt

import pytest

from doudi_desk.domain.errors import DomainError
from tests.helpers.lifecycle import run_to_decision
from tests.payment_helpers import (
    TOWN,
    at,
    day,
    gap_benefit,
    lines,
    lower_by_review,
    pay_month,
    services,
    single_benefit,
)


@pytest.fixture
def s(office):
    return services(office)


def test_new_case_approved_mid_month_is_paid_from_the_next_month(s):
    svc, _life, pay, _bank = s
    parent = gap_benefit(svc)
    assert parent["decision"]["decided_on"] == "2026-05-22"
    with pytest.raises(DomainError, match="2026-05没有应发放的低保对象"):
        pay.build(TOWN, "dibao", "2026-05", "clerk", since="2026-05")
    june = pay_month(pay, "2026-06", since="2026-05")
    assert lines(pay, june["id"]) == [("王建国", "dibao", "2026-06", "2792.00", "regular", "pending", "")]
    assert (june["count"], june["total"], june["totals"]["all"]["persons"]) == (1, "2792.00", 4)
    july = pay_month(pay, "2026-07")
    assert lines(pay, july["id"]) == [("王建国", "dibao", "2026-07", "2792.00", "regular", "pending", "")]


def test_review_lowering_the_amount_from_its_effective_month(s):
    svc, life, pay, _bank = s
    parent = gap_benefit(svc)
    pay_month(pay, "2026-06", since="2026-06")
    view = lower_by_review(svc, life, parent)  # decided 2026-06-03: 1992 from 2026-07
    assert (view["decision"]["effective_month"], view["decision"]["monthly_amount"]) == ("2026-07", "1992")
    july = pay_month(pay, "2026-07")
    assert lines(pay, july["id"]) == [("王建国", "dibao", "2026-07", "1992.00", "regular", "pending", "")]
    changes = pay.show(july["id"], "approver")["changes"]
    assert changes["counts"] == {"new": 0, "stopped": 0, "changed": 1}
    assert (changes["changed"][0]["before"], changes["changed"][0]["after"]) == ("2792.00", "1992.00")
    assert pay.show(july["id"], "approver")["owed"] == []


def test_reduction_reaching_a_month_already_paid_is_owed_not_a_negative_line(s, office):
    svc, life, pay, _bank = s
    parent = gap_benefit(svc)
    pay_month(pay, "2026-06", since="2026-06")
    pay_month(pay, "2026-07")  # July paid at 2792 before the review was decided
    lower_by_review(svc, life, parent)  # 1992 from July
    aug = pay.build(TOWN, "dibao", "2026-08", "clerk")
    assert lines(pay, aug["id"]) == [("王建国", "dibao", "2026-08", "1992.00", "regular", "pending", "")]
    [owed] = pay.show(aug["id"], "clerk")["owed"]
    assert (owed["month"], owed["amount"], owed["status"], owed["source"]) == ("2026-07", "800.00", "draft", "2026-DBFH-000001")
    assert "2026-07已发2792.00元" in owed["reason"] and "多发800.00元" in owed["reason"]
    pay.build(TOWN, "dibao", "2026-08", "clerk")  # a rebuild finds it once, not twice
    assert len(pay.show(aug["id"], "clerk")["owed"]) == 1
    for step, who in (("submit", "clerk"), ("review", "reviewer"), ("approve", "approver")):
        pay.step(aug["id"], step, who)
    assert [o["status"] for o in pay.show(aug["id"], "clerk")["owed"]] == ["open"]
    sept = pay_month(pay, "2026-09")  # nothing owed again for July
    assert pay.show(sept["id"], "clerk")["owed"] == []
    assert lines(pay, sept["id"]) == [("王建国", "dibao", "2026-09", "1992.00", "regular", "pending", "")]


def test_phase_out_pays_its_months_then_stops(s, office):
    svc, life, pay, _bank = s
    parent = gap_benefit(svc)
    single_benefit(svc)
    view = life.start_change(parent["id"], "clerk", {"change_type": "new_job", "change_date": day(30),
                                                      "member": "王建国", "amount": "60000", "detail": "户主务工"},
                             effective_date=day(31))
    run_to_decision(svc, view["id"], when=31)
    decided = svc.advance(view["id"], "decide", "approver", effective_date=day(35),
                          data={"review_decision": {"reasons": "就业收入超过低保标准，给予渐退"}})
    assert (decided["decision"]["result"], decided["decision"]["phase_out_until"]) == ("phase_out", "2026-12")
    paid = {}
    at(office, dt.date(2026, 12, 20))
    for month in ("2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12", "2027-01"):
        view = pay_month(pay, month, since="2026-06" if month == "2026-06" else None)
        paid[month] = {r[0]: r[3] for r in lines(pay, view["id"])}
    assert {m: p.get("王建国") for m, p in paid.items()} == {
        "2026-06": "2792.00", "2026-07": "2792.00", "2026-08": "2792.00", "2026-09": "2792.00",
        "2026-10": "2792.00", "2026-11": "2792.00", "2026-12": "2792.00", "2027-01": None}
    assert all("赵德明" in p for p in paid.values())
    changes = pay.show(view["id"], "approver")["changes"]
    assert changes["counts"]["stopped"] == 1 and changes["stopped"][0]["payee"] == "王建国"


def test_stop_in_a_month_already_paid_is_recovered(s, office):
    svc, life, pay, _bank = s
    parent = single_benefit(svc)
    other = gap_benefit(svc)
    pay_month(pay, "2026-06", since="2026-06")
    july = pay_month(pay, "2026-07")
    amount = dict((r[0], r[3]) for r in lines(pay, july["id"]))["赵德明"]
    view = life.start_change(parent["id"], "clerk", {"change_type": "death", "change_date": day(30),
                                                      "member": "赵晨", "detail": "因病去世"}, effective_date=day(31))
    svc.advance(view["id"], "submit_to_county", "clerk", effective_date=day(32))
    svc.advance(view["id"], "terminate", "approver", effective_date=day(33))  # 2026-06-13: stopped from July
    aug = pay.build(TOWN, "dibao", "2026-08", "clerk")
    assert [r[0] for r in lines(pay, aug["id"])] == ["王建国"]
    [owed] = pay.show(aug["id"], "clerk")["owed"]
    assert (owed["case_id"], owed["month"], owed["amount"]) == (parent["id"], "2026-07", amount)
    assert "停发" in owed["reason"]
    for step, who in (("submit", "clerk"), ("review", "reviewer"), ("approve", "approver")):
        pay.step(aug["id"], step, who)
    from doudi_desk.services.payment_ledger import PaymentLedgerService

    ledger = PaymentLedgerService(office).for_case(parent["id"], "clerk", year=2026)
    assert [(r["month"], r["kind"], r["amount"], r["state_label"]) for r in ledger["rows"]] == [
        ("2026-06", "当月", amount, "待发（名册已审批）"), ("2026-07", "当月", amount, "待发（名册已审批）"),
        ("2026-07", "追缴", amount, "待追缴")]
    assert ledger["totals"]["owed_open"] == amount
    with pytest.raises(DomainError, match="无权处理追缴款"):
        pay.settle_owed(owed["id"], "clerk", "recovered", "已退回")
    settled = pay.settle_owed(owed["id"], "reviewer", "recovered", "家属于8月10日退回")
    assert settled["status"] == "recovered"
    with pytest.raises(DomainError, match="不是待追缴"):
        pay.settle_owed(owed["id"], "reviewer", "written_off", "再次")
    assert other["number"] != parent["number"]


def test_missing_account_is_held_then_paid_as_back_pay(s, office):
    svc, _life, pay, _bank = s
    parent = gap_benefit(svc, account={})
    june = pay_month(pay, "2026-06", since="2026-06")
    assert lines(pay, june["id"]) == [("王建国", "dibao", "2026-06", "2792.00", "regular", "held",
                                       "未登记开户银行、银行账号")]
    assert (june["total"], june["held_count"], june["held_total"]) == ("0.00", 1, "2792.00")
    july = pay_month(pay, "2026-07")  # still no account: both months held, listed with the reason
    assert [(r[2], r[4], r[5]) for r in lines(pay, july["id"])] == [("2026-06", "back_pay", "held"),
                                                                     ("2026-07", "regular", "held")]
    from doudi_desk.services.payment_accounts import PaymentAccountService

    with pytest.raises(DomainError, match="须写明更正原因"):
        PaymentAccountService(office).set_account(parent["id"], "clerk", "信用社", "6230580112345678", "")
    PaymentAccountService(office).set_account(parent["id"], "clerk", "青山县农村信用社", "6230 5801 1234 5678",
                                              "家属补交存折复印件")
    assert svc.show(parent["id"])["history"][-1]["trigger"] == "payment_account"
    aug = pay_month(pay, "2026-08")
    assert lines(pay, aug["id"]) == [
        ("王建国", "dibao", "2026-06", "2792.00", "back_pay", "pending", ""),
        ("王建国", "dibao", "2026-07", "2792.00", "back_pay", "pending", ""),
        ("王建国", "dibao", "2026-08", "2792.00", "regular", "pending", "")]
    assert aug["total"] == "8376.00"
    sept = pay_month(pay, "2026-09")  # paid once: no second back pay
    assert lines(pay, sept["id"]) == [("王建国", "dibao", "2026-09", "2792.00", "regular", "pending", "")]


def test_first_aid_is_never_paid_twice(office):
    from doudi_desk.services.cases import CaseService
    from doudi_desk.services.payments import PaymentService
    from tests.helpers.tekun import POSTED, temp_household, temp_to_posting
    from tests.helpers.tekun import day as tday

    svc, pay = CaseService(office), PaymentService(office)
    household = dict(temp_household(), bank_name="信用社", bank_account="6230580112345678")
    view = temp_to_posting(svc, household, first_aid=True)  # 3000 paid in cash first
    svc.advance(view["id"], "submit_for_township_approval", "reviewer", data=POSTED, effective_date=tday(11))
    view = svc.advance(view["id"], "approve", "reviewer", effective_date=tday(12))
    assert (view["decision"]["amount"], view["decision"]["decided_on"]) == ("5000", "2026-10-24")
    oct_ = pay.build(TOWN, "temporary", "2026-10", "clerk", since="2026-10")
    expected = [("赵德明", "temporary", "2026-10", "2000.00", "one_off", "pending", "")]
    assert lines(pay, oct_["id"]) == expected
    pay.build(TOWN, "temporary", "2026-10", "clerk")  # rebuilt: still the balance, once
    assert lines(pay, oct_["id"]) == expected
    assert "已先行救助3000" in pay.lines(oct_["id"], "clerk")["rows"][0]["note"]
    for step, who in (("submit", "clerk"), ("review", "reviewer"), ("approve", "approver")):
        pay.step(oct_["id"], step, who)
    with pytest.raises(DomainError, match="没有应发放的临时救助对象"):
        pay.build(TOWN, "temporary", "2026-11", "clerk")
    from doudi_desk.services.payment_ledger import PaymentLedgerService

    ledger = PaymentLedgerService(office).for_case(view["id"], "clerk")
    assert {(r["item"], r["amount"], r["state_label"]) for r in ledger["rows"]} == {
        ("先行救助", "3000.00", "已付（先行救助）"), ("临时救助金", "2000.00", "待发（名册已审批）")}
    assert ledger["totals"]["received"] == "3000.00"  # the balance is not paid until the bank confirms it


def test_only_next_month_and_one_open_payroll_at_a_time(s):
    svc, _life, pay, _bank = s
    gap_benefit(svc)
    with pytest.raises(DomainError, match="最多只能编制下月"):
        pay.build(TOWN, "dibao", "2027-01", "clerk")
    with pytest.raises(DomainError, match="应为 YYYY-MM"):
        pay.build(TOWN, "dibao", "2026-13", "clerk")
    with pytest.raises(DomainError, match="没有发放类别"):
        pay.build(TOWN, "wubao", "2026-06", "clerk")
    pay.build(TOWN, "dibao", "2026-06", "clerk")
    with pytest.raises(DomainError, match="2026-06的低保发放名册尚未审批"):
        pay.build(TOWN, "dibao", "2026-07", "clerk")
