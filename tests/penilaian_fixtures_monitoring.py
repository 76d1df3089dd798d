"""Builders for the completion-monitoring tests: one pegawai in each state of the month in the
world's Dinas Kesehatan, written as rows (an SKP of a status, an evaluation of a status, an
attendance row): monitoring reads exactly those columns.

Dinas Kesehatan of the world after `keadaan(world, per)` (the Kepala's SKP rated by the Sekda):

    kepala      SKP diajukan, not approved           → SKP_DIAJUKAN        (penilai: Sekda)
    penilai     SKP approved, month not opened       → BELUM_DIKIRIM       (pegawai)
    pegawai     realisation submitted                 → MENUNGGU_PENILAIAN  (penilai: Rina)
    pegawai2    rated                                 → SELESAI
    admin_opd   no SKP                                → TANPA_SKP           (pegawai)
    "Staf Draf"      evaluation DRAFT                 → BELUM_DIKIRIM
    "Staf Kembali"   evaluation DIKEMBALIKAN          → DIKEMBALIKAN
    "Staf Belajar"   Tugas Belajar, no evaluation     → not counted
    "Staf Pindah"    today in Dinas Perhubungan, rated this month in Dinas Kesehatan → SELESAI here
    "Bu Plt (non)"   NON_ASN                           → not counted

Attendance rows: pegawai, pegawai2, penilai, "Staf Pindah".
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable

from django.utils import timezone

from opd.models import Jabatan, JenisJabatan, Opd, Pegawai
from penilaian.models import Evaluasi, ImporPresensi, Periode, Presensi
from skp.models import Skp
from tests.conftest import make_nip, make_pegawai

_serial = itertools.count(500)


def periode(tahun: int, bulan: int, *, realisasi: int, penilaian: int) -> Periode:
    """A month whose deadlines lie `realisasi` / `penilaian` days from today (negative: past)."""
    today = timezone.localdate()
    return Periode.objects.create(
        tahun=tahun,
        bulan=bulan,
        batas_realisasi=today + datetime.timedelta(days=realisasi),
        batas_penilaian=today + datetime.timedelta(days=penilaian),
    )


def bulan_ini(*, realisasi: int = 3, penilaian: int = 8) -> Periode:
    today = timezone.localdate()
    return periode(today.year, today.month, realisasi=realisasi, penilaian=penilaian)


def skp(pegawai: Pegawai, per: Periode, status: str = Skp.Status.DISETUJUI) -> Skp:
    return Skp.objects.create(
        pegawai=pegawai, jabatan=pegawai.jabatan, tahun=per.tahun, mulai=datetime.date(per.tahun, 1, 1),
        selesai=datetime.date(per.tahun, 12, 31), status=status,
    )  # fmt: skip


def evaluasi(pegawai: Pegawai, per: Periode, status: str, *, opd: Opd | None = None) -> Evaluasi:
    s = Skp.objects.filter(pegawai=pegawai, tahun=per.tahun, status="DISETUJUI").first() or skp(pegawai, per)
    extra = {"rating_hasil": "SESUAI", "rating_perilaku": "SESUAI", "predikat": "BAIK"} if status == "DINILAI" else {}
    return Evaluasi.objects.create(
        periode=per, pegawai=pegawai, skp=s, mulai=per.mulai, selesai=per.selesai, hasil_bulan=True, status=status,
        snap_opd=opd or pegawai.opd, **extra,
    )  # fmt: skip


def presensi(per: Periode, pegawai: Iterable[Pegawai]) -> None:
    impor = ImporPresensi.objects.filter(periode=per).first() or ImporPresensi.objects.create(
        periode=per, nama_berkas="presensi.csv", sha256="0" * 64, jumlah_baris=0
    )
    Presensi.objects.bulk_create(Presensi(periode=per, pegawai=p, impor=impor, hari_kerja=21) for p in pegawai)


def staf(opd: Opd, nama: str, *, atasan: Jabatan | None = None, **extra) -> Pegawai:
    jabatan = Jabatan.objects.create(
        nama=f"Pelaksana {next(_serial)}", jenis=JenisJabatan.PELAKSANA, kelas_jabatan=6, opd=opd, atasan=atasan
    )
    n = next(_serial)
    extra.setdefault("nip", make_nip(lahir="19910101", tmt=f"20{10 + n % 15:02d}01", serial=n % 999 + 1))
    return make_pegawai(nama, jabatan, **extra)


def keadaan(world, per: Periode) -> dict[str, Pegawai]:
    """The states listed in the module docstring; returns the extra pegawai by short name."""
    skp(world.kepala, per, Skp.Status.DIAJUKAN)
    skp(world.penilai, per)
    evaluasi(world.pegawai, per, "DIKIRIM")
    evaluasi(world.pegawai2, per, "DINILAI")
    kabid = world.penilai.jabatan
    draf = staf(world.opd, "Staf Draf", atasan=kabid)
    kembali = staf(world.opd, "Staf Kembali", atasan=kabid)
    belajar = staf(world.opd, "Staf Belajar", atasan=kabid, kedudukan_hukum="TUGAS_BELAJAR")
    pindah = staf(world.other_opd, "Staf Pindah")
    non = staf(world.opd, "Bu Plt (non)", atasan=kabid, jenis_asn="NON_ASN")
    evaluasi(draf, per, "DRAFT")
    evaluasi(kembali, per, "DIKEMBALIKAN")
    evaluasi(pindah, per, "DINILAI", opd=world.opd)
    presensi(per, [world.pegawai, world.pegawai2, world.penilai, pindah])
    return {"draf": draf, "kembali": kembali, "belajar": belajar, "pindah": pindah, "non": non}
