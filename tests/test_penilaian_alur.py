"""The monthly cycle's shared core: evaluation rows of a period, the lock and its unlock, the
workflow (kirim → kembalikan → kirim → nilai), snapshots, access and the kurva with a pending
rating (SPEC §5, §6, §9). Pages are tested with their views; this is the layer under them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from opd.models import AuditLog, Pegawai
from penilaian.models import BukaKunci, BuktiDukung, Evaluasi, KinerjaOrganisasi, Periode, RencanaAksi
from penilaian.rules import Predikat
from penilaian.services import _common, alur
from penilaian.services._common import PenilaianError
from skp import services as skp_services
from tests.test_skp_pages import pegawai_skp

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def periode_bulan_ini(**batas) -> Periode:
    return Periode.objects.create(
        tahun=TODAY.year,
        bulan=TODAY.month,
        batas_realisasi=batas.get("realisasi", TODAY + datetime.timedelta(days=5)),
        batas_penilaian=batas.get("penilaian", TODAY + datetime.timedelta(days=10)),
    )


def isi_lengkap(ev: Evaluasi, pegawai: Pegawai) -> RencanaAksi:
    rhk = ev.skp.rhk_set.get()
    ra = RencanaAksi.objects.create(
        evaluasi=ev, rhk=rhk, iki=rhk.iki_set.first(), uraian="Menyusun rekap data kunjungan",
        target=Decimal(4), satuan="laporan", realisasi=Decimal(4), realisasi_uraian="Empat rekap selesai",
    )  # fmt: skip
    BuktiDukung.objects.create(
        rencana_aksi=ra, jenis="TAUTAN", tautan="https://drive.example.go.id/rekap", diunggah_oleh=pegawai
    )
    return ra


@pytest.fixture
def siap(world):
    skp = pegawai_skp(world, "DISETUJUI")
    periode = periode_bulan_ini()
    (ev,) = _common.pastikan_evaluasi(world.pegawai, periode)
    return skp, periode, ev


def test_pastikan_evaluasi_is_idempotent_and_takes_a_snapshot(world, siap):
    skp, periode, ev = siap
    assert ev.hasil_bulan and ev.skp_id == skp.pk and ev.status == "DRAFT"
    assert (ev.mulai, ev.selesai) == (periode.mulai, periode.selesai)
    assert ev.snap_opd_id == world.pegawai.opd_id and ev.snapshot_pegawai["nip"] == world.pegawai.nip
    again = _common.pastikan_evaluasi(world.pegawai, periode)
    assert [e.pk for e in again] == [ev.pk] and Evaluasi.objects.count() == 1


def test_no_approved_skp_means_no_evaluation(world):
    pegawai_skp(world, "DIAJUKAN")
    assert _common.pastikan_evaluasi(world.pegawai, periode_bulan_ini()) == []


def test_submit_requires_complete_realisation(world, siap):
    _skp, _periode, ev = siap
    with pytest.raises(PenilaianError, match="belum memiliki rencana aksi"):
        alur.kirim_realisasi(ev, by=world.pegawai)
    ra = isi_lengkap(ev, world.pegawai)
    ra.bukti_set.all().delete()
    with pytest.raises(PenilaianError, match="bukti dukung"):
        alur.kirim_realisasi(ev, by=world.pegawai)
    assert Evaluasi.objects.get(pk=ev.pk).status == "DRAFT"


def test_full_cycle_with_return_rating_and_audit(world, siap):
    _skp, _periode, ev = siap
    isi_lengkap(ev, world.pegawai)
    alur.kirim_realisasi(ev, by=world.pegawai, versi=ev.versi)
    with pytest.raises(PenilaianError, match="sudah dikirim"):
        alur.kirim_realisasi(ev, by=world.pegawai)
    with pytest.raises(PenilaianError, match="catatan"):
        alur.kembalikan_realisasi(ev, by=world.penilai, catatan="  ")
    alur.kembalikan_realisasi(ev, by=world.penilai, catatan="Lampirkan daftar hadir")
    assert Evaluasi.objects.get(pk=ev.pk).status == "DIKEMBALIKAN"
    with pytest.raises(PenilaianError, match="dikembalikan"):
        alur.simpan_penilaian(ev, by=world.penilai, rating_hasil="SESUAI", rating_perilaku="SESUAI")
    alur.kirim_realisasi(ev, by=world.pegawai)
    rhk = ev.skp.rhk_set.get()
    alur.simpan_penilaian(
        ev, by=world.penilai, rating_hasil="DI_ATAS", rating_perilaku="DI_ATAS",
        umpan_balik_rhk={rhk.pk: "Rekap tepat waktu"}, umpan_balik_perilaku={"BERORIENTASI_PELAYANAN": "Ramah"},
    )  # fmt: skip
    ev.refresh_from_db()
    assert ev.status == "DINILAI" and ev.predikat == Predikat.SANGAT_BAIK
    assert ev.dinilai_oleh_id == world.penilai.pk
    assert ev.snapshot_penilai["nip"] == world.penilai.nip and ev.snapshot_atasan_penilai["nip"] == world.kepala.nip
    assert ev.umpan_balik_set.count() == 2
    aksi = list(AuditLog.objects.for_object(ev).order_by("pk").values_list("aksi", flat=True))
    assert aksi == ["realisasi_dikirim", "realisasi_dikembalikan", "realisasi_dikirim", "evaluasi_dinilai"]


def test_only_the_current_penilai_rates_never_the_pegawai_or_an_admin(world, siap):
    _skp, _periode, ev = siap
    isi_lengkap(ev, world.pegawai)
    alur.kirim_realisasi(ev, by=world.pegawai)
    for orang in (world.pegawai, world.kepala, world.admin_opd, world.admin_bkd, world.pegawai2):
        with pytest.raises(PenilaianError, match="Hanya pejabat penilai"):
            alur.simpan_penilaian(ev, by=orang, rating_hasil="SESUAI", rating_perilaku="SESUAI")
    with pytest.raises(PenilaianError, match="Hanya pegawai"):
        alur.kirim_realisasi(ev, by=world.pegawai2)
    assert Evaluasi.objects.get(pk=ev.pk).status == "DIKIRIM"


def test_stale_versi_is_refused(world, siap):
    _skp, _periode, ev = siap
    isi_lengkap(ev, world.pegawai)
    alur.kirim_realisasi(ev, by=world.pegawai)
    versi_tab_1 = Evaluasi.objects.get(pk=ev.pk).versi
    alur.simpan_penilaian(ev, by=world.penilai, rating_hasil="SESUAI", rating_perilaku="SESUAI", versi=versi_tab_1)
    with pytest.raises(_common.KonflikVersi):
        alur.simpan_penilaian(
            Evaluasi.objects.get(pk=ev.pk), by=world.penilai, rating_hasil="DI_BAWAH", rating_perilaku="SESUAI",
            versi=versi_tab_1,
        )  # fmt: skip
    assert Evaluasi.objects.get(pk=ev.pk).predikat == Predikat.BAIK


def test_locked_period_refuses_everything_until_unlocked_and_relocks_on_rating(world, siap):
    _skp, periode, ev = siap
    isi_lengkap(ev, world.pegawai)
    Periode.objects.filter(pk=periode.pk).update(
        batas_realisasi=TODAY - datetime.timedelta(days=3), batas_penilaian=TODAY - datetime.timedelta(days=1)
    )
    ev = Evaluasi.objects.select_related("periode").get(pk=ev.pk)
    with pytest.raises(PenilaianError, match="sudah dikunci"):
        alur.kirim_realisasi(ev, by=world.pegawai)
    BukaKunci.objects.create(periode=ev.periode, pegawai=world.pegawai, alasan="Sakit", dibuka_oleh=world.admin_opd)
    alur.kirim_realisasi(ev, by=world.pegawai)
    alur.simpan_penilaian(ev, by=world.penilai, rating_hasil="SESUAI", rating_perilaku="SESUAI")
    assert BukaKunci.objects.get().ditutup_pada is not None
    assert _common.is_terkunci_untuk(ev.periode, world.pegawai.pk)
    assert AuditLog.objects.filter(aksi="periode_dikunci_kembali").exists()


def test_snapshot_survives_a_later_transfer(world, siap):
    _skp, _periode, ev = siap
    isi_lengkap(ev, world.pegawai)
    alur.kirim_realisasi(ev, by=world.pegawai)
    alur.simpan_penilaian(ev, by=world.penilai, rating_hasil="SESUAI", rating_perilaku="SESUAI")
    golongan = world.pegawai.golongan
    Pegawai.objects.filter(pk=world.pegawai.pk).update(opd=world.other_opd, golongan="IV/e")
    ev.refresh_from_db()
    assert ev.snap_opd_id == world.opd.pk and ev.snap_golongan == golongan != "IV/e"


def test_visibility_follows_spec_9(world, siap):
    _skp, _periode, ev = siap
    visible = {
        name: _common.evaluasi_visible_to(getattr(world, name)).filter(pk=ev.pk).exists()
        for name in ("pegawai", "penilai", "kepala", "admin_opd", "admin_bkd", "auditor", "pegawai2", "outsider")
    }
    assert visible == {
        "pegawai": True, "penilai": True, "kepala": True, "admin_opd": True, "admin_bkd": True,
        "auditor": True, "pegawai2": False, "outsider": False,
    }  # fmt: skip


def test_kurva_with_a_pending_rating(world, siap):
    _skp, periode, ev = siap
    isi_lengkap(ev, world.pegawai)
    alur.kirim_realisasi(ev, by=world.pegawai)
    alur.simpan_penilaian(ev, by=world.penilai, rating_hasil="SESUAI", rating_perilaku="SESUAI")
    KinerjaOrganisasi.objects.create(periode=periode, opd=world.opd, capaian="BAIK", dicatat_oleh=world.admin_bkd)
    kurva = _common.kurva_opd(periode, world.opd)
    assert kurva.jumlah == {Predikat.BAIK: 1} and kurva.n == 1
    assert any("Butuh Perbaikan + Kurang 0 dari 1" in p for p in kurva.pelanggaran)
    # As the penilai would see it while choosing Butuh Perbaikan for the same pegawai:
    pratinjau = _common.kurva_opd(periode, world.opd, ganti=(ev.pk, Predikat.BUTUH_PERBAIKAN))
    assert pratinjau.jumlah == {Predikat.BUTUH_PERBAIKAN: 1} and pratinjau.pelanggaran == []
    assert [b["jumlah"] for b in pratinjau.baris] == [0, 0, 1, 0, 0]
    assert len(_common.kurva_semua_opd(periode, [world.opd, world.other_opd])) == 2


def test_revision_moves_open_month_to_the_new_version(world, siap):
    skp, _periode, ev = siap
    ra = isi_lengkap(ev, world.pegawai)
    revisi = skp_services.start_revision(skp, by=world.pegawai)
    skp_services.submit_skp(revisi, by=world.pegawai)
    skp_services.approve_skp(revisi, by=world.penilai)
    ev.refresh_from_db()
    ra.refresh_from_db()
    assert ev.skp_id == revisi.pk
    assert ra.rhk.skp_id == revisi.pk and ra.iki.rhk_id == ra.rhk_id
