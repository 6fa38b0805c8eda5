"""The step bar: a workflow's usual road with done / current / to-come steps, and the step's time limits."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from ...domain.specs import WorkflowSpec
from ...services.views import CaseView
from ..style import set_role


def _unwanted(view: CaseView) -> set[str]:
    """Triggers that leave the usual road of this case: the other approval level."""
    unwanted = {"submit_to_county"} if view.county_delegated else {"submit_for_decision"}
    level = (view.proposal or {}).get("approval_level")  # 临时救助: by amount
    if level == "township":
        unwanted.add("submit_to_county")
    elif level in ("county", "county_collective"):
        unwanted.add("submit_for_township_approval")
    return unwanted


def main_path(spec: WorkflowSpec, view: CaseView) -> list[str]:
    """The usual road through a workflow, for the step bar.

    From the initial state, prefer actions that need no extra form and no written reason (the 'yes'
    path), then steps this case has already been through, then the approval level that applies to
    it (the county's delegation, a 临时救助's amount). A step the case went through between two steps
    of that road (先行救助 between 已受理 and 调查核实) is put in its place.
    """
    visited = {e.to_state for e in view.history}
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

    def show_case(self, spec: WorkflowSpec, view: CaseView) -> None:
        while self.row.count():
            item = self.row.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.labels = []
        path = main_path(spec, view)
        state = view.state
        visited = {e.to_state for e in view.history}
        anchor = None
        if state not in path:
            for e in reversed(view.history):
                if e.from_state in path:
                    anchor = e.from_state
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


def deadline_text(spec: WorkflowSpec, view: CaseView) -> str:
    """本环节 and 办结 time limits with the days left, and what else bears on them (授权, 近亲属备案 …)."""
    d = view.deadline
    parts = []
    state = spec.state(view.state)
    limit = (f"时限 {state.time_limit_wd} 个工作日" if state.time_limit_wd else
             f"时限 {state.time_limit_days} 天" if state.time_limit_days else "")
    if d.state:
        if d.state_working_days_left is not None:
            left = d.state_working_days_left
            tail = f"剩余 {left} 个工作日" if left >= 0 else f"已逾期 {-left} 个工作日"
        elif d.state_calendar_days_left is not None:
            left = d.state_calendar_days_left
            tail = f"剩余 {left} 天" if left >= 0 else f"已满 {-left} 天"
        else:
            tail = ""
        parts.append(f"本环节（{limit}）期限 {d.state}，{tail}")
    if d.total:
        left = d.total_working_days_left
        tail = "" if left is None else (f"剩余 {left} 个工作日" if left >= 0 else f"已逾期 {-left} 个工作日")
        parts.append(f"办结期限 {d.total}，{tail}")
    if view.county_delegated:
        parts.append("县级已授权乡镇审批确认")
    if view.staff_relative:
        parts.append("近亲属备案")
    if not d.calendar_covers_year:
        parts.append("注意：今年的国家节假日安排尚未载入，期限按周一至周五计算")
    if view.closed:
        parts.append("案件已办结")
    return "；".join(parts)
