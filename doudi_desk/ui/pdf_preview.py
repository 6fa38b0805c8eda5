"""The print preview inside the program: a generated PDF shown page by page (QtPdf), zoom, page
navigation, 打印 through Qt's print dialog, 另存为, and the system viewer as one more option.

Many office PCs have no PDF viewer set up, so the program never relies on one: the preview pane
renders the PDF itself (PySide6's QtPdf, the PySide6_Pdf wheel) and prints it with QPrinter.

Printing itself (A4, each page's orientation, copies, a page range) is ui/pdf_print.py.

Tests call :meth:`PdfPreview.print_to` with a QPrinter writing a PDF file (no dialog), and read
:attr:`PdfPreview.view`'s navigator and zoom.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .pdf_print import pages_to_print, prepare_printer, print_document
from .style import set_role

log = logging.getLogger(__name__)

ZOOM_STEP = 1.25
ZOOM_MIN, ZOOM_MAX = 0.25, 4.0
# (label, zoom mode, factor) offered in the zoom box.
ZOOMS: tuple[tuple[str, QPdfView.ZoomMode, float], ...] = (
    ("适合宽度", QPdfView.ZoomMode.FitToWidth, 1.0),
    ("整页", QPdfView.ZoomMode.FitInView, 1.0),
    ("50%", QPdfView.ZoomMode.Custom, 0.5),
    ("75%", QPdfView.ZoomMode.Custom, 0.75),
    ("100%", QPdfView.ZoomMode.Custom, 1.0),
    ("125%", QPdfView.ZoomMode.Custom, 1.25),
    ("150%", QPdfView.ZoomMode.Custom, 1.5),
    ("200%", QPdfView.ZoomMode.Custom, 2.0),
)


class PdfPreview(QWidget):
    """A PDF shown page by page with its tools.

    Signals:
        printed(int): this many pages went to the printer.
    """

    printed = Signal(int)

    def __init__(self, parent: QWidget | None = None, *, save_as: Callable[[QWidget], object] | None = None,
                 open_external: Callable[[], object] | None = None):
        super().__init__(parent)
        self.setObjectName("pdf_preview")
        self.path: Path | None = None
        self.title = ""
        self.print_dialog: QPrintDialog | None = None
        self.dialog_printer: QPrinter | None = None
        self.document = QPdfDocument(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 4, 6, 4)
        self.previous_button = self._tool("上一页", "上一页（PgUp）", self.previous_page, "preview_previous")
        self.page_box = QSpinBox()
        self.page_box.setObjectName("preview_page")
        self.page_box.setMinimum(1)
        self.page_box.setKeyboardTracking(False)
        self.page_box.valueChanged.connect(lambda v: self.go_to(v - 1))
        self.page_count_label = QLabel("/ 0 页")
        self.next_button = self._tool("下一页", "下一页（PgDn）", self.next_page, "preview_next")
        self.zoom_out_button = self._tool("－", "缩小（Ctrl+-）", self.zoom_out, "preview_zoom_out")
        self.zoom_box = QComboBox()
        self.zoom_box.setObjectName("preview_zoom")
        for label, _mode, _factor in ZOOMS:
            self.zoom_box.addItem(label)
        self.zoom_box.setCurrentIndex(1)
        self.zoom_box.activated.connect(self._zoom_chosen)
        self.zoom_in_button = self._tool("＋", "放大（Ctrl++）", self.zoom_in, "preview_zoom_in")
        for w in (self.previous_button, QLabel("第"), self.page_box, self.page_count_label, self.next_button):
            bar.addWidget(w)
        bar.addSpacing(16)
        for w in (self.zoom_out_button, self.zoom_box, self.zoom_in_button):
            bar.addWidget(w)
        bar.addStretch(1)
        self.print_button = QPushButton("打印…")
        self.print_button.setObjectName("preview_print")
        self.print_button.setToolTip("选择打印机、份数和页码后打印（Ctrl+P）")
        self.print_button.clicked.connect(self.open_print_dialog)
        bar.addWidget(self.print_button)
        self.save_button = QPushButton("另存为…")
        self.save_button.setObjectName("preview_save_as")
        self.save_button.setEnabled(save_as is not None)
        self.save_button.clicked.connect(lambda: save_as and save_as(self))
        bar.addWidget(self.save_button)
        self.external_button = QPushButton("用系统阅读器打开")
        self.external_button.setObjectName("preview_external")
        self.external_button.setToolTip("用电脑上安装的 PDF 阅读器打开（如果有）")
        self.external_button.setVisible(open_external is not None)
        self.external_button.clicked.connect(lambda: open_external and open_external())
        bar.addWidget(self.external_button)
        layout.addLayout(bar)
        self.message = QLabel()
        self.message.setObjectName("preview_message")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        self.view = QPdfView(self)
        self.view.setObjectName("preview_view")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.SinglePage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)  # the whole page first, as it will print
        self.view.pageNavigator().currentPageChanged.connect(self._page_changed)
        layout.addWidget(self.view, 1)
        for keys, slot in ((QKeySequence.StandardKey.ZoomIn, self.zoom_in), (QKeySequence.StandardKey.ZoomOut, self.zoom_out),
                           (QKeySequence(Qt.Key.Key_PageDown), self.next_page),
                           (QKeySequence(Qt.Key.Key_PageUp), self.previous_page),
                           (QKeySequence.StandardKey.Print, self.open_print_dialog)):
            QShortcut(QKeySequence(keys), self, activated=slot)
        self._update_controls()

    def _tool(self, text: str, tip: str, slot, name: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    # --- the document ---
    def load(self, path: Path | str, title: str = "") -> bool:
        """Show ``path`` from its first page; False (and a message) if it cannot be read."""
        self.path, self.title = Path(path), title or Path(path).stem
        self.document.close()
        error = self.document.load(str(path))
        ok = error == QPdfDocument.Error.None_ and self.document.pageCount() > 0
        if ok:
            self.message.hide()
            self.go_to(0)
        else:
            self.say(f"无法显示 {path}（{error.name}）。可用「另存为…」保存后用其他程序打开。", ok=False)
        self._update_controls()
        return ok

    def close_document(self) -> None:
        """Let go of the file (Windows cannot delete an open file; the print folder is pruned)."""
        self.document.close()
        self._update_controls()

    @property
    def page_count(self) -> int:
        return self.document.pageCount()

    @property
    def current_page(self) -> int:
        return self.view.pageNavigator().currentPage()

    def say(self, text: str, ok: bool = True) -> None:
        self.message.setText(text)
        set_role(self.message, "ok" if ok else "refusal")
        self.message.show()

    # --- navigation ---
    def go_to(self, page: int) -> None:
        if not self.page_count:
            return
        page = max(0, min(page, self.page_count - 1))
        if page != self.current_page:
            self.view.pageNavigator().jump(page, QPointF(), self.view.zoomFactor())
        self._page_changed(self.current_page)

    def next_page(self) -> None:
        self.go_to(self.current_page + 1)

    def previous_page(self) -> None:
        self.go_to(self.current_page - 1)

    def _page_changed(self, page: int) -> None:
        self.page_box.blockSignals(True)
        self.page_box.setMaximum(max(self.page_count, 1))
        self.page_box.setValue(page + 1)
        self.page_box.blockSignals(False)
        self._update_controls()

    # --- zoom ---
    def set_zoom(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(ZOOM_MIN, min(factor, ZOOM_MAX)))
        self._show_zoom()

    def _effective_zoom(self) -> float:
        """The zoom in use, also in a fit mode (the page's width on screen ÷ its width at 100%)."""
        if self.view.zoomMode() == QPdfView.ZoomMode.Custom or not self.page_count:
            return self.view.zoomFactor()
        point = self.document.pagePointSize(self.current_page)
        at_100 = point.width() * self.view.logicalDpiX() / 72
        margins = self.view.documentMargins()
        width = self.view.viewport().width() - margins.left() - margins.right()
        if self.view.zoomMode() == QPdfView.ZoomMode.FitInView:
            at_100_h = point.height() * self.view.logicalDpiY() / 72
            height = self.view.viewport().height() - margins.top() - margins.bottom()
            return max(min(width / at_100, height / at_100_h), ZOOM_MIN)
        return max(width / at_100, ZOOM_MIN)

    def zoom_in(self) -> None:
        self.set_zoom(self._effective_zoom() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self._effective_zoom() / ZOOM_STEP)

    def _zoom_chosen(self, index: int) -> None:
        _label, mode, factor = ZOOMS[index]
        self.view.setZoomMode(mode)
        if mode == QPdfView.ZoomMode.Custom:
            self.view.setZoomFactor(factor)
        self._show_zoom()

    def _show_zoom(self) -> None:
        mode = self.view.zoomMode()
        if mode == QPdfView.ZoomMode.FitToWidth:
            index = 0
        elif mode == QPdfView.ZoomMode.FitInView:
            index = 1
        else:
            text = f"{round(self.view.zoomFactor() * 100)}%"
            index = self.zoom_box.findText(text)
            if index < 0:
                self.zoom_box.addItem(text)  # e.g. 156% after two clicks on ＋
                index = self.zoom_box.count() - 1
        self.zoom_box.setCurrentIndex(index)
        self._update_controls()

    def _update_controls(self) -> None:
        n, page, loaded = self.page_count, self.current_page, self.page_count > 0
        self.page_count_label.setText(f"/ {n} 页")
        self.page_box.setEnabled(loaded)
        self.previous_button.setEnabled(loaded and page > 0)
        self.next_button.setEnabled(loaded and page < n - 1)
        for w in (self.zoom_in_button, self.zoom_out_button, self.zoom_box, self.print_button):
            w.setEnabled(loaded)
        if loaded and self.view.zoomMode() == QPdfView.ZoomMode.Custom:
            self.zoom_in_button.setEnabled(self.view.zoomFactor() < ZOOM_MAX)
            self.zoom_out_button.setEnabled(self.view.zoomFactor() > ZOOM_MIN)

    # --- printing ---
    def make_printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        prepare_printer(printer, self.document, self.title)
        return printer

    def open_print_dialog(self) -> QPrintDialog | None:
        """Qt's print dialog (printer, copies, pages), non-blocking; 确定 prints."""
        if not self.page_count:
            return None
        # The dialog does not own its printer: keep it here, or Python frees it under the dialog.
        printer = self.dialog_printer = self.make_printer()
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(f"打印「{self.title}」")
        dialog.setObjectName("preview_print_dialog")
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintCurrentPage, True)
        dialog.setMinMax(1, self.page_count)
        # Not WA_DeleteOnClose: a QPrintDialog deleted on close crashes in accept() (Qt 6.12).
        dialog.accepted.connect(self._dialog_accepted)
        dialog.finished.connect(self._dialog_finished)
        self.print_dialog = dialog
        QDialog.open(dialog)  # QPrintDialog.open(receiver, member) hides the plain overload in PySide6
        return dialog

    def _dialog_finished(self, _result: int) -> None:
        if self.print_dialog is not None:
            self.print_dialog.deleteLater()
        self.print_dialog = None

    def _dialog_accepted(self) -> None:
        if self.dialog_printer is not None:
            self.print_to(self.dialog_printer)

    def print_to(self, printer: QPrinter) -> int:
        """Send the chosen pages to ``printer``; says how it went; returns the sheets sent."""
        pages = pages_to_print(printer, self.page_count, self.current_page)
        progress = QProgressDialog("正在发送到打印机…", "取消", 0, len(pages), self)
        progress.setWindowTitle("打印")
        progress.setMinimumDuration(800)
        progress.setWindowModality(Qt.WindowModality.WindowModal)

        def step(done: int, total: int) -> bool:
            progress.setMaximum(total)
            progress.setValue(done)
            QApplication.processEvents()
            return not progress.wasCanceled()

        try:
            sent = print_document(self.document, printer, pages, progress=step)
        except RuntimeError as exc:
            self.say(f"打印失败：{exc}", ok=False)
            log.warning("printing %s failed: %s", self.path, exc)
            return 0
        finally:
            cancelled = progress.wasCanceled()
            progress.close()
        where = printer.outputFileName() or printer.printerName() or "打印机"
        if cancelled:
            self.say(f"已取消打印（已发送 {sent} 页）。", ok=False)
        else:
            self.say(f"已发送到 {where}：{sent} 页。")
        log.info("printed %s: %d pages to %s", self.path, sent, where)
        self.printed.emit(sent)
        return sent


class PdfPreviewWindow(QDialog):
    """The preview pane in a window of its own (non-modal), beside the main window."""

    def __init__(self, parent: QWidget | None = None, *, save_as: Callable[[QWidget], object] | None = None,
                 open_external: Callable[[], object] | None = None):
        super().__init__(parent)
        self.setObjectName("pdf_preview_window")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.preview = PdfPreview(self, save_as=save_as, open_external=open_external)
        layout.addWidget(self.preview)
        screen = (parent.screen() if parent is not None else QApplication.primaryScreen()).availableGeometry()
        self.resize(min(960, screen.width() - 40), min(1000, screen.height() - 60))

    def show_file(self, path: Path | str, title: str = "") -> bool:
        ok = self.preview.load(path, title)
        self.setWindowTitle(f"预览 — {title or Path(path).name}")
        self.show()
        self.raise_()
        self.activateWindow()
        return ok

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.preview.close_document()
        super().closeEvent(event)
