"""办理记录 on the case page: who did what, when, and what it moved."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from ...services.views import CaseView


class HistoryTable(QTableWidget):
    """办理记录: every step taken, newest first."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, 6, parent)
        self.setObjectName("history")
        self.setHorizontalHeaderLabels(["办理日期", "办理人", "事项", "环节", "说明", "记录时间"])
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        # Every column fits the side panel at 1366 wide (nothing to scroll sideways): dates, names
        # and the time recorded take what they need, the step and the comment share the rest
        # and wrap.
        self.setWordWrap(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.horizontalHeader()
        header.setMinimumSectionSize(40)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents,) * 3
                                      + (QHeaderView.ResizeMode.Stretch,) * 2
                                      + (QHeaderView.ResizeMode.ResizeToContents,)):
            header.setSectionResizeMode(column, mode)

    def show_case(self, view: CaseView) -> None:
        events = list(reversed(view.history))
        self.setRowCount(len(events))
        for r, e in enumerate(events):
            move = f"{e.from_label} → {e.to_label}" if e.from_label else f"→ {e.to_label}"
            recorded = e.recorded_at.replace(" ", "\n", 1)  # date over time: a narrow column
            for c, value in enumerate((e.effective_date, e.actor_name, e.action, move, e.comment or "",
                                       recorded)):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.setItem(r, c, item)
