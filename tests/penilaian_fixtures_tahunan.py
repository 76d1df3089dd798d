"""Builders for the annual evaluation, the print and the SKP hook tests (helper "tahunan").

The SKP chain is the named world's: kepala (JPT, no links) ← penilai ← pegawai, pegawai2; every
SKP goes through the real services (create, RHK, submit, approve). Monthly rencana aksi and a
month's rating are written as rows: their own pages and services belong to other areas and are
tested there; here they are the data the annual evaluation and the print read.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from opd.models import Pegawai
from penilaian import rules
from penilaian.models import Evaluasi, Periode, RencanaAksi
from penilaian.services._common import pastikan_evaluasi, potret
from skp import services
from skp.models import IndikatorKinerja, RencanaHasilKerja, Skp
from skp.services import IkiData, LinkData

TAHUN_LALU = 2025  # the annual evaluation's year in tests: today (≥ 2026) is after its December

IKI_LAPORAN = IkiData(
    uraian="Jumlah laporan data pelayanan yang tersusun", aspek="KUANTITAS", target_min=Decimal(12), satuan="Dokumen"
)
IKI_WAKTU = IkiData(
    uraian="Waktu penyampaian laporan", aspek="WAKTU", target_min=Decimal(12), satuan="bulan"
)  # fmt: skip
IKI_RENTANG = IkiData(
    uraian="Persentase data yang tervalidasi", aspek="KUALITAS", target_min=Decimal(80), target_max=Decimal(90),
    satuan="%",
)  # fmt: skip


def fresh(skp: Skp) -> Skp:
    return Skp.objects.get(pk=skp.pk)


def add_rhk(skp: Skp, by: Pegawai, uraian: str, *, iki: list[IkiData], links=(), jenis="UTAMA") -> RencanaHasilKerja:
    skp = fresh(skp)
    return services.save_rhk(
        skp, by=by, versi=skp.versi, rhk=None, jenis=jenis, uraian=uraian, iki=list(iki),
        links=[LinkData(r.pk, "LANGSUNG") for r in links],
    )  # fmt: skip


def approved_skp(pegawai: Pegawai, penilai: Pegawai, specs: list[tuple], *, tahun: int, **kw) -> Skp:
    """specs: (uraian, [IkiData …], [rhk atasan …])."""
    skp = services.create_skp(pegawai, by=pegawai, tahun=tahun, pendekatan=kw.pop("pendekatan", "KUANTITATIF"), **kw)
    for uraian, iki, links in specs:
        add_rhk(skp, pegawai, uraian, iki=iki, links=links)
    services.submit_skp(fresh(skp), by=pegawai)
    services.approve_skp(fresh(skp), by=penilai)
    return fresh(skp)


@dataclass
class Rantai:
    """Approved SKP of kepala, penilai and pegawai for one year."""

    tahun: int
    kepala_skp: Skp
    penilai_skp: Skp
    skp: Skp

    def iki(self, skp: Skp | None = None) -> list[IndikatorKinerja]:
        return list(
            IndikatorKinerja.objects.filter(rhk__skp=skp or self.skp).order_by("rhk__jenis", "rhk__urutan", "urutan")
        )

    def rhk(self, skp: Skp | None = None) -> list[RencanaHasilKerja]:
        return list(RencanaHasilKerja.objects.filter(skp=skp or self.skp).order_by("jenis", "urutan", "pk"))


def rantai(world, tahun: int, *, pegawai: Pegawai | None = None, iki=(IKI_LAPORAN, IKI_WAKTU)) -> Rantai:
    kepala_skp = approved_skp(
        world.kepala, world.sekda, [("Meningkatnya derajat kesehatan masyarakat", [IKI_LAPORAN], [])], tahun=tahun
    )
    k1 = RencanaHasilKerja.objects.get(skp=kepala_skp)
    penilai_skp = approved_skp(
        world.penilai, world.kepala, [("Meningkatnya mutu pelayanan kesehatan", [IKI_LAPORAN], [k1])], tahun=tahun
    )
    p1 = RencanaHasilKerja.objects.get(skp=penilai_skp)
    skp = approved_skp(
        pegawai or world.pegawai, world.penilai,
        [("Tersusunnya laporan data pelayanan kesehatan", list(iki), [p1])], tahun=tahun,
    )  # fmt: skip
    return Rantai(tahun=tahun, kepala_skp=kepala_skp, penilai_skp=penilai_skp, skp=skp)


def buka_periode(tahun: int, bulan: int, *, terkunci: bool = False) -> Periode:
    """A period whose deadlines are still ahead (or both past with `terkunci`)."""
    today = timezone.localdate()
    if terkunci:
        realisasi, penilaian = today - datetime.timedelta(days=10), today - datetime.timedelta(days=5)
    else:
        realisasi, penilaian = today + datetime.timedelta(days=20), today + datetime.timedelta(days=30)
    return Periode.objects.create(tahun=tahun, bulan=bulan, batas_realisasi=realisasi, batas_penilaian=penilaian)


def bulan_dengan_aksi(
    pegawai: Pegawai, periode: Periode, aksi: list[tuple[IndikatorKinerja, Decimal | None, str]]
) -> Evaluasi:
    """The month's result evaluation with one rencana aksi per (iki, realisasi, satuan)."""
    ev = next(e for e in pastikan_evaluasi(pegawai, periode) if e.hasil_bulan)
    for i, (iki, realisasi, satuan) in enumerate(aksi):
        RencanaAksi.objects.create(
            evaluasi=ev, rhk_id=iki.rhk_id, iki=iki, urutan=i, uraian=f"Menyusun laporan {periode.nama} ({i + 1})",
            target=Decimal(1), satuan=satuan, realisasi=realisasi, realisasi_uraian="Laporan selesai disusun.",
        )  # fmt: skip
    return ev


def nilai_langsung(ev: Evaluasi, penilai: Pegawai, hasil: str = "SESUAI", perilaku: str = "DI_ATAS") -> Evaluasi:
    """A rated month as rows: the snapshot and the rating as the shared workflow writes them."""
    fields = potret(ev, penilai=penilai)
    ev.status = Evaluasi.Status.DINILAI
    ev.rating_hasil, ev.rating_perilaku = hasil, perilaku
    ev.predikat = rules.predikat(hasil, perilaku).value
    ev.dinilai_oleh, ev.dinilai_pada = penilai, timezone.now()
    ev.save(update_fields=[*fields, "status", "rating_hasil", "rating_perilaku", "predikat", "dinilai_oleh",
                           "dinilai_pada"])  # fmt: skip
    return ev
