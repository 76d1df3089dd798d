"""The penilai's pages (issue #7 item 5): the team page of a month and the evaluation page
(realisasi with bukti, the capaian guide, umpan balik, the two ratings with the predikat shown
live, the OPD's curve including this rating), with "Simpan penilaian" and "Kembalikan".

Every view: fetch through the access helper (404) → predicate (403) → one service → message →
redirect. Whether the state allows the action is the service's call (a second tab or a
concurrent POST gets a message, not an error page).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from penilaian import rules
from penilaian.models import Evaluasi, Periode
from penilaian.rules import Rating
from penilaian.services import alur
from penilaian.services._common import (
    KonflikVersi,
    PenilaianError,
    get_evaluasi_for,
    is_penilai_sekarang,
    periode_sekarang,
)
from penilaian.services.penilai import (
    boleh_membuka_tim,
    halaman_penilaian,
    kurva_dengan,
    matriks_predikat,
    tim_bulan,
)

# Team page ----------------------------------------------------------------------------------------


def _bawahan_or_403(request: HttpRequest) -> list:
    bawahan = request.user.bawahan_langsung()
    if not boleh_membuka_tim(request.user, bawahan):
        raise PermissionDenied
    return bawahan


@require_safe
def tim(request: HttpRequest) -> HttpResponse:
    _bawahan_or_403(request)
    periode = periode_sekarang()
    if periode is None:
        return render(request, "penilaian/tim.html", {"periode": None})
    return redirect("penilaian:tim_bulan", tahun=periode.tahun, bulan=periode.bulan)


@require_safe
def tim_bulan_view(request: HttpRequest, tahun: int, bulan: int) -> HttpResponse:
    bawahan = _bawahan_or_403(request)
    periode = get_object_or_404(Periode.objects.bulanan(), tahun=tahun, bulan=bulan)
    data = tim_bulan(
        request.user, periode, status=request.GET.get("status"), cari=request.GET.get("q", ""), bawahan=bawahan
    )
    bulanan = Periode.objects.bulanan()
    sebelum = bulanan.filter(tahun__lte=tahun).exclude(tahun=tahun, bulan__gte=bulan).order_by("-tahun", "-bulan")
    sesudah = bulanan.filter(tahun__gte=tahun).exclude(tahun=tahun, bulan__lte=bulan).order_by("tahun", "bulan")
    return render(
        request,
        "penilaian/tim.html",
        {"periode": periode, "tim": data, "sebelum": sebelum.first(), "sesudah": sesudah.first()},
    )


# Evaluation page ----------------------------------------------------------------------------------


def _evaluasi_penilai(request: HttpRequest, pk: int) -> Evaluasi:
    """404 when not visible; 403 when visible but the user is not the current penilai."""
    ev = get_evaluasi_for(request.user, pk)
    if not is_penilai_sekarang(ev, request.user):
        raise PermissionDenied
    return ev


def _versi(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("versi", ""))
    except ValueError:
        return -1  # a forged/missing value: the service answers KonflikVersi


def _tahunan(ev: Evaluasi) -> HttpResponse:
    """An annual evaluation is rated on its own page (helper "tahunan")."""
    try:
        return redirect(reverse("penilaian:nilai_tahunan", args=[ev.pk]))
    except NoReverseMatch:
        raise Http404("Evaluasi tahunan dinilai di halaman penilaian tahunan.") from None


def _ketikan(request: HttpRequest) -> dict:
    """What the penilai typed, to render the form again after an error."""
    post = request.POST
    return {
        "rating_hasil": post.get("rating_hasil", ""),
        "rating_perilaku": post.get("rating_perilaku", ""),
        "ub_rhk": {k.removeprefix("ub_rhk_"): v for k, v in post.items() if k.startswith("ub_rhk_")},
        "ub_perilaku": {k.removeprefix("ub_perilaku_"): v for k, v in post.items() if k.startswith("ub_perilaku_")},
        "catatan": post.get("catatan", ""),
    }


def _render_nilai(
    request: HttpRequest, ev: Evaluasi, *, error: str = "", error_kembali: str = "", ketik: bool = False
) -> HttpResponse:
    """The evaluation page; `ketik`: show what was typed (after an error) instead of the saved."""
    ketikan = _ketikan(request) if ketik else None
    rating_dipilih = (ketikan or {}).get("rating_hasil") or ev.rating_hasil
    perilaku_dipilih = (ketikan or {}).get("rating_perilaku") or ev.rating_perilaku
    try:
        predikat = rules.predikat(rating_dipilih, perilaku_dipilih)
    except ValueError:
        predikat = None
    data = halaman_penilaian(ev, predikat=predikat)
    if ketikan:
        for row in data.rhk:
            row.umpan_balik = ketikan["ub_rhk"].get(str(row.rhk.pk), row.umpan_balik)
        for row in data.perilaku:
            row.umpan_balik = ketikan["ub_perilaku"].get(row.kode, row.umpan_balik)
    context = {
        "ev": ev,
        "hal": data,
        "ratings": Rating.choices,
        "rating_hasil": rating_dipilih,
        "rating_perilaku": perilaku_dipilih,
        "predikat": predikat,
        "matriks": matriks_predikat(),
        "catatan": (ketikan or {}).get("catatan", ""),
        "error": error,
        "error_kembali": error_kembali,
        "tim_url": reverse("penilaian:tim_bulan", args=[ev.periode.tahun, ev.periode.bulan]),
    }
    return render(request, "penilaian/nilai.html", context)


@require_http_methods(["GET", "POST"])
def nilai(request: HttpRequest, pk: int) -> HttpResponse:
    ev = _evaluasi_penilai(request, pk)
    if ev.periode.is_tahunan:
        return _tahunan(ev)
    if request.method == "GET":
        return _render_nilai(request, ev)
    post = request.POST
    try:
        alur.simpan_penilaian(
            ev,
            by=request.user,
            rating_hasil=post.get("rating_hasil", ""),
            rating_perilaku=post.get("rating_perilaku", ""),
            umpan_balik_rhk=_umpan_balik_rhk(post),
            # Every ub_perilaku_* field: the service refuses a code that is no BerAKHLAK value.
            umpan_balik_perilaku={
                k.removeprefix("ub_perilaku_"): v for k, v in post.items() if k.startswith("ub_perilaku_")
            },
            versi=_versi(request),
        )
    except PenilaianError as e:
        # Another tab saved first: show what is saved now, not the stale form.
        return _render_nilai(request, ev, error=str(e), ketik=not isinstance(e, KonflikVersi))
    messages.success(request, f"Penilaian {ev.pegawai.nama_lengkap} disimpan: predikat {ev.get_predikat_display()}.")
    return redirect("penilaian:tim_bulan", tahun=ev.periode.tahun, bulan=ev.periode.bulan)


def _umpan_balik_rhk(post) -> dict[int, str]:
    """ub_rhk_<id> fields; a name that is not a number is no RHK of any SKP (ignored)."""
    result = {}
    for key, value in post.items():
        if key.startswith("ub_rhk_") and key.removeprefix("ub_rhk_").isdecimal():
            result[int(key.removeprefix("ub_rhk_"))] = value
    return result


@require_safe
def nilai_kurva(request: HttpRequest, pk: int) -> HttpResponse:
    """The OPD's curve fragment with this evaluation rated ?predikat=… (the page's live update)."""
    ev = _evaluasi_penilai(request, pk)
    return render(request, "penilaian/_kurva.html", {"kurva": kurva_dengan(ev, request.GET.get("predikat"))})


@require_POST
def kembalikan(request: HttpRequest, pk: int) -> HttpResponse:
    ev = _evaluasi_penilai(request, pk)
    if ev.periode.is_tahunan:
        return _tahunan(ev)
    try:
        alur.kembalikan_realisasi(ev, by=request.user, catatan=request.POST.get("catatan", ""), versi=_versi(request))
    except PenilaianError as e:
        return _render_nilai(request, ev, error_kembali=str(e), ketik=not isinstance(e, KonflikVersi))
    messages.success(request, f"Realisasi {ev.pegawai.nama_lengkap} dikembalikan dengan catatan.")
    return redirect("penilaian:tim_bulan", tahun=ev.periode.tahun, bulan=ev.periode.bulan)


urlpatterns = [
    path("tim/", tim, name="tim"),
    path("tim/<int:tahun>/<int:bulan>/", tim_bulan_view, name="tim_bulan"),
    path("evaluasi/<int:pk>/nilai/", nilai, name="nilai"),
    path("evaluasi/<int:pk>/nilai/kurva/", nilai_kurva, name="nilai_kurva"),
    path("evaluasi/<int:pk>/kembalikan/", kembalikan, name="kembalikan"),
]
