"""The mouse wheel over the inspector, every panel and every dialog scrolls them, and changes a
combo box, spin box or slider only when the creator chose that field (issue 17: scrolling down
the inspector once switched a footage shot's backend to a paid service, one undo step per notch)."""

import pytest

pytest.importorskip("PySide6.QtWidgets")

from gui_loop import editor_window, opened, project_session, settings_in, wait_until  # noqa: E402
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


# -- every panel and every dialog ------------------------------------------------------------------

def snapshot(root: QWidget) -> list[tuple[str, object]]:
    """What every field of `root` shows (those on hidden pages too), to compare after the wheel."""
    kinds = (QComboBox, QAbstractSpinBox, QAbstractSlider)
    return [(type(w).__name__, value_of(w)) for w in root.findChildren(QWidget)
            if isinstance(w, kinds) and not isinstance(w, QScrollBar)]


def wheel_over_every_field(root: QWidget) -> int:
    """Turn the wheel over each field a creator can see in `root`; each keeps its value and none
    takes focus from the wheel. Returns how many fields there were. (A dialog gives its first
    field focus when it opens; the creator has chosen none of them yet.)"""
    focused = QApplication.focusWidget()
    if focused is not None and root.isAncestorOf(focused):
        focused.clearFocus()
    seen = fields(root)
    for field in seen:
        assert field.focusPolicy() != Qt.FocusPolicy.WheelFocus, field
        before = value_of(field)
        wheel_down(field)
        assert value_of(field) == before, (root, field, field.objectName(), field.toolTip())
        assert not field.hasFocus(), field
    return len(seen)


def saved_project(path) -> dict:
    with ProjectService.open(path, read_only=True) as reader:
        return reader.project.model_dump()


@pytest.fixture
def film(tmp_path):
    """A project with a shot of each kind the inspector shows differently: generated (built-in),
    a ComfyUI workflow, footage and a still; the built-in one generated."""
    from PIL import Image
    from video_sources import sine, write_video, write_wav

    from foundry_desktop.app.shots.media_shots import add_media_shot
    from foundry_desktop.app.shots.music_clips import add_music

    path = tmp_path / "film.foundry"
    with ProjectService.create(path, width=320, height=180, frame_rate="24") as service:
        service.add_shot(prompt="A red fox in the snow", duration_seconds="1", seed=1, name="Fox")
        service.add_shot(prompt="A city at night", duration_seconds="1", seed=2, backend="comfyui",
                         workflow="wan-text-to-video", name="City")
        add_media_shot(service, write_video(tmp_path / "walk.mp4", frames=24, width=320, height=180, tone=sine()))
        still = tmp_path / "poster.png"
        Image.new("RGB", (320, 180), (200, 60, 40)).save(still)
        add_media_shot(service, still, duration_seconds="1")
        add_music(service, write_wav(tmp_path / "tune.wav", 2.0, 0.3))
    return path


@pytest.fixture
def window(qtbot, loop, tmp_path, film, guarded):
    with editor_window(qtbot, loop, settings_in(tmp_path), size=(1440, 900)) as window:
        opened(window, film)
        session = window.session
        session.generate({session.service.project.timeline.shots[0].id})
        wait_until(loop, lambda: not session.generating and session.service.project.takes_of(
            session.service.project.timeline.shots[0].id))
        yield window


def test_the_wheel_changes_nothing_in_any_panel_for_any_kind_of_shot(window, loop, film):
    session = window.session
    before, undo_before = saved_project(film), session.service.undo_label()
    counted = 0
    for shot in session.service.project.timeline.shots:  # generated, ComfyUI, footage, still
        session.select([shot.id])
        wait_until(loop, lambda: window.inspector.backend.count() > 0)
        for panel in window.panels:
            shown = snapshot(panel)
            counted += wheel_over_every_field(panel)
            assert snapshot(panel) == shown, panel
    assert counted >= 4 * 5  # the inspector's fields, the variants, the seek slider, the timeline's
    window.docks["Jobs"].raise_()
    wheel_over_every_field(window.jobs)
    assert session.service.undo_label() == undo_before  # no edit was made
    assert saved_project(film) == before  # nor written to the file


def dialog_openers():
    """Every dialog of ui/dialogs and ui/settings (and the two the window opens from elsewhere),
    opened as the window opens it: name -> opener(session, tmp_path)."""
    from PySide6.QtCore import QSettings

    from foundry_desktop.app.assist.language_model import LanguageModelSettings
    from foundry_desktop.app.generation.session import GenerationSession
    from foundry_desktop.ui.dialogs.captions import CaptionsDialog
    from foundry_desktop.ui.dialogs.characters import CharactersDialog
    from foundry_desktop.ui.dialogs.export_cut import ExportDialog
    from foundry_desktop.ui.dialogs.film_flow import FilmFlowDialog
    from foundry_desktop.ui.dialogs.film_timecode import FilmTimecodeDialog
    from foundry_desktop.ui.dialogs.mood_board import MoodBoardDialog
    from foundry_desktop.ui.dialogs.music_generation import GenerateMusicDialog
    from foundry_desktop.ui.dialogs.plan import PlanDialog
    from foundry_desktop.ui.dialogs.render import RenderDialog
    from foundry_desktop.ui.panels.render_jobs import RenderJobsView
    from foundry_desktop.ui.dialogs.workflow_library import WorkflowLibraryDialog
    from foundry_desktop.ui.panels.compare_takes import CompareTakesDialog
    from foundry_desktop.ui.settings.dialog import SettingsDialog
    from foundry_desktop.ui.window.welcome import NewProjectDialog

    def settings(tmp_path):
        return QSettings(str(tmp_path / "dialog.ini"), QSettings.Format.IniFormat)

    def compare(session, tmp_path):
        shot = session.service.project.timeline.shots[2]
        take = session.service.project.selected_take(shot)
        return CompareTakesDialog(None, [("Take 1", take, None, True), ("Take 2", take, None, False)], lambda _: None)

    return {
        "CaptionsDialog": lambda session, tmp_path: CaptionsDialog(session),
        "CharactersDialog": lambda session, tmp_path: CharactersDialog(session, confirm=lambda *_: False),
        "ExportDialog": lambda session, tmp_path: ExportDialog(session),
        "MoodBoardDialog": lambda session, tmp_path: MoodBoardDialog(session, load_settings=LanguageModelSettings),
        "GenerateMusicDialog": lambda session, tmp_path: GenerateMusicDialog(session),
        "FilmTimecodeDialog": lambda session, tmp_path: FilmTimecodeDialog(session),
        "FilmFlowDialog": lambda session, tmp_path: FilmFlowDialog(session, load_settings=LanguageModelSettings),
        "PlanDialog": lambda session, tmp_path: PlanDialog(session, load_settings=LanguageModelSettings),
        "RenderDialog": lambda session, tmp_path: RenderDialog(session, RenderJobsView(),
                                                                       settings=settings(tmp_path)),
        "WorkflowLibraryDialog": lambda session, tmp_path: WorkflowLibraryDialog(confirm=lambda *_: False),
        "SettingsDialog": lambda session, tmp_path: SettingsDialog(GenerationSession(), settings=settings(tmp_path),
                                                                   confirm=lambda *_: False),
        "NewProjectDialog": lambda session, tmp_path: NewProjectDialog(tmp_path),
        "CompareTakesDialog": compare,
    }


def test_every_dialog_has_a_wheel_test():
    """A dialog added to ui/dialogs or ui/settings is wheeled over too, or this fails."""
    import importlib
    import pkgutil

    from PySide6.QtWidgets import QDialog

    import foundry_desktop.ui.dialogs as dialogs
    import foundry_desktop.ui.settings as settings

    found = set()
    for package in (dialogs, settings):
        for module in pkgutil.iter_modules(package.__path__):
            loaded = importlib.import_module(f"{package.__name__}.{module.name}")
            found |= {name for name, value in vars(loaded).items() if isinstance(value, type)
                      and issubclass(value, QDialog) and value.__module__ == loaded.__name__}
    assert found and found <= set(dialog_openers()), found - set(dialog_openers())


@pytest.mark.parametrize("name", sorted(dialog_openers()))
def test_the_wheel_changes_nothing_in_a_dialog(name, qtbot, loop, film, tmp_path, guarded, password_store):
    from gui_loop import project_session
    from PySide6.QtWidgets import QTabWidget

    service = ProjectService.open(film)
    with project_session(service, loop) as session:
        before = saved_project_open(service)
        dialog = dialog_openers()[name](session, tmp_path)
        qtbot.addWidget(dialog)
        dialog.resize(900, 360)  # shorter than most forms: those that scroll must scroll, not change
        dialog.show()
        settle(loop, dialog)
        shown = snapshot(dialog)
        pages = [tabs for tabs in dialog.findChildren(QTabWidget)] or [None]
        counted = 0
        for tabs in pages:
            for page in range(tabs.count() if tabs is not None else 1):
                if tabs is not None:
                    tabs.setCurrentIndex(page)
                    settle(loop, dialog)
                    shown = snapshot(dialog)
                counted += wheel_over_every_field(dialog)
                assert snapshot(dialog) == shown
        assert counted or not snapshot(dialog)  # a dialog with fields had them wheeled over
        assert saved_project_open(service) == before
        settle(loop, dialog)
        dialog.close()


def saved_project_open(service) -> dict:
    """The project as its file holds it, read beside the open service."""
    with ProjectService.open(service.path, read_only=True) as reader:
        return reader.project.model_dump()


def settle(loop, dialog) -> None:
    """Until the work the dialog started (reading settings, keys, the library) has ended."""
    if hasattr(dialog, "wait_idle"):
        loop.run_until_complete(dialog.wait_idle())
    elif hasattr(dialog, "work"):
        loop.run_until_complete(dialog.work.wait_idle())
    QApplication.processEvents()
