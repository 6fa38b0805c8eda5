"""台账: a village's 低保 / 特困 / 临时救助 ledger for a month, exported as xlsx or PDF, and the
一户一册 of the selected family or of the whole village (made on the worker with progress)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..domain.errors import KnownError
from ..domain.programmes import REGISTRY
from ..domain.report_tables import Table
from ..domain.statistics import shift
from ..services.ledger_books import LEDGER_PROGRAMMES
from .errors import show_error
from .report_common import ReportTableView, ask_save_path, run_for
from .style import set_role

# The programmes with a 台账 (domain/programmes.py), by their short names.
PROGRAMMES = {code: REGISTRY[code].short for code in LEDGER_PROGRAMMES}


class LedgerPage(QWidget):
    """Signals: loaded() — a ledger is shown; saved(str) — a file was written."""

    loaded = Signal()
    saved = Signal(str)
    permanent = True

    def __init__(self, shell, parent: QWidget | None = None):
        super().__init__(parent)
        self.shell = shell
        # The page belongs to this log-in; it is deleted at log-out, its late callbacks dropped.
        self.username, self.full_name = shell.user["username"], shell.user.get("full_name", "")
        self.user_area = shell.user.get("area")
        self.table: Table | None = None
        self.setObjectName("ledger_page")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("村（社区）"))
        self.village = QComboBox()
        self.village.setMinimumWidth(180)
        bar.addWidget(self.village)
        bar.addWidget(QLabel("项目"))
        self.programme = QComboBox()
        for key, label in PROGRAMMES.items():
            self.programme.addItem(label, key)
        bar.addWidget(self.programme)
        bar.addWidget(QLabel("月份"))
        self.month = QComboBox()
        today = shell.backend.today()
        this = f"{today.year:04d}-{today.month:02d}"
        for k in range(0, 24):
            m = shift(this, -k)
            self.month.addItem(f"{m[:4]}年{int(m[5:])}月", m)
        bar.addWidget(self.month)
        self.show_button = QPushButton("显示台账")
        self.show_button.clicked.connect(self.load)
        bar.addWidget(self.show_button)
        self.xlsx_button = QPushButton("导出 Excel…")
        self.xlsx_button.clicked.connect(lambda: self.ask_export("xlsx"))
        self.pdf_button = QPushButton("导出 PDF…")
        self.pdf_button.clicked.connect(lambda: self.ask_export("pdf"))
        self.book_button = QPushButton("本户一户一册…")
        self.book_button.setToolTip("所选家庭的一户一册（PDF）")
        self.book_button.clicked.connect(lambda: self.ask_books(single=True))
        self.books_button = QPushButton("全村一户一册…")
        self.books_button.clicked.connect(lambda: self.ask_books(single=False))
        for b in (self.xlsx_button, self.pdf_button, self.book_button, self.books_button):
            bar.addWidget(b)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(140)
        self.progress.hide()
        bar.addWidget(self.progress)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.status = QLabel("选择村（社区）、项目和月份，点「显示台账」。")
        set_role(self.status, "hint")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.view = ReportTableView()
        self.view.setObjectName("ledger_table")
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._enable())
        layout.addWidget(self.view, 1)
        self._areas_loaded = False
        self._enable()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.shell.user is None:  # shown for a moment while the tabs are cleared at log-out
            return
        if not self._areas_loaded:
            self._areas_loaded = True
            run_for(self, self.shell.backend.statistics.report_areas, self.username,
                           on_done=self._areas)

    def _areas(self, areas: list[dict[str, Any]]) -> None:
        self.village.clear()
        for a in areas:
            if a["level"] == "village":
                self.village.addItem(a["label"], a["code"])

    def _enable(self, busy: bool = False) -> None:
        has = self.table is not None and not busy
        self.show_button.setEnabled(not busy)
        self.xlsx_button.setEnabled(has)
        self.pdf_button.setEnabled(has)
        self.books_button.setEnabled(not busy and self.village.count() > 0)
        self.book_button.setEnabled(has and self.selected_case() is not None)

    def selected_case(self) -> str | None:
        rows = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        if not rows or self.table is None:
            return None
        row = self.view.model().row(rows[0].row())
        return row.get("case") if row else None

    def _failed(self, exc: BaseException) -> None:
        self.progress.hide()
        self._enable()
        if isinstance(exc, KnownError):
            self.status.setText(str(exc))
        else:
            show_error(exc, self)

    # --- the ledger ---
    def load(self) -> None:
        village, programme, month = self.village.currentData(), self.programme.currentData(), self.month.currentData()
        if not village:
            self.status.setText("请先选择村（社区）。")
            return
        self._enable(busy=True)
        run_for(self, self.shell.backend.ledger_books.ledger, village, programme, self.username, month,
                       on_done=self.show_table, on_error=self._failed)

    def show_table(self, table: Table) -> None:
        self.table = table
        self.view.set_table(table)
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._enable())
        self.status.setText(f"{table.title}：{table.note}")
        self._enable()
        self.loaded.emit()

    def ask_export(self, kind: str):
        if self.table is None:
            return None
        return ask_save_path(self, "导出台账", f"{self.table.title}.{kind}", kind, self.export_to)

    def export_to(self, path: str) -> None:
        village, programme, month = self.village.currentData(), self.programme.currentData(), self.month.currentData()
        self._enable(busy=True)
        run_for(self, self.shell.backend.ledger_books.export_ledger, village, programme, path,
                       self.username, month, on_done=lambda p: self._saved(p), on_error=self._failed)

    def _saved(self, path: str) -> None:
        self.progress.hide()
        self._enable()
        self.status.setText(f"已保存：{path}")
        self.saved.emit(path)

    # --- 一户一册 ---
    def ask_books(self, single: bool):
        village = self.village.currentData()
        case = self.selected_case() if single else None
        if single and not case:
            self.status.setText("请先在台账中选择一户。")
            return None
        name = f"{case}一户一册.pdf" if single else f"{self.village.currentText().split()[-1]}一户一册.pdf"
        return ask_save_path(self, "保存一户一册", name, "pdf",
                             lambda path: self.save_books(path, case=case, village=None if single else village))

    def save_books(self, path: str, *, case: str | None = None, village: str | None = None) -> None:
        """Make the book(s) on the worker, with progress, and write them to ``path``."""
        self._enable(busy=True)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status.setText("正在生成一户一册…")
        books, username = self.shell.backend.ledger_books, self.username

        def work(job):
            return books.save_books(path, username, village=village, case=case, progress=job.report)

        def progress(done: int, total: int, text: str) -> None:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.status.setText(text)

        def done(count: int) -> None:
            self._saved(path)
            self.status.setText(f"已生成 {count} 户的一户一册：{path}")

        self.shell.executor.submit(work, pass_job=True, owner=self, on_done=done, on_error=self._failed,
                                   on_progress=progress)
