"""导出Excel: one button any table adds with one line, exporting what the table shows.

``export_button(page, kind, filters)`` gives a button that asks where to save (a non-blocking file
dialog), then runs :meth:`ExportService.export` on the worker with the page's current filters: the
service runs the same query the table runs, masks ID numbers and accounts for the user's role and
records the export in the audit trail. The result goes to the status bar; a refusal to the error
dialog. Tests answer the dialog or call :meth:`ExportButton.export_to`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QPushButton, QWidget

from .errors import show_error


def _shell(widget: QWidget):
    """The main window (it has the executor, the backend and the user)."""
    shell = getattr(widget, "shell", None)
    return shell if shell is not None else widget.window()


class ExportButton(QPushButton):
    """Signals:
        exported(dict): the file was written (path, rows, logged, masked).
    """

    exported = Signal(dict)

    def __init__(self, page: QWidget, kind: str, filters: Callable[[], dict[str, Any]] | None = None):
        super().__init__("导出Excel")
        # imported when a table is first made (after log-in, loaded by the worker): not at the window's start
        from ..services.exporting import KINDS

        self.page, self.kind, self.title = page, kind, KINDS[kind]
        self.filters = filters or (lambda: {})
        self.file_dialog: QFileDialog | None = None
        self.setObjectName(f"export_{kind}")
        self.setToolTip(f"把「{self.title}」按当前筛选导出为 Excel 文件（身份证号码、银行账号按权限遮盖，导出记入审计记录）")
        self.clicked.connect(self.choose)

    def suggested_path(self) -> Path:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
        return Path(folder) / f"{self.title}-{dt.date.today():%Y%m%d}.xlsx"

    def choose(self) -> QFileDialog:
        """Ask where to save (``open()`` + ``fileSelected``: never blocks)."""
        dialog = QFileDialog(self.page, "导出Excel", str(self.suggested_path()), "Excel 文件 (*.xlsx)")
        dialog.setObjectName("export_dialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("xlsx")
        dialog.selectFile(str(self.suggested_path()))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.export_to)
        dialog.finished.connect(lambda _r: setattr(self, "file_dialog", None))
        self.file_dialog = dialog
        dialog.open()
        return dialog

    def export_to(self, path: str | Path) -> None:
        shell = _shell(self.page)
        if shell.user is None or shell.backend is None:
            return
        path = Path(path)
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        self.setEnabled(False)
        shell.statusBar().showMessage(f"正在导出「{self.title}」…")

        def done(result: dict[str, Any]) -> None:
            self.setEnabled(True)
            note = "（已记入审计记录）" if result["logged"] else ""
            shell.statusBar().showMessage(f"已导出「{result['title']}」{result['rows']} 条到 {result['path']}{note}", 15000)
            self.exported.emit(result)

        def failed(exc: BaseException) -> None:
            self.setEnabled(True)
            shell.statusBar().clearMessage()
            show_error(exc, self.page)

        shell.executor.submit(shell.backend.exports.export, self.kind, shell.user["username"], str(path),
                              owner=self, on_done=done, on_error=failed, **self.filters())


def export_button(page: QWidget, kind: str, filters: Callable[[], dict[str, Any]] | None = None) -> ExportButton:
    """The 导出Excel button of a table: ``layout.addWidget(export_button(self, "benefits", lambda: {...}))``."""
    return ExportButton(page, kind, filters)
