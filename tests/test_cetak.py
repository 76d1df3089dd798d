"""Printable SKP: snapshots after approval, live data under a DRAFT watermark before, the official columns."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from opd.models import Pegawai
from tests.test_pohon import TAHUN, approve, make_skp, rhk_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(world):
    kepala = approve(make_skp(world.kepala, [("UTAMA", "Meningkatnya derajat kesehatan masyarakat", [])]), world.sekda)
    k1 = rhk_of(kepala, "Meningkatnya derajat kesehatan masyarakat")
    penilai = make_skp(world.penilai, [("UTAMA", "Meningkatnya mutu pelayanan kesehatan", [k1]),
                                       ("TAMBAHAN", "Panitia HUT RI ke-81", [])])  # fmt: skip
    return approve(penilai, world.kepala)


def test_print_shows_snapshots_not_live_data(client, world, approved):
    Pegawai.objects.filter(pk=world.kepala.pk).update(nama="Nama Baru Setelah Mutasi", golongan="IV/c")
    Pegawai.objects.filter(pk=world.penilai.pk).update(nama="Rina Diganti")
    client.force_login(world.penilai)
    response = client.get(reverse("skp:cetak", args=[approved.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "dr. Sunarto, M.Kes." in html and "Nama Baru Setelah Mutasi" not in html
    assert "Rina Puspitasari, S.KM." in html and "Rina Diganti" not in html
    assert "Pembina Tingkat I (IV/b)" in html  # the penilai's golongan at approval
    assert 'data-testid="watermark"' not in html
    for text in (
        "SASARAN KINERJA PEGAWAI",
        "PENDEKATAN HASIL KERJA KUANTITATIF",
        f"PERIODE PENILAIAN: 1 JANUARI SD 31 DESEMBER {approved.tahun}",
        "PEMERINTAH KABUPATEN TRENGGALEK",
        "PEGAWAI YANG DINILAI",
        "PEJABAT PENILAI KINERJA",
        "RENCANA HASIL KERJA PIMPINAN YANG DIINTERVENSI",
        "ASPEK",
        "A. Utama",
        "B. Tambahan",
        "Panitia HUT RI ke-81",
        "Meningkatnya derajat kesehatan masyarakat",  # the RHK atasan column
        "PERILAKU KERJA",
        "Berorientasi Pelayanan",
        "EKSPEKTASI KHUSUS PIMPINAN",
        "LAMPIRAN SASARAN KINERJA PEGAWAI",
        "Pegawai yang Dinilai",
        "Pejabat Penilai Kinerja",
    ):
        assert text in html, text
    approved.refresh_from_db()
    assert f"Trenggalek, {timezone.localtime(approved.disetujui_pada).day} " in html


def test_draft_prints_live_data_with_watermark(client, world):
    skp = make_skp(world.pegawai, [("UTAMA", "Data pelayanan kesehatan yang valid", [])])
    client.force_login(world.pegawai)
    html = client.get(reverse("skp:cetak", args=[skp.pk])).content.decode()
    assert 'data-testid="watermark"' in html and "DRAFT — belum disetujui" in html
    assert "Agus Setiawan" in html and "Rina Puspitasari, S.KM." in html  # live penilai
    assert "Trenggalek, ......" in html


def test_kualitatif_has_no_aspek_column(client, world):
    skp = make_skp(world.pegawai, [("UTAMA", "Data pelayanan kesehatan yang valid", [])], pendekatan="KUALITATIF")
    client.force_login(world.pegawai)
    html = client.get(reverse("skp:cetak", args=[skp.pk])).content.decode()
    assert "PENDEKATAN HASIL KERJA KUALITATIF" in html
    assert ">ASPEK<" not in html
    assert "Tersusun tepat waktu dan lengkap" in html


def test_rhk_with_several_iki_uses_rowspan(client, world):
    from decimal import Decimal

    from skp import services
    from skp.services import IkiData

    skp = services.create_skp(world.kepala, by=world.kepala, tahun=TAHUN, pendekatan="KUANTITATIF")
    services.save_rhk(
        skp, by=world.kepala, versi=skp.versi, rhk=None, jenis="UTAMA", uraian="Meningkatnya derajat kesehatan",
        iki=[IkiData("Indeks Kepuasan Masyarakat", "KUALITAS", Decimal(85), satuan="indeks"),
             IkiData("Persentase Puskesmas terakreditasi", "KUANTITAS", Decimal(80), Decimal(90), "%")],
        links=[],
    )  # fmt: skip
    client.force_login(world.kepala)
    html = client.get(reverse("skp:cetak", args=[skp.pk])).content.decode()
    assert 'rowspan="2"' in html and "80–90 %" in html and "85 indeks" in html


def test_print_of_invisible_skp_is_404(client, world, approved):
    client.force_login(world.outsider)
    assert client.get(reverse("skp:cetak", args=[approved.pk])).status_code == 404
