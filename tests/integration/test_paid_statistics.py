"""The 统计月报 reads the payrolls (domain/paid_figures.py): a month paid through a whole payroll
cycle says 实发 with what the bank paid; a failed line is not paid; a 补发 counts in the month that
paid it; a month without a payroll, or with one still waiting for the bank, stays 应发 and says so;
价格临时补贴 comes from its payroll.

By hand, in 前进村 of 河东镇 (both from 2026-06, tests/payment_helpers.py):
- 王建国户 2,792 a month (4 persons), account fine;
- 赵德明户 1,080 a month (赵晨 alone, 单人户), whose June line the bank refuses (户名与账号不符).
June 实发 = 2,792 (应发 would be 3,872). The account is fixed; July pays 赵德明's June as 补发:
July 实发 = 2,792 + 1,080 + 1,080 = 4,952, of which 补发 1,080. August has no payroll: 应发 3,872.
September's payroll is exported but the bank has not answered: 应发 3,872, and the note says so.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.payment_helpers import TOWN, gap_benefit, pay_month, services, single_benefit

RURAL = "130999101001"  # 前进村


@pytest.fixture
def s(office):
    return services(office)


def _pay_and_return(pay, bank, month: str, *, since: str | None = None, group: str = "dibao",
                    fail: str | None = None, close: bool = True) -> dict:
    """A month through every step: built, checked, approved, bank file, results (``fail``: the
    payee whose line the bank refuses), closed."""
    view = pay_month(pay, month, since=since, group=group)
    bank.export(view["id"], "clerk", "gbk_txt")
    failing = {}
    if fail:
        row = next(r for r in pay.lines(view["id"], "clerk")["rows"] if r["payee"] == fail)
        failing = {row["seq"]: "户名与账号不符"}
    bank.import_result(view["id"], "reviewer", "gbk_txt", bank.sample_result(view["id"], "gbk_txt", failing),
                       "回盘.txt")
    return pay.step(view["id"], "close", "reviewer") if close else view


def _fix_account(office, payee: str, pay, payroll_id: int) -> None:
    from doudi_desk.services.payment_accounts import PaymentAccountService

    case_id = next(r["case_id"] for r in pay.lines(payroll_id, "clerk")["rows"] if r["payee"] == payee)
    PaymentAccountService(office).set_account(case_id, "clerk", "中国邮政储蓄银行", "6221880100987654321", "银行退回：户名不符")


def by_label(report, table_id: str) -> dict:
    return {r["label"]: r for r in report.table(table_id).rows}


def test_paid_months_say_paid_with_what_the_bank_paid(s, office, tmp_path):
    from doudi_desk.services.statistics import StatisticsService

    svc, _life, pay, bank = s
    gap_benefit(svc)
    single_benefit(svc)
    june = _pay_and_return(pay, bank, "2026-06", since="2026-06", fail="赵德明")
    _fix_account(office, "赵德明", pay, june["id"])
    _pay_and_return(pay, bank, "2026-07")
    stats = StatisticsService(office)

    report = stats.monthly("2026-06", TOWN, "clerk")
    dibao = by_label(report, "dibao")
    assert (dibao["前进村"]["households"], dibao["前进村"]["persons"]) == (2, 5)  # counts: benefits in force
    assert (dibao["前进村"]["amount"], dibao["前进村"]["basis"]) == (Decimal("2792"), "实发")  # the failed 1,080 is not
    assert (dibao["合计"]["amount"], dibao["合计"]["basis"]) == (Decimal("2792"), "实发")
    assert report.table("dibao").columns[-2].label == "实发金额（元）"
    assert report.amount_label == "实发"  # 特困: nothing due or paid, no label of its own
    assert "银行回盘成功的金额" in report.notes[0] and "补发" not in "".join(report.notes[1:])

    july = stats.monthly("2026-07", TOWN, "clerk")
    assert (by_label(july, "dibao")["前进村"]["amount"], by_label(july, "dibao")["前进村"]["basis"]) == (
        Decimal("4952"), "实发")
    assert "2026-07实发金额中含补发以前月份的低保1080.00元。" in july.notes

    office.today = lambda: dt.date(2026, 9, 5)
    august = stats.monthly("2026-08", TOWN, "clerk")
    assert (by_label(august, "dibao")["前进村"]["amount"], by_label(august, "dibao")["前进村"]["basis"]) == (
        Decimal("3872"), "应发")
    assert august.amount_label == "应发" and august.table("dibao").columns[-2].label == "应发金额（元）"
    trend = by_label(august, "trend")
    assert [(m, trend[m]["dibao_amount"], trend[m]["dibao_basis"]) for m in ("2026-05", "2026-06", "2026-07",
                                                                            "2026-08")] == [
        ("2026-05", Decimal(0), ""), ("2026-06", Decimal("2792"), "实发"), ("2026-07", Decimal("4952"), "实发"),
        ("2026-08", Decimal("3872"), "应发")]
    trend_columns = {c.key: c.label for c in august.table("trend").columns}
    assert trend_columns["dibao_amount"] == "实发/应发金额（元）" and august.trend_label == "实发/应发"
    assert next(c for c in august.charts if c.id == "amount_by_month").title == "近12个月实发/应发金额"
    assert any("口径" in n and "按发放名册的月份计入" in n for n in august.notes)
    # The PDF says the same, row by row and month by month.
    from tests.printing_helpers import flat, pages_text, save_png

    path = tmp_path / "月报.pdf"
    stats.write(august, str(path), "张敏")
    pdf = path.read_bytes()
    text = flat("".join(pages_text(pdf)))
    assert "实发/应发金额（元）" in text and "2026-07254952实发" in text
    save_png(pdf, "monthly_report_paid", all_pages=True, dpi=90)


def test_a_payroll_waiting_for_the_bank_leaves_the_month_due(s, office):
    from doudi_desk.services.statistics import StatisticsService

    svc, _life, pay, bank = s
    gap_benefit(svc)
    single_benefit(svc)
    _pay_and_return(pay, bank, "2026-06", since="2026-06")
    view = pay_month(pay, "2026-07")
    bank.export(view["id"], "clerk", "gbk_txt")
    report = StatisticsService(office).monthly("2026-07", TOWN, "clerk")
    assert (by_label(report, "dibao")["前进村"]["amount"], by_label(report, "dibao")["前进村"]["basis"]) == (
        Decimal("3872"), "应发")
    assert "2026-07低保发放名册已导出，尚未银行回盘，金额暂按应发。" in report.notes
    trend = by_label(report, "trend")
    assert (trend["2026-06"]["dibao_amount"], trend["2026-06"]["dibao_basis"]) == (Decimal("3872"), "实发")


def test_the_county_report_sums_paid_and_due_townships_and_says_so(s, office):
    """河东镇 paid June through its payroll; a 低保 family of 河西乡 has no payroll: the county's
    total mixes both and is labelled 实发/应发, each township's row with its own basis."""
    from doudi_desk.domain.ids import make_id
    from doudi_desk.services.statistics import StatisticsService
    from tests.helpers.lifecycle import GAP, INVESTIGATION, day

    svc, _life, pay, bank = s
    gap_benefit(svc)
    # 河西乡 decides its own cases (the county delegated it): 报乡镇审批确认, then 确认 there.
    west = dict(GAP, village="130999102001", bank_name="信用社", bank_account="6230580100000099")
    west["members"] = [dict(m, id_number=make_id("130103", dt.datetime.strptime(m["id_number"][6:14], "%Y%m%d").date(),
                                                  11 + i)) for i, m in enumerate(GAP["members"])]  # same ages
    cid = svc.create_case(west, "dibao", "clerk", applied_on=day(0))["id"]
    svc.advance(cid, "accept", "clerk", effective_date=day(1), data={"application": {
        "apply_date": day(0), "channel": "self", "reason": "困难", "pledge_signed": True, "authorization_signed": True}})
    svc.advance(cid, "start_investigation", "clerk", effective_date=day(1))
    svc.advance(cid, "complete_investigation", "clerk", effective_date=day(2), data=INVESTIGATION | {
        "neighbour_visit": {"visit_date": day(2), "interviewees": [{"name": "邻居"}], "statements": "属实"}})
    svc.advance(cid, "post_notice", "reviewer", effective_date=day(3), data={"preliminary_opinion": {
        "opinion": "approve", "category": "new", "comment": "拟同意"}})
    svc.advance(cid, "submit_for_decision", "reviewer", effective_date=day(10),
                data={"posting": {"start_date": day(3), "place": "公开栏"}})
    svc.advance(cid, "approve", "reviewer", effective_date=day(11))
    _pay_and_return(pay, bank, "2026-06", since="2026-06")
    report = StatisticsService(office).monthly("2026-06", "130999", "approver")
    dibao = by_label(report, "dibao")
    assert (dibao["河东镇"]["amount"], dibao["河东镇"]["basis"]) == (Decimal("2792"), "实发")
    assert (dibao["河西乡"]["amount"], dibao["河西乡"]["basis"]) == (Decimal("2792"), "应发")
    assert (dibao["合计"]["amount"], dibao["合计"]["basis"]) == (Decimal("5584"), "实发/应发")
    assert report.table("dibao").columns[-2].label == "实发/应发金额（元）"


def test_price_subsidy_of_a_triggered_month_comes_from_its_payroll(s, office):
    """June triggered (27 yuan a person): 王建国户 4 persons 108, 赵德明户 1 person 27; the bank
    refuses 赵德明's line, so the report has 4 persons and 108. July is not triggered: none."""
    from doudi_desk.services.price_indices import PriceIndexService
    from doudi_desk.services.statistics import StatisticsService

    svc, _life, pay, bank = s
    gap_benefit(svc)
    single_benefit(svc)
    prices = PriceIndexService(office)
    prices.set("130999", "2026-06", "3.8", "4.1", actor="admin")
    prices.set("130999", "2026-07", "3.4", "5.9", actor="admin")
    stats = StatisticsService(office)
    view = pay_month(pay, "2026-06", since="2026-06", group="price_subsidy")
    assert "价格临时补贴发放名册尚未银行回盘" in stats.monthly("2026-06", TOWN, "clerk").table("allowances").note
    bank.export(view["id"], "clerk", "gbk_txt")
    row = next(r for r in pay.lines(view["id"], "clerk")["rows"] if r["payee"] == "赵德明")
    bank.import_result(view["id"], "reviewer", "gbk_txt",
                       bank.sample_result(view["id"], "gbk_txt", {row["seq"]: "户名与账号不符"}), "回盘.txt")
    june = stats.monthly("2026-06", TOWN, "clerk")
    allowances = by_label(june, "allowances")
    assert (allowances["前进村"]["price_persons"], allowances["前进村"]["price_amount"]) == (4, Decimal("108"))
    assert (allowances["合计"]["price_persons"], allowances["合计"]["price_amount"]) == (4, Decimal("108"))
    assert (allowances["前进村"]["dla_persons"], allowances["前进村"]["dca_persons"]) == (0, 0)  # no 两项补贴 here
    assert june.table("allowances").note.startswith("价格临时补贴为本月发放名册中银行回盘成功的人次和金额")
    assert by_label(june, "dibao")["前进村"]["basis"] == "应发"  # the 低保 payroll is another one
    july = stats.monthly("2026-07", TOWN, "clerk")
    assert (by_label(july, "allowances")["合计"]["price_persons"], by_label(july, "allowances")["合计"]["price_amount"]
            ) == (0, Decimal(0))
    assert "没有价格临时补贴发放名册" in july.table("allowances").note


def test_the_report_reads_the_payrolls_in_a_constant_number_of_queries(s, office):
    from doudi_desk.services.statistics import StatisticsService
    from tests.query_count import count_statements

    svc, _life, pay, bank = s
    gap_benefit(svc)
    _pay_and_return(pay, bank, "2026-06", since="2026-06")
    stats = StatisticsService(office)
    with count_statements(office) as one:
        stats.monthly("2026-07", TOWN, "clerk")
    single_benefit(svc)
    _pay_and_return(pay, bank, "2026-07")
    _pay_and_return(pay, bank, "2026-08")
    with count_statements(office) as three:
        stats.monthly("2026-08", TOWN, "clerk")
    assert three.count == one.count, (one.statements, three.statements)


def test_sums_kept_with_the_result_file_agree_with_the_lines(s, office):
    """The report reads what each result file paid by village (kept when the results were read);
    for results read before those sums were kept, it sums the lines instead — the same figures."""
    from sqlalchemy import update

    from doudi_desk.domain.report_tables import table_rows_text
    from doudi_desk.services.statistics import StatisticsService
    from doudi_desk.storage.models import BankFileRow

    svc, _life, pay, bank = s
    gap_benefit(svc)
    single_benefit(svc)
    june = _pay_and_return(pay, bank, "2026-06", since="2026-06", fail="赵德明")
    _fix_account(office, "赵德明", pay, june["id"])
    _pay_and_return(pay, bank, "2026-07")
    with office.db.unit_of_work() as uow:
        kept = uow.payments.result_sums([june["id"]])[june["id"]]
    assert kept == [[RURAL, False, "2792.00", 4]]  # 赵德明's June failed: not in what was paid
    stats = StatisticsService(office)
    before = stats.monthly("2026-07", TOWN, "clerk")
    with office.db.unit_of_work() as uow:
        uow.session.execute(update(BankFileRow).values(summary={"paid": 0}))
    after = stats.monthly("2026-07", TOWN, "clerk")
    for t in before.tables:
        assert table_rows_text(after.table(t.id)) == table_rows_text(t), t.title
    assert after.notes == before.notes
