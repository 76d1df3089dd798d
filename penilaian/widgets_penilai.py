"""The penilai's Beranda card (settings.DASHBOARD_WIDGETS): what waits for them this month —
N realisasi to rate by the evaluation deadline, N bawahan who have not submitted yet — with a
link to the team page. Two queries (the current period, the team's evaluations of it)."""

from __future__ import annotations

from django.template.loader import render_to_string

from opd.models import Pegawai
from penilaian.models import Evaluasi
from penilaian.services._common import periode_sekarang


def kartu_penilai(user: Pegawai, *, bawahan: list[Pegawai]) -> str:
    if not bawahan:
        return ""
    periode = periode_sekarang()
    if periode is None:
        return ""
    status = dict(
        Evaluasi.objects.filter(periode=periode, pegawai_id__in=[p.pk for p in bawahan], hasil_bulan=True)
        .values_list("pegawai_id", "status")
        .order_by()
    )
    St = Evaluasi.Status
    menunggu = sum(1 for s in status.values() if s == St.DIKIRIM)
    dinilai = sum(1 for s in status.values() if s == St.DINILAI)
    return render_to_string(
        "penilaian/kartu_penilai.html",
        {
            "periode": periode,
            "menunggu": menunggu,
            "dinilai": dinilai,
            "belum_dikirim": len(bawahan) - menunggu - dinilai,
            "jumlah_bawahan": len(bawahan),
        },
    )
