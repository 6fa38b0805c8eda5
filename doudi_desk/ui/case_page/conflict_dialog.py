"""Someone else changed the case meanwhile: both versions side by side."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...services.views import CaseView


class ConflictDialog(QDialog):
    """Someone else changed the case meanwhile: both versions side by side, and the choice to
    apply this clerk's entries again on top of the latest version."""

    REAPPLY = 2

    def __init__(self, mine: dict[str, Any], theirs: CaseView, forms: dict[str, Any] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("案件已被他人修改")
        self.setObjectName("conflict_dialog")
        layout = QVBoxLayout(self)
        last = theirs.history[-1] if theirs.history else None
        who = f"{last['actor_name']} 于 {last['recorded_at']} 办理了「{last['action']}」" if last else "他人修改了案件"
        text = QLabel(f"您打开案件后，{who}。\n您的版本：{mine['version']}（环节：{mine['state_label']}）；"
                      f"当前版本：{theirs.version}（环节：{theirs.state_label}）。\n"
                      "下表列出您填写的内容与当前版本不同之处。")
        text.setWordWrap(True)
        layout.addWidget(text)
        rows = []
        forms = forms or {}
        for form_id, values in mine["forms_entered"].items():
            stored = theirs.forms.get(form_id) or {}
            spec = forms.get(form_id)
            for key, value in values.items():
                if value not in (None, "", [], False) and stored.get(key) != value:
                    f = spec.field(key) if spec else None
                    name = f"{spec.title}·{f.label}" if spec and f else f"{form_id}.{key}"
                    choices = {c.value: c.label for c in f.choices} if f else {}
                    rows.append((name, _short(value, choices), _short(stored.get(key), choices)))
        self.table = QTableWidget(len(rows), 3)
        self.table.setHorizontalHeaderLabels(["项目", "您的填写", "当前版本"])
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        self.reapply = QPushButton("在最新版本上重新提交我的填写")
        self.reapply.clicked.connect(lambda: self.done(self.REAPPLY))
        self.discard = QPushButton("放弃我的填写，载入最新版本")
        self.discard.clicked.connect(self.reject)
        buttons.addWidget(self.reapply)
        buttons.addWidget(self.discard)
        layout.addLayout(buttons)
        self.resize(780, 400)


def _short(value: Any, choices: dict[str, str] | None = None) -> str:
    choices = choices or {}
    if value is None:
        return "（未填写）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(v.get("name", str(v)) if isinstance(v, dict) else choices.get(v, str(v)) for v in value)
    return choices.get(value, str(value))
