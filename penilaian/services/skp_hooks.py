"""Reactions to SKP events (settings.SKP_HOOKS, called inside the SKP service's transaction).

- A revision approved mid-year: the open evaluations of the previous version move to the new
  version, and their rencana aksi (and an open annual evaluation's realisation per IKI) follow
  their RHK and IKI to the copies (`asal`). Rows of an RHK
  or IKI deleted in the revision stay on the old row (still readable; the page says so). Rated or
  locked evaluations keep the version that was in force when they were rated.
- An SKP closed at a jabatan change: each open evaluation of a period the closing falls in is cut
  to the SKP's new end; the next SKP gets its own evaluation for the rest of the month when it is
  approved (`pastikan_evaluasi`), which then becomes the month's result.
"""

from __future__ import annotations

import datetime

from penilaian.models import Evaluasi, RealisasiTahunan, RencanaAksi, UmpanBalik
from skp.models import IndikatorKinerja, RencanaHasilKerja, Skp

TERBUKA = (Evaluasi.Status.DRAFT, Evaluasi.Status.DIKIRIM, Evaluasi.Status.DIKEMBALIKAN)


def revisi_disetujui(*, previous: Skp, current: Skp) -> None:
    evaluasi = list(Evaluasi.objects.filter(skp=previous, status__in=TERBUKA).select_related("periode"))
    evaluasi = [e for e in evaluasi if not e.periode.is_terkunci()]
    if not evaluasi:
        return
    ids = [e.pk for e in evaluasi]
    rhk_map = dict(RencanaHasilKerja.objects.filter(skp=current, asal__skp=previous).values_list("asal_id", "pk"))
    iki_map = dict(
        IndikatorKinerja.objects.filter(rhk__skp=current, asal__rhk__skp=previous).values_list("asal_id", "pk")
    )
    rows = list(RencanaAksi.objects.filter(evaluasi_id__in=ids))
    moved = []
    for ra in rows:
        if ra.rhk_id in rhk_map and ra.iki_id in iki_map:
            ra.rhk_id = rhk_map[ra.rhk_id]
            ra.iki_id = iki_map[ra.iki_id]
            moved.append(ra)
    RencanaAksi.objects.bulk_update(moved, ["rhk", "iki"])
    # An open annual evaluation's realisation per IKI follows its IKI too.
    tahunan = list(RealisasiTahunan.objects.filter(evaluasi_id__in=ids, iki_id__in=list(iki_map)))
    for rt in tahunan:
        rt.iki_id = iki_map[rt.iki_id]
    RealisasiTahunan.objects.bulk_update(tahunan, ["iki"])
    for ub in UmpanBalik.objects.filter(evaluasi_id__in=ids, rhk_id__in=list(rhk_map)):
        UmpanBalik.objects.filter(pk=ub.pk).update(rhk_id=rhk_map[ub.rhk_id])
    Evaluasi.objects.filter(pk__in=ids).update(skp=current)


def skp_ditutup(*, skp: Skp, per_tanggal: datetime.date) -> None:
    akhir = per_tanggal - datetime.timedelta(days=1)
    root = skp.lineage_root_id
    for ev in Evaluasi.objects.filter(skp__in=Skp.objects.lineage(root), selesai__gt=akhir, mulai__lte=akhir):
        Evaluasi.objects.filter(pk=ev.pk).update(selesai=akhir)
