"""Error pages 400 and 500, rendered without the request: no context processor runs, so no
session, user or database is touched (the database may be what failed, or the request itself
may be malformed, e.g. a bad Host header). 403 and 404 use Django's handlers with the
templates/403.html and templates/404.html of the app's layout."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseBadRequest, HttpResponseServerError
from django.template import loader


def _render(template_name: str) -> str:
    return loader.render_to_string(template_name, {"regency_name": settings.REGENCY_NAME})


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponseBadRequest:
    return HttpResponseBadRequest(_render("400.html"))


def server_error(request: HttpRequest) -> HttpResponseServerError:
    return HttpResponseServerError(_render("500.html"))
