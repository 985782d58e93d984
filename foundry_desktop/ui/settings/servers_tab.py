"""Settings › ComfyUI servers: this machine's servers, added, removed, switched on and off,
and checked live — up or down (with the reason), GPU, memory and queue — each row filled
in as that server answers, so one slow server does not hold up the others."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from foundry_desktop.app.generation.backends import ServerStatus, check_servers
from foundry_desktop.app.generation.settings import (
    ComfyServerSettings,
    GenerationSettings,
    add_server,
    load_settings,
    remove_server,
    save_settings,
)
from foundry_desktop.errors import FoundryError
from foundry_desktop.ui.background_work import BackgroundWork, in_words
from foundry_desktop.ui.dialogs.dialog_work import ErrorLine
from foundry_desktop.ui.theme import STATUS_COLOURS
from foundry_desktop.domain.ranges.value_range import MAX_QUEUED

COLUMNS = ("On", "Name", "Address", "Keep queued", "State", "GPU", "Memory", "Queue")
ON, NAME, ADDRESS, KEEP_QUEUED, STATE, GPU, MEMORY, QUEUE = range(len(COLUMNS))
CHECKING = "checking…"
FORM_LABELS = {"name": "Name", "url": "Address", "max_queued": "Keep queued"}
GIB = 2**30


def gpu_label(device: str) -> str:
    """ComfyUI names a device as "cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync"; the card is the middle."""
    name = device.split(" : ")[0]
    head, _, rest = name.partition(" ")
    return rest if ":" in head and rest else name


class ServersTab(QWidget):
    changed = Signal()  # the saved servers changed (the app's generation should pick them up)

    def __init__(self, last_known: list[ServerStatus], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.error = ErrorLine()
        self.work = BackgroundWork(self.error.show_error)
        # A server's latest answer, or CHECKING; the app's own last check until this tab checks.
        self.states: dict[str, ServerStatus | str] = {status.server.name: status for status in last_known
                                                      if status.checked_at > 0}
        self.down_reasons = QLabel("")
        self.down_reasons.setWordWrap(True)
        self.down_reasons.setStyleSheet(f"color: {STATUS_COLOURS['failed'].name()};")
        self.down_reasons.setVisible(False)
        intro = QLabel("The ComfyUI servers on this machine's network that generate shots. A shot goes to the "
                       "least busy server that is switched on, up, and has the workflow's nodes and models.")
        intro.setProperty("hint", True)
        intro.setWordWrap(True)
        add_title = QLabel("Add a server")
        add_title.setStyleSheet("font-weight: 600;")
        column = QVBoxLayout(self)
        column.addWidget(intro)
        column.addWidget(self._build_table(), 1)
        column.addWidget(self.down_reasons)
        column.addLayout(self._build_row_buttons())
        column.addWidget(self.error)
        column.addSpacing(8)
        column.addWidget(add_title)
        column.addLayout(self._build_add_form())

        try:
            self.settings = load_settings()
            readable = True
        except FoundryError as exc:
            # A damaged settings file is shown, not overwritten: editing here would replace it.
            self.settings, readable = GenerationSettings(), False
            self.error.show_error(str(exc))
        for widget in (self.name, self.url, self.max_queued, self.add_button, self.remove_button, self.table):
            widget.setEnabled(readable)
        self._fill_table()

    def _build_table(self) -> QTableWidget:
        """The saved servers: switched on or not, and how each was found when last checked."""
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(STATE, QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(self._switched)
        self.table.itemSelectionChanged.connect(self._show_selection)
        return self.table

    def _build_row_buttons(self) -> QHBoxLayout:
        self.check_button = QPushButton("Check now")
        self.check_button.clicked.connect(self.check_now)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_selected)
        row_buttons = QHBoxLayout()
        row_buttons.addWidget(self.check_button)
        row_buttons.addStretch(1)
        row_buttons.addWidget(self.remove_button)
        return row_buttons

    def _build_add_form(self) -> QFormLayout:
        """A new server: its name, address and how many prompts it keeps queued."""
        self.name = QLineEdit()
        self.name.setPlaceholderText("gpu-1")
        self.url = QLineEdit()
        self.url.setPlaceholderText("http://127.0.0.1:8188")
        self.max_queued = QSpinBox()
        self.max_queued.setRange(int(MAX_QUEUED.low), int(MAX_QUEUED.high))  # as `foundry server add`
        self.max_queued.setValue(2)
        self.max_queued.setToolTip("How many of Foundry's prompts the server holds at once. Two keep its GPU "
                                   "busy: the next prompt is waiting when one finishes.")
        self.add_button = QPushButton("Add server")
        self.add_button.clicked.connect(self.add_from_form)
        self.url.returnPressed.connect(self.add_from_form)
        add_form = QFormLayout()
        add_form.addRow("Name", self.name)
        add_form.addRow("Address", self.url)
        queued_row = QHBoxLayout()
        queued_row.addWidget(self.max_queued)
        queued_row.addWidget(QLabel("prompts kept queued on it"))
        queued_row.addStretch(1)
        queued_row.addWidget(self.add_button)
        add_form.addRow("Keep queued", queued_row)
        return add_form

    # -- the servers ----------------------------------------------------------------------

    @property
    def server_names(self) -> list[str]:
        return [server.name for server in self.settings.comfyui_servers]

    def add_from_form(self) -> None:
        try:
            server = ComfyServerSettings(name=self.name.text().strip(), url=self.url.text(),
                                         max_queued=self.max_queued.value())
        except ValidationError as exc:
            self.error.show_error(in_words(exc, FORM_LABELS))
            return
        if self._change(lambda settings: add_server(settings, server)):
            self.name.clear()
            self.url.clear()
            self.max_queued.setValue(2)
            self._check([server.name])  # a new server is checked straight away: was the address right?

    def remove_selected(self) -> None:
        name = self._selected_name()
        if name is None:
            self.error.show_error("Choose the server to remove in the list first.")
            return
        self.remove(name)

    def remove(self, name: str) -> None:
        if self._change(lambda settings: remove_server(settings, name)):
            self.states.pop(name, None)

    def set_enabled(self, name: str, enabled: bool) -> None:
        def switch(settings: GenerationSettings) -> GenerationSettings:
            servers = [server.model_copy(update={"enabled": enabled}) if server.name == name else server
                       for server in settings.comfyui_servers]
            return settings.model_copy(update={"comfyui_servers": servers})

        # The row's check box already shows the change (and refilling the table from inside its
        # itemChanged signal would delete the item Qt is still telling about).
        self._change(switch, refill=False)

    def _change(self, change: Callable[[GenerationSettings], GenerationSettings], refill: bool = True) -> bool:
        """Apply `change` to the settings as saved now, not as this tab read them: the cloud tab
        (and the CLI) write the same file, and neither's changes may be lost."""
        try:
            updated = change(load_settings())
            save_settings(updated)
        except FoundryError as exc:
            self.error.show_error(str(exc))
            self._show_switches()  # a refused switch goes back to how it was
            return False
        self.settings = updated
        self.error.clear_error()
        if refill:
            self._fill_table()
        self.changed.emit()
        return True

    # -- checking ---------------------------------------------------------------------------

    def check_now(self) -> None:
        if not self.settings.comfyui_servers:
            self.error.show_error("There are no servers to check yet; add one below.")
            return
        self.error.clear_error()
        self._check(self.server_names)

    def _check(self, names: list[str]) -> None:
        """Each server on its own, so each row fills in as soon as its server answers."""
        settings = self.settings
        for name in names:
            self.states[name] = CHECKING
            self.work.run(check_servers(settings, [name]), lambda statuses: self._checked(statuses[0]),
                          failed=lambda message, name=name: self._check_failed(name, message))
        self._fill_table()

    def _checked(self, status: ServerStatus) -> None:
        current = next((s for s in self.settings.comfyui_servers if s.name == status.server.name), None)
        if current is None or current.url != status.server.url:
            return  # removed, or given another address, while it was being checked
        self.states[current.name] = status
        self._fill_row(self.server_names.index(current.name))

    def _check_failed(self, name: str, message: str) -> None:
        if name in self.server_names:
            self.states.pop(name, None)
            self._fill_row(self.server_names.index(name))
        self.error.show_error(message)

    @property
    def checking(self) -> bool:
        return any(state == CHECKING for state in self.states.values())

    # -- the table --------------------------------------------------------------------------

    def _selected_name(self) -> str | None:
        # Read off the table, which may still show the servers as they were before a change.
        rows = self.table.selectionModel().selectedRows()
        item = self.table.item(rows[0].row(), NAME) if rows else None
        return item.text() if item is not None else None

    def _show_selection(self) -> None:
        self.remove_button.setEnabled(self._selected_name() is not None)

    def _fill_table(self) -> None:
        selected = self._selected_name()
        self.table.blockSignals(True)  # filling is not the creator switching servers on and off
        self.table.setRowCount(len(self.settings.comfyui_servers))
        self.table.blockSignals(False)
        for row in range(self.table.rowCount()):
            self._fill_row(row)
        if selected in self.server_names:
            self.table.selectRow(self.server_names.index(selected))
        else:
            self.table.clearSelection()
        self._show_selection()

    def _fill_row(self, row: int) -> None:
        server = self.settings.comfyui_servers[row]
        state = self.states.get(server.name)
        self.table.blockSignals(True)
        try:
            switch = QTableWidgetItem()
            switch.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            switch.setCheckState(Qt.CheckState.Checked if server.enabled else Qt.CheckState.Unchecked)
            switch.setToolTip("Switched on: shots may go to this server.")
            self.table.setItem(row, ON, switch)
            self.table.setItem(row, NAME, QTableWidgetItem(server.name))
            self.table.setItem(row, ADDRESS, QTableWidgetItem(server.url))
            self.table.setItem(row, KEEP_QUEUED, QTableWidgetItem(str(server.max_queued)))
            for column, text in zip((STATE, GPU, MEMORY, QUEUE), self._state_texts(state), strict=True):
                item = QTableWidgetItem(text)
                item.setToolTip(state.gpu if column == GPU and isinstance(state, ServerStatus) else text)
                if column == STATE and isinstance(state, ServerStatus):
                    item.setForeground(STATUS_COLOURS["current" if state.up else "failed"])
                self.table.setItem(row, column, item)
        finally:
            self.table.blockSignals(False)
        self._show_down_reasons()

    @staticmethod
    def _state_texts(state: ServerStatus | str | None) -> tuple[str, str, str, str]:
        """State, GPU, memory and queue as the table shows them."""
        if state is None:
            return "not checked yet", "", "", ""
        if isinstance(state, str):
            return state, "", "", ""
        if not state.up:
            return "down", "", "", ""  # why: in the line under the table, where it has room
        memory = f"{state.vram_free / GIB:.1f} of {state.vram_total / GIB:.1f} GiB free" if state.vram_total else ""
        return f"up — {state.message}", gpu_label(state.gpu) or "no GPU named", memory, str(state.queue_length)

    def _show_switches(self) -> None:
        """Each row's check box as the settings say, changing the items rather than replacing them."""
        self.table.blockSignals(True)
        try:
            for row, server in enumerate(self.settings.comfyui_servers):
                item = self.table.item(row, ON)
                if item is not None:
                    item.setCheckState(Qt.CheckState.Checked if server.enabled else Qt.CheckState.Unchecked)
        finally:
            self.table.blockSignals(False)

    def _show_down_reasons(self) -> None:
        reasons = [f"{name} is down: {state.message}" for name, state in self.states.items()
                   if isinstance(state, ServerStatus) and not state.up and name in self.server_names]
        self.down_reasons.setText("\n".join(reasons))
        self.down_reasons.setVisible(bool(reasons))

    def _switched(self, item: QTableWidgetItem) -> None:
        if item.column() == ON:
            self.set_enabled(self.server_names[item.row()], item.checkState() == Qt.CheckState.Checked)
