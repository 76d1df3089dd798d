"""Drafting an SKP (SPEC §4): create or copy one, edit its header and lampiran, add, replace,
move and delete RHK with their IKI and links, and the penilai's ekspektasi khusus.

Edits carry the `versi` the form was loaded with; `_lock` bumps it with a conditional UPDATE
(only while the status allows the edit), so a stale tab raises KonflikVersi and changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Literal

from django.db import IntegrityError, transaction
from django.db.models import F, Max, ProtectedError
from django.utils import timezone

from opd import audit
from opd.models import Pegawai
from opd.services import resolve_penilai
from skp import rules
from skp.models import IndikatorKinerja, IntervensiRhk, PerilakuKerja, RencanaHasilKerja, Skp, alasan_tanpa_skp
from skp.services._common import (
    EDITABLE,
    LAMPIRAN,
    IkiData,
    KonflikVersi,
    LinkData,
    S,
    SkpError,
    copy_rhk,
    create_perilaku,
    is_current_penilai,
    periode_text,
)
from skp.services.baca import allowed_atasan_ids

# Create and copy -------------------------------------------------------------------------------


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
    alasan = alasan_tanpa_skp(pegawai)
    if alasan:
        raise SkpError(alasan)


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
    create_perilaku(skp)
    return skp


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
        **{f: getattr(sumber, f) for f in LAMPIRAN},
    )
    copy_rhk(sumber, skp, with_links=False)
    audit.record(
        skp,
        "skp_disalin",
        by=by,
        perubahan={"status": (None, skp.status), "disalin_dari": (None, f"SKP {sumber.tahun} (#{sumber.pk})")},
    )
    return skp


# Edits of the draft ----------------------------------------------------------------------------


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
    allowed = allowed_atasan_ids(skp, resolve_penilai(skp.pegawai))
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
    if skp.status != S.DIAJUKAN or not is_current_penilai(skp, by):
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
