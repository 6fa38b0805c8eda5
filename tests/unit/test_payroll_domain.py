"""domain/payroll.py by hand: what a decision history owes month by month, and the lines, holds and
amounts owed a payroll gets from it (no database)."""

from __future__ import annotations

from decimal import Decimal as D

from doudi_desk.domain.payroll import (
    GROUP_BY_CODE,
    GROUPS,
    Decision,
    Digest,
    Due,
    Payee,
    Record,
    account_problem,
    changes,
    monthly_due,
    months,
    paying_months,
    plan,
    price_dues,
    shift,
)

DIBAO = GROUP_BY_CODE["dibao"]
PAYEE = Payee("王建国", "130102197203150316", "信用社", "6230580112345678", "130999101001", 1)
HISTORY = [
    Decision("2026-06", "approved", D("2792"), "2026-DB-000001"),
    Decision("2026-09", "lower", D("1992"), "2026-DBFH-000001"),
    Decision("2026-11", "phase_out", D("1992"), "2026-DBBG-000001", until="2027-01"),
]


def test_months():
    assert months("2026-11", "2027-02") == ["2026-11", "2026-12", "2027-01", "2027-02"]
    assert months("2026-11", "2026-10") == []
    assert shift("2026-01", -1) == "2025-12" and shift("2026-12", 1) == "2027-01"


def test_monthly_due_follows_the_decisions():
    due = {m: monthly_due(HISTORY, m).amount for m in months("2026-05", "2027-02")}
    assert due == {"2026-05": 0, "2026-06": 2792, "2026-07": 2792, "2026-08": 2792, "2026-09": 1992,
                   "2026-10": 1992, "2026-11": 1992, "2026-12": 1992, "2027-01": 1992, "2027-02": 0}
    assert monthly_due(HISTORY, "2026-09").ref == "2026-DBFH-000001"
    assert monthly_due(HISTORY, "2027-02").note == "渐退期至2027-01已满"
    stopped = [*HISTORY[:2], Decision("2026-10", "stop", D(0), "2026-DBTB-000001")]
    assert [monthly_due(stopped, m).amount for m in ("2026-09", "2026-10", "2026-11")] == [1992, 0, 0]
    assert paying_months(HISTORY, "2026-06", "2027-06") == 8  # June to January
    assert paying_months(stopped, "2026-01", "2026-12") == 4


def test_a_new_line_and_back_pay_for_a_missed_month():
    dues = {m: monthly_due(HISTORY, m) for m in ("2026-07", "2026-08")}
    p = plan(1, DIBAO, "2026-08", dues, {}, PAYEE)
    assert [(x.month, x.amount, x.kind, x.state) for x in p.lines] == [
        ("2026-07", 2792, "back_pay", "pending"), ("2026-08", 2792, "regular", "pending")]
    assert p.owed == []


def test_a_month_paid_is_not_paid_again_and_a_later_month_is_not_paid_early():
    dues = {m: monthly_due(HISTORY, m) for m in ("2026-07", "2026-08", "2026-09")}
    p = plan(1, DIBAO, "2026-08", dues, {"2026-07": Record(live=D("2792"))}, PAYEE)
    assert [(x.month, x.kind) for x in p.lines] == [("2026-08", "regular")]


def test_a_missing_or_invalid_account_holds_the_line_with_the_reason():
    due = {"2026-08": monthly_due(HISTORY, "2026-08")}
    held = plan(1, DIBAO, "2026-08", due, {}, PAYEE._replace(bank_name="", bank_account=""))
    assert [(x.state, x.hold_reason) for x in held.lines] == [("held", "未登记开户银行、银行账号")]
    assert account_problem(PAYEE._replace(bank_account="12345")) == "银行账号应为10至30位数字"
    assert account_problem(PAYEE) is None


def test_a_failed_line_waits_for_a_corrected_account():
    due = {"2026-07": monthly_due(HISTORY, "2026-07"), "2026-08": monthly_due(HISTORY, "2026-08")}
    failed = {"2026-07": Record(failed_account=PAYEE.bank_account, failed_reason="户名不符")}
    p = plan(1, DIBAO, "2026-08", due, failed, PAYEE)
    assert [(x.month, x.state) for x in p.lines] == [("2026-07", "held"), ("2026-08", "pending")]
    assert "上次发放失败（户名不符），账户尚未更正" == p.lines[0].hold_reason
    fixed = plan(1, DIBAO, "2026-08", due, failed, PAYEE._replace(bank_account="6221880100987654321"))
    assert [(x.month, x.kind, x.state) for x in fixed.lines] == [("2026-07", "back_pay", "pending"),
                                                                  ("2026-08", "regular", "pending")]


def test_a_reduction_in_a_paid_month_is_owed_never_a_negative_line():
    due = {"2026-09": monthly_due(HISTORY, "2026-09")}  # 1992 now
    p = plan(1, DIBAO, "2026-10", due, {"2026-09": Record(live=D("2792"))}, PAYEE)
    assert p.lines == []
    [owed] = p.owed
    assert (owed.month, owed.amount, owed.source) == ("2026-09", 800, "2026-DBFH-000001")
    # Already recorded: nothing owed twice.
    again = plan(1, DIBAO, "2026-10", due, {"2026-09": Record(live=D("2792"), owed=D("800"))}, PAYEE)
    assert again.owed == [] and again.lines == []


def test_a_raise_in_a_paid_month_pays_the_difference_once():
    raised = [*HISTORY[:1], Decision("2026-07", "raise", D("3000"), "2026-DBFH-000002")]
    due = {"2026-07": monthly_due(raised, "2026-07")}
    p = plan(1, DIBAO, "2026-08", due, {"2026-07": Record(live=D("2792"))}, PAYEE)
    assert [(x.item, x.amount, x.kind) for x in p.lines] == [("dibao_diff", 208, "difference")]
    twice = plan(1, DIBAO, "2026-08", due, {"2026-07": Record(live=D("2792"), live_diff=D("208"))}, PAYEE)
    assert twice.lines == [] and twice.owed == []


def test_price_subsidy_counts_each_person_once_in_the_order_given():
    got = price_dues("2026-06", [(1, "a", ["p1", "p2", "p3"], D("27")), (2, "b", ["p3"], D("27")),
                                 (3, "c", ["p4", "p4"], D("30"))], already=["p2"])
    assert {k: (v[0].amount, v[1]) for k, v in got.items()} == {
        1: (D("54"), ["p1", "p3"]), 2: (D("0"), []), 3: (D("30"), ["p4"])}


def test_one_off_line_is_not_back_pay():
    p = plan(9, GROUP_BY_CODE["temporary"], "2026-11", {"2026-10": Due(D("2000"), "2026-LS-000001")}, {}, PAYEE,
             one_off=True)
    assert [(x.month, x.kind) for x in p.lines] == [("2026-10", "one_off")]


def test_changes_against_last_month():
    moved = changes({1: D("100"), 2: D("200"), 3: D("300")}, {2: D("200"), 3: D("250"), 4: D("400")})
    assert moved == {"new": [(4, 0, D("400"))], "stopped": [(1, D("100"), 0)], "changed": [(3, D("300"), D("250"))]}


def test_the_digest_changes_with_any_line():
    def digest(lines):
        d = Digest()
        for line in lines:
            d.add(line)
        return d.hexdigest(), d.count, d.total

    line = (1, "dibao", "2026-06", D("2792.00"), "regular", "pending", "王建国", "130102197203150316", "信用社",
            "6230580112345678")
    held = (2, "dibao", "2026-06", D("1080"), "regular", "held", "赵德明", "130102198011300513", "", "")
    first = digest([line, held])
    assert first[1:] == (2, D("2792.00"))  # held lines are in the digest, not in the total
    assert digest([line[:3] + (D("2792.01"),) + line[4:], held])[0] != first[0]
    assert digest([line[:9] + ("6230580112345679",), held])[0] != first[0]


def test_groups_are_one_list():
    # one group per programme the registry pays (domain/programmes.py), then 价格临时补贴
    assert [g.code for g in GROUPS] == ["dibao", "tekun", "temporary", "disability_allowance", "price_subsidy"]
    assert {g.kind for g in GROUPS} == {"monthly", "one_off", "price"}
    allowance = next(g for g in GROUPS if g.code == "disability_allowance")
    assert (allowance.kind, allowance.payee, allowance.item_label) == ("monthly", "covered", "两项补贴")
    assert GROUPS[-1].programmes == ("dibao", "tekun")  # 价格临时补贴: persons covered by 低保 or 特困
