"""资金发放 in the window, end to end on the demo township: the caseworker builds and submits, the
township reviewer reviews, the county approver approves (seeing totals and changes), the caseworker
makes the bank file and reads the results back, the reviewer closes; the family's 发放台账 on its case
page; the administrator records a month's price indices. Screenshots in tests/output/screenshots/."""

from __future__ import annotations

import io
from pathlib import Path

from PySide6.QtCore import Qt

from tests.helpers.window import demo_context, login, make_window, screenshot, settle, type_text

TOWN = "139901101"  # 桃源镇


def open_tab(qtbot, window):
    index = next(i for i in range(window.tabs.count()) if window.tabs.tabText(i) == "资金发放")
    window.tabs.setCurrentIndex(index)
    settle(qtbot, window)
    return window.payroll


def relogin(qtbot, window, username: str):
    window.logout()
    settle(qtbot, window)
    login(qtbot, window, username)
    return open_tab(qtbot, window)


def click(qtbot, window, button):
    assert button.isEnabled(), button.toolTip()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)


def select_payroll(qtbot, window, page, payroll_id: int) -> None:
    row = next(i for i, r in enumerate(page.model.rows) if r["id"] == payroll_id)
    page.list_view.selectRow(row)
    settle(qtbot, window)
    assert page.detail.view["id"] == payroll_id


def test_a_month_paid_from_the_window(qtbot, demo_url, tmp_path):
    from doudi_desk.services.bank_io import BankFileService

    ctx = demo_context(demo_url)
    window = make_window(qtbot, ctx)
    login(qtbot, window, "zhangmin")
    page = open_tab(qtbot, window)
    assert page.area.currentData() == TOWN and page.month.text() == "2026-12"
    type_text(qtbot, page.since, "2026-12")
    click(qtbot, window, page.build_button)
    detail = page.detail
    assert detail.view is not None, page.message.text()
    pid = detail.view["id"]
    assert detail.view["state"] == "draft" and detail.view["count"] > 0
    assert not detail.buttons["build"].isHidden() and detail.buttons["submit"].isEnabled()
    screenshot(window, "payroll_built")
    click(qtbot, window, detail.buttons["submit"])
    assert detail.view["state_label"] == "待审核"

    page = relogin(qtbot, window, "wangfang")
    select_payroll(qtbot, window, page, pid)
    assert "return" in page.detail.buttons
    click(qtbot, window, page.detail.buttons["review"])
    assert page.detail.view["state"] == "reviewed"

    page = relogin(qtbot, window, "zhaojun")
    select_payroll(qtbot, window, page, pid)
    detail = page.detail
    assert detail.totals.rows[-1]["label"] == "合计" and detail.totals.rows[-1]["amount"] == detail.view["total"]
    assert detail.changes.rows, "the approver sees what moved against last month"
    assert "*" in detail.lines.rows[0]["id_number"]  # the county sees masked ID numbers
    village = detail.view["totals"]["by_village"][0]
    detail.village_filter.setCurrentIndex(detail.village_filter.findData(village["key"]))
    settle(qtbot, window)
    assert len(detail.lines.rows) == village["lines"] and {r["village"] for r in detail.lines.rows} == {village["key"]}
    detail.village_filter.setCurrentIndex(0)
    settle(qtbot, window)
    detail.tabs.setCurrentIndex(1)
    screenshot(window, "payroll_approver_changes")
    click(qtbot, window, detail.buttons["approve"])
    assert detail.view["state"] == "approved" and detail.view["digest"]
    assert not detail.buttons["export"].isEnabled()  # the county approver does not make bank files
    assert "须由经办人、乡镇审核人办理" in detail.reasons.text()
    detail.tabs.setCurrentIndex(0)
    screenshot(window, "payroll_approved")

    page = relogin(qtbot, window, "zhangmin")
    select_payroll(qtbot, window, page, pid)
    detail = page.detail
    detail.export_bank_file("gbk_txt", str(tmp_path))  # what the folder dialog hands over
    settle(qtbot, window)
    assert detail.view["state"] == "exported", detail.message.text()
    sent = Path(detail.last_file)
    assert sent.exists() and sent.name.startswith("DF139901101202612")
    first = detail.lines.rows[0]
    result = tmp_path / "回盘.txt"
    result.write_bytes(BankFileService(ctx).sample_result(pid, "gbk_txt", {first["seq"]: "账户已冻结"}))
    wrong = tmp_path / "回盘-错.txt"
    wrong.write_bytes(result.read_bytes().replace(b"T0", b"T9", 1))
    detail.import_result_file("gbk_txt", str(wrong))
    settle(qtbot, window)
    assert detail.view["state"] == "exported" and "整个文件未导入" in detail.message.text()
    detail.import_result_file("gbk_txt", str(result))
    settle(qtbot, window)
    assert detail.view["state"] == "results", detail.message.text()
    detail.tabs.setCurrentIndex(2)
    detail.state_filter.setCurrentIndex(detail.state_filter.findData("failed"))
    settle(qtbot, window)
    assert [r["reason"] for r in detail.lines.rows] == ["账户已冻结"]
    detail.export_lines(str(tmp_path / "lines.xlsx"))
    settle(qtbot, window)
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(io.BytesIO((tmp_path / "lines.xlsx").read_bytes())) \
        .get_sheet_by_index(0).to_python()
    assert rows[2][10:12] == ["失败", "账户已冻结"]
    screenshot(window, "payroll_results_failed_line")

    page = relogin(qtbot, window, "wangfang")
    select_payroll(qtbot, window, page, pid)
    click(qtbot, window, page.detail.buttons["close"])
    assert page.detail.view["state_label"] == "已结账"
    page.detail.print_document("payroll_summary")
    settle(qtbot, window)
    assert page.detail.result.printed is not None and page.detail.result.printed.pages >= 1
    screenshot(window, "payroll_closed")

    # The family's ledger on its case page: what it received this year, in one look.
    page.detail.state_filter.setCurrentIndex(page.detail.state_filter.findData("paid"))
    settle(qtbot, window)
    paid_case = page.detail.lines.rows[0]["case_id"]
    case_page = window.open_case(paid_case)
    settle(qtbot, window)
    case_page.side.setCurrentWidget(case_page.ledger_panel)
    settle(qtbot, window)
    ledger = case_page.ledger_panel
    assert "2026年：已发" in ledger.totals.text() and ledger.model.rows
    assert any(r["state"] == "paid" and r["month"] == "2026-12" for r in ledger.model.rows)
    screenshot(window, "case_ledger")
    window.close()


def test_the_administrator_records_price_indices(qtbot, demo_url):
    ctx = demo_context(demo_url)
    window = make_window(qtbot, ctx)
    login(qtbot, window, "admin")
    page = open_tab(qtbot, window)
    prices = page.prices
    assert page.area is None and prices is not None  # no payroll for the administrator
    prices.area.setCurrentIndex(prices.area.findData("139901"))
    type_text(qtbot, prices.month, "2026-10")
    type_text(qtbot, prices.cpi, "3.8")
    type_text(qtbot, prices.food, "4.1")
    click(qtbot, window, prices.save)
    assert "达到启动条件，每人" in prices.message.text(), prices.message.text()
    assert prices.model.rows[0]["state"] == "启动"
    type_text(qtbot, prices.cpi, "abc")
    click(qtbot, window, prices.save)
    assert "cpi_yoy" in prices.message.text()
    screenshot(window, "payroll_price_indices")
    window.close()
