"""The penilai's pages and services (issue #7 item 5): the team page, the evaluation page with
the capaian guide, umpan balik, ratings and the curve, saving and returning, and every refusal
of the issue's list for this area (not submitted, not the current penilai, former Plt, forged
POST, no note, two tabs, two concurrent POSTs, the lock)."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from opd.models import AuditLog, PenugasanPlt
from penilaian.models import BukaKunci, Evaluasi, KinerjaOrganisasi, UmpanBalik
from penilaian.rules import CapaianOrganisasi, Predikat
from penilaian.services import alur
from penilaian.services._common import KonflikVersi, PenilaianError
from penilaian.services.penilai import capaian_aksi, halaman_penilaian, tim_bulan
from tests.penilaian_fixtures_penilai import buka_periode, evaluasi_bulan, skp_tim, tim_besar

pytestmark = pytest.mark.django_db


@pytest.fixture
def periode(world):
    return buka_periode(by=world.admin_bkd)


@pytest.fixture
def skp(world):
    return skp_tim(world)


@pytest.fixture
def dikirim(world, periode, skp) -> Evaluasi:
    return evaluasi_bulan(world.pegawai, periode)


def nilai_url(ev: Evaluasi) -> str:
    return reverse("penilaian:nilai", args=[ev.pk])


def tim_url(periode) -> str:
    return reverse("penilaian:tim_bulan", args=[periode.tahun, periode.bulan])


def post_nilai(ev: Evaluasi, hasil="DI_ATAS", perilaku="DI_ATAS", **extra) -> dict:
    data = {"versi": ev.versi, "rating_hasil": hasil, "rating_perilaku": perilaku}
    data.update(extra)
    return data


def test_smoke(client, world, dikirim, periode):
    client.force_login(world.penilai)
    r = client.get(tim_url(periode))
    assert r.status_code == 200, r.content.decode()[:3000]
    r = client.get(nilai_url(dikirim))
    assert r.status_code == 200
