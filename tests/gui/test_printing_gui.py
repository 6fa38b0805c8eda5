"""Printing from the window: a case's documents from its 打印 tab, village lists in one batch, a
character the font lacks, and the office details with the print fonts (settings).

The PDFs go to a temporary print folder; 用系统阅读器打开 uses an injected opener (no viewer starts)
and the save dialog is answered in place; 预览 is the program's own (tests/gui/test_pdf_preview_gui.py). Screenshots go to tests/output/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from pathlib import Path

import pytest
from printing_helpers import flat, pages_text
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.helpers.window import (
    SCREENSHOTS,
    demo_context,
    login,
    make_window,
    screenshot,
    settle,
    type_text,
)


def _pdf_text(path: Path) -> str:
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(data)).pages) >= 1
    return flat("".join(pages_text(data)))


def _crash_dialogs() -> list:
    from doudi_desk.ui.errors import CrashDialog

    return [w for w in QApplication.topLevelWidgets() if isinstance(w, CrashDialog) and w.isVisible()]


def _on_window(window, dialog, name: str) -> Path:
    """The window at 1366×768 with the dialog drawn centred on it, as the clerk sees the screen."""
    from PySide6.QtGui import QPainter

    shot = window.grab()
    painter = QPainter(shot)
    top = dialog.grab()
    painter.drawPixmap((shot.width() - top.width()) // 2, (shot.height() - top.height()) // 2, top)
    painter.end()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    assert shot.save(str(path))
    return path


@pytest.fixture
def desk(tmp_path):
    """What the print desk opened (instead of starting a PDF viewer)."""
    return {"folder": tmp_path / "print", "opened": [], "save_dir": tmp_path / "saved"}


def _window(qtbot, ctx, desk):
    window = make_window(qtbot, ctx)
    window.print_desk.folder = desk["folder"]
    window.print_desk.opener = lambda path: desk["opened"].append(Path(path)) or True
    desk["save_dir"].mkdir(exist_ok=True)
    window.print_desk.save_dir = str(desk["save_dir"])
    return window


def _wait_result(qtbot, panel) -> None:
    qtbot.waitUntil(lambda: panel.result.printed is not None or bool(panel.result.error), timeout=30000)


def test_case_page_prints_the_approval_form_off_the_gui_thread(qtbot, demo_url, desk):
    from doudi_desk.services.queries import CaseQuery

    ctx = demo_context(demo_url)
    window = _window(qtbot, ctx, desk)
    login(qtbot, window, "wangfang")  # 乡镇审核人 of 桃源镇
    ids = window.backend.queries.case_ids("wangfang", CaseQuery(tab="all", state="county_review"))
    assert ids, "the demo has no case in 县级审核确认 for 桃源镇"
    page = window.open_case(ids[0])
    settle(qtbot, window)
    view = page.view
    amount = view["proposal"]["monthly_amount"]
    panel = page.show_print_tab()
    settle(qtbot, window)

    # This step's document first, the others below it (disabled ones say why), then 案件档案.
    current = [e["kind"] for e in panel.entries if e["current_step"]]
    assert current == ["approval_form", "county_visit_form"]  # the county's 入户抽查表 is printable too
    assert panel.step_grid.indexOf(panel.buttons["approval_form"]) >= 0
    assert panel.file_grid.indexOf(panel.buttons["case_file"]) >= 0
    refused = panel.buttons["confirmation_notice"]
    assert not refused.isEnabled() and "尚未确认" in refused.toolTip()
    assert panel.reasons["confirmation_notice"] == "尚未确认"
    # every document a workflow names has a template now (issue 10 item 14): the county's form prints
    assert panel.buttons["county_visit_form"].isEnabled()

    # The PDF is made on the worker thread, never on the GUI thread.
    printing = window.backend.printing
    original, threads = printing.case_document, []

    def spy(*args, **kwargs):
        threads.append(threading.current_thread() is threading.main_thread())
        return original(*args, **kwargs)

    printing.case_document = spy
    with qtbot.waitSignal(window.print_requested, timeout=5000) as asked:
        qtbot.mouseClick(panel.buttons["approval_form"], Qt.MouseButton.LeftButton)
    assert asked.args == [view["id"], "approval_form"]
    assert "正在生成「审核审批表」" in panel.result.message.text()
    _wait_result(qtbot, panel)
    settle(qtbot, window)
    assert threads == [False]
    assert panel.result.error == ""
    path = panel.result.printed.path
    assert path.parent == desk["folder"] and path.exists()
    text = _pdf_text(path)
    assert "审核审批表" in text
    assert flat(view["household"]["head"]) in text
    assert amount in text or amount.split(".")[0] in text
    assert panel.result.path.text() == str(path)
    assert panel.result.preview_button.isVisible() and panel.result.save_button.isVisible()
    screenshot(window, "print_tab")

    # 预览: the program's own preview of this file; the system viewer (here the injected opener) stays an option.
    qtbot.mouseClick(panel.result.preview_button, Qt.MouseButton.LeftButton)
    preview = panel.result.preview_window
    assert preview is not None and preview.isVisible() and preview.preview.path == path
    assert preview.preview.page_count == panel.result.printed.pages and desk["opened"] == []
    preview.close()
    qtbot.mouseClick(panel.result.viewer_button, Qt.MouseButton.LeftButton)
    assert desk["opened"] == [path]

    # 另存为…: a non-blocking save dialog; answering it copies the PDF there.
    qtbot.mouseClick(panel.result.save_button, Qt.MouseButton.LeftButton)
    dialog = panel.result.file_dialog
    assert dialog is not None and dialog.isVisible()
    target = desk["save_dir"] / "审核审批表副本.pdf"
    with qtbot.waitSignal(panel.result.saved, timeout=10000) as saved:
        dialog.selectFile(str(target))
        dialog.accept()
    assert Path(saved.args[0]) == target and target.read_bytes() == path.read_bytes()
    assert str(target) in panel.result.message.text()

    # A viewer that cannot start is said in words, not a crash.
    window.print_desk.opener = lambda _path: False
    panel.result.open_in_viewer()
    assert "无法打开系统的 PDF 阅读器" in panel.result.message.text() and "预览" in panel.result.message.text()

    # 案件档案: every document of the case in one file.
    qtbot.mouseClick(panel.buttons["case_file"], Qt.MouseButton.LeftButton)
    _wait_result(qtbot, panel)
    settle(qtbot, window)
    case_file = panel.result.printed.path
    assert case_file != path and panel.result.printed.pages > 3
    assert "案件档案" in _pdf_text(case_file) and view["number"] in _pdf_text(case_file)
    assert threads == [False, False]
    # The case file has full ID numbers: its export is logged under the user who printed it.
    from doudi_desk.services.audit import AuditService

    exports = AuditService(ctx).office_log(actions=["export"], limit=5)
    assert (exports[0]["actor"], exports[0]["subject"]) == ("wangfang", f"案件档案（{view['number']}）")
    assert not _crash_dialogs()
    window.close()
    ctx.db.dispose()


def test_batch_printing_of_posting_lists_for_two_villages(qtbot, demo_url, desk):
    ctx = demo_context(demo_url)
    window = _window(qtbot, ctx, desk)
    login(qtbot, window, "wangfang")
    assert window.print_action.isVisible()
    dialog = window.open_batch_print("posting_list")
    settle(qtbot, window)
    assert dialog.data is not None and dialog.isVisible()
    villages = dialog.data["villages"]
    assert {v["name"] for v in villages} == {"东岗村", "西河村", "南坡村", "北屯村", "柳树沟村"}  # 桃源镇 only
    with_batches = [v for v in villages if v["batches"]]
    assert len(with_batches) >= 2, "the demo should have 公示 batches in two villages of 桃源镇"
    # The batch date list offers every date any village posted on; picking one ticks those villages.
    dates = [dialog.batch.itemData(i) for i in range(1, dialog.batch.count())]
    assert dates == sorted({b["batch"] for v in villages for b in v["batches"]}, reverse=True)
    dialog.batch.setCurrentIndex(1)
    dialog._batch_chosen()
    ticked = dialog.selected()
    assert ticked and all(batch == dates[0] for _c, _n, batch in ticked)

    chosen = with_batches[:2]
    dialog.check_villages([v["code"] for v in chosen])
    for v in chosen:  # each village's newest batch
        dialog.combos[v["code"]].setCurrentIndex(0)
    assert [(c, b) for c, _n, b in dialog.selected()] == [(v["code"], v["batches"][0]["batch"]) for v in chosen]
    assert dialog.generate_button.isEnabled()
    qtbot.mouseClick(dialog.generate_button, Qt.MouseButton.LeftButton)
    _wait_result(qtbot, dialog)
    settle(qtbot, window)
    assert dialog.result.error == ""
    pdf = dialog.result.printed.path.read_bytes()
    pages = pages_text(pdf)
    for v in chosen:
        assert any(f"{v['name']}最低生活保障初审公示" in flat(p) for p in pages), v["name"]
    assert sum("— 1 —" in p for p in pages) == 2  # each village numbered from 1, one PDF
    assert dialog.result.printed.path.name.startswith(f"初审公示名单_{chosen[0]['name']}等2个村")
    size = dialog.size()
    assert size.width() <= 1366 and size.height() <= 768
    screenshot(dialog, "batch_print_dialog")
    _on_window(window, dialog, "batch_print_on_window")

    # 花名册: internal, for the township; 长期公布名单 for a village with covered households.
    dialog.set_kind("roster")
    assert "严禁张贴" in dialog.hint.text() and dialog.area.currentData() == "139901101"
    qtbot.mouseClick(dialog.generate_button, Qt.MouseButton.LeftButton)
    _wait_result(qtbot, dialog)
    settle(qtbot, window)
    assert dialog.result.error == ""
    roster = _pdf_text(dialog.result.printed.path)
    assert "花名册" in roster and "内部资料" in roster and "王芳" in roster
    screenshot(dialog, "batch_print_roster")
    dialog.set_kind("publication_list")
    covered = next(v for v in villages if v["covered"])
    dialog.check_villages([covered["code"]])
    qtbot.mouseClick(dialog.generate_button, Qt.MouseButton.LeftButton)
    _wait_result(qtbot, dialog)
    settle(qtbot, window)
    assert dialog.result.error == ""
    assert "公布名单" in _pdf_text(dialog.result.printed.path)

    # Nothing ticked: the button is off; a village with no covered household cannot be ticked.
    dialog.check_villages([])
    assert not dialog.generate_button.isEnabled()
    dialog.close()
    settle(qtbot, window)
    assert window.batch_print is None
    # The county approver and the administrator do not print village lists.
    window.logout()
    settle(qtbot, window)
    login(qtbot, window, "zhaojun")
    assert not window.print_action.isVisible() and window.open_batch_print() is None
    assert not _crash_dialogs()
    window.close()
    ctx.db.dispose()


def test_a_character_the_font_lacks_shows_the_message(qtbot, office, desk):
    from doudi_desk.domain.ids import make_id
    from doudi_desk.services.cases import CaseService

    household = {"village": "130999101001", "address": "前进村1号", "phone": "0311-5550 1234", "members": [
        {"name": "\U00020BB7祥", "id_number": make_id("130999", dt.date(1970, 1, 1), 901), "relation": "head"}],
        "income": [], "assets": {"financial": "0", "homes": 1}}
    view = CaseService(office).create_case(household, "dibao", "clerk", applied_on=dt.date(2026, 11, 20))
    window = _window(qtbot, office, desk)
    login(qtbot, window, "clerk")
    page = window.open_case(view["id"])
    settle(qtbot, window)
    panel = page.show_print_tab()
    settle(qtbot, window)
    assert panel.buttons["authorization"].isEnabled()
    qtbot.mouseClick(panel.buttons["authorization"], Qt.MouseButton.LeftButton)
    _wait_result(qtbot, panel)
    settle(qtbot, window)
    assert panel.result.printed is None
    message = panel.result.message.text()
    assert "「\U00020BB7」（U+20BB7）" in message and "缺字" in message and "打印字体" in message
    assert panel.result.message.property("role") == "refusal" and panel.result.isVisible()
    assert not panel.result.preview_button.isVisible()
    assert panel.buttons["authorization"].isEnabled()  # ready to try again after a font is set
    assert not list(desk["folder"].glob("*.pdf")) if desk["folder"].exists() else True
    assert not _crash_dialogs()
    screenshot(window, "print_missing_glyph")
    window.close()


def test_office_details_and_fonts_round_trip(qtbot, office, desk):
    from doudi_desk.services.office import OfficeService

    window = _window(qtbot, office, desk)
    login(qtbot, window, "admin")
    settings = window.settings
    window.tabs.setCurrentWidget(settings)
    settings.setCurrentWidget(settings.office)
    settle(qtbot, window)
    page = settings.office
    assert [page.scope.itemData(i) for i in range(page.scope.count())] == ["*", "130999101", "130999102"]
    page.scope.setCurrentIndex(page.scope.findData("130999101"))
    assert page.fields["name"].text() == "" and page.fields["name"].placeholderText() == "河东镇人民政府"
    type_text(qtbot, page.fields["name"], "河东镇人民政府民政办")
    type_text(qtbot, page.fields["seal_text"], "河东镇人民政府")
    type_text(qtbot, page.fields["phone"], "0311-1111 2222")
    type_text(qtbot, page.fields["address"], "河东镇人民路1号")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert "已保存河东镇的单位信息" in page.status.text()
    details = OfficeService(office).details("130999101")
    assert (details["name"], details["seal_text"], details["phone"], details["address"]) == (
        "河东镇人民政府民政办", "河东镇人民政府", "0311-1111 2222", "河东镇人民路1号")
    assert OfficeService(office).details("130999102")["name"] == "河西乡人民政府"  # the other township

    # Read back: another scope shows its own (empty) values, this one what was saved.
    page.scope.setCurrentIndex(page.scope.findData("130999102"))
    assert page.fields["phone"].text() == ""
    settings.refresh()
    settle(qtbot, window)
    page.scope.setCurrentIndex(page.scope.findData("130999101"))
    assert page.fields["name"].text() == "河东镇人民政府民政办"
    assert page.fields["phone"].text() == "0311-1111 2222"
    # Clearing a field goes back to the name built from the areas.
    page.fields["name"].clear()
    page.save_details()
    settle(qtbot, window)
    assert OfficeService(office).details("130999101")["name"] == "河东镇人民政府"

    # Fonts: what is used for each role, the substitutions, and a configured file.
    assert page.font_table.rowCount() == 5
    face_path = page.font_table.item(0, 2).text().split("#")[0]
    assert Path(face_path).is_file()
    notes = window.backend.printing.font_report()["notes"]
    assert page.font_notes.text() == ("字体替换：\n" + "\n".join(notes) if notes else "没有字体替换。")
    type_text(qtbot, page.font_path, face_path)
    qtbot.mouseClick(page.font_save, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert OfficeService(office).stored()["print_fonts"] == {"*": face_path}
    assert "已设置全部字体" in page.font_status.text()
    type_text(qtbot, page.font_path, "/nowhere/simsun.ttc")
    page.save_font(page.font_path.text())
    settle(qtbot, window)
    assert "字体文件不存在" in page.font_status.text() and page.font_status.property("role") == "refusal"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    screenshot(window, "office_settings")
    page.font_reset.click()
    settle(qtbot, window)
    assert OfficeService(office).stored()["print_fonts"] == {}
    assert not _crash_dialogs()
    window.close()
