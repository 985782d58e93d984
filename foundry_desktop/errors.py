"""Errors a creator can cause or meet, each with a message they understand.

Everything the GUI shows in a dialog and the CLI prints as one line derives
from FoundryError; anything else escaping is a bug in Foundry Desktop.
"""


class FoundryError(Exception):
    """Base of every user-facing error."""


class ProjectOpenError(FoundryError):
    """The file cannot be opened as a project (not a project, corrupt, too new)."""


class ProjectReadOnlyError(ProjectOpenError):
    """The project cannot be changed where it is (a read-only disk, folder or file, a full
    disk); it can still be opened for reading."""


class ProjectLockedError(FoundryError):
    """Another Foundry process is editing the project."""


class ProjectChangedElsewhereError(ProjectLockedError):
    """The window's picture of the project is older than the file (a command changed it): the
    edit is refused and the project read again."""


class InvalidEditError(FoundryError):
    """An edit that would make the timeline invalid (bad index, negative duration...)."""


class InputFileError(FoundryError):
    """An input file (image, audio) is missing or not what it claims to be."""


class MediaError(FoundryError):
    """A media file cannot be read or written (corrupt video, full disk...)."""


class GenerationError(FoundryError):
    """A backend failed to generate a take."""


class BudgetExceededError(GenerationError):
    """Sending a job would take the project beyond its budget for that cost unit."""


class UnknownBackendError(GenerationError):
    """A shot names a generation backend that is not registered."""


class TimelineNotReadyError(FoundryError):
    """The timeline cannot be rendered yet (a shot has no take, the timeline is empty)."""


class ExportError(FoundryError):
    """A file for another program (subtitles, an edit list) cannot be written."""


class CutFileError(FoundryError):
    """An edit list or timeline from another program (FCPXML, EDL, OTIO) cannot be read."""


class CutChoiceError(CutFileError):
    """A cut file holds several timelines (projects) and none was chosen: `names` lists them."""

    def __init__(self, message: str, names: tuple[str, ...]) -> None:
        super().__init__(message)
        self.names = names
