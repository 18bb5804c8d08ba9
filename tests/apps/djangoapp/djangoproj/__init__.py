"""Minimal Django project served by a generated .wsgi file."""
