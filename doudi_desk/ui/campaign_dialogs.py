"""The 大排查 tab's dialogs: a new campaign, a household's check, a problem, a problem's next step.
Each is opened with ``show()`` and reports ``finished``; ``values()`` gives what was entered."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..domain.campaigns import CHECK_ITEMS, DEFAULT_PHASES, PROBLEM_KINDS, RULES, STATUS, TOPICS
from .style import set_role


def _date_edit(day: dt.date) -> QDateEdit:
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def _iso(edit: QDateEdit) -> str:
    return edit.date().toString("yyyy-MM-dd")


class _Dialog(QDialog):
    def __init__(self, parent: QWidget, title: str):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.layout_ = QVBoxLayout(self)
        self.message = QLabel()
        self.message.setWordWrap(True)
        set_role(self.message, "error")

    def finish_layout(self) -> None:
        self.layout_.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.layout_.addWidget(buttons)

    def show_error(self, text: str) -> None:
        """A refusal from the service: the dialog stays open with what was typed."""
        self.message.setText(text)
        self.show()


class NewCampaignDialog(_Dialog):
    def __init__(self, parent: QWidget, areas: list[dict[str, Any]], today: dt.date):
        super().__init__(parent, "新建排查活动")
        form = QFormLayout()
        self.name = QLineEdit("民政领域巩固拓展脱贫攻坚成果“大排查大整改大提升”")
        self.doc = QLineEdit()
        self.doc.setPlaceholderText("如 承高社管字〔2021〕29号")
        self.area = QComboBox()
        for a in areas:
            if a["level"] in ("county", "township"):
                self.area.addItem(a["label"], a["code"])
        form.addRow("活动名称", self.name)
        form.addRow("文号", self.doc)
        form.addRow("排查范围", self.area)
        self.layout_.addLayout(form)
        phases = QGroupBox("阶段")
        grid = QGridLayout(phases)
        self.phases = []
        for i, name in enumerate(DEFAULT_PHASES):
            start = today + dt.timedelta(days=30 * i)
            row = (QLineEdit(name), _date_edit(start), _date_edit(start + dt.timedelta(days=29)))
            for c, w in enumerate(row):
                grid.addWidget(w, i, c)
            self.phases.append(row)
        self.layout_.addWidget(phases)
        rules = QGroupBox("排查对象")
        v = QVBoxLayout(rules)
        self.rules = {}
        for key, label in RULES.items():
            box = QCheckBox(label)
            box.setChecked(True)
            v.addWidget(box)
            self.rules[key] = box
        self.layout_.addWidget(rules)
        self.finish_layout()

    def values(self) -> dict[str, Any]:
        return {"name": self.name.text(), "doc_number": self.doc.text(), "area_code": self.area.currentData(),
                "phases": [{"name": n.text(), "start_on": _iso(s), "end_on": _iso(e)} for n, s, e in self.phases
                           if n.text().strip()],
                "rules": [k for k, box in self.rules.items() if box.isChecked()]}


class CheckDialog(_Dialog):
    """The seed's items for one household: 是/否, numbers of persons, 到位/不到位 with a note."""

    def __init__(self, parent: QWidget, target: dict[str, Any], checked_by: str, today: dt.date):
        super().__init__(parent, f"入户核查：{target['village_name']} {target['head_name']}")
        self.target = target
        old = (target.get("check") or {}).get("items") or {}
        form = QFormLayout()
        self.checked_by = QLineEdit((target.get("check") or {}).get("checked_by") or checked_by)
        self.checked_on = _date_edit(today)
        form.addRow("核查人", self.checked_by)
        form.addRow("核查日期", self.checked_on)
        self.widgets: dict[str, Any] = {}
        for key, label, kind in CHECK_ITEMS:
            if kind == "bool":
                w = QCheckBox()
                w.setChecked(bool(old.get(key)))
                form.addRow(label, w)
                self.widgets[key] = w
            elif kind == "int":
                w = QSpinBox()
                w.setRange(0, 99)
                w.setValue(int(old.get(key) or 0))
                form.addRow(label, w)
                self.widgets[key] = w
            else:
                row = QHBoxLayout()
                status = QComboBox()
                for value, text in STATUS.items():
                    status.addItem(text, value)
                status.setCurrentIndex(max(status.findData(old.get(key) or "ok"), 0))
                note = QLineEdit(old.get(f"{key}_note", ""))
                note.setPlaceholderText("不到位时写明情况")
                row.addWidget(status)
                row.addWidget(note, 1)
                form.addRow(label, row)
                self.widgets[key] = status
                self.widgets[f"{key}_note"] = note
        self.note = QLineEdit((target.get("check") or {}).get("note", ""))
        form.addRow("备注", self.note)
        self.layout_.addLayout(form)
        self.finish_layout()

    def values(self) -> dict[str, Any]:
        items: dict[str, Any] = {}
        for key, w in self.widgets.items():
            if isinstance(w, QCheckBox):
                items[key] = w.isChecked()
            elif isinstance(w, QSpinBox):
                items[key] = w.value()
            elif isinstance(w, QComboBox):
                items[key] = w.currentData()
            else:
                items[key] = w.text()
        return {"items": items, "checked_by": self.checked_by.text(), "checked_on": _iso(self.checked_on),
                "note": self.note.text()}


class ProblemDialog(_Dialog):
    def __init__(self, parent: QWidget, target: dict[str, Any] | None, villages: list[tuple[str, str]], today: dt.date):
        super().__init__(parent, "登记排查问题" + (f"：{target['village_name']} {target['head_name']}" if target else ""))
        self.target = target
        form = QFormLayout()
        self.kind = QComboBox()
        for key, label in PROBLEM_KINDS.items():
            if target is not None or key == "other":
                self.kind.addItem(label, key)
        self.village = QComboBox()
        for code, name in villages:
            self.village.addItem(name, code)
        if target is not None:
            self.village.setCurrentIndex(max(self.village.findData(target["village_code"]), 0))
            self.village.setEnabled(False)
        self.topic = QComboBox()
        self.topic.setEditable(True)
        for topic in TOPICS:
            self.topic.addItem(topic)
        self.topic.setCurrentText("社会保障")
        self.finding = QPlainTextEdit()
        self.finding.setMaximumHeight(70)
        self.responsible = QLineEdit()
        self.measures = QLineEdit()
        self.deadline = _date_edit(today + dt.timedelta(days=30))
        for label, w in (("问题类型", self.kind), ("村（社区）", self.village), ("主要内容", self.topic),
                         ("发现问题", self.finding), ("责任单位", self.responsible), ("整改措施", self.measures),
                         ("完成时限", self.deadline)):
            form.addRow(label, w)
        self.layout_.addLayout(form)
        self.finish_layout()

    def values(self) -> dict[str, Any]:
        return {"kind": self.kind.currentData(), "village": self.village.currentData(),
                "topic": self.topic.currentText(), "finding": self.finding.toPlainText(),
                "responsible": self.responsible.text(), "measures": self.measures.text(),
                "deadline": _iso(self.deadline), "target_id": self.target["id"] if self.target else None}


class AdvanceDialog(_Dialog):
    """整改中 (measures) or 已整改 (outcome and date)."""

    def __init__(self, parent: QWidget, problem: dict[str, Any], state: str, today: dt.date):
        super().__init__(parent, ("开始整改" if state == "in_progress" else "确认整改完成") + f"：问题{problem['id']}")
        self.problem, self.state = problem, state
        form = QFormLayout()
        form.addRow("发现问题", QLabel(problem["finding"]))
        self.text = QPlainTextEdit(problem["measures"] if state == "in_progress" else problem.get("outcome", ""))
        self.text.setMaximumHeight(80)
        form.addRow("整改措施" if state == "in_progress" else "整改成效", self.text)
        self.day = _date_edit(today)
        if state == "fixed":
            form.addRow("完成日期", self.day)
        self.layout_.addLayout(form)
        self.finish_layout()

    def values(self) -> dict[str, Any]:
        text = self.text.toPlainText()
        if self.state == "in_progress":
            return {"measures": text}
        return {"outcome": text, "fixed_on": _iso(self.day)}
