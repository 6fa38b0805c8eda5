"""测算结果 on the case page: the proposal and its explanation, or the decision once made."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QListWidget, QVBoxLayout, QWidget

from ...domain.programmes import REGISTRY, amount_of, parts_of, programme
from ...domain.specs import WorkflowSpec
from ...services.views import CaseView
from ..lifecycle_ui import BENEFIT_KINDS
from ..style import set_role


def _parts_text(code: str, record: dict[str, Any]) -> str:
    """A programme paid as several allowances: each one's amount (（困难残疾人生活补贴 80 元、…）)."""
    parts = parts_of(code, record) if code in REGISTRY else {}
    if not parts:
        return ""
    prog = REGISTRY[code]
    return "（" + "、".join(f"{prog.part(k).label} {v} 元" for k, v in parts.items()) + "）"


class ProposalPanel(QWidget):
    """测算结果: the amount, whether the family is eligible and why, every line of the explanation."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        p_layout = QVBoxLayout(self)
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

    def show_case(self, view: CaseView, spec: WorkflowSpec, forms: dict[str, Any]) -> None:
        """测算结果: the proposal and its explanation; once decided, the decision (an approval, a
        refusal, or for a review/change/termination what it did to the benefit)."""
        p = view.proposal
        self.explanation.clear()
        decision = view.decision
        kind = view.kind or "application"
        prog = programme(view.programme)
        one_off = not prog.monthly
        if decision and kind not in BENEFIT_KINDS:
            self.amount.setText(self.result_text(decision))
            tail = f"；理由：{decision['reasons']}" if decision.get("reasons") else ""
            self.eligibility.setText(f"{decision.get('decided_on', '')} 决定，自 {decision.get('effective_month', '')} "
                                     f"起执行{tail}")
        elif decision and decision.get("imported"):  # 历史导入: the roster's decision, not computed here
            self.amount.setText(f"按花名册导入：每月 {decision.get('monthly_amount')} 元")
            self.eligibility.setText(f"自 {decision.get('start_month')} 起发放（花名册）；{decision['decided_on']} 导入；"
                                     + "、".join((view.benefit or {}).get("pending_labels") or []))
        elif decision and decision.get("result") == "approved":
            if one_off:
                self.amount.setText(f"已批准：{prog.name} {amount_of(prog.code, decision)} 元")
                first = (f"；其中已先行救助 {decision['first_aid_amount']} 元" if decision.get("first_aid_amount")
                         else "")
                self.eligibility.setText(f"{decision['decided_on']} 审批同意{first}")
            else:
                self.amount.setText(f"已确认：每月 {amount_of(prog.code, decision)} 元{_parts_text(prog.code, decision)}")
                self.eligibility.setText(f"自 {decision.get('start_month')} 起发放；{decision['decided_on']} 确认")
        elif decision:
            self.amount.setText(view.state_label if view.closed else  # 不予确认 / 不予认定 / 不予救助 …
                                {"refused": "不予确认", "not_accepted": "不予受理", "withdrawn": "已撤回"}
                                .get(decision["result"], decision["result"]))
            self.eligibility.setText(f"理由：{decision.get('reasons') or '—'}")
        elif kind == "termination":
            form = view.forms.get("termination") or {}
            form_spec = forms.get("termination")
            f = form_spec.field("reason") if form_spec else None
            reason = next((c.label for c in (f.choices if f else ()) if c.value == form.get("reason")), "")
            self.amount.setText("拟停止保障")
            self.eligibility.setText(f"停保情形：{reason or '—'}；理由：{form.get('reasons') or '—'}"
                                     "（县级决定后自次月起停发）")
        elif p:
            amount = amount_of(prog.code, p)
            if one_off:
                self.amount.setText(f"拟救助金额：{amount} 元")
            elif kind in ("review", "change"):
                self.amount.setText(f"复核测算：每月 {amount} 元" if p.get("eligible") else "复核测算：不再符合条件")
            else:
                self.amount.setText(f"拟{prog.amount_label}：每月 {amount} 元{_parts_text(view.programme, p)}")
        else:
            aid = view.forms.get("first_aid") or {}
            self.amount.setText(f"已先行救助 {aid['amount']} 元" if aid.get("amount") else "尚未测算")
            computing = spec.states_with("computes_proposal")
            self.eligibility.setText(f"进入「{spec.state(computing[0]).label}」环节时按现行政策自动测算。"
                                     if computing else "本流程不测算金额。")
        if p:
            text = "符合保障条件" if p.get("eligible") else "不符合保障条件"
            failed = view.proposal_failed_labels or []
            flags = view.proposal_flag_labels or []
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
    def result_text(d: dict[str, Any]) -> str:
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
