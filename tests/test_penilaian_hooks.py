"""The month and the SKP (issue #7 §4, SPEC §5): what SKP events do to evaluations.

(a) a revision approved mid-year carries the open month's rencana aksi to the copied RHK/IKI and
the evaluation to the new version, while a rated (or locked) month keeps the old version and is
still that month's only evaluation; (b) an SKP closed at a jabatan change mid-month, then the next
SKP approved: two evaluations for the month, each for its part, the later one the result, each
with the jabatan of its part; (c) a snapshot taken at rating survives a later transfer.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from opd.models import Jabatan, JenisJabatan
from penilaian.models import Evaluasi, RealisasiTahunan, RencanaAksi, UmpanBalik
from penilaian.services import alur
from penilaian.services._common import kurva_opd, pastikan_evaluasi
from skp import services
from skp.models import IndikatorKinerja, RencanaHasilKerja, Skp
from tests.penilaian_fixtures_tahunan import (
    IKI_LAPORAN,
    approved_skp,
    buka_periode,
    bulan_dengan_aksi,
    fresh,
    nilai_langsung,
    rantai,
)

pytestmark = pytest.mark.django_db

TAHUN = 2026


def _revisi_disetujui(world, skp: Skp) -> Skp:
    rev = services.start_revision(fresh(skp), by=world.pegawai)
    services.submit_skp(fresh(rev), by=world.pegawai)
    services.approve_skp(fresh(rev), by=world.penilai)
    return fresh(rev)


def test_revision_moves_the_open_month_and_keeps_the_rated_one(world):
    r = rantai(world, TAHUN)
    lama_iki = r.iki()
    oktober, november = buka_periode(TAHUN, 10), buka_periode(TAHUN, 11)
    september = buka_periode(TAHUN, 9, terkunci=True)
    ev_okt = bulan_dengan_aksi(world.pegawai, oktober, [(lama_iki[0], Decimal(1), "Dokumen")])
    nilai_langsung(ev_okt, world.penilai)
    ev_sep = bulan_dengan_aksi(world.pegawai, september, [(lama_iki[0], Decimal(1), "Dokumen")])
    ev_nov = bulan_dengan_aksi(world.pegawai, november, [(lama_iki[0], None, "Dokumen"), (lama_iki[1], None, "bulan")])
    UmpanBalik.objects.create(evaluasi=ev_nov, rhk_id=lama_iki[0].rhk_id, teks="Lanjutkan.")
    tahunan = buka_periode(TAHUN, 0)
    ev_tahun = pastikan_evaluasi(world.pegawai, tahunan)[0]
    RealisasiTahunan.objects.create(evaluasi=ev_tahun, iki=lama_iki[0], realisasi=Decimal(7))

    rev = _revisi_disetujui(world, r.skp)

    assert fresh(r.skp).status == Skp.Status.DIGANTI
    # The open month and its rencana aksi follow the copies.
    ev_nov.refresh_from_db()
    assert ev_nov.skp_id == rev.pk
    baru_iki = {i.asal_id: i for i in r.iki(rev)}
    for ra in RencanaAksi.objects.filter(evaluasi=ev_nov):
        assert ra.rhk.skp_id == rev.pk and ra.iki.rhk.skp_id == rev.pk
        assert ra.iki_id == baru_iki[ra.iki.asal_id].pk
    assert UmpanBalik.objects.get(evaluasi=ev_nov).rhk.skp_id == rev.pk
    # The open annual evaluation's realisation follows its IKI.
    assert RealisasiTahunan.objects.get(evaluasi=ev_tahun).iki_id == baru_iki[lama_iki[0].pk].pk
    # The rated month and the locked month keep the old version and its rows.
    for ev in (ev_okt, ev_sep):
        ev.refresh_from_db()
        assert ev.skp_id == r.skp.pk
        assert set(RencanaAksi.objects.filter(evaluasi=ev).values_list("iki_id", flat=True)) == {lama_iki[0].pk}
    # And they are still their month's only evaluation, the result (no second row for the new
    # version of the same SKP lineage when a page ensures the month's rows again).
    for periode, ev in ((oktober, ev_okt), (september, ev_sep), (november, ev_nov)):
        assert [e.pk for e in pastikan_evaluasi(world.pegawai, periode)] == [ev.pk]
        assert list(Evaluasi.objects.filter(periode=periode).values_list("pk", "hasil_bulan")) == [(ev.pk, True)]
    assert Evaluasi.objects.get(pk=ev_okt.pk).status == Evaluasi.Status.DINILAI


def test_rated_month_rerated_after_revision_keeps_its_version(world):
    """The penilai may still change a rating before the lock: the month stays on the version
    it was rated on, its umpan balik on that version's RHK."""
    r = rantai(world, TAHUN)
    oktober = buka_periode(TAHUN, 10)
    ev = bulan_dengan_aksi(world.pegawai, oktober, [(r.iki()[0], Decimal(1), "Dokumen")])
    nilai_langsung(ev, world.penilai)
    _revisi_disetujui(world, r.skp)
    ev = Evaluasi.objects.get(pk=ev.pk)
    rhk_lama = r.rhk()[0]
    alur.simpan_penilaian(
        ev, by=world.penilai, rating_hasil="DI_ATAS", rating_perilaku="DI_ATAS",
        umpan_balik_rhk={rhk_lama.pk: "Sangat baik."}, versi=ev.versi,
    )  # fmt: skip
    ev.refresh_from_db()
    assert (ev.skp_id, ev.predikat) == (r.skp.pk, "SANGAT_BAIK")
    assert UmpanBalik.objects.get(evaluasi=ev).rhk_id == rhk_lama.pk


@pytest.fixture
def jabatan_baru(world) -> Jabatan:
    return Jabatan.objects.create(
        nama="Analis Data Kesehatan", jenis=JenisJabatan.PELAKSANA, kelas_jabatan=7, opd=world.opd,
        unit=world.unit, atasan=world.penilai.jabatan,
    )  # fmt: skip


def test_jabatan_change_mid_month_gives_two_evaluations(world, jabatan_baru):
    r = rantai(world, TAHUN)
    november = buka_periode(TAHUN, 11)
    tahunan = buka_periode(TAHUN, 0)
    ev_lama = bulan_dengan_aksi(world.pegawai, november, [(r.iki()[0], Decimal(1), "Dokumen")])
    ev_tahun_lama = pastikan_evaluasi(world.pegawai, tahunan)[0]
    assert ev_lama.hasil_bulan and (ev_lama.mulai, ev_lama.selesai) == (
        datetime.date(TAHUN, 11, 1), datetime.date(TAHUN, 11, 30),
    )  # fmt: skip

    services.close_skp(fresh(r.skp), by=world.admin_opd, per_tanggal=datetime.date(TAHUN, 11, 16), alasan="Mutasi")
    ev_lama.refresh_from_db()
    ev_tahun_lama.refresh_from_db()
    assert ev_lama.selesai == datetime.date(TAHUN, 11, 15)
    assert ev_tahun_lama.selesai == datetime.date(TAHUN, 11, 15)

    # The pegawai takes the new position; the next SKP covers the rest of the year.
    world.pegawai.jabatan = jabatan_baru
    world.pegawai.save()
    p1 = RencanaHasilKerja.objects.get(skp=r.penilai_skp)
    baru = approved_skp(
        world.pegawai, world.penilai, [("Tersedianya analisis data kesehatan", [IKI_LAPORAN], [p1])], tahun=TAHUN
    )
    assert (baru.mulai, baru.selesai) == (datetime.date(TAHUN, 11, 16), datetime.date(TAHUN, 12, 31))

    bagian = pastikan_evaluasi(world.pegawai, november)
    assert [(e.skp_id, e.mulai, e.selesai, e.hasil_bulan) for e in bagian] == [
        (r.skp.pk, datetime.date(TAHUN, 11, 1), datetime.date(TAHUN, 11, 15), False),
        (baru.pk, datetime.date(TAHUN, 11, 16), datetime.date(TAHUN, 11, 30), True),
    ]
    assert list(Evaluasi.objects.filter(periode=november).hasil().values_list("skp_id", flat=True)) == [baru.pk]
    assert RencanaAksi.objects.get(evaluasi=bagian[0]).uraian.startswith("Menyusun laporan")
    assert not RencanaAksi.objects.filter(evaluasi=bagian[1]).exists()
    # Idempotent.
    assert [e.pk for e in pastikan_evaluasi(world.pegawai, november)] == [e.pk for e in bagian]
    # The annual period too: two parts, the later one the year's result.
    tahun = pastikan_evaluasi(world.pegawai, tahunan)
    assert [(e.skp_id, e.hasil_bulan) for e in tahun] == [(r.skp.pk, False), (baru.pk, True)]

    # Each part keeps the jabatan of its part, even when rated after the move.
    nilai_langsung(Evaluasi.objects.select_related("skp").get(pk=bagian[0].pk), world.penilai)
    nilai_langsung(Evaluasi.objects.select_related("skp").get(pk=bagian[1].pk), world.penilai)
    lama, kini = Evaluasi.objects.get(pk=bagian[0].pk), Evaluasi.objects.get(pk=bagian[1].pk)
    assert (lama.snap_kelas_jabatan, lama.snapshot_pegawai["jabatan"]) == (6, "Pengelola Data Pelayanan Kesehatan")
    assert (kini.snap_kelas_jabatan, kini.snapshot_pegawai["jabatan"]) == (7, "Analis Data Kesehatan")
    assert lama.snap_opd_id == kini.snap_opd_id == world.opd.pk


def test_snapshot_at_rating_survives_a_transfer(world):
    r = rantai(world, TAHUN)
    oktober = buka_periode(TAHUN, 10)
    ev = bulan_dengan_aksi(world.pegawai, oktober, [(r.iki()[0], Decimal(1), "Dokumen")])
    Evaluasi.objects.filter(pk=ev.pk).update(status=Evaluasi.Status.DIKIRIM)
    ev = Evaluasi.objects.select_related("periode", "pegawai", "skp").get(pk=ev.pk)
    alur.simpan_penilaian(ev, by=world.penilai, rating_hasil="SESUAI", rating_perilaku="SESUAI", versi=ev.versi)
    ev.refresh_from_db()
    assert (ev.snap_opd_id, ev.snap_kelas_jabatan, ev.snap_golongan) == (world.opd.pk, 6, "II/c")
    sebelum = (ev.snapshot_pegawai, ev.snapshot_penilai, ev.snapshot_atasan_penilai)

    # Transfer to another OPD with another jabatan and a promotion, after the rating.
    j_dishub = Jabatan.objects.create(
        nama="Penguji Kendaraan Bermotor", jenis=JenisJabatan.PELAKSANA, kelas_jabatan=8, opd=world.other_opd
    )
    world.pegawai.jabatan, world.pegawai.opd, world.pegawai.unit = j_dishub, world.other_opd, None
    world.pegawai.golongan = "II/d"
    world.pegawai.save()
    world.penilai.nama = "Nama Baru Penilai"
    world.penilai.save()
    assert [e.pk for e in pastikan_evaluasi(world.pegawai, oktober)] == [ev.pk]

    ev.refresh_from_db()
    assert (ev.snap_opd_id, ev.snap_kelas_jabatan, ev.snap_golongan) == (world.opd.pk, 6, "II/c")
    assert (ev.snapshot_pegawai, ev.snapshot_penilai, ev.snapshot_atasan_penilai) == sebelum
    assert ev.snapshot_pegawai["opd"] == world.opd.nama
    assert ev.snapshot_penilai["nama"] == "Rina Puspitasari, S.KM."
    # The curve of that month still counts them in the OPD of then.
    assert kurva_opd(oktober, world.opd).n == 1
    assert kurva_opd(oktober, world.other_opd).n == 0


def test_iki_deleted_in_revision_keeps_the_rows_on_the_old_iki(world):
    r = rantai(world, TAHUN)
    november = buka_periode(TAHUN, 11)
    lama = r.iki()
    ev = bulan_dengan_aksi(world.pegawai, november, [(lama[1], None, "bulan")])
    rev = services.start_revision(fresh(r.skp), by=world.pegawai)
    salinan = IndikatorKinerja.objects.get(rhk__skp=rev, asal=lama[1])
    salinan.delete()
    services.submit_skp(fresh(rev), by=world.pegawai)
    services.approve_skp(fresh(rev), by=world.penilai)
    ra = RencanaAksi.objects.get(evaluasi=ev)
    assert ra.iki_id == lama[1].pk  # nothing to follow: stays readable on the old row
    assert Evaluasi.objects.get(pk=ev.pk).skp_id == rev.pk
