"""Directives: the letters the portal tracks, and each unit's part in them.

- `loader`: a directive file (YAML) loaded as a directive, its sections and tasks, and published
  (`load_directive`); the demo letter, `SA_DEC_2023`, is a file beside it
  (sa-dec-2023-cchc.yaml, with the letter's text in sa-dec-2023-cchc.txt).
- `audience`: the audience rules a task names (``all``, ``inspected``, ``kind:…``, ``unit:…``,
  ``units:…``) and the units each reaches (`resolve_audience`); `DirectiveFileError`, the error a
  directive file or a rule raises.
- `importer`: a letter (công văn, .txt or .docx) made into a draft directive for an editor to
  review, one stage a module.
- `drafts`: directives as an administrator prepares them, imported or written by hand; a draft
  reaches nobody.
- `lifecycle`: a directive's life after it is written: publish, change, close, archive, reopen and
  copy it, never deleting a unit's recorded progress.
- `editing`: what the task editor does beyond `lifecycle`: which directives may be edited, the
  editor's list, and reshaping the letter's tasks (order, merge, split).

Each module imports the ones it needs at the top: `loader` imports `lifecycle`, which imports
`audience`; nothing imports `loader` back. This file holds no code, so importing one module does
not load the others.
"""
