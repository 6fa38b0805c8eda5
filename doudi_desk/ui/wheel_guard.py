"""The mouse wheel never changes an answer by accident.

Scrolling a long form moves the pointer over combo boxes and spin boxes; Qt's default lets the
wheel change whatever is under the pointer (and a combo box even takes the focus from the wheel),
so 核对结果 could silently turn into 与申报相符 and the auto-saved draft keep it. The
application's style (Fusion, through :class:`GuardStyle`, set at start-up by
style.setup_application) polishes every widget before it first shows, whoever created it; each
combo box, spin box and date edit it polishes gets the guard:

- its focus policy becomes ``Qt.StrongFocus`` (focus by click or Tab, never by the wheel);
- an event filter on that widget alone: a wheel event over it while it does not have the focus
  changes nothing and goes to the widgets around it instead, so the page under the pointer still
  scrolls.

Not an application-wide event filter: that calls Python for every event of every object (a window
showing sends hundreds), and each call waits for the GIL while the worker runs Python (up to the
switch interval, ui/application.py) — the window stalled 100 ms and more at start-up.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QProxyStyle,
    QStyleFactory,
    QWidget,
)

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
    """The event filter on each guarded widget; see the module docstring."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Wheel and isinstance(obj, GUARDED) and not obj.hasFocus():
            _forward(obj, event)
            return True
        return False


class GuardStyle(QProxyStyle):
    """Fusion; a combo or spin box it polishes gets the focus policy and the guard's filter."""

    def __init__(self, guard: WheelGuard):
        super().__init__(QStyleFactory.create("Fusion"))
        self.guard = guard

    def polish(self, target):  # QWidget, QApplication or QPalette (one Python name for three overloads)
        result = super().polish(target)
        if isinstance(target, GUARDED):
            target.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            target.installEventFilter(self.guard)  # again on a re-polish: Qt keeps one
        return result


_GUARD: WheelGuard | None = None


def install(app: QApplication) -> WheelGuard:
    """Give ``app`` the guarding style (again on the same app: nothing changes)."""
    global _GUARD
    if _GUARD is None or _GUARD.parent() is not app:
        _GUARD = WheelGuard(app)
        app.setStyle(GuardStyle(_GUARD))
    return _GUARD
