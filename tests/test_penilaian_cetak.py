"""The printable Dokumen Evaluasi Kinerja Pegawai (issue #7 §8): monthly and annual, from the
snapshots, only once rated, for whoever may see the evaluation; query count pinned."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from opd.models import Jabatan, JenisJabatan
from penilaian.models import Evaluasi, KinerjaOrganisasi, UmpanBalik
from penilaian.services import alur, tahunan
from penilaian.services._common import pastikan_evaluasi
from tests.penilaian_fixtures_tahunan import (
    IKI_LAPORAN,
    IKI_WAKTU,
    TAHUN_LALU,
    buka_periode,
    bulan_dengan_aksi,
    nilai_langsung,
    rantai,
)

pytestmark = pytest.mark.django_db
T = TAHUN_LALU


@pytest.fixture
def bulan(world) -> Evaluasi:
    """October 2025 of the pegawai, rated Baik with umpan balik; pegawai2 rated Sangat Baik; the
    OPD's capaian organisasi recorded."""
    r = rantai(world, T)
    laporan, waktu = r.iki()
    periode = buka_periode(T, 10)
    ev = bulan_dengan_aksi(world.pegawai, periode, [(laporan, Decimal(3), "Dokumen"), (waktu, Decimal(1), "bulan")])
    UmpanBalik.objects.create(evaluasi=ev, rhk=laporan.rhk, teks="Laporan rapi dan tepat waktu.")
    UmpanBalik.objects.create(evaluasi=ev, perilaku="KOLABORATIF", teks="Aktif membantu rekan.")
    nilai_langsung(ev, world.penilai, "SESUAI", "SESUAI")
    p1 = r.penilai_skp.rhk_set.get()
    from tests.penilaian_fixtures_tahunan import approved_skp

    approved_skp(world.pegawai2, world.penilai, [("Laporan kedua", [IKI_LAPORAN], [p1])], tahun=T)
    ev2 = bulan_dengan_aksi(world.pegawai2, periode, [])
    nilai_langsung(ev2, world.penilai, "DI_ATAS", "DI_ATAS")
    KinerjaOrganisasi.objects.create(periode=periode, opd=world.opd, capaian="BAIK", dicatat_oleh=world.admin_bkd)
    return Evaluasi.objects.get(pk=ev.pk)


def test_monthly_print_shows_the_official_layout(client, world, bulan):
    client.force_login(world.pegawai)
    response = client.get(reverse("penilaian:cetak", args=[bulan.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    for text in (
        "DOKUMEN EVALUASI KINERJA PEGAWAI", "PERIODE: BULANAN", "PERIODE PENILAIAN: 1 OKTOBER SD 31 OKTOBER 2025",
        "PEGAWAI YANG DINILAI", "PEJABAT PENILAI KINERJA", "ATASAN PEJABAT PENILAI KINERJA",
        "Agus Setiawan", "199002142015031003", "Rina Puspitasari, S.KM.", "dr. Sunarto, M.Kes.",
        "CAPAIAN KINERJA ORGANISASI", "BAIK", "POLA DISTRIBUSI",
        "RENCANA HASIL KERJA PIMPINAN YANG DIINTERVENSI", "Meningkatnya mutu pelayanan kesehatan",
        "REALISASI BERDASARKAN BUKTI DUKUNG", "Menyusun laporan Oktober 2025 (1): 3 Dokumen — Laporan selesai disusun.",
        "Laporan rapi dan tepat waktu.", "Aktif membantu rekan.", "Kolaboratif",
        "RATING HASIL KERJA", "SESUAI EKSPEKTASI", "RATING PERILAKU KERJA", "PREDIKAT KINERJA PEGAWAI",
        "Pegawai yang Dinilai", "Trenggalek, ", "@page { size: A4 portrait", "window.print()",
    ):  # fmt: skip
        assert text in page, text
    # The curve: one Baik, one Sangat Baik, two rated.
    assert "<tr><td>1</td><td>1</td><td>0</td><td>0</td><td>0</td><td>2</td></tr>" in page.replace("\n", "")
    assert "@media print" in page and ".toolbar { display: none; }" in page


def test_print_reads_the_snapshots_not_todays_data(client, world, bulan):
    j = Jabatan.objects.create(nama="Penguji Kendaraan Bermotor", jenis=JenisJabatan.PELAKSANA, kelas_jabatan=8,
                               opd=world.other_opd)  # fmt: skip
    world.pegawai.nama, world.pegawai.jabatan, world.pegawai.opd, world.pegawai.unit = (
        "Agus Pindah",
        j,
        world.other_opd,
        None,
    )
    world.pegawai.golongan = "III/a"
    world.pegawai.save()
    world.penilai.nama = "Rina Berganti"
    world.penilai.save()
    # The penilai no longer rates the pegawai (SPEC §9: access follows today's relations); the
    # pegawai and the Kepala of the OPD of then still see the document.
    for who in (world.pegawai, world.kepala):
        client.force_login(who)
        page = client.get(reverse("penilaian:cetak", args=[bulan.pk])).content.decode()
        assert "Agus Setiawan" in page and "Pengelola Data Pelayanan Kesehatan" in page and "II/c" in page
        assert "Rina Puspitasari" in page and world.opd.nama.upper() in page
        assert "Agus Pindah" not in page and "Penguji Kendaraan" not in page and "Rina Berganti" not in page
        assert world.other_opd.nama.upper() not in page


def test_not_rated_yet_says_so(client, world):
    r = rantai(world, T)
    ev = bulan_dengan_aksi(world.pegawai, buka_periode(T, 3), [(r.iki()[0], Decimal(1), "Dokumen")])
    client.force_login(world.pegawai)
    response = client.get(reverse("penilaian:cetak", args=[ev.pk]))
    assert response.status_code == 404
    assert "baru dapat dicetak setelah evaluasinya dinilai" in response.content.decode()


def test_annual_print(client, world):
    r = rantai(world, T, iki=(IKI_LAPORAN, IKI_WAKTU))
    laporan, waktu = r.iki()
    ev = pastikan_evaluasi(world.pegawai, buka_periode(T, 0))[0]
    ev = Evaluasi.objects.select_related("periode", "pegawai", "skp").get(pk=ev.pk)
    tahunan.simpan_realisasi_tahunan(
        ev, by=world.pegawai, isian={laporan.pk: (Decimal("12.5"), "Semua laporan"), waktu.pk: (Decimal(11), "")},
        versi=ev.versi,
    )  # fmt: skip
    tahunan.kirim_realisasi_tahunan(ev, by=world.pegawai, versi=ev.versi)
    alur.simpan_penilaian(ev, by=world.penilai, rating_hasil="DI_ATAS", rating_perilaku="SESUAI", versi=ev.versi)
    client.force_login(world.kepala)
    page = client.get(reverse("penilaian:cetak", args=[ev.pk])).content.decode()
    assert "PERIODE: TAHUNAN" in page and "1 JANUARI SD 31 DESEMBER 2025" in page
    assert "12,5 Dokumen — Semua laporan" in page and "11 bulan" in page
    assert "DI ATAS EKSPEKTASI" in page and "BAIK" in page
    assert "Belum ditetapkan" in page  # no capaian organisasi recorded for the year


CETAK = {"pegawai": 200, "pegawai2": 404, "penilai": 200, "kepala": 200, "admin_opd": 200, "admin_bkd": 200,
         "auditor": 200, "outsider": 404, "sekda": 200, "bupati": 200}  # fmt: skip


def test_access_matrix(client, world, bulan):
    url = reverse("penilaian:cetak", args=[bulan.pk])
    for role, status in CETAK.items():
        client.force_login(getattr(world, role))
        assert client.get(url).status_code == status, role
        assert client.post(url).status_code in (405, 404), role
    client.logout()
    assert client.get(url).status_code == 302


def test_every_cetak_url_has_an_access_row():
    from penilaian.views import cetak

    assert [p.name for p in cetak.urlpatterns] == ["cetak"]


def test_query_count_does_not_grow_with_rows(client, world, bulan, django_assert_max_num_queries):
    client.force_login(world.pegawai)
    url = reverse("penilaian:cetak", args=[bulan.pk])
    with django_assert_max_num_queries(24) as before:
        client.get(url)
    laporan = bulan.skp.rhk_set.get().iki_set.order_by("pk").first()
    from penilaian.models import RencanaAksi

    for i in range(20):
        RencanaAksi.objects.create(evaluasi=bulan, rhk=laporan.rhk, iki=laporan, uraian=f"Tambahan {i}",
                                   realisasi=Decimal(1), satuan="Dokumen")  # fmt: skip
    with django_assert_max_num_queries(len(before.captured_queries)):
        page = client.get(url).content.decode()
    assert "Tambahan 19" in page
