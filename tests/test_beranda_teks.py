"""What the Beranda tells each role (issue #6 §6): nothing alarming at the top of the chain, a
contact that exists and is not the reader, and a Plt/Plh's assignment with whom it rates."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from opd.models import PenugasanPlt, PeranPengguna
from tests.conftest import add_role

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _beranda(client, who) -> str:
    client.force_login(who)
    response = client.get(reverse("opd:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def _section(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">(.*?)</div>', html, re.S)
    return match.group(1) if match else ""


def test_bupati_is_not_warned_about_a_missing_penilai(client, world):
    html = _beranda(client, world.bupati)
    assert "Pejabat penilai belum ditemukan" not in html
    assert "hubungi BKD" not in html and "Laporkan atasan salah" not in html
    penilai = _section(html, "penilai")
    assert "puncak rantai penilaian" in penilai and "bi-exclamation" not in penilai


def test_admin_bkd_is_never_told_to_contact_bkd(client, world):
    html = _beranda(client, world.admin_bkd)
    lapor = _section(html, "lapor-atasan")
    assert "hubungi BKD" not in html and "Badan Kepegawaian Daerah" not in lapor
    assert "belum ada admin BKD lain" in lapor
    # With a second admin BKD, that one is named.
    from tests.conftest import make_pegawai

    other = add_role(make_pegawai("Lina Marlina", world.admin_bkd.jabatan), PeranPengguna.Peran.ADMIN_BKD)
    lapor = _section(_beranda(client, world.admin_bkd), "lapor-atasan")
    assert f"hubungi admin BKD ({other.nama_lengkap})" in lapor


def test_pegawai_without_admin_opd_is_sent_to_admin_bkd(client, world):
    lapor = _section(_beranda(client, world.outsider), "lapor-atasan")
    assert f"hubungi admin BKD ({world.admin_bkd.nama_lengkap})" in lapor
    assert "belum ditetapkan; hubungi BKD" not in lapor


def test_admin_opd_is_not_told_to_contact_herself(client, world):
    lapor = _section(_beranda(client, world.admin_opd), "lapor-atasan")
    assert world.admin_opd.nama_lengkap not in lapor
    assert f"hubungi admin BKD ({world.admin_bkd.nama_lengkap})" in lapor
    # Her colleagues still get her name.
    assert f"hubungi admin OPD Anda ({world.admin_opd.nama_lengkap})" in _section(
        _beranda(client, world.pegawai), "lapor-atasan"
    )


def test_plt_sees_the_assignment_and_whom_it_rates(client, world):
    selesai = TODAY + datetime.timedelta(days=30)
    PenugasanPlt.objects.create(
        jabatan=world.penilai.jabatan, pegawai=world.admin_opd, jenis="PLT",
        mulai=TODAY - datetime.timedelta(days=1), selesai=selesai, nomor_sk="800/1/2026",
    )  # fmt: skip
    html = _beranda(client, world.admin_opd)
    card = html[html.index('data-testid="penugasan-plt"') :]
    card = card[: card.index("</ul>")]
    assert f"Plt Kepala Bidang Pelayanan Kesehatan s.d. {date_format(selesai, 'j F Y')}" in card
    assert world.pegawai.nama_lengkap in card and world.pegawai2.nama_lengkap in card
    assert reverse("opd:pegawai_detail", args=[world.pegawai.pk]) in card
    # Nobody else gets the card; an ended assignment shows nothing.
    assert 'data-testid="penugasan-plt"' not in _beranda(client, world.pegawai)
    PenugasanPlt.objects.update(selesai=TODAY - datetime.timedelta(days=1), mulai=TODAY - datetime.timedelta(days=5))
    assert 'data-testid="penugasan-plt"' not in _beranda(client, world.admin_opd)
