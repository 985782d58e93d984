"""The main window's commands as a table: each menu's items in order (the action's name on the
window, its text, shortcut, what it does, whether it needs an open project), and the
toolbar's picks with their icons. add_menus_and_toolbar builds them onto the window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QStyle

from foundry_desktop.ui.dialogs.captions import CaptionsDialog
from foundry_desktop.ui.dialogs.characters import CharactersDialog
from foundry_desktop.ui.dialogs.export_cut import ExportDialog
from foundry_desktop.ui.dialogs.film_flow import start_film_from_brief
from foundry_desktop.ui.dialogs.film_timecode import FilmTimecodeDialog
from foundry_desktop.ui.dialogs.mood_board import MoodBoardDialog
from foundry_desktop.ui.dialogs.music_generation import GenerateMusicDialog
from foundry_desktop.ui.dialogs.plan import PlanDialog
from foundry_desktop.ui.editing import commands as editing
from foundry_desktop.ui.editing.import_into import choose_cut_to_add
from foundry_desktop.ui.editing.shortcuts import show_shortcuts
from foundry_desktop.ui.window.project_clean_action import clean_project_folder
from foundry_desktop.ui.storyboard.sheet_export import export_from_window
from foundry_desktop.ui.timeline.track_commands import choose_music, type_caption_at_playhead

if TYPE_CHECKING:
    from foundry_desktop.ui.window.main_window import MainWindow

Key = QKeySequence.StandardKey
Keys = Key | Qt.Key | str | tuple[str, ...] | None  # a tuple: several keys for one command
SEPARATOR = "separator"
RECENT = "recent projects"  # the File menu's submenu of recent projects (window.recent_menu)
DOCKS = "docks"  # the View menu's show/hide item for each dock


@dataclass(frozen=True)
class Command:
    name: str  # the window's attribute holding the action: window.undo_action
    text: str
    run: Callable[[MainWindow], object]
    keys: Keys = None
    needs_project: bool = True  # disabled while no project is open
    role: QAction.MenuRole | None = None
    checked: bool | None = None  # an on/off item (snapping): on or off at first; run reads action.isChecked()


MENUS: tuple[tuple[str, tuple[Command | str, ...]], ...] = (
    ("&File", (
        Command("new_action", "&New project…", lambda w: w.new_project(), Key.New, needs_project=False),
        Command("new_film_action", "New &film from a brief…", start_film_from_brief, needs_project=False),
        Command("open_action", "&Open…", lambda w: w.choose_project(), Key.Open, needs_project=False),
        Command("demo_action", "Open the &demo", lambda w: w.open_demo(), needs_project=False),
        Command("import_media_action", "Import &media…", lambda w: w.import_media(), "Ctrl+I"),
        Command("relink_action", "Re&link media…", lambda w: w.offline_notice.relink()),
        Command("import_action", "&Import a cut…", lambda w: w.choose_cut_to_import(), "Ctrl+Shift+I",
                needs_project=False),
        Command("import_into_action", "Import a cut into &this project…", choose_cut_to_add),
        RECENT,
        SEPARATOR,
        Command("save_action", "&Save",
                lambda w: w.statusBar().showMessage("Every change is saved as you make it.", 3000), Key.Save),
        Command("render_action", "&Render…", lambda w: w.show_render(), "Ctrl+R"),
        Command("export_action", "&Export the cut…", lambda w: w.open_dialog(ExportDialog), "Ctrl+E"),
        Command("export_storyboard_action", "Export the story&board…", export_from_window, "Ctrl+Shift+E"),
        Command("clean_project_action", "Clean &up the project folder", clean_project_folder),
        Command("close_action", "&Close project", lambda w: w.close_project(), Key.Close),
        SEPARATOR,
        # Spelled out: Qt's Preferences key exists only on macOS, its Quit key not on Windows; Resolve
        # and CapCut use these on every system (Ctrl is the Command key on a Mac).
        Command("settings_action", "Se&ttings…", lambda w: w.show_settings(), "Ctrl+,", needs_project=False,
                role=QAction.MenuRole.PreferencesRole),
        Command("quit_action", "&Quit", lambda w: w.close(), "Ctrl+Q", needs_project=False),
    )),
    ("&Edit", (
        Command("undo_action", "&Undo", lambda w: w.travel(undo=True), Key.Undo),
        Command("redo_action", "&Redo", lambda w: w.travel(undo=False), ("Ctrl+Shift+Z", "Ctrl+Y")),  # Y: Windows' own
        SEPARATOR,
        Command("cut_action", "Cu&t", editing.cut, Key.Cut),
        Command("copy_action", "&Copy", editing.copy, Key.Copy),
        Command("paste_action", "&Paste at the playhead", editing.paste, Key.Paste),
        Command("duplicate_action", "&Duplicate", editing.duplicate, "Ctrl+D"),
        Command("select_all_action", "Select &all", editing.select_all, Key.SelectAll),
        SEPARATOR,
        # Resolve's keys: Delete closes up, Backspace leaves the time empty.
        Command("ripple_delete_action", "Ripple &delete (close up)", lambda w: w.timeline.ripple_delete(),
                Qt.Key.Key_Delete),
        Command("lift_action", "&Lift (leave a gap)", lambda w: w.timeline.lift(), Qt.Key.Key_Backspace),
    )),
    ("&Shots", (
        Command("add_shot_action", "&Add shot", editing.add_shot, "Ctrl+Shift+N"),
        Command("add_music_action", "Add &music…", lambda w: choose_music(w, w.session)),
        Command("generate_music_action", "Generate m&usic…", lambda w: w.open_dialog(GenerateMusicDialog)),
        Command("add_caption_action", "Add cap&tion at playhead", lambda w: type_caption_at_playhead(w.timeline.canvas),
                "Ctrl+T"),
        Command("new_scene_action", "New sc&ene from selection", editing.new_scene_from_selection, "Ctrl+Alt+N"),
        Command("remove_scene_action", "Remo&ve scene (keep its shots)", editing.remove_scene),
        Command("plan_action", "&Plan from a brief…", lambda w: w.open_dialog(PlanDialog)),
        Command("mood_board_action", "&Mood board…", lambda w: w.open_dialog(MoodBoardDialog)),
        Command("generate_action", "&Generate", lambda w: w.generate(selected_only=False), "Ctrl+G"),
        Command("generate_selected_action", "Generate &selected", lambda w: w.generate(selected_only=True),
                "Ctrl+Shift+G"),
        Command("play_action", "&Play / pause", lambda w: w.preview.toggle_playback(), Qt.Key.Key_Space),
        Command("captions_action", "&Captions…", lambda w: w.open_dialog(CaptionsDialog), "Ctrl+Shift+C"),
        Command("workflows_action", "&Workflow library…", lambda w: w.show_workflow_library(), "Ctrl+Shift+W",
                needs_project=False),
        Command("characters_action", "&Characters && Styles…", lambda w: w.open_dialog(CharactersDialog),
                "Ctrl+Alt+C"),
    )),
    ("&Timeline", (
        Command("split_action", "&Split at the playhead", editing.split_at_playhead, ("B", "Ctrl+B", "Ctrl+K")),
        Command("trim_start_action", "Trim the &start to the playhead",
                lambda w: w.timeline.trim_to_playhead(start=True), "I"),
        Command("trim_end_action", "Trim the &end to the playhead",
                lambda w: w.timeline.trim_to_playhead(start=False), "O"),
        SEPARATOR,
        Command("play_backwards_action", "Play &backwards (again: faster)", lambda w: w.timeline.shuttle(-1), "J"),
        Command("stop_action", "S&top", lambda w: w.timeline.shuttle(0), "K"),
        Command("play_forwards_action", "Play &forwards (again: faster)", lambda w: w.timeline.shuttle(1), "L"),
        SEPARATOR,
        Command("marker_action", "Add a &marker at the playhead", lambda w: w.timeline.add_marker(), "M"),
        Command("snapping_action", "S&napping", lambda w: editing.set_snapping(w, w.snapping_action.isChecked()),
                "N", checked=True),
        Command("film_timecode_action", "Film &timecode…", lambda w: w.open_dialog(FilmTimecodeDialog)),
    )),
    ("&View", (
        # Resolve's and CapCut's zoom keys, Premiere's bare = and -, and + for keyboards that have it.
        Command("zoom_in_action", "Zoom &in", lambda w: w.timeline.zoom_in(), ("Ctrl+=", "Ctrl++", "=", "+")),
        Command("zoom_out_action", "Zoom &out", lambda w: w.timeline.zoom_out(), ("Ctrl+-", "-")),
        Command("zoom_fit_action", "Zoom to &fit the film", lambda w: w.timeline.canvas.fit(), "Shift+Z"),
        SEPARATOR,
        DOCKS,
        SEPARATOR,
        Command("storyboard_action", "The &storyboard", lambda w: w.show_storyboard(), "Ctrl+Shift+B"),
        Command("reset_layout_action", "Reset the &layout", lambda w: w.reset_layout(), needs_project=False),
    )),
    ("&Help", (
        Command("shortcuts_action", "&Keyboard shortcuts", show_shortcuts, "Ctrl+/", needs_project=False),
    )),
)

Icon = QStyle.StandardPixmap
TOOLBAR: tuple[tuple[str, QStyle.StandardPixmap] | str, ...] = (
    ("new_action", Icon.SP_FileIcon),
    ("open_action", Icon.SP_DialogOpenButton),
    SEPARATOR,
    ("undo_action", Icon.SP_ArrowBack),
    ("redo_action", Icon.SP_ArrowForward),
    SEPARATOR,
    ("add_shot_action", Icon.SP_FileDialogNewFolder),
    ("generate_action", Icon.SP_BrowserReload),
    ("play_action", Icon.SP_MediaPlay),
    ("render_action", Icon.SP_DialogSaveButton),
)
ICON_ONLY = ("undo_action", "redo_action")  # their text names the edit: a tooltip on the toolbar


def _action(window: MainWindow, command: Command) -> QAction:
    action = QAction(command.text, window)
    if isinstance(command.keys, tuple):
        action.setShortcuts([QKeySequence(keys) for keys in command.keys])
    elif command.keys is not None:
        action.setShortcut(QKeySequence(command.keys))
    if command.checked is not None:
        action.setCheckable(True)
        action.setChecked(command.checked)
    action.triggered.connect(lambda _checked=False, run=command.run: run(window))
    action.setProperty("needs_project", command.needs_project)
    action.setProperty("command_text", command.text)  # the text as the table names it (Undo's own changes)
    if command.role is not None:
        action.setMenuRole(command.role)
    return action


def add_menus_and_toolbar(window: MainWindow) -> list[QAction]:
    """The menus and the toolbar, each action kept on the window under its command's name;
    returns the actions that need an open project."""
    made: list[QAction] = []
    for title, items in MENUS:
        menu = window.menuBar().addMenu(title)
        for item in items:
            if item == SEPARATOR:
                menu.addSeparator()
            elif item == RECENT:
                window.recent_menu = menu.addMenu("Open &recent")
            elif item == DOCKS:
                for dock in window.docks.values():
                    menu.addAction(dock.toggleViewAction())
            else:
                assert isinstance(item, Command)
                action = _action(window, item)
                setattr(window, item.name, action)
                menu.addAction(action)
                made.append(action)
    toolbar = window.addToolBar("Main")
    toolbar.setObjectName("toolbar-main")
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    for item in TOOLBAR:
        if item == SEPARATOR:
            toolbar.addSeparator()
            continue
        name, icon = item
        action = getattr(window, name)
        action.setIcon(window.style().standardIcon(icon))
        toolbar.addAction(action)
    for name in ICON_ONLY:
        toolbar.widgetForAction(getattr(window, name)).setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    return [action for action in made if action.property("needs_project")]
