"""Login by NIP (or the short user id of a non-ASN account)."""

from __future__ import annotations

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
