"""The 统计 tab on the demo township: pick a month and an area, make the report on the worker, see
the charts and the tables, export xlsx and PDF; the charts drawn to PNG files to look at."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from tests.helpers.window import SCREENSHOTS, demo_context, login, make_window, screenshot, settle

TOWN = "139901101"  # 桃源镇


def _statistics_tab(window):
    page = window.report_pages["statistics"]
    window.tabs.setCurrentWidget(page)
    return page


def test_statistics_tab_makes_shows_and_exports_the_report(qtbot, demo_url, tmp_path):
    ctx = demo_context(demo_url)
    window = make_window(qtbot, ctx)
    login(qtbot, window, "wangfang")
    page = _statistics_tab(window)
    settle(qtbot, window)
    assert page.area.currentData() == TOWN  # the user's own township first
    assert page.month.currentData() == "2026-10"  # the month just closed
    assert [page.area.itemData(i) for i in range(page.area.count())][:2] == [TOWN, "139901101001"]
    page.make_button.click()
    qtbot.waitUntil(lambda: page.report is not None, timeout=30000)
    settle(qtbot, window)
    expected = window.backend.statistics.monthly("2026-10", TOWN, "wangfang")
    dibao = page.views["dibao"]
    model = dibao.model()
    assert model.rowCount() == len(expected.table("dibao").rows) == 5 + 3  # five villages, 城市, 农村, 合计
    total = expected.table("dibao").rows[-1]
    assert total["persons"] > 0 and total["amount"] > Decimal(0)
    last = model.rowCount() - 1
    assert model.index(last, 0).data() == "合计"
    assert model.index(last, 3).data() == str(total["persons"])
    assert [c.title for c in (w.spec for w in page.charts)] == [c.title for c in expected.charts]
    assert page.charts[0].spec.categories == ("东岗村", "西河村", "南坡村", "北屯村", "柳树沟村")
    assert page.xlsx_button.isEnabled() and page.pdf_button.isEnabled()
    page.tabs.setCurrentIndex(0)
    screenshot(window, "statistics_charts")
    page.tabs.setCurrentIndex(1)
    screenshot(window, "statistics_dibao_table")

    # 导出: the dialog opens without blocking; answering it writes the file on the worker.
    dialog = page.ask_export("xlsx")
    assert isinstance(dialog, QFileDialog)
    dialog.close()
    target = tmp_path / "桃源镇月报.xlsx"
    with qtbot.waitSignal(page.exported, timeout=20000):
        page.export_to(str(target))
    import openpyxl

    sheet = openpyxl.load_workbook(target)["低保"]
    assert sheet.cell(5, 1).value == "东岗村"
    assert sheet.cell(12, 1).value == "合计" and sheet.cell(12, 4).value == total["persons"]
    with qtbot.waitSignal(page.exported, timeout=30000):
        page.export_to(str(tmp_path / "桃源镇月报.pdf"))
    assert (tmp_path / "桃源镇月报.pdf").read_bytes().startswith(b"%PDF")
    window.close()


def test_a_refused_report_says_why_where_the_report_would_be(qtbot, demo_url):
    ctx = demo_context(demo_url)
    window = make_window(qtbot, ctx)
    login(qtbot, window, "zhangmin")
    page = _statistics_tab(window)
    settle(qtbot, window)
    page.month.setCurrentIndex(0)  # this month, up to today: allowed
    page.make_button.click()
    qtbot.waitUntil(lambda: page.report is not None, timeout=30000)
    settle(qtbot, window)
    assert page.report.month == "2026-11"
    # An area outside the user's township is never offered; the service refuses it anyway.
    codes = [page.area.itemData(i) for i in range(page.area.count())]
    assert "139901102" not in codes and "139901" not in codes
    window.close()


def test_charts_drawn_to_png(qapp, tmp_path):
    """Every chart kind drawn with QPainter into a PNG (tests/output/screenshots/chart_*.png)."""
    from PySide6.QtGui import QImage

    from doudi_desk.domain.charts import ChartSpec, Series
    from doudi_desk.ui.charts import render_png

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    specs = [
        ChartSpec("bar", "bar", "各村保障人数", ("东岗村", "西河村", "南坡村", "北屯村", "柳树沟村"),
                  (Series("低保", (12, 30, 7, 0, 18)), Series("特困", (2, 1, 3, 0, 1))), "人"),
        ChartSpec("line", "line", "近12个月应发金额", tuple(f"{m}月" for m in (11, 12, *range(1, 11))),
                  (Series("低保", (0, 0, 800, 2000, 2000, 5600, 5600, 8376, 8376, 9000, 12000, 11800)),
                   Series("特困", (0, 0, 0, 0, 1166, 1166, 1166, 1166, 2792, 2792, 2792, 2792))), "元"),
        ChartSpec("empty", "bar", "各村逾期案件", ("东岗村", "西河村"), (Series("逾期", (0, 0)),), "件"),
    ]
    for spec in specs:
        path = SCREENSHOTS / f"chart_{spec.id}.png"
        render_png(spec, str(path))
        image = QImage(str(path))
        assert (image.width(), image.height()) == (640, 380)
        # Something was drawn in the plot area: the bars' and lines' colours are there.
        colours = {image.pixelColor(x, y).name() for x in range(0, 640, 4) for y in range(40, 320, 4)}
        if spec.id != "empty":
            assert "#2f6fb0" in colours
        else:
            assert "#2f6fb0" not in colours


def test_the_administrator_classes_a_village_as_urban(qtbot, demo_url, tmp_path):
    ctx = demo_context(demo_url)
    window = make_window(qtbot, ctx)
    login(qtbot, window, "admin")
    page = _statistics_tab(window)
    settle(qtbot, window)
    assert page.class_button.isVisible() and not page.class_button.isEnabled()  # a township is chosen
    page.area.setCurrentIndex(page.area.findData("139901101002"))  # 西河村
    assert page.class_button.isEnabled() and page.class_box.currentData() == "rural"
    page.class_box.setCurrentIndex(page.class_box.findData("urban"))
    with qtbot.waitSignal(page.class_changed, timeout=10000):
        page.class_button.click()
    page.area.setCurrentIndex(page.area.findData(TOWN))
    page.make_button.click()
    qtbot.waitUntil(lambda: page.report is not None, timeout=30000)
    settle(qtbot, window)
    rows = {r["label"]: r for r in page.report.table("dibao").rows}
    assert rows["西河村"]["class"] == "城市" and rows["城市小计"]["persons"] == rows["西河村"]["persons"] > 0
    window.close()


def test_a_month_paid_through_its_payroll_shows_paid_amounts(qtbot, demo_url):
    """October paid for 桃源镇's 低保 through the whole cycle (one line failed at the bank): the tab
    shows 实发 — the bank's paid lines — where the demo alone shows 应发, and says so per row."""
    from doudi_desk.services.bank_io import BankFileService
    from doudi_desk.services.payments import PaymentService

    ctx = demo_context(demo_url)
    due = window_free_report(ctx)
    pay, bank = PaymentService(ctx), BankFileService(ctx, PaymentService(ctx))
    view = pay.build(TOWN, "dibao", "2026-10", "zhangmin", since="2026-10")
    pay.step(view["id"], "submit", "zhangmin")
    pay.step(view["id"], "review", "wangfang")
    pay.step(view["id"], "approve", "zhaojun")
    bank.export(view["id"], "zhangmin", "generic_xlsx")
    rows = [r for r in pay.lines(view["id"], "zhangmin", limit=10_000)["rows"] if r["state"] == "pending"]
    failed = rows[0]
    bank.import_result(view["id"], "wangfang", "generic_xlsx",
                       bank.sample_result(view["id"], "generic_xlsx", {failed["seq"]: "账户已销户"}), "回盘.xlsx")
    pay.step(view["id"], "close", "wangfang")
    paid_total = sum(Decimal(r["amount"]) for r in rows[1:])

    window = make_window(qtbot, ctx)
    login(qtbot, window, "wangfang")
    page = _statistics_tab(window)
    settle(qtbot, window)
    page.make_button.click()
    qtbot.waitUntil(lambda: page.report is not None, timeout=30000)
    settle(qtbot, window)
    model = page.views["dibao"].model()
    last, columns = model.rowCount() - 1, model.columnCount()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(columns)]
    assert "实发金额（元）" in headers[columns - 2] and headers[columns - 1] == "金额口径"
    assert model.index(last, columns - 1).data() == "实发"
    assert Decimal(model.index(last, columns - 2).data()) == paid_total < due
    page.tabs.setCurrentIndex(1)
    qtbot.wait(50)
    window.grab().save(str(SCREENSHOTS / "statistics_paid_dibao_table.png"))
    window.close()


def window_free_report(ctx) -> Decimal:
    """The 低保 amount due in October, as the demo alone reports it."""
    from doudi_desk.services.statistics import StatisticsService

    report = StatisticsService(ctx).monthly("2026-10", TOWN, "wangfang")
    assert report.amount_label == "应发"
    return report.table("dibao").rows[-1]["amount"]
