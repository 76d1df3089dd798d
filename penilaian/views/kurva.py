"""Kurva distribusi pages (SPEC §6): the regency overview of every OPD's curve for a period, the
OPD page (chart, table, broken constraints), and the admin BKD's two actions there: record the
capaian kinerja organisasi, finalise the OPD's period (justification required when a constraint
is broken).

Who reads (SPEC §9): admin BKD, auditor, superuser every OPD; admin OPD and pimpinan (Kepala OPD,
Sekda, Bupati) their OPDs. Others: 403; an OPD outside the viewer's: 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST, require_safe

from ekinerja.replika import laporan
from opd.models import Opd, Pegawai
from penilaian.models import Periode
from penilaian.rules import CapaianOrganisasi
from penilaian.services import kurva as services
from penilaian.services._common import (
    URUTAN_PREDIKAT,
    KurvaOpd,
    PenilaianError,
    kurva_opd,
    kurva_semua_opd,
    periode_sekarang,
)
from penilaian.views.periode import get_periode

_MAX_PK = 2**31 - 1


# Forms --------------------------------------------------------------------------------------------


class CapaianForm(forms.Form):
    capaian = forms.ChoiceField(
        label="Capaian kinerja organisasi",
        choices=[("", "— pilih —"), *CapaianOrganisasi.choices],
        error_messages={"required": "Pilih capaian kinerja organisasi.",
                        "invalid_choice": "Pilih salah satu capaian kinerja organisasi yang tersedia."},
    )  # fmt: skip


class FinalForm(forms.Form):
    justifikasi = forms.CharField(
        label="Justifikasi",
        required=False,
        max_length=services.JUSTIFIKASI_MAKS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Wajib bila kurva melanggar batas SE MenPANRB 3/2023; dicatat bersama batas yang dilanggar.",
    )
    konfirmasi = forms.BooleanField(
        label="Saya memahami bahwa setelah difinalkan, capaian organisasi dan kurva OPD ini tidak dapat diubah.",
        error_messages={"required": "Centang pernyataan untuk memfinalkan."},
    )


# Access helpers -----------------------------------------------------------------------------------


def _require_pembaca(user: Pegawai) -> None:
    if not services.boleh_membaca_kurva(user):
        raise PermissionDenied("Halaman kurva distribusi untuk admin, auditor dan pimpinan OPD.")


def get_opd_kurva_for(user: Pegawai, pk: int) -> Opd:
    opd = services.opd_kurva_visible_to(user).filter(pk=pk).first() if 0 < pk <= _MAX_PK else None
    if opd is None:
        raise Http404("OPD tidak ditemukan.")
    return opd


# Overview -----------------------------------------------------------------------------------------


@dataclass
class BarisOpd:
    opd: Opd
    kurva: KurvaOpd
    jumlah: list[tuple[str, int]]  # (predikat label, count) in the regulation's order
    segmen: list[dict]
    pelanggaran: list[str]


def _segmen(kurva: KurvaOpd) -> list[dict]:
    """The stacked bar of the overview (percent of the rated pegawai per predikat)."""
    x = 0.0
    result = []
    for b in kurva.baris:
        if b["jumlah"]:
            result.append({"x": round(x, 3), "w": round(b["persen"], 3), "warna": b["warna"],
                           "judul": f"{b['predikat'].label}: {b['jumlah']}"})  # fmt: skip
            x += b["persen"]
    return result


TAMPIL = {"semua": "Semua OPD", "dinilai": "Ada pegawai dinilai", "melanggar": "Melanggar batas kurva"}


@require_safe
def kurva(request: HttpRequest) -> HttpResponse:
    """The current period's overview; `?periode=TAHUN-BULAN` switches period (the selector)."""
    _require_pembaca(request.user)
    pilihan = request.GET.get("periode", "")
    tahun, _, bulan = pilihan.partition("-")
    if tahun.isdigit() and bulan.isdigit() and len(tahun) <= 4 and len(bulan) <= 2:
        return redirect("penilaian:kurva_bulan", tahun=int(tahun), bulan=int(bulan))
    periode = periode_sekarang()
    if periode is None:
        return render(request, "penilaian/kurva_kosong.html", {})
    return redirect("penilaian:kurva_bulan", tahun=periode.tahun, bulan=periode.bulan)


@require_safe
@laporan
def kurva_bulan(request: HttpRequest, tahun: int, bulan: int) -> HttpResponse:
    _require_pembaca(request.user)
    periode = get_periode(tahun, bulan)
    opds = list(services.opd_kurva_visible_to(request.user))
    rows = [
        BarisOpd(o, k, [(b["predikat"].label, b["jumlah"]) for b in k.baris], _segmen(k), k.pelanggaran)
        for o, k in zip(opds, kurva_semua_opd(periode, opds), strict=True)
    ]
    ringkasan = {
        "opd": len(rows),
        "dicatat": sum(1 for r in rows if r.kurva.capaian),
        "melanggar": sum(1 for r in rows if r.pelanggaran),
        "final": sum(1 for r in rows if r.kurva.is_final),
        "dinilai": sum(r.kurva.n for r in rows),
    }
    tampil = request.GET.get("tampil", "semua")
    if tampil == "dinilai":
        rows = [r for r in rows if r.kurva.n]
    elif tampil == "melanggar":
        rows = [r for r in rows if r.pelanggaran]
    else:
        tampil = "semua"
    return render(
        request,
        "penilaian/kurva_bulan.html",
        {
            "periode": periode,
            "rows": rows,
            "ringkasan": ringkasan,
            "tampil": tampil,
            "tampil_pilihan": TAMPIL.items(),
            "periode_pilihan": Periode.objects.order_by("-tahun", "-bulan").only("tahun", "bulan"),
            "predikat_label": [p.label for p in URUTAN_PREDIKAT],
        },
    )


# OPD page -----------------------------------------------------------------------------------------


def _alasan_belum_final(periode: Periode, k: KurvaOpd) -> str:
    """Why the admin BKD cannot finalise yet (the service refuses the same cases)."""
    if k.kinerja is None:
        return "Catat capaian kinerja organisasi terlebih dahulu, lalu finalkan."
    if not periode.is_terkunci():
        return f"Finalisasi dapat dilakukan setelah batas penilaian ({periode.batas_penilaian:%d-%m-%Y}) lewat."
    if not k.n:
        return "Belum ada pegawai yang dinilai pada periode ini."
    return ""


def _render_opd(
    request: HttpRequest,
    periode: Periode,
    opd: Opd,
    *,
    capaian_form: CapaianForm | None = None,
    final_form: FinalForm | None = None,
    error: str = "",
) -> HttpResponse:
    k = kurva_opd(periode, opd)
    kinerja = k.kinerja
    pengelola = services.is_pengelola_kurva(request.user)
    final = k.is_final
    terkunci = periode.is_terkunci()
    context = {
        "periode": periode,
        "opd": opd,
        "kurva": k,
        "kinerja": kinerja,
        "pelanggaran": k.pelanggaran,
        "can_catat": pengelola and not final,
        "can_finalkan": pengelola and not final and kinerja is not None and terkunci and k.n > 0,
        "alasan_belum_final": _alasan_belum_final(periode, k) if pengelola and not final else "",
        "capaian_form": capaian_form or CapaianForm(initial={"capaian": kinerja.capaian if kinerja else ""}),
        "final_form": final_form or FinalForm(),
        # A refusal of the service, shown above the forms (the form it came from may be gone: final).
        "error": error,
        "overview_url": reverse("penilaian:kurva_bulan", args=[periode.tahun, periode.bulan]),
    }
    return render(request, "penilaian/kurva_opd.html", context)


def _fetch(request: HttpRequest, tahun: int, bulan: int, opd_pk: int) -> tuple[Periode, Opd]:
    _require_pembaca(request.user)
    periode = get_periode(tahun, bulan)
    return periode, get_opd_kurva_for(request.user, opd_pk)


@require_safe
@laporan
def kurva_opd_view(request: HttpRequest, tahun: int, bulan: int, opd_pk: int) -> HttpResponse:
    periode, opd = _fetch(request, tahun, bulan, opd_pk)
    return _render_opd(request, periode, opd)


@require_POST
def kurva_capaian(request: HttpRequest, tahun: int, bulan: int, opd_pk: int) -> HttpResponse:
    periode, opd = _fetch(request, tahun, bulan, opd_pk)
    if not services.is_pengelola_kurva(request.user):
        raise PermissionDenied("Hanya admin BKD yang mencatat capaian kinerja organisasi.")
    form = CapaianForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            kinerja = services.catat_capaian_organisasi(periode, opd, form.cleaned_data["capaian"], by=request.user)
        except PenilaianError as exc:
            error = str(exc)
        else:
            messages.success(
                request,
                f"Capaian kinerja organisasi {opd.nama} periode {periode.nama}: {kinerja.get_capaian_display()}.",
            )
            return redirect("penilaian:kurva_opd", tahun=periode.tahun, bulan=periode.bulan, opd_pk=opd.pk)
    return _render_opd(request, periode, opd, capaian_form=form, error=error)


@require_POST
def kurva_finalkan(request: HttpRequest, tahun: int, bulan: int, opd_pk: int) -> HttpResponse:
    periode, opd = _fetch(request, tahun, bulan, opd_pk)
    if not services.is_pengelola_kurva(request.user):
        raise PermissionDenied("Hanya admin BKD yang memfinalkan kurva OPD.")
    form = FinalForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.finalkan_opd(periode, opd, by=request.user, justifikasi=form.cleaned_data["justifikasi"])
        except PenilaianError as exc:
            error = str(exc)
        else:
            messages.success(request, f"Penilaian {opd.nama} periode {periode.nama} difinalkan.")
            return redirect("penilaian:kurva_opd", tahun=periode.tahun, bulan=periode.bulan, opd_pk=opd.pk)
    return _render_opd(request, periode, opd, final_form=form, error=error)


urlpatterns = [
    path("kurva/", kurva, name="kurva"),
    path("kurva/<int:tahun>/<int:bulan>/", kurva_bulan, name="kurva_bulan"),
    path("kurva/<int:tahun>/<int:bulan>/opd/<int:opd_pk>/", kurva_opd_view, name="kurva_opd"),
    path("kurva/<int:tahun>/<int:bulan>/opd/<int:opd_pk>/capaian/", kurva_capaian, name="kurva_capaian"),
    path("kurva/<int:tahun>/<int:bulan>/opd/<int:opd_pk>/finalkan/", kurva_finalkan, name="kurva_finalkan"),
]
