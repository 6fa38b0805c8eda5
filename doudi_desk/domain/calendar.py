"""Working days (工作日) for statutory time limits: weekends, public holidays and 调休.

The national holiday schedule comes from the ``chinese_calendar`` package, which publishes the State
Council's notice for each year (it covers 2004 up to the latest year announced). An office can
override any single day (a local holiday, a day the office works), and for years the package does
not cover yet the calendar falls back to Monday–Friday; :meth:`WorkingCalendar.covers` tells the
window when to warn about that.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Mapping
from types import MappingProxyType

import chinese_calendar

_ONE_DAY = dt.timedelta(days=1)

# The package's own lookups re-scan all its years on every call; reading its tables directly keeps
# deadline computations over thousands of cases fast.
_HOLIDAYS: Mapping[dt.date, str] = chinese_calendar.holidays
_MAKEUP_WORKDAYS: Mapping[dt.date, str] = chinese_calendar.workdays
_FIRST_YEAR = min(_HOLIDAYS).year
_LAST_YEAR = max(_HOLIDAYS).year
_CHINESE_NAMES: dict[str, str] = {h.value: h.chinese for h in chinese_calendar.Holiday}


_SPAN_DAYS = 366 * 2  # the cumulative table grows by at least this much at a time


def _as_date(d: dt.date) -> dt.date:
    # A datetime is a date subclass but never equals a date key, so lookups would silently miss.
    return d.date() if isinstance(d, dt.datetime) else d


class WorkingCalendar:
    """Decides which days are working days and counts working-day time limits.

    Args:
        overrides: days whose status the office has set by hand (``True`` = working day); an
            override always wins over the national schedule.
    """

    def __init__(self, overrides: Mapping[dt.date, bool] | None = None) -> None:
        self._overrides: dict[dt.date, bool] = {
            _as_date(day): bool(working) for day, working in (overrides or {}).items()
        }
        # Cumulative working days: _cum[i] = working days in (_first, _first + i] (ordinals), built on
        # first use and grown as needed, so counting over thousands of deadlines is two lookups each
        # instead of a walk day by day (a county's supervisor queue: 5,000 rows).
        self._first = 0
        self._cum: list[int] = []

    @property
    def overrides(self) -> Mapping[dt.date, bool]:
        """The office's overrides (read-only)."""
        return MappingProxyType(self._overrides)

    def covers(self, year: int) -> bool:
        """Whether the national holiday schedule for ``year`` is known."""
        return _FIRST_YEAR <= year <= _LAST_YEAR

    def is_working_day(self, d: dt.date) -> bool:
        """Whether ``d`` is a working day: override, else national schedule, else Monday–Friday."""
        d = _as_date(d)
        override = self._overrides.get(d)
        if override is not None:
            return override
        if d in _MAKEUP_WORKDAYS:
            return True
        if d in _HOLIDAYS:
            return False
        return d.weekday() < 5

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The date of the ``n``-th working day after ``start`` (``start`` itself not counted).

        ``n == 0`` returns ``start`` unchanged, even if it is not a working day.

        Raises:
            ValueError: if ``n`` is negative.
        """
        if n < 0:
            raise ValueError(f"n must not be negative, got {n}")
        d = _as_date(start)
        if n == 0:
            return d
        day = d.toordinal()
        # Each 7 calendar days hold at least one working day unless the office declared a long
        # closure; grow the table until the n-th working day lies inside it.
        span = max(_SPAN_DAYS, 2 * n)
        while True:
            self._cover(day, day + span)
            target = self._cum[day - self._first] + n
            i = bisect_left(self._cum, target, day - self._first)
            if i < len(self._cum):
                return dt.date.fromordinal(self._first + i)
            if self._first + len(self._cum) > dt.date.max.toordinal():
                raise OverflowError("date value out of range")
            span *= 2

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end``.

        Antisymmetric: if ``end < start`` the result is ``-working_days_between(end, start)``, so
        "working days left until a deadline" turns into "working days overdue" past it.
        """
        a, b = _as_date(start).toordinal(), _as_date(end).toordinal()
        self._cover(min(a, b), max(a, b))
        return self._cum[b - self._first] - self._cum[a - self._first]

    def _cover(self, low: int, high: int) -> None:
        """Make the cumulative table span the ordinals ``low`` … ``high``."""
        if self._cum and self._first <= low and high < self._first + len(self._cum):
            return
        if self._cum:
            low, high = min(low, self._first), max(high, self._first + len(self._cum) - 1)
        low = max(1, low - _SPAN_DAYS // 2)  # room for the next questions
        high = min(dt.date.max.toordinal(), high + _SPAN_DAYS // 2)
        cum, count, working = [], 0, self.is_working_day
        d = dt.date.fromordinal(low)
        for _ in range(high - low + 1):
            if working(d):
                count += 1
            cum.append(count)
            d += _ONE_DAY
        # _cum[0] is the first day itself; differences between entries never count it, so its
        # own status does not matter.
        self._first, self._cum = low, cum

    def holiday_name(self, d: dt.date) -> str | None:
        """The Chinese name the national schedule gives ``d``, or None.

        A public holiday gives its name (``"春节"``); a weekend day worked in exchange (调休) gives
        the name with a note (``"春节（调休上班）"``). Overrides are not considered: use
        :meth:`is_working_day` to decide whether the office works.
        """
        d = _as_date(d)
        if d in _HOLIDAYS:
            return _CHINESE_NAMES.get(_HOLIDAYS[d], _HOLIDAYS[d])
        if d in _MAKEUP_WORKDAYS:
            name = _CHINESE_NAMES.get(_MAKEUP_WORKDAYS[d], _MAKEUP_WORKDAYS[d])
            return f"{name}（调休上班）"
        return None
