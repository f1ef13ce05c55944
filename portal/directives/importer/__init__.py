"""From a letter (công văn) as text or Word to a draft directive that an editor reviews.

`import_letter(text, units, received=None)` is pure: it takes the letter's text, the portal's
units as plain data (`UnitRef`) and the day the letter reached the portal (the last resort for a
date without a year, in a copy that shows no year at all), and returns a `Draft` (metadata,
sections by addressee, tasks with deadlines and narrower audiences), or raises
`LetterImportError` with a Vietnamese message. `Draft.to_yaml(slug)` writes the YAML that
`load_directive` reads. `read_letter_file(data, filename)` turns the bytes
of a .txt, .docx, .doc, PDF or scanned file into text.

Nothing is guessed silently: an addressee the importer cannot match to the portal's units stays
in `unmatched` (and blocks loading until an editor decides), and every inference it made (a
narrower audience, a deadline, a split sentence) is written in the task's `notes`; an addressee
read from the page rather than named by the order (a page's subject, every unit where a page
with no recipients orders without naming anyone) ends its note with `CHECK`, which the editor's
page flags.

The stages, in the order a letter goes through them; each module imports only those before it:

1. `reading`: the text of a file (`read_letter_file`; with `pdf`, `layout`, `ocr`, `doc` and
   `signature` beside it for PDFs, scans, .doc and signatures), brought to one form
   (`normalize_text`); `tables`: a table of tasks as one numbered item a row.
2. `header`: the issuer, number, date, subject and recipients above the body, and the signer
   below it; where the body starts and ends.
3. `addressees`: the portal's units a heading names (`UnitRef`, `UnitIndex`, `AudienceMatch`).
4. `body`: paragraphs, sentences and the orders in them; each order's title, deadline and kind.
5. `build`: the body's paragraphs as sections by addressee and their tasks, and `import_letter`,
   which runs the stages.

Two modules serve them all: `text` (the skeleton a letter's words are matched on, the paragraph
markers and the order verbs) and `draft` (`Draft`, `DraftSection`, `DraftTask`: what the stages
fill in, and its YAML and summary).
"""

from .addressees import UnitRef
from .body import task_title
from .build import CHECK, NO_UNIT, SET_ASIDE, UNREAD, import_letter
from .draft import Draft, DraftSection, DraftTask
from .reading import LetterImportError, normalize_text, read_letter_file

__all__ = [
    "CHECK",
    "Draft",
    "DraftSection",
    "DraftTask",
    "LetterImportError",
    "NO_UNIT",
    "SET_ASIDE",
    "UNREAD",
    "UnitRef",
    "import_letter",
    "normalize_text",
    "read_letter_file",
    "task_title",
]
