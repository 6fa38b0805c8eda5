"""The mouse wheel never changes an answer by accident.

Scrolling a long form moves the pointer over combo boxes and spin boxes; Qt's default lets the
wheel change whatever is under the pointer (and a combo box even takes the focus from the wheel),
so 核对结果 could silently turn into 与申报相符 and the auto-saved draft keep it. One
application-wide event filter, installed at start-up (style.setup_application), covers every
combo box, spin box and date edit anywhere in the program, whoever created it:

- their focus policy becomes ``Qt.StrongFocus`` (focus by click or Tab, never by the wheel);
- a wheel event over one that does not have the focus changes nothing and goes to the widgets
  around it instead, so the page under the pointer still scrolls.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QWidget

GUARDED = (QComboBox, QAbstractSpinBox)  # QSpinBox, QDoubleSpinBox, QDateEdit … are spin boxes


def _forward(widget: QWidget, event: QWheelEvent) -> None:
    """Offer the wheel to the widget's ancestors, nearest first, until one takes it (a scroll area)."""
    pos = event.position()
    target = widget.parentWidget()
    child = widget
    while target is not None:
        local = QPointF(child.mapTo(target, pos))
        copy = QWheelEvent(local, event.globalPosition(), event.pixelDelta(), event.angleDelta(), event.buttons(),
                           event.modifiers(), event.phase(), event.inverted(), event.source())
        copy.ignore()
        if isinstance(target, GUARDED) and not target.hasFocus():
            pass  # a guarded ancestor is skipped like the widget itself
        else:
            QApplication.sendEvent(target, copy)
            if copy.isAccepted():
                return
        if target.isWindow():
            return
        pos = local
        child, target = target, target.parentWidget()


class WheelGuard(QObject):
    """The event filter; see the module docstring."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        kind = event.type()
        if kind == QEvent.Type.Polish and isinstance(obj, GUARDED):
            obj.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        elif kind == QEvent.Type.Wheel and isinstance(obj, GUARDED) and not obj.hasFocus():
            if obj.focusPolicy() == Qt.FocusPolicy.WheelFocus:  # created after start-up, not yet polished
                obj.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            _forward(obj, event)
            return True
        return False


_GUARD: WheelGuard | None = None


def install(app: QApplication) -> WheelGuard:
    """Install the one guard on ``app`` (again on the same app: nothing changes)."""
    global _GUARD
    if _GUARD is None or _GUARD.parent() is not app:
        _GUARD = WheelGuard(app)
        app.installEventFilter(_GUARD)
    return _GUARD
