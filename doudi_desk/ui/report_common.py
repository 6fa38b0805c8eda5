"""Pieces the report tabs share: a table view of a report table, the save-file dialog that does not
block, and running a long service call on the worker with a progress bar."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QFileDialog, QHeaderView, QTableView, QWidget

from ..domain.report_tables import Table, cell_text
from .dynamic_page import RowsModel

TOTAL_BG = QColor("#f1f1f1")


class ReportTableView(QTableView):
    """A report table: grouped headers flattened to "group·label", subtotals and totals in bold."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.table: Table | None = None
        self.model_ = RowsModel([], lambda r, k: "", parent=self)
        self.setModel(self.model_)
        self.setAlternatingRowColors(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(24)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)

    def set_table(self, table: Table) -> None:
        self.table = table
        kinds = {c.key: c.kind for c in table.columns}
        columns = [(c.key, "\n".join((*c.group, c.label)) if c.group else c.label) for c in table.columns]
        model = RowsModel(columns, lambda r, k: cell_text(r.get(k), kinds.get(k, "int")),
                          right={c.key for c in table.columns if c.kind != "text"}, parent=self)
        bold = QFont()
        bold.setBold(True)
        base_data = model.data

        def data(index, role=Qt.ItemDataRole.DisplayRole):
            row = model.row(index.row()) if index.isValid() else None
            strong = row is not None and row.get("_kind") in ("subtotal", "total")
            if strong and role == Qt.ItemDataRole.FontRole:
                return bold
            if strong and role == Qt.ItemDataRole.BackgroundRole:
                return TOTAL_BG
            return base_data(index, role)

        model.data = data  # type: ignore[method-assign]
        model.set_rows(list(table.rows))
        self.model_ = model
        self.setModel(model)
        depth = max((len(c.group) + 1 for c in table.columns), default=1)
        self.horizontalHeader().setMinimumHeight(22 * depth + 6)
        metrics = self.horizontalHeader().fontMetrics()
        for i, c in enumerate(table.columns):
            base = 120 if c.kind == "text" and c.key != "class" else (96 if c.kind == "money" else 72)
            self.setColumnWidth(i, max(base, min(metrics.horizontalAdvance(c.label) + 18, 220)))


def ask_save_path(parent: QWidget, title: str, name: str, suffix: str, on_selected: Callable[[str], Any]) -> QFileDialog:
    """A non-blocking 另存为 dialog (``open()`` + ``fileSelected``): tests can answer or close it."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
    start = str(Path(folder) / name)
    label = {"xlsx": "Excel 工作簿 (*.xlsx)", "pdf": "PDF 文件 (*.pdf)"}[suffix]
    dialog = QFileDialog(parent, title, start, label)
    dialog.setObjectName("report_save_dialog")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.setDefaultSuffix(suffix)
    dialog.selectFile(start)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.fileSelected.connect(on_selected)
    dialog.open()
    return dialog


def run_for(page: QWidget, fn: Callable[..., Any], *args: Any, **kwargs: Any):
    """Run ``fn`` on the worker for ``page``: its callbacks are dropped once the page is gone
    (logged out, closed) instead of reaching deleted widgets."""
    return page.shell.executor.submit(fn, *args, owner=page, **kwargs)
