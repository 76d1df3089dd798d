"""The annual evaluation (SPEC §5): after December the pegawai records the annual realisation per
IKI of the SKP in force at year end (prefilled from the months), submits it with the shared
"Kirim" (alur.kirim_realisasi), and the penilai rates it like a month (alur.simpan_penilaian).

When the annual evaluation opens (decision): the admin BKD must have opened the annual period
(Periode with bulan 0, carrying its two deadlines) AND today must be 1 January of the next year
or later. Both: the December realisation is part of the annual sum, so opening the period early
(to announce its deadlines) does not let anyone record a year that has not ended; and without
the period there are no deadlines, hence no lock. The pegawai's page says which is missing.

The prefill: per IKI, the sum of the monthly `RencanaAksi.realisasi` of that year's monthly
evaluations of the pegawai tied to that IKI or to one it was copied from in a revision (the
`asal` chain: rated months keep the old version's IKI), counting only rencana aksi whose satuan
equals the IKI's satuan (case and surrounding spaces ignored). Months of any status count: the
figure is the pegawai's own record and only a suggestion they can change before saving.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from ekinerja.angka import format_angka
from opd import audit
from opd.models import Pegawai
from penilaian import rules
from penilaian.models import NAMA_BULAN, TAHUNAN, Evaluasi, Periode, RealisasiTahunan, RencanaAksi
from penilaian.rules import Predikat
from penilaian.services import alur
from penilaian.services._common import PenilaianError, cek_tidak_terkunci, kunci_evaluasi
from skp.models import IndikatorKinerja, RencanaHasilKerja

BATAS_REALISASI = Decimal("99999999999999.99")  # RealisasiTahunan.realisasi: 16 digits, 2 places


# When it opens -----------------------------------------------------------------------------------


def periode_tahunan(tahun: int) -> Periode | None:
    return Periode.objects.filter(tahun=tahun, bulan=TAHUNAN).first()


def tanggal_dibuka(tahun: int) -> datetime.date:
    return datetime.date(tahun + 1, 1, 1)


def alasan_belum_dibuka(tahun: int, periode: Periode | None, today: datetime.date | None = None) -> str:
    """Why the annual evaluation of `tahun` cannot be filled yet, or "" when it is open."""
    today = today or timezone.localdate()
    if today < tanggal_dibuka(tahun):
        return (
            f"Evaluasi tahunan {tahun} baru dapat diisi mulai 1 Januari {tahun + 1}, setelah realisasi "
            f"bulan Desember {tahun} tercatat."
        )
    if periode is None:
        return f"Periode evaluasi tahunan {tahun} belum dibuka oleh admin BKD."
    return ""


def cek_dibuka(periode: Periode) -> None:
    if not periode.is_tahunan:
        raise PenilaianError("Evaluasi ini bukan evaluasi tahunan.")
    alasan = alasan_belum_dibuka(periode.tahun, periode)
    if alasan:
        raise PenilaianError(alasan)


# Reading: the IKI rows with their prefill, the twelve monthly predikat ----------------------------


def _satuan(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def _rantai_asal(pegawai_id: int, tahun: int) -> dict[int, int | None]:
    """iki id → asal id for every IKI of the pegawai's SKP of the year (one query)."""
    return dict(
        IndikatorKinerja.objects.filter(rhk__skp__pegawai_id=pegawai_id, rhk__skp__tahun=tahun).values_list(
            "pk", "asal_id"
        )
    )


def saran_realisasi(ev: Evaluasi, iki_list: list[IndikatorKinerja]) -> dict[int, tuple[Decimal | None, int]]:
    """Per IKI id: (sum of the matching monthly realisasi or None, number of rencana aksi summed).
    Two queries whatever the number of months."""
    tahun = ev.periode.tahun
    asal = _rantai_asal(ev.pegawai_id, tahun)
    # Each IKI of the year-end SKP and every IKI it was copied from within the year.
    pemilik: dict[int, int] = {}
    for iki in iki_list:
        seen: set[int] = set()
        current: int | None = iki.pk
        while current is not None and current not in seen:
            seen.add(current)
            pemilik.setdefault(current, iki.pk)
            current = asal.get(current)
    satuan = {iki.pk: _satuan(iki.satuan) for iki in iki_list}
    hasil: dict[int, tuple[Decimal | None, int]] = {iki.pk: (None, 0) for iki in iki_list}
    rows = RencanaAksi.objects.filter(
        evaluasi__pegawai_id=ev.pegawai_id,
        evaluasi__periode__tahun=tahun,
        evaluasi__periode__bulan__gte=1,
        iki_id__in=list(pemilik),
        realisasi__isnull=False,
    ).values_list("iki_id", "satuan", "realisasi")
    for iki_id, ra_satuan, realisasi in rows:
        target = pemilik[iki_id]
        if _satuan(ra_satuan) != satuan[target]:
            continue
        jumlah, n = hasil[target]
        hasil[target] = ((jumlah or Decimal(0)) + realisasi, n + 1)
    return hasil


@dataclass
class BarisIki:
    """One IKI of the annual evaluation: the saved realisation, else the prefill, and the
    capaian guide (PermenPANRB 8/2021) against the IKI's target."""

    nomor: str
    rhk: RencanaHasilKerja
    iki: IndikatorKinerja
    realisasi: Decimal | None
    uraian: str
    tersimpan: bool
    saran: Decimal | None
    saran_jumlah: int
    capaian: Decimal | None = None
    nilai: Decimal | None = None

    @property
    def is_kualitatif(self) -> bool:
        return self.iki.target_min is None

    @property
    def lebih_kecil_lebih_baik(self) -> bool:
        return self.iki.aspek in {IndikatorKinerja.Aspek.WAKTU, IndikatorKinerja.Aspek.BIAYA}

    @property
    def realisasi_tampil(self) -> str:
        if self.realisasi is None:
            return ""
        return f"{format_angka(self.realisasi)} {self.iki.satuan}".strip()

    @property
    def saran_tampil(self) -> str:
        if self.saran is None:
            return ""
        return f"{format_angka(self.saran)} {self.iki.satuan}".strip()

    @property
    def capaian_tampil(self) -> str:
        return persen_dua_desimal(self.capaian)

    @property
    def nilai_tampil(self) -> str:
        return dua_desimal(self.nilai)


def dua_desimal(value: Decimal | None) -> str:
    """12,50 (two decimals, Indonesian comma); "" for None."""
    if value is None:
        return ""
    return (
        f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}".replace(",", "_")
        .replace(".", ",")
        .replace("_", ".")
    )


def persen_dua_desimal(value: Decimal | None) -> str:
    return f"{dua_desimal(value)} %" if value is not None else ""


def baris_tahunan(ev: Evaluasi, *, dengan_saran: bool = True) -> list[BarisIki]:
    """The annual evaluation's rows, one per IKI of its SKP, in the SKP's order (3–5 queries)."""
    rhk_list = list(
        RencanaHasilKerja.objects.filter(skp_id=ev.skp_id).order_by("jenis", "urutan", "pk").prefetch_related("iki_set")
    )
    iki_list = [iki for rhk in rhk_list for iki in rhk.iki_set.all()]
    tersimpan = {r.iki_id: r for r in RealisasiTahunan.objects.filter(evaluasi=ev)}
    saran = saran_realisasi(ev, iki_list) if dengan_saran else {}
    rows = []
    for i, rhk in enumerate(rhk_list, 1):
        for j, iki in enumerate(rhk.iki_set.all(), 1):
            simpanan = tersimpan.get(iki.pk)
            jumlah, n = saran.get(iki.pk, (None, 0))
            row = BarisIki(
                nomor=f"{i}.{j}",
                rhk=rhk,
                iki=iki,
                realisasi=simpanan.realisasi if simpanan else (jumlah if iki.target_min is not None else None),
                uraian=simpanan.uraian if simpanan else "",
                tersimpan=simpanan is not None,
                saran=jumlah,
                saran_jumlah=n,
            )
            if not row.is_kualitatif and row.realisasi is not None and simpanan is not None:
                try:
                    row.capaian = rules.capaian(
                        row.realisasi, iki.target_min, iki.target_max, lebih_kecil_lebih_baik=row.lebih_kecil_lebih_baik
                    )
                    row.nilai = rules.nilai_capaian(row.capaian)
                except ValueError:
                    row.capaian = row.nilai = None
            rows.append(row)
    return rows


def rata_rata_nilai(rows: list[BarisIki]) -> Decimal | None:
    nilai = [r.nilai for r in rows if r.nilai is not None]
    if not nilai:
        return None
    return (sum(nilai) / len(nilai)).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class PredikatBulan:
    bulan: int
    nama: str
    status: str
    status_label: str
    predikat: str
    predikat_label: str


def predikat_bulanan(pegawai_id: int, tahun: int) -> list[PredikatBulan]:
    """The twelve monthly results of the pegawai's year (one query): the predikat where rated."""
    found = {
        bulan: (status, predikat)
        for bulan, status, predikat in Evaluasi.objects.filter(
            pegawai_id=pegawai_id, periode__tahun=tahun, periode__bulan__gte=1, hasil_bulan=True
        ).values_list("periode__bulan", "status", "predikat")
    }
    result = []
    for bulan in range(1, 13):
        status, predikat = found.get(bulan, ("", ""))
        result.append(
            PredikatBulan(
                bulan=bulan,
                nama=NAMA_BULAN[bulan - 1],
                status=status,
                status_label=Evaluasi.Status(status).label if status else "Tidak ada evaluasi",
                predikat=predikat if status == Evaluasi.Status.DINILAI else "",
                predikat_label=Predikat(predikat).label if status == Evaluasi.Status.DINILAI and predikat else "",
            )
        )
    return result


# Writing -----------------------------------------------------------------------------------------


@transaction.atomic
def simpan_realisasi_tahunan(
    ev: Evaluasi,
    *,
    by: Pegawai,
    isian: Mapping[int, tuple[Decimal | None, str]],
    versi: int | None = None,
) -> Evaluasi:
    """The pegawai saves the annual realisation: per IKI id a number (kuantitatif IKI; None
    leaves it empty) and a narrative (required to submit for a kualitatif IKI). Only the owner,
    only while DRAFT or DIKEMBALIKAN, not in a locked period, with the page's `versi`."""
    if by.pk != ev.pegawai_id:
        raise PenilaianError("Hanya pegawai yang bersangkutan yang dapat mengisi realisasi tahunannya.")
    kunci_evaluasi(ev, versi)
    cek_dibuka(ev.periode)
    if not ev.is_editable_state:
        raise PenilaianError(alur._sudah(ev) + " Realisasi tahunan tidak dapat diubah.")
    cek_tidak_terkunci(ev.periode, ev.pegawai_id)
    iki = {i.pk: i for i in IndikatorKinerja.objects.filter(rhk__skp_id=ev.skp_id)}
    lama = {r.iki_id: r for r in RealisasiTahunan.objects.filter(evaluasi=ev)}
    baru, ubah, perubahan = [], [], {}
    for iki_id, (realisasi, uraian) in isian.items():
        row = iki.get(int(iki_id))
        if row is None:
            raise PenilaianError("Realisasi untuk IKI yang bukan bagian SKP ini.")
        if row.target_min is None:
            realisasi = None
        elif realisasi is not None and (not realisasi.is_finite() or not 0 <= realisasi <= BATAS_REALISASI):
            raise PenilaianError(f"Realisasi IKI \u201c{row.uraian[:60]}\u201d harus angka 0 atau lebih.")
        uraian = (uraian or "").strip()[:4000]
        prev = lama.get(row.pk)
        if prev is None:
            baru.append(RealisasiTahunan(evaluasi=ev, iki=row, realisasi=realisasi, uraian=uraian))
            perubahan[f"IKI {row.uraian[:40]}"] = (None, _tampil(realisasi, uraian))
        elif (prev.realisasi, prev.uraian) != (realisasi, uraian):
            perubahan[f"IKI {row.uraian[:40]}"] = (_tampil(prev.realisasi, prev.uraian), _tampil(realisasi, uraian))
            prev.realisasi, prev.uraian = realisasi, uraian
            ubah.append(prev)
    RealisasiTahunan.objects.bulk_create(baru)
    RealisasiTahunan.objects.bulk_update(ubah, ["realisasi", "uraian"])
    ev.versi += 1
    ev.save(update_fields=["versi", "diubah_pada"])
    audit.record(ev, "realisasi_tahunan_disimpan", by=by, perubahan=perubahan)
    return ev


def _tampil(realisasi: Decimal | None, uraian: str) -> str:
    teks = format_angka(realisasi) if realisasi is not None else ""
    if uraian:
        teks = f"{teks} — {uraian[:80]}" if teks else uraian[:80]
    return teks or "-"


@transaction.atomic
def kirim_realisasi_tahunan(ev: Evaluasi, *, by: Pegawai, versi: int | None = None) -> Evaluasi:
    """ "Kirim" of the annual evaluation: the shared workflow (it checks owner, state, lock and
    that every IKI has its realisation), after the annual period's own precondition."""
    cek_dibuka(ev.periode)
    return alur.kirim_realisasi(ev, by=by, versi=versi)
