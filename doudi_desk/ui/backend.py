"""The services the window calls, built once from an AppContext (all of them hold no session)."""

from __future__ import annotations

from functools import cached_property

from ..services.admin import AdminService
from ..services.batch import BatchService
from ..services.cases import CaseService
from ..services.context import AppContext
from ..services.drafts import DraftService
from ..services.exporting import ExportService
from ..services.importing import ImportService
from ..services.lifecycle import LifecycleService
from ..services.lifecycle_queries import LifecycleQueries
from ..services.office import OfficeService
from ..services.queries import QueryService


class Backend:
    """Everything the window may do; every method is called on the executor's worker thread."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        self.cases = CaseService(ctx)
        self.queries = QueryService(ctx)
        self.drafts = DraftService(ctx)
        self.batch = BatchService(ctx)
        self.admin = AdminService(ctx)
        self.office = OfficeService(ctx)
        self.lifecycle = LifecycleService(self.cases)  # 复核, 变更, 停保 of approved cases
        self.life_queries = LifecycleQueries(ctx, self.cases)
        self.importing = ImportService(ctx, self.cases)  # 导入花名册
        self.exports = ExportService(ctx)  # 导出Excel of every list

    @cached_property
    def printing(self):
        """The PrintService, created on first use: ReportLab loads only when something is printed
        (on the worker thread, like every other use of the backend)."""
        from ..services.printing import PrintService

        return PrintService(self.ctx)

    @property
    def definitions(self):
        return self.ctx.definitions

    def workflow_for(self, workflow_id: str):
        engine = self.ctx.engines.get(workflow_id)
        return engine.spec if engine else None

    def today(self):
        return self.ctx.today()

    def close(self) -> None:
        self.ctx.db.dispose()

    def case_bundle(self, case_id: int, username: str, draft_key: str) -> dict:
        """What the case page shows, read in one go: the case view, its household, the user's draft."""
        return {
            "view": self.cases.show(case_id, username),
            "household": self.queries.household_of_case(case_id, username),  # IDs masked unless the role needs them
            "links": self.life_queries.links(case_id),
            "draft": self.drafts.load(username, draft_key),
        }
