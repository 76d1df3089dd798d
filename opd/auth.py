"""Login by NIP (or the short user id of a non-ASN account), throttled on every login path.

The throttle lives in the authentication backend because every way in passes here: the NIP
login page, Django's admin login, and anything else that calls `authenticate()`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from opd import services
from opd.models import Pegawai


def client_address(request: HttpRequest | None) -> str | None:
    """The client's network address: REMOTE_ADDR, or behind a reverse proxy that appends to
    X-Forwarded-For (TRUST_X_FORWARDED_FOR=1) the right-most entry, the one our proxy added.
    The left-hand entries are whatever the client sent and are never trusted."""
    if request is None:
        return None
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if forwarded:
            return forwarded[-1][:64]
    return (request.META.get("REMOTE_ADDR") or "")[:64] or None


def normalize_nip(value: str | None) -> str:
    return (value or "").replace(" ", "").strip()


class NipBackend(ModelBackend):
    """While the NIP or the client address is locked even the right password is refused. The
    lock (if any) is left on `request.login_lock` so the login form can say until when."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs
    ) -> Pegawai | None:
        nip = normalize_nip(username or kwargs.get("nip"))
        if not nip or password is None:
            return None
        address = client_address(request)
        lock = services.login_lock(nip, address)
        if lock is None:
            user = self._check(nip, password)
            if user is not None:
                services.reset_login_failures(nip)
                return user
            lock = services.register_login_failure(nip, address)
        if request is not None and lock is not None:
            request.login_lock = lock
        return None

    def _check(self, nip: str, password: str) -> Pegawai | None:
        try:
            user = Pegawai.objects.get(nip=nip)
        except Pegawai.DoesNotExist:
            # Run the hasher anyway so that timing does not tell which NIPs exist.
            Pegawai().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id: int) -> Pegawai | None:
        user = Pegawai.objects.filter(pk=user_id).prefetch_related("peran_set").first()
        return user if user is not None and self.user_can_authenticate(user) else None


# Password validators with one Indonesian wording ("kata sandi", "Anda"): Django's `id`
# catalogue mixes "sandi"/"kata sandi" and "anda"/"Anda" (Django 5.2).


class PanjangMinimalValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return f"Kata sandi ini terlalu pendek: minimal {self.min_length} karakter."

    def get_help_text(self) -> str:
        return f"Kata sandi Anda minimal {self.min_length} karakter."


class KemiripanDataPribadiValidator(password_validation.UserAttributeSimilarityValidator):
    def get_error_message(self) -> str:
        return "Kata sandi ini terlalu mirip dengan %(verbose_name)s Anda."

    def get_help_text(self) -> str:
        return "Kata sandi Anda tidak boleh mirip dengan NIP, nama, atau email Anda."


class SandiUmumValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return "Kata sandi ini terlalu umum dan mudah ditebak."

    def get_help_text(self) -> str:
        return "Kata sandi Anda tidak boleh kata sandi yang umum dipakai."


class BukanAngkaSajaValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return "Kata sandi ini hanya berisi angka."

    def get_help_text(self) -> str:
        return "Kata sandi Anda tidak boleh hanya berisi angka."
