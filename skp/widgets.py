"""Beranda cards of the SKP app (wired by settings.DASHBOARD_WIDGETS, so that `opd` needs no
import of `skp`): the pegawai's SKP of this year and, for a penilai, what waits for them."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from opd.models import Pegawai
from skp.models import Skp, boleh_menyusun_skp
from skp.pohon import current_skp_by_pegawai


def ringkasan_skp(user: Pegawai, *, bawahan: list[Pegawai]) -> str:
    tahun = timezone.localdate().year
    menyusun = boleh_menyusun_skp(user)
    bawahan_ids = [p.pk for p in bawahan]
    if not menyusun and not bawahan_ids:
        return ""
    skp_saya = current_skp_by_pegawai([user.pk], tahun).get(user.pk) if menyusun else None
    # Per bawahan: waiting if any version is DIAJUKAN (as the inbox lists it, revisions included),
    # else approved if a version is in force, else not submitted yet.
    status_tim: dict[int, set[str]] = {}
    for pegawai_id, status in (
        Skp.objects.filter(pegawai_id__in=bawahan_ids, tahun=tahun).berlaku().values_list("pegawai_id", "status")
    ):
        status_tim.setdefault(pegawai_id, set()).add(status)
    menunggu = sum(1 for s in status_tim.values() if Skp.Status.DIAJUKAN in s)
    disetujui = sum(1 for s in status_tim.values() if Skp.Status.DIAJUKAN not in s and Skp.Status.DISETUJUI in s)
    return render_to_string(
        "skp/includes/beranda_ringkasan.html",
        {
            "tahun": tahun,
            "menyusun": menyusun,
            "skp": skp_saya,
            "jumlah_bawahan": len(bawahan_ids),
            "menunggu": menunggu,
            "disetujui": disetujui,
            "belum_mengajukan": len(bawahan_ids) - menunggu - disetujui,
        },
    )
