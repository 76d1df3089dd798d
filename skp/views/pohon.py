"""Pohon kinerja per OPD and the matriks bawahan of the logged-in penilai (read-only pages)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from skp.pohon import build_matriks, build_pohon, pohon_opds


def tahun_from(request: HttpRequest) -> int:
    try:
        tahun = int(request.GET.get("tahun", ""))
    except ValueError:
        return timezone.localdate().year
    return tahun if 2000 <= tahun <= 2100 else timezone.localdate().year


def pohon(request: HttpRequest) -> HttpResponse:
    """Admin BKD/auditor: any OPD; admin OPD: theirs; Kepala OPD (or its Plt): their OPD.
    An OPD the user cannot see answers 404; a user with none gets their matriks instead."""
    tahun = tahun_from(request)
    opds = pohon_opds(request.user)
    kode = request.GET.get("opd", "")
    if kode:
        opd = next((o for o in opds if o.kode == kode), None)
        if opd is None:
            raise Http404("OPD tidak ditemukan.")
    elif not opds:
        messages.info(request, "Pohon kinerja OPD hanya untuk Kepala OPD dan pengelola kinerja; ini matriks Anda.")
        return redirect(f"{reverse('skp:matriks')}?tahun={tahun}")
    else:
        opd = next((o for o in opds if o.pk == request.user.opd_id), opds[0])
    tree = build_pohon(opd, tahun)
    context = {
        "pohon": tree,
        "events": tree.events,
        "stats": tree.stats,
        "opd": opd,
        "opds": opds if len(opds) > 1 else [],
        "tahun": tahun,
        "tahun_pilihan": range(timezone.localdate().year + 1, timezone.localdate().year - 4, -1),
    }
    return render(request, "skp/pohon_opd.html", context)


def matriks(request: HttpRequest) -> HttpResponse:
    """Own RHK × bawahan: which of each bawahan's RHK intervene which of mine. Everyone may open
    it; without bawahan it explains why it is empty."""
    tahun = tahun_from(request)
    data = build_matriks(request.user, tahun)
    context = {
        "matriks": data,
        "columns": data.columns,
        "tahun": tahun,
        "tahun_pilihan": range(timezone.localdate().year + 1, timezone.localdate().year - 4, -1),
        "can_see_pohon": bool(pohon_opds(request.user)),
    }
    return render(request, "skp/matriks_bawahan.html", context)
