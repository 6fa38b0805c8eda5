"""The services the window calls, built once from an AppContext (all of them hold no session)."""

from __future__ import annotations

import logging
from functools import cached_property
from typing import TYPE_CHECKING

from ..services.queries import QueryService

if TYPE_CHECKING:
    from ..services.context import AppContext


class Backend:
    """Everything the window may do; every method is called on the executor's worker thread.

    The log-in and the case list need only the queries; every other service is made (and its
    module imported) the first time it is used, so starting the window does not load them all."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        self.queries = QueryService(ctx)

    @cached_property
    def cases(self):
        from ..services.cases import CaseService

        return CaseService(self.ctx)

    @cached_property
    def drafts(self):
        from ..services.drafts import DraftService

        return DraftService(self.ctx)

    @cached_property
    def batch(self):
        from ..services.batch import BatchService

        return BatchService(self.ctx)

    @cached_property
    def admin(self):
        from ..services.admin import AdminService

        return AdminService(self.ctx)

    @cached_property
    def office(self):
        from ..services.office import OfficeService

        return OfficeService(self.ctx)

    @cached_property
    def lifecycle(self):
        """复核, 变更, 停保 of approved cases."""
        from ..services.lifecycle import LifecycleService

        return LifecycleService(self.cases)

    @cached_property
    def life_queries(self):
        from ..services.lifecycle_queries import LifecycleQueries

        return LifecycleQueries(self.ctx, self.cases)

    @cached_property
    def importing(self):
        """导入花名册."""
        from ..services.importing import ImportService

        return ImportService(self.ctx, self.cases)

    @cached_property
    def exports(self):
        """导出Excel of every list."""
        from ..services.exporting import ExportService

        return ExportService(self.ctx)

    @cached_property
    def printing(self):
        """The PrintService, created on first use: ReportLab loads only when something is printed
        (on the worker thread, like every other use of the backend)."""
        from ..services.printing import PrintService

        return PrintService(self.ctx)

    @cached_property
    def audit_log(self):
        """审计记录: the audit trail a page at a time (services/audit.py)."""
        from ..services.audit import AuditLog

        return AuditLog(self.ctx)

    @cached_property
    def statistics(self):
        """统计月报 (services/statistics.py)."""
        from ..services.statistics import StatisticsService

        return StatisticsService(self.ctx)

    @cached_property
    def ledger_books(self):
        """The village 台账 and 一户一册 (services/ledger_books.py)."""
        from ..services.ledger_books import LedgerBookService

        return LedgerBookService(self.ctx)

    @cached_property
    def campaigns(self):
        """大排查 campaigns (services/campaigns.py)."""
        from ..services.campaigns import CampaignService

        return CampaignService(self.ctx)

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

        payrolls = PaymentService(self.ctx)
        return SimpleNamespace(payrolls=payrolls, bank=BankFileService(self.ctx, payrolls),
                               prices=PriceIndexService(self.ctx), accounts=PaymentAccountService(self.ctx),
                               ledger=PaymentLedgerService(self.ctx),
                               lines_xlsx=lambda pid, user, rows: lines_xlsx(self.ctx, pid, user, rows))

    @cached_property
    def payroll_print(self):
        """发放花名册, 发放汇总表, 变动名单 (ReportLab loads on first use, on the worker)."""
        from ..services.payment_print import PayrollPrintService

        return PayrollPrintService(self.ctx, self.payments.payrolls)

    @property
    def definitions(self):
        return self.ctx.definitions

    def workflow_for(self, workflow_id: str):
        engine = self.ctx.engines.get(workflow_id)
        return engine.spec if engine else None

    def today(self):
        return self.ctx.today()

    def close(self) -> None:
        try:
            self.ctx.db.optimize()  # SQLite's advice before a long-lived connection closes
        except Exception:  # noqa: BLE001 - statistics are an optimisation; closing must not fail
            logging.getLogger(__name__).warning("PRAGMA optimize at close failed", exc_info=True)
        self.ctx.db.dispose()

    def case_bundle(self, case_id: int, username: str, draft_key: str) -> dict:
        """What the case page shows, read in one go: the case view, its household, the user's draft."""
        return {
            "view": self.cases.show(case_id, username),
            "household": self.queries.household_of_case(case_id, username),  # IDs masked unless the role needs them
            "links": self.life_queries.links(case_id),
            "draft": self.drafts.load(username, draft_key),
        }
