"""Working-day calendar: national schedule (chinese_calendar 1.11 data), overrides, fallback."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from doudi_desk.domain.calendar import WorkingCalendar

D = dt.date
CAL = WorkingCalendar()


def test_library_data_this_test_relies_on() -> None:
    # If the package changes its 2026 data, fail here with a clear cause, not deep in the tests.
    spring = [D(2026, 2, day) for day in range(15, 24)]
    assert all(chinese_calendar.holidays[d] == "Spring Festival" for d in spring)
    assert chinese_calendar.workdays[D(2026, 2, 14)] == "Spring Festival"
    assert chinese_calendar.workdays[D(2026, 2, 28)] == "Spring Festival"
    assert D(2026, 2, 14).weekday() == 5 and D(2026, 2, 28).weekday() == 5


class TestSpringFestival2026:
    def test_holidays_are_not_working_days(self) -> None:
        for day in range(15, 24):  # 2026-02-15 (Sun) .. 2026-02-23 (Mon)
            assert not CAL.is_working_day(D(2026, 2, day)), day

    def test_makeup_saturdays_are_working_days(self) -> None:
        assert CAL.is_working_day(D(2026, 2, 14))
        assert CAL.is_working_day(D(2026, 2, 28))

    def test_ordinary_weekend_after_is_rest(self) -> None:
        assert not CAL.is_working_day(D(2026, 3, 1))

    def test_add_working_days_across_the_break(self) -> None:
        start = D(2026, 2, 13)  # Friday before the break
        assert CAL.add_working_days(start, 0) == start
        assert CAL.add_working_days(start, 1) == D(2026, 2, 14)  # 调休 Saturday
        assert CAL.add_working_days(start, 2) == D(2026, 2, 24)  # first day back
        assert CAL.add_working_days(start, 6) == D(2026, 2, 28)  # 调休 Saturday
        assert CAL.add_working_days(start, 7) == D(2026, 3, 2)

    def test_working_days_between(self) -> None:
        assert CAL.working_days_between(D(2026, 2, 13), D(2026, 2, 28)) == 6
        assert CAL.working_days_between(D(2026, 2, 14), D(2026, 2, 23)) == 0
        assert CAL.working_days_between(D(2026, 2, 28), D(2026, 2, 13)) == -6
        assert CAL.working_days_between(D(2026, 2, 20), D(2026, 2, 20)) == 0

    def test_holiday_names(self) -> None:
        assert CAL.holiday_name(D(2026, 2, 17)) == "春节"
        assert CAL.holiday_name(D(2026, 2, 14)) == "春节（调休上班）"
        assert CAL.holiday_name(D(2026, 2, 24)) is None
        assert CAL.holiday_name(D(2026, 3, 1)) is None  # plain weekend


class TestNationalDay:
    def test_2025_with_mid_autumn_inside(self) -> None:
        for day in range(1, 9):
            assert not CAL.is_working_day(D(2025, 10, day)), day
        assert CAL.holiday_name(D(2025, 10, 6)) == "中秋"
        assert CAL.holiday_name(D(2025, 10, 1)) == "国庆节"
        assert CAL.is_working_day(D(2025, 9, 28))  # Sunday worked
        assert CAL.is_working_day(D(2025, 10, 11))  # Saturday worked
        assert CAL.add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 9)
        assert CAL.working_days_between(D(2025, 9, 27), D(2025, 10, 11)) == 6

    def test_2026(self) -> None:
        for day in range(1, 8):
            assert not CAL.is_working_day(D(2026, 10, day)), day
        assert CAL.is_working_day(D(2026, 9, 20))  # Sunday worked
        assert CAL.is_working_day(D(2026, 10, 10))  # Saturday worked
        assert CAL.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
        assert CAL.add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)


class TestOverrides:
    def test_holiday_made_working(self) -> None:
        cal = WorkingCalendar({D(2026, 2, 23): True})
        assert cal.is_working_day(D(2026, 2, 23))
        assert cal.add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 23)
        assert cal.holiday_name(D(2026, 2, 23)) == "春节"  # name is the national schedule's

    def test_working_day_made_rest(self) -> None:
        cal = WorkingCalendar({D(2026, 2, 14): False, D(2026, 3, 4): False})
        assert not cal.is_working_day(D(2026, 2, 14))
        assert not cal.is_working_day(D(2026, 3, 4))
        assert cal.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 24)
        assert cal.working_days_between(D(2026, 3, 2), D(2026, 3, 6)) == 3

    def test_override_beyond_coverage(self) -> None:
        cal = WorkingCalendar({D(2027, 1, 1): False})
        assert not cal.is_working_day(D(2027, 1, 1))

    def test_datetime_keys_and_arguments(self) -> None:
        cal = WorkingCalendar({dt.datetime(2026, 3, 4, 9, 30): False})
        assert not cal.is_working_day(D(2026, 3, 4))
        assert not CAL.is_working_day(dt.datetime(2026, 2, 17, 10, 0))
        assert dict(cal.overrides) == {D(2026, 3, 4): False}


class TestBeyondCoverage:
    def test_covers(self) -> None:
        assert CAL.covers(2025) and CAL.covers(2026)
        assert not CAL.covers(2027)
        assert not CAL.covers(2003)

    def test_falls_back_to_monday_to_friday(self) -> None:
        # 2027-01-01 is a Friday: a holiday in reality, but unknown to the package.
        assert CAL.is_working_day(D(2027, 1, 1))
        assert not CAL.is_working_day(D(2027, 1, 2))
        assert CAL.holiday_name(D(2027, 1, 1)) is None
        assert CAL.add_working_days(D(2027, 1, 1), 1) == D(2027, 1, 4)

    def test_counts_across_the_coverage_edge(self) -> None:
        # 2026-12-31 (Thu) is covered, 2027 is not; both sides count without errors.
        assert CAL.working_days_between(D(2026, 12, 30), D(2027, 1, 5)) == 4


def test_negative_n_is_refused() -> None:
    with pytest.raises(ValueError):
        CAL.add_working_days(D(2026, 1, 5), -1)


dates = st.dates(min_value=D(2004, 1, 1), max_value=D(2028, 12, 31))
overrides = st.dictionaries(
    st.dates(min_value=D(2025, 1, 1), max_value=D(2027, 12, 31)), st.booleans(), max_size=30
)


@given(start=dates, n=st.integers(min_value=1, max_value=400), extra=overrides)
def test_add_lands_on_a_working_day(start: dt.date, n: int, extra: dict[dt.date, bool]) -> None:
    cal = WorkingCalendar(extra)
    end = cal.add_working_days(start, n)
    assert end > start
    assert cal.is_working_day(end)


@given(start=dates, n=st.integers(min_value=0, max_value=400), extra=overrides)
def test_between_inverts_add(start: dt.date, n: int, extra: dict[dt.date, bool]) -> None:
    cal = WorkingCalendar(extra)
    assert cal.working_days_between(start, cal.add_working_days(start, n)) == n


@given(a=dates, b=dates)
def test_between_is_antisymmetric(a: dt.date, b: dt.date) -> None:
    assert CAL.working_days_between(a, b) == -CAL.working_days_between(b, a)


@given(d=st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 12, 31)))
def test_agrees_with_the_package_where_it_has_data(d: dt.date) -> None:
    assert CAL.is_working_day(d) == chinese_calendar.is_workday(d)


def _walk_between(cal: WorkingCalendar, start: dt.date, end: dt.date) -> int:
    """The definition, day by day (what the cumulative table replaces)."""
    if end < start:
        return -_walk_between(cal, end, start)
    return sum(1 for i in range(1, (end - start).days + 1) if cal.is_working_day(start + dt.timedelta(days=i)))


def _walk_add(cal: WorkingCalendar, start: dt.date, n: int) -> dt.date:
    d = start
    while n:
        d += dt.timedelta(days=1)
        n -= cal.is_working_day(d)
    return d


def test_cumulative_table_counts_like_walking_day_by_day_across_holidays() -> None:
    # Spring Festival 2026 with its 调休 Saturdays, National Day 2025, and office overrides on both
    # sides; one calendar answers questions that make its table grow backwards and forwards.
    cal = WorkingCalendar({D(2026, 2, 13): False, D(2026, 3, 1): True, D(2025, 10, 11): False})
    days = [D(2025, 9, 25) + dt.timedelta(days=i) for i in range(0, 200, 3)]
    for a in days:
        for b in days[::7]:
            assert cal.working_days_between(a, b) == _walk_between(cal, a, b), (a, b)
    for start in days:
        for n in (0, 1, 2, 5, 9, 10, 30):
            assert cal.add_working_days(start, n) == _walk_add(cal, start, n), (start, n)
    # far outside the first table: 2004 and beyond the package's years
    assert cal.working_days_between(D(2004, 1, 1), D(2027, 3, 1)) == _walk_between(cal, D(2004, 1, 1), D(2027, 3, 1))
    assert cal.add_working_days(D(2004, 9, 28), 3) == _walk_add(cal, D(2004, 9, 28), 3)


def test_a_long_office_closure_is_crossed() -> None:
    closed = {D(2026, 5, 1) + dt.timedelta(days=i): False for i in range(900)}  # beyond one table span
    cal = WorkingCalendar(closed)
    assert cal.add_working_days(D(2026, 4, 30), 1) == _walk_add(cal, D(2026, 4, 30), 1)


@given(a=dates, b=dates, extra=overrides)
def test_between_agrees_with_walking(a: dt.date, b: dt.date, extra: dict[dt.date, bool]) -> None:
    cal = WorkingCalendar(extra)
    assert cal.working_days_between(a, b) == _walk_between(cal, a, b)
