"""The result of one print, where it was asked for: the file with 预览, 打印…, 另存为…, or why nothing came out."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...domain.errors import DomainError
from ..errors import friendly, show_error
from ..pdf_preview import PdfPreviewWindow
from ..style import set_role
from .desk import PrintDesk
from .files import PrintedFile, copy_pdf

log = logging.getLogger(__name__)


class ResultPanel(QFrame):
    """What came out of the last print: the file with 预览, 打印…, 另存为… and the system viewer, or
    why nothing came out.

    Signals:
        finished(bool): a print finished (True) or failed (False).
        saved(str): the PDF was saved to this path.
    """

    finished = Signal(bool)
    saved = Signal(str)

    def __init__(self, shell, parent: QWidget | None = None):
        super().__init__(parent)
        self.shell = shell
        self.printed: PrintedFile | None = None
        self.error: str = ""
        self.file_dialog: QFileDialog | None = None
        self.preview_window: PdfPreviewWindow | None = None
        self.setObjectName("print_result")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        self.message = QLabel()
        self.message.setObjectName("print_message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        self.path = QLineEdit()  # a long path scrolls instead of widening the panel
        self.path.setObjectName("print_path")
        self.path.setReadOnly(True)
        layout.addWidget(self.path)
        row = QHBoxLayout()
        self.preview_button = QPushButton("预览")
        self.preview_button.setObjectName("print_preview")
        self.preview_button.setToolTip("在本程序中逐页查看，可缩放，可打印")
        self.preview_button.clicked.connect(self.preview)
        self.print_button = QPushButton("打印…")
        self.print_button.setObjectName("print_print")
        self.print_button.setToolTip("选择打印机、份数和页码后打印")
        self.print_button.clicked.connect(self.print_dialog)
        self.save_button = QPushButton("另存为…")
        self.save_button.setObjectName("print_save_as")
        self.save_button.clicked.connect(lambda: self.save_as())
        self.viewer_button = QPushButton("用系统阅读器打开")
        self.viewer_button.setObjectName("print_viewer")
        self.viewer_button.setToolTip("用电脑上安装的 PDF 阅读器打开（如果有）")
        self.viewer_button.clicked.connect(self.open_in_viewer)
        self.folder_button = QPushButton("打开所在文件夹")
        self.folder_button.clicked.connect(self.open_folder)
        self.file_buttons = (self.preview_button, self.print_button, self.save_button, self.viewer_button,
                             self.folder_button)
        for b in self.file_buttons:
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)
        self.hide()

    @property
    def desk(self) -> PrintDesk:
        return self.shell.print_desk

    def _file_widgets(self, visible: bool) -> None:
        for w in (self.path, *self.file_buttons):
            w.setVisible(visible)

    def working(self, title: str) -> None:
        self.printed, self.error = None, ""
        self.message.setText(f"正在生成「{title}」…")
        set_role(self.message, "hint")
        self._file_widgets(False)
        self.show()

    def done(self, printed: PrintedFile) -> None:
        self.printed, self.error = printed, ""
        self.note(f"已生成「{printed.title}」：共 {printed.pages} 页（{printed.size // 1024 + 1} KB）。"
                  "点「预览」查看，点「打印…」打印。")
        self.path.setText(str(printed.path))
        self.path.setToolTip(str(printed.path))
        self._file_widgets(True)
        self.show()
        if self.preview_window is not None and self.preview_window.isVisible():
            self.preview()  # the open preview follows to the new document
        self.finished.emit(True)

    def failed(self, exc: BaseException, title: str = "") -> None:
        """A known error shows its message here; anything else is a bug (crash dialog, log)."""
        self.printed = None
        if isinstance(exc, DomainError):
            self.error = friendly(exc)
            log.info("print refused: %s", self.error)
        else:
            self.error = f"生成「{title}」时程序出错，详见错误信息。" if title else "打印时程序出错，详见错误信息。"
            show_error(exc, self)
        self.message.setText(self.error)
        set_role(self.message, "refusal")
        self._file_widgets(False)
        self.show()
        self.finished.emit(False)

    def note(self, text: str, ok: bool = True) -> None:
        self.message.setText(text)
        set_role(self.message, "ok" if ok else "refusal")

    def preview(self) -> PdfPreviewWindow | None:
        """The program's own preview of the file (ui/pdf_preview.py), in a window beside this one."""
        if self.printed is None:
            return None
        if self.preview_window is None:
            # A child of this panel: it closes with the panel (a closed case tab).
            self.preview_window = PdfPreviewWindow(self, save_as=lambda parent: self.save_as(parent),
                                                   open_external=self.open_in_viewer)
            self.preview_window.finished.connect(lambda _r: setattr(self, "preview_window", None))
            self.preview_window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if not self.preview_window.show_file(self.printed.path, self.printed.title):
            self.note(f"无法在程序中显示 {self.printed.path}；可用「用系统阅读器打开」或「另存为…」。", ok=False)
        else:
            self._clear_refusal(f"已在预览中打开「{self.printed.title}」。")
        return self.preview_window

    def print_dialog(self):
        """打印…: the preview with the print dialog over it (printer, copies, pages)."""
        window = self.preview()
        return window.preview.open_print_dialog() if window is not None else None

    def open_in_viewer(self) -> None:
        if self.printed is None:
            return
        if not self.desk.opener(self.printed.path):
            self.note(f"无法打开系统的 PDF 阅读器。文件在：{self.printed.path}；请用「预览」查看和打印，"
                      "或用「另存为…」保存。", ok=False)
        else:
            self._clear_refusal(f"已用系统的 PDF 阅读器打开「{self.printed.title}」。")

    def _clear_refusal(self, text: str) -> None:
        """An earlier 预览 or viewer failure is no longer true once a later one worked."""
        if self.message.property("role") == "refusal":
            self.note(text)

    def open_folder(self) -> None:
        if self.printed is not None:
            self.desk.opener(self.printed.path.parent)

    def save_as(self, parent: QWidget | None = None) -> QFileDialog | None:
        """Ask where to save (non-blocking: ``open()`` + ``fileSelected``), over ``parent`` if given."""
        if self.printed is None:
            return None
        start = str(Path(self.desk.save_dir or str(Path.home())) / self._suggested_name())
        dialog = QFileDialog(parent or self, "另存为", start, "PDF 文件 (*.pdf)")
        dialog.setObjectName("print_save_dialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setDefaultSuffix("pdf")
        dialog.selectFile(start)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.save_to)
        dialog.finished.connect(lambda _r: setattr(self, "file_dialog", None))
        self.file_dialog = dialog
        dialog.open()
        return dialog

    def _suggested_name(self) -> str:
        # The cache name without its time stamp: 2026-DB-000003_审核审批表.pdf
        stem = re.sub(r"_\d{8}-\d{6}(-\d+)?$", "", self.printed.path.stem) if self.printed else "文书"
        return f"{stem}.pdf"

    def save_to(self, target: str) -> None:
        """Copy the PDF to ``target`` (on the worker; the path is shown when done)."""
        if self.printed is None or not target:
            return
        source = self.printed.path
        self.desk.save_dir = str(Path(target).parent)

        def done(path: Path) -> None:
            self.note(f"已另存为：{path}")
            if self.preview_window is not None:
                self.preview_window.preview.say(f"已另存为：{path}")
            self.saved.emit(str(path))

        self.shell.executor.submit(copy_pdf, source, Path(target), owner=self, on_done=done,
                                   on_error=lambda exc: self.note(friendly(exc), ok=False)
                                   if isinstance(exc, DomainError) else show_error(exc, self))
