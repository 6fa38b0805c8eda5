"""Qt editors rendered from ``forms/*.yaml`` (FormSpec): one widget per field, the validation
message next to it, values in and out as the plain dicts the services take."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from PySide6.QtCore import QRegularExpression, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..domain.forms import validate_form
from ..domain.ids import id_problem
from ..domain.specs import FieldSpec, FormSpec
from .style import set_role

_SPLIT_NAMES = re.compile(r"[、，,；;\s]+")


def today_text(today: dt.date | None = None) -> str:
    return (today or dt.date.today()).isoformat()


class DateField(QWidget):
    """A date as YYYY-MM-DD text with a 今天 button (empty allowed, typed or picked)."""

    changed = Signal()

    def __init__(self, today: dt.date | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._today = today
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("YYYY-MM-DD")
        self.edit.setMaxLength(10)
        self.edit.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9-]{0,10}")))
        self.edit.setFixedWidth(110)
        self.button = QPushButton("今天")
        self.button.setFixedWidth(48)
        self.button.clicked.connect(lambda: self.setText(today_text(self._today)))
        layout.addWidget(self.edit)
        layout.addWidget(self.button)
        layout.addStretch(1)
        self.edit.textChanged.connect(self.changed)

    def text(self) -> str:
        return self.edit.text().strip()

    def setText(self, text: str) -> None:
        self.edit.setText(text or "")


class MultiChoice(QWidget):
    changed = Signal()

    def __init__(self, f: FieldSpec, parent: QWidget | None = None):
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[str, QCheckBox] = {}
        for i, c in enumerate(f.choices):
            box = QCheckBox(c.label)
            box.toggled.connect(self.changed)
            self.boxes[c.value] = box
            grid.addWidget(box, i // 3, i % 3)

    def value(self) -> list[str]:
        return [v for v, b in self.boxes.items() if b.isChecked()]

    def set_value(self, values: list[str] | None) -> None:
        for v, b in self.boxes.items():
            b.setChecked(v in (values or []))


class FieldWidget:
    """One field: its editor, its message label, and conversion to and from form data."""

    def __init__(self, f: FieldSpec, today: dt.date | None):
        self.spec = f
        self.touched = False
        self.error = QLabel()
        self.error.setWordWrap(True)
        set_role(self.error, "error")
        self.error.hide()
        t = f.type
        if t in ("text", "money", "int", "id_number"):
            w = QLineEdit()
            if t == "money":
                w.setPlaceholderText("元")
            if t == "int":
                w.setValidator(QRegularExpressionValidator(QRegularExpression(r"-?[0-9]{0,9}")))
            w.textChanged.connect(self._changed)
        elif t == "textarea":
            w = QPlainTextEdit()
            w.setFixedHeight(56)
            w.setTabChangesFocus(True)
            w.textChanged.connect(self._changed)
        elif t == "date":
            w = DateField(today)
            w.changed.connect(self._changed)
        elif t == "bool":
            w = QCheckBox(f.label)
            w.toggled.connect(self._changed)
        elif t == "choice":
            w = QComboBox()
            w.addItem("（请选择）", None)
            for c in f.choices:
                w.addItem(c.label, c.value)
            w.currentIndexChanged.connect(self._changed)
        elif t == "multichoice":
            w = MultiChoice(f)
            w.changed.connect(self._changed)
        elif t == "person_list":
            w = QLineEdit()
            w.setPlaceholderText("姓名，多人用顿号分隔，如：张敏、李强")
            w.textChanged.connect(self._changed)
        elif t == "signature_block":
            w = QLabel("（打印后在纸面签字）")
            set_role(w, "hint")
        else:  # members_table and future types: shown, not edited here
            w = QLabel("（在家庭成员表中填写）")
            set_role(w, "hint")
        if f.help:
            w.setToolTip(f.help)
        w.setObjectName(f"field_{f.name}")
        self.widget = w
        self.on_change = None

    def _changed(self, *_args: Any) -> None:
        self.touched = True
        if self.spec.type == "id_number":  # checked as typed
            text = self.widget.text().strip()
            self.show_problem(id_problem(text) if len(text) >= 18 else None)
        if self.on_change:
            self.on_change()

    def value(self) -> Any:
        t, w = self.spec.type, self.widget
        if t in ("text", "money", "int", "id_number"):
            text = w.text().strip()
            if not text:
                return None
            return int(text) if t == "int" and re.fullmatch(r"-?\d+", text) else text
        if t == "textarea":
            return w.toPlainText().strip() or None
        if t == "date":
            return w.text() or None
        if t == "bool":
            return w.isChecked()
        if t == "choice":
            return w.currentData()
        if t == "multichoice":
            return w.value() or None
        if t == "person_list":
            names = [n for n in _SPLIT_NAMES.split(w.text().strip()) if n]
            return [{"name": n} for n in names] or None
        return None

    def set_value(self, value: Any) -> None:
        t, w = self.spec.type, self.widget
        if t in ("text", "money", "int", "id_number"):
            w.setText("" if value is None else str(value))
        elif t == "textarea":
            w.setPlainText("" if value is None else str(value))
        elif t == "date":
            w.setText("" if value is None else str(value))
        elif t == "bool":
            w.setChecked(bool(value))
        elif t == "choice":
            index = w.findData(value)
            w.setCurrentIndex(max(index, 0))
        elif t == "multichoice":
            w.set_value(value or [])
        elif t == "person_list":
            names = [p.get("name", "") if isinstance(p, dict) else str(p) for p in (value or [])]
            w.setText("、".join(n for n in names if n))

    def show_problem(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        target = self.widget.edit if isinstance(self.widget, DateField) else self.widget
        if isinstance(target, QLineEdit | QPlainTextEdit):
            set_role(target, "true" if message else "false", "invalid")


class FormEditor(QGroupBox):
    """A whole form: sections as sub-headings, fields with their messages beside them."""

    changed = Signal()

    def __init__(self, spec: FormSpec, today: dt.date | None = None, parent: QWidget | None = None):
        super().__init__(spec.title, parent)
        self.spec = spec
        self.setObjectName(f"form_{spec.id}")
        self.fields: dict[str, FieldWidget] = {}
        outer = QVBoxLayout(self)
        for section in spec.sections:
            if len(spec.sections) > 1:
                head = QLabel(f"<b>{section.title}</b>")
                outer.addWidget(head)
            form = QFormLayout()
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            for f in section.fields:
                fw = FieldWidget(f, today)
                fw.on_change = self._on_change
                self.fields[f.name] = fw
                cell = QWidget()
                box = QVBoxLayout(cell)
                box.setContentsMargins(0, 0, 0, 0)
                box.setSpacing(2)
                box.addWidget(fw.widget)
                box.addWidget(fw.error)
                label = "" if f.type == "bool" else (f.label + ("＊" if f.required else ""))
                form.addRow(label, cell)
            outer.addLayout(form)

    def _on_change(self) -> None:
        self.validate(only_touched=True)
        self.changed.emit()

    def values(self) -> dict[str, Any]:
        """Every field's value (empty ones as None, so stored values can be cleared)."""
        return {name: fw.value() for name, fw in self.fields.items() if fw.spec.type != "signature_block"}

    def filled(self) -> dict[str, Any]:
        """Only the fields that hold something (for drafts and partial sends)."""
        return {k: v for k, v in self.values().items() if v not in (None, False, [], "")}

    def set_values(self, data: dict[str, Any] | None) -> None:
        for name, fw in self.fields.items():
            if data is not None and name in data:
                fw.set_value(data[name])
        for fw in self.fields.values():
            fw.touched = False

    def problems(self) -> dict[str, str]:
        data = {k: v for k, v in self.values().items() if v is not None}
        return validate_form(self.spec, data)

    def validate(self, only_touched: bool = False) -> dict[str, str]:
        """Show each field's message next to it; returns field -> message."""
        problems = self.problems()
        for name, fw in self.fields.items():
            if only_touched and not fw.touched:
                continue
            fw.show_problem(problems.get(name))
        return problems

    def show_messages(self, messages: dict[str, str]) -> None:
        for name, fw in self.fields.items():
            fw.show_problem(messages.get(name))
