"""The 政策参数 form: every parameter of policy.md with its Chinese label, unit and bounds
(domain/policy_fields.py), tiers, top-ups and per-grade amounts as small tables, and each
problem in Chinese next to its field. Values go in and out as the parameter set's JSON shape."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QColor, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..domain.policy import CARE_LEVELS, TOPUP_GROUPS
from ..domain.policy_fields import (
    FIELDS,
    GRADE_LABELS,
    S_AMOUNT,
    S_DIBAO,
    S_TEMP,
    SECTIONS,
    PolicyField,
    check_policy,
)
from .style import set_role

LEFT_COLUMN = {S_DIBAO, S_AMOUNT, S_TEMP}  # the others on the right: two columns of about equal height
NUMBER = QRegularExpression(r"[0-9]{0,9}(\.[0-9]{0,4})?")
BAD_CELL = QColor("#ffebee")
TABLE_ROWS = {"topups": TOPUP_GROUPS, "care": CARE_LEVELS, "grades": GRADE_LABELS}
TABLE_HEADS = {
    "tiers": ("人均收入不高于标准的（比例）", "每人每月金额（元）"),
    "topups": ("增发对象", "增发比例（倍低保标准）"),
    "care": ("生活自理能力", "元/人·月"),
    "grades": ("残疾等级", "元/人·月"),
}


def _text(value: Any) -> str:
    return "" if value is None else str(value)


class FieldBox:
    """One parameter: its editor (a line, a box, a list or a small table), its unit, its message."""

    def __init__(self, f: PolicyField, on_change):
        self.spec = f
        self.error = QLabel()
        self.error.setObjectName(f"policy_error_{f.key}")
        self.error.setWordWrap(True)
        set_role(self.error, "error")
        self.error.hide()
        self.table: QTableWidget | None = None
        if f.kind in ("money", "decimal", "int"):
            edit = QLineEdit()
            edit.setValidator(QRegularExpressionValidator(NUMBER if f.kind != "int" else
                                                          QRegularExpression(r"[0-9]{0,6}"), edit))
            edit.setMaximumWidth(120)
            edit.textChanged.connect(on_change)
            self.editor: QWidget = edit
        elif f.kind == "bool":
            box = QCheckBox(f.label)
            box.toggled.connect(on_change)
            self.editor = box
        elif f.kind == "choice":
            combo = QComboBox()
            for value, label in f.choices.items():
                combo.addItem(label, value)
            combo.currentIndexChanged.connect(on_change)
            self.editor = combo
        else:
            self.editor = self._table_editor(f, on_change)
        self.editor.setObjectName(f"policy_{f.key}")
        tip = "；".join(x for x in (f.help, self.bounds_text()) if x)
        if tip:
            self.editor.setToolTip(tip)

    def bounds_text(self) -> str:
        f = self.spec
        if f.min is None or f.kind == "bool":
            return ""
        unit = f.unit if f.unit and not f.unit.startswith("（") else ""
        low, high = (f"{x.normalize():f}" for x in (f.min, f.max))
        return f"可填 {low}–{high} {unit}".rstrip()

    def _table_editor(self, f: PolicyField, on_change) -> QWidget:
        holder = QWidget()
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        table = QTableWidget(0, 2)
        table.setHorizontalHeaderLabels(TABLE_HEADS[f.kind])
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        rows = TABLE_ROWS.get(f.kind)
        if rows is not None:  # one fixed row per group, level or grade; the amount is typed
            table.setRowCount(len(rows))
            for r, (key, label) in enumerate(rows.items()):
                item = QTableWidgetItem(label)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                item.setData(Qt.ItemDataRole.UserRole, key)
                table.setItem(r, 0, item)
                table.setItem(r, 1, QTableWidgetItem(""))
        table.itemChanged.connect(lambda _item: on_change())
        shown_rows = max(len(rows or ()), 3)  # every fixed row without scrolling; tiers: three, then scroll
        table.setFixedHeight(table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
                             + table.verticalHeader().defaultSectionSize() * shown_rows + 2)
        layout.addWidget(table)
        if f.kind == "tiers":
            buttons = QHBoxLayout()
            add = QPushButton("添加一档")
            add.setObjectName("policy_tiers_add")
            add.clicked.connect(lambda: (self.add_tier("", ""), on_change()))
            remove = QPushButton("删除所选档")
            remove.clicked.connect(lambda: (self._remove_selected(), on_change()))
            buttons.addWidget(add)
            buttons.addWidget(remove)
            buttons.addStretch(1)
            layout.addLayout(buttons)
        self.table = table
        return holder

    def add_tier(self, ratio: str, amount: str) -> None:
        table = self.table
        table.blockSignals(True)
        r = table.rowCount()
        table.insertRow(r)
        table.setItem(r, 0, QTableWidgetItem(ratio))
        table.setItem(r, 1, QTableWidgetItem(amount))
        table.blockSignals(False)

    def _remove_selected(self) -> None:
        for r in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(r)

    # --- values ---
    def value(self) -> Any:
        f, w = self.spec, self.editor
        if f.kind in ("money", "decimal", "int"):
            text = w.text().strip()
            if not text:
                return None
            return int(text) if f.kind == "int" and text.isdigit() else text
        if f.kind == "bool":
            return w.isChecked()
        if f.kind == "choice":
            return w.currentData()
        cells = [(self._cell(r, 0), self._cell(r, 1)) for r in range(self.table.rowCount())]
        if f.kind == "tiers":
            return [{"max_income_ratio": a, "per_person": b} for a, b in cells if a or b]
        keys = [self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(self.table.rowCount())]
        if f.kind == "topups":
            return [{"group": k, "rate": v} for k, (_label, v) in zip(keys, cells, strict=True) if v]
        if f.kind == "care":
            return {k: v for k, (_label, v) in zip(keys, cells, strict=True)}
        return {k: v for k, (_label, v) in zip(keys, cells, strict=True) if v}  # grades: empty = none

    def _cell(self, r: int, c: int) -> str:
        item = self.table.item(r, c)
        return item.text().strip() if item else ""

    def set_value(self, value: Any) -> None:
        f, w = self.spec, self.editor
        if f.kind in ("money", "decimal", "int"):
            w.setText(_text(value))
        elif f.kind == "bool":
            w.setChecked(bool(value))
        elif f.kind == "choice":
            w.setCurrentIndex(max(w.findData(value), 0))
        elif f.kind == "tiers":
            self.table.setRowCount(0)
            for row in value or []:
                self.add_tier(_text(row.get("max_income_ratio")), _text(row.get("per_person")))
        else:
            if f.kind == "topups":
                given = {row.get("group"): row.get("rate") for row in value or [] if isinstance(row, dict)}
            else:
                given = dict(value or {})
            self.table.blockSignals(True)
            for r in range(self.table.rowCount()):
                key = self.table.item(r, 0).data(Qt.ItemDataRole.UserRole)
                self.table.item(r, 1).setText(_text(given.get(key)))
            self.table.blockSignals(False)

    # --- messages ---
    def show_problems(self, problems: dict[str, str]) -> None:
        key = self.spec.key
        mine = {path: text for path, text in problems.items()
                if path == key or path.startswith(key + "[") or path.startswith(key + ".")}
        self.error.setText("；".join(dict.fromkeys(mine.values())))
        self.error.setVisible(bool(mine))
        if isinstance(self.editor, QLineEdit):
            set_role(self.editor, "true" if mine else "false", "invalid")
        if self.table is not None:
            bad_rows = set()
            for path in mine:
                if "[" in path:
                    bad_rows.add(int(path.split("[")[1].split("]")[0]))
                elif "." in path:
                    sub = path.split(".", 1)[1]
                    bad_rows |= {r for r in range(self.table.rowCount())
                                 if self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) == sub}
            self.table.blockSignals(True)
            for r in range(self.table.rowCount()):
                item = self.table.item(r, 1)
                if item is not None:
                    item.setBackground(BAD_CELL if r in bad_rows else QColor(0, 0, 0, 0))
            self.table.blockSignals(False)


class PolicyForm(QWidget):
    """Every parameter, by section (低保标准与收入核算, 家庭财产, 保障金额 …).

    Signals:
        changed(): a value was edited (the form re-checks the fields already touched).
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("policy_form")
        self.fields: dict[str, FieldBox] = {}
        self._checking = False
        # Two columns, each section as tall as its own fields (no row shared across the columns).
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        columns = [QVBoxLayout(), QVBoxLayout()]
        boxes: dict[str, QFormLayout] = {}
        for i, section in enumerate(SECTIONS):
            box = QGroupBox(section)
            box.setObjectName(f"policy_section_{i}")
            boxes[section] = QFormLayout(box)
            boxes[section].setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            columns[0 if section in LEFT_COLUMN else 1].addWidget(box)
        for column in columns:
            column.addStretch(1)
            row.addLayout(column, 1)
        for f in FIELDS:
            fb = FieldBox(f, self._changed)
            self.fields[f.key] = fb
            cell = QWidget()
            v = QVBoxLayout(cell)
            v.setContentsMargins(0, 0, 0, 0)
            v.setSpacing(2)
            if fb.table is not None:
                v.addWidget(fb.editor)
            else:
                line = QHBoxLayout()
                line.addWidget(fb.editor)
                if f.unit and f.kind in ("money", "decimal", "int"):
                    unit = QLabel(f.unit)
                    set_role(unit, "hint")
                    line.addWidget(unit)
                line.addStretch(1)
                v.addLayout(line)
            if f.help and fb.table is not None:
                hint = QLabel(f.help)
                hint.setWordWrap(True)
                set_role(hint, "hint")
                v.addWidget(hint)
            v.addWidget(fb.error)
            label = "" if f.kind == "bool" else f.label + ("" if f.optional else "＊")
            boxes[f.section].addRow(label, cell)

    def _changed(self, *_args: Any) -> None:
        if self._checking:
            return
        self.validate()
        self.changed.emit()

    def values(self) -> dict[str, Any]:
        """The set as the services take it; an optional field left empty says what it means
        (低收入人口认定标准 empty: the edge line × 12)."""
        out: dict[str, Any] = {}
        for key, fb in self.fields.items():
            value = fb.value()
            if value is None and not fb.spec.optional:
                value = ""  # shown as 请填写, never silently replaced by a default
            out[key] = value
        return out

    def set_values(self, params: dict[str, Any]) -> None:
        self._checking = True
        try:
            for key, fb in self.fields.items():
                fb.set_value(params.get(key))
        finally:
            self._checking = False
        self.validate()

    def validate(self) -> dict[str, str]:
        """Check the whole set and show each problem next to its field; returns path -> message."""
        problems = check_policy(self.values())
        self.show_problems(problems)
        return problems

    def show_problems(self, problems: dict[str, str]) -> None:
        for fb in self.fields.values():
            fb.show_problems(problems)
