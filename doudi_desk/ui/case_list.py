"""The case list: tabs (待办 / 全部案件 / 待审批 / 公示中 / 已逾期), filters, one search box, sorting.

:class:`CaseListModel` holds the rows the user has scrolled through and fetches the next page by
keyset when the view reaches the end [Qt's ``fetchMore``; Anki ``browser/table/model.py`` pages
rows too]; fetching runs on the executor, so a county's 150,000 cases never block the window and
the first page costs what a page costs.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from . import ops
from .export_excel import export_button
from .style import GREY, RED

if TYPE_CHECKING:
    from ..services.queries import CaseQuery

# services.queries (and SQLAlchemy, the models behind it) is imported where a list is first made,
# after log-in: the worker has loaded it with the database by then, and the window's start does not.

PAGE = 100

COLUMNS: list[tuple[str, str]] = [
    ("number", "案件编号"),
    ("head", "户主"),
    ("head_id_number", "户主身份证号码"),
    ("village", "村（社区）"),
    ("programme", "救助项目"),
    ("state", "当前环节"),
    ("members", "人数"),
    ("applied_on", "申请日期"),
    ("deadline", "期限（工作日）"),
    ("matched", "搜索匹配"),  # shown while searching: whose name, ID or phone matched
]
MATCH_COLUMN = len(COLUMNS) - 1
SORTABLE = {"number", "head", "village", "programme", "state", "applied_on", "deadline"}
# A first paint asks data() for every role of every visible cell (about 1,400 calls for one screen):
# the roles the list answers, and its flags, are looked up once here instead of on every call.
_DISPLAY, _USER = int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.UserRole)
_FOREGROUND, _FONT = int(Qt.ItemDataRole.ForegroundRole), int(Qt.ItemDataRole.FontRole)
_TOOLTIP, _ALIGN = int(Qt.ItemDataRole.ToolTipRole), int(Qt.ItemDataRole.TextAlignmentRole)
_ROLES = frozenset({_DISPLAY, _USER, _FOREGROUND, _FONT, _TOOLTIP, _ALIGN})
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_CENTRED = int(Qt.AlignmentFlag.AlignCenter)


def deadline_text(row: dict[str, Any]) -> str:
    left = row.get("days_left")
    if left is None:
        return "已办结" if row.get("closed") else "—"
    if row.get("overdue"):
        return f"逾期 {max(-left, 0)} 个工作日" if left < 0 else "今日已逾期"
    if left == 0:
        return "今日到期"
    return f"剩余 {left} 个工作日"


class CaseListModel(QAbstractTableModel):
    """The rows of the case list, fetched a page at a time by keyset as the view scrolls down.

    The first page comes with the query (:meth:`CaseListPage.refresh`); Qt asks :meth:`canFetchMore`
    / :meth:`fetchMore` when the view reaches the last row shown, and the next page is fetched on the
    executor after the sort values of that row (``QueryService.case_page``). The model never asks
    for more than one page at a time and never holds more rows than the user scrolled through.

    Signals:
        sort_requested(str, bool): the header asked for this sort key (descending?).
        page_loaded(): rows of a page arrived.
    """

    sort_requested = Signal(str, bool)
    page_loaded = Signal()

    def __init__(self, shell, parent=None):
        super().__init__(parent)
        self.shell = shell
        self._rows: list[dict[str, Any]] = []
        self._next: list[Any] | None = None
        self._fetching = False
        self._generation = 0
        from ..services.queries import CaseQuery

        self.query = CaseQuery()
        self.search = ""
        self.total: int | None = None

    # --- contents ---
    def set_first_page(self, query: CaseQuery, page: dict[str, Any]) -> None:
        """Show the first page of ``query`` (``QueryService.case_page``'s answer)."""
        self.beginResetModel()
        self._generation += 1
        self.query = query
        self.search = query.search
        self._rows = list(page["rows"])
        self._next = page["next"]
        self.total = page.get("total")
        self._fetching = False
        self.endResetModel()
        self.page_loaded.emit()

    def case_id(self, row: int) -> int | None:
        return self._rows[row]["id"] if 0 <= row < len(self._rows) else None

    def row_data(self, row: int) -> dict[str, Any] | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def loaded(self) -> bool:
        """Every row of the query is here (no page left to fetch)."""
        return self._next is None

    def fetching(self) -> bool:
        return self._fetching

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and self._next is not None

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: B008, N802
        if parent.isValid() or self._next is None or self._fetching or self.shell.user is None:
            return
        self._fetching = True
        generation = self._generation
        self.shell.executor.submit(self.shell.backend.queries.case_page, self.shell.user["username"], self.query,
                                   self._next, PAGE, owner=self,
                                   on_done=lambda page: self._arrived(generation, page),
                                   on_error=lambda exc: self._failed(generation, exc))

    def _arrived(self, generation: int, page: dict[str, Any]) -> None:
        if generation != self._generation:
            return  # the list was re-queried meanwhile
        self._fetching = False
        rows = page["rows"]
        if rows:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self._next = page["next"]
        self.page_loaded.emit()

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self._fetching = False
        from .errors import show_error

        show_error(exc, self.shell)

    # --- Qt model interface ---
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
                return COLUMNS[section][1]
            if orientation == Qt.Orientation.Vertical:
                return str(section + 1)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _FLAGS

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        role = int(role)
        if role not in _ROLES or not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        if role == _USER:
            return row["id"]
        key = COLUMNS[index.column()][0]
        if role == _DISPLAY:
            if key == "village":
                return row["village_name"]
            if key == "programme":
                spec = self.shell.backend.workflow_for(row.get("workflow_id", "")) if self.shell.backend else None
                kind = {"review": "复核", "change": "变更", "termination": "停保"}.get(spec.kind if spec else "", "")
                return f"{row['programme_label']}·{kind}" if kind else row["programme_label"]
            if key == "state":
                return row["state_label"]
            if key == "deadline":
                return deadline_text(row)
            value = row.get(key)
            return "" if value is None else str(value)
        if role == _FOREGROUND and key == "deadline":
            if row.get("overdue"):
                return RED
            if row.get("days_left") is None:
                return GREY
        if role == _FONT and key == "deadline" and row.get("overdue"):
            font = QFont()
            font.setBold(True)
            return font
        if role == _TOOLTIP and key == "deadline":
            parts = []
            if row.get("state_deadline"):
                parts.append(f"本环节期限 {row['state_deadline']}")
            if row.get("total_deadline") and not row.get("closed"):
                parts.append(f"办结期限 {row['total_deadline']}")
            return "；".join(parts) or None
        if role == _ALIGN and key == "members":
            return _CENTRED
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if 0 <= column < len(COLUMNS) and COLUMNS[column][0] in SORTABLE:
            self.sort_requested.emit(COLUMNS[column][0], order == Qt.SortOrder.DescendingOrder)


class CaseListPage(QWidget, ops.ChangeListener):
    """Tabs, filters, search and the table. Double-click (or Enter) opens a case. Reads the list
    and the tab counts again after any command that changed cases (``on_changes``).

    Signals:
        open_case(int): the user wants to see this case.
        refreshed(): ids and counts of the current query arrived.
    """

    open_case = Signal(int)
    refreshed = Signal()

    def __init__(self, shell, parent: QWidget | None = None):
        super().__init__(parent)
        self.shell = shell
        from ..services.queries import TABS, CaseQuery

        self.query = CaseQuery(tab="todo")
        self._tab_names = dict(TABS)
        self._tab_keys = list(TABS)
        layout = QVBoxLayout(self)

        top = QHBoxLayout()
        self.tabs = QTabBar()
        self.tabs.setObjectName("case_tabs")
        for key in self._tab_keys:
            self.tabs.addTab(self._tab_names[key])
        self.tabs.currentChanged.connect(self._tab_changed)
        top.addWidget(self.tabs)
        top.addStretch(1)
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("搜索：身份证号、电话、案件编号（可只输末几位），姓名或拼音首字母")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(440)
        top.addWidget(self.search)
        layout.addLayout(top)

        filters = QHBoxLayout()
        self.programme = QComboBox()
        self.state = QComboBox()
        self.village = QComboBox()
        self.deadline = QComboBox()
        for combo, everything in ((self.programme, "全部项目"), (self.state, "全部环节"), (self.village, "全部村（社区）")):
            combo.addItem(everything, None)
            combo.currentIndexChanged.connect(self._filters_changed)
        self.deadline.addItem("全部期限", None)
        self.deadline.addItem("3个工作日内到期", "soon")
        self.deadline.addItem("已逾期", "overdue")
        self.deadline.currentIndexChanged.connect(self._filters_changed)
        for label, combo in (("项目", self.programme), ("环节", self.state), ("村（社区）", self.village),
                             ("期限", self.deadline)):
            filters.addWidget(QLabel(label))
            filters.addWidget(combo)
        filters.addStretch(1)
        filters.addWidget(export_button(self, "cases", lambda: asdict(self.query)))
        self.count_label = QLabel()
        filters.addWidget(self.count_label)
        layout.addLayout(filters)

        self.model = CaseListModel(shell, self)
        self.model.sort_requested.connect(self._sort)
        self.view = QTableView()
        self.view.setObjectName("case_table")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(26)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        widths = [150, 90, 180, 110, 160, 140, 50, 130, 140]
        for i, w in enumerate(widths):
            self.view.setColumnWidth(i, w)
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        header.sectionClicked.connect(self._header_clicked)
        self.view.doubleClicked.connect(self._activated)
        self.view.activated.connect(self._activated)
        self.view.setColumnHidden(MATCH_COLUMN, True)
        layout.addWidget(self.view)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self._search_changed)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self._refresh_generation = 0

    # --- start ---
    def start(self, tab: str = "todo") -> None:
        """After log-in: the first page of ``tab``, then its counts and the filter choices. The
        worker runs jobs in order, so the list the user waits for is asked for first, once."""
        self.query = replace(self.query, tab=tab)
        self.tabs.blockSignals(True)
        self.tabs.setCurrentIndex(self._tab_keys.index(tab))
        self.tabs.blockSignals(False)
        self.refresh()
        self.shell.executor.submit(self.shell.backend.queries.filter_options, self.shell.user["username"],
                                   owner=self, on_done=self._options)

    def _options(self, options: dict[str, Any]) -> None:
        for combo, key in ((self.programme, "programmes"), (self.state, "states"), (self.village, "villages")):
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for value, label in options[key]:
                combo.addItem(label, value)
            combo.blockSignals(False)

    # --- query changes ---
    def _replace(self, **changes: Any) -> None:
        self.query = replace(self.query, **changes)
        self.refresh()

    def _tab_changed(self, index: int) -> None:
        if 0 <= index < len(self._tab_keys):
            self._replace(tab=self._tab_keys[index])

    def select_tab(self, key: str) -> None:
        self.tabs.setCurrentIndex(self._tab_keys.index(key))

    def _filters_changed(self, *_args: Any) -> None:
        self._replace(programme=self.programme.currentData(), state=self.state.currentData(),
                      village=self.village.currentData(), deadline=self.deadline.currentData())

    def _search_changed(self) -> None:
        text = self.search.text().strip()
        if text and not self.query.search and self.query.tab != "all":
            # A search looks for a person or a case wherever it is: it starts in 全部案件 (the tab
            # bar still counts the matches of every tab, and the label names the tab searched).
            self.query = replace(self.query, tab="all")
            self.tabs.blockSignals(True)
            self.tabs.setCurrentIndex(self._tab_keys.index("all"))
            self.tabs.blockSignals(False)
        self._replace(search=text)

    def _header_clicked(self, column: int) -> None:
        key = COLUMNS[column][0]
        if key not in SORTABLE:
            return
        descending = self.query.sort == key and not self.query.descending
        self.view.horizontalHeader().setSortIndicator(
            column, Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder)
        self._sort(key, descending)

    def _sort(self, key: str, descending: bool) -> None:
        if (key, descending) != (self.query.sort, self.query.descending):
            self._replace(sort=key, descending=descending)

    def on_changes(self, changes: ops.Changes, initiator: object | None) -> None:
        if changes.cases or changes.policy:  # a calendar day moves deadlines
            self.refresh()

    def refresh(self) -> None:
        if self.shell.user is None:
            return
        self._refresh_generation += 1
        generation = self._refresh_generation
        user = self.shell.user["username"]
        queries = self.shell.backend.queries
        query = self.query
        self.shell.executor.submit(queries.case_page, user, query, None, PAGE, owner=self,
                                   on_done=lambda page: self._page_arrived(generation, query, page))
        self.shell.executor.submit(queries.tab_counts, user, query.search, owner=self,
                                   on_done=lambda counts: self._counts(generation, counts))

    def _page_arrived(self, generation: int, query: CaseQuery, page: dict[str, Any]) -> None:
        if generation != self._refresh_generation:
            return
        self.model.set_first_page(query, page)
        self.view.setColumnHidden(MATCH_COLUMN, not query.search)
        total = page["total"]
        if query.search:
            self.count_label.setText(f"在「{self._tab_names[query.tab]}」中搜索「{query.search}」：找到 {total} 件")
        else:
            self.count_label.setText(f"共 {total} 件")
        self.refreshed.emit()

    def _counts(self, generation: int, counts: dict[str, int]) -> None:
        if generation != self._refresh_generation:
            return
        for i, key in enumerate(self._tab_keys):
            self.tabs.setTabText(i, f"{self._tab_names[key]}（{counts.get(key, 0)}）")
        self.tabs.setToolTip("各页签括号中为符合搜索条件的案件数" if self.query.search else "")

    def _activated(self, index: QModelIndex) -> None:
        cid = self.model.case_id(index.row())
        if cid is not None:
            self.open_case.emit(cid)
