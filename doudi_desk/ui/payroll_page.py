"""资金发放: the monthly payroll for caseworkers, reviewers and approvers (payments.md), and the
month's price indices for the administrator (价格临时补贴, policy.md §11).

Left: where (township), what (programme group), which month, 编制 / 打开, and the recent payrolls;
right: the chosen payroll (ui/payroll_detail.py). Everything runs on the executor.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..domain.errors import KnownError
from . import ops
from .dynamic_page import RowsModel
from .payroll_detail import PayrollDetail, _text, table
from .style import set_role
from .work_tabs import PAY_ROLES


def _next_month(today) -> str:
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return f"{year:04d}-{month:02d}"


class PriceIndexPanel(QGroupBox):
    """The administrator records a month's CPI and food CPI rises for an area (policy.md §11)."""

    saved = Signal()

    def __init__(self, shell, parent: QWidget | None = None):
        super().__init__("价格临时补贴：各月价格指数（同比涨幅，%）", parent)
        self.shell = shell
        layout = QVBoxLayout(self)
        form = QHBoxLayout()
        self.area = QComboBox()
        self.area.setObjectName("price_area")
        self.month = QLineEdit(shell.backend.today().strftime("%Y-%m"))
        self.month.setObjectName("price_month")
        self.month.setMaximumWidth(90)
        self.cpi = QLineEdit()
        self.cpi.setObjectName("price_cpi")
        self.cpi.setMaximumWidth(70)
        self.food = QLineEdit()
        self.food.setObjectName("price_food")
        self.food.setMaximumWidth(70)
        self.save = QPushButton("录入")
        self.save.setObjectName("price_save")
        self.save.clicked.connect(self.submit)
        for label, w in (("地区", self.area), ("月份", self.month), ("CPI", self.cpi), ("食品", self.food)):
            form.addWidget(QLabel(label))
            form.addWidget(w)
        form.addWidget(self.save)
        form.addStretch(1)
        layout.addLayout(form)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.model = RowsModel([("month", "月份"), ("area_name", "地区"), ("cpi_yoy", "CPI%"), ("food_yoy", "食品%"),
                                ("state", "是否启动"), ("per_person", "每人（元）"), ("entered_by", "录入人")], _text,
                               parent=self)
        layout.addWidget(table(self.model, (70, 90, 60, 60, 90, 80)))

    def refresh(self) -> None:
        backend = self.shell.backend

        def work():
            areas = [a for a in backend.queries.areas() if a["level"] in ("county", "township")]
            return areas, backend.payments.prices.list()

        def arrived(result) -> None:
            areas, rows = result
            current = self.area.currentData()
            self.area.clear()
            for a in areas:
                self.area.addItem(a["name"], a["code"])
            if current:
                self.area.setCurrentIndex(max(0, self.area.findData(current)))
            self.model.set_rows([{**r, "state": {True: "启动", False: "未启动", None: "—"}[r["triggered"]],
                                  "per_person": r["per_person"] if r["triggered"] else ""} for r in rows])

        self.shell.run(work, on_done=arrived)

    def submit(self) -> None:
        def done(view: dict[str, Any]) -> None:
            state = f"达到启动条件，每人 {view['per_person']} 元" if view["triggered"] else "未达到启动条件"
            self.message.setText(f"已录入{view['area_name']}{view['month']}：{state}")
            set_role(self.message, "ok")
            self.refresh()
            self.saved.emit()

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, KnownError):
                from .errors import show_error

                show_error(exc, self)
                return
            self.message.setText(str(exc))
            set_role(self.message, "refusal")

        ops.set_price_index(self.shell, self.area.currentData(), self.month.text().strip(), self.cpi.text().strip(),
                            self.food.text().strip()).success(done).failure(failed).run_in_background(initiator=self)


class PayrollPage(QWidget, ops.ChangeListener):
    """The 资金发放 tab. The list (and the payroll shown) read again after any command that
    changed payrolls (``on_changes``)."""

    def __init__(self, shell, parent: QWidget | None = None):
        super().__init__(parent)
        self.shell = shell
        self.rows: list[dict[str, Any]] = []
        self.setObjectName("payroll_page")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        roles = set(shell.user["roles"])
        self.prices = PriceIndexPanel(shell) if "admin" in roles else None
        self.detail = PayrollDetail(shell)
        if not roles & PAY_ROLES:  # the administrator: price indices only
            outer.addWidget(self.prices)
            self.detail.hide()
            self.area = self.group = None
            return
        splitter = QSplitter()
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        box = QGroupBox("发放名册")
        form = QFormLayout(box)
        self.area = QComboBox()
        self.area.setObjectName("payroll_area")
        self.group = QComboBox()
        self.group.setObjectName("payroll_group")
        self.month = QLineEdit(_next_month(shell.backend.today()))
        self.month.setObjectName("payroll_month")
        self.since = QLineEdit()
        self.since.setObjectName("payroll_since")
        self.since.setPlaceholderText("第一次编制时可填：自哪个月起经本程序发放")
        form.addRow("乡镇（街道）", self.area)
        form.addRow("发放类别", self.group)
        form.addRow("发放月份", self.month)
        form.addRow("起始月份", self.since)
        row = QHBoxLayout()
        self.build_button = QPushButton("编制 / 打开")
        self.build_button.setObjectName("payroll_open")
        self.build_button.setToolTip("打开这一期的发放名册；还没有的，由经办人编制")
        self.build_button.clicked.connect(self.open_or_build)
        self.refresh_button = QPushButton("刷新")
        self.refresh_button.clicked.connect(self.refresh)
        row.addWidget(self.build_button)
        row.addWidget(self.refresh_button)
        form.addRow(row)
        self.message = QLabel()
        self.message.setObjectName("payroll_page_message")
        self.message.setWordWrap(True)
        form.addRow(self.message)
        lv.addWidget(box)
        self.model = RowsModel([("month", "月份"), ("group_short", "类别"), ("area_name", "乡镇"), ("state_label", "状态"),
                                ("count", "笔数"), ("total", "应发（元）")], _text, right={"count", "total"}, parent=self)
        self.list_view = table(self.model, (58, 60, 60, 56, 40))
        self.list_view.selectionModel().selectionChanged.connect(lambda *_a: self._selected())
        lv.addWidget(self.list_view, 1)
        if self.prices is not None:
            lv.addWidget(self.prices)
        splitter.addWidget(left)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setSizes([330, 1030])
        outer.addWidget(splitter)

    def start(self) -> None:
        if self.prices is not None:
            self.prices.refresh()
        if self.area is None:
            return
        payments = self.shell.backend.payments.payrolls
        user = self.shell.user["username"]

        def work():
            return payments.areas_for(user), payments.groups()

        def arrived(result) -> None:
            areas, groups = result
            self.area.clear()
            for a in areas:
                self.area.addItem(a["name"], a["code"])
            self.group.clear()
            for g in groups:
                self.group.addItem(g["label"], g["code"])
            self.refresh()

        self.shell.run(work, on_done=arrived)

    def refresh(self) -> None:
        if self.area is None:
            return
        payments = self.shell.backend.payments.payrolls
        self.shell.run(payments.list, self.shell.user["username"], on_done=self._listed, on_error=self._failed)

    def _listed(self, rows: list[dict[str, Any]]) -> None:
        selected = self.detail.payroll_id
        self.rows = rows
        self.model.set_rows(rows)
        for i, r in enumerate(rows):
            if r["id"] == selected:
                self.list_view.selectRow(i)

    def _selected(self) -> None:
        indexes = self.list_view.selectionModel().selectedRows()
        row = self.model.row(indexes[0].row()) if indexes else None
        if row and row["id"] != self.detail.payroll_id:
            self.detail.show_payroll(row["id"])

    def open_payroll(self, payroll_id: int) -> None:
        self.detail.show_payroll(payroll_id)

    def open_or_build(self) -> None:
        """Open the payroll of the chosen area, group and month; build it if there is none yet."""
        area, group, month = self.area.currentData(), self.group.currentData(), self.month.text().strip()
        since = self.since.text().strip() or None

        def done(result) -> None:
            view, built = result
            self.message.setText(f"已编制{view['label']}" if built else f"已打开{view['label']}")
            set_role(self.message, "ok")
            self.detail.show_payroll(view["id"])
            if not built:  # nothing changed, nothing broadcast: the list may still show it anew
                self.refresh()

        ops.open_or_build(self.shell, area, group, month, since).success(done).failure(self._failed) \
            .run_in_background(initiator=self)

    def _failed(self, exc: BaseException) -> None:
        from .errors import show_error

        if isinstance(exc, KnownError):
            self.message.setText(str(exc))
            set_role(self.message, "refusal")
        else:
            show_error(exc, self)

    def on_changes(self, changes: ops.Changes, initiator: object | None) -> None:
        if not changes.payroll:
            return
        self.refresh()
        if self.prices is not None and initiator is not self.prices:
            self.prices.refresh()
        # The payroll shown reloads unless its own action (which shows the result) made the change.
        if initiator is not self.detail and self.detail.payroll_id is not None and initiator is not self:
            self.detail.show_payroll(self.detail.payroll_id)
