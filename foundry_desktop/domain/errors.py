"""The domain's own error, so that domain imports nothing else of ours.

It subclasses Exception only; the app layer maps it onto InvalidEditError.
"""


class DomainError(ValueError):
    """A value or edit the model refuses, with a message a creator understands."""
