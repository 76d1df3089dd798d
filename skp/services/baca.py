"""Read-only queries of the SKP pages: the penilai's RHK a pegawai may link to (and the same
rule as ids, for the checks of save_rhk and submit_skp), the history and the versions of a
lineage."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from opd.models import AuditLog, Pegawai
from opd.services import resolve_penilai
from skp.models import RencanaHasilKerja, Skp
from skp.services._common import S


def _atasan_rhk(skp: Skp, penilai: Pegawai) -> QuerySet[RencanaHasilKerja]:
    """RHK on the SKP of `penilai` that `skp` may link to, before dropping superseded versions."""
    return RencanaHasilKerja.objects.filter(
        skp__pegawai=penilai,
        skp__tahun=skp.tahun,
        skp__status__in=[S.DIAJUKAN, S.DISETUJUI],
        skp__mulai__lte=skp.selesai,
        skp__selesai__gte=skp.mulai,
    )


def allowed_atasan_ids(skp: Skp, penilai: Pegawai | None) -> set[int]:
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
