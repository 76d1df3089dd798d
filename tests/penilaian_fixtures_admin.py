"""Builders for the periods, unlock and kurva tests (tests/test_penilaian_periode.py,
tests/test_penilaian_kurva.py, tests/test_access_penilaian_admin.py).

Rated evaluations for the curves are written as rows (an approved SKP and a DINILAI evaluation
with its ratings and predikat, the snapshot OPD set): the curve reads exactly those columns, and
building hundreds of them through the whole submit/rate flow would only slow the query-count
tests down. The lock tests go through the real services (`alur.kirim_realisasi`,
`alur.simpan_penilaian`) on an SKP approved through the SKP services.
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from opd.models import Jabatan, JenisJabatan, Opd, Pegawai
from penilaian.models import BuktiDukung, Evaluasi, KinerjaOrganisasi, Periode, RencanaAksi
from penilaian.rules import Predikat, Rating
from penilaian.services._common import pastikan_evaluasi
from skp.models import RencanaHasilKerja, Skp
from tests.conftest import make_nip, make_pegawai

# One pair of ratings per predikat (PermenPANRB 6/2022 matrix, SPEC §5).
RATING_UNTUK = {
    Predikat.SANGAT_BAIK: (Rating.DI_ATAS, Rating.DI_ATAS),
    Predikat.BAIK: (Rating.SESUAI, Rating.SESUAI),
    Predikat.BUTUH_PERBAIKAN: (Rating.DI_BAWAH, Rating.SESUAI),
    Predikat.KURANG: (Rating.SESUAI, Rating.DI_BAWAH),
    Predikat.SANGAT_KURANG: (Rating.DI_BAWAH, Rating.DI_BAWAH),
}

_serial = itertools.count(1)


def periode(tahun: int, bulan: int, *, batas_realisasi: datetime.date, batas_penilaian: datetime.date) -> Periode:
    return Periode.objects.create(
        tahun=tahun, bulan=bulan, batas_realisasi=batas_realisasi, batas_penilaian=batas_penilaian
    )


def periode_terkunci(today: datetime.date | None = None) -> Periode:
    """This month, with both deadlines yesterday: locked, and the pegawai's SKP of this year is
    in force during it whatever today's date is."""
    today = today or timezone.localdate()
    kemarin = today - datetime.timedelta(days=1)
    return periode(today.year, today.month, batas_realisasi=kemarin, batas_penilaian=kemarin)


def periode_berjalan(today: datetime.date | None = None) -> Periode:
    """This month, deadlines ahead: open."""
    today = today or timezone.localdate()
    nanti = today + datetime.timedelta(days=10)
    return periode(today.year, today.month, batas_realisasi=nanti, batas_penilaian=nanti)


def skp_disetujui(pegawai: Pegawai, tahun: int) -> Skp:
    return Skp.objects.create(
        pegawai=pegawai,
        jabatan=pegawai.jabatan,
        tahun=tahun,
        mulai=datetime.date(tahun, 1, 1),
        selesai=datetime.date(tahun, 12, 31),
        status=Skp.Status.DISETUJUI,
    )


def evaluasi_dinilai(pegawai: Pegawai, per: Periode, predikat: Predikat, *, opd: Opd | None = None) -> Evaluasi:
    """A rated month of `pegawai` counted in `opd`'s curve (default: the pegawai's OPD)."""
    skp = Skp.objects.filter(pegawai=pegawai, tahun=per.tahun).first() or skp_disetujui(pegawai, per.tahun)
    hasil, perilaku = RATING_UNTUK[predikat]
    return Evaluasi.objects.create(
        periode=per, pegawai=pegawai, skp=skp, mulai=per.mulai, selesai=per.selesai, hasil_bulan=True,
        status=Evaluasi.Status.DINILAI, rating_hasil=hasil, rating_perilaku=perilaku, predikat=predikat,
        snap_opd=opd or pegawai.opd, dinilai_pada=timezone.now(),
    )  # fmt: skip


def staf_opd(opd: Opd, jumlah: int) -> list[Pegawai]:
    """`jumlah` new pelaksana of `opd` (one shared position)."""
    jabatan = Jabatan.objects.create(
        nama=f"Pelaksana {opd.kode} {next(_serial)}", jenis=JenisJabatan.PELAKSANA, kelas_jabatan=6, opd=opd
    )
    staf = []
    for i in range(jumlah):
        n = next(_serial)
        nip = make_nip(lahir="19900101", tmt=f"20{10 + n % 15:02d}01", serial=n % 999 + 1)
        staf.append(make_pegawai(f"Staf {opd.kode} {i + 1}", jabatan, nip=nip))
    return staf


def isi_kurva(opd: Opd, per: Periode, jumlah: dict[Predikat, int]) -> list[Evaluasi]:
    """Rated pegawai of `opd` in `per`: `jumlah[predikat]` of each."""
    staf = staf_opd(opd, sum(jumlah.values()))
    rows = []
    for p, orang in zip([p for p, n in jumlah.items() for _ in range(n)], staf, strict=True):
        rows.append(evaluasi_dinilai(orang, per, p))
    return rows


def capaian(opd: Opd, per: Periode, nilai: str, by: Pegawai) -> KinerjaOrganisasi:
    return KinerjaOrganisasi.objects.create(periode=per, opd=opd, capaian=nilai, dicatat_oleh=by)


def realisasi_lengkap(world, per: Periode) -> Evaluasi:
    """world.pegawai's evaluation of `per`, ready to submit: an approved SKP (through the SKP
    services), a rencana aksi per RHK utama with realisasi, narrative and an https link."""
    from tests.test_skp_pages import pegawai_skp

    pegawai_skp(world, "DISETUJUI")
    (ev,) = pastikan_evaluasi(world.pegawai, per)
    for rhk in RencanaHasilKerja.objects.filter(skp=ev.skp).prefetch_related("iki_set"):
        iki = rhk.iki_set.all()[0]
        ra = RencanaAksi.objects.create(
            evaluasi=ev, rhk=rhk, iki=iki, uraian="Menyusun laporan bulanan", target=Decimal(1), satuan="dokumen",
            realisasi=Decimal(1), realisasi_uraian="Laporan selesai dan dikirim",
        )  # fmt: skip
        BuktiDukung.objects.create(
            rencana_aksi=ra, jenis=BuktiDukung.Jenis.TAUTAN, tautan="https://drive.example.go.id/laporan",
            diunggah_oleh=world.pegawai,
        )  # fmt: skip
    ev.refresh_from_db()
    return ev
