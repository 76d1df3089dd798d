"""Error pages 400, 403, 404, 500 in Indonesian in the app's layout, with a way back; the 500
renders without the database (issue #6 §5). Tests run with DEBUG off (pytest-django)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.urls_galat")]

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en-US,en"}


def _assert_layout(html: str, *, authenticated: bool) -> None:
    assert 'class="navbar' in html and "e-Kinerja" in html and "Pemerintah Kabupaten Trenggalek" in html
    assert f'href="{reverse("opd:dashboard")}"' in html and "Kembali ke Beranda" in html
    assert (f'href="{reverse("login")}"' in html) is not authenticated
    for english in ("Not Found", "Forbidden", "Bad Request", "Server Error", "requested resource"):
        assert english not in html, english


def test_404_for_a_signed_in_user(client, world):
    client.force_login(world.pegawai)
    response = client.get("/tidak-ada/", **ENGLISH)
    assert response.status_code == 404
    html = response.content.decode()
    assert "Halaman tidak ditemukan" in html and "Kode 404" in html
    _assert_layout(html, authenticated=True)
    assert world.pegawai.nama in html  # the usual navbar with the user's menu


def test_404_for_an_anonymous_visitor_offers_login(client, world):
    response = client.get("/tidak-ada/")
    assert response.status_code == 404
    _assert_layout(response.content.decode(), authenticated=False)


def test_404_of_an_invisible_object(client, world):
    client.force_login(world.outsider)
    response = client.get(reverse("opd:pegawai_detail", args=[world.pegawai.pk]))
    assert response.status_code == 404 and "Halaman tidak ditemukan" in response.content.decode()


def test_403_shows_the_reason(client, world):
    client.force_login(world.pegawai)
    response = client.get("/uji/ditolak/", **ENGLISH)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Akses ditolak" in html and "Hanya admin BKD yang dapat membuka halaman uji ini." in html
    _assert_layout(html, authenticated=True)


def test_403_of_an_app_view(client, world):
    client.force_login(world.pegawai)
    response = client.get(reverse("opd:pegawai_reset_sandi", args=[world.pegawai.pk]))
    assert response.status_code == 403
    assert "Hanya admin OPD pegawai ini atau admin BKD" in response.content.decode()


def test_400_suspicious_operation(client, world):
    response = client.get("/uji/mencurigakan/", **ENGLISH)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Permintaan tidak valid" in html and "Kode 400" in html
    _assert_layout(html, authenticated=False)


def test_400_bad_host(client, world):
    response = client.get("/", HTTP_HOST="penyerang.example.com")
    assert response.status_code == 400 and "Permintaan tidak valid" in response.content.decode()


def test_500_without_database_access(world, django_assert_num_queries):
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):
        response = client.get("/uji/rusak/", **ENGLISH)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Terjadi kesalahan pada server" in html and "Kode 500" in html
    _assert_layout(html, authenticated=False)


def test_500_handler_touches_no_session_user_or_database(rf, django_assert_num_queries):
    """The handler renders without the request's context: a user lookup would fail here."""
    from django.utils.module_loading import import_string

    from ekinerja.urls import handler500

    request = rf.get("/")  # no session, no user attribute at all
    with django_assert_num_queries(0):
        response = import_string(handler500)(request)
    assert response.status_code == 500 and "Terjadi kesalahan pada server" in response.content.decode()


def test_403_csrf_failure_in_the_layout(world):
    """A form posted without a valid CSRF token (a stale login page, blocked cookies) used to
    get Django's bare page."""
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": world.pegawai.nip, "password": "x"}, **ENGLISH)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Formulir kedaluwarsa" in html
    _assert_layout(html, authenticated=False)
    assert "CSRF" not in html
