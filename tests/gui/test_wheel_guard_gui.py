"""The mouse wheel changes a combo or spin box only when it has the focus, everywhere (issue 10 item 8)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QScrollArea

from tests.helpers.dibao import investigating
from tests.helpers.window import login, make_window, screenshot, settle, type_text


def wheel(widget, steps: int = -1) -> QWheelEvent:
    """One notch of the wheel over the middle of ``widget`` (negative: towards the user)."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, 120 * steps),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)
    return event


def guarded_widgets(root):
    return root.findChildren(QComboBox) + root.findChildren(QAbstractSpinBox)


def test_wheel_over_an_unfocused_answer_changes_nothing_and_scrolls_the_page(qtbot, office):
    _svc, cid = investigating(office)
    window = make_window(qtbot, office)
    login(qtbot, window, "clerk")
    page = window.open_case(cid)
    settle(qtbot, window)
    # Something typed, kept as the draft.
    type_text(qtbot, page.editors["verification"].fields["findings"].widget, "存款与申报一致")
    page.save_draft()
    settle(qtbot, window)
    draft = window.backend.drafts.load("clerk", page.draft_key)
    assert draft["data"]["forms"]["verification"] == {"findings": "存款与申报一致"}

    combo = page.editors["verification"].fields["result"].widget  # 核对结果
    assert combo.currentData() is None and combo.currentText() == "（请选择）"
    page.effective.edit.setFocus()
    assert not combo.hasFocus()
    scroll = page.forms_box.parentWidget().parentWidget().parentWidget()
    assert isinstance(scroll, QScrollArea)
    bar = scroll.verticalScrollBar()
    assert bar.maximum() > 0  # the form is longer than the page at 1366×768
    before = bar.value()
    for _ in range(3):
        wheel(combo)
    assert combo.currentData() is None and combo.currentText() == "（请选择）"
    assert bar.value() > before  # the wheel scrolled the page instead
    assert not page._draft_dirty  # nothing new for the auto-save to keep
    page.closing()  # what closing the tab keeps
    settle(qtbot, window)
    assert window.backend.drafts.load("clerk", page.draft_key)["data"] == draft["data"]

    # With the focus (clicked or tabbed into), the wheel still works as usual.
    window.activateWindow()
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus, timeout=3000)
    wheel(combo)
    assert combo.currentData() == "consistent"
    screenshot(window, "wheel_guard_case_page")


def test_every_combo_and_spin_box_takes_focus_only_by_click_or_tab(qtbot, office):
    _svc, cid = investigating(office)
    window = make_window(qtbot, office)
    login(qtbot, window, "clerk")
    window.open_case(cid)
    application = window.new_application()  # 机动车、住房 spin boxes, 项目 and 村 combos
    settle(qtbot, window)
    window.tabs.setCurrentWidget(application)
    QApplication.processEvents()
    found = guarded_widgets(window)
    assert len([w for w in found if isinstance(w, QAbstractSpinBox)]) >= 2 and len(found) >= 10
    for w in found:
        w.ensurePolished()
        assert w.focusPolicy() == Qt.FocusPolicy.StrongFocus, w.objectName() or type(w).__name__
    spin = application.household.vehicles
    spin.clearFocus()
    wheel(spin, steps=1)
    assert spin.value() == 0
