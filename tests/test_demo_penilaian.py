"""The demo of the monthly cycle (issue #7 §9): past months rated with a mix that fits each OPD's
curve except the one OPD that breaks it, evidence files on disk with their SHA-256, capaian
organisasi, finalised months (a justification where the curve breaks), one unlock, and the
current month in progress with every status.

The demo is loaded once for the module inside a transaction rolled back at the end (±25 s)."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from opd.models import Pegawai
from opd.services import OrgChart
from penilaian import bukti as bukti_berkas
from penilaian.demo import KURVA_RUSAK, pdf_laporan, png_foto, sebaran_predikat
from penilaian.models import BukaKunci, BuktiDukung, Evaluasi, KinerjaOrganisasi, Periode, RencanaAksi
from penilaian.rules import CapaianOrganisasi, Predikat, pelanggaran_kurva, predikat
from penilaian.services._common import kurva_opd
from skp.demo import PILOT_KODES
from tests.conftest import ensure_reference_data

TODAY = timezone.localdate()
TAHUN = TODAY.year
BULAN_LALU = list(range(1, TODAY.month))

pytestmark = pytest.mark.skipif(
    len(BULAN_LALU) < 3, reason="demo bulanan menunjukkan kurva rusak pada 3 bulan terakhir: perlu ≥ 3 bulan lalu"
)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from opd.demo import seed_organisation
    from penilaian.demo import seed_penilaian
    from skp.demo import seed_skp

    with django_db_blocker.unblock(), transaction.atomic():
        ensure_reference_data()
        accounts = seed_organisation()
        seed_skp(tahun=TAHUN)
        hasil = seed_penilaian(tahun=TAHUN)
        yield {**{login.peran: login.nip for login in accounts.logins}, **{x.peran: x.nip for x in hasil.logins}}
        transaction.set_rollback(True)


def _periode(bulan: int) -> Periode:
    return Periode.objects.get(tahun=TAHUN, bulan=bulan)


def test_the_year_is_open_with_default_deadlines(db, demo):
    assert sorted(Periode.objects.filter(tahun=TAHUN).values_list("bulan", flat=True)) == list(range(13))


def test_past_months_are_rated_with_consistent_predikat(db, demo):
    rows = Evaluasi.objects.filter(periode__tahun=TAHUN, periode__bulan__in=BULAN_LALU, hasil_bulan=True)
    assert rows.count() > 100 * len(BULAN_LALU)
    assert set(rows.values_list("status", flat=True)) == {"DINILAI"}
    for ev in rows.only("rating_hasil", "rating_perilaku", "predikat", "snapshot_penilai", "dinilai_oleh_id"):
        assert predikat(ev.rating_hasil, ev.rating_perilaku) == ev.predikat
        assert ev.snapshot_penilai["id"] == str(ev.dinilai_oleh_id)
    mix = Counter(rows.values_list("predikat", flat=True))
    assert mix[Predikat.BAIK] > mix[Predikat.SANGAT_BAIK] > mix[Predikat.BUTUH_PERBAIKAN] > 0
    # Every rated month has rencana aksi with realisasi and evidence.
    assert not RencanaAksi.objects.filter(evaluasi__in=rows, bukti_set__isnull=True).exists()
    assert not RencanaAksi.objects.filter(evaluasi__in=rows, target__isnull=False, realisasi__isnull=True).exists()


def test_curves_fit_except_the_broken_opd(db, demo):
    rusak = set(BULAN_LALU[-3:])
    for kode in PILOT_KODES:
        for bulan in BULAN_LALU:
            periode = _periode(bulan)
            kurva = kurva_opd(periode, periode_opd := _opd(kode))
            assert kurva.capaian is not None, (kode, bulan)
            assert kurva.n > 0, (kode, bulan)
            broken = bool(kurva.pelanggaran)
            assert broken == (kode == KURVA_RUSAK and bulan in rusak), (kode, bulan, kurva.pelanggaran)
            assert periode_opd.kode == kode


def _opd(kode: str):
    from opd.models import Opd

    return Opd.objects.get(kode=kode)


def test_locked_months_are_final_except_the_latest_which_has_an_unlock(db, demo):
    terkunci = [b for b in BULAN_LALU if _periode(b).batas_penilaian < TODAY]
    final = KinerjaOrganisasi.objects.filter(periode__tahun=TAHUN, difinalkan_pada__isnull=False)
    assert sorted({k.periode.bulan for k in final}) == terkunci[:-1]
    assert all(final.filter(periode__bulan=b).count() == len(PILOT_KODES) for b in terkunci[:-1])
    dengan_justifikasi = final.exclude(justifikasi="")
    assert dengan_justifikasi.exists()
    for k in dengan_justifikasi:
        assert k.opd.kode == KURVA_RUSAK and k.pelanggaran_saat_final
    unlock = BukaKunci.objects.get(ditutup_pada__isnull=True)
    assert unlock.periode.bulan == terkunci[-1] and len(unlock.alasan) > 40
    assert unlock.dibuka_oleh.nip == demo["Admin OPD"]
    penilai = Pegawai.objects.get(nip=demo["Penilai (bulanan)"])
    assert unlock.pegawai.penilai() == penilai


def test_current_month_is_in_progress(db, demo):
    current = Evaluasi.objects.filter(periode=_periode(TODAY.month), hasil_bulan=True)
    assert {"DRAFT", "DIKIRIM", "DINILAI", "DIKEMBALIKAN"} <= set(current.values_list("status", flat=True))
    kembali = current.get(status="DIKEMBALIKAN")
    assert kembali.catatan_pengembalian
    penilai = Pegawai.objects.get(nip=demo["Penilai (bulanan)"])
    assert kembali.pegawai.penilai() == penilai
    # The login for the browser journey has not started the month; her past months are rated.
    me = Pegawai.objects.get(nip=demo["Pegawai (bulanan)"])
    assert me.penilai() == penilai
    assert not current.filter(pegawai=me).exists()
    assert Evaluasi.objects.filter(pegawai=me, periode__bulan__in=BULAN_LALU, status="DINILAI").count() == len(
        BULAN_LALU
    )
    chart = OrgChart()
    assert sum(1 for pid in chart.pegawai if chart.penilai_id(pid) == penilai.pk) >= 10


def test_evidence_files_are_on_disk_with_their_hash(db, demo):
    files = BuktiDukung.objects.filter(jenis="BERKAS")
    assert files.count() > 50
    assert {"application/pdf", "image/png"} <= set(files.values_list("mime", flat=True))
    root = Path(settings.BUKTI_ROOT).resolve()
    for row in files[:40]:
        path = (root / row.berkas).resolve()
        assert path.is_relative_to(root)
        data = path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == row.sha256
        assert len(data) == row.ukuran
        assert bukti_berkas.deteksi_jenis(path) == row.mime
    assert BuktiDukung.objects.filter(jenis="TAUTAN").exclude(tautan__startswith="https://").count() == 0


def test_second_run_changes_nothing(db, demo):
    from penilaian.demo import seed_penilaian

    before = (Evaluasi.objects.count(), RencanaAksi.objects.count(), BuktiDukung.objects.count(),
              KinerjaOrganisasi.objects.count(), BukaKunci.objects.count())  # fmt: skip
    seed_penilaian(tahun=TAHUN)
    after = (Evaluasi.objects.count(), RencanaAksi.objects.count(), BuktiDukung.objects.count(),
             KinerjaOrganisasi.objects.count(), BukaKunci.objects.count())  # fmt: skip
    assert after == before


# The generators, without the database ----------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 5, 9, 10, 13, 40, 82])
@pytest.mark.parametrize("seed", range(5))
def test_predikat_mix_fits_a_baik_and_an_istimewa_organisation(n, seed):
    import random

    daftar = sebaran_predikat(n, random.Random(seed))
    jumlah = Counter(daftar)
    assert len(daftar) == n
    assert pelanggaran_kurva(CapaianOrganisasi.BAIK, jumlah) == [] or n == 1
    assert pelanggaran_kurva(CapaianOrganisasi.ISTIMEWA, jumlah) == []
    rusak = Counter(sebaran_predikat(n, random.Random(seed), rusak=True))
    assert len(pelanggaran_kurva(CapaianOrganisasi.BAIK, rusak)) >= 1


def test_generated_files_are_accepted_as_pdf_and_png(tmp_path):
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(pdf_laporan("Laporan (Kegiatan) Desember", ["Nama: Dwi", "Realisasi: 3 laporan \\ selesai"]))
    png = tmp_path / "a.png"
    png.write_bytes(png_foto(7))
    assert bukti_berkas.deteksi_jenis(pdf) == "application/pdf"
    assert bukti_berkas.deteksi_jenis(png) == "image/png"
    assert pdf.read_bytes().rstrip().endswith(b"%%EOF")


# TPP (issue #8 §7) ----------------------------------------------------------------------------------------


def test_tpp_scheme_attendance_hukdis_final_month_and_adjustment(db, demo):
    from penilaian.models import HukumanDisiplin, ImporPresensi, PenyesuaianTpp, Presensi, SkemaTpp, TppBaris, TppBulan
    from penilaian.services import tpp_skema
    from penilaian.services.tpp_bulan import data_bulan

    versi = list(SkemaTpp.objects.filter(tahun=TAHUN).order_by("berlaku_mulai"))
    assert [v.berlaku_mulai for v in versi] == [1, 7]
    for v in versi:  # a besaran for every kelas jabatan that pegawai hold
        assert tpp_skema.besaran_kurang(tpp_skema.besaran_map(v)) == []
    # Attendance for every evaluated month, through the import (one file each, one correction).
    assert set(Presensi.objects.filter(periode__tahun=TAHUN).values_list("periode__bulan", flat=True)) == set(
        BULAN_LALU
    )
    hukdis = HukumanDisiplin.objects.get()
    assert hukdis.jenis == "SEDANG" and hukdis.pegawai.opd.kode == "SETDA"
    final = TppBulan.objects.get(status="FINAL")
    terkunci = [b for b in BULAN_LALU if _periode(b).batas_penilaian < TODAY]
    assert final.periode.bulan == terkunci[-1]
    assert ImporPresensi.objects.filter(periode=final.periode).count() == 2
    adj = PenyesuaianTpp.objects.get()
    assert adj.asal == final and adj.dicatat_di.periode.bulan == final.periode.bulan + 1
    assert adj.baru > adj.lama
    frozen = TppBaris.objects.get(tpp_bulan=final, pegawai=adj.pegawai)
    assert frozen.jumlah == adj.lama  # the final month stays as paid
    # The final month reads its frozen rows; the next month carries the adjustment.
    data_final = data_bulan(final.periode)
    assert data_final.final and data_final.jumlah == final.jumlah_total
    berikut = data_bulan(adj.dicatat_di.periode)
    assert not berikut.final
    assert [(p.lama, p.baru) for o in berikut.opd for p in o.penyesuaian] == [(adj.lama, adj.baru)]
    # The hukdis shows in a month it covers; the pegawai on Tugas Belajar gets nothing, with the reason.
    bulan_hukdis = data_bulan(Periode.objects.get(tahun=TAHUN, bulan=hukdis.bulan_mulai.month))
    rows = {b.pegawai_id: b for o in bulan_hukdis.opd for b in o.baris}
    assert rows[hukdis.pegawai_id].hukdis > 0 and hukdis.nomor_sk in rows[hukdis.pegawai_id].keterangan
    belajar = Pegawai.objects.filter(kedudukan_hukum="TUGAS_BELAJAR", opd__kode__in=PILOT_KODES).first()
    assert belajar is not None
    assert rows[belajar.pk].jumlah == 0 and "Tugas Belajar" in rows[belajar.pk].keterangan


def test_regency_tpp_summary_equals_the_rows_every_month(db, demo):
    """On the whole demo year (open and final months, exclusions, hukdis, corrected attendance):
    the regency page's grouped totals equal the rows' totals per OPD."""
    from penilaian.services.tpp_bulan import data_bulan, ringkasan_bulan

    for bulan in [*BULAN_LALU, TODAY.month]:
        periode = _periode(bulan)
        penuh, ringkas = data_bulan(periode), ringkasan_bulan(periode)
        rows = {o.kode: (len(o.baris), sum(1 for b in o.baris if b.catatan_belum_final), o.jumlah) for o in penuh.opd}
        assert {o.kode: (o.jumlah_pegawai, o.belum_final, o.jumlah) for o in ringkas.opd} == rows, periode.nama
