"""An action that brings its own form (登记异议, 确认 …) or needs a written reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ...domain.programmes import REGISTRY, amount_of, programme
from ...services.views import CaseView
from ..forms import FormEditor
from ..style import set_role

# Forms in which an approver confirms (or changes, with a reason) the computed amount.
AMOUNT_FORMS = frozenset(f for p in REGISTRY.values() if p.amount_editable for f in p.approval_forms)


class ActionDialog(QDialog):
    """An action that brings its own form (登记异议, 确认 …) or needs a written reason."""

    def __init__(self, trigger: dict[str, Any], forms: dict[str, Any], view: CaseView, today: dt.date,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.trigger = trigger
        self.setWindowTitle(f"办理：{trigger.label}")
        self.setObjectName(f"action_{trigger.trigger}")
        layout = QVBoxLayout(self)
        intro = QLabel(f"办理「{trigger.label}」后，案件进入「{trigger.to_label}」。")
        layout.addWidget(intro)
        self.editors: dict[str, FormEditor] = {}
        for form_id in trigger.forms:
            editor = FormEditor(forms[form_id], today)
            stored = dict(view.forms.get(form_id) or {})
            if form_id in AMOUNT_FORMS and not stored.get("amount") and view.proposal:
                p, code = view.proposal, view.programme
                # a one-off sum as proposed; a monthly amount when eligible, or on an application
                if not programme(code).monthly or p.get("eligible") or view.kind == "application":
                    stored["amount"] = amount_of(code, p)
            editor.set_values(stored)
            self.editors[form_id] = editor
            layout.addWidget(editor)
        layout.addWidget(QLabel("说明" + ("（必须写明理由）＊" if trigger.reason_required else "（可不填）")))
        self.comment = QPlainTextEdit()
        self.comment.setObjectName("comment")
        self.comment.setFixedHeight(70)
        layout.addWidget(self.comment)
        self.error = QLabel()
        set_role(self.error, "error")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(trigger.label)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def _ok(self) -> None:
        problems = {fid: e.validate() for fid, e in self.editors.items()}
        if any(problems.values()):
            self.error.setText("请按提示填写完整后再办理")
            return
        if self.trigger.reason_required and not self.comment.toPlainText().strip():
            self.error.setText(f"办理「{self.trigger.label}」须写明理由")
            return
        self.accept()

    def data(self) -> dict[str, dict[str, Any]]:
        return {fid: e.values() for fid, e in self.editors.items()}
