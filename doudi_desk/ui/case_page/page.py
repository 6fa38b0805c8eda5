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
    QDialogButtonBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...domain.errors import InputError
from ...domain.programmes import REGISTRY, programme
from ...domain.specs import WorkflowSpec
from ..errors import friendly, is_stale, is_storage, show_error
from ..forms import DateField, FormEditor
from ..lifecycle_ui import (
    BENEFIT_KINDS,
    KIND_SHORT,
    STAFF_ROLES,
    BenefitPanel,
    ChangeDialog,
    HouseholdDialog,
    StartReviewDialog,
    SubmitDialog,
    TerminationDialog,
    status_text,
)
from ..printing_ui.case_panel import CasePrintPanel
from ..style import set_role

log = logging.getLogger(__name__)

REASON_LINES = 2  # the height of the "why not now" text under the action buttons

DOCUMENT_LABELS = {
    "application_form": "最低生活保障申请书", "authorization": "家庭经济状况核对授权书",
    "income_statement": "家庭收入及财产申报表", "correction_notice": "补正材料告知书",
    "not_accepted_notice": "不予受理告知书", "acceptance_notice": "受理通知书", "home_visit_form": "入户调查表",
    "neighbour_record": "邻里访问记录", "verification_request": "家庭经济状况核对申请",
    "preliminary_opinion_form": "乡镇初审意见表", "approval_form": "审核确认表", "posting_list": "初审公示名单",
    "objection_record": "异议登记表", "review_record": "民主评议记录", "county_visit_form": "县级入户核查表",
    "confirmation_notice": "确认通知书", "certificate": "低保证", "publication_list": "长期公布名单",
    "refusal_notice": "不予确认告知书", "self_care_form": "生活自理能力评估表", "first_aid_record": "先行救助记录",
    "collective_record": "集体研究记录", "review_notice": "复核通知书", "change_report": "家庭情况变化报告表",
    "adjustment_notice": "保障金额调整通知书", "termination_proposal": "停保审批表",
    "termination_notice": "停保通知书",
}
# Forms in which an approver confirms (or changes, with a reason) the computed amount.
AMOUNT_FORMS = frozenset(f for p in REGISTRY.values() if p.amount_editable for f in p.approval_forms)


def document_label(kind: str, code: str | None = None) -> str:
    """The Chinese name of a document kind, as the programme calls it (低保证 / 特困人员救助供养证 …;
    the registry's ``documents``, domain/programmes.py)."""
    default = DOCUMENT_LABELS.get(kind, kind)
    return REGISTRY[code].document(kind, default) if code in REGISTRY else default


def _parts_text(code: str, record: dict[str, Any]) -> str:
    """A programme paid as several allowances: each one's amount (（困难残疾人生活补贴 80 元、…）)."""
    from ...domain.programmes import parts_of

    parts = parts_of(code, record) if code in REGISTRY else {}
    if not parts:
        return ""
    prog = REGISTRY[code]
    return "（" + "、".join(f"{prog.part(k).label} {v} 元" for k, v in parts.items()) + "）"


def _unwanted(view: dict[str, Any]) -> set[str]:
    """Triggers that leave the usual road of this case: the other approval level."""
    unwanted = {"submit_to_county"} if view.get("county_delegated") else {"submit_for_decision"}
    level = (view.get("proposal") or {}).get("approval_level")  # 临时救助: by amount
    if level == "township":
        unwanted.add("submit_to_county")
    elif level in ("county", "county_collective"):
        unwanted.add("submit_for_township_approval")
    return unwanted


def main_path(spec: WorkflowSpec, delegated: bool | dict[str, Any]) -> list[str]:
    """The usual road through a workflow, for the step bar.

    From the initial state, prefer actions that need no extra form and no written reason (the 'yes'
    path), then steps this case has already been through, then the approval level that applies to
    it. A step the case went through between two steps of that road (先行救助 between 已受理 and
    调查核实) is put in its place. ``delegated`` may be the case view (preferred) or, as before,
    whether the county delegated the decision.
    """
    view = delegated if isinstance(delegated, dict) else {"county_delegated": bool(delegated), "history": []}
    visited = {e["to_state"] for e in view.get("history", [])}
    unwanted = _unwanted(view)
    path = [spec.initial]
    while len(path) < len(spec.states):
        options = [t for t in spec.transitions_from(path[-1]) if t.dest not in path]
        if not options:
            break
        best = min(options, key=lambda t: (bool(t.forms or t.reason_required), t.dest not in visited,
                                           t.trigger in unwanted))
        path.append(best.dest)
        if spec.state(path[-1]).final:
            break
    for state in [s.name for s in spec.states if s.name in visited and s.name not in path]:
        for i in range(len(path) - 1):
            into = any(t.dest == state for t in spec.transitions_from(path[i]))
            out = any(t.dest == path[i + 1] for t in spec.transitions_from(state))
            if into and out:
                path.insert(i + 1, state)
                break
    return path


class StepBar(QWidget):
    """The workflow's main path with done / current / to-come steps; a side step (异议处理…) is
    shown as an orange chip after the step it branched from."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(2)
        self.labels: list[QLabel] = []

    def show_case(self, spec: WorkflowSpec, view: dict[str, Any]) -> None:
        while self.row.count():
            item = self.row.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.labels = []
        path = main_path(spec, view)
        state = view["state"]
        visited = {e["to_state"] for e in view["history"]}
        anchor = None
        if state not in path:
            for e in reversed(view["history"]):
                if e["from_state"] in path:
                    anchor = e["from_state"]
                    break
        current_index = path.index(state) if state in path else (path.index(anchor) if anchor in path else -1)
        for i, name in enumerate(path):
            if i:
                arrow = QLabel("›")
                set_role(arrow, "todo", "step")
                self.row.addWidget(arrow)
            label = QLabel(spec.state(name).label)
            kind = "current" if name == state else ("done" if i <= current_index or name in visited and i < current_index
                                                     else "todo")
            if name != state and i <= current_index:
                kind = "done"
            set_role(label, kind, "step")
            label.setObjectName(f"step_{name}")
            self.labels.append(label)
            self.row.addWidget(label)
            if name == anchor:
                side = QLabel(f"↳ {spec.state(state).label}")
                set_role(side, "side", "step")
                side.setObjectName(f"step_{state}")
                self.labels.append(side)
                self.row.addWidget(side)
        if state not in path and anchor is None:
            side = QLabel(spec.state(state).label)
            set_role(side, "side", "step")
            self.labels.append(side)
            self.row.addWidget(side)
        self.row.addStretch(1)

    def current_label(self) -> str:
        for label in self.labels:
            if label.property("step") in ("current", "side"):
                return label.text().lstrip("↳ ")
        return ""


class ActionDialog(QDialog):
    """An action that brings its own form (登记异议, 确认 …) or needs a written reason."""

    def __init__(self, trigger: dict[str, Any], forms: dict[str, Any], view: dict[str, Any], today: dt.date,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.trigger = trigger
        self.setWindowTitle(f"办理：{trigger['label']}")
        self.setObjectName(f"action_{trigger['trigger']}")
        layout = QVBoxLayout(self)
        intro = QLabel(f"办理「{trigger['label']}」后，案件进入「{trigger['to_label']}」。")
        layout.addWidget(intro)
        self.editors: dict[str, FormEditor] = {}
        for form_id in trigger["forms"]:
            editor = FormEditor(forms[form_id], today)
            stored = dict(view["forms"].get(form_id) or {})
            if form_id in AMOUNT_FORMS and not stored.get("amount") and view.get("proposal"):
                p = view["proposal"]
                if not programme(view["programme"]).monthly:
                    stored["amount"] = p.get("amount")
                elif p.get("eligible") or view.get("kind", "application") == "application":
                    stored["amount"] = p.get("monthly_amount")
            editor.set_values(stored)
            self.editors[form_id] = editor
            layout.addWidget(editor)
        layout.addWidget(QLabel("说明" + ("（必须写明理由）＊" if trigger["reason_required"] else "（可不填）")))
        self.comment = QPlainTextEdit()
        self.comment.setObjectName("comment")
        self.comment.setFixedHeight(70)
        layout.addWidget(self.comment)
        self.error = QLabel()
        set_role(self.error, "error")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(trigger["label"])
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
        if self.trigger["reason_required"] and not self.comment.toPlainText().strip():
            self.error.setText(f"办理「{self.trigger['label']}」须写明理由")
            return
        self.accept()

    def data(self) -> dict[str, dict[str, Any]]:
        return {fid: e.values() for fid, e in self.editors.items()}


class ConflictDialog(QDialog):
    """Someone else changed the case meanwhile: both versions side by side, and the choice to
    apply this clerk's entries again on top of the latest version."""

    REAPPLY = 2

    def __init__(self, mine: dict[str, Any], theirs: dict[str, Any], forms: dict[str, Any] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("案件已被他人修改")
        self.setObjectName("conflict_dialog")
        layout = QVBoxLayout(self)
        last = theirs["history"][-1] if theirs["history"] else None
        who = f"{last['actor_name']} 于 {last['recorded_at']} 办理了「{last['action']}」" if last else "他人修改了案件"
        text = QLabel(f"您打开案件后，{who}。\n您的版本：{mine['version']}（环节：{mine['state_label']}）；"
                      f"当前版本：{theirs['version']}（环节：{theirs['state_label']}）。\n"
                      "下表列出您填写的内容与当前版本不同之处。")
        text.setWordWrap(True)
        layout.addWidget(text)
        rows = []
        forms = forms or {}
        for form_id, values in mine["forms_entered"].items():
            stored = theirs["forms"].get(form_id) or {}
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


class CasePage(QWidget):
    """One case. Signals: changed(int) after an action; print_requested(int, str) from the 打印 area."""

    changed = Signal(int)
    print_requested = Signal(int, str)
    loaded = Signal()

    def __init__(self, shell, case_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.shell = shell
        self.case_id = case_id
        self.view: dict[str, Any] | None = None
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
        self.summary = QGroupBox("家庭")
        summary_layout = QVBoxLayout(self.summary)
        self.summary_text = QLabel()
        self.summary_text.setWordWrap(True)
        summary_layout.addWidget(self.summary_text)
        self.members = QTableWidget(0, 6)
        self.members.setHorizontalHeaderLabels(["姓名", "关系", "性别", "年龄", "身份证号码", "情况"])
        self.members.verticalHeader().setVisible(False)
        self.members.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.members.horizontalHeader().setStretchLastSection(True)
        for i, w in enumerate((70, 50, 40, 40, 160)):
            self.members.setColumnWidth(i, w)
        summary_layout.addWidget(self.members)
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
        proposal = QWidget()
        p_layout = QVBoxLayout(proposal)
        self.amount = QLabel("尚未测算")
        self.amount.setObjectName("amount")
        set_role(self.amount, "amount")
        p_layout.addWidget(self.amount)
        self.eligibility = QLabel()
        self.eligibility.setWordWrap(True)
        p_layout.addWidget(self.eligibility)
        self.explanation = QListWidget()
        self.explanation.setObjectName("explanation")
        self.explanation.setWordWrap(True)
        p_layout.addWidget(self.explanation)
        self.side.addTab(proposal, "测算结果")
        self.history = QTableWidget(0, 6)
        self.history.setObjectName("history")
        self.history.setHorizontalHeaderLabels(["办理日期", "办理人", "事项", "环节", "说明", "记录时间"])
        self.history.verticalHeader().setVisible(False)
        self.history.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        # Every column fits the side panel at 1366 wide (nothing to scroll sideways): dates, names
        # and the time recorded take what they need, the step and the comment share the rest
        # and wrap.
        self.history.setWordWrap(True)
        self.history.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.history.horizontalHeader()
        header.setMinimumSectionSize(40)
        self.history.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents,) * 3
                                      + (QHeaderView.ResizeMode.Stretch,) * 2
                                      + (QHeaderView.ResizeMode.ResizeToContents,)):
            header.setSectionResizeMode(column, mode)
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

    def _loaded(self, bundle: dict[str, Any], entries: dict[str, Any] | None = None) -> None:
        self.household = bundle["household"]
        self.links = bundle.get("links") or {"parent": None, "related": []}
        self.render(bundle["view"])
        draft = bundle["draft"]
        if entries:
            self._apply_entries(entries)
        elif draft and not self.view["closed"]:
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

    def render(self, view: dict[str, Any]) -> None:
        self.view = view
        self.spec = self.shell.backend.workflow_for(view["workflow"]["id"])
        hh = view["household"]
        kind = view.get("kind") or "application"
        self.title.setText(f"{view['number']}  {hh['head']}户 · {view['programme_label']}"
                           f"{'' if kind == 'application' else KIND_SHORT.get(kind, view.get('kind_label', ''))}"
                           f"  —  {view['state_label']}")
        self.kind_chip.setText(KIND_SHORT.get(kind, view.get("kind_label") or kind))
        self.kind_chip.setVisible(True)
        self.step_bar.show_case(self.spec, view)
        self.deadline.setText(self._deadline_text(view))
        self._render_parent(view)
        self._render_pending(view)
        self._render_summary()
        self._render_forms(view)
        self.set_triggers(view["available_triggers"])
        self._render_proposal(view)
        self._render_history(view)
        self._render_documents(view)
        self._render_benefit(view)
        self._render_life_buttons(view)

    # --- life after approval --------------------------------------------------------------------
    def _render_parent(self, view: dict[str, Any]) -> None:
        parent = view.get("parent_case")
        if parent:
            self.parent_button.setText(f"原保障案件 {parent} ›")
        self.parent_button.setVisible(bool(parent))

    def _render_pending(self, view: dict[str, Any]) -> None:
        pending = view.get("pending_completion") or []
        if not pending:
            self.pending.hide()
            return
        aid = view["forms"].get("first_aid") or {}
        paid = f"已于 {aid.get('paid_on')} 先行救助 {aid.get('amount')} 元。" if aid.get("amount") else "已先行救助。"
        self.pending.setText(f"{paid}待补办：{'、'.join(pending)}（补齐后方可办结）")
        self.pending.show()

    def _render_benefit(self, view: dict[str, Any]) -> None:
        index = self.side.indexOf(self.benefit_panel)
        if not view.get("benefit"):
            if index >= 0:
                self.side.removeTab(index)
            return
        self.benefit_panel.show_benefit(view, self.links, self.shell.backend.today())
        if index < 0:
            self.side.insertTab(0, self.benefit_panel, "保障情况")
        if not self._benefit_selected:
            self._benefit_selected = True
            self.side.setCurrentWidget(self.benefit_panel)

    def _roles(self) -> set[str]:
        return set((self.shell.user or {}).get("roles", []))

    def _render_life_buttons(self, view: dict[str, Any]) -> None:
        staff = bool(self._roles() & STAFF_ROLES)
        benefit = view.get("benefit")
        covered = (bool(benefit) and view.get("kind", "application") in BENEFIT_KINDS
                   and self.spec.outcome_of(view["state"]) == "approved")
        status = (benefit or {}).get("status_today")
        open_child = next((c for c in self.links.get("related", []) if not c["closed"]), None)
        why = ""
        if status == "stopped":
            why = "已停保，不能再开展复核、登记变化或提出停保"
        elif open_child:
            why = f"已有未办结的{open_child['kind_label']}案件 {open_child['number']}，请先办结"
        for key in ("start_review", "start_change", "start_termination"):
            button = self.life_buttons[key]
            button.setVisible(covered and staff)
            button.setEnabled(not why)
            if why:
                button.setToolTip(why)
        editable = staff and not view["closed"] and self.spec.has_role(view["state"], "household_editable")
        self.life_buttons["edit_household"].setVisible(editable)
        if covered:
            text = f"保障状态：{status_text(benefit)}。"
            if staff:
                text += why + "。" if why else "可开展复核、登记家庭情况变化或提出停保。"
            self._set_reasons(text)

    def _open_other(self, case_id: int) -> None:
        if hasattr(self.shell, "open_case"):
            self.shell.open_case(case_id)

    def open_parent(self) -> None:
        parent = self.links.get("parent")
        if parent:
            self._open_other(parent["id"])

    def _day(self) -> str:
        return self.effective.text() or self.shell.backend.today().isoformat()

    def _show_dialog(self, dialog: SubmitDialog, run) -> SubmitDialog:
        """Show a lifecycle dialog; ``run(data, done, failed)`` does the work when it is submitted."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))

        def submitted(data: dict[str, Any]) -> None:
            def failed(exc: BaseException) -> None:
                if isinstance(exc, InputError) or (hasattr(exc, "message") and not is_storage(exc)):
                    dialog.refused(exc)
                else:
                    dialog.refused("操作没有完成，详见错误信息。")
                    show_error(exc, self)
            run(data, dialog.done_ok, failed)

        dialog.submitted.connect(submitted)
        self.dialog = dialog
        dialog.show()
        return dialog

    def _opened_case(self, view: dict[str, Any], message: str) -> None:
        """A review, change or termination was opened on this case: reload this page, open the new one."""
        self.load()
        self.show_banner(message, "ok")
        self.changed.emit(self.case_id)
        self._open_other(view["id"])

    def start_review(self) -> StartReviewDialog | None:
        if self.view is None:
            return None
        dialog = StartReviewDialog(self.view, self.shell.backend.today(), self._day(), self)

        def run(data, done, failed):
            def ok(view):
                done()
                self._opened_case(view, f"已开立复核案件 {view['number']}。")
            self.shell.executor.submit(self.shell.backend.lifecycle.start_review, self.case_id, self.username,
                                       effective_date=data["effective_date"], comment=data["comment"],
                                       owner=self, on_done=ok, on_error=failed)

        return self._show_dialog(dialog, run)

    def start_change(self) -> ChangeDialog | None:
        if self.view is None:
            return None
        members = [m["name"] for m in (self.household or {}).get("members", [])]
        dialog = ChangeDialog(self.view, members, self.shell.backend.definitions.forms["change_report"],
                              self.shell.backend.today(), self._day(), self)

        def run(data, done, failed):
            def ok(view):
                done()
                if view["kind"] == "termination":
                    message = f"唯一保障对象{data['change'].get('member', '')}不再享受保障，已提出停保：{view['number']}。"
                else:
                    message = f"已登记家庭情况变化，开立变更案件 {view['number']}。"
                self._opened_case(view, message)
            self.shell.executor.submit(self.shell.backend.lifecycle.start_change, self.case_id, self.username,
                                       data["change"], effective_date=data["effective_date"],
                                       owner=self, on_done=ok, on_error=failed)

        return self._show_dialog(dialog, run)

    def start_termination(self) -> TerminationDialog | None:
        if self.view is None:
            return None
        dialog = TerminationDialog(self.view, self.shell.backend.definitions.forms["termination"],
                                   self.shell.backend.today(), self._day(), self)

        def run(data, done, failed):
            def ok(view):
                done()
                self._opened_case(view, f"已提出停保，开立停保案件 {view['number']}。")
            self.shell.executor.submit(self.shell.backend.lifecycle.start_termination, self.case_id, self.username,
                                       data["reason"], data["reasons"], rule=data["rule"],
                                       effective_date=data["effective_date"], owner=self, on_done=ok,
                                       on_error=failed)

        return self._show_dialog(dialog, run)

    def edit_household(self) -> None:
        """修改家庭情况: read the household as stored (full ID numbers), then show the dialog."""
        if self.view is None:
            return
        version = self.view["version"]

        def arrived(household: dict[str, Any]) -> None:
            dialog = HouseholdDialog(self.view, household, self.shell.backend.today(), self._day(), self)

            def run(data, done, failed):
                def ok(view):
                    done()
                    self.shell.executor.submit(self.shell.backend.queries.household_of_case, self.case_id, self.username,
                                               owner=self, on_done=self._household_arrived)
                    self.render(view)
                    self.show_banner("已修改家庭情况，修改已记入办理记录。", "ok")
                    self.changed.emit(self.case_id)
                self.shell.executor.submit(self.shell.backend.cases.update_household, self.case_id, self.username,
                                           data["household"], effective_date=data["effective_date"],
                                           comment=data["comment"], expected_version=version, owner=self,
                                           on_done=ok, on_error=failed)

            self._show_dialog(dialog, run)

        self.shell.executor.submit(self.shell.backend.life_queries.household_for_edit, self.case_id, self.username,
                                   owner=self, on_done=arrived, on_error=self._failed)

    def _deadline_text(self, view: dict[str, Any]) -> str:
        d = view["deadline"]
        parts = []
        state = self.spec.state(view["state"])
        limit = (f"时限 {state.time_limit_wd} 个工作日" if state.time_limit_wd else
                 f"时限 {state.time_limit_days} 天" if state.time_limit_days else "")
        if d["state"]:
            if d["state_working_days_left"] is not None:
                left = d["state_working_days_left"]
                tail = f"剩余 {left} 个工作日" if left >= 0 else f"已逾期 {-left} 个工作日"
            elif d["state_calendar_days_left"] is not None:
                left = d["state_calendar_days_left"]
                tail = f"剩余 {left} 天" if left >= 0 else f"已满 {-left} 天"
            else:
                tail = ""
            parts.append(f"本环节（{limit}）期限 {d['state']}，{tail}")
        if d["total"]:
            left = d["total_working_days_left"]
            tail = "" if left is None else (f"剩余 {left} 个工作日" if left >= 0 else f"已逾期 {-left} 个工作日")
            parts.append(f"办结期限 {d['total']}，{tail}")
        if view["county_delegated"]:
            parts.append("县级已授权乡镇审批确认")
        if view["staff_relative"]:
            parts.append("近亲属备案")
        if not d.get("calendar_covers_year", True):
            parts.append("注意：今年的国家节假日安排尚未载入，期限按周一至周五计算")
        if view["closed"]:
            parts.append("案件已办结")
        text = "；".join(parts)
        overdue = "逾期" in text
        self.deadline.setStyleSheet("color: #c62828; font-weight: bold;" if overdue else "")
        return text

    def _render_summary(self) -> None:
        h = self.household or {}
        income = "；".join(f"{i['member']} {i['type']} {i['amount']} 元/年" for i in h.get("income", [])) or "无"
        rigid = "；".join(f"{e['kind']} {e['amount']} 元/年" for e in h.get("rigid_expenses", [])) or "无"
        a = h.get("assets", {})
        claim = (self.links or {}).get("claim")
        claim_text = (f"临时救助申请：{claim['type_label']}，拟申请 {claim['amount']} 元，事由：{claim['cause'] or '—'}\n"
                      if claim else "")
        economy = (f"收入：{income}\n刚性支出：{rigid}\n"
                   f"财产：金融资产 {a.get('financial', '0')} 元，车辆 {a.get('vehicles', 0)} 辆，住房 {a.get('homes', 0)} 套"
                   + ("，有商业用房" if a.get("commercial_property") else ""))
        if "economic_data" in ((self.view or {}).get("benefit") or {}).get("pending", []):
            economy = "收入、支出和财产：待补录家庭经济状况（按花名册导入，尚未调查，复核时补录）"
        self.summary_text.setText(
            claim_text +
            f"{h.get('village_name', '')} {h.get('address', '')}  电话 {h.get('phone') or '—'}"
            f"  发放账户 {' '.join(v for v in (h.get('bank_name'), h.get('bank_account')) if v) or '未登记'}\n"
            + economy)
        members = h.get("members", [])
        self.members.setRowCount(len(members))
        for r, m in enumerate(members):
            for c, key in enumerate(("name", "relation", "sex", "age", "id_number", "notes")):
                self.members.setItem(r, c, QTableWidgetItem(str(m[key])))
        self.members.resizeRowsToContents()
        height = self.members.horizontalHeader().height() + 4
        height += sum(self.members.rowHeight(r) for r in range(len(members))) or 26
        self.members.setFixedHeight(height)

    def _render_forms(self, view: dict[str, Any]) -> None:
        state = self.spec.state(view["state"])
        if self._editor_state != view["state"] or view["closed"]:
            for editor in self.editors.values():
                editor.setParent(None)
                editor.deleteLater()
            self.editors = {}
            self._editor_state = view["state"]
            if not view["closed"]:
                for form_id in state.forms:
                    editor = FormEditor(self.shell.backend.definitions.forms[form_id], self.shell.backend.today())
                    editor.changed.connect(self._edited)
                    self.editors[form_id] = editor
                    self.forms_layout.addWidget(editor)
        for form_id, editor in self.editors.items():
            editor.set_values(view["forms"].get(form_id) or {})
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
            button = QPushButton(t["label"])
            button.setObjectName(f"trigger_{t['trigger']}")
            button.setEnabled(t["allowed"])
            if t["allowed"]:
                button.setToolTip(f"办理后进入「{t['to_label']}」")
            else:
                reason = "；".join(t["reasons"])
                button.setToolTip(f"现在不能办理「{t['label']}」：\n" + "\n".join(t["reasons"]))
                why.append(f"「{t['label']}」：{reason}")
            button.clicked.connect(lambda _=False, t=t: self.request(t["trigger"]))
            self.buttons[t["trigger"]] = button
            self.button_row.addWidget(button)
        if self.view and self.view["closed"]:
            why = ["案件已办结，不能再办理。"]
        elif not triggers:
            why = ["您的角色在本环节没有可办理的事项。"]
        self._set_reasons("\n".join(why))

    def _set_reasons(self, text: str) -> None:
        self.reasons.setText(text)
        self.reasons.setToolTip(text)

    def _render_proposal(self, view: dict[str, Any]) -> None:
        """测算结果: the proposal and its explanation; once decided, the decision (an approval, a
        refusal, or for a review/change/termination what it did to the benefit)."""
        p = view.get("proposal")
        self.explanation.clear()
        decision = view.get("decision")
        kind = view.get("kind") or "application"
        prog = programme(view["programme"])
        one_off = not prog.monthly
        if decision and kind not in BENEFIT_KINDS:
            self.amount.setText(self._result_text(decision))
            tail = f"；理由：{decision['reasons']}" if decision.get("reasons") else ""
            self.eligibility.setText(f"{decision.get('decided_on', '')} 决定，自 {decision.get('effective_month', '')} "
                                     f"起执行{tail}")
        elif decision and decision.get("imported"):  # 历史导入: the roster's decision, not computed here
            self.amount.setText(f"按花名册导入：每月 {decision.get('monthly_amount')} 元")
            self.eligibility.setText(f"自 {decision.get('start_month')} 起发放（花名册）；{decision['decided_on']} 导入；"
                                     + "、".join((view.get("benefit") or {}).get("pending_labels") or []))
        elif decision and decision.get("result") == "approved":
            if one_off:
                self.amount.setText(f"已批准：{prog.name} {decision.get('amount')} 元")
                first = (f"；其中已先行救助 {decision['first_aid_amount']} 元" if decision.get("first_aid_amount")
                         else "")
                self.eligibility.setText(f"{decision['decided_on']} 审批同意{first}")
            else:
                self.amount.setText(f"已确认：每月 {decision.get('monthly_amount')} 元{_parts_text(view['programme'], decision)}")
                self.eligibility.setText(f"自 {decision.get('start_month')} 起发放；{decision['decided_on']} 确认")
        elif decision:
            self.amount.setText(view["state_label"] if view["closed"] else  # 不予确认 / 不予认定 / 不予救助 …
                                {"refused": "不予确认", "not_accepted": "不予受理", "withdrawn": "已撤回"}
                                .get(decision["result"], decision["result"]))
            self.eligibility.setText(f"理由：{decision.get('reasons') or '—'}")
        elif kind == "termination":
            form = view["forms"].get("termination") or {}
            spec = self.shell.backend.definitions.forms.get("termination")
            f = spec.field("reason") if spec else None
            reason = next((c.label for c in (f.choices if f else ()) if c.value == form.get("reason")), "")
            self.amount.setText("拟停止保障")
            self.eligibility.setText(f"停保情形：{reason or '—'}；理由：{form.get('reasons') or '—'}"
                                     "（县级决定后自次月起停发）")
        elif p:
            amount = p.get("amount") if one_off else p.get("monthly_amount")
            if one_off:
                self.amount.setText(f"拟救助金额：{amount} 元")
            elif kind in ("review", "change"):
                self.amount.setText(f"复核测算：每月 {amount} 元" if p.get("eligible") else "复核测算：不再符合条件")
            else:
                self.amount.setText(f"拟{prog.amount_label}：每月 {amount} 元{_parts_text(view['programme'], p)}")
        else:
            aid = view["forms"].get("first_aid") or {}
            self.amount.setText(f"已先行救助 {aid['amount']} 元" if aid.get("amount") else "尚未测算")
            computing = self.spec.states_with("computes_proposal")
            self.eligibility.setText(f"进入「{self.spec.state(computing[0]).label}」环节时按现行政策自动测算。"
                                     if computing else "本流程不测算金额。")
        if p:
            text = "符合保障条件" if p.get("eligible") else "不符合保障条件"
            failed = view.get("proposal_failed_labels") or []
            flags = view.get("proposal_flag_labels") or []
            extra = ("；原因：" + "、".join(failed)) if failed else ""
            extra += ("；标记：" + "、".join(flags)) if flags else ""
            policy = p.get("policy_set") or {}
            if p.get("status_text"):  # what was in force for the family, read from the benefits
                extra += f"；在保状态（据在保记录）：{p['status_text']}"
            if not decision:
                self.eligibility.setText(f"{text}{extra}（{p.get('decision_date')} 按 {policy.get('effective_from', '')} "
                                         "起施行的政策参数测算）")
            for line in p.get("explanation", []):
                self.explanation.addItem(line)

    @staticmethod
    def _result_text(d: dict[str, Any]) -> str:
        """What a decided review, change or termination did to the benefit."""
        result, label = d.get("result"), d.get("result_label") or d.get("result")
        if result in ("raise", "lower"):
            return f"{label}：每月 {d.get('previous_amount')} → {d.get('monthly_amount')} 元"
        if result == "keep":
            return f"维持：每月 {d.get('monthly_amount')} 元"
        if result == "phase_out":
            return f"渐退：每月 {d.get('monthly_amount')} 元发至 {d.get('phase_out_until')}"
        if result == "stop":
            return f"停发：自 {d.get('effective_month')} 起"
        return str(label)

    def _render_history(self, view: dict[str, Any]) -> None:
        events = list(reversed(view["history"]))
        self.history.setRowCount(len(events))
        for r, e in enumerate(events):
            move = f"{e['from_label']} → {e['to_label']}" if e["from_label"] else f"→ {e['to_label']}"
            recorded = e["recorded_at"].replace(" ", "\n", 1)  # date over time: a narrow column
            for c, value in enumerate((e["effective_date"], e["actor_name"], e["action"], move, e["comment"] or "",
                                       recorded)):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.history.setItem(r, c, item)

    def _render_documents(self, view: dict[str, Any]) -> None:
        state = self.spec.state(view["state"])
        self.print_panel.set_case(view, [(k, document_label(k, view["programme"])) for k in state.documents])

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
        if not self._draft_dirty or self.view is None or self.view["closed"]:
            return
        self._draft_dirty = False
        forms = {fid: e.filled() for fid, e in self.editors.items() if e.filled()}
        data = {"forms": forms, "effective_date": self.effective.text()} if forms else {}
        self.shell.executor.submit(self.shell.backend.drafts.save, self.username, self.draft_key, data,
                                   self.view["version"], owner=self)

    def _preview(self) -> None:
        if self.view is None or self.view["closed"] or not self.editors:
            return
        submitted = {fid: {k: v for k, v in e.values().items() if v is not None} for fid, e in self.editors.items()}
        day = self.effective.text() or None
        try:
            if day:
                dt.date.fromisoformat(day)
        except ValueError:
            day = None
        version = self.view["version"]
        self.shell.executor.submit(self.shell.backend.queries.preview_triggers, self.case_id, self.username,
                                   submitted, day, owner=self,
                                   on_done=lambda ts: self.set_triggers(ts) if self.view["version"] == version else None,
                                   on_error=lambda exc: log.info("preview failed: %s", exc))

    # --- actions -----------------------------------------------------------------------------
    def request(self, trigger: str) -> None:
        """A button was clicked: open the action's dialog if it has one, else do it."""
        t = next((x for x in self.triggers if x["trigger"] == trigger), None)
        if t is None or self.view is None:
            return
        if t["forms"] or t["reason_required"]:
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
            if any(v not in (None, False) for v in values.values()) or (self.view["forms"].get(fid)):
                data[fid] = values
        return data

    def fire(self, trigger: str, extra: dict[str, Any] | None = None, comment: str = "") -> None:
        t = self.spec.transition(self.view["state"], trigger)
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
        self.shell.executor.submit(
            self.shell.backend.cases.advance, self.case_id, trigger, self.username, data=data,
            effective_date=self.effective.text() or None, comment=comment, expected_version=self.view["version"],
            owner=self, on_done=lambda view: self._fired(trigger, view), on_error=self._failed)

    def _fired(self, trigger: str, view: dict[str, Any]) -> None:
        label = next((t["label"] for t in self.triggers if t["trigger"] == trigger), trigger)
        self._draft_dirty = False
        self._draft_timer.stop()
        self.shell.executor.submit(self.shell.backend.drafts.discard, self.username, self.draft_key, owner=self)
        self.shell.executor.submit(self.shell.backend.queries.household_of_case, self.case_id, self.username, owner=self,
                                   on_done=self._household_arrived)
        self.render(view)
        self.show_banner(f"已办理「{label}」，案件现在处于「{view['state_label']}」。", "ok")
        self.changed.emit(self.case_id)

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
                self.editors[parts[1]].show_messages({parts[2]: exc.message.split(": ", 1)[-1]})
        if hasattr(exc, "message"):  # a known error: bad input or a refused action
            self.show_banner(friendly(exc), "refusal")
            return
        show_error(exc, self)

    def _conflict(self, exc: BaseException) -> None:
        mine = {"version": self.view["version"], "state_label": self.view["state_label"], "forms_entered": self.entered()}

        def arrived(theirs: dict[str, Any]) -> None:
            dialog = ConflictDialog(mine, theirs, self.shell.backend.definitions.forms, self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.finished.connect(lambda result: self._conflict_done(result, theirs, mine["forms_entered"]))
            self.dialog = dialog
            dialog.show()

        self.show_banner(friendly(exc), "refusal")
        self.shell.executor.submit(self.shell.backend.cases.show, self.case_id, self.username, owner=self,
                                   on_done=arrived)

    def _conflict_done(self, result: int, theirs: dict[str, Any], entries: dict[str, Any]) -> None:
        self.dialog = None
        self.render(theirs)
        if result == ConflictDialog.REAPPLY:
            self._apply_entries(entries)
            trigger, extra, comment = self._last_request
            available = {t["trigger"] for t in theirs["available_triggers"]}
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

        def saved(view: dict[str, Any]) -> None:
            self._draft_dirty = False
            self.shell.executor.submit(self.shell.backend.drafts.discard, self.username, self.draft_key, owner=self)
            self.render(view)
            self.show_banner("本环节表单已保存到案件。", "ok")
            self.changed.emit(self.case_id)

        self._last_request = ("", None, "")
        self.shell.executor.submit(self.shell.backend.cases.save_forms, self.case_id, self.username, data,
                                   effective_date=self.effective.text() or None, expected_version=self.view["version"],
                                   owner=self, on_done=saved, on_error=self._failed)

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

