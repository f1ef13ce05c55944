"""From a letter (công văn) as text or Word to a draft directive that an editor reviews."""

from .build import (
    Draft,
    DraftSection,
    DraftTask,
    LetterImportError,
    UnitRef,
    import_letter,
    normalize_text,
    read_letter_file,
)

__all__ = [
    "Draft",
    "DraftSection",
    "DraftTask",
    "LetterImportError",
    "UnitRef",
    "import_letter",
    "normalize_text",
    "read_letter_file",
]
