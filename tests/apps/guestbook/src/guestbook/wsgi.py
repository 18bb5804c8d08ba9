"""WSGI entry point for gunicorn and mod_wsgi: ``guestbook.wsgi:application``."""

from guestbook import create_app

application = create_app()
