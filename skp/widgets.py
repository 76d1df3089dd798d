"""Beranda cards of the SKP app (wired by settings.DASHBOARD_WIDGETS, so that `opd` needs no
import of `skp`): the pegawai's SKP of this year and, for a penilai, what waits for them."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from opd.models import Pegawai
from skp.models import Skp
from skp.pohon import current_skp_by_pegawai


def ringkasan_skp(user: Pegawai, *, bawahan: list[Pegawai]) -> str:
    tahun = timezone.localdate().year
    menyusun = user.jenis_asn != Pegawai.JenisAsn.NON_ASN and user.jabatan_id is not None
    bawahan_ids = [p.pk for p in bawahan]
    if not menyusun and not bawahan_ids:
        return ""
    skp_saya = current_skp_by_pegawai([user.pk], tahun).get(user.pk) if menyusun else None
    tim = current_skp_by_pegawai(bawahan_ids, tahun) if bawahan_ids else {}
    menunggu = sum(1 for s in tim.values() if s.status == Skp.Status.DIAJUKAN)
    disetujui = sum(1 for s in tim.values() if s.status == Skp.Status.DISETUJUI)
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
