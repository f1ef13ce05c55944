"""Trao đổi: the conversation on one checklist item between its unit and Phòng Nội vụ.

`routes.py` its pages and posts, `queries.py` the conversation as it reads (in a fixed number
of statements) and how far each reader got, `actions.py` writing and deleting a message (audit,
notification and commit in one transaction), `forms.py` the message form. A message's file is
checked and stored as evidence files are (`portal/storage.py`) but is never evidence.
"""
