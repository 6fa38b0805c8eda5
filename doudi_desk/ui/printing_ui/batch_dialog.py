"""打印名单: 初审公示名单 for several villages and a batch, 长期公布名单, 花名册 (internal)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.documents import title as document_title
from ...domain.programmes import PROGRAMMES, REGISTRY
from ...services.queries import CaseQuery
from ..style import set_role
from ..work_tabs import LIST_KINDS
from .files import PrintedFile
from .result_panel import ResultPanel

# Programmes paying every month have a 花名册; those posted (初审公示, 长期公布) the two lists too
# (domain/programmes.py: 临时救助 is paid once, 两项补贴 is not posted).
LIST_PROGRAMMES = tuple(code for code, p in REGISTRY.items() if p.monthly)
KIND_HINTS = {
    "posting_list": "张贴在村务公开栏：只有户主姓名、家庭人口、保障人口、拟保障金额和类别，公示期7天。"
                    "勾选要打印的村，每个村一份、页码各自从1起，合成一个 PDF。",
    "publication_list": "长期张贴的在保家庭名单：户主姓名、家庭人口、保障人口和月保障金额。",
    "roster": "内部资料：含身份证号码和电话，仅供存档和核对，严禁张贴或对外提供。",
}


def _batch_text(b: dict[str, Any]) -> str:
    tail = f"，{b['in_posting']}户公示中" if b["in_posting"] else ""
    return f"{b['start']} 至 {b['end'][5:]}（{b['households']}户{tail}{'，已结束' if b.get('ended') else ''}）"


class BatchPrintDialog(QDialog):
    """打印名单: 初审公示名单 for several villages and a batch, 长期公布名单, 花名册 (internal).

    Non-modal (``show()``); the PDF is generated on the worker and shown in the result panel.
    """

    def __init__(self, shell, kind: str = "posting_list", village: str | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.shell = shell
        self.preset_village = village
        self.data: dict[str, Any] | None = None
        self.combos: dict[str, QComboBox] = {}
        self._generation = 0
        self.setWindowTitle("打印名单")
        self.setObjectName("batch_print_dialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)

        top = QHBoxLayout()
        top.addWidget(QLabel("名单"))
        self.kind_group = QButtonGroup(self)
        self.kind_buttons: dict[str, QRadioButton] = {}
        for key, label in LIST_KINDS.items():
            radio = QRadioButton(label)
            radio.setObjectName(f"kind_{key}")
            self.kind_group.addButton(radio)
            self.kind_buttons[key] = radio
            top.addWidget(radio)
            radio.toggled.connect(lambda on, key=key: on and self._kind_changed())
        top.addStretch(1)
        top.addWidget(QLabel("救助项目"))
        self.programme = QComboBox()
        for key in LIST_PROGRAMMES:
            self.programme.addItem(PROGRAMMES[key], key)
        self.programme.currentIndexChanged.connect(lambda _i: self._programme_changed())
        top.addWidget(self.programme)
        layout.addLayout(top)
        self.hint = QLabel()
        self.hint.setObjectName("kind_hint")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)

        self.pages = QStackedWidget()
        villages = QWidget()
        v = QVBoxLayout(villages)
        v.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.batch_label = QLabel("公示批次（开始日期）")
        row.addWidget(self.batch_label)
        self.batch = QComboBox()
        self.batch.setObjectName("batch_date")
        self.batch.setMinimumWidth(220)
        self.batch.activated.connect(lambda _i: self._batch_chosen())
        row.addWidget(self.batch)
        row.addStretch(1)
        for text, on in (("全选", True), ("全不选", False)):
            b = QPushButton(text)
            b.clicked.connect(lambda _=False, on=on: self._check_all(on))
            row.addWidget(b)
        v.addLayout(row)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("village_table")
        self.table.setHorizontalHeaderLabels(["村（社区）", "公示批次", "在保家庭"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemChanged.connect(lambda _i: self._update_button())
        v.addWidget(self.table)
        self.pages.addWidget(villages)
        area_page = QWidget()
        form = QFormLayout(area_page)
        self.area = QComboBox()
        self.area.setObjectName("roster_area")
        self.area.setMinimumWidth(260)
        form.addRow("村（社区）或乡镇", self.area)
        self.pages.addWidget(area_page)
        layout.addWidget(self.pages, 1)

        bottom = QHBoxLayout()
        self.status = QLabel("正在读取各村的名单…")
        set_role(self.status, "hint")
        bottom.addWidget(self.status, 1)
        self.generate_button = QPushButton("生成 PDF")
        self.generate_button.setObjectName("generate")
        self.generate_button.setDefault(True)
        self.generate_button.clicked.connect(self.generate)
        bottom.addWidget(self.generate_button)
        close = QPushButton("关闭")
        close.clicked.connect(self.close)
        bottom.addWidget(close)
        layout.addLayout(bottom)
        self.result = ResultPanel(shell)
        layout.addWidget(self.result)
        self.resize(760, 560)

        self.kind_buttons.get(kind, self.kind_buttons["posting_list"]).setChecked(True)
        self.load()

    def _programme_changed(self) -> None:
        """A programme that is not posted has only its 花名册."""
        posted = REGISTRY[self.programme.currentData()].posted
        for key, button in self.kind_buttons.items():
            button.setEnabled(posted or key == "roster")
        if not posted and self.kind != "roster":
            self.kind_buttons["roster"].setChecked(True)
        self.load()

    @property
    def kind(self) -> str:
        return next(k for k, b in self.kind_buttons.items() if b.isChecked())

    def set_kind(self, kind: str) -> None:
        self.kind_buttons[kind].setChecked(True)

    # --- loading ---
    def load(self) -> None:
        """Read the user's villages, their 公示 batches and covered households (worker)."""
        backend = self.shell.backend
        username = self.shell.user["username"]
        programme = self.programme.currentData()
        self._generation += 1
        generation = self._generation
        self.generate_button.setEnabled(False)

        def work() -> dict[str, Any]:
            options = backend.queries.filter_options(username)
            areas = backend.queries.areas()
            villages = [{"code": c, "name": n} for c, n in options["villages"]]
            for v in villages:
                v["batches"] = backend.printing.posting_batches(v["code"], programme, actor=username)
                v["covered"] = len(backend.queries.case_ids(
                    username, CaseQuery(tab="all", outcome="approved", village=v["code"], programme=programme)))
            parents = {a["parent"] for a in areas if a["code"] in {v["code"] for v in villages}}
            townships = [a for a in areas if a["level"] == "township" and a["code"] in parents]
            return {"villages": villages, "townships": townships, "programme": programme}

        def failed(exc: BaseException) -> None:
            self.status.setText("")
            self.result.failed(exc)

        self.shell.executor.submit(work, owner=self, on_error=failed,
                                   on_done=lambda d: generation == self._generation and self._arrived(d))

    def _arrived(self, data: dict[str, Any]) -> None:
        self.data = data
        self.table.blockSignals(True)
        self.table.setRowCount(len(data["villages"]))
        self.combos = {}
        dates: dict[str, int] = {}
        for r, v in enumerate(data["villages"]):
            item = QTableWidgetItem(v["name"])
            item.setData(Qt.ItemDataRole.UserRole, v["code"])
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            self.table.setItem(r, 0, item)
            combo = QComboBox()
            if v["batches"]:
                for b in v["batches"]:
                    combo.addItem(_batch_text(b), b["batch"])
                    dates[b["batch"]] = dates.get(b["batch"], 0) + 1
                current = next((i for i, b in enumerate(v["batches"]) if b.get("current")), 0)
                combo.setCurrentIndex(current)
            else:
                combo.addItem("没有初审公示", None)
                combo.setEnabled(False)
            self.combos[v["code"]] = combo
            self.table.setCellWidget(r, 1, combo)
            covered = QTableWidgetItem(f"{v['covered']} 户")
            covered.setFlags(Qt.ItemFlag.ItemIsEnabled)
            covered.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.table.setItem(r, 2, covered)
        self.batch.clear()
        self.batch.addItem("各村正在公示的一批", None)
        for day in sorted(dates, reverse=True):
            self.batch.addItem(f"{day} 起（{dates[day]}个村）", day)
        self.table.blockSignals(False)
        self.area.clear()
        for t in data["townships"]:
            self.area.addItem(f"{t['name']}（全乡镇）", t["code"])
        for v in data["villages"]:
            self.area.addItem(v["name"], v["code"])
        user_area = self.shell.user.get("area")
        if self.preset_village and self.area.findData(self.preset_village) >= 0:
            self.area.setCurrentIndex(self.area.findData(self.preset_village))
        elif user_area and self.area.findData(user_area) >= 0:
            self.area.setCurrentIndex(self.area.findData(user_area))
        self._kind_changed(initial_checks=True)
        self.status.setText("")

    # --- choices ---
    def _row_usable(self, r: int) -> bool:
        v = self.data["villages"][r]
        return bool(v["batches"]) if self.kind == "posting_list" else v["covered"] > 0

    def _kind_changed(self, initial_checks: bool = False) -> None:
        kind = self.kind
        self.hint.setText(KIND_HINTS[kind])
        set_role(self.hint, "refusal" if kind == "roster" else "hint")
        self.pages.setCurrentIndex(1 if kind == "roster" else 0)
        posting = kind == "posting_list"
        self.table.setColumnHidden(1, not posting)
        self.table.setColumnHidden(2, posting)
        self.batch.setVisible(posting)
        self.batch_label.setVisible(posting)
        if self.data is None:
            return
        self.table.blockSignals(True)
        for r, v in enumerate(self.data["villages"]):
            item = self.table.item(r, 0)
            usable = self._row_usable(r)
            flags = Qt.ItemFlag.ItemIsUserCheckable | (Qt.ItemFlag.ItemIsEnabled if usable else Qt.ItemFlag.NoItemFlags)
            item.setFlags(flags)
            if self.preset_village:
                on = v["code"] == self.preset_village
            elif posting:
                on = any(b["in_posting"] for b in v["batches"])
            else:
                on = item.checkState() == Qt.CheckState.Checked if not initial_checks else False
            if not usable:
                on = False
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            item.setToolTip("" if usable else ("本村没有发布过初审公示" if posting else "本村没有在保家庭"))
        self.table.blockSignals(False)
        self._update_button()

    def _batch_chosen(self) -> None:
        day = self.batch.currentData()
        self.table.blockSignals(True)
        for r, v in enumerate(self.data["villages"] if self.data else []):
            combo = self.combos[v["code"]]
            item = self.table.item(r, 0)
            if day is None:
                current = next((i for i, b in enumerate(v["batches"]) if b["in_posting"]), None)
                if current is not None:
                    combo.setCurrentIndex(current)
                on = current is not None
            else:
                i = combo.findData(day)
                if i >= 0:
                    combo.setCurrentIndex(i)
                on = i >= 0
            item.setCheckState(Qt.CheckState.Checked if on and self._row_usable(r) else Qt.CheckState.Unchecked)
        self.table.blockSignals(False)
        self._update_button()

    def _check_all(self, on: bool) -> None:
        if self.data is None:
            return
        self.table.blockSignals(True)
        for r in range(self.table.rowCount()):
            checked = on and self._row_usable(r)
            self.table.item(r, 0).setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.table.blockSignals(False)
        self._update_button()

    def check_villages(self, codes: list[str]) -> None:
        """Tick exactly these villages (tests, and the case list's village filter)."""
        self.table.blockSignals(True)
        for r in range(self.table.rowCount()):
            item = self.table.item(r, 0)
            on = item.data(Qt.ItemDataRole.UserRole) in codes and self._row_usable(r)
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.table.blockSignals(False)
        self._update_button()

    def selected(self) -> list[tuple[str, str, str | None]]:
        """(code, name, batch) of the ticked villages, in the table's order."""
        out = []
        for r in range(self.table.rowCount()):
            item = self.table.item(r, 0)
            if item.checkState() == Qt.CheckState.Checked:
                code = item.data(Qt.ItemDataRole.UserRole)
                out.append((code, item.text(), self.combos[code].currentData()))
        return out

    def _update_button(self) -> None:
        if self.data is None:
            self.generate_button.setEnabled(False)
            return
        if self.kind == "roster":
            self.generate_button.setEnabled(self.area.count() > 0)
            self.status.setText("")
            return
        n = len(self.selected())
        self.generate_button.setEnabled(n > 0)
        self.status.setText(f"已选 {n} 个村" if n else "请勾选要打印的村（社区）")

    # --- generating ---
    def generate(self) -> None:
        if self.data is None:
            return
        kind, programme = self.kind, self.data["programme"]
        label = LIST_KINDS[kind]
        if kind == "roster":
            code, area_name = self.area.currentData(), self.area.currentText().split("（")[0]
            if not code:
                return
            actor = self.shell.user["username"]
            make = lambda p: p.roster(code, programme, actor=actor)  # noqa: E731
            name = f"{document_title(kind)}_{area_name}_{self.shell.backend.today():%Y%m%d}"
            title = f"{area_name}{PROGRAMMES[programme]}{document_title(kind)}"
        else:
            actor = self.shell.user["username"]
            chosen = self.selected()
            if not chosen:
                self.result.note("请至少勾选一个村（社区）。", ok=False)
                self.result.show()
                return
            names = chosen[0][1] + (f"等{len(chosen)}个村" if len(chosen) > 1 else "")
            if kind == "posting_list":
                pairs = [(code, batch) for code, _n, batch in chosen]
                make = lambda p: p.posting_lists(pairs, programme=programme, actor=actor)  # noqa: E731
                days = sorted({b for _c, _n, b in chosen if b})
                name = f"{document_title(kind)}_{names}_{days[-1] if days else ''}"
            else:
                codes = [code for code, _n, _b in chosen]
                make = lambda p: p.publication_lists(codes, programme=programme, actor=actor)  # noqa: E731
                name = f"{document_title(kind)}_{names}"
            title = f"{names}{label}"
        self.generate_button.setEnabled(False)
        self.result.working(title)

        def done(printed: PrintedFile) -> None:
            self._update_button()
            self.result.done(printed)

        def failed(exc: BaseException) -> None:
            self._update_button()
            self.result.failed(exc, title)

        self.shell.print_desk.generate(make, name, title, owner=self, on_done=done, on_error=failed)
