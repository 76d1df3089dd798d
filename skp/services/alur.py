"""The SKP workflow (SPEC §4): submit, approve, return, start a revision, close at a jabatan
change, delete a draft.

Status changes are conditional UPDATEs on the expected status (`_transition`), so a double
submit/approve changes nothing twice; revisions and closing lock the lineage root with
select_for_update.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from opd import audit
from opd.models import Pegawai
from opd.services import resolve_penilai
from skp.models import IntervensiRhk, RencanaHasilKerja, Skp
from skp.services._common import (
    EDITABLE,
    LAMPIRAN,
    OPEN,
    S,
    SkpError,
    copy_rhk,
    create_perilaku,
    is_current_penilai,
    run_hooks,
    snapshot_of,
    tanggal,
)
from skp.services.baca import allowed_atasan_ids

# Status transitions ----------------------------------------------------------------------------


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
        allowed = allowed_atasan_ids(skp, penilai) if linked_ids else set()
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
    if not is_current_penilai(skp, by, pegawai=pegawai):
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
            run_hooks("revisi_disetujui", previous=previous, current=skp)
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
    if not is_current_penilai(skp, by):
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


# Revisions, closing, deleting ------------------------------------------------------------------


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
                **{f: getattr(skp, f) for f in LAMPIRAN},
            )
    except IntegrityError:
        raise SkpError("Sudah ada revisi SKP ini yang sedang disusun atau diajukan; muat ulang halaman.") from None
    # Same pegawai and jabatan: reuse what is loaded (the audit row names the pegawai).
    baru.pegawai = skp.pegawai
    create_perilaku(baru, dict(skp.perilaku_set.values_list("nilai", "ekspektasi_khusus")))
    copy_rhk(skp, baru, with_links=True)
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
    run_hooks("skp_ditutup", skp=skp, per_tanggal=per_tanggal)
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
