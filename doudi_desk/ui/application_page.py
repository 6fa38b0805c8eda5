"""New application (申请登记) for 低保, 特困 or 临时救助: the programme, the household (members with
ID numbers checked as typed, income, rigid expenses, assets — see household_editor.py), for 特困 the
member who applies, for 临时救助 the claim (急难型/支出型, proposed amount, cause), with a duplicate
check against people already in an open or covered case before saving. A 临时救助 for a cause the
family was already helped with this year is refused by the service; the page then asks for the
重复救助理由 and saves again with it."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ..domain.errors import InputError, RepeatClaim
from ..domain.household import TEMPORARY_TYPES, parse_household
from ..domain.programmes import DEFAULT, PROGRAMMES, REGISTRY
from . import ops
from .errors import friendly, is_known, show_error
from .forms import DateField
from .household_editor import ContactRow, HouseholdEditor
from .style import say, set_role

log = logging.getLogger(__name__)

DRAFT_KEY = "application/new"


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
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        body = QWidget()
        layout = QVBoxLayout(body)
        self.scroll.setWidget(body)
        outer.addWidget(self.scroll, 1)

        head = QGroupBox("申请")
        form = QFormLayout(head)
        row = QHBoxLayout()
        self.programme = QComboBox()
        self.programme.setObjectName("programme")
        open_for_application = shell.backend.programmes_open_for_application()
        for value, label in PROGRAMMES.items():
            if value in open_for_application:
                self.programme.addItem(label, value)
        self.village = QComboBox()
        self.village.setObjectName("village")
        self.village.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.village.setMinimumContentsLength(9)
        self.applied_on = DateField(shell.backend.today())
        self.applied_on.setText(shell.backend.today().isoformat())
        row.addWidget(QLabel("救助项目＊"))
        row.addWidget(self.programme)
        row.addWidget(QLabel("户籍所在村（社区）＊"))
        row.addWidget(self.village)
        row.addWidget(QLabel("申请日期"))
        row.addWidget(self.applied_on)
        row.addStretch(1)
        form.addRow(row)
        self.contact = ContactRow()
        self.address, self.phone = self.contact.edits["address"], self.contact.edits["phone"]
        form.addRow(self.contact)
        layout.addWidget(head)

        # 临时救助: the claim (type, proposed amount, cause) and, when refused as a repeat, the reason.
        self.claim_box = QGroupBox("临时救助申请事项")
        self.claim_box.setObjectName("temporary_claim")
        claim = QVBoxLayout(self.claim_box)
        crow = QHBoxLayout()
        self.claim_type = QComboBox()
        self.claim_type.setObjectName("claim_type")
        for value, label in TEMPORARY_TYPES.items():
            self.claim_type.addItem(label, value)
        self.claim_amount = QLineEdit()
        self.claim_amount.setObjectName("claim_amount")
        self.claim_amount.setPlaceholderText("元")
        self.claim_amount.setMaximumWidth(120)
        self.claim_cause = QLineEdit()
        self.claim_cause.setObjectName("claim_cause")
        self.claim_cause.setPlaceholderText("如：房屋火灾、交通事故、突发重病住院、子女学费")
        crow.addWidget(QLabel("救助类型＊"))
        crow.addWidget(self.claim_type)
        crow.addWidget(QLabel("拟申请金额（元）＊"))
        crow.addWidget(self.claim_amount)
        crow.addWidget(QLabel("事由＊"))
        crow.addWidget(self.claim_cause, 1)
        claim.addLayout(crow)
        self.claim_hint = QLabel("急难型（火灾、交通事故、突发重病等）可由乡镇先行救助，事后补办手续；"
                                 "支出型（医疗、教育等必需支出超出承受能力）按正常程序办理。"
                                 "同一家庭同一事由一年内原则上只救助一次。")
        self.claim_hint.setWordWrap(True)
        set_role(self.claim_hint, "hint")
        claim.addWidget(self.claim_hint)
        self.repeat_box = QWidget()
        self.repeat_box.setObjectName("repeat_box")
        rlayout = QVBoxLayout(self.repeat_box)
        rlayout.setContentsMargins(0, 4, 0, 0)
        self.repeat_message = QLabel()
        self.repeat_message.setObjectName("repeat_message")
        self.repeat_message.setWordWrap(True)
        set_role(self.repeat_message, "refusal")
        rlayout.addWidget(self.repeat_message)
        rlayout.addWidget(QLabel("重复救助理由（确需再次救助的，写明理由，如二次受灾、病情加重并附证明）＊"))
        rrow = QHBoxLayout()
        self.repeat_reason = QPlainTextEdit()
        self.repeat_reason.setObjectName("repeat_reason")
        self.repeat_reason.setFixedHeight(52)
        self.repeat_button = QPushButton("写明理由后登记")
        self.repeat_button.setObjectName("save_with_repeat_reason")
        self.repeat_button.clicked.connect(self.save_with_repeat_reason)
        rrow.addWidget(self.repeat_reason, 1)
        rrow.addWidget(self.repeat_button, 0, Qt.AlignmentFlag.AlignBottom)
        rlayout.addLayout(rrow)
        self.repeat_box.hide()
        claim.addWidget(self.repeat_box)
        layout.addWidget(self.claim_box)

        self.household = HouseholdEditor()
        self.household.edited.connect(self._edited)
        self.household.id_valid.connect(lambda _row: self._dup_timer.start())
        layout.addWidget(self.household)
        # The editor's parts, as the page's own (tests and older callers use these names).
        h = self.household
        self.members, self.id_hint, self.add_member_button = h.members, h.id_hint, h.add_member_button
        self.income, self.rigid = h.income, h.rigid
        self.financial, self.vehicles, self.homes, self.commercial = h.financial, h.vehicles, h.homes, h.commercial
        self.duplicate_label = h.notice
        self.duplicate_label.setObjectName("duplicate_label")
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
        for w in (*self.contact.edits.values(), self.claim_amount, self.claim_cause):
            w.textChanged.connect(self._edited)
        self.applied_on.changed.connect(self._edited)
        self.village.currentIndexChanged.connect(self._edited)
        self.claim_type.currentIndexChanged.connect(self._edited)
        self.claim_cause.textChanged.connect(lambda _t: self.repeat_box.hide())
        self.programme.currentIndexChanged.connect(self._programme_changed)
        self._loading = True
        self._programme_changed()
        self._loading = False

    # --- the programme decides what is asked ---
    @property
    def programme_value(self) -> str:
        return self.programme.currentData() or DEFAULT

    def set_programme(self, programme: str) -> None:
        self.programme.setCurrentIndex(max(self.programme.findData(programme), 0))

    def _programme_changed(self, *_args: Any) -> None:
        prog = REGISTRY[self.programme_value]
        self.claim_box.setVisible(prog.claim)
        self.household.set_applicant_column(
            prog.person_based, f"{prog.short}申请：在「申请人」一栏勾选申请人（只能一人；不勾选时户主为申请人）。")
        self.repeat_box.hide()
        self.save_button.setText(prog.register_label)
        self._edited()

    # --- older names, kept for callers ---
    def add_member(self, data: dict[str, Any] | None = None) -> int:
        return self.household.add_member(data)

    def _add_money_row(self, table, kinds=None, kind=None, amount: str = "", member=None) -> int:
        return self.household.add_money_row(table, kinds, kind, amount, member)

    def id_typed(self, row: int, text: str, editor: QLineEdit | None = None) -> None:
        self.household.id_typed(row, text, editor)

    # --- the household as the services take it ---
    def household_data(self) -> dict[str, Any]:
        programme = self.programme_value
        data = {
            "village": self.village.currentData(),
            **self.contact.values(),
            **self.household.household_data(applicant=REGISTRY[programme].person_based),
        }
        if REGISTRY[programme].claim:
            data["temporary"] = {"type": self.claim_type.currentData(),
                                 "amount": self.claim_amount.text().strip() or None,
                                 "cause": self.claim_cause.text().strip()}
            if data["temporary"]["amount"] is None:
                del data["temporary"]["amount"]
        return data

    def set_household(self, h: dict[str, Any]) -> None:
        i = self.village.findData(h.get("village"))
        self.village.setCurrentIndex(max(i, 0))
        self.contact.set_values(h)
        claim = h.get("temporary") or {}
        self.claim_type.setCurrentIndex(max(self.claim_type.findData(claim.get("type")), 0))
        self.claim_amount.setText(str(claim.get("amount") or ""))
        self.claim_cause.setText(claim.get("cause") or "")
        self.household.set_household(h)

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
                if draft["data"].get("programme"):
                    self.set_programme(draft["data"]["programme"])
                self.set_household(draft["data"].get("household", {}))
                self.applied_on.setText(draft["data"].get("applied_on") or self.applied_on.text())
                say(self.message, f"已恢复 {draft['saved_at']} 自动保存的草稿。", "hint")
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
        data = {"household": self.household_data(), "applied_on": self.applied_on.text(),
                "programme": self.programme_value}
        self.shell.executor.submit(self.shell.backend.drafts.save, self.shell.user["username"], DRAFT_KEY, data,
                                   owner=self)

    def closing(self) -> None:
        if self._dirty:
            self._draft_timer.stop()
            self.save_draft()

    def clear(self) -> None:
        self.set_household({"members": []})
        self.add_member()
        self.repeat_box.hide()
        self.repeat_reason.clear()
        say(self.message, "", "hint")
        self.shell.executor.submit(self.shell.backend.drafts.discard, self.shell.user["username"], DRAFT_KEY,
                                   owner=self)

    # --- duplicate check and saving ---
    def _valid_ids(self) -> list[str]:
        return self.household.valid_ids()

    def check_duplicates(self, quiet: bool = False, then=None) -> None:
        numbers = self._valid_ids()
        programme = self.programme_value

        def arrived(found: list[dict[str, Any]]) -> None:
            self.duplicates = found
            if found:
                text = "查重发现：" + "；".join(f["message"] for f in found)
                if REGISTRY[programme].repeat_by_cause:
                    text += f"。{PROGRAMMES[programme]}可以救助在保或在办其他救助的家庭，不影响登记。"
                self.duplicate_label.setText(text)
                self.duplicate_label.show()
            else:
                self.duplicate_label.hide()
                if not quiet:
                    say(self.message, "查重完成：没有发现重复申请。", "success")
            if then:
                then(found)

        self.shell.executor.submit(self.shell.backend.queries.duplicates, numbers, owner=self, on_done=arrived)

    def _mark(self, exc: InputError) -> None:
        self.household.mark(exc)

    def _describe(self, exc: InputError) -> str:
        field = exc.field or ""
        text = self.household.describe(exc)
        if text is None:
            text = {"household.village": "请选择户籍所在村（社区）",
                    "household.temporary.amount": "请填写拟申请的临时救助金额（元）",
                    "household.temporary.cause": "请写明临时救助事由（如：火灾、车祸、重病住院）",
                    }.get(field) or exc.sentence()
            if field.startswith("household.temporary.amount"):
                text = "拟申请金额：" + exc.sentence()
        return text

    def _validate(self, data: dict[str, Any], programme: str) -> bool:
        try:
            if not data["village"]:
                raise InputError("请选择户籍所在村（社区）", "household.village")
            parse_household(data, need_temporary=REGISTRY[programme].claim)
            if REGISTRY[programme].claim and not data["temporary"].get("cause"):
                raise InputError("缺少此项", "household.temporary.cause")
        except InputError as exc:
            self._mark(exc)
            say(self.message, self._describe(exc), "error")
            return False
        say(self.message, "", "hint")
        return True

    def save(self) -> None:
        data = self.household_data()
        programme = self.programme_value
        if not self._validate(data, programme):
            return
        self.check_duplicates(quiet=True, then=lambda found: self._after_check(data, programme, found))

    def save_with_repeat_reason(self) -> None:
        """Register the 临时救助 again, with the 重复救助理由 the clerk wrote."""
        reason = self.repeat_reason.toPlainText().strip()
        if not reason:
            say(self.message, "请写明重复救助理由", "error")
            return
        data = self.household_data()
        programme = self.programme_value
        if not self._validate(data, programme):
            return
        self._create(data, programme, allow_duplicate=False, comment="", repeat_reason=reason)

    def _after_check(self, data: dict[str, Any], programme: str, found: list[dict[str, Any]]) -> None:
        # The service refuses a second open or covered case of the same programme; people in other
        # programmes are only worth a note (临时救助 helps covered families too).
        prog = REGISTRY[programme]
        blocking = [f for f in found if f.get("programme") == programme] if not prog.repeat_by_cause else []
        if prog.person_based:  # a person's benefit: only the applicant's own case of it blocks
            applying = {str(m.get("id_number") or "").strip().upper() for m in data.get("members", [])
                        if m.get("applicant")}
            blocking = [f for f in blocking if f.get("id_number") in applying]
        if not blocking:
            self._create(data, programme, allow_duplicate=False, comment="")
            return
        dialog = DuplicateDialog(blocking, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda result: self._duplicate_done(dialog, result, data, programme))
        self.dialog = dialog
        dialog.show()

    def _duplicate_done(self, dialog: DuplicateDialog, result: int, data, programme) -> None:
        self.dialog = None
        if result == QDialog.DialogCode.Accepted:
            self._create(data, programme, allow_duplicate=True, comment=f"查重后仍登记：{dialog.reason()}")
        else:
            say(self.message, "未登记：请核实重复的人员。", "error")

    def _repeat_refused(self, exc: RepeatClaim) -> None:
        """The service refused a repeat 临时救助 for the same cause: ask for the reason."""
        text = exc.message
        text = text.split("；确需再次救助", 1)[0]
        self.repeat_message.setText(f"{text}。确需再次救助的，请在下方写明重复救助理由后登记。")
        self.repeat_box.show()
        say(self.message, "未登记：同一事由本年度已救助过，须写明重复救助理由。", "error")
        self.repeat_reason.setFocus()
        self.scroll.ensureWidgetVisible(self.repeat_box)

    def _create(self, data: dict[str, Any], programme: str, *, allow_duplicate: bool, comment: str,
                repeat_reason: str = "") -> None:
        self.save_button.setEnabled(False)
        self.repeat_button.setEnabled(False)

        def done(view: dict[str, Any]) -> None:
            self.save_button.setEnabled(True)
            self.repeat_button.setEnabled(True)
            self._dirty = False
            self._draft_timer.stop()
            self.shell.executor.submit(self.shell.backend.drafts.discard, self.shell.user["username"], DRAFT_KEY,
                                       owner=self)
            say(self.message, f"已登记申请，案件编号 {view.number}。", "success")
            self.created.emit(view.id)

        def failed(exc: BaseException) -> None:
            self.save_button.setEnabled(True)
            self.repeat_button.setEnabled(True)
            if isinstance(exc, InputError):
                self._mark(exc)
                say(self.message, self._describe(exc), "error")
            elif isinstance(exc, RepeatClaim):
                self._repeat_refused(exc)
            elif is_known(exc):
                say(self.message, friendly(exc), "error")
            else:
                show_error(exc, self)

        extra = {"repeat_reason": repeat_reason} if repeat_reason else {}
        ops.create_case(self.shell, data, programme, applied_on=self.applied_on.text() or None,
                        allow_duplicate=allow_duplicate, comment=comment, **extra) \
            .success(done).failure(failed).run_in_background(initiator=self)


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
