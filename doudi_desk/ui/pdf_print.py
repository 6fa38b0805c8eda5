"""Printing a PDF on a QPrinter from the program (the preview's 打印, ui/pdf_preview.py).

QtPdf renders pages to images only, so each page is painted as an image of at most
:data:`PRINT_DPI` dots per inch. The paper is A4 unless the clerk picks another in the print dialog;
each page is printed in its own orientation (a wide list lands on landscape paper), scaled to the
paper without distortion. Copies: a printer driver that makes copies itself gets the number;
otherwise the pages are sent that many times, copy after copy. A page range chosen in the dialog is
respected.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

PRINT_DPI = 300  # enough for 仿宋 at 10 pt and a seal; 1200 dpi pages would be 140 MB each


def page_orientation(document: QPdfDocument, page: int) -> QPageLayout.Orientation:
    size = document.pagePointSize(page)
    if size.width() > size.height():
        return QPageLayout.Orientation.Landscape
    return QPageLayout.Orientation.Portrait


def prepare_printer(printer: QPrinter, document: QPdfDocument, title: str = "") -> None:
    """A4, the orientation of the first page, the whole document, the PDF's own margins."""
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    if document.pageCount():
        printer.setPageOrientation(page_orientation(document, 0))
    printer.setFullPage(True)  # the PDF has its margins (GB/T 9704); do not add the printer's
    printer.setDocName(title or "兜底 Desk 文书")
    printer.setFromTo(1, max(document.pageCount(), 1))


def pages_to_print(printer: QPrinter, page_count: int, current: int = 0) -> list[int]:
    """0-based page numbers the print dialog's choice covers."""
    if printer.printRange() == QPrinter.PrintRange.CurrentPage:
        return [current]
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first = max(printer.fromPage(), 1)
        last = min(printer.toPage() or page_count, page_count)
        return list(range(first - 1, last))
    return list(range(page_count))


def print_document(document: QPdfDocument, printer: QPrinter, pages: list[int], *,
                   progress: Callable[[int, int], bool] | None = None) -> int:
    """Paint ``pages`` of ``document`` on ``printer`` (copies as the printer wants them); returns the
    number of sheets sent, or raises RuntimeError when the printer cannot start. ``progress(done,
    total)`` may return False to stop (the job is then aborted)."""
    copies = 1 if printer.supportsMultipleCopies() else max(printer.copyCount(), 1)
    sequence = [p for _ in range(copies) for p in pages]
    if not sequence:
        return 0
    dpi = min(printer.resolution(), PRINT_DPI)
    printer.setPageOrientation(page_orientation(document, sequence[0]))
    painter = QPainter()
    if not painter.begin(printer):
        raise RuntimeError("打印机无法开始打印（没有打印机，或文件不能写入）")
    sent = 0
    try:
        for n, page in enumerate(sequence):
            if n:
                # A new orientation applies to the next page when set right before newPage().
                printer.setPageOrientation(page_orientation(document, page))
                printer.newPage()
            point = document.pagePointSize(page)
            image = document.render(page, QSize(round(point.width() * dpi / 72), round(point.height() * dpi / 72)))
            paper = QRectF(printer.pageLayout().fullRectPixels(printer.resolution()))
            scale = min(paper.width() / image.width(), paper.height() / image.height())
            w, h = image.width() * scale, image.height() * scale
            target = QRectF(paper.x() + (paper.width() - w) / 2, paper.y() + (paper.height() - h) / 2, w, h)
            painter.fillRect(target, Qt.GlobalColor.white)
            painter.drawImage(target, image)
            sent += 1
            if progress is not None and not progress(sent, len(sequence)):
                printer.abort()
                break
    finally:
        painter.end()
    return sent
