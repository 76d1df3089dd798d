"""The admins' Beranda card of the completion monitoring (settings.DASHBOARD_WIDGETS): this
month's progress — for a reader of every OPD (admin BKD, auditor, Sekda, Bupati) the regency's
with the five least complete OPDs, for an admin OPD or a Kepala OPD their OPD's. The same counts
as the Pemantauan page (penilaian.services.monitoring), in a fixed number of queries: the current
period, the OPDs read, one grouped count.

The regency's count reads every pegawai of the month (~280 ms at 100,000 pegawai: issue #9's
Beranda of the admin BKD, auditor and Bupati at 23x the trivial view); `capaian_per_opd` keeps it
until a table it reads changes (ekinerja.jejak), so the card is always current and costs one
query while nothing changed."""

from __future__ import annotations

from django.template.loader import render_to_string

from opd.models import Pegawai
from penilaian.services import monitoring
from penilaian.services._common import periode_sekarang

TERENDAH = 5


def kartu_pemantauan(user: Pegawai, *, bawahan: list[Pegawai]) -> str:
    # Pimpinan (Kepala OPD, its Plt/Plh, Sekda, Bupati) lead somebody: without bawahan the
    # pimpinan lookup (two queries) is skipped for every plain pegawai's Beranda.
    if not (user.can_read_all() or user.is_admin_opd or bawahan):
        return ""
    periode = periode_sekarang()
    if periode is None:
        return ""
    opds = list(monitoring.opd_dipantau(user))
    if not opds:
        return ""
    semua = user.can_read_all() or len(opds) > 1
    rows = monitoring.capaian_per_opd(periode, opds)
    terendah = []
    if semua:  # the least complete first; complete OPDs are not listed
        terendah = sorted(
            (r for r in rows if r.capaian.dinilai < r.capaian.jumlah),
            key=lambda r: (r.capaian.persen_dinilai, r.capaian.persen_dikirim, r.capaian.persen_skp),
        )[:TERENDAH]
    return render_to_string(
        "penilaian/monitoring_beranda.html",
        {
            "periode": periode,
            "total": monitoring.total(rows),
            "semua": semua,
            "opd": None if semua else opds[0],
            "jumlah_opd": len(opds),
            "terendah": terendah,
        },
    )
