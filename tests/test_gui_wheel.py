"""The mouse wheel over the inspector scrolls it, and changes a combo box, spin box or slider
only when the creator chose that field (issue 17: scrolling down the inspector once switched a
footage shot's backend to a paid service, one undo step per notch)."""

import pytest

pytest.importorskip("PySide6.QtWidgets")

from gui_loop import project_session, wait_until  # noqa: E402
from PySide6.QtCore import QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QWheelEvent  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollBar,
    QWidget,
)

from foundry_desktop.app.project_service import ProjectService  # noqa: E402
from foundry_desktop.ui.inspector.inspector import InspectorPanel  # noqa: E402
from foundry_desktop.ui.wheel_guard import install_wheel_guard  # noqa: E402


@pytest.fixture
def guarded(qapp):
    install_wheel_guard(qapp)


@pytest.fixture
def session(tmp_path, loop):
    service = ProjectService.create(tmp_path / "film.foundry", width=320, height=180, frame_rate="24")
    service.add_shot(prompt="A red fox in the snow", duration_seconds="2", seed=1, name="Fox")
    with project_session(service, loop) as opened:
        yield opened


def inspector(qtbot, loop, session):
    panel = InspectorPanel()
    qtbot.addWidget(panel)
    panel.resize(400, 300)  # shorter than its form: the form scrolls
    panel.show()
    panel.set_session(session)
    session.select([session.service.project.timeline.shots[0].id])
    wait_until(loop, lambda: "comfyui" in [panel.backend.itemText(i) for i in range(panel.backend.count())])
    return panel


def wheel_down(widget: QWidget, notches: int = 3) -> None:
    """Turn the wheel `notches` clicks down over the middle of `widget`."""
    middle = QPointF(widget.width() / 2, widget.height() / 2)
    for _ in range(notches):
        event = QWheelEvent(middle, QPointF(widget.mapToGlobal(QPoint(widget.width() // 2, widget.height() // 2))),
                            QPoint(0, 0), QPoint(0, -120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                            Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(widget, event)


def fields(root: QWidget) -> list[QWidget]:
    """The combo boxes, spin boxes and sliders in `root` a creator can use (scroll bars aside)."""
    kinds = (QComboBox, QAbstractSpinBox, QAbstractSlider)
    return [w for w in root.findChildren(QWidget) if isinstance(w, kinds) and not isinstance(w, QScrollBar)
            and w.isVisibleTo(root) and w.isEnabled()]


def value_of(widget: QWidget):
    if isinstance(widget, QComboBox):
        return widget.currentIndex()
    if isinstance(widget, QAbstractSpinBox):
        return widget.text()
    return widget.value()


def test_the_wheel_over_unchosen_fields_changes_nothing_and_scrolls_the_inspector(qtbot, loop, session, guarded):
    panel = inspector(qtbot, loop, session)
    scroll = panel.editor.verticalScrollBar()
    seen = fields(panel)
    assert any(isinstance(field, QComboBox) for field in seen) and any(
        isinstance(field, QAbstractSpinBox) for field in seen)
    shot_before, undo_before = session.service.project.timeline.shots[0], session.service.undo_label()
    for field in seen:
        assert field.focusPolicy() != Qt.FocusPolicy.WheelFocus, field  # the wheel gives no field focus
        before = value_of(field)
        wheel_down(field)
        assert value_of(field) == before, field
    assert session.service.project.timeline.shots[0] == shot_before
    assert session.service.undo_label() == undo_before  # no edit was made
    with ProjectService.open(session.service.path, read_only=True) as reader:  # nor written to the file
        assert reader.project.timeline.shots[0].spec == shot_before.spec

    scroll.setValue(0)
    wheel_down(panel.backend)
    assert scroll.value() > 0  # the wheel scrolled the form instead


def test_a_field_the_creator_chose_takes_the_wheel(qtbot, loop, session, guarded):
    panel = inspector(qtbot, loop, session)
    panel.backend.setFocus()
    wait_until(loop, lambda: panel.backend.hasFocus())
    before = panel.backend.currentIndex()
    wheel_down(panel.backend, 1)
    assert panel.backend.currentIndex() != before
