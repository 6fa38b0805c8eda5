"""The composition of one running program: database, definitions, engines and the calendar."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..definitions.loader import TEMPLATES_DIR, Definitions, default_root, load_definitions
from ..domain.calendar import WorkingCalendar
from ..domain.guards import GUARDS
from ..storage.db import Database, default_url
from ..workflow.engine import WorkflowEngine
from .upgrade import Upgrade, migrate_with_backup


@dataclass
class AppContext:
    """What every service needs. Build it once with :func:`open_context`."""

    db: Database
    definitions: Definitions
    engines: dict[str, WorkflowEngine]
    today: Callable[[], dt.date] = dt.date.today
    now: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now().replace(microsecond=0))
    upgrade: Upgrade | None = None  # set when opening migrated an older database (after a backup)

    def engine_for_programme(self, programme: str, kind: str = "application") -> WorkflowEngine:
        """The workflow of a programme for one kind of case (申请, 复核, 变更, 停保)."""
        for engine in self.engines.values():
            if engine.spec.programme == programme and engine.spec.kind == kind:
                return engine
        from ..domain.errors import InputError
        from ..domain.programmes import PROGRAMMES
        from ..domain.specs import WORKFLOW_KINDS

        raise InputError(f"没有「{PROGRAMMES.get(programme, programme)}」的"
                         f"{WORKFLOW_KINDS.get(kind, kind)}流程定义", "programme")

    # per thread (a calendar grows its table of working days as it is asked): the office's calendar
    # overrides and the working calendar built from them, kept while they are unchanged
    _calendars: threading.local = field(default_factory=threading.local, repr=False, compare=False)

    def calendar(self, uow) -> WorkingCalendar:
        """The working calendar with the office's overrides: read once per unit of work, and the
        same calendar while the overrides are unchanged, so its table of working days is built
        once, not for every page of a list or every case of a batch."""
        return uow.calendar.built(self._calendar_of)

    def _calendar_of(self, overrides: dict[dt.date, bool]) -> WorkingCalendar:
        key = tuple(overrides.items())
        known = getattr(self._calendars, "known", None)
        if known is None or known[0] != key:
            known = self._calendars.known = (key, WorkingCalendar(overrides))
        return known[1]


def open_context(url: str | None = None, *, definitions_root=None, migrate: bool = True,
                 backup_folder: Path | None = None, definitions: Definitions | None = None) -> AppContext:
    """Open the database (applying migrations, after a backup if it holds an older schema: see
    services/upgrade.py) and load every workflow and form definition (unless ``definitions``
    already loaded by :func:`load_shipped_definitions` are given: they are immutable)."""
    if definitions is None:
        definitions = load_shipped_definitions(definitions_root)
    db = Database(url or default_url())
    upgrade = None
    if migrate:
        try:
            upgrade = migrate_with_backup(db, backup_folder=backup_folder)
            if upgrade is None:
                db.optimize()  # statistics for a database never analysed (once), else PRAGMA optimize
        except BaseException:
            db.dispose()
            raise
    engines = {wid: WorkflowEngine(spec, GUARDS) for wid, spec in definitions.workflows.items()}
    return AppContext(db=db, definitions=definitions, engines=engines, upgrade=upgrade)


def load_shipped_definitions(definitions_root=None) -> Definitions:
    """Every workflow and form definition under ``definitions_root`` (default: the shipped ones)."""
    root = definitions_root or default_root()
    # A workflow naming a document without a print template is a start-up error, not a runtime one.
    return load_definitions(root, GUARDS.keys(), templates=Path(root) / TEMPLATES_DIR)
