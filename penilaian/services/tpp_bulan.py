"""The month's TPP basis (SPEC §7): every ASN's row computed with `rules.hitung_tpp` for an open
month, or read from the frozen `TppBaris` rows of a final month (never recomputed); the per-pegawai
breakdown; finalising (the freeze); and adjustments (`PenyesuaianTpp`) when something changes that
would alter a final month.

Who is in a month: every ASN pegawai (not NON_ASN, not a pejabat negara). Those with the month's
result evaluation (`hasil_bulan`) are counted by its snapshot (OPD, kelas jabatan, golongan,
kedudukan hukum, name and jabatan as of the month's last day); those without one by today's data,
flagged. Pegawai no longer in service (pensiun, diberhentikan, meninggal) without an evaluation
of the month, and pegawai without an OPD, are not in it.

Everything is read in a fixed number of queries (the scheme, its besaran, the evaluations, the
pegawai without one, attendance, hukdis, adjustments, OPDs) and computed in one pass in Python,
so a regency of 7,000 pegawai costs the same number of queries as a fixture of five.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.db import DEFAULT_DB_ALIAS, router, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.fields.json import KT
from django.utils import timezone

from ekinerja import jejak, sidik
from opd import audit
from opd.models import Jabatan, JenisJabatan, Opd, Pegawai
from penilaian import models as penilaian_models
from penilaian import rules
from penilaian.models import (
    NAMA_BULAN,
    BesaranTpp,
    Evaluasi,
    HukumanDisiplin,
    PenyesuaianTpp,
    Periode,
    Presensi,
    SkemaTpp,
    TppBaris,
    TppBulan,
)
from penilaian.rules import Predikat
from penilaian.services import tpp_hukdis
from penilaian.services._common import PenilaianError
from penilaian.services.tpp_hukdis import hukdis_sedang
from penilaian.services.tpp_skema import skema_berlaku
from penilaian.tpp import BarisTpp, DataTppBulan, OpdTpp, PenyesuaianBaris

St = Evaluasi.Status
KH = Pegawai.KedudukanHukum

# Without an evaluation of the month these are no longer in service: not in the month at all.
_KELUAR = {KH.PENSIUN, KH.DIBERHENTIKAN, KH.MENINGGAL}
_LABEL_KEDUDUKAN = dict(KH.choices)
_LABEL_PREDIKAT = dict(Predikat.choices)

BELUM_EVALUASI = "Belum ada evaluasi/SKP bulan ini (giliran pegawai)"
BELUM_PRESENSI = "Presensi belum diimpor"


class TppError(PenilaianError):
    """A rule of the TPP month is broken; the message is shown to the user as-is (a
    PenilaianError, so a refusal inside the monthly cycle's services reaches its pages)."""


# Small helpers -------------------------------------------------------------------------------------
# The scheme in force comes from tpp_skema and the hukdis that count from tpp_hukdis; attendance is
# read here for a subset of pegawai, keyed by the SPEC §8 names `rules.hitung_tpp` takes.


def _hukdis(periode: Periode, pegawai_ids: Iterable[int] | None = None) -> dict[int, list[str]]:
    """Pegawai under a hukuman disiplin sedang covering the month → the SK numbers (PP 94/2021)."""
    qs = hukdis_sedang(periode)
    if pegawai_ids is not None:
        qs = qs.filter(pegawai_id__in=list(pegawai_ids))
    result: dict[int, list[str]] = {}
    for pegawai_id, nomor, tanggal in qs.order_by("bulan_mulai", "pk").values_list(
        "pegawai_id", "nomor_sk", "tanggal_sk"
    ):
        result.setdefault(pegawai_id, []).append(f"{nomor} tanggal {tanggal:%d-%m-%Y}")
    return result


# The Presensi columns read, and the SPEC §8 names they go by (HARI KERJA carries no deduction).
_PRESENSI_KOLOM = ("hari_kerja", "tanpa_keterangan", "tl1", "tl2", "tl3", "tl4", "psw1", "psw2", "psw3", "psw4")
_PRESENSI_NAMA = ("HARI KERJA", "TANPA KETERANGAN", "TL1", "TL2", "TL3", "TL4", "PSW1", "PSW2", "PSW3", "PSW4")


def _presensi_dari(nilai: tuple) -> dict[str, int]:
    return dict(zip(_PRESENSI_NAMA, nilai, strict=True))


def _presensi(periode: Periode, pegawai_ids: Iterable[int] | None = None) -> dict[int, dict[str, int]]:
    """The month's attendance per pegawai: the SPEC §8 columns plus HARI KERJA."""
    qs = Presensi.objects.filter(periode=periode)
    if pegawai_ids is not None:
        qs = qs.filter(pegawai_id__in=list(pegawai_ids))
    return {row[0]: _presensi_dari(row[1:]) for row in qs.values_list("pegawai_id", *_PRESENSI_KOLOM)}


def nama_skema(skema: SkemaTpp | None) -> str:
    if skema is None:
        return ""
    return f"Skema TPP {skema.tahun} mulai {NAMA_BULAN[skema.berlaku_mulai - 1]}"


def pesan_tanpa_skema(periode: Periode) -> str:
    return (
        f"Belum ada skema TPP yang berlaku pada 1 {NAMA_BULAN[periode.bulan - 1]} {periode.tahun}: "
        f"admin BKD perlu membuat skema TPP tahun {periode.tahun} terlebih dahulu."
    )


def _nama_lengkap(gelar_depan: str, nama: str, gelar_belakang: str) -> str:
    name = " ".join(p for p in (gelar_depan.strip(), nama.strip()) if p)
    return f"{name}, {gelar_belakang.strip()}" if gelar_belakang.strip() else name


# One row, computed ----------------------------------------------------------------------------------


@dataclass
class _Orang:
    """What a row is computed from: the evaluation's snapshot, or today's data without one."""

    pegawai_id: int
    opd_id: int
    nip: str
    nama: str
    golongan: str
    jabatan: str
    kelas: int | None
    kedudukan: str
    evaluasi_id: int | None = None
    status: str = ""  # Evaluasi.Status, "" without an evaluation
    predikat: str = ""
    penilai: str = ""


@dataclass
class Hitungan:
    """One pegawai's row of an open month as computed now, with everything the breakdown explains."""

    orang: _Orang
    rincian: rules.RincianTpp
    keterangan: str
    belum_final: tuple[str, ...]
    predikat_dipakai: bool = False
    # What `detail` is built from, kept so that the list pages (7,000 rows) never build it.
    konteks: tuple = ()

    @cached_property
    def detail(self) -> dict:
        """JSON-able explanation: stored with the frozen row, shown on the breakdown page."""
        o, rincian = self.orang, self.rincian
        nama, aturan, label_kedudukan, aktif, presensi, hukdis_sk = self.konteks
        return {
            "skema": nama,
            "status_evaluasi": o.status,
            "penilai": o.penilai,
            "kedudukan_hukum": label_kedudukan,
            "aktif": aktif,
            "kelas_jabatan": o.kelas,
            "predikat_dipakai": self.predikat_dipakai,
            "predikat": _LABEL_PREDIKAT.get(o.predikat, "") if o.predikat else "",
            "bobot_kinerja": str(aturan.bobot_kinerja),
            "bobot_disiplin": str(aturan.bobot_disiplin),
            "potongan_hukdis_persen": str(aturan.potongan_hukdis),
            "presensi": presensi,
            "potongan": [
                {
                    "kolom": p.kolom,
                    "keterangan": p.keterangan,
                    "jumlah": p.jumlah,
                    "persen_per_kejadian": str(p.persen_per_kejadian),
                    "persen": str(p.persen),
                }
                for p in rincian.potongan
            ],
            "hukdis_sk": hukdis_sk,
            "belum_final": list(self.belum_final),
        }

    def baris(self) -> BarisTpp:
        o, r = self.orang, self.rincian
        return BarisTpp(
            pegawai_id=o.pegawai_id, nip=o.nip, nama=o.nama, golongan=o.golongan, jabatan=o.jabatan,
            kelas_jabatan=o.kelas, besaran=r.besaran, predikat=_LABEL_PREDIKAT.get(o.predikat, "") if
            self.predikat_dipakai else "", persen_kinerja=r.persen_kinerja, kinerja=r.kinerja,
            potongan_disiplin=r.potongan_disiplin, disiplin=r.disiplin, hukdis=r.hukdis, jumlah=r.jumlah,
            keterangan=self.keterangan, catatan_belum_final=self.belum_final,
        )  # fmt: skip

    def tpp_baris(self, tpp_bulan: TppBulan) -> TppBaris:
        o, r = self.orang, self.rincian
        return TppBaris(
            tpp_bulan=tpp_bulan, pegawai_id=o.pegawai_id, opd_id=o.opd_id, evaluasi_id=o.evaluasi_id, nip=o.nip,
            nama=o.nama[:255], golongan=o.golongan[:10], jabatan=o.jabatan[:255], kelas_jabatan=o.kelas,
            kedudukan_hukum=o.kedudukan, besaran=r.besaran,
            predikat=o.predikat if self.predikat_dipakai else "", persen_kinerja=r.persen_kinerja,
            kinerja=r.kinerja, potongan_disiplin=r.potongan_disiplin, disiplin=r.disiplin, hukdis=r.hukdis,
            jumlah=r.jumlah, keterangan=self.keterangan, rincian=self.detail,
        )  # fmt: skip


def _giliran(o: _Orang) -> str:
    """Why the kinerja component is 0 and whose turn it is (SPEC §7: not submitted / not rated)."""
    if o.evaluasi_id is None:
        return BELUM_EVALUASI
    if o.status == St.DRAFT:
        return "Realisasi belum dikirim (giliran pegawai)"
    if o.status == St.DIKEMBALIKAN:
        return "Realisasi dikembalikan untuk diperbaiki (giliran pegawai)"
    if o.status == St.DIKIRIM:
        return f"Belum dinilai (giliran penilai: {o.penilai})" if o.penilai else "Belum dinilai (giliran penilai)"
    return ""


def _hitung(
    o: _Orang,
    skema: SkemaTpp,
    aturan: rules.SkemaTpp,
    besaran: dict[int, int],
    presensi: dict[str, int] | None,
    hukdis_sk: list[str],
    memo: dict | None = None,
    *,
    tanpa_tpp: frozenset[str] | None = None,
    nama: str | None = None,
) -> Hitungan:
    """One row. `tanpa_tpp` and `nama` (the scheme's excluded kedudukan and name) may be passed
    precomputed by a caller looping over a whole month."""
    belum: list[str] = []
    keterangan: list[str] = []
    if tanpa_tpp is None:
        tanpa_tpp = frozenset(skema.kedudukan_tanpa_tpp or ())
    if nama is None:
        nama = nama_skema(skema)
    aktif = o.kedudukan not in tanpa_tpp
    label_kedudukan = _LABEL_KEDUDUKAN.get(o.kedudukan, o.kedudukan)
    if not aktif:
        keterangan.append(f"Kedudukan hukum {label_kedudukan}: tidak menerima TPP")
    if o.kelas is None:
        nilai_besaran = 0
        masalah_besaran = "Kelas jabatan belum diisi: besaran TPP 0"
    elif o.kelas not in besaran:
        nilai_besaran = 0
        masalah_besaran = f"Besaran TPP kelas jabatan {o.kelas} belum diatur pada {nama}"
    else:
        nilai_besaran, masalah_besaran = besaran[o.kelas], ""
    if masalah_besaran and aktif:
        belum.append(masalah_besaran)
    dinilai = o.status == St.DINILAI and bool(o.predikat)
    giliran = _giliran(o)
    if giliran and aktif:
        belum.append(giliran)
    if presensi is None and aktif:
        belum.append(BELUM_PRESENSI)
    # Many pegawai share the same inputs (kelas, predikat, no deductions): one call of the rule
    # per distinct input within a month (RincianTpp is immutable).
    angka = tuple(presensi.get(k, 0) for k in rules.KOLOM_PRESENSI) if presensi else ()
    kunci = (nilai_besaran, o.predikat if dinilai else None, angka, bool(hukdis_sk), aktif)
    rincian = memo.get(kunci) if memo is not None else None
    if rincian is None:
        hitungan = dict(zip(rules.KOLOM_PRESENSI, angka, strict=True)) if angka else {}
        rincian = rules.hitung_tpp(nilai_besaran, kunci[1], hitungan, hukdis=bool(hukdis_sk), aktif=aktif, skema=aturan)
        if memo is not None:
            memo[kunci] = rincian
    if aktif and hukdis_sk:
        keterangan.append("Hukuman disiplin sedang, SK " + "; ".join(hukdis_sk))
    if aktif and not dinilai and giliran:
        keterangan.insert(0, f"Kinerja 0: {giliran}")
    if aktif and masalah_besaran:
        keterangan.insert(0, masalah_besaran)
    return Hitungan(
        o, rincian, "; ".join(keterangan), tuple(belum), predikat_dipakai=dinilai,
        konteks=(nama, aturan, label_kedudukan, aktif, presensi, hukdis_sk),
    )  # fmt: skip


def _evaluasi_bulan(periode: Periode, opd_ids: list[int] | None) -> QuerySet[Evaluasi]:
    """The month's result evaluations counted (not NON_ASN), of the OPDs `opd_ids` (by the
    snapshot's OPD, today's without one) or of every OPD."""
    evs = Evaluasi.objects.filter(periode=periode, hasil_bulan=True).exclude(
        pegawai__jenis_asn=Pegawai.JenisAsn.NON_ASN
    )
    if opd_ids is not None:
        evs = evs.filter(Q(snap_opd__in=opd_ids) | Q(snap_opd__isnull=True, pegawai__opd__in=opd_ids))
    return evs


def _tanpa_evaluasi(periode: Periode, opd_ids: list[int] | None) -> QuerySet[Pegawai]:
    """The ASN in the month without a result evaluation (counted by today's data)."""
    tanpa = (
        Pegawai.objects.asn()
        .filter(opd__isnull=False)
        .exclude(kedudukan_hukum__in=_KELUAR)
        .exclude(jabatan__jenis=JenisJabatan.PEJABAT_NEGARA)
        .exclude(Exists(Evaluasi.objects.filter(periode=periode, hasil_bulan=True, pegawai_id=OuterRef("pk"))))
    )
    return tanpa.filter(opd__in=opd_ids) if opd_ids is not None else tanpa


def _orang_bulan(periode: Periode, *, opd: Opd | None = None, pegawai_ids: Iterable[int] | None = None) -> list[_Orang]:
    """Who is in the month (two queries): the result evaluations' snapshots, then the ASN without
    one by today's data."""
    ids = list(pegawai_ids) if pegawai_ids is not None else None
    opd_ids = [opd.pk] if opd is not None else None
    evs, tanpa = _evaluasi_bulan(periode, opd_ids), _tanpa_evaluasi(periode, opd_ids)
    if ids is not None:
        evs, tanpa = evs.filter(pegawai_id__in=ids), tanpa.filter(pk__in=ids)
    result = []
    # Only the snapshot keys printed (JSON key lookups in SQL: no whole documents decoded).
    evs = evs.annotate(
        s_nip=KT("snapshot_pegawai__nip"), s_nama=KT("snapshot_pegawai__nama"),
        s_jabatan=KT("snapshot_pegawai__jabatan"), s_penilai=KT("snapshot_penilai__nama"),
    )  # fmt: skip
    for row in evs.values_list(
        "pk", "pegawai_id", "snap_opd_id", "pegawai__nip", "s_nip", "s_nama", "s_jabatan", "snap_golongan", "snap_kelas_jabatan", "snap_kedudukan_hukum", "status",
        "predikat", "s_penilai", "pegawai__kedudukan_hukum", "pegawai__opd_id",
    ):  # fmt: skip
        pk, pid, opd_id, nip, snip, nama, jabatan, gol, kelas, kedudukan, status, predikat, penilai, kkini, okini = row
        opd_id = opd_id or okini
        if opd_id is None:
            continue
        result.append(
            _Orang(
                pegawai_id=pid,
                opd_id=opd_id,
                nip=snip or nip,
                nama=nama or "",
                golongan=gol,
                jabatan=jabatan or "",
                kelas=kelas,
                kedudukan=kedudukan or kkini,
                evaluasi_id=pk,
                status=status,
                predikat=predikat,
                penilai=penilai or "",
            )
        )
    for row in tanpa.values_list(
        "pk", "opd_id", "nip", "gelar_depan", "nama", "gelar_belakang", "golongan", "jabatan__nama",
        "jabatan__kelas_jabatan", "kedudukan_hukum",
    ):  # fmt: skip
        pid, opd_id, nip, depan, nama, belakang, gol, jabatan, kelas, kedudukan = row
        result.append(
            _Orang(
                pegawai_id=pid,
                opd_id=opd_id,
                nip=nip,
                nama=_nama_lengkap(depan, nama, belakang),
                golongan=gol,
                jabatan=jabatan or "",
                kelas=kelas,
                kedudukan=kedudukan,
            )
        )
    return result


def hitung_bulan(
    periode: Periode,
    skema: SkemaTpp,
    *,
    opd: Opd | None = None,
    pegawai_ids: Iterable[int] | None = None,
    cari_penilai: bool = False,
) -> list[Hitungan]:
    """Every row of the month as it would be computed now with `skema` (five queries).
    `cari_penilai`: name the current penilai of a submitted month whose snapshot has none (a
    few queries per such row: for one pegawai's breakdown, never for the lists)."""
    ids = list(pegawai_ids) if pegawai_ids is not None else None
    orang = _orang_bulan(periode, opd=opd, pegawai_ids=ids)
    if cari_penilai:
        for o in orang:
            if o.status == St.DIKIRIM and not o.penilai:
                penilai = Pegawai.objects.get(pk=o.pegawai_id).penilai()
                o.penilai = penilai.nama_lengkap if penilai is not None else ""
    # With an OPD or a list, read only those pegawai's attendance and hukdis.
    subset = ids if ids is not None else ([o.pegawai_id for o in orang] if opd is not None else None)
    presensi = _presensi(periode, subset)
    hukdis = _hukdis(periode, subset)
    besaran = dict(BesaranTpp.objects.filter(skema=skema).values_list("kelas_jabatan", "besaran"))
    aturan = skema.aturan()
    memo: dict = {}
    tanpa_tpp, nama = frozenset(skema.kedudukan_tanpa_tpp or ()), nama_skema(skema)
    return [
        _hitung(o, skema, aturan, besaran, presensi.get(o.pegawai_id), hukdis.get(o.pegawai_id, []), memo,
                tanpa_tpp=tanpa_tpp, nama=nama)
        for o in orang
    ]  # fmt: skip


def _urut(b) -> tuple:
    kelas = b.kelas_jabatan
    return (kelas is None, -(kelas or 0), b.nip)


# The month's data (pages and export) ---------------------------------------------------------------


def tpp_bulan_of(periode: Periode) -> TppBulan | None:
    return TppBulan.objects.select_related("skema", "difinalkan_oleh").filter(periode=periode).first()


def _penyesuaian(tpp: TppBulan | None, opd_ids: list[int] | None) -> dict[int, list[PenyesuaianBaris]]:
    """The adjustments recorded in this month per OPD (of `opd_ids`, or every OPD)."""
    if tpp is None:
        return {}
    qs = PenyesuaianTpp.objects.filter(dicatat_di=tpp).select_related("asal__periode", "pegawai")
    if opd_ids is not None:
        qs = qs.filter(opd_id__in=opd_ids)
    result: dict[int, list[PenyesuaianBaris]] = {}
    for p in qs.order_by("pegawai__nip", "asal__periode__tahun", "asal__periode__bulan"):
        result.setdefault(p.opd_id, []).append(
            PenyesuaianBaris(
                pegawai_id=p.pegawai_id,
                nip=p.pegawai.nip,
                nama=p.pegawai.nama_lengkap,
                periode_asal=p.asal.periode.nama,
                lama=p.lama,
                baru=p.baru,
                alasan=p.alasan,
            )
        )
    return result


def _baris_beku(b: TppBaris) -> BarisTpp:
    rincian = b.rincian or {}
    return BarisTpp(
        pegawai_id=b.pegawai_id, nip=b.nip, nama=b.nama, golongan=b.golongan, jabatan=b.jabatan,
        kelas_jabatan=b.kelas_jabatan, besaran=b.besaran, predikat=b.get_predikat_display() if b.predikat else "",
        persen_kinerja=b.persen_kinerja, kinerja=b.kinerja, potongan_disiplin=b.potongan_disiplin,
        disiplin=b.disiplin, hukdis=b.hukdis, jumlah=b.jumlah, keterangan=b.keterangan,
        catatan_belum_final=tuple(rincian.get("belum_final", ())),
    )  # fmt: skip


def data_bulan(periode: Periode, *, opd: Opd | None = None) -> DataTppBulan:
    """The month's TPP for the pages and the export: every OPD (or one), each with its rows
    (highest kelas first) and the adjustments recorded in this month. A final month: its frozen
    rows; an open month: computed now with the scheme in force on its first day (TppError when
    there is none)."""
    if periode.bulan < 1:
        raise TppError("TPP dihitung per bulan, bukan untuk periode tahunan.")
    tpp = tpp_bulan_of(periode)
    per_opd: dict[int, list[BarisTpp]] = {}
    if tpp is not None and tpp.is_final:
        skema = tpp.skema
        qs = TppBaris.objects.filter(tpp_bulan=tpp)
        if opd is not None:
            qs = qs.filter(opd=opd)
        for b in qs.order_by():
            per_opd.setdefault(b.opd_id, []).append(_baris_beku(b))
    else:
        skema = skema_berlaku(periode.tahun, periode.bulan)
        if skema is None:
            raise TppError(pesan_tanpa_skema(periode))
        for h in hitung_bulan(periode, skema, opd=opd):
            per_opd.setdefault(h.orang.opd_id, []).append(h.baris())
    penyesuaian = _penyesuaian(tpp, [opd.pk] if opd is not None else None)
    opd_ids = set(per_opd) | set(penyesuaian)
    opds = [opd] if opd is not None else list(Opd.objects.filter(pk__in=opd_ids).order_by("-pilot", "urutan", "nama"))
    return DataTppBulan(
        tahun=periode.tahun,
        bulan=periode.bulan,
        nama_periode=periode.nama,
        final=bool(tpp and tpp.is_final),
        difinalkan_pada=tpp.difinalkan_pada if tpp and tpp.is_final else None,
        skema=nama_skema(skema),
        opd=tuple(
            OpdTpp(
                kode=o.kode,
                nama=o.nama,
                baris=tuple(sorted(per_opd.get(o.pk, ()), key=_urut)),
                penyesuaian=tuple(penyesuaian.get(o.pk, ())),
            )
            for o in opds
        ),
    )


# One pegawai's breakdown ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RincianPegawai:
    """A pegawai's month explained in words and numbers (the breakdown page)."""

    periode: Periode
    final: bool
    opd_id: int
    baris: BarisTpp
    kedudukan_hukum: str
    aktif: bool
    skema: str
    status_evaluasi: str  # the label, "" without an evaluation
    penilai: str
    bobot_kinerja: Decimal
    bobot_disiplin: Decimal
    potongan_hukdis_persen: Decimal
    presensi: dict | None
    potongan: tuple[dict, ...]
    hukdis_sk: tuple[str, ...]
    langkah: tuple[tuple[str, str], ...]  # (what, how much) lines that explain the amount
    penyesuaian: tuple[PenyesuaianBaris, ...] = ()

    @property
    def hari_kerja(self) -> int | None:
        return (self.presensi or {}).get("HARI KERJA")


def _rp(n: int) -> str:
    return "Rp " + f"{n:,}".replace(",", ".")


def _pct(value: Decimal | str) -> str:
    d = Decimal(str(value)).normalize()
    text = f"{d:f}".replace(".", ",")
    return f"{text} %"


def _langkah(b: BarisTpp, d: dict) -> tuple[tuple[str, str], ...]:
    if not d.get("aktif", True):
        return ((f"Kedudukan hukum {d.get('kedudukan_hukum', '')}", "tidak menerima TPP: Rp 0"),)
    kelas = b.kelas_jabatan
    lines = [
        (f"Besaran TPP kelas jabatan {kelas}" if kelas else "Besaran TPP (kelas jabatan belum diisi)", _rp(b.besaran)),
    ]
    bk, bd = d.get("bobot_kinerja", "60"), d.get("bobot_disiplin", "40")
    if d.get("predikat_dipakai"):
        kata = f"predikat {d.get('predikat')} dibayar {_pct(b.persen_kinerja)}"
    else:
        kata = "belum ada predikat: dibayar 0 %"
    lines.append((f"Produktivitas kerja: {_pct(bk)} × besaran, {kata}", _rp(b.kinerja)))
    lines.append(
        (f"Disiplin kerja: {_pct(bd)} × besaran, dikurangi potongan {_pct(b.potongan_disiplin)}", _rp(b.disiplin))
    )
    if b.hukdis:
        lines.append(
            (f"Hukuman disiplin sedang: {_pct(d.get('potongan_hukdis_persen', '25'))} × (kinerja + disiplin)",
             "− " + _rp(b.hukdis))
        )  # fmt: skip
    lines.append(("Jumlah TPP", _rp(b.jumlah)))
    return tuple(lines)


def rincian_pegawai(periode: Periode, pegawai: Pegawai) -> RincianPegawai | None:
    """The pegawai's row of the month explained; None when the pegawai is not in the month.
    From the frozen row when the month is final. TppError when an open month has no scheme."""
    tpp = tpp_bulan_of(periode)
    if tpp is not None and tpp.is_final:
        frozen = TppBaris.objects.filter(tpp_bulan=tpp, pegawai=pegawai).first()
        if frozen is None:
            return None
        b, d, opd_id = _baris_beku(frozen), dict(frozen.rincian or {}), frozen.opd_id
        skema = d.get("skema") or nama_skema(tpp.skema)
    else:
        skema_obj = skema_berlaku(periode.tahun, periode.bulan)
        if skema_obj is None:
            raise TppError(pesan_tanpa_skema(periode))
        rows = hitung_bulan(periode, skema_obj, pegawai_ids=[pegawai.pk], cari_penilai=True)
        if not rows:
            return None
        h = rows[0]
        b, d, opd_id, skema = h.baris(), h.detail, h.orang.opd_id, nama_skema(skema_obj)
    status = d.get("status_evaluasi") or ""
    return RincianPegawai(
        periode=periode, final=bool(tpp and tpp.is_final), opd_id=opd_id, baris=b,
        kedudukan_hukum=d.get("kedudukan_hukum", ""), aktif=d.get("aktif", True), skema=skema,
        status_evaluasi=St(status).label if status else "", penilai=d.get("penilai", ""),
        bobot_kinerja=Decimal(d.get("bobot_kinerja", "60")), bobot_disiplin=Decimal(d.get("bobot_disiplin", "40")),
        potongan_hukdis_persen=Decimal(d.get("potongan_hukdis_persen", "25")), presensi=d.get("presensi"),
        potongan=tuple(d.get("potongan", ())), hukdis_sk=tuple(d.get("hukdis_sk", ())), langkah=_langkah(b, d),
        penyesuaian=tuple(p for ps in _penyesuaian(tpp, None).values() for p in ps if p.pegawai_id == pegawai.pk),
    )  # fmt: skip


def opd_bulan_pegawai(periode: Periode, pegawai_id: int) -> int | None:
    """The OPD a pegawai's row of the month belongs to (frozen row, the evaluation's snapshot, or
    today's OPD), for the access check of the breakdown page. None: not in the month."""
    tpp = TppBulan.objects.filter(periode=periode).only("status").first()
    if tpp is not None and tpp.is_final:
        return TppBaris.objects.filter(tpp_bulan=tpp, pegawai_id=pegawai_id).values_list("opd_id", flat=True).first()
    orang = _orang_bulan(periode, pegawai_ids=[pegawai_id])
    return orang[0].opd_id if orang else None


# Finalising ----------------------------------------------------------------------------------------


def is_pengelola_tpp(user: Pegawai) -> bool:
    """Finalising the TPP month belongs to the admin BKD (SPEC §9)."""
    return bool(user.is_authenticated and (user.is_superuser or user.is_admin_bkd))


def _kunci_tpp_bulan(periode: Periode) -> TppBulan:
    """The month's TppBulan row, created TERBUKA when missing, locked (SELECT … FOR UPDATE)."""
    TppBulan.objects.get_or_create(periode=periode)
    return TppBulan.objects.select_for_update(of=("self",)).select_related("periode").get(periode=periode)


def pesan_sudah_final(tpp: TppBulan) -> str:
    # Read after the lock (an outer join in the locking SELECT would not be re-read by PostgreSQL).
    oleh = Pegawai.objects.filter(pk=tpp.difinalkan_oleh_id).first() if tpp.difinalkan_oleh_id else None
    waktu = timezone.localtime(tpp.difinalkan_pada)
    return (
        f"TPP {tpp.periode.nama} sudah difinalkan oleh {oleh.nama_lengkap if oleh else 'admin BKD'} "
        f"pada {waktu:%d-%m-%Y %H.%M}."
    )


def alasan_tidak_bisa_difinalkan(periode: Periode) -> str | None:
    """Why the month cannot be finalised now (Indonesian), or None: the page checks this before
    starting the background job, so the usual refusals are told at once. `finalkan_bulan` checks
    again under the row lock (a concurrent finalisation is caught there)."""
    if periode.bulan < 1:
        return "TPP difinalkan per bulan, bukan untuk periode tahunan."
    tpp = tpp_bulan_of(periode)
    if tpp is not None and tpp.is_final:
        return pesan_sudah_final(tpp)
    if not periode.is_terkunci():
        return (
            f"Penilaian periode {periode.nama} masih berjalan sampai {periode.batas_penilaian:%d-%m-%Y}; "
            "TPP dapat difinalkan setelah batas penilaian lewat."
        )
    if skema_berlaku(periode.tahun, periode.bulan) is None:
        return pesan_tanpa_skema(periode)
    return None


@transaction.atomic
def finalkan_bulan(periode: Periode, *, by: Pegawai) -> TppBulan:
    """Freeze the month: every row stored in `TppBaris` with what explains it, the scheme and the
    total on the month; never recomputed afterwards. Only after the evaluation deadline (until
    then ratings may change); rows still flagged are frozen as they are (the page makes the admin
    confirm how many). Twice or concurrently: one wins, the other is told who finalised when."""
    if not is_pengelola_tpp(by):
        raise TppError("Hanya admin BKD yang dapat memfinalkan TPP.")
    if periode.bulan < 1:
        raise TppError("TPP difinalkan per bulan, bukan untuk periode tahunan.")
    tpp = _kunci_tpp_bulan(periode)
    if tpp.is_final:
        raise TppError(pesan_sudah_final(tpp))
    if not periode.is_terkunci():
        raise TppError(
            f"Penilaian periode {periode.nama} masih berjalan sampai {periode.batas_penilaian:%d-%m-%Y}; "
            "TPP dapat difinalkan setelah batas penilaian lewat."
        )
    skema = skema_berlaku(periode.tahun, periode.bulan)
    if skema is None:
        raise TppError(pesan_tanpa_skema(periode))
    rows = hitung_bulan(periode, skema)
    TppBaris.objects.bulk_create([h.tpp_baris(tpp) for h in rows], batch_size=1000)
    total = sum(h.rincian.jumlah for h in rows)
    belum = sum(1 for h in rows if h.belum_final)
    tpp.status, tpp.skema, tpp.difinalkan_oleh, tpp.difinalkan_pada, tpp.jumlah_total = (
        TppBulan.Status.FINAL, skema, by, timezone.now(), total,
    )  # fmt: skip
    tpp.save(update_fields=["status", "skema", "difinalkan_oleh", "difinalkan_pada", "jumlah_total"])
    audit.record(
        tpp, "tpp_difinalkan", by=by,
        perubahan={"status": (TppBulan.Status.TERBUKA, TppBulan.Status.FINAL), "jumlah_total": (None, total),
                   "jumlah_baris": (None, len(rows)), "baris_belum_final": (None, belum)},
    )  # fmt: skip
    return tpp


# Adjustments ---------------------------------------------------------------------------------------


def _tujuan_penyesuaian(asal: Periode) -> TppBulan:
    """The next month after `asal` whose TPP is not final, its TppBulan locked (created TERBUKA)."""
    for periode in (
        Periode.objects.bulanan()
        .filter(Q(tahun__gt=asal.tahun) | Q(tahun=asal.tahun, bulan__gt=asal.bulan))
        .order_by("tahun", "bulan")
    ):
        tpp = _kunci_tpp_bulan(periode)
        if not tpp.is_final:
            return tpp
    nxt = (asal.tahun + (asal.bulan == 12), asal.bulan % 12 + 1)
    raise TppError(
        f"TPP {asal.nama} sudah final dan perubahan ini mengubah angkanya, tetapi periode {NAMA_BULAN[nxt[1] - 1]} "
        f"{nxt[0]} belum dibuka untuk mencatat penyesuaiannya. Minta admin BKD membuka periode itu, lalu ulangi."
    )


@transaction.atomic
def catat_perubahan(
    periode: Periode, pegawai_ids: Iterable[int], alasan: str, *, by: Pegawai | None = None
) -> list[PenyesuaianTpp]:
    """Something changed that may alter `periode`'s final TPP (an evaluation re-rated after an
    unlock, attendance re-imported, a hukdis entered late): for each pegawai recompute the month
    as it would be now (with the month's own scheme); where the amount differs from what was
    paid (the frozen row, or the latest adjustment already in a final month), record an
    adjustment old → new with the reason in the next month that is not final. The frozen rows
    never change. Nothing to do for a month that is not final. Returns the adjustments written."""
    ids = sorted(set(pegawai_ids))
    asal = TppBulan.objects.select_related("skema", "periode").filter(periode=periode).first()
    if asal is None or not asal.is_final or not ids:
        return []
    tujuan = _tujuan_penyesuaian(periode)
    now = {h.orang.pegawai_id: h for h in hitung_bulan(periode, asal.skema, pegawai_ids=ids)}
    frozen = {b.pegawai_id: b for b in TppBaris.objects.filter(tpp_bulan=asal, pegawai_id__in=ids)}
    # What has been paid so far: the frozen row, then each adjustment recorded in a final month.
    dibayar = {pid: b.jumlah for pid, b in frozen.items()}
    for p in PenyesuaianTpp.objects.filter(
        asal=asal, pegawai_id__in=ids, dicatat_di__status=TppBulan.Status.FINAL
    ).order_by("dicatat_di__periode__tahun", "dicatat_di__periode__bulan"):
        dibayar[p.pegawai_id] = p.baru
    existing = {
        p.pegawai_id: p for p in PenyesuaianTpp.objects.filter(asal=asal, dicatat_di=tujuan, pegawai_id__in=ids)
    }
    written = []
    alasan = (alasan or "").strip()[:2000] or "Perubahan data sesudah TPP difinalkan"
    for pid in ids:
        h, b = now.get(pid), frozen.get(pid)
        if h is None and b is None:
            continue
        lama = dibayar.get(pid, 0)
        baru = h.rincian.jumlah if h is not None else 0
        opd_id = h.orang.opd_id if h is not None else b.opd_id
        p = existing.get(pid)
        if baru == lama:
            if p is not None:  # changed back before it was paid: nothing to adjust any more
                audit.record(p, "tpp_penyesuaian_dihapus", by=by, perubahan={"baru": (p.baru, lama)}, alasan=alasan,
                             opd_id=p.opd_id)  # fmt: skip
                p.delete()
            continue
        rincian_baru = (
            h.detail | {"jumlah": baru} if h is not None else {"jumlah": 0, "keterangan": "Tidak lagi terhitung"}
        )
        if p is None:
            p = PenyesuaianTpp.objects.create(
                asal=asal, dicatat_di=tujuan, pegawai_id=pid, opd_id=opd_id, lama=lama, baru=baru, alasan=alasan,
                rincian_baru=rincian_baru,
            )  # fmt: skip
            audit.record(p, "tpp_penyesuaian_dicatat", by=by, perubahan={"jumlah": (lama, baru)}, alasan=alasan,
                         opd_id=opd_id)  # fmt: skip
        elif (p.lama, p.baru, p.opd_id) != (lama, baru, opd_id):
            old = p.baru
            p.lama, p.baru, p.opd_id, p.alasan, p.rincian_baru, p.dicatat_pada = (
                lama, baru, opd_id, alasan, rincian_baru, timezone.now(),
            )  # fmt: skip
            p.save()
            audit.record(p, "tpp_penyesuaian_dicatat", by=by, perubahan={"jumlah": (old, baru)}, alasan=alasan,
                         opd_id=opd_id)  # fmt: skip
        written.append(p)
    return written


# The regency page: totals per OPD from grouped rows ------------------------------------------------


@dataclass(frozen=True)
class RingkasOpd:
    """One OPD's line on the regency page."""

    pk: int
    kode: str
    nama: str
    jumlah_pegawai: int
    belum_final: int
    jumlah: int
    penyesuaian: tuple[PenyesuaianBaris, ...] = ()


@dataclass(frozen=True)
class RingkasanBulan:
    final: bool
    skema: str
    opd: tuple[RingkasOpd, ...]

    @property
    def jumlah(self) -> int:
        return sum(o.jumlah for o in self.opd)


def _kelompok(
    qs: QuerySet, periode: Periode, *, pegawai: str, opd_expr, kelas: str, kedudukan, extra: tuple[str, ...] = ()
) -> QuerySet:
    """`qs` grouped by everything an amount depends on (OPD, kelas, kedudukan, a hukdis sedang,
    `extra` — the evaluation's status and predikat —, the attendance counts), as tuples ending
    with the number of pegawai in the group."""
    from django.db.models import FilteredRelation

    hukdis = hukdis_sedang(periode).filter(pegawai_id=OuterRef(pegawai))
    rel = "pegawai__presensi_set" if pegawai == "pegawai_id" else "presensi_set"
    fields = ("g_opd", kelas, "g_kedudukan", "g_hukdis", *extra, *(f"pr__{k}" for k in _PRESENSI_KOLOM))
    return (
        qs.annotate(
            pr=FilteredRelation(rel, condition=Q(**{f"{rel}__periode": periode})),
            g_opd=opd_expr,
            g_kedudukan=kedudukan,
            g_hukdis=Exists(hukdis),
        )
        .values(*fields)
        .annotate(n=Count("pk"))
        .values_list(*fields, "n")
        .order_by()
    )


_BACA = object()  # "not read yet" (None is a month without a TppBulan row)


def _hitung_terbuka_per_opd(
    periode: Periode, ids: list[int] | None, skema: SkemaTpp
) -> dict[int, tuple[int, int, int]]:
    """An open month per OPD: (pegawai, rows not final, total), from the month's pegawai grouped
    by every input of the arithmetic, each group computed once with `rules.hitung_tpp` exactly as
    its rows would be (the amounts are whole Rupiah per row, so a group's total is the row's
    amount times its size)."""
    from django.db.models import Case, F, When

    besaran = dict(BesaranTpp.objects.filter(skema=skema).values_list("kelas_jabatan", "besaran"))
    aturan, memo = skema.aturan(), {}
    tanpa_tpp, nama = frozenset(skema.kedudukan_tanpa_tpp or ()), nama_skema(skema)
    evs = _kelompok(
        _evaluasi_bulan(periode, ids), periode, pegawai="pegawai_id", kelas="snap_kelas_jabatan", extra=("status", "predikat"),
        opd_expr=Case(When(snap_opd__isnull=True, then=F("pegawai__opd_id")), default=F("snap_opd_id")),
        kedudukan=Case(When(snap_kedudukan_hukum="", then=F("pegawai__kedudukan_hukum")),
                       default=F("snap_kedudukan_hukum")),
    )  # fmt: skip
    tanpa = _kelompok(
        _tanpa_evaluasi(periode, ids), periode, pegawai="pk", kelas="jabatan__kelas_jabatan",
        opd_expr=F("opd_id"), kedudukan=F("kedudukan_hukum"),
    )  # fmt: skip
    groups = [(row[:4], row[4], row[5], row[6:-1], row[-1]) for row in evs]
    groups += [(row[:4], None, "", row[4:-1], row[-1]) for row in tanpa]
    per_opd: dict[int, list[int]] = {}
    for (opd_id, kelas, kedudukan, hukdis), status, predikat, pres, n in groups:
        if opd_id is None:
            continue
        presensi = None
        if pres[0] is not None:  # hari kerja: the row exists
            presensi = _presensi_dari(pres)
        orang = _Orang(0, opd_id, "", "", "", "", kelas, kedudukan, 0 if status is not None else None,
                       status or "", predikat or "")  # fmt: skip
        h = _hitung(orang, skema, aturan, besaran, presensi, ["-"] if hukdis else [], memo,
                    tanpa_tpp=tanpa_tpp, nama=nama)  # fmt: skip
        row = per_opd.setdefault(opd_id, [0, 0, 0])
        row[0] += n
        row[1] += n if h.belum_final else 0
        row[2] += h.rincian.jumlah * n
    return {opd_id: (n, belum, jumlah) for opd_id, (n, belum, jumlah) in per_opd.items()}


# What `_hitung_terbuka_per_opd` reads, as change marks (ekinerja.jejak): the month's evaluations
# and attendance, the pegawai (the columns read models use: not the last login), the positions,
# the hukdis, the schemes and their rates. The name also holds a digest of the arithmetic's source,
# so a deploy that changes it never serves a total of the old one from a shared cache.
_VERSI_HITUNG = sidik.versi_kode(rules, penilaian_models, tpp_hukdis, sys.modules[__name__])


def _terbuka_per_opd(periode: Periode, ids: list[int] | None, skema: SkemaTpp) -> dict[int, tuple[int, int, int]]:
    """`_hitung_terbuka_per_opd`, kept until a table it reads changes (issue #9: at 100,000
    pegawai the grouping takes 300-500 ms; a month after its deadline, when the BKD checks and
    finalises it, hardly changes). Never stale: any write to those tables, by any path, is seen."""
    kunci = [
        *jejak.kunci(Evaluasi, periode.pk), *jejak.kunci(Presensi, periode.pk), *jejak.kunci(Pegawai),
        *jejak.kunci(Jabatan), *jejak.kunci(HukumanDisiplin), *jejak.kunci(SkemaTpp), *jejak.kunci(BesaranTpp),
    ]  # fmt: skip
    return jejak.tersimpan(
        f"tpp:{_VERSI_HITUNG}:{periode.pk}:{skema.pk}:{jejak.cakupan(ids)}",
        kunci,
        lambda: _hitung_terbuka_per_opd(periode, ids, skema),
        alias=router.db_for_read(Evaluasi) or DEFAULT_DB_ALIAS,
    )


def ringkasan_bulan(
    periode: Periode, *, opd_ids: Iterable[int] | None = None, tpp=_BACA, skema: SkemaTpp | None = None
) -> RingkasanBulan:
    """Per OPD: how many pegawai, how many rows not final, the total — for the regency page.
    A final month: aggregates of its frozen rows. An open month: the month's pegawai grouped by
    every input of the arithmetic (±1,800 groups for the 7,000-pegawai bench data), each group computed
    once with `rules.hitung_tpp` exactly as its rows would be (the amounts are whole Rupiah per
    row, so a group's total is the row's amount times its size). Equal to summing `data_bulan`'s
    rows (tested); a fixed number of queries and little Python at any size, and kept until a
    table it reads changes (`_terbuka_per_opd`, ekinerja.jejak). `opd_ids`: only
    those OPDs, filtered in SQL (the OPD page reads its own totals so); `tpp` (the month's
    TppBulan or None) and `skema` (the scheme in force) when the caller has read them already."""
    if periode.bulan < 1:
        raise TppError("TPP dihitung per bulan, bukan untuk periode tahunan.")
    from django.db.models import Sum

    ids = sorted(set(opd_ids)) if opd_ids is not None else None
    if tpp is _BACA:
        tpp = tpp_bulan_of(periode)
    per_opd: dict[int, list[int]] = {}  # opd → [pegawai, not final, total]

    def tambah(opd_id: int | None, n: int, belum: int, jumlah: int) -> None:
        if opd_id is None:
            return
        row = per_opd.setdefault(opd_id, [0, 0, 0])
        row[0] += n
        row[1] += belum
        row[2] += jumlah

    if tpp is not None and tpp.is_final:
        skema = tpp.skema
        frozen = TppBaris.objects.filter(tpp_bulan=tpp)
        if ids is not None:
            frozen = frozen.filter(opd_id__in=ids)
        for opd_id, n, belum, jumlah in (
            frozen.values("opd_id")
            .annotate(n=Count("pk"), belum=Count("pk", filter=~Q(rincian__belum_final=[])), jumlah=Sum("jumlah"))
            .values_list("opd_id", "n", "belum", "jumlah")
            .order_by()
        ):
            tambah(opd_id, n, belum, jumlah or 0)
    else:
        skema = skema or skema_berlaku(periode.tahun, periode.bulan)
        if skema is None:
            raise TppError(pesan_tanpa_skema(periode))
        for opd_id, (n, belum, jumlah) in _terbuka_per_opd(periode, ids, skema).items():
            tambah(opd_id, n, belum, jumlah)
    penyesuaian = _penyesuaian(tpp, ids)
    semua = set(per_opd) | set(penyesuaian)
    opds = Opd.objects.filter(pk__in=semua).order_by("-pilot", "urutan", "nama").only("pk", "kode", "nama")
    return RingkasanBulan(
        final=bool(tpp and tpp.is_final),
        skema=nama_skema(skema),
        opd=tuple(
            RingkasOpd(
                o.pk, o.kode, o.nama, *per_opd.get(o.pk, [0, 0, 0]), penyesuaian=tuple(penyesuaian.get(o.pk, ()))
            )
            for o in opds
        ),
    )


# The OPD page: the whole OPD's totals grouped, only the shown page's rows computed ----------------


def _urutan_opd(periode: Periode, opd: Opd) -> QuerySet:
    """The OPD's pegawai of the month as (pegawai_id, kelas, nip) in the rows' order (`_urut`:
    highest kelas first, no kelas last, then NIP), one query, so a page is sliced in SQL. The kelas
    and NIP are those a row is computed from: the evaluation's snapshot, today's data without one;
    NIPs compare by code point as Python compares them (PostgreSQL: collation "C")."""
    from django.db import connection
    from django.db.models import CharField, F, Value
    from django.db.models.functions import Coalesce, Collate, NullIf

    def nip(expr):
        return Collate(expr, "C") if connection.vendor == "postgresql" else expr

    evs = (
        _evaluasi_bulan(periode, [opd.pk])
        .annotate(
            u_kelas=F("snap_kelas_jabatan"),
            u_nip=nip(
                Coalesce(NullIf(KT("snapshot_pegawai__nip"), Value("")), F("pegawai__nip"), output_field=CharField())
            ),
        )
        .values_list("pegawai_id", "u_kelas", "u_nip")
        .order_by()
    )
    tanpa = (
        _tanpa_evaluasi(periode, [opd.pk])
        .annotate(u_kelas=F("jabatan__kelas_jabatan"), u_nip=nip(F("nip")))
        .values_list("pk", "u_kelas", "u_nip")
        .order_by()
    )
    return evs.union(tanpa, all=True).order_by(F("u_kelas").desc(nulls_last=True), "u_nip", "pegawai_id")


class BarisBerhalaman:
    """An open month's rows of one OPD for a `Paginator`, never all computed: `count()` is the
    OPD's number of pegawai from the grouped totals; a slice picks its pegawai in SQL in the rows'
    order and computes only those rows with `hitung_bulan` — the same queries for a page of an OPD
    of five or of thousands."""

    def __init__(self, periode: Periode, skema: SkemaTpp, opd: Opd, jumlah: int) -> None:
        self.periode, self.skema, self.opd, self.jumlah = periode, skema, opd, jumlah

    def count(self) -> int:
        return self.jumlah

    def __len__(self) -> int:
        return self.jumlah

    def __getitem__(self, key: slice) -> list[BarisTpp]:
        if not isinstance(key, slice):
            raise TypeError("BarisBerhalaman hanya dapat diiris.")
        ids = [row[0] for row in _urutan_opd(self.periode, self.opd)[key]]
        if not ids:
            return []
        rows = {h.orang.pegawai_id: h for h in hitung_bulan(self.periode, self.skema, opd=self.opd, pegawai_ids=ids)}
        return [rows[pid].baris() for pid in ids if pid in rows]


@dataclass(frozen=True)
class TppOpdBulan:
    """What the OPD page shows of a month: the whole OPD's totals and its rows (every frozen row
    of a final month; an open month's rows computed a page at a time)."""

    final: bool
    skema: str
    jumlah_pegawai: int
    belum_final: int
    jumlah: int
    baris: tuple[BarisTpp, ...] | BarisBerhalaman
    penyesuaian: tuple[PenyesuaianBaris, ...] = ()


def tpp_opd_bulan(periode: Periode, opd: Opd, tpp=_BACA) -> TppOpdBulan:
    """One OPD's month for its page. A final month: its frozen rows (read whole; cheap). An open
    month: the totals grouped the way the regency page computes them (`ringkasan_bulan` for this
    OPD), the rows computed only for the page shown (`BarisBerhalaman`). TppError without a
    scheme. `tpp`: the month's TppBulan (or None) when the caller has read it."""
    if periode.bulan < 1:
        raise TppError("TPP dihitung per bulan, bukan untuk periode tahunan.")
    if tpp is _BACA:
        tpp = tpp_bulan_of(periode)
    if tpp is None or not tpp.is_final:
        skema = skema_berlaku(periode.tahun, periode.bulan)
        if skema is None:
            raise TppError(pesan_tanpa_skema(periode))
        ringkas = ringkasan_bulan(periode, opd_ids=[opd.pk], tpp=tpp, skema=skema)
        isi = next((o for o in ringkas.opd if o.pk == opd.pk), None)
        n, belum, jumlah = (isi.jumlah_pegawai, isi.belum_final, isi.jumlah) if isi else (0, 0, 0)
        return TppOpdBulan(
            final=False, skema=ringkas.skema, jumlah_pegawai=n, belum_final=belum, jumlah=jumlah,
            baris=BarisBerhalaman(periode, skema, opd, n), penyesuaian=isi.penyesuaian if isi else (),
        )  # fmt: skip
    data = data_bulan(periode, opd=opd)
    isi = data.opd[0]
    return TppOpdBulan(
        final=data.final, skema=data.skema, jumlah_pegawai=len(isi.baris),
        belum_final=sum(1 for b in isi.baris if b.catatan_belum_final), jumlah=isi.jumlah, baris=isi.baris,
        penyesuaian=isi.penyesuaian,
    )  # fmt: skip
