"""The app's URLconf plus views that fail on purpose, for tests/test_galat.py."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from ekinerja.urls import handler400, handler500
from ekinerja.urls import urlpatterns as app_urlpatterns

__all__ = ["handler400", "handler500", "urlpatterns"]


def ditolak(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("Hanya admin BKD yang dapat membuka halaman uji ini.")


@login_not_required
def mencurigakan(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("uji")


@login_not_required
def rusak(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("uji kesalahan server")


urlpatterns = [
    path("uji/ditolak/", ditolak),
    path("uji/mencurigakan/", mencurigakan),
    path("uji/rusak/", rusak),
    *app_urlpatterns,
]
