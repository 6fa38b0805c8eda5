"""一户一册 prints every payment month of the family from the same rows as the case page's 发放台账
(services/payment_ledger.py), and a village's books read them in a constant number of queries.

赵德明's family (前进村) by hand: 低保 1,080 a month for 赵晨 from 2026-06. June's line fails at the
bank (户名与账号不符); the account is fixed and July pays June as 补发 with July; 赵晨 dies and the
benefit stops from July — July was paid, so 1,080 is owed and later recovered. In October the family
gets 临时救助 5,000: 3,000 as 先行救助 in cash, the balance 2,000 through the October payroll.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.payment_helpers import gap_benefit, pay_month, services, single_benefit

RURAL = "130999101001"


@pytest.fixture
def s(office):
    return services(office)


def _returned(pay, bank, view: dict, fail: dict[str, str] | None = None) -> dict:
    bank.export(view["id"], "clerk", "gbk_txt")
    rows = pay.lines(view["id"], "clerk", limit=10_000)["rows"]
    failing = {r["seq"]: reason for r in rows for payee, reason in (fail or {}).items() if r["payee"] == payee}
    bank.import_result(view["id"], "reviewer", "gbk_txt", bank.sample_result(view["id"], "gbk_txt", failing),
                       "回盘.txt")
    return pay.step(view["id"], "close", "reviewer")


def _zhao_family(s, office) -> dict:
    """The history above, through the services; returns 赵德明's 低保 case."""
    from doudi_desk.services.payment_accounts import PaymentAccountService
    from tests.helpers.lifecycle import day
    from tests.helpers.tekun import POSTED, temp_household, temp_to_posting
    from tests.helpers.tekun import day as tday

    svc, life, pay, bank = s
    zhao = single_benefit(svc)
    gap_benefit(svc)
    _returned(pay, bank, pay_month(pay, "2026-06", since="2026-06"), {"赵德明": "户名与账号不符"})
    # The clerk corrects the account the day the bank's return comes (the correction is dated the day
    # it is made): before the death is registered, since a case's events are in date order.
    today, office.today = office.today, lambda: dt.date.fromisoformat(day(31))
    try:
        PaymentAccountService(office).set_account(zhao["id"], "clerk", "中国邮政储蓄银行", "6221880100987654321",
                                                  "银行退回：户名不符")
    finally:
        office.today = today
    _returned(pay, bank, pay_month(pay, "2026-07"))
    change = life.start_change(zhao["id"], "clerk", {"change_type": "death", "change_date": day(30),
                                                     "member": "赵晨", "detail": "因病去世"}, effective_date=day(31))
    svc.advance(change["id"], "submit_to_county", "clerk", effective_date=day(32))
    svc.advance(change["id"], "terminate", "approver", effective_date=day(33))  # stopped from July
    august = pay_month(pay, "2026-08")
    [owed] = pay.show(august["id"], "clerk")["owed"]
    pay.settle_owed(owed["id"], "reviewer", "recovered", "家属于8月10日退回")
    temp = temp_to_posting(svc, dict(temp_household(), bank_name="中国邮政储蓄银行",
                                     bank_account="6221880100987654321"), first_aid=True)
    svc.advance(temp["id"], "submit_for_township_approval", "reviewer", data=POSTED, effective_date=tday(11))
    svc.advance(temp["id"], "approve", "reviewer", effective_date=tday(12))
    _returned(pay, bank, pay_month(pay, "2026-10", since="2026-10", group="temporary"))
    return zhao


def test_the_book_prints_the_case_pages_ledger_in_date_order(s, office):
    from doudi_desk.services.ledger_books import LedgerBookService
    from doudi_desk.services.payment_ledger import PaymentLedgerService
    from tests.printing_helpers import flat, pages_text, save_png

    zhao = _zhao_family(s, office)
    page = PaymentLedgerService(office).for_case(zhao["number"], "clerk")
    expected = [
        ("2026-06", "", "低保金", "当月", "1080.00", "失败"),
        ("2026-06", "2026-07", "低保金", "补发", "1080.00", "补发·成功"),
        ("2026-07", "2026-07", "低保金", "当月", "1080.00", "成功"),
        ("2026-07", "", "低保金", "追缴", "1080.00", "已追回"),
        ("2026-10", "2026-10", "临时救助金", "一次性", "2000.00", "成功"),
        ("2026-10", "", "先行救助", "先行救助", "3000.00", "已付（先行救助）"),
    ]
    got = [(r["month"], r["payroll_month"], r["item"], r["kind"], r["amount"], r["state_label"]) for r in page["rows"]]
    assert [g[:1] + g[2:] for g in got] == [e[:1] + e[2:] for e in expected]
    assert got[0][1] == "2026-06" and got[1][1] == "2026-07"  # the failed June was in June's payroll
    assert (page["totals"]["received"], page["totals"]["failed"], page["totals"]["owed_settled"],
            page["totals"]["first_aid"]) == ("7160.00", "1080.00", "1080.00", "3000.00")  # 1080 × 2 + 2000 + 3000

    books = LedgerBookService(office)
    pdf = books.household_book(zhao["number"], "clerk")
    text = flat("".join(pages_text(pdf)))
    section = text[text.index("资金发放"):]
    assert "合计：已发7160.00元（其中先行救助3000.00元）；发放失败1080.00元；已追回或核销1080.00元。" in section
    # Every row, in the order of the case page's ledger.
    marks = [section.index(f"{m}{paid or '—'}{item}{kind}", 0) for m, paid, item, kind, _a, _s in
             [("2026-06", "2026-06", "低保金", "当月", 0, 0), ("2026-06", "2026-07", "低保金", "补发", 0, 0),
              ("2026-07", "2026-07", "低保金", "当月", 0, 0), ("2026-07", "", "低保金", "追缴", 0, 0),
              ("2026-10", "2026-10", "临时救助金", "一次性", 0, 0), ("2026-10", "", "先行救助", "先行救助", 0, 0)]]
    assert marks == sorted(marks)
    for words in ("户名与账号不符", "已追回", "家属于8月10日退回", "已付（先行救助）", "补发·成功"):
        assert words in section, words
    assert "更正发放账户" in text and "payment_account" not in text  # the account's correction, in words
    save_png(pdf, "household_book_payments", all_pages=True, dpi=90)
    # The village's books carry the same rows for this family; 王建国's family has its own.
    village, families = books.village_books(RURAL, "clerk")
    vtext = flat("".join(pages_text(village)))
    assert families == 2 and vtext.count("合计：已发7160.00元") == 1 and vtext.count("合计：已发5584.00元") == 1


def test_a_villages_books_read_payments_in_a_constant_number_of_queries(s, office):
    from doudi_desk.services.ledger_books import LedgerBookService
    from tests.helpers.lifecycle import GAP, approved
    from tests.query_count import count_statements

    svc, _life, pay, bank = s
    single_benefit(svc)
    gap_benefit(svc)
    _returned(pay, bank, pay_month(pay, "2026-06", since="2026-06"))
    books = LedgerBookService(office)
    with count_statements(office) as two:
        _pdf, n = books.village_books(RURAL, "clerk")
    assert n == 2
    from doudi_desk.domain.ids import make_id

    for k in range(4):  # four more families, each paid in July
        family = dict(GAP, bank_name="信用社", bank_account=f"62305801000000{k:02d}")
        family["members"] = [dict(m, id_number=make_id(f"1301{10 + k:02d}", dt.datetime.strptime(
            m["id_number"][6:14], "%Y%m%d").date(), 21 + i)) for i, m in enumerate(GAP["members"])]
        approved(svc, family)
    _returned(pay, bank, pay_month(pay, "2026-07"))
    with count_statements(office) as six:
        _pdf, n = books.village_books(RURAL, "clerk")
    assert n == 6
    assert six.count == two.count, "\n".join(six.statements)
    assert any("payroll_lines" in q for q in six.statements)  # the payments are read, once
