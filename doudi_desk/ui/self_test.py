"""The part of ``doudi-desk --self-test`` that proves an installed program is complete beyond the
case step: the case's 案件档案 is printed (print templates, fonts, ReportLab), shown in the preview
pane (QtPdf renders page 1) and Qt's Chinese translation is loaded. Run inside the self-test's
window after the case has moved; the PDF is made on the worker like any print."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSize
from PySide6.QtGui import QImage

from .pdf_preview import PdfPreview


def _inked(image: QImage) -> bool:
    """True if the rendered page has dark pixels (text), not a blank sheet."""
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    return any(gray.pixelColor(x, y).value() < 128
               for y in range(0, gray.height(), 2) for x in range(0, gray.width(), 2))


def check_print_and_preview(window, case_id: int, username: str, on_ok: Callable[[str], None],
                            on_fail: Callable[[str], None]) -> None:
    """Print the case file, preview it, check the translation; report through on_ok / on_fail."""
    if QCoreApplication.translate("QPlatformTheme", "Cancel") != "取消":
        on_fail("Qt 的中文翻译（qtbase_zh_CN.qm）没有加载")
        return
    backend = window.backend
    folder = Path(tempfile.mkdtemp(prefix="doudi-selftest-print-"))

    def work() -> tuple[Path, int]:
        pdf = backend.printing.case_document(case_id, "case_file", username)
        path = folder / "案件档案.pdf"
        path.write_bytes(pdf)
        return path, len(pdf)

    def show(result: tuple[Path, int]) -> None:
        path, size = result
        preview = PdfPreview()
        try:
            if not preview.load(path, "案件档案"):
                on_fail(f"预览无法打开打印出的文书：{preview.message.text()}")
                return
            pages = preview.page_count
            page = preview.document.pagePointSize(0)
            image = preview.document.render(0, QSize(round(page.width()), round(page.height())))
            if image.isNull() or not _inked(image):
                on_fail("预览显示的第 1 页是空白的")
                return
            on_ok(f"打印案件档案 {pages} 页（{size // 1024} KB）并预览")
        finally:
            preview.close_document()
            preview.deleteLater()

    window.run(work, on_done=show, on_error=lambda exc: on_fail(f"打印案件档案失败：{exc}"))
