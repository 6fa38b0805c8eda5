"""导入花名册: choose a roster file, see what the import would do row by row, then confirm.

The preview and the import run on the worker with a progress bar and 取消 (cancelling rolls the
import back: nothing is written). The table shows every household of the file with its result
(新增, 已有且相同, 有变化, 有错误) and what is wrong or was fixed, naming sheet, row and column; the
error list can be saved as xlsx beside the original columns. Rows with errors make the whole file
refused unless the user chooses to skip them. After a later month's roster the families that changed
or are no longer listed can be given a 变更 or 停保 case, one each, never overwritten.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QStandardPaths,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from . import ops
from .errors import friendly, is_known, message_box, show_error
from .style import GREY, RED, set_role

COLUMNS = [("status_label", "结果"), ("row", "行号"), ("head", "户主"), ("township", "乡镇（街道）"),
           ("village", "村（社区）"), ("programme_label", "项目"), ("members", "人数"),
           ("monthly_amount", "月保障金额（元）"), ("start_month", "起始年月"), ("notes", "说明")]
STATUS_COLOURS = {"new": QColor("#1b5e20"), "error": RED, "changed": QColor("#e65100"), "matches": GREY}
STAFF = {"caseworker", "township_reviewer"}


class HouseholdsModel(QAbstractTableModel):
    """The households of a preview or import report (thousands of rows: a model, not items)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(COLUMNS):
            return COLUMNS[section][1]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    @staticmethod
    def text(row: dict[str, Any], key: str) -> str:
        if key == "notes":
            parts = [*row["errors"], *(("变化：" + "；".join(row["changes"]),) if row["changes"] else ()),
                     *row["messages"]]
            return "　".join(p.split("：", 1)[-1] if p.startswith("工作表") else p for p in parts)
        if key == "row":
            return f"{row['row']}" if len(row["rows"]) == 1 else f"{row['rows'][0]}–{row['rows'][-1]}"
        value = row.get(key)
        return "" if value is None else str(value)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, key = self.rows[index.row()], COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, key)
        if role == Qt.ItemDataRole.ToolTipRole and key == "notes":
            return "\n".join([*row["errors"], *row["changes"], *row["messages"]]) or None
        if role == Qt.ItemDataRole.ForegroundRole and key in ("status_label", "notes"):
            return STATUS_COLOURS.get(row["status"]) if key == "status_label" or row["errors"] else None
        if role == Qt.ItemDataRole.TextAlignmentRole and key in ("members", "monthly_amount", "row"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class ActionsDialog(QDialog):
    """The 变更 and 停保 a later roster offers, each ticked; 开立所选 opens one case per family."""

    chosen = Signal(list)

    def __init__(self, offered: list[dict[str, Any]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("登记变更、提出停保")
        self.offered = offered
        layout = QVBoxLayout(self)
        hint = QLabel("名单有变化的家庭可登记变更，不在名单中的可提出停保（每户一个案件，按规定程序办理，不直接改动待遇）。"
                      "请核对后勾选：")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.list = QListWidget()
        self.list.setObjectName("offered_actions")
        for item in offered:
            label = "登记变更" if item["action"] == "change" else "提出停保"
            entry = QListWidgetItem(f"{label}：{item['case']} {item['head']} — {item['detail']}")
            entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            entry.setCheckState(Qt.CheckState.Checked)
            self.list.addItem(entry)
        layout.addWidget(self.list)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.ok = QPushButton("开立所选")
        self.ok.setObjectName("open_actions")
        self.ok.clicked.connect(self._ok)
        cancel = QPushButton("取消")
        cancel.clicked.connect(self.reject)
        buttons.addWidget(self.ok)
        buttons.addWidget(cancel)
        layout.addLayout(buttons)
        self.resize(760, 360)

    def _ok(self) -> None:
        picked = [self.offered[i] for i in range(self.list.count())
                  if self.list.item(i).checkState() == Qt.CheckState.Checked]
        self.chosen.emit(picked)
        self.accept()


class ImportDialog(QDialog):
    """Signals:
        previewed(dict): a preview report arrived.
        imported(dict): an import finished (its report, with ``created`` and ``message``).
    """

    previewed = Signal(dict)
    imported = Signal(dict)

    def __init__(self, shell, parent: QWidget | None = None):
        super().__init__(parent)
        self.shell = shell
        self.setObjectName("import_dialog")
        self.setWindowTitle("导入花名册")
        self.report: dict[str, Any] | None = None
        self.job = None
        self.file_dialog: QFileDialog | None = None
        self.child: QWidget | None = None
        self.committed = False
        layout = QVBoxLayout(self)

        top = QHBoxLayout()
        top.addWidget(QLabel("文件"))
        self.path = QLineEdit()
        self.path.setObjectName("import_path")
        self.path.setReadOnly(True)
        self.path.setPlaceholderText("省系统导出的花名册或救助对象明细（.xlsx、.xls、.csv）")
        top.addWidget(self.path, 1)
        self.browse = QPushButton("选择文件…")
        self.browse.clicked.connect(self.choose_file)
        top.addWidget(self.browse)
        top.addWidget(QLabel("格式"))
        self.profile = QComboBox()
        self.profile.setObjectName("import_profile")
        self.profile.addItem("按表头自动识别", None)
        self.profile.currentIndexChanged.connect(lambda _i: self.preview() if self.path.text() else None)
        top.addWidget(self.profile)
        self.preview_button = QPushButton("预览")
        self.preview_button.setObjectName("import_preview")
        self.preview_button.clicked.connect(self.preview)
        top.addWidget(self.preview_button)
        layout.addLayout(top)

        self.explanation = QLabel("先选择文件：程序逐行核对并显示导入结果，确认前不写入任何内容。")
        self.explanation.setObjectName("import_explanation")
        self.explanation.setWordWrap(True)
        set_role(self.explanation, "hint")
        layout.addWidget(self.explanation)
        self.summary = QLabel()
        self.summary.setObjectName("import_summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        self.tabs = QTabWidget()
        self.model = HouseholdsModel(self)
        self.table = QTableView()
        self.table.setObjectName("import_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for i, w in enumerate((80, 60, 70, 80, 80, 100, 40, 110, 70)):
            self.table.setColumnWidth(i, w)
        self.tabs.addTab(self.table, "各户")
        self.issues = QPlainTextEdit()
        self.issues.setObjectName("import_issues")
        self.issues.setReadOnly(True)
        self.tabs.addTab(self.issues, "问题清单")
        self.gone = QPlainTextEdit()
        self.gone.setObjectName("import_gone")
        self.gone.setReadOnly(True)
        self.tabs.addTab(self.gone, "不在名单中")
        layout.addWidget(self.tabs, 1)

        options = QHBoxLayout()
        self.refuse_all = QRadioButton("有错误时整个文件不导入")
        self.refuse_all.setChecked(True)
        self.skip_errors = QRadioButton("跳过有错误的户，导入其余的")
        self.skip_errors.setObjectName("skip_errors")
        options.addWidget(self.refuse_all)
        options.addWidget(self.skip_errors)
        options.addStretch(1)
        layout.addLayout(options)

        running = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setObjectName("import_progress")
        self.progress.setRange(0, 100)
        self.progress_text = QLabel()
        self.cancel_button = QPushButton("取消")
        self.cancel_button.setObjectName("import_cancel")
        self.cancel_button.clicked.connect(self.cancel)
        running.addWidget(self.progress, 1)
        running.addWidget(self.progress_text, 2)
        running.addWidget(self.cancel_button)
        layout.addLayout(running)

        buttons = QHBoxLayout()
        self.errors_button = QPushButton("导出错误清单…")
        self.errors_button.setObjectName("import_errors_out")
        self.errors_button.clicked.connect(self.choose_errors_file)
        self.actions_button = QPushButton("登记变更、提出停保…")
        self.actions_button.setObjectName("import_actions")
        self.actions_button.clicked.connect(self.offer_actions)
        self.confirm_button = QPushButton("确认导入")
        self.confirm_button.setObjectName("import_confirm")
        self.confirm_button.clicked.connect(self.confirm)
        close = QPushButton("关闭")
        close.clicked.connect(self.close)
        buttons.addWidget(self.errors_button)
        buttons.addWidget(self.actions_button)
        buttons.addStretch(1)
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.resize(1180, 640)
        self._running(False)
        self._update_buttons()
        shell.executor.submit(shell.backend.importing.profile_choices, owner=self, on_done=self._profiles)

    # --- state ---
    def _profiles(self, choices: list[dict[str, str]]) -> None:
        self.profile.blockSignals(True)
        for c in choices:
            self.profile.addItem(c["title"], c["id"])
        self.profile.blockSignals(False)

    def _running(self, on: bool, text: str = "") -> None:
        self.progress.setVisible(on)
        self.cancel_button.setVisible(on)
        self.progress_text.setText(text)
        for w in (self.browse, self.preview_button, self.profile, self.refuse_all, self.skip_errors):
            w.setEnabled(not on)
        if on:
            self.progress.setValue(0)
            self.confirm_button.setEnabled(False)
            self.errors_button.setEnabled(False)
            self.actions_button.setEnabled(False)

    def _update_buttons(self) -> None:
        report = self.report
        counts = (report or {}).get("counts", {})
        self.confirm_button.setEnabled(bool(report) and not self.committed and counts.get("new", 0) > 0)
        self.errors_button.setEnabled(bool(report) and counts.get("error", 0) > 0)
        staff = bool(set(self.shell.user["roles"]) & STAFF)
        # 变更 and 停保 do not wait for the import: they are cases of families already in force
        offered = bool(report) and bool(counts.get("changed") or counts.get("gone"))
        self.actions_button.setVisible(staff)
        self.actions_button.setEnabled(offered)

    def _progressed(self, done: int, total: int, text: str) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)
        self.progress_text.setText(text)

    # --- choosing the file ---
    def choose_file(self) -> QFileDialog:
        start = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
        dialog = QFileDialog(self, "选择要导入的花名册", start, "电子表格 (*.xlsx *.xls *.csv);;所有文件 (*)")
        dialog.setObjectName("import_file_dialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.set_file)
        dialog.finished.connect(lambda _r: setattr(self, "file_dialog", None))
        self.file_dialog = dialog
        dialog.open()
        return dialog

    def set_file(self, path: str | Path) -> None:
        self.path.setText(str(path))
        self.preview()

    # --- preview and import ---
    def _run(self, op: ops.QueryOp | ops.CollectionOp, text: str, on_done) -> None:
        """Run a read (preview, error list) or the import itself, with progress and 取消."""
        self._running(True, text)

        def failed(exc: BaseException) -> None:
            self._running(False)
            self._update_buttons()
            if is_known(exc):
                self.summary.setText(friendly(exc))
                set_role(self.summary, "refusal")
            else:
                show_error(exc, self)

        def done(result: Any) -> None:
            self._running(False)
            on_done(result)

        self.job = op.success(done).failure(failed).progress(self._progressed).run_in_background(initiator=self)

    def preview(self) -> None:
        if not self.path.text():
            return
        self.committed = False
        self.report = None
        self.model.set_rows([])
        self._run(ops.QueryOp(self.shell, self.shell.backend.importing.preview, path=self.path.text(),
                              actor=self.shell.user["username"], profile=self.profile.currentData()),
                  "正在预览…", self._show_preview)

    def _show(self, report: dict[str, Any]) -> None:
        self.report = report
        self.explanation.setText(report["explanation"] + "".join(f"\n提示：{n}" for n in report["notes"]))
        self.model.set_rows(report["households"])
        self.issues.setPlainText("\n".join(f"[{i['severity_label']}] {i['text']}" for i in report["issues"])
                                 or "没有发现问题。")
        self.tabs.setTabText(1, f"问题清单（错误 {report['error_count']}，已纠正 {report['fixed_count']}）")
        self.gone.setPlainText("\n".join(
            f"{g['case']}  户主 {g['head']}  {g['village']}  {g['programme_label']}  月保障金额 {g['monthly_amount']} 元"
            + (f"  （办理中：{g['open_case']}）" if g["open_case"] else "") for g in report["gone"])
            or "名单所涉乡镇的在保家庭都在此名单中。")
        self.tabs.setTabText(2, f"不在名单中（{len(report['gone'])}）")

    def _show_preview(self, report: dict[str, Any]) -> None:
        self._show(report)
        counts = report["counts"]
        text = "预览：" + report["summary"]
        if counts["error"]:
            text += "。有错误的户须改正后重新导入，或选择「跳过有错误的户」"
        self.summary.setText(text)
        set_role(self.summary, "refusal" if counts["error"] else "ok")
        self._update_buttons()
        self.previewed.emit(report)

    def confirm(self) -> None:
        if not self.report:
            return
        self._run(ops.import_commit(self.shell, self.path.text(), self.profile.currentData(),
                                    self.skip_errors.isChecked(), self.report["digest"]),
                  "正在导入…", self._show_import)

    def _show_import(self, report: dict[str, Any]) -> None:
        self.committed = True
        self._show(report)
        self.summary.setText(report["message"])
        set_role(self.summary, "ok")
        self._update_buttons()
        self.imported.emit(report)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.progress_text.setText("正在取消…（已做的部分将全部撤销）")

    # --- after the import ---
    def choose_errors_file(self) -> QFileDialog | None:
        if not self.report:
            return None
        folder = Path(self.path.text()).parent
        dialog = QFileDialog(self, "导出错误清单", str(folder / f"{Path(self.path.text()).stem}-错误清单.xlsx"),
                             "Excel 文件 (*.xlsx)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("xlsx")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.export_errors)
        dialog.finished.connect(lambda _r: setattr(self, "file_dialog", None))
        self.file_dialog = dialog
        dialog.open()
        return dialog

    def export_errors(self, out: str | Path) -> None:
        def done(result: dict[str, Any]) -> None:
            self.progress_text.setText(f"错误清单已导出：{result['path']}（{result['rows']} 行）")
            self._update_buttons()

        self._run(ops.QueryOp(self.shell, self.shell.backend.importing.export_errors, path=self.path.text(),
                              actor=self.shell.user["username"], out=str(out), profile=self.profile.currentData()),
                  "正在导出错误清单…", done)

    def offer_actions(self) -> ActionsDialog | None:
        if not self.report:
            return None
        offered = self.shell.backend.importing.offered_actions(self.report)
        dialog = ActionsDialog(offered, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(self.start_actions)
        dialog.finished.connect(lambda _r: setattr(self, "child", None))
        self.child = dialog
        dialog.show()
        return dialog

    def start_actions(self, chosen: list[dict[str, Any]]) -> None:
        if not chosen:
            return

        def done(result: dict[str, Any]) -> None:
            lines = [("已开立 " + r["opened"]) if r["ok"] else f"{r['case']} 未开立：{r['message']}"
                     for r in result["results"]]
            self.child = message_box(self, "登记变更、提出停保", f"已开立 {result['opened']} 个案件，未开立 {result['refused']} 个。",
                                     detail="\n".join(lines))
            self.actions_button.setEnabled(False)
            self.imported.emit(self.report or {})

        ops.import_start_actions(self.shell, chosen).success(done).failure(lambda exc: show_error(exc, self)) \
            .run_in_background(initiator=self)
