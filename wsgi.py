"""Entry point: ``flask --app wsgi run`` or ``gunicorn wsgi:app``."""

from portal.app import create_app

app = create_app()
