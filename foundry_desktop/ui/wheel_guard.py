"""The mouse wheel scrolls the panel it is over; it changes a field only when the creator chose
that field (clicked it or tabbed to it).

Qt's combo boxes take focus from the wheel and then change their value, and spin boxes and
sliders change under a passing pointer: scrolling down the inspector switched a footage shot's
backend to a paid service. One filter on the application, as Resolve and Premiere behave: a
combo box, spin box or slider without focus passes the wheel to what holds it (a scroll area
scrolls), and no such field takes focus from the wheel.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollBar,
    QWidget,
)

GUARDED = (QComboBox, QAbstractSpinBox, QAbstractSlider)


class WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if not isinstance(watched, GUARDED) or isinstance(watched, QScrollBar):  # a scroll bar is for the wheel
            return False
        if event.type() == QEvent.Type.Polish and watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
            # The wheel must not give a field focus before this filter sees the wheel itself.
            watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        elif event.type() == QEvent.Type.Wheel and not watched.hasFocus():
            scroll_area = _scroll_area_around(watched)
            if scroll_area is not None:
                QCoreApplication.sendEvent(scroll_area.viewport(), event)
            else:
                event.ignore()  # Qt offers an ignored wheel to the widgets around this one
            return True
        return False


def _scroll_area_around(widget: QWidget) -> QAbstractScrollArea | None:
    holder = widget.parentWidget()
    while holder is not None and not isinstance(holder, QAbstractScrollArea):
        holder = holder.parentWidget()
    return holder


def install_wheel_guard(app: QApplication) -> WheelGuard:
    """Guard every field of `app`, those already made included; the guard lives with `app`."""
    guard = app.findChild(WheelGuard)
    if guard is None:
        guard = WheelGuard(app)
        app.installEventFilter(guard)
        for widget in app.allWidgets():
            if isinstance(widget, GUARDED) and not isinstance(widget, QScrollBar) \
                    and widget.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return guard

