"""发放台账 on the case page: every month's lines of the family — item, amount, state — with the year's
totals in one line ("how much did this family receive in 2026"), and 导出 xlsx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..domain.errors import KnownError
from .dynamic_page import RowsModel
from .errors import show_error
from .payroll_detail import _text, table
from .style import RED, set_role


class LedgerPanel(QWidget):
    def __init__(self, shell, case_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.shell = shell
        self.case_id = case_id
        self.ledger: dict[str, Any] | None = None
        self.dialog: QFileDialog | None = None
        self.setObjectName("ledger_panel")
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.year = QComboBox()
        self.year.setObjectName("ledger_year")
        this_year = shell.backend.today().year
        for y in range(this_year, this_year - 6, -1):
            self.year.addItem(f"{y}年", y)
        self.year.addItem("全部年份", None)
        self.year.currentIndexChanged.connect(lambda _i: self.load())
        self.export_button = QPushButton("导出 xlsx…")
        self.export_button.setObjectName("ledger_export")
        self.export_button.clicked.connect(self.ask_export)
        row.addWidget(self.year)
        row.addStretch(1)
        row.addWidget(self.export_button)
        layout.addLayout(row)
        self.totals = QLabel("正在载入…")
        self.totals.setObjectName("ledger_totals")
        self.totals.setWordWrap(True)
        layout.addWidget(self.totals)
        self.model = RowsModel([("month", "月份"), ("item", "项目"), ("kind", "类别"), ("amount", "金额（元）"),
                                ("state_label", "状态"), ("case", "案件"), ("reason", "说明")], _text,
                               colour=lambda r, k: RED if k == "state_label" and r["state"] in (
                                   "failed", "held", "owed_open", "owed_draft") else None,
                               right={"amount"}, parent=self)
        layout.addWidget(table(self.model, (62, 90, 60, 76, 110, 120)), 1)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self._loaded_once = False

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override: read when first shown
        super().showEvent(event)
        if not self._loaded_once:
            self._loaded_once = True
            self.load()

    def load(self) -> None:
        ledger = self.shell.backend.payments.ledger
        self.shell.executor.submit(ledger.for_case, self.case_id, self.shell.user["username"],
                                   year=self.year.currentData(), on_done=self._arrived, on_error=self._failed, owner=self)

    def _arrived(self, ledger: dict[str, Any]) -> None:
        self.ledger = ledger
        t = ledger["totals"]
        year = f"{ledger['year']}年" if ledger["year"] else "历年"
        parts = [f"已发 {t['received']} 元" + (f"（其中先行救助 {t['first_aid']} 元）" if t["first_aid"] != "0.00" else "")]
        parts += [f"{label} {t[key]} 元" for key, label in (("pending", "待发"), ("failed", "失败"), ("held", "暂缓"),
                                                            ("owed_open", "待追缴")) if t[key] != "0.00"]
        self.totals.setText(f"{ledger['title']}{year}：" + "，".join(parts))
        set_role(self.totals, "banner")
        self.model.set_rows(ledger["rows"])

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, KnownError):
            self.totals.setText("无法载入台账，详见错误信息。")
            set_role(self.totals, "refusal")
            show_error(exc, self)
            return
        self.totals.setText(str(exc))
        set_role(self.totals, "refusal")

    def ask_export(self) -> None:
        dialog = QFileDialog(self, "导出台账", str(Path(self.shell.print_desk.save_dir) / "发放台账.xlsx"),
                             "Excel 文件 (*.xlsx)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.fileSelected.connect(self.export)
        self.dialog = dialog
        dialog.open()

    def export(self, path: str) -> None:
        ledger = self.shell.backend.payments.ledger
        case_id, user, year = self.case_id, self.shell.user["username"], self.year.currentData()

        def work() -> str:
            _name, data = ledger.export_xlsx(case_id, user, year=year)
            Path(path).write_bytes(data)
            return path

        def done(p: str) -> None:
            self.message.setText(f"已导出台账 {p}")
            set_role(self.message, "ok")

        self.shell.executor.submit(work, on_done=done, on_error=self._failed, owner=self)
