"""The one exception of the importer: the letter cannot be imported as it is."""


class LetterImportError(ValueError):
    """The letter cannot be imported as it is; the message (Vietnamese) says why."""
