"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``."""

from wage_guard import create_app

app = create_app()
