"""Life after approval on the case page (procedures.md §1.9, §2): the 保障情况 panel of an approved
低保 or 特困 case (status today, amount, review date, phase-out or stop month, the history of amounts,
the reviews, changes and terminations opened on it), and the dialogs that start them — 开展复核,
登记变化 (a reported change of the household), 提出停保 — plus 修改家庭情况 during an investigation.

The dialogs are non-modal (``show()``). They do not call the services themselves: they emit
``submitted`` with what was entered; the case page runs the service on the executor and either
closes the dialog (done) or shows the refusal in it, so nothing typed is lost.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..domain import ids
from ..domain.errors import InputError
from ..domain.model import RELATIONS
from ..domain.programmes import programme
from ..domain.specs import FormSpec
from ..services.lifecycle import RESULTS, STATUSES
from .errors import friendly
from .forms import DateField
from .household_editor import ContactRow, HouseholdEditor
from .style import set_role

STAFF_ROLES = {"caseworker", "township_reviewer"}
KIND_SHORT = {"application": "申请", "review": "复核", "change": "变更", "termination": "停保", "import": "历史导入"}
BENEFIT_KINDS = ("application", "import")  # the cases that carry a benefit record
HISTORY_RESULTS = {**RESULTS, "approved": "认定", "imported": "导入"}
MEMBER_CHANGES = ("death", "moved_out", "new_job")  # name an existing member
NEW_MEMBER_CHANGES = ("birth", "moved_in")  # bring a new member
DETAIL_EXAMPLES = {
    "birth": "如：户主之孙出生，已落户", "death": "如：因病去世，已注销户口", "moved_in": "如：儿媳婚后迁入共同生活",
    "moved_out": "如：子女参军，户口迁出", "new_job": "如：户主在县城务工，月工资约5000元",
    "vehicle": "如：新购小型货车一辆，用于经营", "property": "如：在县城购买商品房一套", "other": "写明变化的具体情况",
}
STATUS_COLOURS = {"active": "#2e7d32", "phasing_out": "#ef6c00", "stopped": "#757575"}


def parts_text(code: str | None, benefit: dict[str, Any]) -> str:
    """Each allowance of a programme paid as several (两项补贴), with a part stopped by a link:
    困难残疾人生活补贴 已停发（自 2027-01 起：家庭最低生活保障停发）."""
    from ..domain.programmes import REGISTRY, parts_of

    if code not in REGISTRY or not REGISTRY[code].parts:
        return ""
    prog = REGISTRY[code]
    stops = benefit.get("part_stops") or {}
    lines = []
    for key, amount in parts_of(code, benefit).items():
        stop = stops.get(key)
        if stop:
            lines.append(f"{prog.part(key).label}：已停发（自 {stop.get('from')} 起：{stop.get('reason')}）")
        elif amount not in ("0", "", None):
            lines.append(f"{prog.part(key).label}：每月 {amount} 元")
        else:
            lines.append(f"{prog.part(key).label}：不享受")
    return "\n".join(lines)


def status_text(benefit: dict[str, Any]) -> str:
    """在保 / 渐退期（至 2026-12） / 已停保（自 2026-07 起）."""
    now = benefit.get("status_today") or benefit.get("status")
    label = STATUSES.get(now, now or "")
    if now == "phasing_out" and benefit.get("phase_out_until"):
        return f"{label}（至 {benefit['phase_out_until']}）"
    if now == "stopped" and benefit.get("stopped_from"):
        return f"{label}（自 {benefit['stopped_from']} 起停发）"
    if now == "active" and benefit.get("stopped_from"):
        return f"{label}（已决定自 {benefit['stopped_from']} 起停发）"
    return label


def _choices(spec: FormSpec, name: str) -> list[tuple[str, str]]:
    f = spec.field(name)
    return [(c.value, c.label) for c in f.choices] if f else []


class SubmitDialog(QDialog):
    """A dialog whose OK sends what was entered (``submitted(dict)``) and stays open until the page
    says it was done (:meth:`done_ok`) or refused (:meth:`refused`)."""

    submitted = Signal(dict)

    def __init__(self, title: str, ok_text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.layout_ = QVBoxLayout(self)
        self.body = QVBoxLayout()
        self.layout_.addLayout(self.body)
        self.error = QLabel()
        self.error.setObjectName("dialog_error")
        self.error.setWordWrap(True)
        set_role(self.error, "error")
        self.layout_.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        self.layout_.addWidget(buttons)

    def collect(self) -> dict[str, Any] | str:
        """What was entered, or the Chinese message saying what is missing."""
        raise NotImplementedError

    def _ok(self) -> None:
        data = self.collect()
        if isinstance(data, str):
            self.error.setText(data)
            return
        self.error.setText("")
        self.ok_button.setEnabled(False)
        self.submitted.emit(data)

    def done_ok(self) -> None:
        self.accept()

    def refused(self, exc: BaseException | str) -> None:
        self.ok_button.setEnabled(True)
        self.error.setText(friendly(exc))


class StartReviewDialog(SubmitDialog):
    """开展复核: the date and an optional note; the household is carried over from the last decision."""

    def __init__(self, view: dict[str, Any], today: dt.date, day: str, parent: QWidget | None = None):
        super().__init__("开展复核", "开展复核", parent)
        self.setObjectName("start_review_dialog")
        intro = QLabel(f"对 {view['number']}（{view['household']['head']}户 · {view['programme_label']}）开展复核。"
                       "家庭情况从上次认定时带入，调查中如有变化请在复核案件中修改家庭情况。")
        intro.setWordWrap(True)
        self.body.addWidget(intro)
        form = QFormLayout()
        self.date = DateField(today)
        self.date.setText(day)
        self.comment = QPlainTextEdit()
        self.comment.setObjectName("comment")
        self.comment.setFixedHeight(56)
        self.comment.setPlaceholderText("可不填，如：年度复核")
        form.addRow("办理日期＊", self.date)
        form.addRow("说明", self.comment)
        self.body.addLayout(form)
        self.setMinimumWidth(480)

    def collect(self) -> dict[str, Any] | str:
        if not self.date.text():
            return "请填写办理日期"
        return {"effective_date": self.date.text(), "comment": self.comment.toPlainText().strip()}


class ChangeDialog(SubmitDialog):
    """登记变化: what changed, when, for whom (a member of the household, or a new member), the yearly
    wage of a new job, how it came to light and the details."""

    def __init__(self, view: dict[str, Any], members: list[str], form: FormSpec, today: dt.date, day: str,
                 parent: QWidget | None = None):
        super().__init__("登记家庭情况变化", "登记变化", parent)
        self.setObjectName("change_dialog")
        self.today = today
        intro = QLabel(f"{view['number']}（{view['household']['head']}户 · {view['programme_label']}）："
                       "登记后开立变更案件，调查核实后由县级决定增发、减发、渐退或停发；"
                       "唯一保障对象死亡或迁出的，直接提出停保。")
        intro.setWordWrap(True)
        self.body.addWidget(intro)
        self.form = QFormLayout()
        self.change_type = QComboBox()
        self.change_type.setObjectName("change_type")
        self.change_type.addItem("（请选择）", None)
        for value, label in _choices(form, "change_type"):
            self.change_type.addItem(label, value)
        self.change_date = DateField(today)
        self.change_date.edit.setObjectName("change_date")
        self.member = QComboBox()
        self.member.setObjectName("member")
        self.member.addItem("（请选择）", None)
        for name in members:
            self.member.addItem(name, name)
        new = self.new_member_box = QWidget()
        grid = QGridLayout(new)
        grid.setContentsMargins(0, 0, 0, 0)
        self.new_name = QLineEdit()
        self.new_name.setObjectName("new_name")
        self.new_id = QLineEdit()
        self.new_id.setObjectName("new_id")
        self.new_id.setMaxLength(18)
        self.new_id.setMinimumWidth(170)
        self.new_relation = QComboBox()
        self.new_relation.setObjectName("new_relation")
        for value, label in RELATIONS.items():
            if value != "head":
                self.new_relation.addItem(label, value)
        grid.addWidget(QLabel("姓名"), 0, 0)
        grid.addWidget(self.new_name, 0, 1)
        grid.addWidget(QLabel("身份证号码"), 0, 2)
        grid.addWidget(self.new_id, 0, 3)
        grid.addWidget(QLabel("与户主关系"), 0, 4)
        grid.addWidget(self.new_relation, 0, 5)
        self.id_hint = QLabel()
        self.id_hint.setObjectName("new_id_hint")
        set_role(self.id_hint, "error")
        grid.addWidget(self.id_hint, 1, 0, 1, 6)
        self.new_id.textChanged.connect(self._id_typed)
        self.amount = QLineEdit()
        self.amount.setObjectName("amount")
        self.amount.setPlaceholderText("元/年")
        self.amount.setMaximumWidth(140)
        self.reported_by = QComboBox()
        self.reported_by.setObjectName("reported_by")
        for value, label in _choices(form, "reported_by"):
            self.reported_by.addItem(label, value)
        self.detail = QPlainTextEdit()
        self.detail.setObjectName("detail")
        self.detail.setFixedHeight(60)
        self.date = DateField(today)
        self.date.setText(day)
        self.form.addRow("变化类型＊", self.change_type)
        self.form.addRow("发生日期＊", self.change_date)
        self.form.addRow("涉及成员＊", self.member)
        self.form.addRow("新成员＊", new)
        self.form.addRow("年工资性收入（元）＊", self.amount)
        self.form.addRow("发现途径＊", self.reported_by)
        self.form.addRow("具体情况＊", self.detail)
        self.form.addRow("办理日期＊", self.date)
        self.body.addLayout(self.form)
        self.change_type.currentIndexChanged.connect(self._type_changed)
        self._type_changed()
        self.setMinimumWidth(640)

    def _type_changed(self, *_args: Any) -> None:
        kind = self.change_type.currentData()
        self.form.setRowVisible(self.member, kind in MEMBER_CHANGES)
        self.form.setRowVisible(self.new_member_box, kind in NEW_MEMBER_CHANGES)
        self.form.setRowVisible(self.amount, kind == "new_job")
        self.detail.setPlaceholderText(DETAIL_EXAMPLES.get(kind, "写明变化的具体情况"))
        self.adjustSize()

    def _id_typed(self, text: str) -> None:
        text = text.strip().upper()
        problem = ids.id_problem(text) if len(text) >= 18 else None
        self.id_hint.setText(problem or (f"已输入 {len(text)} 位，应为18位" if text and len(text) < 18 else ""))
        set_role(self.new_id, "true" if problem else "false", "invalid")

    def collect(self) -> dict[str, Any] | str:
        kind = self.change_type.currentData()
        if not kind:
            return "请选择变化类型"
        happened = self.change_date.text()
        try:
            when = dt.date.fromisoformat(happened)
        except ValueError:
            return "请填写发生日期（YYYY-MM-DD）"
        if when > self.today:
            return "发生日期不能晚于今天"
        change: dict[str, Any] = {"change_type": kind, "change_date": happened,
                                  "reported_by": self.reported_by.currentData() or "family"}
        if kind in MEMBER_CHANGES:
            if not self.member.currentData():
                return "请选择涉及的家庭成员"
            change["member"] = self.member.currentData()
        if kind in NEW_MEMBER_CHANGES:
            name, number = self.new_name.text().strip(), self.new_id.text().strip().upper()
            if not name:
                return "请填写新成员的姓名"
            problem = ids.id_problem(number) if number else "缺少身份证号码"
            if problem:
                return f"新成员身份证号码：{problem}"
            change["new_member"] = {"name": name, "id_number": number, "relation": self.new_relation.currentData()}
        if kind == "new_job":
            amount = self.amount.text().strip()
            try:
                if float(amount) <= 0:
                    raise ValueError
            except ValueError:
                return "请填写新增就业的年工资性收入（元，大于0）"
            change["amount"] = amount
        detail = self.detail.toPlainText().strip()
        if not detail:
            return "请写明具体情况"
        change["detail"] = detail
        if not self.date.text():
            return "请填写办理日期"
        return {"change": change, "effective_date": self.date.text()}


class TerminationDialog(SubmitDialog):
    """提出停保: the ground (停保情形), the written reasons and the rule relied on."""

    def __init__(self, view: dict[str, Any], form: FormSpec, today: dt.date, day: str, parent: QWidget | None = None):
        super().__init__("提出停保", "提出停保", parent)
        self.setObjectName("termination_dialog")
        intro = QLabel(f"对 {view['number']}（{view['household']['head']}户 · {view['programme_label']}）提出停保，"
                       "报县级民政部门决定；决定后自次月起停发，并书面告知理由。")
        intro.setWordWrap(True)
        self.body.addWidget(intro)
        layout = QFormLayout()
        self.reason = QComboBox()
        self.reason.setObjectName("reason")
        self.reason.addItem("（请选择）", None)
        for value, label in _choices(form, "reason"):
            self.reason.addItem(label, value)
        self.reasons = QPlainTextEdit()
        self.reasons.setObjectName("reasons")
        self.reasons.setFixedHeight(70)
        self.reasons.setPlaceholderText("停止保障须书面告知具体理由")
        self.rule = QLineEdit()
        self.rule.setObjectName("rule")
        self.rule.setPlaceholderText("可不填，如：社会救助暂行办法第十三条")
        self.date = DateField(today)
        self.date.setText(day)
        layout.addRow("停保情形＊", self.reason)
        layout.addRow("具体理由＊", self.reasons)
        layout.addRow("依据条款", self.rule)
        layout.addRow("办理日期＊", self.date)
        self.body.addLayout(layout)
        self.setMinimumWidth(560)

    def collect(self) -> dict[str, Any] | str:
        if not self.reason.currentData():
            return "请选择停保情形"
        reasons = self.reasons.toPlainText().strip()
        if not reasons:
            return "停止保障须写明具体理由"
        if not self.date.text():
            return "请填写办理日期"
        return {"reason": self.reason.currentData(), "reasons": reasons, "rule": self.rule.text().strip(),
                "effective_date": self.date.text()}


class HouseholdDialog(SubmitDialog):
    """修改家庭情况 during registration or investigation, with the reason (mandatory, audited)."""

    def __init__(self, view: dict[str, Any], household: dict[str, Any], today: dt.date, day: str,
                 parent: QWidget | None = None):
        super().__init__("修改家庭情况", "保存修改", parent)
        self.setObjectName("household_dialog")
        self.original = household
        intro = QLabel(f"{view['number']}（{view['household']['head']}户）：调查中发现家庭成员、收入、支出或财产与登记不符的，"
                       "在此修改；修改逐项记入办理记录，乡镇审核时按修改后的家庭情况测算。")
        intro.setWordWrap(True)
        self.body.addWidget(intro)
        self.contact = ContactRow()
        self.contact.set_values(household)
        self.address, self.phone = self.contact.edits["address"], self.contact.edits["phone"]
        self.body.addWidget(self.contact)
        self.editor = HouseholdEditor(compact=True)
        self.editor.set_household(household)
        self.editor.set_applicant_column(programme(view["programme"]).person_based if view.get("programme") else False)
        self.body.addWidget(self.editor)
        form = QFormLayout()
        self.comment = QPlainTextEdit()
        self.comment.setObjectName("comment")
        self.comment.setFixedHeight(52)
        self.comment.setPlaceholderText("必填，如：入户调查发现户主经营小卖部，年净收入约9600元")
        self.date = DateField(today)
        self.date.setText(day)
        form.addRow("修改原因＊", self.comment)
        form.addRow("办理日期＊", self.date)
        self.body.addLayout(form)
        self.resize(1120, 660)

    def collect(self) -> dict[str, Any] | str:
        comment = self.comment.toPlainText().strip()
        if not comment:
            return "修改家庭情况须写明原因"
        if not self.date.text():
            return "请填写办理日期"
        data = {k: v for k, v in self.original.items() if k not in ("members", "income", "rigid_expenses", "assets")}
        data |= self.editor.household_data(applicant=True)
        data |= self.contact.values()
        return {"household": data, "comment": comment, "effective_date": self.date.text()}

    def refused(self, exc: BaseException | str) -> None:
        super().refused(exc)
        if isinstance(exc, InputError):
            self.editor.mark(exc)
            text = self.editor.describe(exc)
            if text:
                self.error.setText(text)


def _table(headers: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.horizontalHeader().setStretchLastSection(True)
    table.verticalHeader().setDefaultSectionSize(24)
    return table


class BenefitPanel(QWidget):
    """保障情况 of an approved case paying every month (低保, 特困, 两项补贴 with each allowance);
    double-click a case number to open that case.

    Signals:
        open_case(int): open this case (a review, change or termination of this one).
    """

    open_case = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("benefit_panel")
        self.links: dict[str, Any] = {"parent": None, "related": []}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.status = QLabel()
        self.status.setObjectName("benefit_status")
        layout.addWidget(self.status)
        facts = QGroupBox("当前保障")
        self.facts = QFormLayout(facts)
        self.facts.setHorizontalSpacing(16)
        self.fact_labels: dict[str, QLabel] = {}
        for key, label in (("monthly_amount", "月保障金额"), ("covered", "保障人数"), ("since_month", "起始月份"),
                           ("interval", "复核周期"), ("next_review_on", "下次复核"), ("phase_out_until", "渐退至"),
                           ("stopped_from", "停发自"), ("parts", "各项补贴")):
            value = QLabel()
            value.setObjectName(f"benefit_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fact_labels[key] = value
            self.facts.addRow(label, value)
        layout.addWidget(facts)
        layout.addWidget(QLabel("保障金额变动"))
        self.history = _table(["执行月份", "金额（元/月）", "事项", "案件", "决定日期"], "benefit_history")
        for i, w in enumerate((70, 90, 84, 150)):  # 事项 holds 联动停发 whole
            self.history.setColumnWidth(i, w)
        self.history.doubleClicked.connect(lambda index: self._open(self.history, index.row()))
        layout.addWidget(self.history, 1)
        layout.addWidget(QLabel("复核、变更和停保案件（双击打开）"))
        self.related = _table(["案件编号", "类别", "环节", "登记日期", "结果"], "related_cases")
        for i, w in enumerate((150, 44, 110, 86)):
            self.related.setColumnWidth(i, w)
        self.related.doubleClicked.connect(lambda index: self._open(self.related, index.row()))
        layout.addWidget(self.related, 1)
        self.none = QLabel("尚无复核、变更或停保案件。")
        set_role(self.none, "hint")
        layout.addWidget(self.none)

    def _open(self, table: QTableWidget, row: int) -> None:
        item = table.item(row, 0 if table is self.related else 3)
        cid = item.data(Qt.ItemDataRole.UserRole) if item else None
        if cid:
            self.open_case.emit(int(cid))

    def show_benefit(self, view: dict[str, Any], links: dict[str, Any] | None, today: dt.date) -> None:
        b = view.get("benefit") or {}
        self.links = links or {"parent": None, "related": []}
        now = b.get("status_today") or b.get("status")
        self.status.setText(status_text(b))
        colour = STATUS_COLOURS.get(now, "#424242")
        self.status.setStyleSheet(f"font-size: 18pt; font-weight: bold; color: white; background: {colour};"
                                  "border-radius: 4px; padding: 4px 10px;")
        interval = b.get("review_interval_months")
        next_review = view.get("next_review_on")
        review_text = next_review or "—"
        if next_review and dt.date.fromisoformat(next_review) < today.replace(day=1):
            review_text += "（已逾期）"
        elif next_review and next_review[:7] == today.isoformat()[:7]:
            review_text += "（本月到期）"
        values = {
            "monthly_amount": f"{b.get('monthly_amount')} 元" if b.get("monthly_amount") is not None else "—",
            "covered": (f"{len(b.get('covered') or [])} 人" if b.get("covered")
                        else f"{b['covered_count']} 人（保障对象待确认）" if b.get("covered_count") else "0 人"),
            "since_month": b.get("since_month") or "—",
            "interval": f"{interval} 个月" if interval else "—",
            "next_review_on": review_text,
            "phase_out_until": b.get("phase_out_until") or "",
            "stopped_from": b.get("stopped_from") or "",
            "parts": parts_text(view.get("programme"), b),
        }
        for key, label in self.fact_labels.items():
            label.setText(values[key])
            if key in ("phase_out_until", "stopped_from", "parts"):
                self.facts.setRowVisible(label, bool(values[key]))
        self.fact_labels["next_review_on"].setStyleSheet(
            "color: #c62828; font-weight: bold;" if "逾期" in review_text or "到期" in review_text else "")
        ids_by_number = {r["number"]: r["id"] for r in self.links.get("related", [])}
        if view.get("number"):
            ids_by_number.setdefault(view["number"], view.get("id"))
        history = list(reversed(b.get("history") or []))
        self.history.setRowCount(len(history))
        for r, h in enumerate(history):
            result = "联动停发" if h.get("linked") else HISTORY_RESULTS.get(h.get("result"), h.get("result"))
            cells = (h.get("month") or "", str(h.get("amount") or ""), result,
                     h.get("case") or "", h.get("decided_on") or "")
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 3 and ids_by_number.get(text):
                    item.setData(Qt.ItemDataRole.UserRole, ids_by_number[text])
                    item.setToolTip("双击打开该案件")
                if c == 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.history.setItem(r, c, item)
        self._fit(self.history, len(history))
        related = list(reversed(self.links.get("related", [])))
        self.related.setRowCount(len(related))
        for r, c in enumerate(related):
            state = c["state_label"] + ("" if c["closed"] else "（办理中）")
            for col, text in enumerate((c["number"], c["kind_label"], state, c["applied_on"], c.get("result_label") or "")):
                item = QTableWidgetItem(text)
                if col == 0:
                    item.setData(Qt.ItemDataRole.UserRole, c["id"])
                    item.setToolTip("双击打开该案件")
                self.related.setItem(r, col, item)
        self._fit(self.related, len(related))
        self.related.setVisible(bool(related))
        self.none.setVisible(not related)

    @staticmethod
    def _fit(table: QTableWidget, rows: int) -> None:
        header = table.horizontalHeader().height() or 24
        table.setMinimumHeight(header + 24 * min(max(rows, 1), 6) + 4)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table.horizontalHeader().setStretchLastSection(True)
