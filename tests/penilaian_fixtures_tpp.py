"""Builders for the month's TPP tests (tests/test_tpp_bulan.py, tests/test_access_tpp_bulan.py,
tests/test_browser_tpp_bulan.py): a scheme with besaran per kelas, attendance rows, hukdis, and
evaluations in every state written as rows (the TPP reads exactly those columns: status,
predikat and the snapshot).

`bulan_tpp(world)` arranges this month (locked: the evaluation deadline was yesterday) so that
every rule and flag of SPEC §7 shows once:

    pegawai   Baik, 1 late arrival 31–60 min, hukdis sedang  → the SPEC worked example (kelas 6)
    pegawai2  submitted, not rated (penilai's turn), no attendance, moved to DISHUB today
    admin_opd realisation not submitted (pegawai's turn)
    penilai   returned to the pegawai (pegawai's turn)
    kepala    Sangat Baik but Tugas Belajar on the snapshot → excluded, 0
    kelas9    a new pegawai of kelas 9 (no besaran in the scheme), no evaluation
    others    no evaluation (today's data), flagged
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from opd.models import Jabatan, JenisJabatan, Opd, Pegawai
from penilaian.models import (
    BesaranTpp,
    Evaluasi,
    HukumanDisiplin,
    ImporPresensi,
    Periode,
    Presensi,
    SkemaTpp,
)
from skp.models import Skp
from tests.conftest import make_nip, make_pegawai
from tests.penilaian_fixtures_admin import periode, periode_terkunci

# SPEC §7 worked example: besaran 3,333,333 (kelas 6 here).
BESARAN = {6: 3_333_333, 7: 3_600_000, 11: 6_000_000, 14: 12_000_000, 15: 15_000_000}


def skema(tahun: int, by: Pegawai, *, berlaku_mulai: int = 1, besaran: dict[int, int] | None = None, **kw) -> SkemaTpp:
    s = SkemaTpp.objects.create(tahun=tahun, berlaku_mulai=berlaku_mulai, dibuat_oleh=by, **kw)
    BesaranTpp.objects.bulk_create(
        BesaranTpp(skema=s, kelas_jabatan=k, besaran=v) for k, v in (besaran or BESARAN).items()
    )
    return s


def presensi(per: Periode, pegawai: Pegawai, *, by: Pegawai | None = None, **counts) -> Presensi:
    impor = ImporPresensi.objects.filter(periode=per).first() or ImporPresensi.objects.create(
        periode=per, nama_berkas="presensi.xlsx", sha256="0" * 64, jumlah_baris=1, diimpor_oleh=by
    )
    counts.setdefault("hari_kerja", 21)
    return Presensi.objects.create(periode=per, pegawai=pegawai, impor=impor, **counts)


def hukdis(pegawai: Pegawai, per: Periode, by: Pegawai, *, nomor: str = "800/12/406.012/2026", **kw) -> HukumanDisiplin:
    awal = datetime.date(per.tahun, per.bulan, 1)
    return HukumanDisiplin.objects.create(
        pegawai=pegawai, jenis=kw.pop("jenis", HukumanDisiplin.Jenis.SEDANG), bulan_mulai=kw.pop("mulai", awal),
        bulan_selesai=kw.pop("selesai", awal), nomor_sk=nomor, tanggal_sk=awal - datetime.timedelta(days=3),
        dicatat_oleh=by, **kw,
    )  # fmt: skip


def evaluasi(
    pegawai: Pegawai, per: Periode, status: str, *, predikat: str = "", opd: Opd | None = None,
    kelas: int | None = None, kedudukan: str = "AKTIF", penilai: str = "",
) -> Evaluasi:  # fmt: skip
    """The month's result evaluation of `pegawai` in `status`, with its snapshot."""
    skp = Skp.objects.filter(pegawai=pegawai, tahun=per.tahun).first() or Skp.objects.create(
        pegawai=pegawai, jabatan=pegawai.jabatan, tahun=per.tahun, mulai=datetime.date(per.tahun, 1, 1),
        selesai=datetime.date(per.tahun, 12, 31), status=Skp.Status.DISETUJUI,
    )  # fmt: skip
    rated = status == Evaluasi.Status.DINILAI
    return Evaluasi.objects.create(
        periode=per, pegawai=pegawai, skp=skp, mulai=per.mulai, selesai=per.selesai, hasil_bulan=True, status=status,
        rating_hasil="SESUAI" if rated else "", rating_perilaku="SESUAI" if rated else "",
        predikat=predikat if rated else "", snap_opd=opd or pegawai.opd,
        snap_kelas_jabatan=kelas if kelas is not None else (pegawai.jabatan.kelas_jabatan if pegawai.jabatan else None),
        snap_golongan=pegawai.golongan, snap_kedudukan_hukum=kedudukan,
        snapshot_pegawai={"nama": pegawai.nama_lengkap, "nip": pegawai.nip,
                          "jabatan": pegawai.jabatan.nama if pegawai.jabatan else ""},
        snapshot_penilai={"nama": penilai} if penilai else {},
        dikirim_pada=timezone.now() if status != Evaluasi.Status.DRAFT else None,
        dinilai_pada=timezone.now() if rated else None,
    )  # fmt: skip


@dataclass
class BulanTpp:
    per: Periode
    skema: SkemaTpp
    kelas9: Pegawai
    ev: dict[str, Evaluasi]
    hukdis: HukumanDisiplin


def bulan_tpp(world, per: Periode | None = None) -> BulanTpp:
    per = per or periode_terkunci()
    s = skema(per.tahun, world.admin_bkd)
    j9 = Jabatan.objects.create(
        nama="Pranata Komputer Ahli Pertama", jenis=JenisJabatan.FUNGSIONAL, kelas_jabatan=9, opd=world.opd
    )
    kelas9 = make_pegawai("Fajar Nugroho", j9, nip=make_nip(lahir="19950505", tmt="202001", serial=909))
    ev = {
        "pegawai": evaluasi(world.pegawai, per, "DINILAI", predikat="BAIK"),
        "pegawai2": evaluasi(world.pegawai2, per, "DIKIRIM", penilai="Rina Puspitasari, S.KM."),
        "admin_opd": evaluasi(world.admin_opd, per, "DRAFT"),
        "penilai": evaluasi(world.penilai, per, "DIKEMBALIKAN"),
        "kepala": evaluasi(world.kepala, per, "DINILAI", predikat="SANGAT_BAIK", kedudukan="TUGAS_BELAJAR"),
    }
    # pegawai2 moved to Dinas Perhubungan after the month: the month's row stays with Dinkes.
    Pegawai.objects.filter(pk=world.pegawai2.pk).update(opd=world.other_opd)
    for p in (world.pegawai, world.admin_opd, world.penilai, world.kepala, kelas9, world.sekda, world.admin_bkd,
              world.auditor, world.outsider):  # fmt: skip
        presensi(per, p, tl2=1 if p == world.pegawai else 0)
    h = hukdis(world.pegawai, per, world.admin_bkd)
    return BulanTpp(per=per, skema=s, kelas9=kelas9, ev=ev, hukdis=h)


def bulan_berikut(per: Periode) -> Periode:
    tahun, bulan = per.tahun + (per.bulan == 12), per.bulan % 12 + 1
    nanti = timezone.localdate() + datetime.timedelta(days=40)
    return Periode.objects.filter(tahun=tahun, bulan=bulan).first() or periode(
        tahun, bulan, batas_realisasi=nanti, batas_penilaian=nanti
    )
