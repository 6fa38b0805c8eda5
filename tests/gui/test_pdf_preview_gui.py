"""The print preview inside the program (ui/pdf_preview.py): a real generated PDF shown from page 1,
page navigation and zoom changing what is on screen, printing through QPrinter — to a PDF file
here, no dialog, or through the print dialog — with A4 paper, each page's orientation, copies and
a page range. Screenshots: tests/output/screenshots/preview_*.png."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrinter

from tests.helpers.window import demo_context, login, make_window, screenshot, settle

A4 = (595, 842)


def _ink(image: QImage, step: int = 4) -> int:
    """Dark pixels (text, lines) in a grab, sampled every ``step`` pixels."""
    image = image.convertToFormat(QImage.Format.Format_Grayscale8)
    dark = 0
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            if image.pixelColor(x, y).value() < 110:
                dark += 1
    return dark


def _view_image(preview) -> QImage:
    return preview.view.viewport().grab().toImage()


def _shown(qtbot, preview, different_from: QImage | None = None) -> QImage:
    """Wait until the view has drawn the page (QtPdf renders in the background) and return it."""
    def drawn() -> bool:
        image = _view_image(preview)
        return _ink(image, 8) > 50 and (different_from is None or image != different_from)

    qtbot.waitUntil(drawn, timeout=15000)
    return _view_image(preview)


def _printer_to(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def _sizes(path: Path) -> list[tuple[int, int]]:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages]


@pytest.fixture
def desk(tmp_path):
    return {"folder": tmp_path / "print", "opened": []}


def test_the_preview_shows_a_real_document_navigates_zooms_and_prints(qtbot, demo_url, desk, tmp_path):
    from doudi_desk.services.queries import CaseQuery
    from doudi_desk.ui.pdf_print import prepare_printer

    ctx = demo_context(demo_url)
    window = make_window(qtbot, ctx)
    window.print_desk.folder = desk["folder"]
    window.print_desk.opener = lambda path: desk["opened"].append(Path(path)) or True
    login(qtbot, window, "wangfang")
    ids = window.backend.queries.case_ids("wangfang", CaseQuery(tab="all", state="county_review"))
    page = window.open_case(ids[0])
    settle(qtbot, window)
    panel = page.show_print_tab()
    settle(qtbot, window)
    qtbot.mouseClick(panel.buttons["case_file"], Qt.MouseButton.LeftButton)  # 案件档案: many pages
    qtbot.waitUntil(lambda: panel.result.printed is not None or bool(panel.result.error), timeout=30000)
    settle(qtbot, window)
    printed = panel.result.printed
    assert printed is not None and printed.pages >= 4
    assert panel.result.print_button.isVisible() and panel.result.viewer_button.isVisible()

    # 预览: the program's own window, page 1 of the file, the whole page in view.
    qtbot.mouseClick(panel.result.preview_button, Qt.MouseButton.LeftButton)
    window_ = panel.result.preview_window
    preview = window_.preview
    qtbot.waitUntil(window_.isVisible)
    assert desk["opened"] == []  # no system viewer was needed
    assert preview.path == printed.path and preview.page_count == printed.pages
    assert preview.current_page == 0 and preview.page_box.value() == 1
    assert preview.page_count_label.text() == f"/ {printed.pages} 页"
    assert window_.windowTitle() == "预览 — 案件档案"
    assert not preview.previous_button.isEnabled() and preview.next_button.isEnabled()
    first = _shown(qtbot, preview)
    screenshot(window_, "preview_case_file_page1")

    # 下一页 shows page 2 (another picture); the page box follows; typing a page number jumps.
    qtbot.mouseClick(preview.next_button, Qt.MouseButton.LeftButton)
    assert preview.current_page == 1 and preview.page_box.value() == 2 and preview.previous_button.isEnabled()
    second = _shown(qtbot, preview, different_from=first)
    screenshot(window_, "preview_case_file_page2")
    preview.page_box.setValue(printed.pages)
    assert preview.current_page == printed.pages - 1 and not preview.next_button.isEnabled()
    _shown(qtbot, preview, different_from=second)
    qtbot.mouseClick(preview.previous_button, Qt.MouseButton.LeftButton)
    assert preview.current_page == printed.pages - 2
    preview.go_to(0)
    _shown(qtbot, preview)
    assert _view_image(preview) == first  # back on page 1, drawn exactly as before

    # Zoom: ＋ twice makes the page bigger than the whole-page view (a close-up of its top).
    whole_page_zoom = preview._effective_zoom()
    qtbot.mouseClick(preview.zoom_in_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(preview.zoom_in_button, Qt.MouseButton.LeftButton)
    assert preview.view.zoomFactor() == pytest.approx(whole_page_zoom * 1.25 * 1.25)
    assert preview.zoom_box.currentText() == f"{round(preview.view.zoomFactor() * 100)}%"
    zoomed = _shown(qtbot, preview, different_from=first)
    assert preview.view.verticalScrollBar().maximum() > 0  # the page no longer fits
    screenshot(window_, "preview_case_file_zoomed")
    preview.zoom_box.setCurrentIndex(preview.zoom_box.findText("50%"))
    preview._zoom_chosen(preview.zoom_box.currentIndex())
    assert preview.view.zoomFactor() == 0.5
    _shown(qtbot, preview, different_from=zoomed)
    for _ in range(20):
        preview.zoom_out()
    assert preview.view.zoomFactor() == pytest.approx(0.25) and not preview.zoom_out_button.isEnabled()

    # 打印 to a QPrinter writing a PDF (no dialog): A4 portrait, every page, 2 copies one after the other.
    printer = _printer_to(tmp_path / "printed.pdf")
    prepare_printer(printer, preview.document, preview.title)
    printer.setCopyCount(2)
    assert printer.pageLayout().pageSize().id().name == "A4"
    with qtbot.waitSignal(preview.printed) as sent:
        assert preview.print_to(printer) == 2 * printed.pages
    assert sent.args == [2 * printed.pages]
    assert _sizes(tmp_path / "printed.pdf") == [A4] * (2 * printed.pages)
    assert "已发送到" in preview.message.text()
    # A page range: pages 2–3 only.
    ranged = _printer_to(tmp_path / "ranged.pdf")
    prepare_printer(ranged, preview.document)
    ranged.setPrintRange(QPrinter.PrintRange.PageRange)
    ranged.setFromTo(2, 3)
    assert preview.print_to(ranged) == 2 and len(_sizes(tmp_path / "ranged.pdf")) == 2

    # The printed sheet carries the page's picture: render the first printed page and look at it.
    from printing_helpers import save_png

    png = save_png((tmp_path / "printed.pdf").read_bytes(), "preview_printed_sheet")
    assert png is None or png.stat().st_size > 10_000

    # 另存为 from the preview: the save dialog opens over the preview window.
    preview.save_button.click()
    dialog = panel.result.file_dialog
    assert dialog is not None and dialog.parent() is preview
    dialog.reject()
    # The system viewer is still one click away.
    qtbot.mouseClick(preview.external_button, Qt.MouseButton.LeftButton)
    assert desk["opened"] == [printed.path]
    window_.close()
    assert preview.page_count == 0  # the file was let go
    window.close()
    ctx.db.dispose()


def _mixed_pdf(path: Path) -> Path:
    """Page 1 portrait, page 2 landscape (a wide list), page 3 portrait."""
    from reportlab.lib.pagesizes import A4 as RL_A4
    from reportlab.lib.pagesizes import landscape
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=RL_A4)
    for n, size in enumerate((RL_A4, landscape(RL_A4), RL_A4), start=1):
        c.setPageSize(size)
        c.setFont("Helvetica-Bold", 48)
        c.drawString(72, size[1] - 144, f"PAGE {n}")
        c.rect(36, 36, size[0] - 72, size[1] - 72)
        c.rect(72, size[1] - 120 - 80 * n, size[0] - 144, 40, fill=1)  # a black bar, lower on each page
        c.showPage()
    c.save()
    return path


@pytest.mark.qt_log_ignore("QPainter::begin")  # the printer that cannot start, at the end, on purpose
def test_each_page_prints_in_its_own_orientation_and_the_dialog_prints(qtbot, tmp_path):
    from doudi_desk.ui.pdf_preview import PdfPreviewWindow

    source = _mixed_pdf(tmp_path / "混合方向.pdf")
    window = PdfPreviewWindow()
    qtbot.addWidget(window)
    assert window.show_file(source, "花名册")
    preview = window.preview
    qtbot.waitUntil(window.isVisible)
    assert preview.page_count == 3
    preview.go_to(1)
    _shown(qtbot, preview)
    screenshot(window, "preview_landscape_page")

    printer = _printer_to(tmp_path / "out.pdf")
    assert preview.print_to(printer) == 3
    assert _sizes(tmp_path / "out.pdf") == [A4, A4[::-1], A4]  # portrait, landscape, portrait

    # A landscape document starts with landscape paper in the print dialog; 确定 prints.
    preview.make_printer = lambda: _landscape_first(preview, tmp_path / "dialog.pdf")
    dialog = preview.open_print_dialog()
    assert dialog is not None and dialog.isVisible() and preview.print_dialog is dialog
    chosen = dialog.printer()
    assert chosen.pageLayout().pageSize().id().name == "A4" and chosen.fullPage()
    assert (chosen.fromPage(), chosen.toPage()) == (1, 3) and dialog.maxPage() == 3
    with qtbot.waitSignal(preview.printed):
        dialog.accept()
    assert _sizes(tmp_path / "dialog.pdf") == [A4, A4[::-1], A4]
    qtbot.waitUntil(lambda: preview.print_dialog is None)

    # No printer that can start: said in words.
    broken = QPrinter(QPrinter.PrinterMode.HighResolution)
    broken.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    broken.setOutputFileName(str(tmp_path / "no-such-folder" / "x.pdf"))
    assert preview.print_to(broken) == 0
    assert "打印失败" in preview.message.text()
    window.close()


def _landscape_first(preview, path: Path) -> QPrinter:
    from doudi_desk.ui.pdf_print import prepare_printer

    printer = _printer_to(path)
    prepare_printer(printer, preview.document, preview.title)
    return printer


def test_a_file_that_is_not_a_pdf_is_said_not_shown(qtbot, tmp_path):
    from doudi_desk.ui.pdf_preview import PdfPreviewWindow

    bad = tmp_path / "坏文件.pdf"
    bad.write_bytes(b"not a pdf at all")
    window = PdfPreviewWindow()
    qtbot.addWidget(window)
    assert not window.show_file(bad, "坏文件")
    preview = window.preview
    assert preview.page_count == 0 and "无法显示" in preview.message.text()
    assert not preview.print_button.isEnabled() and not preview.next_button.isEnabled()
    assert preview.open_print_dialog() is None
    window.close()
