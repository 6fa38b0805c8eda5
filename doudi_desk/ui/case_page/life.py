"""Life after approval on the case page: the parent case, what a 先行救助 must still complete, the
保障情况 panel, and 开展复核 / 登记变化 / 提出停保 / 修改家庭情况 with their dialogs."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from ...services.views import CaseView
from .. import ops
from ..errors import is_known, show_error
from ..lifecycle_ui import (
    BENEFIT_KINDS,
    STAFF_ROLES,
    ChangeDialog,
    HouseholdDialog,
    StartReviewDialog,
    SubmitDialog,
    TerminationDialog,
    status_text,
)


class LifeActions:
    """The case page's actions after approval (a mixin of :class:`~.page.CasePage`: it uses the
    page's shell, view, links, side tabs, life buttons, banner and executor)."""

    def _render_parent(self, view: CaseView) -> None:
        parent = view.parent_case
        if parent:
            self.parent_button.setText(f"原保障案件 {parent} ›")
        self.parent_button.setVisible(bool(parent))

    def _render_pending(self, view: CaseView) -> None:
        pending = view.pending_completion or []
        if not pending:
            self.pending.hide()
            return
        aid = view.forms.get("first_aid") or {}
        paid = f"已于 {aid.get('paid_on')} 先行救助 {aid.get('amount')} 元。" if aid.get("amount") else "已先行救助。"
        self.pending.setText(f"{paid}待补办：{'、'.join(pending)}（补齐后方可办结）")
        self.pending.show()

    def _render_benefit(self, view: CaseView) -> None:
        index = self.side.indexOf(self.benefit_panel)
        if not view.benefit:
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

    def _render_life_buttons(self, view: CaseView) -> None:
        staff = bool(self._roles() & STAFF_ROLES)
        benefit = view.benefit
        covered = (bool(benefit) and view.kind in BENEFIT_KINDS
                   and self.spec.outcome_of(view.state) == "approved")
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
        editable = staff and not view.closed and self.spec.has_role(view.state, "household_editable")
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
                if is_known(exc):
                    dialog.refused(exc)
                else:
                    dialog.refused("操作没有完成，详见错误信息。")
                    show_error(exc, self)
            run(data, dialog.done_ok, failed)

        dialog.submitted.connect(submitted)
        self.dialog = dialog
        dialog.show()
        return dialog

    def _opened_case(self, view: CaseView, message: str) -> None:
        """A review, change or termination was opened on this case: reload this page, open the new one."""
        self.load()
        self.show_banner(message, "ok")
        self._open_other(view.id)

    def start_review(self) -> StartReviewDialog | None:
        if self.view is None:
            return None
        dialog = StartReviewDialog(self.view, self.shell.backend.today(), self._day(), self)

        def run(data, done, failed):
            def ok(view):
                done()
                self._opened_case(view, f"已开立复核案件 {view.number}。")
            ops.start_review(self.shell, self.case_id, data["effective_date"], data["comment"]) \
                .success(ok).failure(failed).run_in_background(initiator=self)

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
                if view.kind == "termination":
                    message = f"唯一保障对象{data['change'].get('member', '')}不再享受保障，已提出停保：{view.number}。"
                else:
                    message = f"已登记家庭情况变化，开立变更案件 {view.number}。"
                self._opened_case(view, message)
            ops.start_change(self.shell, self.case_id, data["change"], data["effective_date"]) \
                .success(ok).failure(failed).run_in_background(initiator=self)

        return self._show_dialog(dialog, run)

    def start_termination(self) -> TerminationDialog | None:
        if self.view is None:
            return None
        dialog = TerminationDialog(self.view, self.shell.backend.definitions.forms["termination"],
                                   self.shell.backend.today(), self._day(), self)

        def run(data, done, failed):
            def ok(view):
                done()
                self._opened_case(view, f"已提出停保，开立停保案件 {view.number}。")
            ops.start_termination(self.shell, self.case_id, data["reason"], data["reasons"], rule=data["rule"],
                                  effective_date=data["effective_date"]) \
                .success(ok).failure(failed).run_in_background(initiator=self)

        return self._show_dialog(dialog, run)

    def edit_household(self) -> None:
        """修改家庭情况: read the household as stored (full ID numbers), then show the dialog."""
        if self.view is None:
            return
        version = self.view.version

        def arrived(household: dict[str, Any]) -> None:
            dialog = HouseholdDialog(self.view, household, self.shell.backend.today(), self._day(), self)

            def run(data, done, failed):
                def ok(view):
                    done()
                    self.shell.executor.submit(self.shell.backend.queries.household_of_case, self.case_id, self.username,
                                               owner=self, on_done=self._household_arrived)
                    self.render(view)
                    self.show_banner("已修改家庭情况，修改已记入办理记录。", "ok")
                ops.update_household(self.shell, self.case_id, data["household"],
                                     effective_date=data["effective_date"], comment=data["comment"],
                                     expected_version=version).success(ok).failure(failed) \
                    .run_in_background(initiator=self)

            self._show_dialog(dialog, run)

        self.shell.executor.submit(self.shell.backend.life_queries.household_for_edit, self.case_id, self.username,
                                   owner=self, on_done=arrived, on_error=self._failed)
