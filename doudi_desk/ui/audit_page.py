"""审计记录: the office's audit trail as a list, for the roles that read it (the administrator, the
county approver: services/audit.py AUDIT_ROLES), each within their area.

Every event — an action on a case as its 办理记录 names it, a log-in, an account change, an export,
a backup — newest first, filtered by date, 操作人 and 案件号. The trail of a county holds millions of
events, so the page never asks for all of them: the service returns one page (one keyset query) and
「加载更多」 asks for the next. 导出Excel writes the list as filtered (the filters last applied). A
double-click on a case event opens the case.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..domain.errors import KnownError
from ..services.audit import PAGE_SIZE
from .dynamic_page import RowsModel
from .errors import show_error
from .export_excel import export_button
from .forms import DateField
from .style import say

COLUMNS = [("time", "时间"), ("actor_name", "操作人"), ("case_number", "案件号"), ("action_label", "操作"),
           ("change", "状态变化"), ("note", "说明")]
WIDTHS = (150, 110, 140, 150, 230)
EXPORT_LIMIT = 20000  # the export reads the filtered list a page at a time up to this many events


class AuditPage(QWidget):
    """Signals:
        loaded(): a page of events arrived and is shown.
        open_case(int): the user wants to see this case.
    """

    loaded = Signal()
    open_case = Signal(int)
    permanent = True  # no close button (main_window.close_tab)

    def __init__(self, shell, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("audit_page")
        self.shell = shell
        self.applied: dict[str, Any] = {}  # the filters of the rows shown (what 导出Excel exports)
        self.next: int | None = None
        self._started = False
        self._generation = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("时间"))
        today = shell.backend.today() if shell.backend else None
        self.since = DateField(today)
        self.since.setObjectName("audit_since")
        self.until = DateField(today)
        self.until.setObjectName("audit_until")
        bar.addWidget(self.since)
        bar.addWidget(QLabel("至"))
        bar.addWidget(self.until)
        bar.addWidget(QLabel("操作人"))
        self.by = QComboBox()
        self.by.setObjectName("audit_by")
        self.by.addItem("全部", None)
        self.by.setMinimumWidth(150)
        bar.addWidget(self.by)
        bar.addWidget(QLabel("案件号"))
        self.case = QLineEdit()
        self.case.setObjectName("audit_case")
        self.case.setPlaceholderText("如 2026-DB-000004")
        self.case.setMaxLength(40)
        self.case.setFixedWidth(150)
        self.case.returnPressed.connect(self.apply_filters)
        bar.addWidget(self.case)
        self.search = QPushButton("查询")
        self.search.setObjectName("audit_search")
        self.search.clicked.connect(self.apply_filters)
        bar.addWidget(self.search)
        self.clear = QPushButton("清除筛选")
        self.clear.clicked.connect(self.clear_filters)
        bar.addWidget(self.clear)
        bar.addStretch(1)
        self.export = export_button(self, "audit", lambda: {**self.applied, "limit": EXPORT_LIMIT})
        bar.addWidget(self.export)
        layout.addLayout(bar)

        self.model = RowsModel(COLUMNS, lambda row, key: str(row.get(key) or ""), parent=self)
        self.view = QTableView()
        self.view.setObjectName("audit_table")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(26)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        for i, w in enumerate(WIDTHS):
            self.view.setColumnWidth(i, w)
        self.view.doubleClicked.connect(lambda index: self._activated(index.row()))
        layout.addWidget(self.view, 1)

        foot = QHBoxLayout()
        self.message = QLabel()
        self.message.setObjectName("audit_message")
        self.message.setWordWrap(True)
        foot.addWidget(self.message, 1)
        self.more = QPushButton("加载更多")
        self.more.setObjectName("audit_more")
        self.more.setEnabled(False)
        self.more.clicked.connect(self.load_more)
        foot.addWidget(self.more)
        layout.addLayout(foot)

    # --- loading ---
    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._started:  # read on first show, not at log-in
            self._started = True
            self.start()

    def start(self) -> None:
        user = self.shell.user["username"]
        self.shell.executor.submit(self.shell.backend.audit_log.actors, user, owner=self, on_done=self._actors,
                                   on_error=lambda exc: show_error(exc, self))
        self.apply_filters()

    def _actors(self, actors: list[dict[str, str]]) -> None:
        current = self.by.currentData()
        self.by.blockSignals(True)
        self.by.clear()
        self.by.addItem("全部", None)
        for a in actors:
            self.by.addItem(a["name"], a["username"])
        self.by.setCurrentIndex(max(self.by.findData(current), 0))
        self.by.blockSignals(False)

    def filters(self) -> dict[str, Any]:
        """The filters as entered now (empty ones left out)."""
        entered = {"since": self.since.text(), "until": self.until.text(), "by": self.by.currentData(),
                   "case": self.case.text().strip()}
        return {k: v for k, v in entered.items() if v}

    def apply_filters(self) -> None:
        self._fetch(self.filters(), None)

    def clear_filters(self) -> None:
        self.since.setText("")
        self.until.setText("")
        self.by.setCurrentIndex(0)
        self.case.clear()
        self.apply_filters()

    def load_more(self) -> None:
        if self.next is not None:
            self._fetch(self.applied, self.next)

    def _fetch(self, filters: dict[str, Any], before: int | None) -> None:
        self._generation += 1
        generation = self._generation
        self.more.setEnabled(False)
        self.search.setEnabled(False)
        say(self.message, "正在读取审计记录…", "hint")

        def done(page: dict[str, Any]) -> None:
            if generation != self._generation:
                return  # a newer query was asked for meanwhile
            self.search.setEnabled(True)
            self.applied = dict(filters)
            rows = page["rows"] if before is None else self.model.rows + page["rows"]
            self.model.set_rows(rows)
            self.next = page["next"]
            self.more.setEnabled(self.next is not None)
            tail = f"，每次读取 {PAGE_SIZE} 条，点「加载更多」看更早的" if self.next is not None else "，已到最早的记录"
            say(self.message, f"已显示 {len(rows)} 条（最新的在前{tail}）。双击案件的记录可打开案件。", "hint")
            self.loaded.emit()

        def failed(exc: BaseException) -> None:
            if generation != self._generation:
                return
            self.search.setEnabled(True)
            self.more.setEnabled(self.next is not None)
            if isinstance(exc, KnownError):  # a bad filter: say which, keep the rows shown
                say(self.message, str(exc.message), "error")
            else:
                show_error(exc, self)

        self.shell.executor.submit(self.shell.backend.audit_log.page, self.shell.user["username"], owner=self,
                                   on_done=done, on_error=failed, before=before, **filters)

    def _activated(self, index: int) -> None:
        row = self.model.row(index)
        if row and row.get("case_id"):
            self.open_case.emit(row["case_id"])


def make_audit_page(window) -> AuditPage:
    """The 审计记录 tab's page (main_window registers the tab at log-in for ``AUDIT_ROLES`` and
    builds the page when the tab is first shown: ui/work_tabs.py)."""
    page = AuditPage(window)
    page.open_case.connect(window.open_case)
    return page
