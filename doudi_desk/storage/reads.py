"""A unit of work that only reads the case list, on the driver's connection (storage/prepared.py):
:meth:`Database.reads <doudi_desk.storage.db.Database.reads>`. It has the two repositories the
list's reads use, ``listing`` and ``calendar``, and no ORM session: a session, its transaction and
sixteen repositories cost more than a search's statements do."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from .listing import CaseListRepository
from .prepared import Driver
from .repo import _ALL_OVERRIDES

_T = TypeVar("_T")


class ReadCalendar:
    """The office's calendar overrides, as :class:`~doudi_desk.storage.repo.CalendarRepository`
    reads them (read once per unit of work), for a read unit."""

    def __init__(self, driver: Driver):
        self._driver = driver
        self._built: dict[Callable[..., Any], Any] = {}

    def all(self) -> dict[dt.date, bool]:
        rows = self._driver.cached("calendar overrides", lambda: _ALL_OVERRIDES).all(self._driver)
        return {day: bool(is_working) for day, is_working in rows}

    def built(self, build: Callable[[dict[dt.date, bool]], _T]) -> _T:
        """``build(self.all())``, made once per unit of work."""
        if build not in self._built:
            self._built[build] = build(self.all())
        return self._built[build]


class ReadUnit:
    """The case list's repositories on one driver connection."""

    def __init__(self, driver: Driver):
        self.listing = CaseListRepository(driver=driver)
        self.calendar = ReadCalendar(driver)
