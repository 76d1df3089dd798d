"""/healthz and the database-down page (issue #9 §2): the health check answers without login or
session, 200 while the database answers and 503 when it does not; any page whose database query
fails answers a short Indonesian 503 page (not a 500) with Retry-After, and the next request after
the database returns is served normally (no restart)."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _down():
    return mock.patch.object(
        BaseDatabaseWrapper, "ensure_connection", side_effect=OperationalError("could not connect to server")
    )


def test_healthz_answers_without_login_or_session(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "ok" and body["basis_data"] == "ok"
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies
    assert "no-cache" in response["Cache-Control"]
    assert client.post("/healthz").status_code == 405
    assert reverse("healthz") == "/healthz"


def test_healthz_is_503_while_the_database_is_down(client):
    with _down():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "gagal", "basis_data": "tidak menjawab"}
    assert client.get("/healthz").status_code == 200  # and back by itself


def test_pages_answer_an_indonesian_503_while_the_database_is_down_and_recover(client, world):
    client.force_login(world.pegawai)
    client.raise_request_exception = False
    with _down():
        response = client.get(reverse("opd:dashboard"))
    assert response.status_code == 503
    html = response.content.decode()
    assert "Layanan sedang tidak tersedia" in html and "Basis data e-Kinerja sedang tidak dapat dihubungi" in html
    assert response["Retry-After"] == "30"
    assert "Server Error" not in html and "Traceback" not in html
    # The database is back: the same session is served again, nothing to restart.
    assert client.get(reverse("opd:dashboard")).status_code == 200


def test_other_errors_stay_500(client, world, settings):
    from opd.views import galat

    try:
        raise ValueError("bukan basis data")
    except ValueError:
        response = galat.server_error(None)
    assert response.status_code == 500
    try:
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError as exc:
            raise RuntimeError("dibungkus") from exc
    except RuntimeError:
        response = galat.server_error(None)
    assert response.status_code == 503  # the cause is the database
