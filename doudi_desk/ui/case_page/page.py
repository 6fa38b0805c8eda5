"""The case page, for every workflow (低保, 特困 and 临时救助 applications; 复核, 变更 and 停保 of an
approved case): household summary, the workflow's step bar with the time limit, the forms of the
current step (rendered from forms/*.yaml), the actions this user may take now, the proposal or
decision with every line of its explanation, the history, and the documents to print at this step.

A review, change or termination names the case it belongs to (a button opens it). An approved 低保
or 特困 case shows its 保障情况 (status today, amount, next review, phase-out or stop, the history of
amounts, its reviews, changes and terminations) and, for the township office, 开展复核 / 登记变化 /
提出停保. A 临时救助 helped first (先行救助) says prominently what must still be completed."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...domain.documents import title as document_title
from ...domain.errors import InputError
from ...domain.specs import WorkflowSpec
from ...services.views import CaseView
from .. import ops
from ..errors import friendly, is_known, is_stale, is_storage, show_error
from ..forms import DateField, FormEditor
from ..lifecycle_ui import KIND_SHORT, BenefitPanel
from ..printing_ui.case_panel import CasePrintPanel
from ..style import set_role
from .action_dialog import ActionDialog
from .conflict_dialog import ConflictDialog
from .history import HistoryTable
from .household import HouseholdBox
from .life import LifeActions
from .proposal import ProposalPanel
from .step_bar import StepBar, deadline_text

log = logging.getLogger(__name__)

REASON_LINES = 2  # the height of the "why not now" text under the action buttons


class CasePage(LifeActions, QWidget, ops.ChangeListener):
    """One case. Its actions are ops (ui/ops/cases.py); it reads again when another page's command
    wrote this case, its parent or a case opened on it. Signal: print_requested(int, str) from the
    打印 area."""

    print_requested = Signal(int, str)
    loaded = Signal()

    def __init__(self, shell, case_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.shell = shell
        self.case_id = case_id
        self.view: CaseView | None = None
        self.household: dict[str, Any] | None = None
        self.spec: WorkflowSpec | None = None
        self.editors: dict[str, FormEditor] = {}
        self.buttons: dict[str, QPushButton] = {}
        self.triggers: list[dict[str, Any]] = []
        self.dialog: QDialog | None = None
        self._editor_state: str | None = None
        self._draft_dirty = False
        self.setObjectName("case_page")

        self.links: dict[str, Any] = {"parent": None, "related": []}
        self._benefit_selected = False

        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        header = QHBoxLayout()
        self.kind_chip = QLabel()
        self.kind_chip.setObjectName("kind_chip")
        set_role(self.kind_chip, "kind")
        self.kind_chip.hide()
        header.addWidget(self.kind_chip)
        self.title = QLabel("正在载入案件…")
        set_role(self.title, "title")
        header.addWidget(self.title, 1)
        self.parent_button = QPushButton()
        self.parent_button.setObjectName("parent_link")
        self.parent_button.setToolTip("打开本复核、变更或停保案件所属的原保障案件")
        self.parent_button.clicked.connect(self.open_parent)
        self.parent_button.hide()
        header.addWidget(self.parent_button)
        outer.addLayout(header)
        self.step_bar = StepBar()
        outer.addWidget(self.step_bar)
        self.deadline = QLabel()
        self.deadline.setWordWrap(True)
        outer.addWidget(self.deadline)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setObjectName("banner")
        self.banner.hide()
        outer.addWidget(self.banner)
        self.pending = QLabel()
        self.pending.setObjectName("pending")
        self.pending.setWordWrap(True)
        set_role(self.pending, "pending")
        self.pending.hide()
        outer.addWidget(self.pending)

        actions = QGroupBox("办理")
        actions_layout = QVBoxLayout(actions)
        row = QHBoxLayout()
        row.addWidget(QLabel("办理日期"))
        self.effective = DateField(shell.backend.today())
        self.effective.setText(shell.backend.today().isoformat())
        self.effective.setToolTip("补录纸面已办事项时可改为实际办理日期；不能晚于今天，不能早于上一步")
        row.addWidget(self.effective)
        self.button_row = QHBoxLayout()
        row.addLayout(self.button_row)
        # Life after approval and corrections: not workflow steps, so not in the step's buttons.
        self.life_row = QHBoxLayout()
        self.life_buttons: dict[str, QPushButton] = {}
        for key, label, tip, slot in (
            ("start_review", "开展复核", "按复核周期对在保家庭复核，开立复核案件", self.start_review),
            ("start_change", "登记变化", "家庭成员出生、死亡、迁入迁出、新增就业、新购车辆或房产等变化", self.start_change),
            ("start_termination", "提出停保", "登记停保情形和理由，报县级决定", self.start_termination),
            ("edit_household", "修改家庭情况", "调查中发现家庭成员、收入、支出或财产与登记不符时修改（须写明原因）",
             self.edit_household),
        ):
            button = QPushButton(label)
            button.setObjectName(key)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            button.hide()
            self.life_buttons[key] = button
            self.life_row.addWidget(button)
        row.addLayout(self.life_row)
        row.addStretch(1)
        self.save_button = QPushButton("暂存表单")
        self.save_button.setToolTip("把本环节已填写的内容保存到案件（不办理）")
        self.save_button.clicked.connect(self.save_forms)
        row.addWidget(self.save_button)
        actions_layout.addLayout(row)
        # Why an action is disabled changes as the clerk types (the live preview): it lives in a
        # box of fixed height that scrolls, so the forms below never move while typing.
        self.reasons = QLabel()
        self.reasons.setObjectName("reasons")
        self.reasons.setWordWrap(True)
        self.reasons.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.reasons.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_role(self.reasons, "hint")
        self.reasons_box = QScrollArea()
        self.reasons_box.setObjectName("reasons_box")
        self.reasons_box.setWidget(self.reasons)
        self.reasons_box.setWidgetResizable(True)
        self.reasons_box.setFrameShape(QFrame.Shape.NoFrame)
        self.reasons_box.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.reasons_box.viewport().setAutoFillBackground(False)
        self.reasons.setAutoFillBackground(False)
        self.reasons_box.setFixedHeight(self.reasons.fontMetrics().lineSpacing() * REASON_LINES + 4)
        actions_layout.addWidget(self.reasons_box)
        outer.addWidget(actions)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.summary = HouseholdBox()
        self.summary_text, self.members = self.summary.summary_text, self.summary.members
        left_layout.addWidget(self.summary)
        self.forms_box = QWidget()
        self.forms_layout = QVBoxLayout(self.forms_box)
        self.forms_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.forms_box)
        left_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(left)
        splitter.addWidget(scroll)

        self.side = QTabWidget()
        self.side.setObjectName("case_side")
        self.proposal = ProposalPanel()
        self.amount, self.eligibility = self.proposal.amount, self.proposal.eligibility
        self.explanation = self.proposal.explanation
        self.side.addTab(self.proposal, "测算结果")
        self.history = HistoryTable()
        self.side.addTab(self.history, "办理记录")
        printing = CasePrintPanel(shell, case_id)
        printing.requested.connect(lambda kind: self.print_requested.emit(self.case_id, kind))
        self.print_panel = printing
        self.side.addTab(printing, "打印")
        from ..ledger_panel import LedgerPanel

        self.ledger_panel = LedgerPanel(shell, case_id)
        self.side.addTab(self.ledger_panel, "发放台账")
        self.benefit_panel = BenefitPanel()
        self.benefit_panel.open_case.connect(self._open_other)
        splitter.addWidget(self.side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        outer.addWidget(splitter, 1)

        self._draft_timer = shell.clock.timer(self, 1000, self.save_draft)
        self._preview_timer = shell.clock.timer(self, 400, self._preview)
        self.effective.changed.connect(self._edited)

    # --- loading ---------------------------------------------------------------------------
    @property
    def draft_key(self) -> str:
        return f"case/{self.case_id}"

    @property
    def username(self) -> str:
        return self.shell.user["username"]

    def load(self, keep_entries: bool = False) -> None:
        entries = self.entered() if keep_entries else None
        self.shell.executor.submit(self.shell.backend.case_bundle, self.case_id, self.username, self.draft_key,
                                   owner=self, on_done=lambda b: self._loaded(b, entries))

    def on_changes(self, changes: ops.Changes, initiator: object | None) -> None:
        """Another page wrote this case, its parent or one opened on it (a 复核 decided in the 审批队列,
        a batch): read it again, keeping what the clerk has typed and not yet sent."""
        if initiator is self or self.view is None:
            return
        shown = {self.case_id, *(int(r["id"]) for r in self.links.get("related", []))}
        if self.links.get("parent"):
            shown.add(int(self.links["parent"]["id"]))
        if changes.touches(shown):
            self.load(keep_entries=True)

    def _loaded(self, bundle: dict[str, Any], entries: dict[str, Any] | None = None) -> None:
        self.household = bundle["household"]
        self.links = bundle.get("links") or {"parent": None, "related": []}
        self.render(bundle["view"])
        draft = bundle["draft"]
        if entries:
            self._apply_entries(entries)
        elif draft and not self.view.closed:
            self._apply_entries(draft["data"].get("forms", {}))
            if draft["data"].get("effective_date"):
                self.effective.setText(draft["data"]["effective_date"])
            self.show_banner(f"已恢复 {draft['saved_at']} 自动保存的草稿（尚未提交）。", "banner")
            self._preview()
        self.loaded.emit()

    def _apply_entries(self, forms: dict[str, Any]) -> None:
        for form_id, values in forms.items():
            if form_id in self.editors:
                # Only what was typed: fields left empty keep the stored (perhaps newer) values.
                self.editors[form_id].set_values({k: v for k, v in values.items() if v not in (None, "", [])})

    def render(self, view: CaseView) -> None:
        self.view = view
        self.spec = self.shell.backend.workflow_for(view.workflow.id)
        hh = view.household
        kind = view.kind or "application"
        self.title.setText(f"{view.number}  {hh['head']}户 · {view.programme_label}"
                           f"{'' if kind == 'application' else KIND_SHORT.get(kind, view.kind_label)}"
                           f"  —  {view.state_label}")
        self.kind_chip.setText(KIND_SHORT.get(kind, view.kind_label or kind))
        self.kind_chip.setVisible(True)
        self.step_bar.show_case(self.spec, view)
        self.deadline.setText(self._deadline_text(view))
        self._render_parent(view)
        self._render_pending(view)
        self._render_summary()
        self._render_forms(view)
        self.set_triggers(view.available_triggers)
        self._render_proposal(view)
        self._render_history(view)
        self._render_documents(view)
        self._render_benefit(view)
        self._render_life_buttons(view)

    def _deadline_text(self, view: CaseView) -> str:
        text = deadline_text(self.spec, view)
        overdue = "逾期" in text
        self.deadline.setStyleSheet("color: #c62828; font-weight: bold;" if overdue else "")
        return text

    def _render_summary(self) -> None:
        self.summary.show_household(self.household, self.view, self.links)

    def _render_forms(self, view: CaseView) -> None:
        state = self.spec.state(view.state)
        if self._editor_state != view.state or view.closed:
            for editor in self.editors.values():
                editor.setParent(None)
                editor.deleteLater()
            self.editors = {}
            self._editor_state = view.state
            if not view.closed:
                for form_id in state.forms:
                    editor = FormEditor(self.shell.backend.definitions.forms[form_id], self.shell.backend.today())
                    editor.changed.connect(self._edited)
                    self.editors[form_id] = editor
                    self.forms_layout.addWidget(editor)
        for form_id, editor in self.editors.items():
            editor.set_values(view.forms.get(form_id) or {})
        self.save_button.setVisible(bool(self.editors) and hasattr(self.shell.backend.cases, "save_forms"))

    def set_triggers(self, triggers: list[dict[str, Any]]) -> None:
        """Buttons for the actions of this step: enabled when allowed, else disabled with the reason."""
        self.triggers = triggers
        while self.button_row.count():
            item = self.button_row.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.buttons = {}
        why = []
        for t in triggers:
            button = QPushButton(t.label)
            button.setObjectName(f"trigger_{t.trigger}")
            button.setEnabled(t.allowed)
            if t.allowed:
                button.setToolTip(f"办理后进入「{t.to_label}」")
            else:
                reason = "；".join(t.reasons)
                button.setToolTip(f"现在不能办理「{t.label}」：\n" + "\n".join(t.reasons))
                why.append(f"「{t.label}」：{reason}")
            button.clicked.connect(lambda _=False, t=t: self.request(t.trigger))
            self.buttons[t.trigger] = button
            self.button_row.addWidget(button)
        if self.view and self.view.closed:
            why = ["案件已办结，不能再办理。"]
        elif not triggers:
            why = ["您的角色在本环节没有可办理的事项。"]
        self._set_reasons("\n".join(why))

    def _set_reasons(self, text: str) -> None:
        self.reasons.setText(text)
        self.reasons.setToolTip(text)

    def _render_proposal(self, view: CaseView) -> None:
        self.proposal.show_case(view, self.spec, self.shell.backend.definitions.forms)

    def _render_history(self, view: CaseView) -> None:
        self.history.show_case(view)

    def _render_documents(self, view: CaseView) -> None:
        state = self.spec.state(view.state)
        self.print_panel.set_case(view, [(k, document_title(k, view.programme)) for k in state.documents])

    def show_print_tab(self) -> CasePrintPanel:
        self.side.setCurrentWidget(self.print_panel)
        return self.print_panel

    # --- editing: drafts and the live preview of actions --------------------------------------------
    def entered(self) -> dict[str, Any]:
        return {fid: e.values() for fid, e in self.editors.items()}

    def _edited(self) -> None:
        self._draft_dirty = True
        self._draft_timer.start()
        self._preview_timer.start()

    def save_draft(self) -> None:
        """Keep what is typed (not yet sent) in the database, per user and case."""
        if not self._draft_dirty or self.view is None or self.view.closed:
            return
        self._draft_dirty = False
        forms = {fid: e.filled() for fid, e in self.editors.items() if e.filled()}
        data = {"forms": forms, "effective_date": self.effective.text()} if forms else {}
        self.shell.executor.submit(self.shell.backend.drafts.save, self.username, self.draft_key, data,
                                   self.view.version, owner=self)

    def _preview(self) -> None:
        if self.view is None or self.view.closed or not self.editors:
            return
        submitted = {fid: {k: v for k, v in e.values().items() if v is not None} for fid, e in self.editors.items()}
        day = self.effective.text() or None
        try:
            if day:
                dt.date.fromisoformat(day)
        except ValueError:
            day = None
        version = self.view.version
        self.shell.executor.submit(self.shell.backend.queries.preview_triggers, self.case_id, self.username,
                                   submitted, day, owner=self,
                                   on_done=lambda ts: self.set_triggers(ts) if self.view.version == version else None,
                                   on_error=lambda exc: log.info("preview failed: %s", exc))

    # --- actions -----------------------------------------------------------------------------
    def request(self, trigger: str) -> None:
        """A button was clicked: open the action's dialog if it has one, else do it."""
        t = next((x for x in self.triggers if x["trigger"] == trigger), None)
        if t is None or self.view is None:
            return
        if t.forms or t.reason_required:
            dialog = ActionDialog(t, self.shell.backend.definitions.forms, self.view, self.shell.backend.today(), self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.finished.connect(lambda result, d=dialog: self._dialog_done(d, result))
            self.dialog = dialog
            dialog.show()
            return
        self.fire(trigger)

    def _dialog_done(self, dialog: ActionDialog, result: int) -> None:
        self.dialog = None
        if result == QDialog.DialogCode.Accepted:
            self.fire(dialog.trigger["trigger"], dialog.data(), dialog.comment.toPlainText().strip())

    def _state_data(self) -> dict[str, dict[str, Any]]:
        data = {}
        for fid, e in self.editors.items():
            values = e.values()
            if any(v not in (None, False) for v in values.values()) or (self.view.forms.get(fid)):
                data[fid] = values
        return data

    def fire(self, trigger: str, extra: dict[str, Any] | None = None, comment: str = "") -> None:
        t = self.spec.transition(self.view.state, trigger)
        if t is not None and "forms_complete" in t.conditions and not t.forms and self.editors:
            problems = {fid: e.validate() for fid, e in self.editors.items()}
            missing = [f"「{self.editors[fid].spec.title}」" for fid, p in problems.items() if p]
            if missing:
                self.show_banner(f"不能办理「{t.label}」：请先把{'、'.join(missing)}填写完整（见各栏旁的提示）。",
                                 "refusal")
                return
        data = {**self._state_data(), **(extra or {})}
        self._last_request = (trigger, extra, comment)
        for b in self.buttons.values():
            b.setEnabled(False)
        ops.advance(self.shell, self.case_id, trigger, data, effective_date=self.effective.text() or None,
                    comment=comment, expected_version=self.view.version) \
            .success(lambda view: self._fired(trigger, view)).failure(self._failed).run_in_background(initiator=self)

    def _fired(self, trigger: str, view: CaseView) -> None:
        label = next((t.label for t in self.triggers if t.trigger == trigger), trigger)
        self._draft_dirty = False
        self._draft_timer.stop()
        self.shell.executor.submit(self.shell.backend.drafts.discard, self.username, self.draft_key, owner=self)
        self.shell.executor.submit(self.shell.backend.queries.household_of_case, self.case_id, self.username, owner=self,
                                   on_done=self._household_arrived)
        self.render(view)
        self.show_banner(f"已办理「{label}」，案件现在处于「{view.state_label}」。", "ok")

    def _household_arrived(self, household: dict[str, Any]) -> None:
        self.household = household
        self._render_summary()

    def _failed(self, exc: BaseException) -> None:
        self.set_triggers(self.triggers)
        if is_stale(exc):
            self._conflict(exc)
            return
        if is_storage(exc):
            show_error(exc, self)
            self.show_banner(str(exc), "refusal")
            return
        if isinstance(exc, InputError) and exc.field and exc.field.startswith("data."):
            parts = exc.field.split(".")
            if len(parts) >= 3 and parts[1] in self.editors:
                self.editors[parts[1]].show_messages({parts[2]: friendly(exc)})
        if is_known(exc):  # a known error: bad input or a refused action
            self.show_banner(friendly(exc), "refusal")
            return
        show_error(exc, self)

    def _conflict(self, exc: BaseException) -> None:
        mine = {"version": self.view.version, "state_label": self.view.state_label, "forms_entered": self.entered()}

        def arrived(theirs: CaseView) -> None:
            dialog = ConflictDialog(mine, theirs, self.shell.backend.definitions.forms, self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.finished.connect(lambda result: self._conflict_done(result, theirs, mine["forms_entered"]))
            self.dialog = dialog
            dialog.show()

        self.show_banner(friendly(exc), "refusal")
        self.shell.executor.submit(self.shell.backend.cases.show, self.case_id, self.username, owner=self,
                                   on_done=arrived)

    def _conflict_done(self, result: int, theirs: CaseView, entries: dict[str, Any]) -> None:
        self.dialog = None
        self.render(theirs)
        if result == ConflictDialog.REAPPLY:
            self._apply_entries(entries)
            trigger, extra, comment = self._last_request
            available = {t.trigger for t in theirs["available_triggers"]}
            if trigger in available:
                self.fire(trigger, extra, comment)
            else:
                self.show_banner("已在最新版本上保留您的填写；原操作在当前环节不可办理，请检查后再办理。", "banner")
        else:
            self.shell.executor.submit(self.shell.backend.drafts.discard, self.username, self.draft_key, owner=self)
            self.show_banner("已载入最新版本。", "banner")

    def save_forms(self) -> None:
        data = {fid: values for fid, values in self._state_data().items()}
        if not data:
            self.show_banner("没有要保存的内容。", "banner")
            return

        def saved(view: CaseView) -> None:
            self._draft_dirty = False
            self.shell.executor.submit(self.shell.backend.drafts.discard, self.username, self.draft_key, owner=self)
            self.render(view)
            self.show_banner("本环节表单已保存到案件。", "ok")

        self._last_request = ("", None, "")
        ops.save_forms(self.shell, self.case_id, data, effective_date=self.effective.text() or None,
                       expected_version=self.view.version).success(saved).failure(self._failed) \
            .run_in_background(initiator=self)

    def show_banner(self, text: str, kind: str) -> None:
        self.banner.setText(text)
        set_role(self.banner, kind)
        self.banner.show()

    def refusal_text(self) -> str:
        return self.banner.text() if self.banner.property("role") == "refusal" else ""

    def closing(self) -> None:
        """The tab or the window closes: keep what is typed."""
        if self._draft_timer.isActive() or self._draft_dirty:
            self._draft_timer.stop()
            self.save_draft()

