"""Builders for the penilai's tests (tests/test_penilaian_penilai.py, tests/test_access_penilaian_
penilai.py, tests/test_browser_penilaian_penilai.py): a period, an approved SKP, a month with
rencana aksi, realisasi and bukti, submitted through the services, and a large team.

Self-contained: the other helpers of issue #7 keep their own fixture files."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from opd.models import Jabatan, JenisJabatan, Pegawai
from penilaian.models import BuktiDukung, Evaluasi, Periode, RencanaAksi
from penilaian.services import alur
from penilaian.services._common import pastikan_evaluasi
from skp.models import IndikatorKinerja, PerilakuKerja, RencanaHasilKerja, Skp
from skp.rules import BERAKHLAK
from tests.conftest import make_nip, make_pegawai
from tests.test_skp_pages import pegawai_skp, penilai_skp


def buka_periode(
    tahun: int | None = None, bulan: int | None = None, *, terkunci: bool = False, by: Pegawai | None = None
) -> Periode:
    """A month with the SPEC §5 default deadlines (5th and 10th of the next month); `terkunci`:
    its evaluation deadline has passed (yesterday)."""
    today = timezone.localdate()
    tahun = tahun or today.year
    bulan = bulan or today.month
    nxt = datetime.date(tahun + (bulan == 12), bulan % 12 + 1, 1)
    batas_realisasi, batas_penilaian = nxt.replace(day=5), nxt.replace(day=10)
    if terkunci:
        batas_penilaian = today - datetime.timedelta(days=1)
        batas_realisasi = min(batas_realisasi, batas_penilaian)
    return Periode.objects.create(
        tahun=tahun, bulan=bulan, batas_realisasi=batas_realisasi, batas_penilaian=batas_penilaian, dibuka_oleh=by
    )


def skp_tim(world) -> dict[int, Skp]:
    """Approved SKPs for world.pegawai and world.pegawai2 (one RHK utama each, linked to the
    penilai's), built through the SKP services."""
    _, atasan = penilai_skp(world)
    return {
        p.pk: pegawai_skp(world, "DISETUJUI", pegawai=p, atasan_rhk=atasan) for p in (world.pegawai, world.pegawai2)
    }


def isi_bulan(ev: Evaluasi, *, target: Decimal | None = Decimal(4), realisasi: Decimal | None = Decimal(4)) -> Evaluasi:
    """One rencana aksi per RHK of the SKP with realisasi and an https link as bukti (what the
    pegawai's pages write)."""
    for rhk in RencanaHasilKerja.objects.filter(skp=ev.skp).prefetch_related("iki_set"):
        iki = rhk.iki_set.all()[0]
        ra = RencanaAksi.objects.create(
            evaluasi=ev, rhk=rhk, iki=iki, uraian=f"Menyusun {rhk.uraian[:40].lower()}", target=target,
            satuan="dokumen" if target is not None else "", realisasi=realisasi if target is not None else None,
            realisasi_uraian="Laporan selesai dan diunggah ke SIMPUS.",
        )  # fmt: skip
        BuktiDukung.objects.create(
            rencana_aksi=ra, jenis=BuktiDukung.Jenis.TAUTAN, tautan="https://drive.example.go.id/laporan",
            keterangan="Folder laporan", diunggah_oleh=ev.pegawai,
        )  # fmt: skip
    return ev


def evaluasi_bulan(pegawai: Pegawai, periode: Periode, *, kirim: bool = True, **isi) -> Evaluasi:
    """The pegawai's month, filled and (by default) submitted through alur.kirim_realisasi."""
    ev = next(e for e in pastikan_evaluasi(pegawai, periode) if e.hasil_bulan)
    isi_bulan(ev, **isi)
    if kirim:
        alur.kirim_realisasi(ev, by=pegawai, versi=ev.versi)
    ev.refresh_from_db()
    return ev


def tim_besar(world, n: int, *, periode: Periode | None = None, awal: int = 0) -> list[Pegawai]:
    """`n` more bawahan of world.penilai (a Kepala Puskesmas's team), each with an approved SKP
    (one RHK, one IKI, the seven BerAKHLAK rows) and, when `periode` is given, a month in every
    status: belum (no row), sedang diisi, dikirim, dikembalikan, dinilai. Built with the ORM
    directly (the services are tested elsewhere; 40 SKPs through them would be slow)."""
    jabatan = Jabatan.objects.create(
        nama="Perawat Terampil", jenis=JenisJabatan.FUNGSIONAL, kelas_jabatan=7, opd=world.opd, unit=world.unit,
        atasan=world.penilai.jabatan,
    )  # fmt: skip
    today = timezone.localdate()
    result = []
    statuses = ["belum", "diisi", Evaluasi.Status.DIKIRIM, Evaluasi.Status.DIKEMBALIKAN, Evaluasi.Status.DINILAI]
    for i in range(awal, awal + n):
        p = make_pegawai(f"Perawat {i:02d}", jabatan, nip=make_nip(lahir="19900101", tmt="201501", serial=300 + i))
        skp = Skp.objects.create(
            pegawai=p, jabatan=jabatan, tahun=today.year, mulai=datetime.date(today.year, 1, 1),
            selesai=datetime.date(today.year, 12, 31), status=Skp.Status.DISETUJUI, penilai=world.penilai,
        )  # fmt: skip
        rhk = RencanaHasilKerja.objects.create(skp=skp, uraian="Terlaksananya asuhan keperawatan")
        IndikatorKinerja.objects.create(
            rhk=rhk, uraian="Jumlah pasien yang dilayani", aspek="KUANTITAS", target_min=100, satuan="pasien"
        )
        p.skp_tim = skp
        PerilakuKerja.objects.bulk_create(
            PerilakuKerja(skp=skp, nilai=kode, urutan=j) for j, kode in enumerate(BERAKHLAK)
        )
        result.append(p)
        if periode is None:
            continue
        status = statuses[i % len(statuses)]
        if status == "belum":
            continue
        ev = Evaluasi.objects.create(
            periode=periode, pegawai=p, skp=skp, mulai=periode.mulai, selesai=periode.selesai, snap_opd=world.opd,
            status=Evaluasi.Status.DRAFT if status == "diisi" else status,
            dikirim_pada=None if status == "diisi" else timezone.now(),
            **({"rating_hasil": "SESUAI", "rating_perilaku": "SESUAI", "predikat": "BAIK"}
               if status == Evaluasi.Status.DINILAI else {}),
        )  # fmt: skip
        isi_bulan(ev, target=Decimal(100), realisasi=Decimal(90 + i % 20))
    return result
