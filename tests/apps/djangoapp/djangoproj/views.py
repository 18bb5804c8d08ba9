"""The project's single view: who serves the request, with which settings."""

import os
import pwd

import django
from django.conf import settings
from django.http import HttpRequest, JsonResponse


def info(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(
        {
            "app": "djangoapp",
            "django_version": django.get_version(),
            "greeting": settings.GREETING,
            "user": pwd.getpwuid(os.getuid()).pw_name,
            "pid": os.getpid(),
            "path": request.path,
            "mod_wsgi_process_group": request.META.get("mod_wsgi.process_group"),
        }
    )
    response["X-Djangoapp"] = "1"
    return response
