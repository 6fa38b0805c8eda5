"""动态管理: the township office's lists for life after approval (procedures.md §1.9, §4).

- 复核到期: approved 低保 / 特困 cases whose 复核 falls in a month (overdue ones included, in red),
  with the review case already opened, and 开展复核 for the selected family;
- 在保名单: benefits in payment with their status today (在保 / 渐退期 / 已停保);
- 低收入监测: households flagged 低保边缘 / 刚性支出困难 / 防返贫监测预警;
- 可申请补贴: people a benefit in force suggests an application for (可申请两项补贴).

Each list is read on the executor when its tab is first shown and again after any change; rows are
plain dicts from :class:`~doudi_desk.services.lifecycle_queries.LifecycleQueries`. Double-click opens
the case.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..domain.programmes import REGISTRY
from ..services.lifecycle import STATUSES, add_months
from . import ops
from .errors import is_known, show_error
from .export_excel import export_button
from .lifecycle_ui import STAFF_ROLES, STATUS_COLOURS, StartReviewDialog
from .style import GREY, RED, set_role

# Programmes paying every month: their benefits are reviewed and listed here (domain/programmes.py).
BENEFIT_PROGRAMMES = [(code, p.name) for code, p in REGISTRY.items() if p.monthly]
FLAG_LABELS_SHORT = {"edge_family": "低保边缘", "rigid_expense_hardship": "刚性支出困难", "monitoring_alert": "防返贫监测预警"}


class RowsModel(QAbstractTableModel):
    """Plain rows with the columns, texts and colours the owning list gives."""

    def __init__(self, columns: list[tuple[str, str]], text: Callable[[dict[str, Any], str], str],
                 colour: Callable[[dict[str, Any], str], QColor | None] | None = None,
                 right: set[str] | None = None, parent=None):
        super().__init__(parent)
        self.columns = columns
        self.rows: list[dict[str, Any]] = []
        self._text, self._colour, self._right = text, colour, right or set()

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row(self, index: int) -> dict[str, Any] | None:
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.columns):
            return self.columns[section][1]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self.rows)) or index.column() >= len(self.columns):
            return None
        row = self.rows[index.row()]
        key = self.columns[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._text(row, key) or None
        if role == Qt.ItemDataRole.ForegroundRole and self._colour:
            return self._colour(row, key)
        if role == Qt.ItemDataRole.FontRole and self._colour and self._colour(row, key) == RED:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and key in self._right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _money(value: Any) -> str:
    return "" if value in (None, "") else f"{value}"


class ListTab(QWidget):
    """A list read on the executor: filters on top, the table, a hint and the count.

    Signals:
        open_case(int): the user wants to see this case.
        loaded(): the rows arrived and are shown.
    """

    open_case = Signal(int)
    loaded = Signal()
    COLUMNS: list[tuple[str, str]] = []
    WIDTHS: tuple[int, ...] = ()
    RIGHT: set[str] = set()

    def __init__(self, shell, parent: QWidget | None = None):
        super().__init__(parent)
        self.shell = shell
        self.all_rows: list[dict[str, Any]] = []
        self._stale = True
        self._generation = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.filters = QHBoxLayout()
        layout.addLayout(self.filters)
        self.model = RowsModel(self.COLUMNS, self.text, self.colour, self.RIGHT, self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(26)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        for i, w in enumerate(self.WIDTHS):
            self.view.setColumnWidth(i, w)
        self.view.doubleClicked.connect(lambda index: self._activated(index.row()))
        self.view.activated.connect(lambda index: self._activated(index.row()))
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self.selection_changed())
        layout.addWidget(self.view, 1)
        bottom = QHBoxLayout()
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        set_role(self.hint, "hint")
        bottom.addWidget(self.hint, 1)
        self.count_label = QLabel()
        self.count_label.setObjectName("count")
        bottom.addWidget(self.count_label)
        layout.addLayout(bottom)

    # --- to fill in ---
    def fetch(self) -> list[dict[str, Any]]:
        raise NotImplementedError

    def text(self, row: dict[str, Any], key: str) -> str:
        value = row.get(key)
        return "" if value is None else str(value)

    def colour(self, row: dict[str, Any], key: str) -> QColor | None:
        return None

    def keep(self, row: dict[str, Any]) -> bool:
        """Client-side filters."""
        return True

    def summary(self, rows: list[dict[str, Any]]) -> str:
        return f"共 {len(rows)} 户"

    def case_of(self, row: dict[str, Any]) -> int | None:
        return row.get("id")

    def selection_changed(self) -> None:
        pass

    # --- loading ---
    def mark_stale(self) -> None:
        self._stale = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        if self.shell.user is None:
            return
        self._stale = False
        self._generation += 1
        generation = self._generation
        self.count_label.setText("正在查询…")

        def arrived(rows: list[dict[str, Any]]) -> None:
            if generation == self._generation:
                self.all_rows = rows
                self.apply_filters()
                self.loaded.emit()

        def failed(exc: BaseException) -> None:
            self.count_label.setText("查询失败")
            show_error(exc, self)

        self.shell.executor.submit(self.fetch, owner=self, on_done=arrived, on_error=failed)

    def apply_filters(self, *_args: Any) -> None:
        rows = [r for r in self.all_rows if self.keep(r)]
        self.model.set_rows(rows)
        self.count_label.setText(self.summary(rows))
        self.selection_changed()

    def selected(self) -> dict[str, Any] | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if rows else None

    def select_row(self, row: int) -> None:
        self.view.selectRow(row)

    def _activated(self, row: int) -> None:
        data = self.model.row(row)
        cid = self.case_of(data) if data else None
        if cid:
            self.open_case.emit(int(cid))

    def _combo(self, label: str, items: list[tuple[Any, str]], name: str) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        for value, text in items:
            combo.addItem(text, value)
        self.filters.addWidget(QLabel(label))
        self.filters.addWidget(combo)
        return combo


class DueReviewsTab(ListTab):
    """复核到期 by month; overdue ones first and in red; 开展复核 for the selected family."""

    COLUMNS = [("case", "案件编号"), ("head", "户主"), ("village_name", "村（社区）"), ("programme_label", "项目"),
               ("monthly_amount", "月保障金额（元）"), ("status_label", "保障状态"), ("next_review_on", "应复核日期"),
               ("due", "到期情况"), ("review", "复核案件")]
    WIDTHS = (150, 80, 100, 130, 120, 80, 100, 110)
    RIGHT = {"monthly_amount"}
    review_started = Signal(int)

    def __init__(self, shell, parent: QWidget | None = None):
        super().__init__(shell, parent)
        self.setObjectName("due_reviews")
        today = shell.backend.today()
        this_month = f"{today.year:04d}-{today.month:02d}"
        self.month = self._combo("复核到期月份", [(add_months(this_month, i), add_months(this_month, i))
                                                   for i in range(0, 7)], "month")
        self.month.currentIndexChanged.connect(lambda _i: self.refresh())
        self.programme = self._combo("项目", [(None, "全部"), *BENEFIT_PROGRAMMES], "programme")
        self.programme.currentIndexChanged.connect(self.apply_filters)
        self.filters.addStretch(1)
        self.open_review_button = QPushButton("打开复核案件")
        self.open_review_button.setObjectName("open_review")
        self.open_review_button.clicked.connect(self.open_review)
        self.start_button = QPushButton("开展复核")
        self.start_button.setObjectName("start_review")
        self.start_button.clicked.connect(self.start_review)
        self.start_button.setVisible(bool(set(shell.user["roles"]) & STAFF_ROLES))
        self.filters.addWidget(self.open_review_button)
        self.filters.addWidget(self.start_button)
        self.filters.addWidget(export_button(self, "due_reviews", lambda: {"month": self.month.currentData(),
                                                                             "programme": self.programme.currentData()}))
        self.hint.setText("列出到所选月份为止应复核的在保家庭（含逾期未复核的，红色）。低保按6或12个月、特困按12个月复核；"
                          "选中一户后点「开展复核」开立复核案件，家庭情况从上次认定时带入。")
        self.dialog: StartReviewDialog | None = None

    def fetch(self) -> list[dict[str, Any]]:
        return self.shell.backend.life_queries.due_reviews(self.shell.user["username"], self.month.currentData())

    def keep(self, row: dict[str, Any]) -> bool:
        programme = self.programme.currentData()
        return programme is None or row["programme"] == programme

    def text(self, row: dict[str, Any], key: str) -> str:
        if key == "due":
            if row["overdue"]:
                return "已逾期"
            today = self.shell.backend.today()
            month = row["next_review_on"][:7]
            return "本月到期" if month == f"{today.year:04d}-{today.month:02d}" else f"{month} 到期"
        if key == "review":
            if row.get("review_case"):
                return f"{row['review_case']}（{row.get('review_state_label') or '办理中'}）"
            return "未开展"
        if key == "monthly_amount":
            return _money(row.get("monthly_amount"))
        return super().text(row, key)

    def colour(self, row: dict[str, Any], key: str) -> QColor | None:
        if key in ("due", "next_review_on") and row["overdue"]:
            return RED
        if key == "review" and not row.get("review_case"):
            return GREY
        return None

    def summary(self, rows: list[dict[str, Any]]) -> str:
        overdue = sum(1 for r in rows if r["overdue"])
        started = sum(1 for r in rows if r.get("review_case"))
        return f"共 {len(rows)} 户应复核，其中逾期 {overdue} 户，已开展 {started} 户"

    def selection_changed(self) -> None:
        row = self.selected()
        self.open_review_button.setEnabled(bool(row and row.get("review_case_id")))
        self.start_button.setEnabled(bool(row and not row.get("review_case")))
        if row and row.get("review_case"):
            self.start_button.setToolTip(f"已开展复核：{row['review_case']}")
        else:
            self.start_button.setToolTip("对选中的家庭开展复核")

    def open_review(self) -> None:
        row = self.selected()
        if row and row.get("review_case_id"):
            self.open_case.emit(int(row["review_case_id"]))

    def start_review(self) -> StartReviewDialog | None:
        row = self.selected()
        if row is None or row.get("review_case"):
            return None
        view = {"number": row["case"], "household": {"head": row["head"]}, "programme_label": row["programme_label"]}
        today = self.shell.backend.today()
        dialog = StartReviewDialog(view, today, today.isoformat(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))

        def submitted(data: dict[str, Any]) -> None:
            def done(review: dict[str, Any]) -> None:
                dialog.done_ok()  # the lists refresh themselves from operation_did_execute
                self.review_started.emit(review.id)
                self.open_case.emit(review.id)

            def failed(exc: BaseException) -> None:
                if is_known(exc):
                    dialog.refused(exc)
                else:
                    dialog.refused("操作没有完成，详见错误信息。")
                    show_error(exc, self)

            ops.start_review(self.shell, row["id"], data["effective_date"], data["comment"]) \
                .success(done).failure(failed).run_in_background(initiator=self)

        dialog.submitted.connect(submitted)
        self.dialog = dialog
        dialog.show()
        return dialog


class BenefitsTab(ListTab):
    """在保名单 with the status today; totals of what is paid this month."""

    COLUMNS = [("case", "案件编号"), ("head", "户主"), ("village_name", "村（社区）"), ("programme_label", "项目"),
               ("status_label", "保障状态"), ("monthly_amount", "月保障金额（元）"), ("covered_count", "保障人数"),
               ("since_month", "起始月份"), ("next_review_on", "下次复核"), ("end", "渐退至 / 停发自"),
               ("open_case", "办理中")]
    WIDTHS = (150, 80, 100, 130, 70, 120, 70, 80, 90, 110)
    RIGHT = {"monthly_amount", "covered_count"}

    def __init__(self, shell, parent: QWidget | None = None):
        super().__init__(shell, parent)
        self.setObjectName("benefits")
        self.status = self._combo("保障状态", [(None, "全部"), *STATUSES.items()], "status")
        self.status.setCurrentIndex(self.status.findData("active"))
        self.status.currentIndexChanged.connect(lambda _i: self.refresh())
        self.programme = self._combo("项目", [(None, "全部"), *BENEFIT_PROGRAMMES], "programme")
        self.programme.currentIndexChanged.connect(self.apply_filters)
        self.filters.addStretch(1)
        self.filters.addWidget(export_button(self, "benefits", lambda: {"status": self.status.currentData(),
                                                                          "programme": self.programme.currentData()}))
        self.hint.setText("保障状态按今天计算：渐退期满的自动转为已停保；已决定停发的，当月仍按在保发放。双击打开案件。")

    def fetch(self) -> list[dict[str, Any]]:
        return self.shell.backend.life_queries.benefits(self.shell.user["username"], self.status.currentData())

    def keep(self, row: dict[str, Any]) -> bool:
        programme = self.programme.currentData()
        return programme is None or row["programme"] == programme

    def text(self, row: dict[str, Any], key: str) -> str:
        if key == "end":
            if row.get("phase_out_until"):
                return f"渐退至 {row['phase_out_until']}"
            if row.get("stopped_from"):
                return f"停发自 {row['stopped_from']}"
            return ""
        if key == "open_case":
            return f"{row['open_case_kind']} {row['open_case']}" if row.get("open_case") else ""
        return super().text(row, key)

    def colour(self, row: dict[str, Any], key: str) -> QColor | None:
        if key == "status_label":
            return QColor(STATUS_COLOURS.get(row["status"], "#424242"))
        return None

    def summary(self, rows: list[dict[str, Any]]) -> str:
        total = Decimal(0)
        for r in rows:
            if r["status"] != "stopped":
                try:
                    total += Decimal(str(r.get("monthly_amount") or 0))
                except InvalidOperation:
                    pass
        people = sum(r.get("covered_count") or 0 for r in rows if r["status"] != "stopped")
        return f"共 {len(rows)} 户；本月发放 {people} 人，合计 {total.quantize(Decimal(1))} 元"


class MonitoringTab(ListTab):
    """低收入监测: flagged households, one row per family, with its latest case."""

    COLUMNS = [("head", "户主"), ("village_name", "村（社区）"), ("members", "人数"),
               ("per_capita_monthly", "人均月收入（元）"), ("flags", "监测标记"), ("case", "最近案件"),
               ("programme_label", "项目"), ("case_state_label", "案件环节")]
    WIDTHS = (80, 100, 50, 120, 260, 160, 130)
    RIGHT = {"members", "per_capita_monthly"}

    def __init__(self, shell, parent: QWidget | None = None):
        super().__init__(shell, parent)
        self.setObjectName("monitoring")
        choices = shell.backend.life_queries.flag_choices()
        self.flag = self._combo("监测标记", [(None, "全部标记"), *choices], "flag")
        self.flag.currentIndexChanged.connect(lambda _i: self.refresh())
        self.filters.addStretch(1)
        self.filters.addWidget(export_button(self, "monitoring", lambda: {"flag": self.flag.currentData()}))
        self.hint.setText("按现行政策参数和各户最近登记的家庭情况测算：低保边缘家庭（人均收入低于1.5倍低保标准）、"
                          "刚性支出困难家庭、防返贫监测预警。未纳入保障的，可引导申请相应救助。双击打开最近的案件。")

    def fetch(self) -> list[dict[str, Any]]:
        return self.shell.backend.life_queries.flags(self.shell.user["username"], self.flag.currentData())

    def case_of(self, row: dict[str, Any]) -> int | None:
        return row.get("case_id")

    def text(self, row: dict[str, Any], key: str) -> str:
        if key == "flags":
            return "、".join(FLAG_LABELS_SHORT.get(f, f) for f in row["flags"])
        if key == "case":
            kind = row.get("kind_label")
            return f"{row['case']}" + (f"（{kind}）" if kind and kind != "申请" else "")
        return super().text(row, key)

    def colour(self, row: dict[str, Any], key: str) -> QColor | None:
        if key == "flags" and "monitoring_alert" in row["flags"]:
            return RED
        return None

    def summary(self, rows: list[dict[str, Any]]) -> str:
        counts = {k: sum(1 for r in rows if k in r["flags"]) for k in FLAG_LABELS_SHORT}
        parts = "，".join(f"{FLAG_LABELS_SHORT[k]} {v}" for k, v in counts.items() if v)
        return f"共 {len(rows)} 户" + (f"（{parts}）" if parts else "")


class SuggestionsTab(ListTab):
    """可申请: people a benefit in force suggests an application for (可申请两项补贴: a certificate
    holder in a 低保 family with no allowance in force or under way)."""

    COLUMNS = [("member", "姓名"), ("village_name", "村（社区）"), ("hint", "提示"), ("after_label", "在保项目"),
               ("case", "在保案件"), ("since_month", "在保起始月份")]
    WIDTHS = (80, 100, 130, 110, 160)

    def __init__(self, shell, parent: QWidget | None = None):
        super().__init__(shell, parent)
        self.setObjectName("suggestions")
        self.filters.addWidget(QLabel("家庭已纳入保障、有成员可以申请其他补贴的，告知并引导申请（不需另行核对家庭经济状况）。"))
        self.filters.addStretch(1)
        self.hint.setText("在「登记申请」中选择相应项目，勾选该成员为申请人。双击打开该户的在保案件。")

    def fetch(self) -> list[dict[str, Any]]:
        return self.shell.backend.life_queries.suggestions(self.shell.user["username"])

    def case_of(self, row: dict[str, Any]) -> int | None:
        return row.get("case_id")

    def colour(self, row: dict[str, Any], key: str) -> QColor | None:
        return RED if key == "hint" else None

    def summary(self, rows: list[dict[str, Any]]) -> str:
        return f"共 {len(rows)} 人"


class DynamicPage(QTabWidget, ops.ChangeListener):
    """The 动态管理 tab: 复核到期 / 在保名单 / 低收入监测 / 可申请补贴. Its lists are read again
    (now if shown, else when next shown) after any command that changed cases (``on_changes``).

    Signals:
        open_case(int): a list asked to open this case.
    """

    open_case = Signal(int)

    def __init__(self, shell, parent: QWidget | None = None):
        super().__init__(parent)
        self.shell = shell
        self.setObjectName("dynamic_page")
        self.due = DueReviewsTab(shell)
        self.benefits = BenefitsTab(shell)
        self.monitoring = MonitoringTab(shell)
        self.suggestions = SuggestionsTab(shell)
        for tab, title in ((self.due, "复核到期"), (self.benefits, "在保名单"), (self.monitoring, "低收入监测"),
                           (self.suggestions, "可申请补贴")):
            tab.open_case.connect(self.open_case)
            self.addTab(tab, title)

    def tabs(self) -> list[ListTab]:
        return [self.due, self.benefits, self.monitoring, self.suggestions]

    def on_changes(self, changes: ops.Changes, initiator: object | None) -> None:
        if changes.cases or changes.policy:
            self.mark_stale()

    def mark_stale(self) -> None:
        """Cases changed: lists are read again (now if shown, else when next shown)."""
        for tab in self.tabs():
            tab.mark_stale()

    def show_list(self, key: str) -> ListTab:
        tab = {"due": self.due, "benefits": self.benefits, "monitoring": self.monitoring,
               "suggestions": self.suggestions}[key]
        self.setCurrentWidget(tab)
        return tab


