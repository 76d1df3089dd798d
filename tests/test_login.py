"""Login by NIP with throttling per NIP (settings.LOGIN_MAX_FAILURES within LOGIN_LOCK_MINUTES)."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from opd import services
from opd.models import LoginAttempt
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOCK_TEXT = "Terlalu banyak percobaan masuk yang gagal untuk NIP ini."


def _login(client, nip: str, password: str):
    return client.post(reverse("login"), {"username": nip, "password": password})


def _fail_until_locked(client, nip: str) -> None:
    for _ in range(settings.LOGIN_MAX_FAILURES):
        _login(client, nip, "salah-sekali")


def test_login_page_in_indonesian(client, world):
    html = client.get(reverse("login")).content.decode()
    assert ">NIP</label>" in html and ">Kata sandi</label>" in html
    assert settings.REGENCY_NAME in html


def test_login_success_with_spaces_in_nip(client, world):
    response = _login(client, "19900214 201503 1 003", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("opd:dashboard")
    assert client.get(reverse("opd:dashboard")).context["user"] == world.pegawai


def test_wrong_password(client, world):
    response = _login(client, world.pegawai.nip, "salah")
    assert response.status_code == 200
    assert "NIP atau kata sandi salah." in response.content.decode()
    assert LoginAttempt.objects.get(nip=world.pegawai.nip).gagal == 1


def test_lock_after_max_failures_refuses_right_password(client, world):
    nip = world.pegawai.nip
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        assert LOCK_TEXT not in _login(client, nip, "salah").content.decode()
    response = _login(client, nip, "salah")
    until = LoginAttempt.objects.get(nip=nip).terkunci_sampai
    assert until is not None
    assert f"Coba lagi setelah {timezone.localtime(until):%H:%M}." in response.content.decode()
    # The right password is refused while locked; another NIP is unaffected.
    response = _login(client, nip, PASSWORD)
    assert response.status_code == 200 and LOCK_TEXT in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert _login(client, world.pegawai2.nip, PASSWORD).status_code == 302


def test_unlock_after_lock_time(client, world):
    nip = world.pegawai.nip
    _fail_until_locked(client, nip)
    LoginAttempt.objects.filter(nip=nip).update(terkunci_sampai=timezone.now() - datetime.timedelta(seconds=1))
    assert _login(client, nip, PASSWORD).status_code == 302


def test_success_resets_counter(client, world):
    nip = world.pegawai.nip
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        _login(client, nip, "salah")
    assert _login(client, nip, PASSWORD).status_code == 302
    attempt = LoginAttempt.objects.get(nip=nip)
    assert (attempt.gagal, attempt.terkunci_sampai) == (0, None)
    client.logout()
    # A fresh budget: one more failure does not lock.
    assert LOCK_TEXT not in _login(client, nip, "salah").content.decode()


def test_old_failures_outside_window_do_not_count(world):
    nip = world.pegawai.nip
    now = timezone.now()
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        services.register_login_failure(nip, now=now - datetime.timedelta(minutes=settings.LOGIN_LOCK_MINUTES + 1))
    assert services.register_login_failure(nip, now=now) is None
    assert LoginAttempt.objects.get(nip=nip).gagal == 1


def test_unknown_nip_is_throttled_too(client, world):
    nip = "199912312020121001"
    _fail_until_locked(client, nip)
    assert LOCK_TEXT in _login(client, nip, "apa saja").content.decode()


def test_admin_reset_lifts_the_lock(client, world):
    _fail_until_locked(client, world.pegawai.nip)
    password = services.reset_password(world.pegawai, by=world.admin_opd)
    assert _login(client, world.pegawai.nip, password).status_code == 302


def test_logout_is_post(client, world):
    client.force_login(world.pegawai)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change(client, world):
    client.force_login(world.pegawai)
    url = reverse("password_change")
    assert "Ubah kata sandi" in client.get(url).content.decode()
    response = client.post(url, {"old_password": "salah", "new_password1": "x", "new_password2": "x"})
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": "Kinerja#Baru2026", "new_password2": "Kinerja#Baru2026"}
    )
    assert response["Location"] == reverse("password_change_done")
    world.pegawai.refresh_from_db()
    assert world.pegawai.check_password("Kinerja#Baru2026")
