"""统计: the monthly statistics of a month and an area (reports.md §1) — charts first, then one
table per programme, the process figures and the 12-month trend — exported as xlsx or PDF.

The report is made on the executor with progress; nothing here computes a figure.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..domain.errors import KnownError
from ..domain.report_tables import MonthlyReport
from ..domain.statistics import shift
from . import ops
from .charts import ChartWidget
from .errors import show_error
from .report_common import ReportTableView, ask_save_path, run_for
from .style import set_role

LEVEL_MARK = {"county": "", "township": "　", "village": "　　"}


class StatisticsPage(QWidget, ops.ChangeListener):
    """Signals: loaded() — a report is shown; exported(str) — a file was written; class_changed(str)
    — the administrator set a village's 城市/农村 class. A report is made on request; when cases
    change while one is shown, the page says it is out of date (``on_changes``)."""

    loaded = Signal()
    exported = Signal(str)
    class_changed = Signal(str)
    permanent = True

    def __init__(self, shell, parent: QWidget | None = None):
        super().__init__(parent)
        self.shell = shell
        # The page belongs to this log-in; it is deleted at log-out, its late callbacks dropped.
        self.username, self.full_name = shell.user["username"], shell.user.get("full_name", "")
        self.user_area = shell.user.get("area")
        self.report: MonthlyReport | None = None
        self.job = None
        self.setObjectName("statistics_page")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("统计月份"))
        self.month = QComboBox()
        self.month.setObjectName("stats_month")
        today = shell.backend.today()
        this = f"{today.year:04d}-{today.month:02d}"
        for k in range(0, 36):
            m = shift(this, -k)
            self.month.addItem(f"{m[:4]}年{int(m[5:])}月" + ("（本月，截至今日）" if k == 0 else ""), m)
        self.month.setCurrentIndex(1)  # the month just closed
        bar.addWidget(self.month)
        bar.addWidget(QLabel("地区"))
        self.area = QComboBox()
        self.area.setObjectName("stats_area")
        self.area.setMinimumWidth(200)
        bar.addWidget(self.area)
        self.make_button = QPushButton("生成报表")
        self.make_button.setObjectName("stats_make")
        self.make_button.clicked.connect(self.make)
        bar.addWidget(self.make_button)
        self.xlsx_button = QPushButton("导出 Excel…")
        self.xlsx_button.clicked.connect(lambda: self.ask_export("xlsx"))
        self.pdf_button = QPushButton("导出 PDF（含图表）…")
        self.pdf_button.clicked.connect(lambda: self.ask_export("pdf"))
        for b in (self.xlsx_button, self.pdf_button):
            b.setEnabled(False)
            bar.addWidget(b)
        # The administrator classes villages as 城市 or 农村 (reports.md §1) right where it matters.
        self.class_box = QComboBox()
        self.class_box.setObjectName("stats_class")
        for value, label in (("urban", "城市"), ("rural", "农村")):
            self.class_box.addItem(label, value)
        self.class_button = QPushButton("设为该村（社区）的城乡分类")
        self.class_button.clicked.connect(self.set_class)
        admin = "admin" in shell.user.get("roles", [])
        for w in (self.class_box, self.class_button):
            w.setVisible(admin)
            bar.addWidget(w)
        self.area.currentIndexChanged.connect(lambda _i: self._show_class())
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.hide()
        bar.addWidget(self.progress)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.status = QLabel("选择月份和地区，点「生成报表」。")
        self.status.setWordWrap(True)
        set_role(self.status, "hint")
        layout.addWidget(self.status)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("stats_tabs")
        chart_page = QWidget()
        self.chart_grid = QGridLayout(chart_page)
        self.chart_grid.setSpacing(8)
        self.charts = [ChartWidget() for _ in range(6)]
        for i, w in enumerate(self.charts):
            self.chart_grid.addWidget(w, i // 3, i % 3)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(chart_page)
        self.tabs.addTab(scroll, "图表")
        self.views: dict[str, ReportTableView] = {}
        layout.addWidget(self.tabs, 1)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        set_role(self.notes, "hint")
        layout.addWidget(self.notes)
        self._areas_loaded = False

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.shell.user is None:  # shown for a moment while the tabs are cleared at log-out
            return
        if not self._areas_loaded:
            self.load_areas()

    def load_areas(self) -> None:
        self._areas_loaded = True
        username = self.username
        run_for(self, self.shell.backend.statistics.report_areas, username, on_done=self._areas)

    def _areas(self, areas: list[dict[str, Any]]) -> None:
        self.areas = {a["code"]: a for a in areas}
        self.area.blockSignals(True)
        self.area.clear()
        for a in areas:
            self.area.addItem(LEVEL_MARK.get(a["level"], "") + a["label"], a["code"])
        self.area.blockSignals(False)
        own = self.user_area
        index = self.area.findData(own) if own else 0
        self.area.setCurrentIndex(max(index, 0))
        self._show_class()

    def _show_class(self) -> None:
        area = getattr(self, "areas", {}).get(self.area.currentData())
        village = bool(area and area["level"] == "village")
        self.class_box.setEnabled(village)
        self.class_button.setEnabled(village)
        if village:
            self.class_box.setCurrentIndex(max(self.class_box.findData(area["urban_rural"] or "rural"), 0))

    def set_class(self) -> None:
        """Set the chosen village's 城市/农村 class (administrator; audited by the service)."""
        code, value = self.area.currentData(), self.class_box.currentData()

        def done(area) -> None:
            self.areas[code] = self.areas[code] | {"urban_rural": area.urban_rural}
            self.status.setText(f"{area.name} 已设为{self.class_box.currentText()}；重新生成报表后按新分类统计。")
            self.class_changed.emit(code)

        ops.set_urban_rural(self.shell, code, value).success(done).failure(self._failed) \
            .run_in_background(initiator=self)

    def on_changes(self, changes: ops.Changes, initiator: object | None) -> None:
        if self.report is not None and (changes.cases or changes.policy) and initiator is not self:
            self.status.setText("案件已有变动：重新生成报表可得最新数字。")

    # --- making the report ---
    def make(self) -> None:
        month, area = self.month.currentData(), self.area.currentData()
        if not area:
            self.status.setText("请先选择地区。")
            return
        self._busy(True, "正在生成…")
        stats = self.shell.backend.statistics
        username = self.username

        def work(job):
            return stats.monthly(month, area, username, progress=job.report)

        self.job = self.shell.executor.submit(work, pass_job=True, owner=self, on_done=self.show_report,
                                              on_error=self._failed, on_progress=self._progress)

    def _progress(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.status.setText(text)

    def _busy(self, busy: bool, text: str = "") -> None:
        self.progress.setVisible(busy)
        self.progress.setRange(0, 0)
        for b in (self.make_button, self.xlsx_button, self.pdf_button):
            b.setEnabled(not busy and (b is self.make_button or self.report is not None))
        if text:
            self.status.setText(text)

    def _failed(self, exc: BaseException) -> None:
        self._busy(False)
        if isinstance(exc, KnownError):
            self.status.setText(str(exc))
        else:
            show_error(exc, self)

    def show_report(self, report: MonthlyReport) -> None:
        self.report = report
        self._busy(False)
        for widget, spec in zip(self.charts, report.charts, strict=False):
            widget.set_spec(spec)
        while self.tabs.count() > 1:
            self.tabs.removeTab(1)
        self.views = {}
        for t in report.tables:
            view = ReportTableView()
            view.setObjectName(f"stats_table_{t.id}")
            view.set_table(t)
            self.views[t.id] = view
            box = QWidget()
            v = QVBoxLayout(box)
            v.setContentsMargins(0, 0, 0, 0)
            v.addWidget(view, 1)
            if t.note:
                note = QLabel(t.note)
                note.setWordWrap(True)
                set_role(note, "hint")
                v.addWidget(note)
            self.tabs.addTab(box, t.sheet_name)
        self.status.setText(f"{report.area.name} {report.month[:4]}年{int(report.month[5:])}月统计月报"
                            f"（{report.generated_on} 生成；金额为{report.amount_label}金额）")
        self.notes.setText("　".join(report.notes))
        self._busy(False)
        self.loaded.emit()

    # --- export ---
    def ask_export(self, kind: str):
        if self.report is None:
            return None
        name = f"{self.report.area.name}{self.report.month}统计月报.{kind}"
        return ask_save_path(self, "导出统计月报", name, kind, lambda path: self.export_to(path))

    def export_to(self, path: str) -> None:
        """Write the report shown to ``path`` (.xlsx or .pdf) on the worker."""
        if self.report is None:
            return
        report = self.report
        prepared_by = self.full_name
        self._busy(True, "正在导出…")

        def done(_r) -> None:
            self._busy(False, f"已导出：{path}")
            self.exported.emit(path)

        run_for(self, self.shell.backend.statistics.write, report, path, prepared_by, on_done=done,
                       on_error=self._failed)

