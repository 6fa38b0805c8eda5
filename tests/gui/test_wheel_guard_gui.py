"""The mouse wheel changes a combo or spin box only when it has the focus, everywhere (issue 10 item 8)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

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



GUARD_CALLS = r"""
import json
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget
from doudi_desk.ui import wheel_guard

seen = []
original = wheel_guard.WheelGuard.eventFilter


def recording(self, obj, event):
    seen.append(type(obj).__name__)
    return original(self, obj, event)


wheel_guard.WheelGuard.eventFilter = recording  # before the application makes its guard
from doudi_desk.ui.application import make_app
from PySide6.QtWidgets import QApplication

app = make_app()
page = QWidget()
layout = QVBoxLayout(page)
for widget in (QLabel("姓名"), QLineEdit(), QComboBox(), QSpinBox()):
    layout.addWidget(widget)
page.show()
for _ in range(5):
    QApplication.processEvents()
print(json.dumps(sorted(set(seen))))
"""


def test_the_guard_is_called_for_combo_and_spin_boxes_only():
    """Not an application-wide filter: that ran Python for every event of every object, each call
    waiting for the GIL while the worker ran Python — the window stalled at start-up."""
    out = subprocess.run([sys.executable, "-c", GUARD_CALLS], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == ["QComboBox", "QSpinBox"]
