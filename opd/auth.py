"""Login by NIP (or the short user id of a non-ASN account)."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from opd.models import Pegawai


class NipBackend(ModelBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs
    ) -> Pegawai | None:
        nip = (username or kwargs.get("nip") or "").replace(" ", "").strip()
        if not nip or password is None:
            return None
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
