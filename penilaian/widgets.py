"""Beranda card of the monthly cycle for the pegawai (settings.DASHBOARD_WIDGETS): this month's
status and what to do by which deadline. Reads only (the month's rows are created when the
pegawai opens the month page); a fixed number of queries."""

from __future__ import annotations

from django.template.loader import render_to_string

from opd.models import Pegawai
from penilaian.models import Evaluasi, RencanaAksi
from penilaian.services._common import is_terkunci_untuk, periode_sekarang
from skp.models import Skp, boleh_menyusun_skp


def kartu_pegawai(user: Pegawai, *, bawahan: list[Pegawai]) -> str:
    if not boleh_menyusun_skp(user):
        return ""
    periode = periode_sekarang()
    if periode is None:
        return ""
    ev = (
        Evaluasi.objects.filter(pegawai_id=user.pk, periode=periode, hasil_bulan=True)
        .only("pk", "status", "predikat", "catatan_pengembalian", "periode_id", "pegawai_id")
        .first()
    )
    ada_skp = ev is not None or (
        Skp.objects.filter(
            pegawai_id=user.pk, status=Skp.Status.DISETUJUI, mulai__lte=periode.selesai, selesai__gte=periode.mulai
        ).exists()
    )
    return render_to_string(
        "penilaian/bulanan_beranda.html",
        {
            "periode": periode,
            "ev": ev,
            "ada_skp": ada_skp,
            "jumlah_aksi": RencanaAksi.objects.filter(evaluasi=ev).count() if ev else 0,
            "terkunci": is_terkunci_untuk(periode, user.pk),
            "lewat_batas": periode.is_lewat_batas_realisasi(),
        },
    )
