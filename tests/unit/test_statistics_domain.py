"""The month arithmetic of domain/statistics.py on hand-made benefits, and the 12-month trend
against a month-by-month evaluation of the same benefits."""

from __future__ import annotations

import random
from decimal import Decimal

from doudi_desk.domain.charts import nice_max
from doudi_desk.domain.report_tables import Column, header_grid
from doudi_desk.domain.statistics import Benefit, Step, in_force, last_months, shift, trend


def benefit(*steps, programme="dibao"):
    return Benefit(1, programme, "v", tuple(steps))


def test_a_benefit_month_by_month():
    b = benefit(Step("2026-03", ("2026-02-10", 1), "approved", Decimal(900), (0, 1, 2), 1, "household"),
                Step("2026-06", ("2026-05-20", 2), "lower", Decimal(600), (0, 1), 2),
                Step("2026-08", ("2026-07-11", 3), "phase_out", phase_out_until="2026-10"))
    assert in_force(b, "2026-02") is None
    assert in_force(b, "2026-03").amount == Decimal(900) and in_force(b, "2026-05").covered == (0, 1, 2)
    june = in_force(b, "2026-06")
    assert (june.amount, june.covered, june.household_id, june.basis) == (Decimal(600), (0, 1), 2, "household")
    assert in_force(b, "2026-08").status == "phasing_out" and in_force(b, "2026-10").amount == Decimal(600)
    assert in_force(b, "2026-11") is None  # 渐退 ends by itself after its last month


def test_decisions_in_the_same_month_apply_in_the_order_taken():
    b = benefit(Step("2026-03", ("2026-02-10", 1), "approved", Decimal(900), (0,), 1),
                Step("2026-05", ("2026-04-20", 3), "raise", Decimal(1000), (0,), 3),
                Step("2026-05", ("2026-04-02", 2), "stop"))
    assert in_force(b, "2026-05").amount == Decimal(1000)  # the stop of 04-02, then the raise of 04-20
    stopped = benefit(Step("2026-03", ("2026-02-10", 1), "approved", Decimal(900), (0,), 1),
                      Step("2026-05", ("2026-04-20", 3), "stop"), Step("2026-05", ("2026-04-02", 2), "keep"))
    assert in_force(stopped, "2026-05") is None and in_force(stopped, "2026-04") is not None


def test_trend_agrees_with_each_month_evaluated_alone():
    rnd = random.Random(5)
    benefits = []
    for n in range(300):
        start = shift("2025-01", rnd.randrange(24))
        steps = [Step(start, (start, n), "approved", Decimal(rnd.randrange(100, 2000)), tuple(range(rnd.randrange(1, 5))), n)]
        month = start
        for k in range(rnd.randrange(4)):
            month = shift(month, rnd.randrange(0, 6))
            result = rnd.choice(["raise", "lower", "keep", "phase_out", "stop"])
            steps.append(Step(month, (month, n * 10 + k), result,
                              Decimal(rnd.randrange(100, 2000)) if result not in ("phase_out", "stop") else None,
                              (0,) if result in ("raise", "lower", "keep") else None, n,
                              phase_out_until=shift(month, 3) if result == "phase_out" else None))
        benefits.append(Benefit(n, rnd.choice(["dibao", "tekun"]), "v", tuple(steps)))
    months = last_months("2026-10", 12)
    points = trend(benefits, months)
    for point in points:
        m = point.month
        now = [(b, in_force(b, m)) for b in benefits]
        before = [in_force(b, shift(m, -1)) for b in benefits]
        assert point.dibao_households == sum(1 for b, s in now if s and b.programme == "dibao")
        assert point.dibao_persons == sum(len(s.covered) for b, s in now if s and b.programme == "dibao")
        assert point.tekun_amount == sum((s.amount for b, s in now if s and b.programme == "tekun"), Decimal(0))
        assert point.new == sum(1 for (_b, s), p in zip(now, before, strict=True) if s and p is None)
        assert point.stopped == sum(1 for (_b, s), p in zip(now, before, strict=True) if s is None and p)


def test_header_grid_merges_groups_and_stretches_leaves():
    cols = [Column("a", "村"), Column("b", "户数", ("保障对象",)), Column("c", "人数", ("保障对象",)),
            Column("d", "人次", ("临时救助", "急难型")), Column("e", "金额", ("临时救助", "急难型"))]
    cells = {(c.text, c.row, c.col): (c.rowspan, c.colspan) for c in header_grid(cols)}
    assert cells == {("村", 0, 0): (3, 1), ("保障对象", 0, 1): (1, 2), ("户数", 1, 1): (2, 1), ("人数", 1, 2): (2, 1),
                     ("临时救助", 0, 3): (1, 2), ("急难型", 1, 3): (1, 2), ("人次", 2, 3): (1, 1),
                     ("金额", 2, 4): (1, 1)}


def test_axis_tops_on_a_one_two_five_scale():
    assert [nice_max(v) for v in (0, 3, 7, 12, 99, 1234)] == [
        (5.0, 1.0), (3.0, 1.0), (8.0, 2.0), (15.0, 5.0), (100.0, 20.0), (1500.0, 500.0)]


def test_ages_at_the_end_of_the_month_from_the_birth_number():
    import datetime as dt

    from doudi_desk.domain.statistics import Person, benefit_figures

    born_1966_10_31, born_1966_11_01 = Person(19661031), Person(19661101)
    end = dt.date(2026, 10, 31)
    assert born_1966_10_31.age_at_least(60, end) and not born_1966_11_01.age_at_least(60, end)
    people = {1: [Person(19661031), Person(19661101), Person(20081031), Person(20081101, disabled=True)]}
    b = benefit(Step("2026-01", ("2025-12-10", 1), "approved", Decimal(100), (0, 1, 2, 3), 1))
    d = benefit_figures([b], people, "2026-10")["v"].dibao
    # 60 on 31 October counts as 老年人; 18 on 31 October is no longer 未成年人.
    assert (d["elderly"], d["minors"], d["disabled"]) == (1, 1, 1)


def test_working_days_by_prefix_counts_agree_with_the_calendar():
    import datetime as dt

    from doudi_desk.domain.calendar import WorkingCalendar
    from doudi_desk.domain.statistics import WorkingDays

    calendar = WorkingCalendar({dt.date(2026, 10, 10): True, dt.date(2026, 9, 1): False})
    days = WorkingDays(calendar.is_working_day)
    rnd = random.Random(3)
    for _ in range(300):
        a = dt.date(2026, 1, 1) + dt.timedelta(days=rnd.randrange(400))
        b = a + dt.timedelta(days=rnd.randrange(-40, 120))
        assert days.between(a, b) == calendar.working_days_between(a, b), (a, b)
