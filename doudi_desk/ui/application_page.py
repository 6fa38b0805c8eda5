"""New application (申请登记): the household head and members in an editable table (ID numbers
checked as typed, birth date and sex filled from them), income items, rigid expenses and assets,
with a duplicate check against people already in an open or covered case before saving."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..domain import ids
from ..domain.errors import InputError
from ..domain.household import parse_household
from ..domain.model import (
    DISABILITY_TYPES,
    EXCLUSIONS,
    EXPENSE_KINDS,
    INCOME_TYPES,
    PROGRAMMES,
    RELATIONS,
)
from .errors import friendly, show_error
from .forms import DateField
from .style import set_role

log = logging.getLogger(__name__)

DRAFT_KEY = "application/new"
WORK_CAPACITY = [("", "—"), ("有", "有"), ("部分", "部分"), ("无", "无")]
M_NAME, M_ID, M_BIRTH, M_SEX, M_REL, M_DTYPE, M_DGRADE, M_ILL, M_WORK, M_EXCL = range(10)
MEMBER_COLUMNS = ["姓名", "身份证号码", "出生日期", "性别", "与户主关系", "残疾类别", "残疾等级", "重病", "劳动能力",
                  "不计入原因"]
BAD = QBrush(QColor("#ffcdd2"))


class ComboDelegate(QStyledItemDelegate):
    """A cell edited with a combo box; the value goes in UserRole, the label is displayed."""

    def __init__(self, options, parent=None):
        super().__init__(parent)
        self._options = options  # list of (value, label) or a callable returning one

    def options(self) -> list[tuple[Any, str]]:
        return self._options() if callable(self._options) else self._options

    def createEditor(self, parent, option, index):
        combo = QComboBox(parent)
        for value, label in self.options():
            combo.addItem(label, value)
        return combo

    def setEditorData(self, editor, index):
        i = editor.findData(index.data(Qt.ItemDataRole.UserRole))
        editor.setCurrentIndex(max(i, 0))

    def setModelData(self, editor, model, index):
        model.setData(index, editor.currentData(), Qt.ItemDataRole.UserRole)
        model.setData(index, editor.currentText(), Qt.ItemDataRole.DisplayRole)


class IdDelegate(QStyledItemDelegate):
    """ID number cells: the editor says what is wrong while the clerk types."""

    def __init__(self, page: ApplicationPage):
        super().__init__(page)
        self.page = page

    def createEditor(self, parent, option, index):
        editor = QLineEdit(parent)
        editor.setMaxLength(18)
        editor.textEdited.connect(lambda text: self.page.id_typed(index.row(), text, editor))
        return editor


def _item(text: str = "", value: Any = None, editable: bool = True) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if value is not None or not editable:
        item.setData(Qt.ItemDataRole.UserRole, value)
    if not editable:
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return item


def _options(mapping: dict[str, str], empty: str | None = "无") -> list[tuple[Any, str]]:
    head = [(None, empty)] if empty is not None else []
    return head + list(mapping.items())


class ApplicationPage(QWidget):
    """Signals: created(int) with the new case id."""

    created = Signal(int)

    def __init__(self, shell, parent: QWidget | None = None):
        super().__init__(parent)
        self.shell = shell
        self.setObjectName("application_page")
        self.dialog: QDialog | None = None
        self.duplicates: list[dict[str, Any]] = []
        self._loading = False
        outer = QVBoxLayout(self)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        layout = QVBoxLayout(body)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        head = QGroupBox("申请")
        form = QFormLayout(head)
        row = QHBoxLayout()
        self.programme = QComboBox()
        for value, label in PROGRAMMES.items():
            if any(e.spec.programme == value for e in shell.backend.ctx.engines.values()):
                self.programme.addItem(label, value)
        self.village = QComboBox()
        self.village.setObjectName("village")
        self.village.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.village.setMinimumContentsLength(9)
        self.applied_on = DateField(shell.backend.today())
        self.applied_on.setText(shell.backend.today().isoformat())
        row.addWidget(QLabel("救助项目"))
        row.addWidget(self.programme)
        row.addWidget(QLabel("户籍所在村（社区）＊"))
        row.addWidget(self.village)
        row.addWidget(QLabel("申请日期"))
        row.addWidget(self.applied_on)
        row.addStretch(1)
        form.addRow(row)
        row2 = QHBoxLayout()
        self.address = QLineEdit()
        self.address.setObjectName("address")
        self.phone = QLineEdit()
        self.phone.setObjectName("phone")
        self.phone.setMaximumWidth(160)
        row2.addWidget(QLabel("住址"))
        row2.addWidget(self.address, 1)
        row2.addWidget(QLabel("联系电话"))
        row2.addWidget(self.phone)
        form.addRow(row2)
        layout.addWidget(head)

        members = QGroupBox("家庭成员（第一行为户主；身份证号码输入时即校验，出生日期和性别自动填写）")
        m_layout = QVBoxLayout(members)
        self.members = QTableWidget(0, len(MEMBER_COLUMNS))
        self.members.setObjectName("members")
        self.members.setHorizontalHeaderLabels(MEMBER_COLUMNS)
        self.members.verticalHeader().setDefaultSectionSize(26)
        self.members.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.members.setItemDelegateForColumn(M_ID, IdDelegate(self))
        self.members.setItemDelegateForColumn(M_REL, ComboDelegate(_options(RELATIONS, None), self))
        self.members.setItemDelegateForColumn(M_DTYPE, ComboDelegate(_options(DISABILITY_TYPES), self))
        self.members.setItemDelegateForColumn(M_DGRADE, ComboDelegate([(None, "无")] + [(g, f"{g}级") for g in range(1, 5)], self))
        self.members.setItemDelegateForColumn(M_WORK, ComboDelegate(WORK_CAPACITY, self))
        self.members.setItemDelegateForColumn(M_EXCL, ComboDelegate(_options(EXCLUSIONS), self))
        for i, w in enumerate((80, 170, 90, 44, 80, 70, 70, 44, 70)):
            self.members.setColumnWidth(i, w)
        self.members.horizontalHeader().setStretchLastSection(True)
        self.members.setMinimumHeight(150)
        self.members.itemChanged.connect(self._member_changed)
        m_layout.addWidget(self.members)
        self.id_hint = QLabel()
        self.id_hint.setObjectName("id_hint")
        self.id_hint.setWordWrap(True)
        set_role(self.id_hint, "error")
        m_layout.addWidget(self.id_hint)
        self.duplicate_label = QLabel()
        self.duplicate_label.setObjectName("duplicate_label")
        self.duplicate_label.setWordWrap(True)
        set_role(self.duplicate_label, "banner")
        self.duplicate_label.hide()
        m_layout.addWidget(self.duplicate_label)
        mb = QHBoxLayout()
        self.add_member_button = QPushButton("添加成员")
        self.add_member_button.clicked.connect(lambda: self.add_member())
        remove = QPushButton("删除所选成员")
        remove.clicked.connect(lambda: self._remove_selected(self.members))
        mb.addWidget(self.add_member_button)
        mb.addWidget(remove)
        mb.addStretch(1)
        m_layout.addLayout(mb)
        layout.addWidget(members)

        money_row = QHBoxLayout()
        self.income = self._money_table("收入（元/年）", ["类型", "金额（元/年）", "成员"], INCOME_TYPES, money_row)
        self.rigid = self._money_table("刚性支出（元/年）", ["类别", "金额（元/年）", "成员"], EXPENSE_KINDS, money_row)
        layout.addLayout(money_row)

        assets = QGroupBox("财产")
        a_layout = QHBoxLayout(assets)
        self.financial = QLineEdit("0")
        self.financial.setObjectName("financial")
        self.financial.setMaximumWidth(120)
        self.vehicles = QSpinBox()
        self.vehicles.setRange(0, 20)
        self.homes = QSpinBox()
        self.homes.setRange(0, 20)
        self.homes.setValue(1)
        self.commercial = QCheckBox("有商业用房")
        for label, w in (("金融资产（元）", self.financial), ("机动车（辆）", self.vehicles), ("住房（套）", self.homes)):
            a_layout.addWidget(QLabel(label))
            a_layout.addWidget(w)
        a_layout.addWidget(self.commercial)
        a_layout.addStretch(1)
        layout.addWidget(assets)
        layout.addStretch(1)

        bottom = QHBoxLayout()
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        bottom.addWidget(self.message, 1)
        self.check_button = QPushButton("查重")
        self.check_button.setToolTip("检查家庭成员是否已在其他在办或在保案件中")
        self.check_button.clicked.connect(self.check_duplicates)
        self.save_button = QPushButton("登记申请")
        self.save_button.setObjectName("save_application")
        self.save_button.clicked.connect(self.save)
        self.discard_button = QPushButton("清空")
        self.discard_button.clicked.connect(self.clear)
        bottom.addWidget(self.discard_button)
        bottom.addWidget(self.check_button)
        bottom.addWidget(self.save_button)
        outer.addLayout(bottom)

        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(1000)
        self._draft_timer.timeout.connect(self.save_draft)
        self._dup_timer = QTimer(self)
        self._dup_timer.setSingleShot(True)
        self._dup_timer.setInterval(300)
        self._dup_timer.timeout.connect(lambda: self.check_duplicates(quiet=True))
        self._dirty = False
        for w in (self.address, self.phone, self.financial):
            w.textChanged.connect(self._edited)
        self.applied_on.changed.connect(self._edited)
        self.village.currentIndexChanged.connect(self._edited)
        self.vehicles.valueChanged.connect(self._edited)
        self.homes.valueChanged.connect(self._edited)
        self.commercial.toggled.connect(self._edited)

    # --- tables ---
    def _money_table(self, title: str, headers: list[str], kinds: dict[str, str], row: QHBoxLayout) -> QTableWidget:
        box = QGroupBox(title)
        v = QVBoxLayout(box)
        table = QTableWidget(0, 3)
        table.setHorizontalHeaderLabels(headers)
        table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        table.setItemDelegateForColumn(0, ComboDelegate(list(kinds.items()), self))
        table.setItemDelegateForColumn(2, ComboDelegate(self._member_options, self))
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.setMinimumHeight(110)
        table.itemChanged.connect(self._edited)
        v.addWidget(table)
        buttons = QHBoxLayout()
        add = QPushButton("添加")
        add.clicked.connect(lambda: self._add_money_row(table, kinds))
        remove = QPushButton("删除所选")
        remove.clicked.connect(lambda: self._remove_selected(table))
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        v.addLayout(buttons)
        row.addWidget(box)
        return table

    def _member_options(self) -> list[tuple[Any, str]]:
        out: list[tuple[Any, str]] = [(None, "家庭")]
        for r in range(self.members.rowCount()):
            name = self.members.item(r, M_NAME).text() if self.members.item(r, M_NAME) else ""
            out.append((r, name or f"第{r + 1}人"))
        return out

    def _add_money_row(self, table: QTableWidget, kinds: dict[str, str], kind: str | None = None,
                       amount: str = "", member: int | None = None) -> None:
        kind = kind or next(iter(kinds))
        r = table.rowCount()
        table.insertRow(r)
        table.setItem(r, 0, _item(kinds.get(kind, kind), kind))
        table.setItem(r, 1, _item(amount))
        options = dict(self._member_options())
        table.setItem(r, 2, _item(options.get(member, "家庭"), member))
        self._edited()

    def _remove_selected(self, table: QTableWidget) -> None:
        rows = sorted({i.row() for i in table.selectedIndexes()}, reverse=True)
        for r in rows:
            table.removeRow(r)
        self._edited()

    def add_member(self, data: dict[str, Any] | None = None) -> int:
        data = data or {}
        self._loading = True
        r = self.members.rowCount()
        self.members.insertRow(r)
        relation = data.get("relation") or ("head" if r == 0 else "child")
        disability = data.get("disability") or {}
        cells = {
            M_NAME: _item(data.get("name", "")),
            M_ID: _item(data.get("id_number", "")),
            M_BIRTH: _item("", editable=False),
            M_SEX: _item("", editable=False),
            M_REL: _item(RELATIONS[relation], relation),
            M_DTYPE: _item(DISABILITY_TYPES.get(disability.get("type"), "无"), disability.get("type")),
            M_DGRADE: _item(f"{disability['grade']}级" if disability.get("grade") else "无", disability.get("grade")),
            M_ILL: _item(""),
            M_WORK: _item(data.get("work_capacity") or "—", data.get("work_capacity") or ""),
            M_EXCL: _item(EXCLUSIONS.get(data.get("excluded"), "无"), data.get("excluded")),
        }
        cells[M_ILL].setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        cells[M_ILL].setCheckState(Qt.CheckState.Checked if data.get("serious_illness") else Qt.CheckState.Unchecked)
        for c, item in cells.items():
            self.members.setItem(r, c, item)
        self._loading = False
        self._check_id(r)
        self._edited()
        return r

    # --- ID numbers ---
    def id_typed(self, row: int, text: str, editor: QLineEdit | None = None) -> None:
        """While typing: say what is wrong as soon as there are 18 characters (or too many)."""
        text = text.strip()
        problem = ids.id_problem(text) if len(text) >= 18 else None
        if problem:
            self.id_hint.setText(f"第{row + 1}行身份证号码：{problem}")
        elif len(text) < 18:
            self.id_hint.setText(f"第{row + 1}行身份证号码：已输入 {len(text)} 位，应为18位" if text else "")
        else:
            self.id_hint.setText("")
        if editor is not None:
            editor.setStyleSheet("background: #ffcdd2;" if problem else "")

    def _check_id(self, row: int) -> str | None:
        item = self.members.item(row, M_ID)
        if item is None:
            return None
        text = item.text().strip().upper()
        problem = ids.id_problem(text) if text else None
        self._loading = True
        try:
            item.setBackground(BAD if problem else QBrush())
            item.setToolTip(problem or "")
            birth = sex = ""
            if text and not problem:
                birth = ids.birth_date(text).isoformat()
                sex = "男" if ids.sex(text) == "M" else "女"
            self.members.item(row, M_BIRTH).setText(birth)
            self.members.item(row, M_SEX).setText(sex)
        finally:
            self._loading = False
        return problem

    def _member_changed(self, item: QTableWidgetItem) -> None:
        if self._loading:
            return
        if item.column() == M_ID:
            problem = self._check_id(item.row())
            self.id_hint.setText(f"第{item.row() + 1}行身份证号码：{problem}" if problem else "")
            if not problem:
                self._dup_timer.start()
        self._edited()

    # --- the household as the services take it ---
    def household_data(self) -> dict[str, Any]:
        members = []
        for r in range(self.members.rowCount()):
            def cell(c, role=Qt.ItemDataRole.DisplayRole, r=r):
                item = self.members.item(r, c)
                return item.data(role) if item else None
            m: dict[str, Any] = {"name": (cell(M_NAME) or "").strip(),
                                 "id_number": (cell(M_ID) or "").strip().upper(),
                                 "relation": cell(M_REL, Qt.ItemDataRole.UserRole) or "other"}
            dtype, grade = cell(M_DTYPE, Qt.ItemDataRole.UserRole), cell(M_DGRADE, Qt.ItemDataRole.UserRole)
            if dtype or grade:
                m["disability"] = {"type": dtype, "grade": grade}
            if self.members.item(r, M_ILL).checkState() == Qt.CheckState.Checked:
                m["serious_illness"] = True
            if cell(M_WORK, Qt.ItemDataRole.UserRole):
                m["work_capacity"] = cell(M_WORK, Qt.ItemDataRole.UserRole)
            if cell(M_EXCL, Qt.ItemDataRole.UserRole):
                m["excluded"] = cell(M_EXCL, Qt.ItemDataRole.UserRole)
            members.append(m)

        def money_rows(table: QTableWidget, key: str) -> list[dict[str, Any]]:
            out = []
            for r in range(table.rowCount()):
                amount = (table.item(r, 1).text() if table.item(r, 1) else "").strip()
                out.append({key: table.item(r, 0).data(Qt.ItemDataRole.UserRole), "amount": amount or "0",
                            "member": table.item(r, 2).data(Qt.ItemDataRole.UserRole)})
            return out

        return {
            "village": self.village.currentData(),
            "address": self.address.text().strip(),
            "phone": self.phone.text().strip(),
            "members": members,
            "income": money_rows(self.income, "type"),
            "rigid_expenses": money_rows(self.rigid, "kind"),
            "assets": {"financial": self.financial.text().strip() or "0",
                       "vehicles": [{} for _ in range(self.vehicles.value())],
                       "homes": self.homes.value(), "commercial_property": self.commercial.isChecked()},
        }

    def set_household(self, h: dict[str, Any]) -> None:
        self._loading = True
        self.members.setRowCount(0)
        self.income.setRowCount(0)
        self.rigid.setRowCount(0)
        self._loading = False
        i = self.village.findData(h.get("village"))
        self.village.setCurrentIndex(max(i, 0))
        self.address.setText(h.get("address", ""))
        self.phone.setText(h.get("phone", ""))
        for m in h.get("members", []):
            self.add_member(m)
        for item in h.get("income", []):
            self._add_money_row(self.income, INCOME_TYPES, item.get("type"), item.get("amount", ""), item.get("member"))
        for item in h.get("rigid_expenses", []):
            self._add_money_row(self.rigid, EXPENSE_KINDS, item.get("kind"), item.get("amount", ""), item.get("member"))
        a = h.get("assets", {})
        self.financial.setText(str(a.get("financial", "0")))
        self.vehicles.setValue(len(a.get("vehicles", [])))
        self.homes.setValue(int(a.get("homes", 1)))
        self.commercial.setChecked(bool(a.get("commercial_property")))

    # --- start, drafts ---
    def start(self) -> None:
        def arrived(result: tuple[list[dict[str, Any]], dict[str, Any] | None]) -> None:
            areas, draft = result
            self.village.blockSignals(True)
            self.village.addItem("（请选择）", None)
            for a in areas:
                if a["level"] == "village":
                    self.village.addItem(a["name"], a["code"])
            self.village.blockSignals(False)
            if draft:
                self.set_household(draft["data"].get("household", {}))
                self.applied_on.setText(draft["data"].get("applied_on") or self.applied_on.text())
                self.message.setText(f"已恢复 {draft['saved_at']} 自动保存的草稿。")
                self._dirty = False
            else:
                self.add_member()
                self._dirty = False

        backend = self.shell.backend
        user = self.shell.user["username"]
        scope = self.shell.user.get("area")

        def load():
            areas = backend.queries.areas()
            if scope:
                under = {scope}
                changed = True
                while changed:
                    before = len(under)
                    under |= {a["code"] for a in areas if a["parent"] in under}
                    changed = len(under) != before
                areas = [a for a in areas if a["code"] in under]
            return areas, backend.drafts.load(user, DRAFT_KEY)

        self.shell.executor.submit(load, owner=self, on_done=arrived)

    def _edited(self, *_args: Any) -> None:
        if self._loading:
            return
        self._dirty = True
        self._draft_timer.start()

    def save_draft(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        data = {"household": self.household_data(), "applied_on": self.applied_on.text()}
        self.shell.executor.submit(self.shell.backend.drafts.save, self.shell.user["username"], DRAFT_KEY, data,
                                   owner=self)

    def closing(self) -> None:
        if self._dirty:
            self._draft_timer.stop()
            self.save_draft()

    def clear(self) -> None:
        self.set_household({"members": []})
        self.add_member()
        self.message.setText("")
        self.shell.executor.submit(self.shell.backend.drafts.discard, self.shell.user["username"], DRAFT_KEY,
                                   owner=self)

    # --- duplicate check and saving ---
    def _valid_ids(self) -> list[str]:
        out = []
        for r in range(self.members.rowCount()):
            text = (self.members.item(r, M_ID).text() if self.members.item(r, M_ID) else "").strip().upper()
            if text and not ids.id_problem(text):
                out.append(text)
        return out

    def check_duplicates(self, quiet: bool = False, then=None) -> None:
        numbers = self._valid_ids()

        def arrived(found: list[dict[str, Any]]) -> None:
            self.duplicates = found
            if found:
                self.duplicate_label.setText("查重发现：" + "；".join(f["message"] for f in found))
                self.duplicate_label.show()
            else:
                self.duplicate_label.hide()
                if not quiet:
                    self.message.setText("查重完成：没有发现重复申请。")
            if then:
                then(found)

        self.shell.executor.submit(self.shell.backend.queries.duplicates, numbers, owner=self, on_done=arrived)

    def _mark(self, exc: InputError) -> None:
        field = exc.field or ""
        if field.startswith("household.members["):
            r = int(field.split("[")[1].split("]")[0])
            sub = field.split("].")[-1] if "]." in field else ""
            col = {"name": M_NAME, "id_number": M_ID}.get(sub.split(".")[0], M_NAME)
            item = self.members.item(r, col)
            if item:
                self._loading = True
                item.setBackground(BAD)
                self._loading = False
                self.members.setCurrentCell(r, col)

    def _describe(self, exc: InputError) -> str:
        text = str(exc)
        field = exc.field or ""
        if field.startswith("household.members["):
            r = int(field.split("[")[1].split("]")[0])
            text = f"家庭成员第{r + 1}行：" + text.split(": ", 1)[-1]
        elif field == "household.village":
            text = "请选择户籍所在村（社区）"
        return friendly(text)

    def save(self) -> None:
        data = self.household_data()
        programme = self.programme.currentData()
        try:
            if not data["village"]:
                raise InputError("household.village: 请选择户籍所在村（社区）", "household.village")
            parse_household(data, need_temporary=programme == "temporary")
        except InputError as exc:
            self._mark(exc)
            self.message.setText(self._describe(exc))
            set_role(self.message, "error")
            return
        set_role(self.message, "")
        self.check_duplicates(quiet=True, then=lambda found: self._after_check(data, programme, found))

    def _after_check(self, data: dict[str, Any], programme: str, found: list[dict[str, Any]]) -> None:
        if not found:
            self._create(data, programme, allow_duplicate=False, comment="")
            return
        dialog = DuplicateDialog(found, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda result: self._duplicate_done(dialog, result, data, programme))
        self.dialog = dialog
        dialog.show()

    def _duplicate_done(self, dialog: DuplicateDialog, result: int, data, programme) -> None:
        self.dialog = None
        if result == QDialog.DialogCode.Accepted:
            self._create(data, programme, allow_duplicate=True, comment=f"查重后仍登记：{dialog.reason()}")
        else:
            self.message.setText("未登记：请核实重复的人员。")

    def _create(self, data: dict[str, Any], programme: str, *, allow_duplicate: bool, comment: str) -> None:
        self.save_button.setEnabled(False)

        def done(view: dict[str, Any]) -> None:
            self.save_button.setEnabled(True)
            self._dirty = False
            self._draft_timer.stop()
            self.shell.executor.submit(self.shell.backend.drafts.discard, self.shell.user["username"], DRAFT_KEY,
                                       owner=self)
            self.message.setText(f"已登记申请，案件编号 {view['number']}。")
            self.created.emit(view["id"])

        def failed(exc: BaseException) -> None:
            self.save_button.setEnabled(True)
            if isinstance(exc, InputError):
                self._mark(exc)
                self.message.setText(self._describe(exc))
            elif hasattr(exc, "message") and not hasattr(exc, "kind"):
                self.message.setText(friendly(exc))
            else:
                show_error(exc, self)

        self.shell.executor.submit(self.shell.backend.cases.create_case, data, programme, self.shell.user["username"],
                                   applied_on=self.applied_on.text() or None, allow_duplicate=allow_duplicate,
                                   comment=comment, owner=self, on_done=done, on_error=failed)


class DuplicateDialog(QDialog):
    """People of this household already in other cases: go on only with a written reason."""

    def __init__(self, found: list[dict[str, Any]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("查重：发现重复申请")
        self.setObjectName("duplicate_dialog")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("以下人员已在其他在办或在保案件中："))
        items = QListWidget()
        for f in found:
            items.addItem(f["message"] + ("（在保）" if f["covered"] else ""))
        layout.addWidget(items)
        layout.addWidget(QLabel("如确需另行登记，请写明理由＊"))
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setFixedHeight(60)
        layout.addWidget(self.reason_edit)
        self.error = QLabel()
        set_role(self.error, "error")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.go_on = buttons.addButton("仍然登记", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel = buttons.addButton("不登记", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 320)

    def reason(self) -> str:
        return self.reason_edit.toPlainText().strip()

    def _ok(self) -> None:
        if not self.reason():
            self.error.setText("须写明理由")
            return
        self.accept()
