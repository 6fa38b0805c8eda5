"""The household as the clerk edits it: members in an editable table (ID numbers checked as typed,
birth date and sex filled from them), income items, rigid expenses and assets.

Used by the new application (申请登记) and by 修改家庭情况 on a case page. What the tables do not
show (a member's 在校生 or 自理 flags, notes on income items, which vehicle is a 残疾人代步车) is
kept from the household that was loaded, so editing never loses it. A member's 残疾人证 (held, its
number), long-term care need, 孤儿基本生活保障 and 工伤保险生活护理费 (两项补贴, policy.md §10) are
columns of the members table.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..domain import ids
from ..domain.errors import InputError
from ..domain.model import (
    DISABILITY_TYPES,
    EXCLUSIONS,
    EXPENSE_KINDS,
    INCOME_TYPES,
    RELATIONS,
)
from .style import set_role

WORK_CAPACITY = [("", "—"), ("有", "有"), ("部分", "部分"), ("无", "无")]
(M_NAME, M_ID, M_BIRTH, M_SEX, M_REL, M_DTYPE, M_DGRADE, M_ILL, M_WORK, M_EXCL, M_APPLICANT,
 M_CERT, M_CERT_NO, M_LTC, M_ORPHAN, M_INJURY) = range(16)
MEMBER_COLUMNS = ["姓名", "身份证号码", "出生日期", "性别", "与户主关系", "残疾类别", "残疾等级", "重病", "劳动能力",
                  "不计入原因", "申请人", "持残疾人证", "残疾人证号", "需长期照护", "孤儿基本生活保障", "工伤保险生活护理费"]
# Yes/no facts of a member shown as tick boxes: 重病, the applicant mark, and those of 两项补贴 (policy.md §10).
CHECK_COLUMNS = {M_ILL: "serious_illness", M_APPLICANT: "applicant", M_CERT: "disability_certificate",
                 M_LTC: "long_term_care", M_ORPHAN: "orphan_support", M_INJURY: "work_injury_care"}
BAD = QBrush(QColor("#ffcdd2"))
EXTRA_ROLE = Qt.ItemDataRole.UserRole + 1  # the member's fields the table does not show
SHOWN_MEMBER_KEYS = {"name", "id_number", "relation", "disability", "serious_illness", "work_capacity", "excluded",
                     "applicant", "disability_certificate", "certificate_number", "long_term_care", "orphan_support",
                     "work_injury_care"}


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

    def __init__(self, editor: HouseholdEditor):
        super().__init__(editor)
        self.household_editor = editor

    def createEditor(self, parent, option, index):
        line = QLineEdit(parent)
        line.setMaxLength(18)
        line.textEdited.connect(lambda text: self.household_editor.id_typed(index.row(), text, line))
        return line


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


class HouseholdEditor(QWidget):
    """Members, income, rigid expenses and assets.

    Signals:
        edited(): anything was changed by the clerk.
        id_valid(int): a member's ID number became valid (the row), e.g. to run the duplicate check.
    """

    edited = Signal()
    id_valid = Signal(int)

    def __init__(self, parent: QWidget | None = None, *, compact: bool = False):
        super().__init__(parent)
        self._loading = False
        self._vehicles: list[dict[str, Any]] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        box = QGroupBox("家庭成员（第一行为户主；身份证号码输入时即校验，出生日期和性别自动填写）")
        m_layout = QVBoxLayout(box)
        self.members = QTableWidget(0, len(MEMBER_COLUMNS))
        self.members.setObjectName("members")
        self.members.setHorizontalHeaderLabels(MEMBER_COLUMNS)
        self.members.verticalHeader().setDefaultSectionSize(26)
        self.members.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.members.setItemDelegateForColumn(M_ID, IdDelegate(self))
        self.members.setItemDelegateForColumn(M_REL, ComboDelegate(_options(RELATIONS, None), self))
        self.members.setItemDelegateForColumn(M_DTYPE, ComboDelegate(_options(DISABILITY_TYPES), self))
        self.members.setItemDelegateForColumn(M_DGRADE, ComboDelegate([(None, "无")] + [(g, f"{g}级") for g in range(1, 5)],
                                                                      self))
        self.members.setItemDelegateForColumn(M_WORK, ComboDelegate(WORK_CAPACITY, self))
        self.members.setItemDelegateForColumn(M_EXCL, ComboDelegate(_options(EXCLUSIONS), self))
        for i, w in enumerate((124, 170, 90, 44, 80, 70, 70, 44, 70, 130, 50, 76, 190, 76, 110, 120)):  # 姓名: 阿依古丽·买买提 whole
            self.members.setColumnWidth(i, w)
        self.members.horizontalHeader().setStretchLastSection(True)
        self.members.setMinimumHeight(120 if compact else 150)
        self.members.setColumnHidden(M_APPLICANT, True)
        self.members.itemChanged.connect(self._member_changed)
        m_layout.addWidget(self.members)
        self.applicant_hint = QLabel("在「申请人」一栏勾选申请人（只能一人；不勾选时户主为申请人）。")
        self.applicant_hint.setObjectName("applicant_hint")
        self.applicant_hint.setWordWrap(True)
        set_role(self.applicant_hint, "hint")
        self.applicant_hint.hide()
        m_layout.addWidget(self.applicant_hint)
        self.id_hint = QLabel()
        self.id_hint.setObjectName("id_hint")
        self.id_hint.setWordWrap(True)
        set_role(self.id_hint, "error")
        m_layout.addWidget(self.id_hint)
        self.notice = QLabel()  # e.g. the duplicate check's findings
        self.notice.setWordWrap(True)
        set_role(self.notice, "banner")
        self.notice.hide()
        m_layout.addWidget(self.notice)
        mb = QHBoxLayout()
        self.add_member_button = QPushButton("添加成员")
        self.add_member_button.clicked.connect(lambda: self.add_member())
        self.remove_member_button = QPushButton("删除所选成员")
        self.remove_member_button.clicked.connect(lambda: self._remove_selected(self.members))
        mb.addWidget(self.add_member_button)
        mb.addWidget(self.remove_member_button)
        mb.addStretch(1)
        m_layout.addLayout(mb)
        layout.addWidget(box)

        money_row = QHBoxLayout()
        self.income = self._money_table("收入（元/年）", ["类型", "金额（元/年）", "成员"], INCOME_TYPES, money_row, compact)
        self.rigid = self._money_table("刚性支出（元/年）", ["类别", "金额（元/年）", "成员"], EXPENSE_KINDS, money_row,
                                       compact)
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

        self.financial.textChanged.connect(self._edited)
        self.vehicles.valueChanged.connect(self._edited)
        self.homes.valueChanged.connect(self._edited)
        self.commercial.toggled.connect(self._edited)

    # --- the applicant column (a person's benefit: 特困, 两项补贴) ---
    def set_applicant_column(self, shown: bool, hint: str = "") -> None:
        self.members.setColumnHidden(M_APPLICANT, not shown)
        if hint:
            self.applicant_hint.setText(hint)
        self.applicant_hint.setVisible(shown)

    def applicant_row(self) -> int | None:
        for r in range(self.members.rowCount()):
            item = self.members.item(r, M_APPLICANT)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                return r
        return None

    def set_applicant(self, row: int | None) -> None:
        """Mark one member as the applicant (the others are unmarked)."""
        self._loading = True
        try:
            for r in range(self.members.rowCount()):
                item = self.members.item(r, M_APPLICANT)
                if item is not None:
                    item.setCheckState(Qt.CheckState.Checked if r == row else Qt.CheckState.Unchecked)
        finally:
            self._loading = False
        self._edited()

    # --- tables ---
    def _money_table(self, title: str, headers: list[str], kinds: dict[str, str], row: QHBoxLayout,
                     compact: bool) -> QTableWidget:
        box = QGroupBox(title)
        v = QVBoxLayout(box)
        table = QTableWidget(0, 3)
        table.setHorizontalHeaderLabels(headers)
        table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        table.setItemDelegateForColumn(0, ComboDelegate(list(kinds.items()), self))
        table.setItemDelegateForColumn(2, ComboDelegate(self._member_options, self))
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().setDefaultSectionSize(26)
        table.setMinimumHeight(90 if compact else 110)
        table.itemChanged.connect(self._edited)
        v.addWidget(table)
        buttons = QHBoxLayout()
        add = QPushButton("添加")
        add.clicked.connect(lambda: self.add_money_row(table, kinds))
        remove = QPushButton("删除所选")
        remove.clicked.connect(lambda: self._remove_selected(table))
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        v.addLayout(buttons)
        row.addWidget(box)
        table.add_button = add  # type: ignore[attr-defined]  # for tests and keyboard users
        return table

    def _member_options(self) -> list[tuple[Any, str]]:
        out: list[tuple[Any, str]] = [(None, "家庭")]
        for r in range(self.members.rowCount()):
            name = self.members.item(r, M_NAME).text() if self.members.item(r, M_NAME) else ""
            out.append((r, name or f"第{r + 1}人"))
        return out

    def add_money_row(self, table: QTableWidget, kinds: dict[str, str] | None = None, kind: str | None = None,
                      amount: str = "", member: int | None = None, note: str = "") -> int:
        kinds = kinds or (INCOME_TYPES if table is self.income else EXPENSE_KINDS)
        kind = kind or next(iter(kinds))
        r = table.rowCount()
        table.insertRow(r)
        table.setItem(r, 0, _item(kinds.get(kind, kind), kind))
        table.setItem(r, 1, _item(amount, note or None))
        options = dict(self._member_options())
        table.setItem(r, 2, _item(options.get(member, "家庭"), member))
        self._edited()
        return r

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
            M_REL: _item(RELATIONS.get(relation, relation), relation),
            M_DTYPE: _item(DISABILITY_TYPES.get(disability.get("type"), "无"), disability.get("type")),
            M_DGRADE: _item(f"{disability['grade']}级" if disability.get("grade") else "无", disability.get("grade")),
            M_ILL: _item(""),
            M_WORK: _item(data.get("work_capacity") or "—", data.get("work_capacity") or ""),
            M_EXCL: _item(EXCLUSIONS.get(data.get("excluded"), "无"), data.get("excluded")),
            M_APPLICANT: _item(""),
            M_CERT_NO: _item(data.get("certificate_number") or ""),
            **{c: _item("") for c in (M_CERT, M_LTC, M_ORPHAN, M_INJURY)},
        }
        cells[M_NAME].setData(EXTRA_ROLE, {k: copy.deepcopy(v) for k, v in data.items() if k not in SHOWN_MEMBER_KEYS})
        for c, key in CHECK_COLUMNS.items():
            cells[c].setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            checked = data.get(key) or (key == "disability_certificate" and bool(data.get("certificate_number")))
            cells[c].setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
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
                self.id_valid.emit(item.row())
        elif item.column() == M_APPLICANT and item.checkState() == Qt.CheckState.Checked:
            self.set_applicant(item.row())  # only one applicant
            return
        elif item.column() == M_CERT_NO and item.text().strip():
            held = self.members.item(item.row(), M_CERT)
            if held is not None and held.checkState() != Qt.CheckState.Checked:
                self._loading = True
                held.setCheckState(Qt.CheckState.Checked)  # a certificate number: the certificate is held
                self._loading = False
        self._edited()

    def valid_ids(self) -> list[str]:
        out = []
        for r in range(self.members.rowCount()):
            text = (self.members.item(r, M_ID).text() if self.members.item(r, M_ID) else "").strip().upper()
            if text and not ids.id_problem(text):
                out.append(text)
        return out

    # --- the household as the services take it ---
    def household_data(self, *, applicant: bool = False) -> dict[str, Any]:
        """Members, income, rigid expenses and assets (``applicant``: include the applicant mark)."""
        members = []
        for r in range(self.members.rowCount()):
            def cell(c, role=Qt.ItemDataRole.DisplayRole, r=r):
                item = self.members.item(r, c)
                return item.data(role) if item else None
            m: dict[str, Any] = dict(copy.deepcopy(cell(M_NAME, EXTRA_ROLE) or {}))
            m |= {"name": (cell(M_NAME) or "").strip(), "id_number": (cell(M_ID) or "").strip().upper(),
                  "relation": cell(M_REL, Qt.ItemDataRole.UserRole) or "other"}
            dtype, grade = cell(M_DTYPE, Qt.ItemDataRole.UserRole), cell(M_DGRADE, Qt.ItemDataRole.UserRole)
            if dtype or grade:
                m["disability"] = {"type": dtype, "grade": grade}
            for c, key in CHECK_COLUMNS.items():
                if c != M_APPLICANT and self.members.item(r, c).checkState() == Qt.CheckState.Checked:
                    m[key] = True
            number = (cell(M_CERT_NO) or "").strip().upper()
            if number:
                m["certificate_number"] = number
                m["disability_certificate"] = True
            if cell(M_WORK, Qt.ItemDataRole.UserRole):
                m["work_capacity"] = cell(M_WORK, Qt.ItemDataRole.UserRole)
            if cell(M_EXCL, Qt.ItemDataRole.UserRole):
                m["excluded"] = cell(M_EXCL, Qt.ItemDataRole.UserRole)
            if applicant and self.members.item(r, M_APPLICANT).checkState() == Qt.CheckState.Checked:
                m["applicant"] = True
            members.append(m)

        def money_rows(table: QTableWidget, key: str) -> list[dict[str, Any]]:
            out = []
            for r in range(table.rowCount()):
                amount = (table.item(r, 1).text() if table.item(r, 1) else "").strip()
                row = {key: table.item(r, 0).data(Qt.ItemDataRole.UserRole), "amount": amount or "0",
                       "member": table.item(r, 2).data(Qt.ItemDataRole.UserRole)}
                note = table.item(r, 1).data(Qt.ItemDataRole.UserRole) if table.item(r, 1) else None
                if note:
                    row["note"] = note
                out.append(row)
            return out

        count = self.vehicles.value()
        vehicles = [copy.deepcopy(v) for v in self._vehicles[:count]] + [{} for _ in range(count - len(self._vehicles))]
        return {
            "members": members,
            "income": money_rows(self.income, "type"),
            "rigid_expenses": money_rows(self.rigid, "kind"),
            "assets": {"financial": self.financial.text().strip() or "0", "vehicles": vehicles,
                       "homes": self.homes.value(), "commercial_property": self.commercial.isChecked()},
        }

    def set_household(self, h: dict[str, Any]) -> None:
        self._loading = True
        self.members.setRowCount(0)
        self.income.setRowCount(0)
        self.rigid.setRowCount(0)
        self._loading = False
        for m in h.get("members", []):
            self.add_member(m)
        for item in h.get("income", []):
            self.add_money_row(self.income, INCOME_TYPES, item.get("type"), str(item.get("amount", "")),
                               item.get("member"), item.get("note") or "")
        for item in h.get("rigid_expenses", []):
            self.add_money_row(self.rigid, EXPENSE_KINDS, item.get("kind"), str(item.get("amount", "")),
                               item.get("member"), item.get("note") or "")
        a = h.get("assets", {})
        self._vehicles = [dict(v) for v in a.get("vehicles", []) if isinstance(v, dict)]
        self.financial.setText(str(a.get("financial", "0")))
        self.vehicles.setValue(len(a.get("vehicles", [])))
        self.homes.setValue(int(a.get("homes", 1)))
        self.commercial.setChecked(bool(a.get("commercial_property")))

    def _edited(self, *_args: Any) -> None:
        if not self._loading:
            self.edited.emit()

    # --- a refused household: mark the cell ---
    def mark(self, exc: InputError, prefix: str = "household") -> None:
        field = exc.field or ""
        if field.startswith(f"{prefix}.members["):
            r = int(field.split("[")[1].split("]")[0])
            sub = field.split("].")[-1] if "]." in field else ""
            col = {"name": M_NAME, "id_number": M_ID, "certificate_number": M_CERT_NO, "disability": M_DTYPE,
                   "long_term_care": M_LTC, "orphan_support": M_ORPHAN,
                   "work_injury_care": M_INJURY}.get(sub.split(".")[0], M_NAME)
            item = self.members.item(r, col)
            if item:
                self._loading = True
                item.setBackground(BAD)
                self._loading = False
                self.members.setCurrentCell(r, col)

    @staticmethod
    def describe(exc: InputError, prefix: str = "household") -> str | None:
        """A member's problem as 「家庭成员第n行：…」, else None."""
        field = exc.field or ""
        if field.startswith(f"{prefix}.members["):
            r = int(field.split("[")[1].split("]")[0])
            return f"家庭成员第{r + 1}行：" + exc.sentence()
        return None


LONG_ACCOUNT = "6230 5801 7025 6056 400"  # the longest account the row shows without scrolling


class ContactRow(QWidget):
    """住址, 联系电话 and the account the benefit is paid into (开户银行, 银行账号: digits and spaces
    only as typed; the services check the length). Shared by 申请登记 and 修改家庭情况."""

    KEYS = ("address", "phone", "bank_name", "bank_account")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.edits: dict[str, QLineEdit] = {}
        for key, label, width in (("address", "住址", None), ("phone", "联系电话", 150),
                                  ("bank_name", "开户银行", 150), ("bank_account", "银行账号", 200)):
            edit = QLineEdit()
            edit.setObjectName(key)
            if width:
                edit.setMaximumWidth(width)
            row.addWidget(QLabel(label))
            row.addWidget(edit, 0 if width else 1)
            self.edits[key] = edit
        account = self.edits["bank_account"]
        # A 19-digit card number typed in groups of four is shown whole, never scrolled out of sight.
        account.setMinimumWidth(account.fontMetrics().horizontalAdvance(LONG_ACCOUNT) + 24)
        account.setMaximumWidth(account.minimumWidth() + 40)
        account.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9 ]{0,40}"), account))
        account.setPlaceholderText("保障金发放账号")
        self.edits["bank_name"].setPlaceholderText("如：信用社")

    def values(self) -> dict[str, str]:
        return {key: edit.text().strip() for key, edit in self.edits.items()}

    def set_values(self, household: dict[str, Any]) -> None:
        for key, edit in self.edits.items():
            edit.setText(str(household.get(key) or ""))
