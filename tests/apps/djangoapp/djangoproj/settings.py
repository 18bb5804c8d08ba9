"""Settings from ``DJANGOAPP_*`` environment variables (the .wsgi file sets them)."""

import os

SECRET_KEY = os.environ["DJANGOAPP_SECRET_KEY"]
ALLOWED_HOSTS = os.environ.get("DJANGOAPP_ALLOWED_HOSTS", "localhost").split(",")
GREETING = os.environ.get("DJANGOAPP_GREETING", "hello")
DEBUG = False
ROOT_URLCONF = "djangoproj.urls"
INSTALLED_APPS: list[str] = []
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
DATABASES: dict[str, dict[str, str]] = {}
USE_TZ = True
