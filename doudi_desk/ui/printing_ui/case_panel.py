"""The 打印 tab of a case: one button per document of the case, the result below."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...services.views import CaseView
from ..style import set_role
from .result_panel import ResultPanel


class CasePrintPanel(QWidget):
    """One button per document of the case: this step's first, then the others (disabled ones say
    why), then 案件档案. Clicking generates the PDF on the worker; the result shows below.

    Signals:
        requested(str): a document kind was asked for (the case page forwards it as print_requested).
    """

    requested = Signal(str)

    def __init__(self, shell, case_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.shell = shell
        self.case_id = case_id
        self.view: CaseView | None = None
        self.step_documents: list[tuple[str, str]] = []
        self.entries: list[dict[str, Any]] = []
        self.buttons: dict[str, QPushButton] = {}
        self.reasons: dict[str, str] = {}
        self._stale = True
        self._busy = False
        self._generation = 0
        self.setObjectName("case_print_panel")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget()
        self.inner_layout = QVBoxLayout(inner)
        self.inner_layout.setContentsMargins(0, 0, 0, 0)
        self.step_box = QGroupBox("本环节的文书")
        self.step_grid = QGridLayout(self.step_box)
        self.other_box = QGroupBox("其他文书")
        self.other_grid = QGridLayout(self.other_box)
        self.file_box = QGroupBox("整个案件")
        self.file_grid = QGridLayout(self.file_box)
        for box in (self.step_box, self.other_box, self.file_box):
            self.inner_layout.addWidget(box)
        self.loading = QLabel("正在查询可打印的文书…")
        set_role(self.loading, "hint")
        self.inner_layout.addWidget(self.loading)
        self.inner_layout.addStretch(1)
        scroll.setWidget(inner)
        outer.addWidget(scroll, 1)
        self.result = ResultPanel(shell)
        outer.addWidget(self.result)

    # --- which documents ---
    def set_case(self, view: CaseView, step_documents: list[tuple[str, str]] | None = None) -> None:
        """The case changed (loaded, or an action was done): the list is read again when shown.
        ``step_documents`` are the (kind, label) the workflow names for this step."""
        self.view = view
        self.step_documents = list(step_documents or [])
        self._stale = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._stale and self.view is not None:
            self.refresh()

    def refresh(self) -> None:
        self._stale = False
        self._generation += 1
        generation = self._generation
        self.loading.show()

        def arrived(entries: list[dict[str, Any]]) -> None:
            if generation == self._generation:
                self.set_documents(entries)

        def failed(exc: BaseException) -> None:
            self.loading.hide()
            self.result.failed(exc)

        backend, case_id = self.shell.backend, self.case_id
        self.shell.executor.submit(lambda: backend.printing.documents_for_case(case_id),
                                   owner=self, on_done=arrived, on_error=failed)

    @staticmethod
    def _clear(grid: QGridLayout) -> None:
        while grid.count():
            item = grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()

    def set_documents(self, entries: list[dict[str, Any]]) -> None:
        self.loading.hide()
        self.entries = entries
        self.buttons, self.reasons = {}, {}
        for grid in (self.step_grid, self.other_grid, self.file_grid):
            self._clear(grid)
        rows = {id(self.step_grid): 0, id(self.other_grid): 0, id(self.file_grid): 0}
        state = self.view.state_label if self.view else ""
        self.step_box.setTitle(f"本环节（{state}）的文书" if state else "本环节的文书")

        def add(grid: QGridLayout, button: QPushButton, reason: str, hint: str = "") -> None:
            r = rows[id(grid)]
            rows[id(grid)] = r + 1
            grid.addWidget(button, r, 0, Qt.AlignmentFlag.AlignTop)
            label = QLabel(reason or hint)
            label.setWordWrap(True)
            set_role(label, "hint")
            grid.addWidget(label, r, 1)
            grid.setColumnStretch(1, 1)

        for e in entries:
            grid = self.file_grid if e["kind"] == "case_file" else (
                self.step_grid if e["current_step"] else self.other_grid)
            title = "案件档案（全部文书合订）" if e["kind"] == "case_file" else e["title"]
            button = QPushButton(title)
            button.setObjectName(f"print_{e['kind']}")
            button.setMinimumWidth(150)
            reason = "" if e["available"] else (e.get("reason") or "暂不能打印")
            button.setEnabled(e["available"])
            hint = ""
            if e["kind"] == "case_file":
                hint = "封面、目录和本案已有的全部文书，页码连续"
                button.setToolTip("按办理顺序合订本案全部文书，用于归档")
            elif e["scope"] == "village":
                hint = "本案所在村的名单"
                button.setToolTip(f"打印本案所在村的{e['title']}（可张贴，不含身份证号码等个人信息）")
            elif reason:
                button.setToolTip(f"现在不能打印「{e['title']}」：{reason}")
            else:
                button.setToolTip(f"生成「{e['title']}」")
            button.clicked.connect(lambda _=False, e=e: self.print_kind(e["kind"], e["title"]))
            self.buttons[e["kind"]] = button
            if reason:
                self.reasons[e["kind"]] = reason
            add(grid, button, reason, hint)
        printable = {e["kind"] for e in entries}
        for kind, label in self.step_documents:  # in the workflow, but there is no print template
            if kind in printable:
                continue
            button = QPushButton(label)
            button.setMinimumWidth(150)
            button.setEnabled(False)
            button.setToolTip("本程序没有这种文书的打印模板，请使用纸质表格")
            add(self.step_grid, button, "没有打印模板，请使用纸质表格")
        if rows[id(self.step_grid)] == 0:
            none = QLabel("本环节没有需要打印的文书。")
            set_role(none, "hint")
            self.step_grid.addWidget(none, 0, 0, 1, 2)
        self.other_box.setVisible(rows[id(self.other_grid)] > 0)

    # --- printing ---
    def print_kind(self, kind: str, title: str | None = None) -> None:
        """Generate one document of the case (``case_file`` for the whole file) on the worker."""
        if self._busy:
            return
        title = title or next((e["title"] for e in self.entries if e["kind"] == kind), kind)
        number = self.view.number if self.view else str(self.case_id)
        self._set_busy(True)
        self.result.working(title)
        self.requested.emit(kind)
        case_id, actor = self.case_id, self.shell.user["username"]
        self.shell.print_desk.generate(
            lambda printing: printing.case_document(case_id, kind, actor), f"{number}_{title}", title, owner=self,
            on_done=lambda printed: (self._set_busy(False), self.result.done(printed)),
            on_error=lambda exc: (self._set_busy(False), self.result.failed(exc, title)))

    def _set_busy(self, busy: bool) -> None:
        # The buttons stay enabled (a disabled focused button would hand the focus on and scroll the
        # list away); a click while a document is being made is ignored, the panel says so.
        self._busy = busy
