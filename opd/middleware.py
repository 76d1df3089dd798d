"""Request middleware of the opd app."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

WAJIB_GANTI_SANDI_MESSAGE = (
    "Kata sandi Anda diatur oleh admin atau impor data. Buat kata sandi baru Anda sendiri sebelum melanjutkan."
)


class WajibGantiSandiMiddleware:
    """A user whose password was set by someone else (Pegawai.wajib_ganti_sandi: an admin reset
    or the import) reaches only the password change page, logout and static files until they
    choose their own password. Place after AuthenticationMiddleware and MessageMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.wajib_ganti_sandi and not self._allowed(request):
            messages.warning(request, WAJIB_GANTI_SANDI_MESSAGE)
            return redirect("password_change")
        return self.get_response(request)

    @staticmethod
    def _allowed(request: HttpRequest) -> bool:
        path = request.path_info
        if path in {reverse("password_change"), reverse("password_change_done"), reverse("logout")}:
            return True
        # WhiteNoise answers static files before this runs; this covers runserver's finders.
        return path.startswith("/" + str(settings.STATIC_URL).lstrip("/"))
