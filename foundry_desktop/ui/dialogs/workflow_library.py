"""The workflow library: the ComfyUI workflows shots can use, by category with favourites
first (★); for the chosen one what it is, which node input each of a shot's values goes
to, the nodes and model files it needs, and which servers can run it; and importing,
filing, marking and removing workflows.

The library reads and writes files (each workflow a JSON graph, plus a small index),
so every call to it runs in a worker thread; the server check runs on the qasync loop.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from foundry_desktop.app.generation.backends import servers_able_to_run, workflow_library
from foundry_desktop.app.generation.settings import load_settings
from foundry_desktop.app.generation.workflows import ModelFile, WorkflowEntry, WorkflowTemplate, import_warning
from foundry_desktop.errors import FoundryError
from foundry_desktop.ui.background_work import BackgroundWork
from foundry_desktop.ui.dialogs.dialog_work import Confirm, ErrorLine, asking
from foundry_desktop.ui.theme import STATUS_COLOURS

FAVOURITE_MARK = "★"
NOT_FAVOURITE_MARK = "☆"
NAME_ROLE = Qt.ItemDataRole.UserRole
CAN_RUN = "can run it"


def section_title(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("font-weight: 600; margin-top: 6px;")
    return label


class WorkflowLibraryDialog(QDialog):
    library_changed = Signal()  # a workflow was imported, removed, marked or filed (lists of workflows are stale)

    def __init__(self, parent: QWidget | None = None, *, confirm: Confirm | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Workflow library")
        self.resize(980, 640)
        self.library = workflow_library()
        self.confirm = confirm or asking(self)
        self.error = ErrorLine()
        self.work = BackgroundWork(self.error.show_error)
        self.entries: dict[str, WorkflowEntry] = {}
        self.template: WorkflowTemplate | None = None  # the chosen workflow's, once it has loaded
        self.problems: list[str] = []

        splitter = QSplitter()
        splitter.addWidget(self._build_list())
        splitter.addWidget(self._build_details())
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([320, 660])
        self.note = QLabel("")
        self.note.setProperty("hint", True)
        self.note.setWordWrap(True)  # an import's warning is a sentence or two
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.note, 1)
        bottom.addWidget(buttons)
        column = QVBoxLayout(self)
        column.addWidget(splitter, 1)
        column.addWidget(self.error)
        column.addLayout(bottom)
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)  # Enter in the tree must not import something
        self._show_entry(None)
        self.refresh()

    def _build_list(self) -> QWidget:
        """The workflows by category, and what can be done to the chosen one."""
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setMinimumWidth(280)
        self.tree.currentItemChanged.connect(lambda *_: self._show_chosen())
        self.import_button = QPushButton("Import…")
        self.import_button.clicked.connect(self.choose_import)
        self.favourite_button = QPushButton(f"{NOT_FAVOURITE_MARK} Favourite")
        self.favourite_button.setCheckable(True)
        self.favourite_button.setToolTip("Favourites come first in their category, and in the inspector's list.")
        self.favourite_button.toggled.connect(lambda checked: self.favourite_button.setText(
            f"{FAVOURITE_MARK if checked else NOT_FAVOURITE_MARK} Favourite"))
        self.favourite_button.clicked.connect(lambda checked: self.set_favourite(self.chosen, checked))
        self.category_button = QPushButton("Category…")
        self.category_button.clicked.connect(self.choose_category)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Removes an imported workflow from the library (built-in ones stay).")
        self.remove_button.clicked.connect(lambda: self.remove(self.chosen))
        self.problems_line = ErrorLine()
        tree_buttons = QHBoxLayout()
        for button in (self.import_button, self.favourite_button, self.category_button, self.remove_button):
            tree_buttons.addWidget(button)
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addWidget(self.tree, 1)
        left_column.addLayout(tree_buttons)
        left_column.addWidget(self.problems_line)

        return left

    def _build_details(self) -> QWidget:
        """The chosen workflow: what it is, its parameter map, the nodes and model files it
        needs, and which servers can run it."""
        self.title = QLabel("")
        self.title.setStyleSheet("font-size: 18px; font-weight: 600;")
        self.title.setWordWrap(True)
        self.about = QLabel("")
        self.about.setProperty("hint", True)
        self.about.setWordWrap(True)  # an imported one's path can be long
        self.description = QLabel("")
        self.description.setWordWrap(True)
        self.parameters = QTableWidget(0, 3)
        self.parameters.setHorizontalHeaderLabels(("Role", "Node", "Input"))
        self.parameters.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.parameters.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.parameters.verticalHeader().setVisible(False)
        self.parameters.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.parameters.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.parameters.horizontalHeader().setStretchLastSection(True)
        self.nodes = QLabel("")
        self.nodes.setWordWrap(True)
        self.nodes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.models = QLabel("")
        self.models.setWordWrap(True)
        self.models.setOpenExternalLinks(True)  # each model's download address, where the template gives one
        self.check_button = QPushButton("Check against servers")
        self.check_button.clicked.connect(self.check_servers)
        self.server_verdicts = QListWidget()
        self.server_verdicts.setWordWrap(True)
        self.server_verdicts.setMaximumHeight(110)
        check_row = QHBoxLayout()
        check_row.addWidget(section_title("ComfyUI servers"))
        check_row.addStretch(1)
        check_row.addWidget(self.check_button)
        right = QWidget()
        details = QVBoxLayout(right)
        details.setContentsMargins(8, 0, 0, 0)
        details.addWidget(self.title)
        details.addWidget(self.about)
        details.addWidget(self.description)
        details.addWidget(section_title("Parameter map: where each of a shot's values goes"))
        details.addWidget(self.parameters, 1)
        details.addWidget(section_title("Nodes it needs"))
        details.addWidget(self.nodes)
        details.addWidget(section_title("Model files it needs"))
        details.addWidget(self.models)
        details.addLayout(check_row)
        details.addWidget(self.server_verdicts)

        return right

    # -- the list ----------------------------------------------------------------------------

    @property
    def chosen(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(0, NAME_ROLE) if item is not None else None

    def refresh(self, choose: str | None = None) -> None:
        """Read the library again (in a worker thread) and show it, choosing `choose` or the one chosen now."""
        library, keep = self.library, choose or self.chosen
        self.work.in_thread(lambda: (library.by_category(), library.problems()),
                            lambda found: self._show_library(*found, keep))

    def _show_library(self, by_category: dict[str, list[WorkflowEntry]], problems: list[str], choose: str | None) -> None:
        self.entries = {entry.name: entry for entries in by_category.values() for entry in entries}
        self.problems = problems
        heading = f"{len(problems)} workflow file{'s' if len(problems) != 1 else ''} in the library cannot be used:"
        self.problems_line.show_error("\n".join([heading, *problems]) if problems else "")
        self.tree.blockSignals(True)  # the choice is made once, below
        self.tree.clear()
        bold = self.tree.font()
        bold.setBold(True)
        to_choose: QTreeWidgetItem | None = None
        for category, entries in by_category.items():
            group = QTreeWidgetItem([category])
            group.setFont(0, bold)
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)  # a heading, not something to choose
            self.tree.addTopLevelItem(group)
            for entry in sorted(entries, key=lambda e: (not e.favourite, e.title.lower(), e.name)):
                # An imported copy of a built-in has its title: the name tells them apart.
                text = entry.title if entry.builtin else f"{entry.title} ({entry.name})"
                item = QTreeWidgetItem([f"{FAVOURITE_MARK} {text}" if entry.favourite else text])
                item.setData(0, NAME_ROLE, entry.name)
                item.setToolTip(0, f"{entry.name}: {entry.description}" if entry.description else entry.name)
                group.addChild(item)
                if to_choose is None or entry.name == choose:
                    to_choose = item  # the one asked for, else the first
            group.setExpanded(True)
        self.tree.blockSignals(False)
        if to_choose is not None:
            self.tree.setCurrentItem(to_choose)
        self._show_chosen()

    def item_of(self, name: str) -> QTreeWidgetItem | None:
        for index in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(index)
            for child in range(group.childCount()):
                if group.child(child).data(0, NAME_ROLE) == name:
                    return group.child(child)
        return None

    def choose(self, name: str) -> None:
        item = self.item_of(name)
        if item is not None:
            self.tree.setCurrentItem(item)

    # -- the chosen workflow -------------------------------------------------------------------

    def _show_chosen(self) -> None:
        name = self.chosen
        entry = self.entries.get(name) if name is not None else None
        self._show_entry(entry)
        if entry is None:
            return
        library = self.library
        self.work.in_thread(lambda: library.get(entry.name), self._show_template)

    def _show_entry(self, entry: WorkflowEntry | None) -> None:
        """What the list already knows; the graph's parts follow once the template has loaded."""
        self.template = None
        self.server_verdicts.clear()
        self.parameters.setRowCount(0)
        self.nodes.clear()
        self.models.clear()
        self.favourite_button.setEnabled(entry is not None)
        self.category_button.setEnabled(entry is not None)
        self.remove_button.setEnabled(entry is not None and not entry.builtin)
        self.check_button.setEnabled(False)  # until the template has loaded
        if entry is None:
            self.title.setText("No workflow chosen")
            self.about.clear()
            self.description.clear()
            self.favourite_button.setChecked(False)
            return
        self.title.setText(entry.title)
        kind = "built in" if entry.builtin else f"imported, {entry.path}"
        self.about.setText(f"{entry.name} · {entry.category} · {kind}")
        self.description.setText(entry.description or "No description.")
        self.favourite_button.setChecked(entry.favourite)

    def _show_template(self, template: WorkflowTemplate) -> None:
        if template.name != self.chosen:
            return  # another workflow was chosen while this one loaded
        self.template = template
        self.check_button.setEnabled(True)
        warning = import_warning(template)  # a template that ignores the prompt, seed or picture says so here too
        if warning and warning not in self.description.text():
            self.description.setText(f"{self.description.text()}\n\n⚠ {warning}")
        rows = [(role, target) for role, targets in template.roles.items() for target in targets]
        self.parameters.setRowCount(len(rows))
        for row, (role, target) in enumerate(rows):
            node_class = template.graph.get(target.node_id, {}).get("class_type", "?")
            for column, text in enumerate((role, f"{target.node_id} · {node_class}", target.input_name)):
                self.parameters.setItem(row, column, QTableWidgetItem(text))
        self.nodes.setText(", ".join(template.required_nodes()) or "none")
        models = template.required_models()
        self.models.setText("<br>".join(self._model_line(model) for model in models) if models
                            else "none (it loads no model files)")

    @staticmethod
    def _model_line(model: ModelFile) -> str:
        name = html.escape(model.name)
        if model.url:
            name = f'<a href="{html.escape(model.url, quote=True)}">{name}</a>'
        return f"{name} → <i>models/{html.escape(model.folder)}/</i>"

    # -- servers ------------------------------------------------------------------------------

    def check_servers(self) -> None:
        template = self.template
        if template is None:
            return
        self.error.clear_error()
        self.server_verdicts.clear()
        try:
            settings = load_settings()
        except FoundryError as exc:
            self.error.show_error(str(exc))
            return
        if not settings.comfyui_servers:
            self.server_verdicts.addItem("No ComfyUI servers are set up; add them in Settings › ComfyUI servers.")
            return
        self.server_verdicts.addItem(f"Asking {len(settings.comfyui_servers)} server(s)…")
        self.check_button.setEnabled(False)
        self.work.run(servers_able_to_run(settings, template),
                      lambda verdicts: self._show_verdicts(template, verdicts), self._check_failed)

    def _check_failed(self, message: str) -> None:
        self.server_verdicts.clear()
        self.check_button.setEnabled(self.template is not None)
        self.error.show_error(message)

    def _show_verdicts(self, template: WorkflowTemplate, verdicts: dict[str, list[str]]) -> None:
        if self.template is None or template.identity != self.template.identity:
            return  # the answer is about a workflow no longer shown
        self.check_button.setEnabled(True)
        self.server_verdicts.clear()
        for server, lacking in verdicts.items():
            item = QListWidgetItem(f"{server}: {'; '.join(lacking) if lacking else CAN_RUN}")
            item.setForeground(STATUS_COLOURS["failed" if lacking else "current"])
            item.setToolTip(item.text())
            self.server_verdicts.addItem(item)

    # -- changing the library ------------------------------------------------------------------

    def choose_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a ComfyUI workflow", "",
                                              "ComfyUI workflow, API format (*.json)")
        if not path:
            return
        name, accepted = QInputDialog.getText(self, "Import a workflow", "Name in the library (letters, digits, -):",
                                              text=Path(path).stem)
        if accepted:
            self.import_file(Path(path), name.strip() or None)

    def import_file(self, path: Path, name: str | None = None) -> None:
        library = self.library
        self.error.clear_error()
        self.note.clear()

        def imported(template: WorkflowTemplate) -> None:
            warning = import_warning(template)
            self.note.setText(f"Imported {path.name} as {template.name}." + (f"\n⚠ {warning}" if warning else ""))
            self._changed(template.name)

        self.work.in_thread(lambda: library.import_workflow(path, name=name), imported)

    def set_favourite(self, name: str | None, favourite: bool) -> None:
        if name is None:
            return
        library = self.library
        self.work.in_thread(lambda: library.set_favourite(name, favourite), lambda _: self._changed(name),
                            failed=self._change_refused)

    def choose_category(self) -> None:
        name = self.chosen
        if name is None:
            return
        categories = sorted({entry.category for entry in self.entries.values()}, key=str.lower)
        current = self.entries[name].category
        category, accepted = QInputDialog.getItem(self, "Category", f"File {self.entries[name].title} under:",
                                                  categories, categories.index(current) if current in categories else 0,
                                                  editable=True)
        if accepted:
            self.file_under(name, category)

    def file_under(self, name: str, category: str | None) -> None:
        """File the workflow under `category`; blank goes back to the template's own."""
        library = self.library
        self.work.in_thread(lambda: library.set_category(name, category), lambda _: self._changed(name),
                            failed=self._change_refused)

    def remove(self, name: str | None) -> None:
        entry = self.entries.get(name) if name is not None else None
        if entry is None:
            return
        if not self.confirm("Remove the workflow",
                            f"Remove {entry.title} ({entry.name}) from the library? Shots that use it will "
                            "not generate until it is imported again."):
            return
        library = self.library
        def removed(_: None) -> None:
            self.note.setText(f"Removed {entry.name}.")
            self._changed(None)

        self.work.in_thread(lambda: library.remove(entry.name), removed, failed=self._change_refused)

    def _changed(self, choose: str | None) -> None:
        self.library_changed.emit()
        self.refresh(choose)

    def _change_refused(self, message: str) -> None:
        self.error.show_error(message)
        self.refresh()  # the favourite button, say, goes back to what the library says

    # -- closing -------------------------------------------------------------------------------

    async def wait_idle(self) -> None:
        """Until every library call and server check started here has ended (tests)."""
        await self.work.wait_idle()

    def done(self, result: int) -> None:
        self.work.cancel()  # nothing may answer into a closed dialog
        super().done(result)
