"""The Beranda's regency counts (issue #9: they read every pegawai). The monitoring card's are
kept until the month's data changes (ekinerja.jejak), so always current; the OPD summary's are
kept for BERANDA_RINGKASAN_DETIK and say when they were counted. One OPD's are never stale."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.penilaian_fixtures_monitoring import bulan_ini, evaluasi, keadaan, staf

pytestmark = pytest.mark.django_db


def _beranda(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(reverse("opd:dashboard")).content.decode()
    card = html.split('data-testid="beranda-pemantauan"', 1)[1].split("Buka Pemantauan", 1)[0]
    return card, len(ctx)


def _pegawai(card: str) -> int:
    return int(re.search(r"· (\d+) pegawai", card).group(1))


def _pemantauan_pegawai(client, per) -> int:
    html = client.get(reverse("penilaian:pemantauan_bulan", args=[per.tahun, per.bulan])).content.decode()
    found = re.search(r'fw-semibold">([\d.]+)</div><div class="small text-body-secondary">Pegawai<', html)
    return int(found.group(1).replace(".", ""))


@pytest.mark.django_db(transaction=True)
def test_regency_card_is_current_and_kept_until_its_data_changes(client, world, settings):
    """The regency's card counts what the Pemantauan page counts, at once after a change, and while
    nothing changed does not count again (PostgreSQL: ekinerja.jejak); no "counted at" note."""
    settings.BERANDA_RINGKASAN_DETIK = 60  # the OPD summary's window: not the card's
    per = bulan_ini()
    keadaan(world, per)
    client.force_login(world.admin_bkd)
    first, _ = _beranda(client)
    assert 'data-testid="pemantauan-dihitung"' not in first and "Dihitung pukul" not in first
    before = _pegawai(first)
    assert before == _pemantauan_pegawai(client, per)
    with CaptureQueriesContext(connection) as ctx:
        _beranda(client)
    dihitung = any('AS "langkah"' in q["sql"] for q in ctx.captured_queries)
    assert dihitung is (connection.vendor != "postgresql")
    evaluasi(staf(world.opd, "Pegawai Baru Sekali"), per, "DIKIRIM")
    again, _ = _beranda(client)
    assert _pegawai(again) == before + 1 == _pemantauan_pegawai(client, per)


def test_one_opds_card_is_never_kept(client, world, settings):
    settings.BERANDA_RINGKASAN_DETIK = 60
    per = bulan_ini()
    keadaan(world, per)
    client.force_login(world.admin_opd)
    first, _ = _beranda(client)
    assert 'data-testid="pemantauan-dihitung"' not in first
    evaluasi(staf(world.opd, "Pegawai Baru Tiga"), per, "DIKIRIM")
    assert _pegawai(_beranda(client)[0]) == _pegawai(first) + 1


def _pegawai_aktif(client) -> int:
    html = client.get(reverse("opd:dashboard")).content.decode()
    found = re.search(r'Pegawai aktif</div><div class="stat-value">(\d+)<', html)
    return int(found.group(1))


def test_regency_opd_summary_is_kept_and_says_when(client, world, settings):
    settings.BERANDA_RINGKASAN_DETIK = 60
    client.force_login(world.admin_bkd)
    html = client.get(reverse("opd:dashboard")).content.decode()
    assert 'data-testid="ringkasan-dihitung"' in html
    before = _pegawai_aktif(client)
    staf(world.opd, "Pegawai Baru Empat")
    assert _pegawai_aktif(client) == before  # kept for the window
    settings.BERANDA_RINGKASAN_DETIK = 0
    cache.clear()
    assert _pegawai_aktif(client) == before + 1


def test_admin_opd_summary_is_never_kept(client, world, settings):
    settings.BERANDA_RINGKASAN_DETIK = 60
    client.force_login(world.admin_opd)
    html = client.get(reverse("opd:dashboard")).content.decode()
    assert 'data-testid="ringkasan-dihitung"' not in html
    before = _pegawai_aktif(client)
    staf(world.opd, "Pegawai Baru Lima")
    assert _pegawai_aktif(client) == before + 1
