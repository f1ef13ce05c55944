"""Entry point for a WSGI server: gunicorn wsgi:app (Linux) or waitress-serve wsgi:app (Windows)."""

from portal import create_app

app = create_app()
