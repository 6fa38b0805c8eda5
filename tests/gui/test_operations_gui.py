"""ui/ops: a command op run on one page is broadcast once by the main window
(``operation_did_execute(changes, initiator)``) and every open page refreshes itself from it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from tests.helpers.window import login, make_window, screenshot, settle


def _todo_count(window) -> str:
    case_list = window.case_list
    return case_list.tabs.tabText(case_list._tab_keys.index("todo"))


def test_a_batch_decision_in_the_queue_refreshes_the_other_open_pages(qtbot, office):
    from doudi_desk.services.cases import CaseService
    from doudi_desk.ui.ops import ChangeListener, Changes
    from tests.helpers.dibao import to_county

    class OpenCasePage(QWidget, ChangeListener):
        """Stands for a case page connected to the hook: records what it is told."""

        def __init__(self):
            super().__init__()
            self.told: list[tuple[Changes, object]] = []

        def on_changes(self, changes, initiator):
            self.told.append((changes, initiator))

    svc = CaseService(office)
    ids = [to_county(svc, seq)["id"] for seq in (301, 303)]
    window = make_window(qtbot, office)
    login(qtbot, window, "approver")
    broadcasts: list[tuple[Changes, object]] = []
    window.operation_did_execute.connect(lambda changes, initiator: broadcasts.append((changes, initiator)))
    listener = OpenCasePage()
    window.tabs.addTab(listener, "案件页")

    # 在保名单 read once while shown, before the decision (then hidden behind the queue).
    dynamic = window.page("dynamic")
    window.tabs.setCurrentWidget(dynamic)
    benefits = dynamic.show_list("benefits")
    settle(qtbot, window)
    before = {r["id"] for r in benefits.all_rows}
    assert not before & set(ids)
    assert _todo_count(window) == "待办（2）"

    queue = window.supervisor
    window.tabs.setCurrentWidget(queue)
    settle(qtbot, window)
    assert sorted(r["id"] for r in queue.model.rows) == sorted(ids)
    queue.view.selectAll()
    qtbot.mouseClick(queue.approve_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(queue.dialog.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.operation_did_execute, timeout=15000):
        pass
    settle(qtbot, window)

    # One broadcast, naming both cases and the queue as the page that ran the command.
    assert len(broadcasts) == 1
    changes, initiator = broadcasts[0]
    assert initiator is queue
    assert changes.case_ids == frozenset(ids) and {"cases", "queue"} <= changes.kinds
    assert listener.told == [(changes, queue)]  # an open page with on_changes hears of it once
    # The queue, the case list's counts (hidden: never refreshed by hand) and 在保名单 read again.
    assert queue.model.rows == []
    assert _todo_count(window) == "待办（0）"
    window.tabs.setCurrentWidget(dynamic)
    settle(qtbot, window)
    assert set(ids) <= {r["id"] for r in benefits.all_rows}
    screenshot(window, "ops_benefits_after_batch")


def test_a_failed_command_broadcasts_nothing_and_reaches_its_failure(qtbot, office):
    from doudi_desk.domain.errors import InputError
    from doudi_desk.ui.ops import Changes, CollectionOp

    window = make_window(qtbot, office)
    login(qtbot, window, "clerk")
    broadcasts, failures, successes = [], [], []
    window.operation_did_execute.connect(lambda *args: broadcasts.append(args))

    def refused():
        raise InputError("请填写日期", "date")

    CollectionOp(window, refused, changes=Changes(cases=True)).success(successes.append) \
        .failure(failures.append).run_in_background(initiator=window.case_list)
    settle(qtbot, window)
    assert broadcasts == [] and successes == []
    assert len(failures) == 1 and isinstance(failures[0], InputError)

    # The same op succeeding: its success first, then exactly one broadcast of the result's changes.
    order: list[str] = []
    window.operation_did_execute.connect(lambda *_a: order.append("broadcast"))
    CollectionOp(window, lambda: 7, changes=lambda n: Changes(case_ids=[n])) \
        .success(lambda n: order.append(f"success {n}")).run_in_background(initiator=window.case_list)
    settle(qtbot, window)
    assert order == ["success 7", "broadcast"]
    assert broadcasts[-1][0] == Changes(case_ids=[7]) and broadcasts[-1][1] is window.case_list


def test_an_open_parent_case_reads_again_when_its_review_is_decided_on_another_page(qtbot, office):
    """The issue's own example: the 复核 is decided on its page; the parent's page, open in another
    tab, shows the new amount without a refresh and without a version conflict on its next action."""
    from doudi_desk.services.cases import CaseService
    from doudi_desk.services.lifecycle import LifecycleService
    from tests.helpers.lifecycle import GAP, approved, day, run_to_decision
    from tests.helpers.window import dialog_action, open_page

    svc = CaseService(office)
    parent = approved(svc, GAP)
    review = LifecycleService(svc).start_review(parent.id, "clerk", effective_date=day(20))
    run_to_decision(svc, review.id, when=21)
    window = make_window(qtbot, office)
    login(qtbot, window, "approver")
    parent_page = open_page(qtbot, window, parent.id)
    shown_version = parent_page.view.version
    assert parent_page.benefit_panel.history.rowCount() == 1
    broadcasts = []
    window.operation_did_execute.connect(lambda changes, initiator: broadcasts.append((changes, initiator)))

    review_page = open_page(qtbot, window, review.id)
    assert window.current_page() is review_page
    dialog_action(qtbot, window, review_page, "decide", day(24), {"review_decision": {"reasons": "复核后调整"}})
    settle(qtbot, window)
    assert review_page.view.state == "decided"
    [(changes, initiator)] = broadcasts
    assert initiator is review_page and {parent.id, review.id} <= changes.case_ids

    stored = svc.show(parent.id)
    assert stored.version > shown_version
    assert parent_page.view.version == stored.version  # read again, behind its tab
    assert parent_page.benefit_panel.history.rowCount() == 2
    assert parent_page.benefit_panel.fact_labels["monthly_amount"].text() == f"{stored.benefit['monthly_amount']} 元"
