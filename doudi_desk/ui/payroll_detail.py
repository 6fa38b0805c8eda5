"""One payroll in the 资金发放 tab: its state along the cycle, the actions of the current step (a
refused one disabled with the reason), totals by village and item, the change against last month,
the lines (filter, search, export), amounts owed, bank files, and its three printed documents.

Every service call runs on the executor; the widget holds plain dicts only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..domain.documents import title as document_title
from ..domain.errors import Conflict, KnownError
from . import ops
from .dynamic_page import RowsModel
from .errors import show_error
from .style import RED, set_role

CYCLE = [("draft", "编制中"), ("submitted", "待审核"), ("reviewed", "待审批"), ("approved", "已审批"),
         ("exported", "已导出"), ("results", "已回盘"), ("closed", "已结账")]
LINE_STATES = {"": "全部状态", "pending": "待发", "held": "暂缓", "paid": "成功", "failed": "失败"}
PRINTS = {kind: document_title(kind) for kind in ("payroll_summary", "payroll_roster", "payroll_changes")}


def table(model: RowsModel, widths: tuple[int, ...] = ()) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(24)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    for i, w in enumerate(widths):
        view.setColumnWidth(i, w)
    return view


def _text(row: dict[str, Any], key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value)


class AccountDialog(QDialog):
    """更正发放账户 for the benefit of a held or failed line (non-modal; ``accepted_data`` on OK)."""

    def __init__(self, payee: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"更正发放账户：{payee}")
        form = QFormLayout(self)
        self.bank = QLineEdit()
        self.bank.setObjectName("account_bank")
        self.account = QLineEdit()
        self.account.setObjectName("account_number")
        self.reason = QLineEdit()
        self.reason.setObjectName("account_reason")
        self.reason.setPlaceholderText("如：银行退回“户名不符”，已核实新账号")
        form.addRow("开户银行", self.bank)
        form.addRow("银行账号", self.account)
        form.addRow("更正原因", self.reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[str, str, str]:
        return self.bank.text().strip(), self.account.text().strip(), self.reason.text().strip()


class PayrollDetail(QWidget):
    """One payroll: its lines and its steps. Every action is a command op (ui/ops/payroll.py):
    the 资金发放 list refreshes itself from the window's operation_did_execute.

    Signals: shown() when a payroll is on screen."""

    shown = Signal()

    def __init__(self, shell, parent: QWidget | None = None):
        super().__init__(parent)
        self.shell = shell
        self.view: dict[str, Any] | None = None
        self.payroll_id: int | None = None
        self.dialog: QDialog | None = None
        self.last_file: str = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.title = QLabel("请在左侧选择或编制一期发放名册")
        self.title.setObjectName("payroll_title")
        set_role(self.title, "title")
        layout.addWidget(self.title)
        self.cycle = QHBoxLayout()
        self.cycle_labels: dict[str, QLabel] = {}
        for key, label in CYCLE:
            chip = QLabel(label)
            chip.setAlignment(Qt.AlignmentFlag.AlignCenter)
            chip.setMinimumWidth(64)
            set_role(chip, "todo", "step")
            self.cycle_labels[key] = chip
            self.cycle.addWidget(chip)
        self.cycle.addStretch(1)
        layout.addLayout(self.cycle)
        self.summary = QLabel()
        self.summary.setObjectName("payroll_summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.actions = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        layout.addLayout(self.actions)
        self.reasons = QLabel()
        self.reasons.setObjectName("payroll_reasons")
        self.reasons.setWordWrap(True)
        set_role(self.reasons, "hint")
        layout.addWidget(self.reasons)
        self.message = QLabel()
        self.message.setObjectName("payroll_message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("payroll_tabs")
        self.totals = RowsModel([("label", "村（社区）/项目"), ("households", "户数"), ("persons", "人数"),
                                 ("lines", "笔数"), ("amount", "金额（元）"), ("held_lines", "暂缓笔数"),
                                 ("held_amount", "暂缓金额")], _text, right={"households", "persons", "lines", "amount",
                                                                         "held_lines", "held_amount"}, parent=self)
        self.tabs.addTab(table(self.totals, (200, 60, 60, 60, 110, 70)), "汇总")
        self.changes = RowsModel([("change", "变动"), ("village_name", "村（社区）"), ("payee", "收款人"), ("case", "案件"),
                                  ("before", "上期（元）"), ("after", "本期（元）")], _text,
                                 right={"before", "after"}, parent=self)
        self.tabs.addTab(table(self.changes, (60, 100, 80, 150, 90)), "变动")
        lines_box = QWidget()
        lv = QVBoxLayout(lines_box)
        lv.setContentsMargins(0, 0, 0, 0)
        filters = QHBoxLayout()
        self.state_filter = QComboBox()
        self.state_filter.setObjectName("line_state")
        for key, label in LINE_STATES.items():
            self.state_filter.addItem(label, key)
        self.state_filter.currentIndexChanged.connect(lambda _i: self.load_lines())
        self.village_filter = QComboBox()
        self.village_filter.setObjectName("line_village")
        self.village_filter.addItem("全部村（社区）", "")
        self.village_filter.currentIndexChanged.connect(lambda _i: self.load_lines())
        self.search = QLineEdit()
        self.search.setObjectName("line_search")
        self.search.setPlaceholderText("姓名、身份证号码开头或完整账号，回车查找")
        self.search.returnPressed.connect(self.load_lines)
        self.export_lines_button = QPushButton("导出明细…")
        self.export_lines_button.setObjectName("export_lines")
        self.export_lines_button.clicked.connect(self.ask_export_lines)
        self.account_button = QPushButton("更正账户…")
        self.account_button.setObjectName("fix_account")
        self.account_button.setToolTip("暂缓或发放失败的行：更正该户的开户银行和账号，下期补发")
        self.account_button.clicked.connect(self.fix_account)
        for w in (QLabel("状态"), self.state_filter, self.village_filter, self.search, self.export_lines_button,
                  self.account_button):
            filters.addWidget(w)
        lv.addLayout(filters)
        self.lines = RowsModel([("seq", "序号"), ("village_name", "村（社区）"), ("payee", "收款人"), ("id_number", "身份证号码"),
                                ("bank_account", "账号"), ("item_label", "项目"), ("month", "月份"), ("kind_label", "类别"),
                                ("amount", "金额（元）"), ("state_label", "状态"), ("reason", "说明")], _text,
                               colour=lambda r, k: RED if r.get("state") in ("held", "failed") and k in
                               ("state_label", "reason") else None, right={"amount", "seq"}, parent=self)
        self.lines_view = table(self.lines, (50, 80, 70, 150, 160, 80, 70, 60, 80, 50))
        lv.addWidget(self.lines_view)
        self.lines_count = QLabel()
        set_role(self.lines_count, "hint")
        lv.addWidget(self.lines_count)
        self.tabs.addTab(lines_box, "明细")
        self.owed = RowsModel([("month", "月份"), ("amount", "金额（元）"), ("status_label", "状态"), ("source", "决定"),
                               ("reason", "说明")], _text, right={"amount"}, parent=self)
        self.tabs.addTab(table(self.owed, (70, 80, 90, 140)), "追缴")
        self.files = RowsModel([("direction", "类型"), ("file_name", "文件"), ("line_count", "笔数"), ("total", "金额（元）"),
                                ("actor", "办理人"), ("recorded_at", "时间")], _text, right={"line_count", "total"},
                               parent=self)
        self.tabs.addTab(table(self.files, (60, 240, 60, 100, 70)), "银行文件")
        layout.addWidget(self.tabs, 1)
        prints = QHBoxLayout()
        prints.addWidget(QLabel("打印："))
        self.print_buttons: dict[str, QPushButton] = {}
        for kind, label in PRINTS.items():
            b = QPushButton(label)
            b.setObjectName(f"print_{kind}")
            b.clicked.connect(lambda _c=False, kind=kind: self.print_document(kind))
            self.print_buttons[kind] = b
            prints.addWidget(b)
        prints.addStretch(1)
        layout.addLayout(prints)
        from .printing_ui.result_panel import ResultPanel

        self.result = ResultPanel(shell)
        self.result.hide()
        layout.addWidget(self.result)
        self._enable(False)

    # --- loading ------------------------------------------------------------------------------
    @property
    def user(self) -> str:
        return self.shell.user["username"]

    @property
    def service(self):
        return self.shell.backend.payments

    def show_payroll(self, payroll_id: int | None) -> None:
        self.payroll_id = payroll_id
        if payroll_id is None:
            self.view = None
            self.title.setText("请在左侧选择或编制一期发放名册")
            self._enable(False)
            return
        self.shell.run(self.service.payrolls.show, payroll_id, self.user, on_done=self._shown, on_error=self._failed)

    def _shown(self, view: dict[str, Any]) -> None:
        self.view = view
        self._enable(True)
        self.title.setText(f"{view['label']}（{view['state_label']}）")
        states = [k for k, _ in CYCLE]
        here = states.index(view["state"])
        for i, (key, _label) in enumerate(CYCLE):
            set_role(self.cycle_labels[key], "current" if i == here else ("done" if i < here else "todo"), "step")
        p = view["people"]
        who = "；".join(f"{label}：{p[key]['name']}" for key, label in (
            ("built_by", "经办"), ("reviewed_by", "审核"), ("approved_by", "审批")) if p[key]["name"])
        c = view["changes"]["counts"]
        self.summary.setText(
            f"应发 {view['count'] - view['held_count']} 笔 {view['total']} 元；暂缓 {view['held_count']} 笔 "
            f"{view['held_total']} 元；与上期（{view['changes']['previous'] or '无'}）相比：新增 {c['new']}、"
            f"停发 {c['stopped']}、调整 {c['changed']}。{who}" + (f"\n审批摘要 {view['digest']}" if view["digest"] else ""))
        self._render_actions(view["actions"])
        rows = [{**t, "label": t["label"]} for t in view["totals"]["by_village"]]
        rows += [{**t, "label": f"【{t['label']}】"} for t in view["totals"]["by_item"]]
        rows.append({**view["totals"]["all"], "label": "合计"})
        self.totals.set_rows(rows)
        change_rows = []
        for key, label in (("new", "新增"), ("stopped", "停发"), ("changed", "调整")):
            change_rows += [{**r, "change": label} for r in view["changes"].get(key, [])]
        self.changes.set_rows(change_rows)
        current = self.village_filter.currentData()
        self.village_filter.blockSignals(True)
        while self.village_filter.count() > 1:
            self.village_filter.removeItem(1)
        for t in view["totals"]["by_village"]:
            self.village_filter.addItem(t["label"], t["key"])
        self.village_filter.setCurrentIndex(max(0, self.village_filter.findData(current)))
        self.village_filter.blockSignals(False)
        self.owed.set_rows(view["owed"])
        self.files.set_rows([{**f, "direction": "代发文件" if f["direction"] == "export" else "回盘文件"}
                             for f in view["bank_files"]])
        self.load_lines()
        self.shown.emit()

    def load_lines(self) -> None:
        if self.payroll_id is None:
            return
        self.shell.run(self.service.payrolls.lines, self.payroll_id, self.user,
                       state=self.state_filter.currentData() or None, village=self.village_filter.currentData() or None,
                       search=self.search.text().strip(), limit=2000,
                       on_done=self._lines_arrived, on_error=self._failed)

    def _lines_arrived(self, page: dict[str, Any]) -> None:
        self.lines.set_rows(page["rows"])
        total = page["count"]
        more = f"，共 {total} 行" if total is not None and total > len(page["rows"]) else ""
        self.lines_count.setText(f"显示 {len(page['rows'])} 行{more}")

    def _enable(self, on: bool) -> None:
        for w in (self.tabs, self.export_lines_button, self.account_button, *self.print_buttons.values()):
            w.setEnabled(on)

    def _render_actions(self, actions: list[dict[str, Any]]) -> None:
        while self.actions.count():
            item = self.actions.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.buttons = {}
        for a in actions:
            b = QPushButton(a["label"])
            b.setObjectName(f"payroll_{a['action']}")
            b.setEnabled(a["allowed"])
            b.setToolTip(a["reason"] or a["label"])
            b.clicked.connect(lambda _c=False, action=a["action"]: self.request(action))
            self.buttons[a["action"]] = b
            self.actions.addWidget(b)
        self.actions.addStretch(1)
        refused = [a["reason"] for a in actions if not a["allowed"]]
        self.reasons.setText("；".join(refused))
        self.reasons.setVisible(bool(refused))

    # --- actions ----------------------------------------------------------------------------------
    def request(self, action: str) -> None:
        """A button of the current step: some ask for a reason, a bank format or a file first."""
        if action == "build":
            self.rebuild()
        elif action == "return":
            dialog = QInputDialog(self)
            dialog.setWindowTitle("退回重编")
            dialog.setLabelText("退回理由：")
            dialog.textValueSelected.connect(lambda text: self.step("return", text))
            self.dialog = dialog
            dialog.open()
        elif action == "export":
            self.ask_export()
        elif action == "import_result":
            self.ask_import()
        else:
            self.step(action)

    def step(self, action: str, comment: str = "") -> None:
        ops.step(self.shell, self.view, action, comment) \
            .success(lambda view: self._done(view, f"已办理：{view['state_label']}")).failure(self._failed) \
            .run_in_background(initiator=self)

    def rebuild(self) -> None:
        ops.rebuild(self.shell, self.view).success(lambda view: self._done(view, "已重新编制")) \
            .failure(self._failed).run_in_background(initiator=self)

    def _done(self, view: dict[str, Any], text: str) -> None:
        self.message.setText(text)
        set_role(self.message, "ok")
        self.show_payroll(view["id"])

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, KnownError):
            self.message.setText(str(exc))
            set_role(self.message, "refusal")
            if isinstance(exc, Conflict) and self.payroll_id is not None:
                self.show_payroll(self.payroll_id)  # show what it is now
        else:
            show_error(exc, self)

    def _choose_layout(self, then) -> None:
        def arrived(layouts: list[dict[str, Any]]) -> None:
            dialog = QInputDialog(self)
            dialog.setWindowTitle("银行格式")
            dialog.setLabelText("按哪种银行格式：")
            dialog.setComboBoxItems([f"{x['title']}｜{x['id']}" for x in layouts])
            dialog.textValueSelected.connect(lambda text: then(text.rsplit("｜", 1)[-1]))
            self.dialog = dialog
            dialog.open()

        self.shell.run(self.service.bank.layouts, on_done=arrived, on_error=self._failed)

    def ask_export(self) -> None:
        def chosen(layout: str) -> None:
            dialog = QFileDialog(self, "保存银行代发文件", self.shell.print_desk.save_dir)
            dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
            dialog.setFileMode(QFileDialog.FileMode.Directory)
            dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
            dialog.fileSelected.connect(lambda folder: self.export_bank_file(layout, folder))
            self.dialog = dialog
            dialog.open()

        self._choose_layout(chosen)

    def export_bank_file(self, layout: str, folder: str) -> None:
        """Make the bank file into a folder (its name comes from the layout)."""
        v = self.view
        bank = self.service.bank

        def work() -> tuple[str, dict[str, Any]]:
            out = bank.export(v["id"], self.user, layout, expected_version=v["version"])
            path = Path(folder) / out["file_name"]
            path.write_bytes(out["data"])
            return str(path), out

        def done(result) -> None:
            path, out = result
            self.last_file = path
            self._done(v, f"已生成银行代发文件 {path}：{out['count']} 笔，合计 {out['total']} 元")

        ops.bank_file(self.shell, work).success(done).failure(self._failed).run_in_background(initiator=self)

    def ask_import(self) -> None:
        def chosen(layout: str) -> None:
            dialog = QFileDialog(self, "选择银行回盘文件", self.shell.print_desk.save_dir)
            dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
            dialog.fileSelected.connect(lambda path: self.import_result_file(layout, path))
            self.dialog = dialog
            dialog.open()

        self._choose_layout(chosen)

    def import_result_file(self, layout: str, path: str) -> None:
        v = self.view
        bank = self.service.bank

        def work() -> dict[str, Any]:
            return bank.import_result(v["id"], self.user, layout, Path(path).read_bytes(), Path(path).name,
                                      expected_version=v["version"])

        ops.import_bank_result(self.shell, work).success(lambda s: self._done(
            v, f"已导入回盘：成功 {s['paid']} 笔 {s['paid_total']} 元，失败 {s['failed']} 笔 {s['failed_total']} 元")) \
            .failure(self._failed).run_in_background(initiator=self)

    def ask_export_lines(self) -> None:
        dialog = QFileDialog(self, "导出明细", str(Path(self.shell.print_desk.save_dir) / "发放明细.xlsx"),
                             "Excel 文件 (*.xlsx)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.fileSelected.connect(self.export_lines)
        self.dialog = dialog
        dialog.open()

    def export_lines(self, path: str) -> None:
        """The lines as filtered now (every page), as xlsx."""
        v, payments = self.view, self.service
        state, search = self.state_filter.currentData() or None, self.search.text().strip()
        village = self.village_filter.currentData() or None

        def work() -> int:
            rows, after = [], 0
            while True:
                page = payments.payrolls.lines(v["id"], self.user, state=state, village=village, search=search,
                                               after_seq=after, limit=5000)["rows"]
                rows += page
                if len(page) < 5000:
                    break
                after = page[-1]["seq"]
            Path(path).write_bytes(payments.lines_xlsx(v["id"], self.user, rows))
            return len(rows)

        def done(n: int) -> None:
            self.last_file = path
            self.message.setText(f"已导出 {n} 行到 {path}")
            set_role(self.message, "ok")

        self.shell.run(work, on_done=done, on_error=self._failed)

    def selected_line(self) -> dict[str, Any] | None:
        rows = self.lines_view.selectionModel().selectedRows()
        return self.lines.row(rows[0].row()) if rows else None

    def fix_account(self) -> None:
        line = self.selected_line()
        if line is None or line["state"] not in ("held", "failed"):
            self.message.setText("请先在明细中选中一行暂缓或发放失败的记录")
            set_role(self.message, "refusal")
            return
        dialog = AccountDialog(line["payee"], self)
        dialog.accepted.connect(lambda: self.save_account(line["case_id"], *dialog.values()))
        self.dialog = dialog
        dialog.open()

    def save_account(self, case_id: int, bank: str, account: str, reason: str) -> None:
        ops.set_account(self.shell, case_id, bank, account, reason).success(lambda out: (self.message.setText(
            f"已更正 {out['case']} 的发放账户：{out['bank_name']} {out['bank_account']}；下期发放名册将补发"),
            set_role(self.message, "ok"))).failure(self._failed).run_in_background(initiator=self)

    def print_document(self, kind: str) -> None:
        v = self.view
        backend = self.shell.backend
        title = f"{v['label']}{PRINTS[kind]}"
        self.result.working(title)
        self.shell.print_desk.generate(
            lambda _printing: backend.payroll_print.render(v["id"], kind, self.user), f"{kind}-{v['id']}", title,
            owner=self, on_done=self.result.done, on_error=lambda exc: self.result.failed(exc, title))
