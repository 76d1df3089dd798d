"""Completion monitoring (issue #8 §6): for a month, per OPD, how many pegawai have an approved
SKP, have submitted their realisation, have been rated, and have an attendance row; for each
missing item whose turn it is (the pegawai, or their penilai); the list of who is late.

A read model: it only reads. Who may read which OPD is the kurva's rule (SPEC §9, admin BKD and
auditor every OPD, admin OPD and pimpinan their OPDs): `boleh_memantau`, `opd_dipantau`.

Who is counted (the month's population):
- pegawai in the cycle today: ASN (not NON_ASN), login active, with a jabatan that is not a
  pejabat negara's (`skp.models.alasan_tanpa_skp`), kedudukan hukum on duty (Aktif, MPP);
- plus everybody who has the month's result evaluation (`hasil_bulan`), whatever today's data
  says (moved, retired, on leave since): they were in that month's cycle.
Each is counted in the OPD of the month's evaluation (`snap_opd`, the OPD of then) when it
exists, else in today's OPD.

Everything per pegawai comes out of one SQL query (LEFT JOINs of the month's result evaluation
and attendance row, EXISTS for the SKP), grouped in the database for the counts: the number of
queries never grows with pegawai, OPDs or months.
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, models, router
from django.db.models import BooleanField, Case, Count, Exists, ExpressionWrapper, F, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from ekinerja import jejak, sidik
from opd.models import Jabatan, JenisJabatan, Opd, Pegawai
from opd.services import KEDUDUKAN_BERTUGAS, OrgChart
from penilaian.models import Evaluasi, Periode, Presensi
from penilaian.services.kurva import boleh_membaca_kurva, opd_kurva_visible_to
from skp.models import Skp


class Langkah(models.TextChoices):
    """Where a pegawai stands in the month: the first step not done yet (or SELESAI)."""

    TANPA_SKP = "TANPA_SKP", "SKP belum diajukan"
    SKP_DIAJUKAN = "SKP_DIAJUKAN", "SKP menunggu persetujuan"
    BELUM_DIKIRIM = "BELUM_DIKIRIM", "Realisasi belum dikirim"
    DIKEMBALIKAN = "DIKEMBALIKAN", "Realisasi dikembalikan"
    MENUNGGU_PENILAIAN = "MENUNGGU_PENILAIAN", "Menunggu penilaian"
    SELESAI = "SELESAI", "Sudah dinilai"


class Giliran(models.TextChoices):
    PEGAWAI = "pegawai", "Pegawai"
    PENILAI = "penilai", "Pejabat penilai"
    BKD = "bkd", "Admin BKD"


class Item(models.TextChoices):
    SKP = "skp", "SKP disetujui"
    REALISASI = "realisasi", "Realisasi dikirim"
    PENILAIAN = "penilaian", "Evaluasi dinilai"
    PRESENSI = "presensi", "Presensi"


L = Langkah
GILIRAN_LANGKAH: dict[str, str] = {
    L.TANPA_SKP: Giliran.PEGAWAI,  # write and submit the SKP
    L.SKP_DIAJUKAN: Giliran.PENILAI,  # approve it
    L.BELUM_DIKIRIM: Giliran.PEGAWAI,  # fill in and submit the realisation
    L.DIKEMBALIKAN: Giliran.PEGAWAI,  # correct and submit again
    L.MENUNGGU_PENILAIAN: Giliran.PENILAI,  # rate
}
TINDAKAN: dict[str, str] = {
    L.TANPA_SKP: "Pegawai menyusun dan mengajukan SKP",
    L.SKP_DIAJUKAN: "Pejabat penilai menyetujui SKP",
    L.BELUM_DIKIRIM: "Pegawai mengisi dan mengirim realisasi",
    L.DIKEMBALIKAN: "Pegawai memperbaiki dan mengirim ulang realisasi",
    L.MENUNGGU_PENILAIAN: "Pejabat penilai menilai realisasi",
}
# Which steps still miss each item (an item is done from the step after these on).
BELUM: dict[str, tuple[str, ...]] = {
    Item.SKP: (L.TANPA_SKP, L.SKP_DIAJUKAN),
    Item.REALISASI: (L.TANPA_SKP, L.SKP_DIAJUKAN, L.BELUM_DIKIRIM, L.DIKEMBALIKAN),
    Item.PENILAIAN: (L.TANPA_SKP, L.SKP_DIAJUKAN, L.BELUM_DIKIRIM, L.DIKEMBALIKAN, L.MENUNGGU_PENILAIAN),
}


def batas_langkah(periode: Periode, langkah: str) -> datetime.date | None:
    """The deadline the step is late against: the realisation's for everything before the
    submission (no SKP, no realisation), the evaluation's for the rating."""
    if langkah == L.SELESAI:
        return None
    return periode.batas_penilaian if langkah == L.MENUNGGU_PENILAIAN else periode.batas_realisasi


# Access (SPEC §9): the kurva's readers -------------------------------------------------------------


def boleh_memantau(user: Pegawai) -> bool:
    """Admin BKD, auditor (every OPD); admin OPD and pimpinan (their OPDs)."""
    return boleh_membaca_kurva(user)


def opd_dipantau(user: Pegawai) -> models.QuerySet[Opd]:
    """The OPDs `user` monitors, pilots first (one query)."""
    return opd_kurva_visible_to(user)


# The month's population, one row per pegawai -------------------------------------------------------


def _dalam_siklus() -> Q:
    """Pegawai in the monthly cycle today (see the module docstring)."""
    # The pejabat negara positions as a subquery, not a join: a join of the positions in the
    # filter made PostgreSQL misestimate and loop over every position per pegawai.
    pejabat_negara = Jabatan.objects.filter(jenis=JenisJabatan.PEJABAT_NEGARA).values("pk")
    return (
        Q(is_active=True, opd__isnull=False, jabatan__isnull=False, kedudukan_hukum__in=KEDUDUKAN_BERTUGAS)
        & ~Q(jenis_asn=Pegawai.JenisAsn.NON_ASN)
        & ~Q(jabatan_id__in=pejabat_negara)
    )


def populasi(periode: Periode, opd_ids: Iterable[int] | None = None) -> models.QuerySet[Pegawai]:
    """The month's pegawai annotated with `opd_bulan` (the OPD they count in), `langkah` and
    `ada_presensi`; limited to `opd_ids` when given. One SQL query when evaluated."""
    skp = Skp.objects.filter(pegawai_id=OuterRef("pk"), mulai__lte=periode.selesai, selesai__gte=periode.mulai)
    St = Evaluasi.Status
    qs = (
        Pegawai.objects.annotate(
            ev=models.FilteredRelation(
                "evaluasi_set", condition=Q(evaluasi_set__periode=periode, evaluasi_set__hasil_bulan=True)
            ),
            pr=models.FilteredRelation("presensi_set", condition=Q(presensi_set__periode=periode)),
        )
        # Filters below use these annotations, never `ev__…` again: a second lookup through a
        # multi-valued relation in another filter() would join the evaluations a second time.
        .annotate(ev_id=F("ev__pk"), ev_status=F("ev__status"), ev_opd=F("ev__snap_opd_id"), pr_id=F("pr__pk"))
        .annotate(
            opd_bulan=Coalesce(F("ev_opd"), F("opd_id")),
            langkah=Case(
                When(ev_status=St.DINILAI, then=Value(L.SELESAI)),
                When(ev_status=St.DIKIRIM, then=Value(L.MENUNGGU_PENILAIAN)),
                When(ev_status=St.DIKEMBALIKAN, then=Value(L.DIKEMBALIKAN)),
                When(ev_id__isnull=False, then=Value(L.BELUM_DIKIRIM)),
                # No evaluation row yet (the pegawai has not opened the month): the SKP decides.
                When(Exists(skp.filter(status=Skp.Status.DISETUJUI)), then=Value(L.BELUM_DIKIRIM)),
                When(Exists(skp.filter(status=Skp.Status.DIAJUKAN)), then=Value(L.SKP_DIAJUKAN)),
                default=Value(L.TANPA_SKP),
                output_field=models.CharField(),
            ),
            ada_presensi=ExpressionWrapper(Q(pr_id__isnull=False), output_field=BooleanField()),
        )
        .filter(_dalam_siklus() | Q(ev_id__isnull=False))
    )
    if opd_ids is not None:
        ids = list(opd_ids)
        # Both terms on the pegawai table (its OPD index, its primary key), so that the database
        # reads one OPD's pegawai instead of scanning the regency for the COALESCE.
        dinilai_di = Evaluasi.objects.filter(periode=periode, hasil_bulan=True, snap_opd_id__in=ids)
        qs = qs.filter(Q(opd_id__in=ids) | Q(pk__in=dinilai_di.values("pegawai_id")), opd_bulan__in=ids)
    return qs


# Counts ------------------------------------------------------------------------------------------


def _persen(n: int, dari: int) -> float:
    return round(n * 100 / dari, 1) if dari else 0.0


@dataclass
class Capaian:
    """The counts of one OPD (or of several together) for the month."""

    jumlah: int = 0
    presensi: int = 0
    langkah: dict[str, int] = field(default_factory=dict)

    def tambah(self, langkah: str, ada_presensi: bool, n: int) -> None:
        self.jumlah += n
        self.langkah[langkah] = self.langkah.get(langkah, 0) + n
        if ada_presensi:
            self.presensi += n

    def gabung(self, other: Capaian) -> None:
        self.jumlah += other.jumlah
        self.presensi += other.presensi
        for k, n in other.langkah.items():
            self.langkah[k] = self.langkah.get(k, 0) + n

    def _sudah(self, item: str) -> int:
        return self.jumlah - sum(self.langkah.get(k, 0) for k in BELUM[item])

    @property
    def skp(self) -> int:
        return self._sudah(Item.SKP)

    @property
    def dikirim(self) -> int:
        return self._sudah(Item.REALISASI)

    @property
    def dinilai(self) -> int:
        return self._sudah(Item.PENILAIAN)

    @property
    def persen_skp(self) -> float:
        return _persen(self.skp, self.jumlah)

    @property
    def persen_dikirim(self) -> float:
        return _persen(self.dikirim, self.jumlah)

    @property
    def persen_dinilai(self) -> float:
        return _persen(self.dinilai, self.jumlah)

    @property
    def persen_presensi(self) -> float:
        return _persen(self.presensi, self.jumlah)

    @property
    def giliran_pegawai(self) -> int:
        return sum(n for k, n in self.langkah.items() if GILIRAN_LANGKAH.get(k) == Giliran.PEGAWAI)

    @property
    def giliran_penilai(self) -> int:
        return sum(n for k, n in self.langkah.items() if GILIRAN_LANGKAH.get(k) == Giliran.PENILAI)

    @property
    def item(self) -> list[dict]:
        """The four items with count, percent and the part not done (for the templates)."""
        return [
            {"item": Item.SKP, "label": Item.SKP.label, "n": self.skp, "persen": self.persen_skp,
             "warna": "bg-info"},
            {"item": Item.REALISASI, "label": Item.REALISASI.label, "n": self.dikirim, "persen": self.persen_dikirim,
             "warna": "bg-primary"},
            {"item": Item.PENILAIAN, "label": Item.PENILAIAN.label, "n": self.dinilai, "persen": self.persen_dinilai,
             "warna": "bg-success"},
            {"item": Item.PRESENSI, "label": Item.PRESENSI.label, "n": self.presensi, "persen": self.persen_presensi,
             "warna": "bg-warning"},
        ]  # fmt: skip


@dataclass
class BarisOpd:
    opd: Opd
    capaian: Capaian


def _hitung_per_opd(periode: Periode, opd_ids: list[int]) -> list[tuple[int, str, bool, int]]:
    """(OPD, step, attendance present, pegawai) of the month for `opd_ids`: one grouped query."""
    return list(
        populasi(periode, opd_ids)
        .values_list("opd_bulan", "langkah", "ada_presensi")
        .annotate(n=Count("pk"))
        .values_list("opd_bulan", "langkah", "ada_presensi", "n")
        .order_by()
    )


# Part of the kept counts' name: a deploy that changes how they are counted never serves the old
# ones from a shared cache.
_VERSI_HITUNG = sidik.versi_kode(sys.modules[__name__])


def capaian_per_opd(periode: Periode, opds: Iterable[Opd]) -> list[BarisOpd]:
    """The counts of each OPD in `opds` (in their order): one query, grouped in the database, kept
    until a table it reads changes (ekinerja.jejak; issue #9: every OPD of a province is a grouping
    over 100,000 pegawai) — the pegawai (not their logins), positions, SKP, and the month's
    evaluations and attendance."""
    opds = list(opds)
    per_opd: dict[int, Capaian] = {o.pk: Capaian() for o in opds}
    ids = sorted(per_opd)
    kunci = [
        *jejak.kunci(Pegawai), *jejak.kunci(Jabatan), *jejak.kunci(Skp), *jejak.kunci(Evaluasi, periode.pk),
        *jejak.kunci(Presensi, periode.pk),
    ]  # fmt: skip
    rows = jejak.tersimpan(
        f"pantau:{_VERSI_HITUNG}:{periode.pk}:{jejak.cakupan(ids)}", kunci, lambda: _hitung_per_opd(periode, ids),
        alias=router.db_for_read(Pegawai) or DEFAULT_DB_ALIAS,
    )  # fmt: skip
    for opd_id, langkah, ada_presensi, n in rows:
        per_opd[opd_id].tambah(langkah, bool(ada_presensi), n)
    return [BarisOpd(o, per_opd[o.pk]) for o in opds]


def total(rows: Iterable[BarisOpd]) -> Capaian:
    result = Capaian()
    for r in rows:
        result.gabung(r.capaian)
    return result


# The names ---------------------------------------------------------------------------------------


@dataclass
class BarisPegawai:
    """One pegawai's state in the month, with whose turn the next step is and by when."""

    pegawai: Pegawai
    opd: Opd | None
    langkah: Langkah
    ada_presensi: bool
    penilai: Pegawai | None
    batas: datetime.date | None
    terlambat: bool
    hari_terlambat: int

    @property
    def giliran(self) -> str:
        return GILIRAN_LANGKAH.get(self.langkah, "")

    @property
    def giliran_label(self) -> str:
        return Giliran(self.giliran).label if self.giliran else ""

    @property
    def tindakan(self) -> str:
        return TINDAKAN.get(self.langkah, "")


def saring(qs: models.QuerySet[Pegawai], *, item: str, giliran: str = "") -> models.QuerySet[Pegawai]:
    """Those missing `item`, whose turn it is `giliran` ("" = anybody's). Attendance is the admin
    BKD's (the import from the e-presensi); the SKP and the evaluation the pegawai's or penilai's."""
    if item == Item.PRESENSI:
        qs = qs.filter(pr_id__isnull=True)
        return qs if giliran in ("", Giliran.BKD) else qs.none()
    langkah = BELUM.get(item, BELUM[Item.PENILAIAN])
    if giliran:
        langkah = tuple(k for k in langkah if GILIRAN_LANGKAH.get(k) == giliran)
    return qs.filter(langkah__in=langkah)


SCOPE_MAKS = 1000


def org_chart_untuk(pegawai: list[Pegawai]) -> OrgChart:
    """An OrgChart that resolves the penilai of `pegawai` (four queries): for a page of names it
    loads them and the holders of the positions above theirs only, not the whole regency; for
    long lists (the late list of every OPD) everybody, rather than a SQL list of thousands."""
    jabatan_atasan = dict(Jabatan.objects.values_list("pk", "atasan_id"))
    rantai: set[int] = set()
    for p in pegawai:
        node = jabatan_atasan.get(p.jabatan_id) if p.jabatan_id else None
        while node is not None and node not in rantai:
            rantai.add(node)
            node = jabatan_atasan.get(node)
    if len(pegawai) + len(rantai) > SCOPE_MAKS:
        return OrgChart(jabatan_atasan=jabatan_atasan)
    scope = Q(pk__in=[p.pk for p in pegawai]) | Q(jabatan_id__in=rantai)
    return OrgChart(scope=scope, jabatan_atasan=jabatan_atasan)


def baris_pegawai(
    periode: Periode, pegawai: Iterable[Pegawai], *, opds: dict[int, Opd] | None = None,
    today: datetime.date | None = None, chart: OrgChart | None = None,
) -> list[BarisPegawai]:  # fmt: skip
    """Rows for pegawai from `populasi` (annotated), with today's penilai of each resolved in
    bulk (one OrgChart, `org_chart_untuk`: four queries whatever the number of rows)."""
    today = today or timezone.localdate()
    pegawai = list(pegawai)
    chart = chart or org_chart_untuk(pegawai)
    penilai = chart.penilai_of(p.pk for p in pegawai)
    rows = []
    for p in pegawai:
        batas = batas_langkah(periode, p.langkah)
        hari = (today - batas).days if batas is not None and p.langkah != L.SELESAI else 0
        baris = BarisPegawai(
            pegawai=p, opd=(opds or {}).get(p.opd_bulan), langkah=Langkah(p.langkah),
            ada_presensi=bool(p.ada_presensi), penilai=penilai.get(p.pk), batas=batas,
            terlambat=hari > 0, hari_terlambat=max(hari, 0),
        )  # fmt: skip
        rows.append(baris)
    return rows


def daftar(qs: models.QuerySet[Pegawai]) -> models.QuerySet[Pegawai]:
    """The columns the lists show, in name order. The jabatan's name is a subquery per row shown,
    not a join: with the month's filters PostgreSQL expects one row and would loop over every
    position for each pegawai."""
    nama_jabatan = Jabatan.objects.filter(pk=OuterRef("jabatan_id")).values("nama")[:1]
    return (
        qs.only("pk", "nip", "nama", "gelar_depan", "gelar_belakang", "opd_id", "jabatan_id")
        .annotate(nama_jabatan=models.Subquery(nama_jabatan))
        .order_by("nama", "pk")
    )


def daftar_terlambat(
    periode: Periode, opds: Iterable[Opd], *, today: datetime.date | None = None
) -> list[BarisPegawai]:
    """Everybody in `opds` whose month is not complete (not rated yet), OPD by OPD in the given
    order, then by name: late when the step's deadline has passed, else "belum" (not yet late).
    Five queries whatever the size."""
    opds = list(opds)
    urutan = {o.pk: i for i, o in enumerate(opds)}
    qs = daftar(saring(populasi(periode, urutan.keys()), item=Item.PENILAIAN))
    rows = baris_pegawai(periode, qs, opds={o.pk: o for o in opds}, today=today)
    rows.sort(key=lambda r: urutan.get(r.opd.pk if r.opd else -1, len(opds)))  # stable: names stay sorted
    return rows
