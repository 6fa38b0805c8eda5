"""domain/paid_figures.py on hand-made rows: which payroll covers a village, what counts as paid, the
amounts due by village against the month-by-month evaluation, and the labels of mixed rows."""

from __future__ import annotations

import random
from decimal import Decimal

from doudi_desk.domain.paid_figures import (
    MIXED,
    PaidRow,
    PayrollState,
    apply_payments,
    combine,
    due_by_village,
    needing_due,
    payments_of,
)
from doudi_desk.domain.statistics import (
    Benefit,
    Step,
    VillageFigures,
    in_force,
    last_months,
    shift,
    trend,
)

PAYERS = {"v1": ["t1", "c"], "v2": ["t1", "c"], "v3": ["t2", "c"]}


def test_only_payrolls_with_bank_results_count_and_only_their_paid_lines():
    payrolls = [PayrollState("t1", "dibao", "2026-06", "closed"), PayrollState("t2", "dibao", "2026-06", "exported"),
                PayrollState("t1", "dibao", "2026-07", "results")]
    rows = [PaidRow("2026-06", "v1", "dibao", False, Decimal("100"), 2),
            PaidRow("2026-06", "v3", "dibao", False, Decimal("50"), 1),  # its payroll has no results yet
            PaidRow("2026-07", "v1", "dibao", True, Decimal("100"), 2),  # June's 补发, paid in July
            PaidRow("2026-07", "v1", "dibao", False, Decimal("100"), 2)]
    p = payments_of(payrolls, rows, PAYERS)
    assert p.returned(("2026-06", "v2", "dibao"))  # covered by 河东's payroll, nothing paid there
    assert not p.returned(("2026-06", "v3", "dibao")) and p.states[("2026-06", "v3", "dibao")] == "exported"
    assert ("2026-06", "v3", "dibao") not in p.paid
    assert (p.paid[("2026-07", "v1", "dibao")], p.earlier[("2026-07", "v1", "dibao")]) == (Decimal(200), Decimal(100))
    assert p.returned_villages() == {"v1", "v2"}


def test_a_county_payroll_covers_every_village_and_the_most_advanced_state_wins():
    p = payments_of([PayrollState("t1", "tekun", "2026-06", "draft"), PayrollState("c", "tekun", "2026-06", "closed")],
                    [], PAYERS)
    assert all(p.returned(("2026-06", v, "tekun")) for v in PAYERS)


def test_amounts_due_by_village_agree_with_each_month_evaluated_alone():
    rnd = random.Random(7)
    benefits = []
    for n in range(200):
        start = shift("2025-06", rnd.randrange(18))
        steps = [Step(start, (start, n), "approved", Decimal(rnd.randrange(100, 2000)), (0,), n)]
        month = start
        for k in range(rnd.randrange(3)):
            month = shift(month, rnd.randrange(0, 5))
            result = rnd.choice(["raise", "lower", "phase_out", "stop"])
            steps.append(Step(month, (month, n * 10 + k), result,
                              Decimal(rnd.randrange(100, 2000)) if result in ("raise", "lower") else None,
                              (0,) if result in ("raise", "lower") else None, n,
                              phase_out_until=shift(month, 2) if result == "phase_out" else None))
        benefits.append(Benefit(n, rnd.choice(["dibao", "tekun"]), rnd.choice(["v1", "v2", "v3"]), tuple(steps)))
    months = last_months("2026-10", 12)
    due = due_by_village(benefits, months)
    for m in months:
        for v in ("v1", "v2", "v3"):
            for programme in ("dibao", "tekun"):
                expected = sum((s.amount for b in benefits if b.village == v and b.programme == programme
                                for s in [in_force(b, m)] if s is not None), Decimal(0))
                assert due.get((m, v, programme), Decimal(0)) == expected, (m, v, programme)


def test_the_trend_replaces_only_the_paid_villages_months():
    b1 = Benefit(1, "dibao", "v1", (Step("2026-05", ("a", 1), "approved", Decimal(1000), (0,), 1),))
    b3 = Benefit(3, "dibao", "v3", (Step("2026-05", ("a", 3), "approved", Decimal(500), (0,), 3),))
    months = last_months("2026-07", 3)
    points = trend([b1, b3], months)
    payments = payments_of([PayrollState("t1", "dibao", "2026-06", "closed")],
                           [PaidRow("2026-06", "v1", "dibao", False, Decimal(0), 0)], PAYERS)  # the bank failed it
    figures = {"v1": VillageFigures(), "v3": VillageFigures()}
    figures["v1"].dibao["amount"], figures["v3"].dibao["amount"] = Decimal(1000), Decimal(500)
    villages = ["v1", "v2", "v3"]
    due = due_by_village(needing_due([b1, b3], payments, villages, months), months)
    _f, out, bases = apply_payments(figures, points, payments, due, "2026-07", villages)
    assert [(p.month, p.dibao_amount) for p in out] == [("2026-05", 1500), ("2026-06", 500), ("2026-07", 1500)]
    assert [bases.trend[m, "dibao"] for m in months] == ["应发", MIXED, "应发"]
    assert bases.label("dibao", ["v1", "v2"]) == "应发"  # July: no payroll


def test_once_every_month_is_paid_no_amount_due_is_needed():
    b1 = Benefit(1, "dibao", "v1", (Step("2026-05", ("a", 1), "approved", Decimal(1000), (0,), 1),))
    b3 = Benefit(3, "tekun", "v3", (Step("2026-05", ("a", 3), "approved", Decimal(500), (0,), 3),))
    months = last_months("2026-07", 3)
    payments = payments_of([PayrollState("c", "dibao", m, "closed") for m in months], [], PAYERS)
    assert needing_due([b1, b3], payments, list(PAYERS), months) == [b3]  # 特困 has no payroll


def test_combine():
    assert (combine([]), combine(["", None]), combine(["实发", "实发"]), combine(["实发", "应发", ""])) == (
        "", "", "实发", MIXED)
