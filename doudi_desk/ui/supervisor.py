"""The supervisor queue: cases waiting for this user's 初审 or 审核确认, with the proposed amount,
days left and flags; select many, approve, or return with a mandatory reason. A batch runs on the
executor with a progress dialog; a failure names its case and leaves the others done."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from . import ops
from .case_list import deadline_text
from .export_excel import export_button
from .style import GREEN, GREY, RED, set_role

FIRST_PAGE = 200  # the first screen (and a few screens more): shown at once
REST_PAGE = 1000  # the rest of the queue, behind it

COLUMNS = [("number", "案件编号"), ("head", "户主"), ("village_name", "村（社区）"), ("state_label", "环节"),
           ("approve_label", "待办"), ("proposed_amount", "拟保障金额（元/月）"), ("members", "人数"),
           ("deadline", "期限"), ("flags", "标记")]


class QueueModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def append_rows(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section][1]
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self.rows)):
            return None
        row = self.rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "deadline":
                return deadline_text(row)
            if key == "flags":
                return "、".join(row["flags"])
            if key == "proposed_amount" and row.get("one_off") and row.get(key) is not None:
                return f"{row[key]}（一次性）"
            value = row.get(key)
            return "—" if value is None else str(value)
        if role == Qt.ItemDataRole.ForegroundRole:
            if key == "deadline" and row.get("overdue"):
                return RED
            if key == "flags" and row["flags"]:
                return RED
            if key == "proposed_amount" and row.get("proposed_amount") is None:
                return GREY
        if role == Qt.ItemDataRole.TextAlignmentRole and key in ("proposed_amount", "members"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return row["id"]
        return None


class ReasonDialog(QDialog):
    def __init__(self, count: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("退回重新调查")
        self.setObjectName("reason_dialog")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"退回所选 {count} 件案件重新调查。请写明退回理由＊"))
        self.text = QPlainTextEdit()
        self.text.setFixedHeight(80)
        layout.addWidget(self.text)
        self.error = QLabel()
        set_role(self.error, "error")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("退回")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(460, 220)

    def reason(self) -> str:
        return self.text.toPlainText().strip()

    def _ok(self) -> None:
        if not self.reason():
            self.error.setText("退回须写明理由")
            return
        self.accept()


class ResultDialog(QDialog):
    """What a batch did, case by case: each case done (and the step it is in now) and each case
    refused, with the reason; refusals first, so none is missed."""

    def __init__(self, title: str, result: dict[str, Any], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("batch_result")
        layout = QVBoxLayout(self)
        done, failed = result["done"], result["failed"]
        text = f"已办理 {len(done)} 件"
        if failed:
            text += f"；{len(failed)} 件未能办理（其余已办理的不受影响），原因见下表"
        text += "。"
        if result.get("stopped"):
            text += "\n已按您的要求中途停止，未处理的案件保持原状。"
        self.summary = QLabel(text)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        rows = [(f["number"], f.get("head") or "", "未办理", f["message"]) for f in failed] + \
               [(d["number"], d.get("head") or "", "已办理", f"现处于「{d['state_label']}」") for d in done]
        self.table = QTableWidget(len(rows), 4)
        self.table.setObjectName("batch_result_table")
        self.table.setHorizontalHeaderLabels(["案件编号", "户主", "结果", "说明"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                if c == 2:
                    item.setForeground(RED if value == "未办理" else GREEN)
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        for c in range(3):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        layout.addWidget(buttons)
        self.resize(760, min(560, 160 + 30 * len(rows)))

    def lines(self) -> list[str]:
        """The table as text, a line per case (what the supervisor reads)."""
        return ["　".join(self.table.item(r, c).text() for c in range(4)) for r in range(self.table.rowCount())]


class SupervisorPage(QWidget, ops.ChangeListener):
    """Signals: open_case(int); batch_finished(dict) with a batch's outcome. The queue reads
    itself again after any command that changed cases (``on_changes``)."""

    open_case = Signal(int)
    batch_finished = Signal(dict)

    def __init__(self, shell, parent: QWidget | None = None):
        super().__init__(parent)
        self.shell = shell
        self.setObjectName("supervisor_page")
        self.dialog: QWidget | None = None
        self.progress: QProgressDialog | None = None
        self.job = None
        self._generation = 0
        self.total = 0
        self._overdue = 0
        self.loading = False  # rows after the first screen still coming
        layout = QVBoxLayout(self)
        self.title = QLabel("待我审批的案件")
        set_role(self.title, "title")
        layout.addWidget(self.title)
        self.model = QueueModel(self)
        self.view = QTableView()
        self.view.setObjectName("queue_table")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setStretchLastSection(True)
        for i, w in enumerate((150, 80, 100, 110, 100, 140, 50, 140)):
            self.view.setColumnWidth(i, w)
        self.view.doubleClicked.connect(lambda index: self.open_case.emit(self.model.rows[index.row()]["id"]))
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        layout.addWidget(self.view, 1)
        bar = QHBoxLayout()
        self.info = QLabel()
        bar.addWidget(self.info, 1)
        self.select_all = QPushButton("全选")
        self.select_all.clicked.connect(self.view.selectAll)
        self.approve_button = QPushButton("批准所选")
        self.approve_button.setObjectName("approve_selected")
        self.approve_button.clicked.connect(self.approve_selected)
        self.return_button = QPushButton("退回所选…")
        self.return_button.setObjectName("return_selected")
        self.return_button.clicked.connect(self.return_selected)
        self.refresh_button = QPushButton("刷新")
        self.refresh_button.clicked.connect(self.refresh)
        for b in (self.select_all, self.approve_button, self.return_button, self.refresh_button):
            b.setMinimumWidth(120)
            bar.addWidget(b)
        bar.addWidget(export_button(self, "queue"))
        layout.addLayout(bar)
        self._selection_changed()

    def on_changes(self, changes: ops.Changes, initiator: object | None) -> None:
        if changes.queue or changes.cases or changes.policy:
            self.refresh()

    def refresh(self) -> None:
        """The first screen of the queue (FIRST_PAGE rows, nearest deadline first), then the rest
        behind it in larger pages, appended as they arrive: a county's 5,000 cases never hold up
        the first screen, and no page blocks the window."""
        self._generation += 1
        self._fetch(self._generation, None, FIRST_PAGE)

    def _fetch(self, generation: int, after: Any, limit: int) -> None:
        self.shell.executor.submit(self.shell.backend.queries.queue_page, self.shell.user["username"], after, limit,
                                   owner=self, on_done=lambda page: self._arrived(generation, after is None, page))

    def _arrived(self, generation: int, first: bool, page: dict[str, Any]) -> None:
        if generation != self._generation or self.shell.user is None:
            return  # refreshed meanwhile
        if first:
            self.total = page["total"]
            self._overdue = 0
            self.model.set_rows(list(page["rows"]))
        else:
            self.model.append_rows(page["rows"])
        self._overdue += sum(1 for r in page["rows"] if r.get("overdue"))
        self.loading = page["next"] is not None
        if self.loading:
            self._fetch(generation, page["next"], REST_PAGE)
        text = f"共 {self.total} 件待审批"
        if self.loading:
            text += f"（已载入 {self.model.rowCount()} 件，其余正在载入）"
        elif self._overdue:
            text += f"，其中 {self._overdue} 件已逾期"
        self.info.setText(text)
        self._selection_changed()

    def selected(self) -> list[dict[str, Any]]:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [self.model.rows[r] for r in rows]

    def _selection_changed(self, *_args: Any) -> None:
        rows = self.selected()
        batchable = [r for r in rows if r.get("batchable", True)]
        self.approve_button.setEnabled(bool(rows) and len(batchable) == len(rows))
        self.approve_button.setText(f"批准所选（{len(rows)}）" if rows else "批准所选")
        self.approve_button.setToolTip("" if len(batchable) == len(rows) else
                                       "复核、变更和停保案件须在案件页作出决定（双击打开），不能批量批准")
        returnable = [r for r in rows if r["can_return"]]
        self.return_button.setEnabled(bool(rows) and len(returnable) == len(rows))
        if rows and len(returnable) != len(rows):
            self.return_button.setToolTip("乡镇初审环节的案件不能退回；请只选择审核确认环节的案件")
        else:
            self.return_button.setToolTip("")

    def approve_selected(self) -> None:
        rows = self.selected()
        if not rows:
            return
        actions: dict[str, int] = {}
        for r in rows:
            actions[r["approve_label"]] = actions.get(r["approve_label"], 0) + 1
        what = "、".join(f"{label} {n} 件" for label, n in actions.items())
        box = QMessageBox(QMessageBox.Icon.Question, "批准", f"确认批准所选 {len(rows)} 件案件？\n"
                          f"将办理：{what}（决定的金额按测算结果）",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.button(QMessageBox.StandardButton.Yes).setText("批准")
        box.button(QMessageBox.StandardButton.No).setText("取消")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda result: self._confirmed(result, rows))
        self.dialog = box
        box.show()

    def _confirmed(self, result: int, rows: list[dict[str, Any]]) -> None:
        self.dialog = None
        if result == QMessageBox.StandardButton.Yes:
            self.run_batch(rows, "approve", "")

    def return_selected(self) -> None:
        rows = self.selected()
        if not rows:
            return
        dialog = ReasonDialog(len(rows), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda result: self._return_reason(result, dialog.reason(), rows))
        self.dialog = dialog
        dialog.show()

    def _return_reason(self, result: int, reason: str, rows: list[dict[str, Any]]) -> None:
        self.dialog = None
        if result == QDialog.DialogCode.Accepted:
            self.run_batch(rows, "return", reason)

    def run_batch(self, rows: list[dict[str, Any]], action: str, reason: str) -> None:
        items = [{"id": r["id"], "number": r["number"], "version": r["version"], "head": r["head"]} for r in rows]
        title = "批准" if action == "approve" else "退回"
        self.progress = QProgressDialog(f"正在{title}…", "停止", 0, len(items), self)
        self.progress.setWindowTitle(f"批量{title}")
        self.progress.setMinimumDuration(0)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.setValue(0)
        self.progress.show()

        def progressed(done: int, total: int, number: str) -> None:
            if self.progress:
                self.progress.setValue(done)
                self.progress.setLabelText(f"正在{title}：{done}/{total}（{number}）")

        def finished(result: dict[str, Any]) -> None:
            if self.progress:
                self.progress.close()
                self.progress = None
            dialog = ResultDialog(f"批量{title}结果", result, self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.dialog = dialog
            dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
            dialog.show()
            self.batch_finished.emit(result)  # the queue refreshes itself from operation_did_execute

        def failed(exc: BaseException) -> None:
            if self.progress:
                self.progress.close()
                self.progress = None
            from .errors import show_error

            show_error(exc, self)

        self.job = ops.batch_decide(self.shell, items, action, reason).success(finished).failure(failed) \
            .progress(progressed).run_in_background(initiator=self)
        self.progress.canceled.connect(self.job.cancel)
