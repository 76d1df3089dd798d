"""Error pages 400 and 500, rendered without the request: no context processor runs, so no
session, user or database is touched (the database may be what failed, or the request itself
may be malformed, e.g. a bad Host header). 403 and 404 use Django's handlers with the
templates/403.html and templates/404.html of the app's layout.

When the error is the database not answering (PostgreSQL restarting, the network to it down),
the page is a 503 saying so, with Retry-After: the app itself is fine and recovers by itself,
because Django drops a connection that failed and opens a new one on the next request."""

from __future__ import annotations

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseServerError
from django.template import loader

RETRY_AFTER_SECONDS = 30


def _render(template_name: str) -> str:
    return loader.render_to_string(template_name, {"regency_name": settings.REGENCY_NAME})


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponseBadRequest:
    return HttpResponseBadRequest(_render("400.html"))


def database_down(exc: BaseException | None) -> bool:
    """Whether `exc` (or what caused it) is the database not answering."""
    while exc is not None:
        if isinstance(exc, (OperationalError, InterfaceError)):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def service_unavailable() -> HttpResponse:
    response = HttpResponse(_render("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this handler while handling the exception: sys.exc_info() is that exception.
    if database_down(sys.exc_info()[1]):
        return service_unavailable()
    return HttpResponseServerError(_render("500.html"))
