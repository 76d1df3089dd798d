"""Hukuman disiplin records (SPEC §7): recording and cancelling, every refusal, the months a hukdis
sedang covers, the final-month hook, the pages (filters, query counts, admin OPD scope)."""

from __future__ import annotations

import datetime
import sys
import types

import pytest
from django.urls import reverse

from opd.models import AuditLog
from penilaian.models import HukumanDisiplin
from penilaian.services import presensi
from penilaian.services import tpp_hukdis as services
from penilaian.services._common import PenilaianError
from tests.conftest import make_pegawai
from tests.tpp_fixtures import final, periode, skema

pytestmark = pytest.mark.django_db
D = datetime.date


def catat(world, pegawai=None, **kw) -> HukumanDisiplin:
    args = {
        "pegawai": pegawai or world.pegawai, "jenis": "SEDANG", "uraian": "Pemotongan TPP 25 %",
        "bulan_mulai": D(2026, 2, 1), "bulan_selesai": D(2026, 4, 1), "nomor_sk": "800/12/2026",
        "tanggal_sk": D(2026, 1, 20), "by": world.admin_bkd,
    }  # fmt: skip
    args.update(kw)
    return services.catat_hukdis(**args)


def test_record_and_months_covered(world):
    h = catat(world)
    catat(world, world.pegawai2, jenis="RINGAN", nomor_sk="1")
    catat(world, world.penilai, nomor_sk="2", bulan_mulai=D(2026, 3, 15), bulan_selesai=D(2026, 3, 20))
    assert (h.bulan_mulai, h.bulan_selesai) == (D(2026, 2, 1), D(2026, 4, 1))
    assert services.hukdis_sedang_aktif(periode(2026, 1)) == set()
    assert services.hukdis_sedang_aktif(periode(2026, 3)) == {world.pegawai.pk, world.penilai.pk}
    assert services.hukdis_sedang_aktif(periode(2026, 4)) == {world.pegawai.pk}
    assert services.hukdis_sedang_aktif(periode(2026, 5)) == set()
    log = AuditLog.objects.filter(aksi="hukdis_dicatat").first()
    assert log.opd_id == world.pegawai.opd_id


def test_cancelled_does_not_count_and_is_kept(world):
    h = catat(world)
    services.batalkan_hukdis(h, by=world.admin_bkd, alasan="SK dicabut")
    assert services.hukdis_sedang_aktif(periode(2026, 3)) == set()
    h.refresh_from_db()
    assert h.dibatalkan_pada and h.alasan_batal == "SK dicabut"
    with pytest.raises(PenilaianError, match="sudah dibatalkan"):
        services.batalkan_hukdis(h, by=world.admin_bkd, alasan="lagi")
    assert AuditLog.objects.filter(aksi="hukdis_dibatalkan").count() == 1


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"bulan_mulai": D(2026, 5, 1), "bulan_selesai": D(2026, 4, 1)}, "tidak boleh sebelum bulan pertama"),
        ({"nomor_sk": "  "}, "Nomor SK wajib"),
        ({"jenis": "BERAT!"}, "Pilih jenis"),
        ({"tanggal_sk": D(2999, 1, 1)}, "masa depan"),
        ({"nomor_sk": "x" * 101}, "paling banyak"),
    ],
)
def test_refusals_change_nothing(world, kw, message):
    with pytest.raises(PenilaianError, match=message):
        catat(world, **kw)
    assert not HukumanDisiplin.objects.exists() and not AuditLog.objects.filter(aksi="hukdis_dicatat").exists()


def test_separation_of_duties_and_roles(world):
    with pytest.raises(PenilaianError, match="Anda sendiri"):
        catat(world, world.admin_bkd)
    for who in (world.auditor, world.admin_opd, world.kepala):
        with pytest.raises(PenilaianError, match="Hanya admin BKD"):
            catat(world, by=who)
    h = catat(world)
    with pytest.raises(PenilaianError, match="Hanya admin BKD"):
        services.batalkan_hukdis(h, by=world.admin_opd, alasan="x")
    with pytest.raises(PenilaianError, match="alasan"):
        services.batalkan_hukdis(h, by=world.admin_bkd, alasan=" ")


def test_double_submit_is_refused(world):
    catat(world)
    with pytest.raises(PenilaianError, match="sudah dicatat"):
        catat(world)
    assert HukumanDisiplin.objects.count() == 1


def test_final_months_call_the_hook_for_sedang_only(world, monkeypatch):
    calls = []
    module = types.ModuleType(presensi.HOOK[0])
    module.catat_perubahan = lambda periode, ids, alasan: calls.append((periode.bulan, ids))
    monkeypatch.setitem(sys.modules, presensi.HOOK[0], module)
    s = skema(2026, world.admin_bkd)
    for bulan in (1, 2, 3):
        final(periode(2026, bulan), s, world.admin_bkd)
    catat(world, jenis="RINGAN", nomor_sk="R1")
    assert calls == []
    h = catat(world)  # February–April: February and March are final
    assert calls == [(2, [world.pegawai.pk]), (3, [world.pegawai.pk])]
    services.batalkan_hukdis(h, by=world.admin_bkd, alasan="Keliru")
    assert len(calls) == 4


# Pages ----------------------------------------------------------------------------------------------


def _post(**kw) -> dict:
    data = {"nip": "", "jenis": "SEDANG", "uraian": "", "bulan_mulai": "2026-02", "bulan_selesai": "2026-04",
            "nomor_sk": "800/1/2026", "tanggal_sk": "2026-01-20"}  # fmt: skip
    data.update(kw)
    return data


def test_add_through_http_and_each_form_refusal(client, world):
    client.force_login(world.admin_bkd)
    url = reverse("penilaian:tpp_hukdis_tambah")
    for kw, message in (
        ({"nip": "199999999999999999"}, "tidak ditemukan"),
        ({"nip": world.admin_bkd.nip}, "Anda sendiri"),
        ({"bulan_selesai": "2026-01"}, "tidak boleh sebelum bulan pertama"),
        ({"nomor_sk": "   "}, "Nomor SK wajib"),
        ({"bulan_mulai": "2026-13"}, "bukan bulan"),
        ({"bulan_mulai": "../../etc"}, "bukan bulan"),
        ({"tanggal_sk": "kemarin"}, "Tanggal SK tidak valid"),
    ):
        data = _post(**{"nip": world.pegawai.nip, **kw})
        response = client.post(url, data)
        assert response.status_code == 200 and message in response.text, kw
        assert 'value="800/1/2026"' in response.text or kw.get("nomor_sk")  # what was typed is kept
    assert not HukumanDisiplin.objects.exists()
    response = client.post(url, _post(nip=world.pegawai.nip))
    assert response.status_code == 302
    h = HukumanDisiplin.objects.get()
    assert (h.bulan_mulai, h.bulan_selesai, h.dicatat_oleh) == (D(2026, 2, 1), D(2026, 4, 1), world.admin_bkd)


def test_cancel_through_http(client, world):
    h = catat(world)
    client.force_login(world.admin_bkd)
    url = reverse("penilaian:tpp_hukdis_batal", args=[h.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"alasan": ""})
    assert "Tuliskan alasan" in response.text
    assert client.post(url, {"alasan": "SK dicabut"}).status_code == 302
    response = client.post(url, {"alasan": "dua kali"})
    assert response.status_code == 200 and "Sudah dibatalkan pada" in response.text
    assert AuditLog.objects.filter(aksi="hukdis_dibatalkan").count() == 1


def test_list_filters_and_admin_opd_scope(client, world, django_assert_max_num_queries):
    catat(world)
    catat(world, world.outsider, nomor_sk="OUT/1", bulan_mulai=D(2025, 1, 1), bulan_selesai=D(2025, 2, 1))
    for i in range(30):
        catat(world, make_pegawai(f"Pegawai {i}", world.pegawai.jabatan), nomor_sk=f"N{i}")
    client.force_login(world.admin_bkd)
    url = reverse("penilaian:tpp_hukdis_list")
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200 and "Joko Prasetyo" in response.text
    assert "Joko Prasetyo" not in client.get(url, {"tahun": "2026"}).text
    assert "Joko Prasetyo" in client.get(url, {"tahun": "2025"}).text
    assert "Agus Setiawan" not in client.get(url, {"opd": world.other_opd.pk}).text
    only = client.get(url, {"q": "Agus"}).text
    assert "Agus Setiawan" in only and "Pegawai 3" not in only
    assert client.get(url, {"tahun": "1e309", "opd": "NaN"}).status_code == 200
    client.force_login(world.admin_opd)
    response = client.get(url)
    assert "Agus Setiawan" in response.text and "Joko Prasetyo" not in response.text
    assert reverse("penilaian:tpp_hukdis_tambah") not in response.text  # read-only
