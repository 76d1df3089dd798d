"""SKP workflows (SPEC §4): create, copy, edit RHK/IKI/links, submit, approve, return, revise,
close, delete.

Every function is atomic, checks who acts and the state, raises SkpError with a message fit for
the user, writes exactly one audit row (object = the Skp row) and returns the object.

Concurrency: services that take `versi` bump it with a conditional UPDATE (a stale value from
another tab raises KonflikVersi); status transitions use the same conditional UPDATE on the
expected status, so a double submit/approve changes nothing twice.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F, Max, ProtectedError, QuerySet
from django.utils import timezone

from opd import audit
from opd.models import AuditLog, JenisJabatan, Pegawai
from opd.services import resolve_penilai
from skp import rules
from skp.models import IndikatorKinerja, IntervensiRhk, PerilakuKerja, RencanaHasilKerja, Skp


class SkpError(Exception):
    """A rule of the SKP workflow is broken; the message is shown to the user as-is."""


class KonflikVersi(SkpError):
    """The SKP changed since the form was loaded (another tab or window)."""

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or "SKP ini telah diubah di tab/jendela lain sejak halaman ini dibuka. Muat ulang halaman, "
            "lalu ulangi perubahan Anda."
        )


@dataclass(frozen=True)
class IkiData:
    uraian: str
    aspek: str = ""
    target_min: Decimal | None = None
    target_max: Decimal | None = None
    satuan: str = ""
    target_kualitatif: str = ""


@dataclass(frozen=True)
class LinkData:
    rhk_atasan_id: int
    jenis_cascading: str


S = Skp.Status
EDITABLE = (S.DRAFT, S.DIKEMBALIKAN)
OPEN = (S.DRAFT, S.DIAJUKAN, S.DIKEMBALIKAN)

_BULAN = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def tanggal(day: datetime.date) -> str:
    """31 Januari 2026."""
    return f"{day.day} {_BULAN[day.month - 1]} {day.year}"


def periode_text(mulai: datetime.date, selesai: datetime.date) -> str:
    return f"{tanggal(mulai)} – {tanggal(selesai)}"


# Snapshots and periods -------------------------------------------------------------------------


def snapshot_of(pegawai: Pegawai | None) -> dict:
    """Plain strings (JSON) describing the pegawai as of now (SPEC §2: history is never rewritten)."""
    if pegawai is None:
        return {}
    jabatan = pegawai.jabatan
    return {
        "id": str(pegawai.pk),
        "nama": pegawai.nama_lengkap,
        "nip": pegawai.nip,
        "golongan": pegawai.golongan or "",
        "pangkat": pegawai.pangkat or "",
        "golongan_pangkat": pegawai.golongan_pangkat if pegawai.golongan else "",
        "jabatan": jabatan.nama if jabatan else "",
        "jenis_jabatan": jabatan.get_jenis_display() if jabatan else "",
        "unit": pegawai.unit.nama if pegawai.unit_id else "",
        "opd": pegawai.opd.nama if pegawai.opd_id else "",
    }


def periode_default(pegawai: Pegawai, tahun: int) -> tuple[datetime.date, datetime.date]:
    """1 Januari–31 Desember, starting the day after the latest earlier lineage of that year
    ends (a pegawai whose SKP was closed at a jabatan change gets the rest of the year)."""
    mulai, selesai = datetime.date(tahun, 1, 1), datetime.date(tahun, 12, 31)
    last_end = (
        Skp.objects.filter(pegawai=pegawai, induk__isnull=True, tahun=tahun, selesai__lt=selesai)
        .aggregate(m=Max("selesai"))
        .get("m")
    )
    if last_end is not None:
        mulai = last_end + datetime.timedelta(days=1)
    return mulai, selesai


def _periode(
    pegawai: Pegawai, tahun: int, mulai: datetime.date | None, selesai: datetime.date | None
) -> tuple[datetime.date, datetime.date]:
    """The asked period, its missing ends filled from `periode_default` (queried only then)."""
    if mulai is None or selesai is None:
        default_mulai, default_selesai = periode_default(pegawai, tahun)
        mulai = mulai or default_mulai
        selesai = selesai or default_selesai
    return mulai, selesai


def _overlap_message(existing: Skp) -> str:
    current = Skp.objects.lineage(existing.lineage_root_id).filter(status=S.DISETUJUI).first() or existing
    return (
        f"Sudah ada SKP periode {periode_text(existing.mulai, existing.selesai)} "
        f"(status {current.get_status_display().lower()}). Satu pegawai tidak boleh memiliki dua SKP "
        "dengan periode yang beririsan."
    )


def _check_periode(pegawai: Pegawai, tahun: int, mulai: datetime.date, selesai: datetime.date) -> None:
    if not (mulai.year == selesai.year == tahun):
        raise SkpError(f"Periode SKP harus berada di dalam tahun {tahun}.")
    if mulai > selesai:
        raise SkpError("Tanggal mulai periode tidak boleh setelah tanggal selesai.")
    existing = (
        Skp.objects.filter(pegawai=pegawai, induk__isnull=True, mulai__lte=selesai, selesai__gte=mulai)
        .order_by("mulai")
        .first()
    )
    if existing is not None:
        raise SkpError(_overlap_message(existing))


def _check_can_have_skp(pegawai: Pegawai, by: Pegawai) -> None:
    if by.pk != pegawai.pk:
        raise SkpError("SKP hanya dapat disusun oleh pegawai yang bersangkutan.")
    if pegawai.jenis_asn == Pegawai.JenisAsn.NON_ASN:
        raise SkpError("Akun non-ASN (pejabat negara atau akun sistem) tidak menyusun SKP.")
    if pegawai.jabatan_id is None:
        raise SkpError("Anda belum memiliki jabatan. Hubungi admin OPD untuk melengkapi data jabatan Anda.")
    if pegawai.jabatan.jenis == JenisJabatan.PEJABAT_NEGARA:
        raise SkpError("Pejabat negara tidak menyusun SKP.")


def _insert_skp(pegawai: Pegawai, *, tahun: int, pendekatan: str, mulai: datetime.date, selesai: datetime.date,
                **extra) -> Skp:  # fmt: skip
    """Insert a lineage root; the DB constraints (unique start, PostgreSQL exclusion) close the
    race of two tabs creating at once."""
    try:
        with transaction.atomic():
            skp = Skp.objects.create(
                pegawai=pegawai,
                jabatan=pegawai.jabatan,
                tahun=tahun,
                mulai=mulai,
                selesai=selesai,
                pendekatan=pendekatan,
                **extra,
            )
    except IntegrityError:
        existing = (
            Skp.objects.filter(pegawai=pegawai, induk__isnull=True, mulai__lte=selesai, selesai__gte=mulai)
            .order_by("mulai")
            .first()
        )
        if existing is not None:
            raise SkpError(_overlap_message(existing)) from None
        raise
    _create_perilaku(skp)
    return skp


def _create_perilaku(skp: Skp, ekspektasi: dict[str, str] | None = None) -> None:
    """The seven BerAKHLAK rows of a new SKP, with the ekspektasi khusus a revision carries over."""
    ekspektasi = ekspektasi or {}
    PerilakuKerja.objects.bulk_create(
        PerilakuKerja(skp=skp, nilai=kode, urutan=i, ekspektasi_khusus=ekspektasi.get(kode, ""))
        for i, (kode, _nama) in enumerate(rules.BERAKHLAK_CHOICES, 1)
    )


def _check_pendekatan(pendekatan: str) -> None:
    if pendekatan not in Skp.Pendekatan.values:
        raise SkpError("Pilih pendekatan SKP: kuantitatif atau kualitatif.")


@transaction.atomic
def create_skp(
    pegawai: Pegawai,
    *,
    by: Pegawai,
    tahun: int,
    pendekatan: str,
    mulai: datetime.date | None = None,
    selesai: datetime.date | None = None,
) -> Skp:
    _check_can_have_skp(pegawai, by)
    _check_pendekatan(pendekatan)
    mulai, selesai = _periode(pegawai, tahun, mulai, selesai)
    _check_periode(pegawai, tahun, mulai, selesai)
    skp = _insert_skp(pegawai, tahun=tahun, pendekatan=pendekatan, mulai=mulai, selesai=selesai)
    audit.record(
        skp,
        "skp_dibuat",
        by=by,
        perubahan={"status": (None, skp.status), "periode": (None, periode_text(mulai, selesai))},
    )
    return skp


def _copy_rhk(sumber: Skp, target: Skp, *, with_links: bool) -> dict[int, RencanaHasilKerja]:
    """Copy RHK (+IKI, optionally links) of `sumber` into `target`, each copy's `asal` = its
    source row. Returns source rhk id → copy."""
    sources = list(sumber.rhk_set.prefetch_related("iki_set", "link_atas").order_by("jenis", "urutan", "pk"))
    copies = RencanaHasilKerja.objects.bulk_create(
        RencanaHasilKerja(skp=target, jenis=r.jenis, urutan=r.urutan, uraian=r.uraian, perspektif=r.perspektif, asal=r)
        for r in sources
    )
    mapping = {src.pk: copy for src, copy in zip(sources, copies, strict=True)}
    iki_rows = []
    link_rows = []
    for src in sources:
        copy = mapping[src.pk]
        for iki in src.iki_set.all():
            iki_rows.append(
                IndikatorKinerja(
                    rhk=copy,
                    urutan=iki.urutan,
                    uraian=iki.uraian,
                    aspek=iki.aspek,
                    target_min=iki.target_min,
                    target_max=iki.target_max,
                    satuan=iki.satuan,
                    target_kualitatif=iki.target_kualitatif,
                )
            )
        if with_links:
            for link in src.link_atas.all():
                link_rows.append(
                    IntervensiRhk(rhk=copy, rhk_atasan_id=link.rhk_atasan_id, jenis_cascading=link.jenis_cascading)
                )
    IndikatorKinerja.objects.bulk_create(iki_rows)
    IntervensiRhk.objects.bulk_create(link_rows)
    return mapping


_LAMPIRAN = ("lampiran_dukungan_sumber_daya", "lampiran_skema_pertanggungjawaban", "lampiran_konsekuensi")


@transaction.atomic
def copy_skp(sumber: Skp, *, by: Pegawai, tahun: int, mulai: datetime.date | None = None,
             selesai: datetime.date | None = None) -> Skp:  # fmt: skip
    """Salin SKP tahun lalu: a new DRAFT with RHK and IKI copied; links are not copied (they
    point to RHK of another year), so each RHK utama must be linked again."""
    pegawai = sumber.pegawai
    _check_can_have_skp(pegawai, by)
    if sumber.tahun == tahun:
        raise SkpError("Pilih SKP dari tahun lain sebagai sumber salinan.")
    mulai, selesai = _periode(pegawai, tahun, mulai, selesai)
    _check_periode(pegawai, tahun, mulai, selesai)
    skp = _insert_skp(
        pegawai,
        tahun=tahun,
        pendekatan=sumber.pendekatan,
        mulai=mulai,
        selesai=selesai,
        **{f: getattr(sumber, f) for f in _LAMPIRAN},
    )
    _copy_rhk(sumber, skp, with_links=False)
    audit.record(
        skp,
        "skp_disalin",
        by=by,
        perubahan={"status": (None, skp.status), "disalin_dari": (None, f"SKP {sumber.tahun} (#{sumber.pk})")},
    )
    return skp


# Locking helpers -------------------------------------------------------------------------------


def _lock(skp: Skp, versi: int, *, statuses: Iterable[str] = EDITABLE) -> int:
    """Bump `versi` if it is still `versi` and the status is one of `statuses`; else raise."""
    statuses = list(statuses)
    updated = Skp.objects.filter(pk=skp.pk, versi=versi, status__in=statuses).update(
        versi=F("versi") + 1, diubah_pada=timezone.now()
    )
    if updated:
        return versi + 1
    current = Skp.objects.filter(pk=skp.pk).values("versi", "status").first()
    if current is None:
        raise SkpError("SKP ini sudah dihapus.")
    if current["versi"] != versi:
        raise KonflikVersi()
    raise SkpError(f"SKP berstatus {S(current['status']).label.lower()} sehingga tidak dapat diubah.")


def _check_owner_edit(skp: Skp, by: Pegawai) -> None:
    if by.pk != skp.pegawai_id:
        raise SkpError("Hanya pegawai pemilik SKP yang dapat mengubahnya.")
    if not skp.is_editable_state:
        raise SkpError(f"SKP berstatus {skp.get_status_display().lower()} sehingga tidak dapat diubah.")


def _transition(skp: Skp, *, expected: Iterable[str], **values) -> None:
    """Conditional status UPDATE: only from an expected status (a second identical request
    finds the status already changed and raises)."""
    updated = Skp.objects.filter(pk=skp.pk, status__in=list(expected)).update(
        versi=F("versi") + 1, diubah_pada=timezone.now(), **values
    )
    if not updated:
        raise SkpError(_already_message(skp))
    _reload(skp)


# An SKP row never changes its pegawai, jabatan or lineage: reloading skips them so the objects
# already loaded (pegawai for the audit row, jabatan for is_jpt) need no query again.
_IMMUTABLE = frozenset({"pegawai", "jabatan", "induk"})
_RELOAD_FIELDS = tuple(f.name for f in Skp._meta.concrete_fields if f.name not in _IMMUTABLE)


def _reload(skp: Skp) -> None:
    skp.refresh_from_db(fields=_RELOAD_FIELDS)


def _is_current_penilai(skp: Skp, user: Pegawai, *, pegawai: Pegawai | None = None) -> bool:
    """Resolved now, never cached: a Plt/Plh assigned a minute ago counts. `pegawai`: the
    SKP's pegawai when the caller has just loaded it (with its jabatan)."""
    if user.pk == skp.pegawai_id:
        return False
    penilai = resolve_penilai(pegawai or skp.pegawai)
    return penilai is not None and penilai.pk == user.pk


def _already_message(skp: Skp) -> str:
    status = Skp.objects.filter(pk=skp.pk).values_list("status", flat=True).first()
    if status is None:
        return "SKP ini sudah dihapus."
    return {
        S.DIAJUKAN: "SKP sudah diajukan.",
        S.DISETUJUI: "SKP sudah disetujui.",
        S.DIKEMBALIKAN: "SKP sudah dikembalikan.",
        S.DIGANTI: "SKP ini sudah diganti oleh revisi yang lebih baru.",
        S.DRAFT: "SKP masih berupa draf dan belum diajukan.",
    }[S(status)]


# Edits of the draft ----------------------------------------------------------------------------


@transaction.atomic
def update_skp(
    skp: Skp,
    *,
    by: Pegawai,
    versi: int,
    pendekatan: str,
    lampiran_dukungan_sumber_daya: str,
    lampiran_skema_pertanggungjawaban: str,
    lampiran_konsekuensi: str,
) -> Skp:
    _check_owner_edit(skp, by)
    _check_pendekatan(pendekatan)
    new_versi = _lock(skp, versi)
    new_values = {
        "pendekatan": pendekatan,
        "lampiran_dukungan_sumber_daya": lampiran_dukungan_sumber_daya.strip(),
        "lampiran_skema_pertanggungjawaban": lampiran_skema_pertanggungjawaban.strip(),
        "lampiran_konsekuensi": lampiran_konsekuensi.strip(),
    }
    changes = audit.diff(skp, new_values)
    if "pendekatan" in changes:
        iki = IndikatorKinerja.objects.filter(rhk__skp=skp)
        other_kind = (
            iki.filter(target_min__isnull=False)
            if pendekatan == Skp.Pendekatan.KUALITATIF
            else iki.filter(target_min__isnull=True)
        )
        if other_kind.exists():
            raise SkpError(
                "Pendekatan tidak dapat diubah karena sudah ada IKI dengan target "
                f"{'kuantitatif' if pendekatan == Skp.Pendekatan.KUALITATIF else 'kualitatif'}. "
                "Sesuaikan atau hapus IKI tersebut terlebih dahulu."
            )
    for field, value in new_values.items():
        setattr(skp, field, value)
    skp.versi = new_versi
    skp.save(update_fields=[*new_values, "diubah_pada"])
    if changes:
        audit.record(skp, "skp_diubah", by=by, perubahan=changes)
    return skp


_IKI_FIELDS = ("uraian", "aspek", "target_min", "target_max", "satuan", "target_kualitatif")


def _clean_iki(skp: Skp, iki: list[IkiData]) -> list[dict]:
    if not iki:
        raise SkpError("Setiap RHK wajib memiliki minimal satu Indikator Kinerja Individu (IKI).")
    rows = []
    for n, item in enumerate(iki, 1):
        label = f"IKI {n}" if len(iki) > 1 else "IKI"
        uraian = (item.uraian or "").strip()
        if not uraian:
            raise SkpError(f"{label}: uraian indikator wajib diisi.")
        if skp.is_kualitatif:
            kalimat = (item.target_kualitatif or "").strip()
            if not kalimat:
                raise SkpError(f"{label}: target kualitatif wajib diisi dengan kalimat.")
            rows.append({"uraian": uraian, "aspek": "", "target_kualitatif": kalimat,
                         "target_min": None, "target_max": None, "satuan": ""})  # fmt: skip
            continue
        if item.aspek not in IndikatorKinerja.Aspek.values:
            raise SkpError(f"{label}: pilih aspek (kuantitas, kualitas, waktu, atau biaya).")
        try:
            minimum = None if item.target_min is None else Decimal(item.target_min)
            maksimum = None if item.target_max is None else Decimal(item.target_max)
            target = rules.validate_target(minimum, maksimum, item.satuan)
        except rules.TargetError as exc:
            raise SkpError(f"{label}: {exc}") from None
        except (ArithmeticError, ValueError, TypeError):
            raise SkpError(f"{label}: target harus berupa angka.") from None
        if (
            not target.minimum.is_finite()
            or target.minimum >= Decimal("1e14")
            or (target.maksimum is not None and (not target.maksimum.is_finite() or target.maksimum >= Decimal("1e14")))
        ):
            raise SkpError(f"{label}: target terlalu besar.")
        rows.append({
            "uraian": uraian, "aspek": item.aspek, "target_kualitatif": "",
            "target_min": target.minimum, "target_max": target.maksimum, "satuan": target.satuan[:50],
        })  # fmt: skip
    return rows


def _allowed_atasan_ids(skp: Skp, penilai: Pegawai | None) -> set[int]:
    """The ids of `rhk_atasan_choices` in one narrow query (no objects, no IKI)."""
    if penilai is None:
        return set()
    rows = list(_atasan_rhk(skp, penilai).values_list("pk", "skp_id", "skp__induk_id", "skp__status"))
    approved_lineages = {induk_id or skp_id for _pk, skp_id, induk_id, status in rows if status == S.DISETUJUI}
    return {
        pk
        for pk, skp_id, induk_id, status in rows
        if status == S.DISETUJUI or (induk_id or skp_id) not in approved_lineages
    }


def _clean_links(skp: Skp, jenis: str, links: list[LinkData]) -> list[LinkData]:
    if not links:
        return []
    if jenis == RencanaHasilKerja.Jenis.TAMBAHAN:
        raise SkpError("RHK tambahan tidak dihubungkan dengan RHK atasan; hapus pilihan RHK atasan.")
    if skp.is_jpt:
        raise SkpError(
            "RHK pejabat pimpinan tinggi (JPT) diturunkan dari Perjanjian Kinerja dan tidak dihubungkan "
            "dengan RHK atasan."
        )
    allowed = _allowed_atasan_ids(skp, resolve_penilai(skp.pegawai))
    seen: set[int] = set()
    clean = []
    for link in links:
        if link.jenis_cascading not in IntervensiRhk.Cascading.values:
            raise SkpError("Pilih jenis cascading: langsung atau tidak langsung.")
        if link.rhk_atasan_id not in allowed:
            raise SkpError(
                "RHK atasan yang dipilih bukan RHK pada SKP pejabat penilai Anda saat ini untuk tahun "
                f"{skp.tahun} (yang sudah diajukan atau disetujui). Muat ulang halaman dan pilih lagi."
            )
        if link.rhk_atasan_id in seen:
            raise SkpError("RHK atasan yang sama dipilih lebih dari sekali.")
        seen.add(link.rhk_atasan_id)
        clean.append(link)
    return clean


@transaction.atomic
def save_rhk(
    skp: Skp,
    *,
    by: Pegawai,
    versi: int,
    rhk: RencanaHasilKerja | None,
    jenis: str,
    uraian: str,
    perspektif: str = "",
    iki: list[IkiData],
    links: list[LinkData],
) -> RencanaHasilKerja:
    """Add (rhk=None) or replace an RHK with its IKI and links, all validated first."""
    _check_owner_edit(skp, by)
    if rhk is not None and rhk.skp_id != skp.pk:
        raise SkpError("RHK ini bukan bagian dari SKP ini.")
    if jenis not in RencanaHasilKerja.Jenis.values:
        raise SkpError("Pilih jenis RHK: utama atau tambahan.")
    uraian = (uraian or "").strip()
    if not uraian:
        raise SkpError("Uraian rencana hasil kerja wajib diisi.")
    perspektif = (perspektif or "").strip()[:100]
    iki_rows = _clean_iki(skp, iki)
    clean_links = _clean_links(skp, jenis, links)
    new_versi = _lock(skp, versi)

    # Read after the lock: another tab's edit of this SKP waits for it, then fails on `versi`.
    if rhk is None:
        old_repr = None
        urutan = (skp.rhk_set.filter(jenis=jenis).aggregate(m=Max("urutan"))["m"] or 0) + 1
        rhk = RencanaHasilKerja.objects.create(
            skp=skp, jenis=jenis, urutan=urutan, uraian=uraian, perspektif=perspektif
        )
        existing_iki: list[IndikatorKinerja] = []
        current: dict[int, IntervensiRhk] = {}
    else:
        rhk = RencanaHasilKerja.objects.get(pk=rhk.pk)
        old_repr = f"{rhk.get_jenis_display()}: {rhk.uraian}"
        existing_iki = list(rhk.iki_set.order_by("urutan", "pk"))
        current = {link.rhk_atasan_id: link for link in rhk.link_atas.all()}
        if rhk.jenis != jenis:
            rhk.urutan = (skp.rhk_set.filter(jenis=jenis).aggregate(m=Max("urutan"))["m"] or 0) + 1
        rhk.jenis, rhk.uraian, rhk.perspektif = jenis, uraian, perspektif
        rhk.save(update_fields=["jenis", "uraian", "perspektif", "urutan"])
    old_iki = [f"{i.uraian} ({i.target_display})" for i in existing_iki]
    old_links = sorted(current)

    # IKI: update in place by position (keeps their ids), then add or remove the rest.
    to_update, to_create = [], []
    for n, values in enumerate(iki_rows, 1):
        if existing_iki:
            row = existing_iki.pop(0)
            for field, value in values.items():
                setattr(row, field, value)
            row.urutan = n
            to_update.append(row)
        else:
            to_create.append(IndikatorKinerja(rhk=rhk, urutan=n, **values))
    IndikatorKinerja.objects.bulk_update(to_update, ["urutan", *_IKI_FIELDS])
    IndikatorKinerja.objects.bulk_create(to_create)
    if existing_iki:
        IndikatorKinerja.objects.filter(pk__in=[i.pk for i in existing_iki]).delete()

    # Links: keep, update, add, remove.
    wanted = {link.rhk_atasan_id: link.jenis_cascading for link in clean_links}
    if set(current) - set(wanted):
        IntervensiRhk.objects.filter(rhk=rhk).exclude(rhk_atasan_id__in=list(wanted)).delete()
    new_links, changed_links = [], []
    for atasan_id, cascading in wanted.items():
        link = current.get(atasan_id)
        if link is None:
            new_links.append(IntervensiRhk(rhk=rhk, rhk_atasan_id=atasan_id, jenis_cascading=cascading))
        elif link.jenis_cascading != cascading:
            link.jenis_cascading = cascading
            changed_links.append(link)
    IntervensiRhk.objects.bulk_update(changed_links, ["jenis_cascading"])
    IntervensiRhk.objects.bulk_create(new_links)

    skp.versi = new_versi
    new_iki = [
        f"{v['uraian']} ({v['target_kualitatif'] or rules.format_target(v['target_min'], v['target_max'], v['satuan'])})"
        for v in iki_rows
    ]
    perubahan = {"rhk": (old_repr, f"{rhk.get_jenis_display()}: {uraian}")}
    if old_iki != new_iki:
        perubahan["iki"] = (old_iki, new_iki)
    if old_links != sorted(wanted):
        perubahan["rhk_atasan"] = (old_links, sorted(wanted))
    audit.record(skp, "rhk_disimpan", by=by, perubahan=perubahan)
    return rhk


@transaction.atomic
def delete_rhk(rhk: RencanaHasilKerja, *, by: Pegawai, versi: int) -> None:
    skp = Skp.objects.select_related("pegawai", "jabatan").get(pk=rhk.skp_id)
    _check_owner_edit(skp, by)
    new_versi = _lock(skp, versi)
    dependants = list(
        IntervensiRhk.objects.filter(rhk_atasan=rhk).select_related("rhk__skp__pegawai").order_by("pk")[:3]
    )
    if dependants:
        names = ", ".join(sorted({d.rhk.skp.pegawai.nama_lengkap for d in dependants}))
        raise SkpError(f"RHK ini sudah diintervensi oleh RHK bawahan ({names}); ubah RHK tersebut, jangan dihapus.")
    uraian = f"{rhk.get_jenis_display()}: {rhk.uraian}"
    try:
        rhk.delete()
    except ProtectedError:  # pragma: no cover - guarded above
        raise SkpError("RHK ini masih dirujuk oleh data lain sehingga tidak dapat dihapus.") from None
    skp.versi = new_versi
    audit.record(skp, "rhk_dihapus", by=by, perubahan={"rhk": (uraian, None)})


@transaction.atomic
def move_rhk(rhk: RencanaHasilKerja, *, by: Pegawai, versi: int, arah: Literal["naik", "turun"]) -> None:
    """Swap the RHK with its neighbour (same jenis) above or below."""
    skp = Skp.objects.select_related("pegawai", "jabatan").get(pk=rhk.skp_id)
    _check_owner_edit(skp, by)
    if arah not in ("naik", "turun"):
        raise SkpError("Arah pemindahan tidak dikenal.")
    new_versi = _lock(skp, versi)
    rows = list(skp.rhk_set.filter(jenis=rhk.jenis).order_by("urutan", "pk"))
    index = next((i for i, r in enumerate(rows) if r.pk == rhk.pk), None)
    if index is None:
        raise SkpError("RHK ini sudah dihapus.")
    other = index - 1 if arah == "naik" else index + 1
    if not 0 <= other < len(rows):
        raise SkpError(
            "RHK sudah berada di urutan teratas." if arah == "naik" else "RHK sudah berada di urutan terbawah."
        )
    rows[index], rows[other] = rows[other], rows[index]
    for n, row in enumerate(rows, 1):
        row.urutan = n
    RencanaHasilKerja.objects.bulk_update(rows, ["urutan"])
    skp.versi = new_versi
    audit.record(skp, "rhk_dipindah", by=by, perubahan={"urutan": (index + 1, other + 1)}, alasan=rhk.uraian[:200])


@transaction.atomic
def set_ekspektasi(skp: Skp, *, by: Pegawai, versi: int, ekspektasi: dict[str, str]) -> Skp:
    """The penilai's "ekspektasi khusus pimpinan" per BerAKHLAK value, while the SKP is DIAJUKAN."""
    if skp.status != S.DIAJUKAN or not _is_current_penilai(skp, by):
        raise SkpError("Ekspektasi khusus hanya dapat diisi pejabat penilai saat SKP berstatus diajukan.")
    unknown = set(ekspektasi) - set(rules.BERAKHLAK)
    if unknown:
        raise SkpError("Nilai BerAKHLAK tidak dikenal: " + ", ".join(sorted(unknown)))
    new_versi = _lock(skp, versi, statuses=[S.DIAJUKAN])
    changes = {}
    changed = []
    rows = list(skp.perilaku_set.all())
    for row in rows:
        if row.nilai in ekspektasi:
            value = (ekspektasi[row.nilai] or "").strip()
            if value != row.ekspektasi_khusus:
                changes[row.nilai] = (row.ekspektasi_khusus, value)
                row.ekspektasi_khusus = value
                changed.append(row)
    PerilakuKerja.objects.bulk_update(changed, ["ekspektasi_khusus"])
    skp.versi = new_versi
    if changes:
        audit.record(skp, "ekspektasi_disimpan", by=by, perubahan=changes)
    return skp


# Workflow --------------------------------------------------------------------------------------


def _submit_problems(skp: Skp, penilai: Pegawai) -> list[str]:
    rhk_list = list(skp.rhk_set.prefetch_related("iki_set", "link_atas").order_by("jenis", "urutan", "pk"))
    utama = [r for r in rhk_list if r.jenis == RencanaHasilKerja.Jenis.UTAMA]
    problems = []
    if not utama:
        problems.append("SKP belum memiliki RHK utama; tambahkan minimal satu RHK utama.")
    no_iki = [r for r in rhk_list if not r.iki_set.all()]
    if no_iki:
        problems.append("RHK berikut belum memiliki IKI: " + "; ".join(f"“{r.uraian[:80]}”" for r in no_iki) + ".")
    if not skp.is_jpt:
        unlinked = [r for r in utama if not r.link_atas.all()]
        if unlinked:
            problems.append(
                "RHK utama berikut belum dihubungkan dengan RHK atasan yang diintervensi: "
                + "; ".join(f"“{r.uraian[:80]}”" for r in unlinked)
                + "."
            )
        linked_ids = {link.rhk_atasan_id for r in rhk_list for link in r.link_atas.all()}
        allowed = _allowed_atasan_ids(skp, penilai) if linked_ids else set()
        stale = [r for r in rhk_list if any(link.rhk_atasan_id not in allowed for link in r.link_atas.all())]
        if stale:
            problems.append(
                "RHK berikut terhubung dengan RHK yang bukan RHK pejabat penilai Anda saat ini: "
                + "; ".join(f"“{r.uraian[:80]}”" for r in stale)
                + ". Pilih ulang RHK atasannya."
            )
    return problems


@transaction.atomic
def submit_skp(skp: Skp, *, by: Pegawai) -> Skp:
    """Ajukan: the pegawai sends the draft to their current penilai."""
    if by.pk != skp.pegawai_id:
        raise SkpError("Hanya pegawai pemilik SKP yang dapat mengajukannya.")
    if skp.status not in EDITABLE:
        raise SkpError(_already_message(skp))
    penilai = resolve_penilai(skp.pegawai)
    if penilai is None:
        raise SkpError("Pejabat penilai Anda belum ditentukan. Hubungi admin OPD untuk melengkapi data atasan.")
    problems = _submit_problems(skp, penilai)
    if problems:
        raise SkpError(" ".join(problems))
    old = skp.status
    _transition(
        skp, expected=EDITABLE, status=S.DIAJUKAN, penilai=penilai,
        diajukan_pada=timezone.now(),
    )  # fmt: skip
    skp.penilai = penilai
    audit.record(skp, "skp_diajukan", by=by, perubahan={"status": (old, skp.status), "penilai": (None, penilai)})
    return skp


def _repoint_links(previous: Skp, current: Skp) -> int:
    """Links of bawahan to RHK of `previous` now point to their copies in `current` (via asal).
    Links to rows deleted in the revision stay (the pohon kinerja flags them)."""
    mapping = dict(RencanaHasilKerja.objects.filter(skp=current, asal__skp=previous).values_list("asal_id", "pk"))
    if not mapping:
        return 0
    links = list(IntervensiRhk.objects.filter(rhk_atasan_id__in=list(mapping)))
    if not links:
        return 0
    existing = set(
        IntervensiRhk.objects.filter(rhk_atasan_id__in=list(mapping.values())).values_list("rhk_id", "rhk_atasan_id")
    )
    to_update, to_delete = [], []
    for link in links:
        new_id = mapping[link.rhk_atasan_id]
        if (link.rhk_id, new_id) in existing:
            to_delete.append(link.pk)
        else:
            link.rhk_atasan_id = new_id
            existing.add((link.rhk_id, new_id))
            to_update.append(link)
    IntervensiRhk.objects.bulk_update(to_update, ["rhk_atasan"])
    IntervensiRhk.objects.filter(pk__in=to_delete).delete()
    return len(links)


@transaction.atomic
def approve_skp(skp: Skp, *, by: Pegawai) -> Skp:
    """Setujui: the current penilai (incl. an active Plt/Plh) approves; snapshots are taken."""
    if skp.status != S.DIAJUKAN:
        raise SkpError(_already_message(skp))
    # Fresh rows for the snapshots, both in one query; the pegawai's also serves the check.
    people = Pegawai.objects.select_related("jabatan", "unit", "opd").in_bulk([skp.pegawai_id, by.pk])
    pegawai = people[skp.pegawai_id]
    if not _is_current_penilai(skp, by, pegawai=pegawai):
        raise SkpError("Hanya pejabat penilai pegawai ini (atau Plt/Plh-nya) yang dapat menyetujui SKP ini.")
    old = skp.status
    penilai = people[by.pk]
    atasan = resolve_penilai(penilai)
    if atasan is not None:
        atasan = Pegawai.objects.select_related("jabatan", "unit", "opd").get(pk=atasan.pk)
    _transition(
        skp,
        expected=[S.DIAJUKAN],
        status=S.DISETUJUI,
        penilai=penilai,
        disetujui_pada=timezone.now(),
        snapshot_pegawai=snapshot_of(pegawai),
        snapshot_penilai=snapshot_of(penilai),
        snapshot_atasan_penilai=snapshot_of(atasan),
    )
    skp.penilai = penilai
    perubahan: dict = {"status": (old, skp.status)}
    if skp.induk_id is not None:
        previous = (
            Skp.objects.lineage(skp.induk_id).filter(status=S.DISETUJUI).exclude(pk=skp.pk).order_by("-revisi").first()
        )
        if previous is not None:
            Skp.objects.filter(pk=previous.pk, status=S.DISETUJUI).update(
                status=S.DIGANTI, versi=F("versi") + 1, diubah_pada=timezone.now()
            )
            moved = _repoint_links(previous, skp)
            perubahan["versi_sebelumnya"] = (f"revisi {previous.revisi}: {S.DISETUJUI.label}", S.DIGANTI.label)
            if moved:
                perubahan["intervensi_bawahan_dipindah"] = (None, moved)
    audit.record(skp, "skp_disetujui", by=by, perubahan=perubahan)
    return skp


@transaction.atomic
def return_skp(skp: Skp, *, by: Pegawai, catatan: str) -> Skp:
    """Kembalikan: the penilai returns the SKP with a note; the pegawai edits and resubmits."""
    catatan = (catatan or "").strip()
    if skp.status != S.DIAJUKAN:
        raise SkpError(_already_message(skp))
    if not _is_current_penilai(skp, by):
        raise SkpError("Hanya pejabat penilai pegawai ini (atau Plt/Plh-nya) yang dapat mengembalikan SKP ini.")
    if not catatan:
        raise SkpError("Tuliskan catatan pengembalian: apa yang perlu diperbaiki pegawai.")
    old = skp.status
    _transition(
        skp, expected=[S.DIAJUKAN], status=S.DIKEMBALIKAN,
        catatan_pengembalian=catatan,
    )  # fmt: skip
    audit.record(skp, "skp_dikembalikan", by=by, perubahan={"status": (old, skp.status)}, alasan=catatan)
    return skp


@transaction.atomic
def start_revision(skp: Skp, *, by: Pegawai) -> Skp:
    """A DRAFT copy of the approved version (RHK, IKI, links, perilaku, lampiran); the approved
    version stays in force until the revision is approved."""
    if by.pk != skp.pegawai_id:
        raise SkpError("Hanya pegawai pemilik SKP yang dapat merevisinya.")
    if skp.status != S.DISETUJUI:
        raise SkpError("Hanya SKP yang sudah disetujui (versi yang berlaku) yang dapat direvisi.")
    if skp.is_ditutup:
        raise SkpError(f"SKP ini sudah ditutup per {tanggal(skp.ditutup_pada)} sehingga tidak dapat direvisi.")
    root_id = skp.lineage_root_id
    # Serialise revisions of one lineage (two tabs): lock the lineage root.
    list(Skp.objects.select_for_update().filter(pk=root_id))
    if Skp.objects.filter(induk_id=root_id, status__in=OPEN).exists():
        raise SkpError("Sudah ada revisi SKP ini yang sedang disusun atau diajukan; lanjutkan revisi tersebut.")
    revisi = (Skp.objects.lineage(root_id).aggregate(m=Max("revisi"))["m"] or 0) + 1
    try:
        with transaction.atomic():
            baru = Skp.objects.create(
                pegawai_id=skp.pegawai_id,
                jabatan_id=skp.jabatan_id,
                tahun=skp.tahun,
                mulai=skp.mulai,
                selesai=skp.selesai,
                pendekatan=skp.pendekatan,
                induk_id=root_id,
                revisi=revisi,
                **{f: getattr(skp, f) for f in _LAMPIRAN},
            )
    except IntegrityError:
        raise SkpError("Sudah ada revisi SKP ini yang sedang disusun atau diajukan; muat ulang halaman.") from None
    # Same pegawai and jabatan: reuse what is loaded (the audit row names the pegawai).
    baru.pegawai = skp.pegawai
    _create_perilaku(baru, dict(skp.perilaku_set.values_list("nilai", "ekspektasi_khusus")))
    _copy_rhk(skp, baru, with_links=True)
    audit.record(
        baru, "skp_revisi_dibuat", by=by, perubahan={"status": (None, baru.status), "revisi": (skp.revisi, revisi)}
    )
    return baru


def _drop_version(version: Skp) -> None:
    """Delete an unapproved version. Links of bawahan to its RHK move to the rows they were
    copied from (the approved version) or are removed when there is none."""
    incoming = list(IntervensiRhk.objects.filter(rhk_atasan__skp=version).select_related("rhk_atasan"))
    existing = set(
        IntervensiRhk.objects.filter(
            rhk_atasan_id__in=[i.rhk_atasan.asal_id for i in incoming if i.rhk_atasan.asal_id]
        ).values_list("rhk_id", "rhk_atasan_id")
    )
    to_update, to_delete = [], []
    for link in incoming:
        asal_id = link.rhk_atasan.asal_id
        if asal_id and asal_id != link.rhk_id and (link.rhk_id, asal_id) not in existing:
            link.rhk_atasan_id = asal_id
            existing.add((link.rhk_id, asal_id))
            to_update.append(link)
        else:
            to_delete.append(link.pk)
    IntervensiRhk.objects.bulk_update(to_update, ["rhk_atasan"])
    IntervensiRhk.objects.filter(pk__in=to_delete).delete()
    version.delete()


@transaction.atomic
def close_skp(skp: Skp, *, by: Pegawai, per_tanggal: datetime.date, alasan: str) -> Skp:
    """A jabatan change mid-year (SPEC §2): the SKP ends the day before `per_tanggal`; an open
    revision draft of it is deleted. Done by the pegawai's admin OPD or the admin BKD."""
    alasan = (alasan or "").strip()
    if not by.can_manage_people_of(skp.pegawai.opd_id) or by.pk == skp.pegawai_id:
        raise SkpError("Penutupan SKP dilakukan oleh admin OPD pegawai ini atau admin BKD.")
    if skp.status != S.DISETUJUI:
        raise SkpError("Hanya SKP yang berlaku (sudah disetujui) yang dapat ditutup; draf dapat dihapus pegawai.")
    if skp.is_ditutup:
        raise SkpError(f"SKP ini sudah ditutup per {tanggal(skp.ditutup_pada)}.")
    if not alasan:
        raise SkpError("Tuliskan alasan penutupan (misalnya mutasi atau promosi jabatan).")
    if not (skp.mulai < per_tanggal <= skp.selesai):
        raise SkpError(
            f"Tanggal penutupan harus setelah {tanggal(skp.mulai)} dan paling lambat {tanggal(skp.selesai)}."
        )
    root_id = skp.lineage_root_id
    list(Skp.objects.select_for_update().filter(pk=root_id))
    selesai_baru = per_tanggal - datetime.timedelta(days=1)
    old_selesai = skp.selesai
    perubahan: dict = {"selesai": (old_selesai, selesai_baru)}
    for draft in Skp.objects.filter(induk_id=root_id, status__in=OPEN):
        perubahan["revisi_terbuka_dihapus"] = (f"revisi {draft.revisi}: {draft.get_status_display()}", None)
        _drop_version(draft)
    updated = Skp.objects.lineage(root_id).filter(ditutup_pada__isnull=True).update(
        selesai=selesai_baru, ditutup_pada=per_tanggal, alasan_penutupan=alasan[:255],
        versi=F("versi") + 1, diubah_pada=timezone.now(),
    )  # fmt: skip
    if not updated:
        raise SkpError("SKP ini sudah ditutup.")
    _reload(skp)
    audit.record(skp, "skp_ditutup", by=by, perubahan=perubahan, alasan=alasan)
    return skp


@transaction.atomic
def delete_draft(skp: Skp, *, by: Pegawai) -> None:
    """The pegawai deletes a first draft never submitted, or an unapproved revision."""
    if not skp.can_delete(by):
        if by.pk != skp.pegawai_id:
            raise SkpError("Hanya pegawai pemilik SKP yang dapat menghapus drafnya.")
        raise SkpError("Hanya draf yang belum pernah diajukan (atau revisi yang belum disetujui) yang dapat dihapus.")
    allowed = [S.DRAFT] if skp.induk_id is None else list(EDITABLE)
    locked = Skp.objects.select_for_update().filter(pk=skp.pk, status__in=allowed).first()
    if locked is None:
        raise SkpError(_already_message(skp))
    if skp.induk_id is None and locked.diajukan_pada is not None:
        raise SkpError("SKP ini sudah pernah diajukan sehingga tidak dapat dihapus.")
    # A revision's history stays on the lineage root; a first draft's row on itself.
    target = Skp.objects.get(pk=skp.induk_id) if skp.induk_id else skp
    audit.record(
        target,
        "skp_dihapus",
        by=by,
        perubahan={"status": (skp.status, None), "revisi": (skp.revisi, None)},
    )
    _drop_version(locked)


# Queries for the pages -------------------------------------------------------------------------


def _atasan_rhk(skp: Skp, penilai: Pegawai) -> QuerySet[RencanaHasilKerja]:
    """RHK on the SKP of `penilai` that `skp` may link to, before dropping superseded versions."""
    return RencanaHasilKerja.objects.filter(
        skp__pegawai=penilai,
        skp__tahun=skp.tahun,
        skp__status__in=[S.DIAJUKAN, S.DISETUJUI],
        skp__mulai__lte=skp.selesai,
        skp__selesai__gte=skp.mulai,
    )


def rhk_atasan_choices(skp: Skp) -> list[RencanaHasilKerja]:
    """RHK the pegawai may intervene: those of their current penilai's SKP of the same year
    (DIAJUKAN or DISETUJUI; when a lineage has an approved version, only that one), whose
    period overlaps the pegawai's. Ordered by SKP, jenis, urutan; skp and iki prefetched."""
    penilai = resolve_penilai(skp.pegawai)
    if penilai is None:
        return []
    rows = list(
        _atasan_rhk(skp, penilai)
        .select_related("skp", "skp__pegawai")
        .prefetch_related("iki_set")
        .order_by("skp__mulai", "skp__revisi", "jenis", "urutan", "pk")
    )
    approved_lineages = {r.skp.lineage_root_id for r in rows if r.skp.status == S.DISETUJUI}
    return [r for r in rows if r.skp.status == S.DISETUJUI or r.skp.lineage_root_id not in approved_lineages]


def riwayat(skp: Skp) -> QuerySet[AuditLog]:
    """Audit rows of every version of this SKP's lineage, newest first."""
    ids = [str(pk) for pk in Skp.objects.lineage(skp.lineage_root_id).values_list("pk", flat=True)]
    return (
        AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(Skp), object_id__in=ids)
        .select_related("actor")
        .order_by("-waktu", "-id")
    )


def lineage_versions(skp: Skp) -> list[Skp]:
    """All versions of the lineage, oldest first (for a version switcher on the detail page)."""
    return list(Skp.objects.lineage(skp.lineage_root_id).order_by("revisi"))


__all__ = [
    "IkiData",
    "KonflikVersi",
    "LinkData",
    "SkpError",
    "approve_skp",
    "close_skp",
    "copy_skp",
    "create_skp",
    "delete_draft",
    "delete_rhk",
    "lineage_versions",
    "move_rhk",
    "periode_default",
    "return_skp",
    "rhk_atasan_choices",
    "riwayat",
    "save_rhk",
    "set_ekspektasi",
    "snapshot_of",
    "start_revision",
    "submit_skp",
    "update_skp",
]
