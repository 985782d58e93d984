"""The machine's settings: ComfyUI servers, cloud services, the assist's language model,
rendering and storage, one tab each (the tabs are in settings_*_tab.py).

Every change applies as it is made (there is nothing to OK or cancel): servers and
cloud services go to the machine's generation settings, rendering choices to
QSettings. It opens on the tab last used (the first time on Cloud services, where a new
user's keys go). When the generation settings change the dialog says so with
`generation_settings_changed`, so that the app can reopen its backends with them.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from foundry_desktop.app.generation.session import GenerationSession
from foundry_desktop.ui.background_work import BackgroundWork
from foundry_desktop.ui.dialogs.dialog_work import Confirm, asking
from foundry_desktop.ui.settings.assist_tab import AssistTab
from foundry_desktop.ui.settings.cloud_tab import CloudServicesTab
from foundry_desktop.ui.settings.rendering_tab import RenderingTab
from foundry_desktop.ui.settings.servers_tab import ServersTab
from foundry_desktop.ui.settings.storage_tab import StorageTab


TAB_SETTING = "settings/tab"
FIRST_TAB = "cloud"  # where a new user starts: the keys that make cloud generation work


class SettingsDialog(QDialog):
    generation_settings_changed = Signal()  # servers or cloud services were changed and saved

    def __init__(self, generation: GenerationSession, parent: QWidget | None = None, *,
                 settings: QSettings | None = None, confirm: Confirm | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.resize(940, 660)  # the cloud services' fields side by side with their list; fits a 1280x720 screen
        self.generation = generation
        self.settings = settings if settings is not None else QSettings("Foundry", "Foundry Desktop")
        self.servers = ServersTab(generation.servers)
        self.cloud = CloudServicesTab()
        self.assist = AssistTab()
        self.rendering = RenderingTab(self.settings)
        self.storage = StorageTab(confirm or asking(self))
        self.tabs = QTabWidget()
        self._tab_names: list[str] = []  # kept in QSettings by name: the tabs' order may change
        for name, tab, title in (("servers", self.servers, "ComfyUI servers"), ("cloud", self.cloud, "Cloud services"),
                                 ("assist", self.assist, "Assist"), ("rendering", self.rendering, "Rendering"),
                                 ("storage", self.storage, "Storage")):
            self.tabs.addTab(tab, title)
            self._tab_names.append(name)
        last = str(self.settings.value(TAB_SETTING, FIRST_TAB))
        self.tabs.setCurrentIndex(self._tab_names.index(last if last in self._tab_names else FIRST_TAB))
        self.tabs.currentChanged.connect(lambda index: self.settings.setValue(TAB_SETTING, self._tab_names[index]))
        self.servers.changed.connect(self.generation_settings_changed)
        self.cloud.changed.connect(self.generation_settings_changed)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(self.tabs, 1)
        column.addWidget(buttons)
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)  # Enter in a field does what that field says, not "Check now"

    @property
    def tabs_work(self) -> list[BackgroundWork]:
        return [tab.work for tab in (self.servers, self.cloud, self.assist, self.rendering, self.storage)]

    async def wait_idle(self) -> None:
        """Until every check, keyring call and measurement started here has ended (tests)."""
        for work in self.tabs_work:
            await work.wait_idle()

    def done(self, result: int) -> None:
        for work in self.tabs_work:
            work.cancel()  # nothing may answer into a closed dialog
        super().done(result)
