"""The regency's monitoring card on the Beranda keeps its counts for BERANDA_RINGKASAN_DETIK
(issue #9: the count reads every pegawai of the month), says when they were counted, and the
Pemantauan page it links to still counts afresh. One OPD's card is never kept."""

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


def test_regency_card_is_kept_and_says_when_it_was_counted(client, world, settings):
    settings.BERANDA_RINGKASAN_DETIK = 60
    per = bulan_ini()
    keadaan(world, per)
    client.force_login(world.admin_bkd)
    first, q_first = _beranda(client)
    assert 'data-testid="pemantauan-dihitung"' in first and "Dihitung pukul" in first
    before = _pegawai(first)
    evaluasi(staf(world.opd, "Pegawai Baru Sekali"), per, "DIKIRIM")
    again, q_again = _beranda(client)
    assert _pegawai(again) == before  # kept: the Beranda is a glance
    assert q_again < q_first  # the grouped count was not run again
    assert _pemantauan_pegawai(client, per) == before + 1  # the working page counts afresh


def test_regency_card_counted_every_time_when_the_window_is_zero(client, world, settings):
    settings.BERANDA_RINGKASAN_DETIK = 0
    per = bulan_ini()
    keadaan(world, per)
    client.force_login(world.admin_bkd)
    before = _pegawai(_beranda(client)[0])
    evaluasi(staf(world.opd, "Pegawai Baru Dua"), per, "DIKIRIM")
    assert _pegawai(_beranda(client)[0]) == before + 1


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
