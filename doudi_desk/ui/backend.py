"""The window's one way to the services: a small facade with named services, built once from an
AppContext (all of them hold no session).

Pages call ``backend.cases``, ``backend.queries``, ``backend.accounts``, ``backend.admin``,
``backend.printing``, ``backend.payments`` … and a few questions answered here (which programmes
can be applied for, where the database is); the AppContext itself, its workflow engines and its
database stay behind this class: no page reaches the context (tests/test_architecture.py
checks that doudi_desk/ui names neither it nor the engines)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..services.context import AppContext


class Backend:
    """Everything the window may do; every method is called on the executor's worker thread.

    The log-in and the case list need only the queries; every other service is made (and its
    module imported) the first time it is used, so starting the window does not load them all."""

    def __init__(self, ctx: AppContext):
        # imported here: the window builds its Backend on the worker (Backend.load)
        from ..services.queries import QueryService

        self._ctx = ctx
        self.queries = QueryService(ctx)

    @classmethod
    def load(cls, make_context: Callable[[], AppContext]) -> Backend:
        """The window's first job, on the worker: open the database and import what the log-in page
        and the first screen after it use, so that the GUI thread imports none of it (a module
        imported there is a stall: SQLAlchemy and the models alone take half a second)."""
        backend = cls(make_context())
        backend.accounts  # noqa: B018 - the log-in's service and argon2, made here
        from ..services import audit, exporting  # noqa: F401 - the 审计记录 tab's roles, the export buttons

        return backend

    @cached_property
    def accounts(self):
        """Log-in, passwords, the idle-lock unlock (services/accounts.py)."""
        from ..services.accounts import AccountService

        return AccountService(self._ctx)

    @cached_property
    def cases(self):
        from ..services.cases import CaseService

        return CaseService(self._ctx)

    @cached_property
    def drafts(self):
        from ..services.drafts import DraftService

        return DraftService(self._ctx)

    @cached_property
    def batch(self):
        from ..services.batch import BatchService

        return BatchService(self._ctx)

    @cached_property
    def admin(self):
        from ..services.admin import AdminService

        return AdminService(self._ctx)

    @cached_property
    def office(self):
        from ..services.office import OfficeService

        return OfficeService(self._ctx)

    @cached_property
    def lifecycle(self):
        """复核, 变更, 停保 of approved cases."""
        from ..services.lifecycle import LifecycleService

        return LifecycleService(self.cases)

    @cached_property
    def life_queries(self):
        from ..services.lifecycle_queries import LifecycleQueries

        return LifecycleQueries(self._ctx, self.cases)

    @cached_property
    def importing(self):
        """导入花名册."""
        from ..services.importing import ImportService

        return ImportService(self._ctx, self.cases)

    @cached_property
    def exports(self):
        """导出Excel of every list."""
        from ..services.exporting import ExportService

        return ExportService(self._ctx)

    @cached_property
    def printing(self):
        """The PrintService, created on first use: ReportLab loads only when something is printed
        (on the worker thread, like every other use of the backend)."""
        from ..services.printing import PrintService

        return PrintService(self._ctx)

    @cached_property
    def audit_log(self):
        """审计记录: the audit trail a page at a time (services/audit.py)."""
        from ..services.audit import AuditLog

        return AuditLog(self._ctx)

    @cached_property
    def statistics(self):
        """统计月报 (services/statistics.py)."""
        from ..services.statistics import StatisticsService

        return StatisticsService(self._ctx)

    @cached_property
    def ledger_books(self):
        """The village 台账 and 一户一册 (services/ledger_books.py)."""
        from ..services.ledger_books import LedgerBookService

        return LedgerBookService(self._ctx)

    @cached_property
    def campaigns(self):
        """大排查 campaigns (services/campaigns.py)."""
        from ..services.campaigns import CampaignService

        return CampaignService(self._ctx)

    @cached_property
    def payments(self):
        """资金发放: payrolls, bank files, price indices, payment accounts, a family's 发放台账
        (services/payment*)."""
        from types import SimpleNamespace

        from ..services.bank_io import BankFileService
        from ..services.payment_accounts import PaymentAccountService
        from ..services.payment_export import lines_xlsx
        from ..services.payment_ledger import PaymentLedgerService
        from ..services.payments import PaymentService
        from ..services.price_indices import PriceIndexService

        payrolls = PaymentService(self._ctx)
        return SimpleNamespace(payrolls=payrolls, bank=BankFileService(self._ctx, payrolls),
                               prices=PriceIndexService(self._ctx), accounts=PaymentAccountService(self._ctx),
                               ledger=PaymentLedgerService(self._ctx),
                               lines_xlsx=lambda pid, user, rows: lines_xlsx(self._ctx, pid, user, rows))

    @cached_property
    def payroll_print(self):
        """发放花名册, 发放汇总表, 变动名单 (ReportLab loads on first use, on the worker)."""
        from ..services.payment_print import PayrollPrintService

        return PayrollPrintService(self._ctx, self.payments.payrolls)

    @property
    def definitions(self):
        return self._ctx.definitions

    def workflow_for(self, workflow_id: str):
        """A workflow's definition (its states and labels), or None for an unknown id."""
        return self._ctx.definitions.workflows.get(workflow_id)

    def programmes_open_for_application(self) -> set[str]:
        """The programmes a new application can be made for: those with an application workflow."""
        return {spec.programme for spec in self._ctx.definitions.workflows.values() if spec.kind == "application"}

    def database_location(self) -> str:
        """Where the database is, for people (a file path, or a server URL without its password)."""
        return self._ctx.db.location()

    @property
    def upgrade(self):
        """The upgrade opening made (its ``backup`` file), or None."""
        return self._ctx.upgrade

    def about(self) -> dict:
        """What the 关于 dialog shows (reads the database's revision: call on the worker)."""
        from ..services.about import about

        return about(self._ctx)

    def load_demo(self, **options):
        """Fill an empty database with the demo townships (services/demo.py)."""
        from ..services.demo import build_demo

        return build_demo(self._ctx, **options)

    def open_backup(self):
        """A BackupService on a database connection of its own, for the daily backup's thread
        (ui/auto_backup.py); the caller closes it."""
        from ..services.backup import BackupService

        return BackupService.on_own_connection(self._ctx)

    def today(self):
        return self._ctx.today()

    def close(self) -> None:
        try:
            self._ctx.db.optimize()  # SQLite's advice before a long-lived connection closes
        except Exception:  # noqa: BLE001 - statistics are an optimisation; closing must not fail
            logging.getLogger(__name__).warning("PRAGMA optimize at close failed", exc_info=True)
        self._ctx.db.dispose()

    def case_bundle(self, case_id: int, username: str, draft_key: str) -> dict:
        """What the case page shows, read in one go: the case view, its household, the user's draft."""
        return {
            "view": self.cases.show(case_id, username),
            "household": self.queries.household_of_case(case_id, username),  # IDs masked unless the role needs them
            "links": self.life_queries.links(case_id),
            "draft": self.drafts.load(username, draft_key),
        }
