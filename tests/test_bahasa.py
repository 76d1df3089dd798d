"""Indonesian whatever the browser asks for (issue #6 §5): an English browser used to see
"Tuesday, 1 December 2026" on the Beranda, "1 JANUARY SD 31 DECEMBER" on the print and Django's
English password help."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.test_cetak import approved  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
HARI = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
BULAN = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
         "November", "Desember"]  # fmt: skip
ENGLISH_WORDS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January",
                 "February", "March", "June", "July", "August", "October", "December"]  # fmt: skip


def _no_english(html: str) -> None:
    for word in ENGLISH_WORDS:
        assert word not in html and word.upper() not in html, word


def test_beranda_date_in_indonesian_for_an_english_browser(client, world):
    client.force_login(world.pegawai)
    response = client.get(reverse("opd:dashboard"), **ENGLISH)
    html = response.content.decode()
    today = timezone.localdate()
    assert f"{HARI[today.weekday()]}, {today.day} {BULAN[today.month - 1]} {today.year}" in html
    assert response.headers.get("Content-Language", "id") == "id"
    _no_english(html)


def test_print_in_indonesian_for_an_english_browser(client, world, approved):  # noqa: F811
    client.force_login(world.penilai)
    html = client.get(reverse("skp:cetak", args=[approved.pk]), **ENGLISH).content.decode()
    assert f"PERIODE PENILAIAN: 1 JANUARI SD 31 DESEMBER {approved.tahun}" in html
    _no_english(html)


def test_password_page_in_indonesian_for_an_english_browser(client, world):
    client.force_login(world.pegawai)
    html = client.get(reverse("password_change"), **ENGLISH).content.decode()
    assert "Kata sandi Anda minimal 8 karakter." in html
    for english in ("Your password", "Old password", "New password", "Enter the same password", "characters"):
        assert english not in html, english


def test_password_errors_in_indonesian_for_an_english_browser(client, world):
    client.force_login(world.pegawai)
    response = client.post(
        reverse("password_change"),
        {"old_password": "salah", "new_password1": "123", "new_password2": "123"},
        **ENGLISH,
    )
    html = response.content.decode()
    assert "Kata sandi Anda saat ini salah." in html and "terlalu pendek" in html
    assert "This password" not in html and "incorrectly" not in html and "This field" not in html


def test_login_errors_in_indonesian_for_an_english_browser(client, world):
    html = client.post(reverse("login"), {"username": "", "password": ""}, **ENGLISH).content.decode()
    assert "This field is required" not in html
