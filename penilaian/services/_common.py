"""What the penilaian services share: the error, the lock, the SKP(s) in force in a period, the
evaluation rows of a pegawai's period, the snapshot, who may see and who may rate, and the kurva
of an OPD (SPEC §5, §6, §9)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from opd.models import Jabatan, Pegawai
from opd.services import resolve_penilai
from penilaian import rules
from penilaian.models import BukaKunci, Evaluasi, KinerjaOrganisasi, Periode
from penilaian.rules import CapaianOrganisasi, Predikat
from skp.models import Skp
from skp.services._common import snapshot_of


class PenilaianError(Exception):
    """A rule of the monthly cycle is broken; the message is shown to the user as-is."""


class KonflikVersi(PenilaianError):
    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or "Data ini telah diubah di tab/jendela lain sejak halaman ini dibuka. Muat ulang halaman, lalu "
            "ulangi perubahan Anda."
        )


# The lock ---------------------------------------------------------------------------------------


def buka_kunci_aktif(periode: Periode, pegawai_id: int) -> BukaKunci | None:
    return BukaKunci.objects.filter(periode=periode, pegawai_id=pegawai_id, ditutup_pada__isnull=True).first()


def is_terkunci_untuk(periode: Periode, pegawai_id: int, *, today: datetime.date | None = None) -> bool:
    """Locked for this pegawai: past the evaluation deadline and no active unlock (SPEC §5)."""
    if not periode.is_terkunci(today):
        return False
    return buka_kunci_aktif(periode, pegawai_id) is None


def pesan_terkunci(periode: Periode) -> str:
    return (
        f"Periode {periode.nama} sudah dikunci (batas penilaian {periode.batas_penilaian:%d-%m-%Y} telah lewat). "
        "Minta admin OPD atau admin BKD membuka kunci untuk Anda dengan alasan tertulis."
    )


def cek_tidak_terkunci(periode: Periode, pegawai_id: int) -> None:
    if is_terkunci_untuk(periode, pegawai_id):
        raise PenilaianError(pesan_terkunci(periode))


def kunci_evaluasi(evaluasi: Evaluasi, versi: int | None = None) -> Evaluasi:
    """Row lock (SELECT … FOR UPDATE) and reload; a stale `versi` is refused. Call inside
    transaction.atomic: two tabs or two concurrent POSTs serialise here, the second one then
    sees the first one's status."""
    fresh = Evaluasi.objects.select_for_update().get(pk=evaluasi.pk)
    if versi is not None and fresh.versi != versi:
        raise KonflikVersi()
    for f in ("status", "versi", "rating_hasil", "rating_perilaku", "predikat", "catatan_pengembalian", "skp_id",
              "dikirim_pada", "dinilai_pada", "dinilai_oleh_id"):  # fmt: skip
        setattr(evaluasi, f, getattr(fresh, f))
    return evaluasi


# SKP in force and the evaluation rows of a period ------------------------------------------------


def skp_berlaku(pegawai_id: int, periode: Periode) -> list[Skp]:
    """Approved SKP versions in force during the period, oldest first (SPEC §5: a month belongs
    to the SKP(s) in force during it)."""
    return list(
        Skp.objects.filter(
            pegawai_id=pegawai_id,
            status=Skp.Status.DISETUJUI,
            mulai__lte=periode.selesai,
            selesai__gte=periode.mulai,
        )
        .select_related("jabatan")
        .order_by("mulai")
    )


@transaction.atomic
def pastikan_evaluasi(pegawai: Pegawai, periode: Periode) -> list[Evaluasi]:
    """The evaluation rows of the pegawai's period, one per SKP in force, created when missing.
    The one whose SKP starts last (in force on the period's last day) is the period's result.
    An evaluation belongs to an SKP lineage, not to one version: a rated (or locked) month keeps
    the version it was rated on after a revision, and is still that lineage's evaluation.
    Idempotent and safe under concurrency (the pegawai row is locked)."""
    Pegawai.objects.select_for_update().filter(pk=pegawai.pk).first()
    daftar = skp_berlaku(pegawai.pk, periode)
    existing: dict[int, Evaluasi] = {}
    for e in Evaluasi.objects.filter(periode=periode, pegawai_id=pegawai.pk).select_related("skp").order_by("pk"):
        existing.setdefault(e.skp.lineage_root_id, e)
    result = []
    terakhir = daftar[-1].lineage_root_id if daftar else None
    for skp in daftar:
        mulai = max(skp.mulai, periode.mulai)
        selesai = min(skp.selesai, periode.selesai)
        ev = existing.pop(skp.lineage_root_id, None)
        if ev is None:
            ev = Evaluasi(
                periode=periode, pegawai=pegawai, skp=skp, mulai=mulai, selesai=selesai,
                hasil_bulan=False, snap_opd_id=pegawai.opd_id,
            )  # fmt: skip
            isi_snapshot_pegawai(ev, pegawai)
            ev.save()
        elif (ev.mulai, ev.selesai) != (mulai, selesai):
            Evaluasi.objects.filter(pk=ev.pk).update(mulai=mulai, selesai=selesai)
            ev.mulai, ev.selesai = mulai, selesai
        result.append(ev)
    # Exactly one result row: the SKP in force last. Clear first (partial unique constraint).
    rows = [*result, *existing.values()]
    salah = [e.pk for e in rows if e.hasil_bulan and e.skp.lineage_root_id != terakhir]
    if salah:
        Evaluasi.objects.filter(pk__in=salah).update(hasil_bulan=False)
    for e in rows:
        if e.pk in salah:
            e.hasil_bulan = False
    for e in result:
        if e.skp.lineage_root_id == terakhir and not e.hasil_bulan:
            Evaluasi.objects.filter(pk=e.pk).update(hasil_bulan=True)
            e.hasil_bulan = True
    return result


def isi_snapshot_pegawai(ev: Evaluasi, pegawai: Pegawai) -> None:
    jabatan = pegawai.jabatan
    ev.snap_opd_id = pegawai.opd_id
    data = snapshot_of(pegawai)
    skp_jabatan_id = ev.skp.jabatan_id if ev.skp_id else None
    if skp_jabatan_id and skp_jabatan_id != pegawai.jabatan_id:
        # The part of a period under an SKP closed at a jabatan change (SPEC §5): the pegawai
        # held that SKP's jabatan then, whatever they hold today.
        jabatan = Jabatan.objects.select_related("opd", "unit").get(pk=skp_jabatan_id)
        ev.snap_opd_id = jabatan.opd_id or pegawai.opd_id
        data.update(
            jabatan=jabatan.nama, jenis_jabatan=jabatan.get_jenis_display(),
            unit=jabatan.unit.nama if jabatan.unit_id else "", opd=jabatan.opd.nama if jabatan.opd_id else data["opd"],
        )  # fmt: skip
    ev.snap_kelas_jabatan = jabatan.kelas_jabatan if jabatan else None
    ev.snap_golongan = pegawai.golongan or ""
    ev.snap_kedudukan_hukum = pegawai.kedudukan_hukum
    data["kelas_jabatan"] = jabatan.kelas_jabatan if jabatan and jabatan.kelas_jabatan else ""
    data["kedudukan_hukum"] = pegawai.get_kedudukan_hukum_display()
    ev.snapshot_pegawai = data


def potret(ev: Evaluasi, *, penilai: Pegawai | None = None) -> list[str]:
    """Refresh the snapshot (pegawai, penilai, atasan penilai) from today's data; returns the
    snapshot fields for `save(update_fields=…)`. Taken when the pegawai submits and again when
    the penilai rates (normally after the period's last day, so it is the data of that day)."""
    pegawai = Pegawai.objects.select_related("jabatan", "unit", "opd").get(pk=ev.pegawai_id)
    isi_snapshot_pegawai(ev, pegawai)
    if penilai is None:
        penilai = resolve_penilai(pegawai)
    if penilai is not None:
        penilai = Pegawai.objects.select_related("jabatan", "unit", "opd").get(pk=penilai.pk)
    atasan = resolve_penilai(penilai) if penilai is not None else None
    if atasan is not None:
        atasan = Pegawai.objects.select_related("jabatan", "unit", "opd").get(pk=atasan.pk)
    ev.snapshot_penilai = snapshot_of(penilai)
    ev.snapshot_atasan_penilai = snapshot_of(atasan)
    return ["snap_opd", "snap_kelas_jabatan", "snap_golongan", "snap_kedudukan_hukum", "snapshot_pegawai",
            "snapshot_penilai", "snapshot_atasan_penilai"]  # fmt: skip


def periode_sekarang(today: datetime.date | None = None) -> Periode | None:
    """The open month the pegawai works in: the current month if opened, else the latest opened
    month before it."""
    today = today or timezone.localdate()
    return (
        Periode.objects.bulanan()
        .filter(Q(tahun__lt=today.year) | Q(tahun=today.year, bulan__lte=today.month))
        .order_by("-tahun", "-bulan")
        .first()
    )


# Access (SPEC §9) ---------------------------------------------------------------------------------


def evaluasi_visible_to(user: Pegawai) -> QuerySet[Evaluasi]:
    """Own evaluations; those of the pegawai the user rates today (incl. an active Plt/Plh, not
    after it ends); admin OPD and pimpinan: their OPDs (by the OPD of then or of today); admin
    BKD, auditor, superuser: all. One SQL filter."""
    qs = Evaluasi.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.can_read_all():
        return qs
    q = Q(pegawai_id=user.pk)
    bawahan_ids = user.bawahan_langsung_ids()
    if bawahan_ids:
        q |= Q(pegawai_id__in=bawahan_ids)
    opd_ids = {*user.admin_opd_ids, *user.pimpinan_opd_ids()}
    if opd_ids:
        q |= Q(snap_opd_id__in=opd_ids) | Q(pegawai__opd_id__in=opd_ids)
    return qs.filter(q)


def get_evaluasi_for(user: Pegawai, pk: int) -> Evaluasi:
    ev = (
        evaluasi_visible_to(user)
        .select_related(
            "periode", "pegawai", "pegawai__jabatan", "pegawai__opd", "pegawai__unit", "skp", "dinilai_oleh"
        )
        .filter(pk=pk)
        .first()
    )
    if ev is None:
        raise Http404("Evaluasi tidak ditemukan.")
    return ev


def is_penilai_sekarang(ev: Evaluasi, user: Pegawai) -> bool:
    """The current penilai of the pegawai (resolved now: an active Plt/Plh counts, a former one
    does not); never the pegawai themself (separation of duties)."""
    if not user.is_authenticated or user.pk == ev.pegawai_id:
        return False
    penilai = resolve_penilai(ev.pegawai)
    return penilai is not None and penilai.pk == user.pk


def boleh_membuka_kunci(user: Pegawai, pegawai: Pegawai) -> bool:
    """Admin BKD (any OPD) or the pegawai's admin OPD; never for themself."""
    return user.is_authenticated and user.pk != pegawai.pk and user.can_manage_people_of(pegawai.opd_id)


# Kurva distribusi (SPEC §6) ---------------------------------------------------------------------

URUTAN_PREDIKAT = tuple(Predikat)
_WARNA = {
    Predikat.SANGAT_BAIK: "#198754",
    Predikat.BAIK: "#0d6efd",
    Predikat.BUTUH_PERBAIKAN: "#e0a800",
    Predikat.KURANG: "#fd7e14",
    Predikat.SANGAT_KURANG: "#dc3545",
}


@dataclass
class KurvaOpd:
    opd_id: int
    opd_nama: str
    periode: Periode
    capaian: CapaianOrganisasi | None
    jumlah: dict[Predikat, int] = field(default_factory=dict)
    kinerja: KinerjaOrganisasi | None = None

    @property
    def n(self) -> int:
        return sum(self.jumlah.values())

    @property
    def pelanggaran(self) -> list[str]:
        if self.capaian is None:
            return []
        return rules.pelanggaran_kurva(self.capaian, self.jumlah)

    @property
    def baris(self) -> list[dict]:
        """One row per predikat: count, percent and the bar's geometry in the SVG's units
        (templates/penilaian/_kurva.html: 500 wide, baseline at y=180, bars up to 150 high)."""
        n = self.n
        puncak = max(self.jumlah.values(), default=0) or 1
        rows = []
        for i, p in enumerate(URUTAN_PREDIKAT):
            jumlah = self.jumlah.get(p, 0)
            h = round(jumlah * 150 / puncak, 1)
            kata = p.label.split(" ", 1)
            rows.append(
                {
                    "predikat": p,
                    "jumlah": jumlah,
                    "persen": jumlah * 100 / n if n else 0,
                    "x": 18 + i * 96,
                    "tengah": 50 + i * 96,
                    "y": 180 - h,
                    "h": h,
                    "y_label": 180 - h - 6,
                    "warna": _WARNA[p],
                    "label_1": kata[0],
                    "label_2": kata[1] if len(kata) > 1 else "",
                }
            )
        return rows

    @property
    def is_final(self) -> bool:
        return self.kinerja is not None and self.kinerja.is_final


def _jumlah_per_opd(periode: Periode, opd_ids: Iterable[int] | None = None) -> dict[int, dict[Predikat, int]]:
    qs = Evaluasi.objects.filter(periode=periode, hasil_bulan=True, status=Evaluasi.Status.DINILAI)
    if opd_ids is not None:
        qs = qs.filter(snap_opd_id__in=list(opd_ids))
    result: dict[int, dict[Predikat, int]] = {}
    for opd_id, predikat, jumlah in qs.values_list("snap_opd_id", "predikat").annotate(jumlah=Count("pk")).order_by():
        result.setdefault(opd_id, {})[Predikat(predikat)] = jumlah
    return result


def kurva_opd(periode: Periode, opd, *, ganti: tuple[int, Predikat | str | None] | None = None) -> KurvaOpd:
    """The OPD's curve for the period (3 queries). `ganti=(evaluasi_id, predikat)`: the curve as
    it would be with that evaluation rated so (the penilai sees it before saving)."""
    jumlah = _jumlah_per_opd(periode, [opd.pk]).get(opd.pk, {})
    if ganti is not None:
        ev_id, baru = ganti
        lama = (
            Evaluasi.objects.filter(pk=ev_id, periode=periode, hasil_bulan=True, status=Evaluasi.Status.DINILAI)
            .values_list("predikat", flat=True)
            .first()
        )
        if lama:
            jumlah[Predikat(lama)] = jumlah.get(Predikat(lama), 0) - 1
        if baru:
            jumlah[Predikat(baru)] = jumlah.get(Predikat(baru), 0) + 1
    kinerja = KinerjaOrganisasi.objects.filter(periode=periode, opd=opd).first()
    return KurvaOpd(
        opd_id=opd.pk, opd_nama=opd.nama, periode=periode,
        capaian=CapaianOrganisasi(kinerja.capaian) if kinerja else None,
        jumlah={p: j for p, j in jumlah.items() if j}, kinerja=kinerja,
    )  # fmt: skip


def kurva_semua_opd(periode: Periode, opds: Iterable) -> list[KurvaOpd]:
    """Every OPD's curve for the period in 2 queries (the regency overview)."""
    opds = list(opds)
    jumlah = _jumlah_per_opd(periode)
    kinerja = {k.opd_id: k for k in KinerjaOrganisasi.objects.filter(periode=periode)}
    return [
        KurvaOpd(
            opd_id=o.pk,
            opd_nama=o.nama,
            periode=periode,
            capaian=CapaianOrganisasi(kinerja[o.pk].capaian) if o.pk in kinerja else None,
            jumlah=jumlah.get(o.pk, {}),
            kinerja=kinerja.get(o.pk),
        )
        for o in opds
    ]
