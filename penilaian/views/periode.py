"""Periods and unlocks (SPEC §5, §9): the admin BKD's period list (open a year in one POST, edit a
period's deadlines), and the unlock page of the admin BKD and the admin OPD (one pegawai, one
locked period, a written reason).

The small forms of these pages live here: they serve these views only.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ekinerja.angka import AngkaField
from opd.models import Pegawai
from penilaian.models import TAHUNAN, BukaKunci, Periode
from penilaian.services import periode as services
from penilaian.services._common import PenilaianError

PER_PAGE = 50
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# Access helpers -----------------------------------------------------------------------------------


def _require_pengelola(user: Pegawai) -> None:
    if not services.is_pengelola_periode(user):
        raise PermissionDenied("Halaman ini untuk admin BKD.")


def boleh_kelola_buka_kunci(user: Pegawai) -> bool:
    return services.is_pengelola_periode(user) or user.is_admin_opd


def get_periode(tahun: int, bulan: int) -> Periode:
    """The opened period, else 404 (also for numbers no period can have)."""
    if not (0 <= bulan <= 12 and 1 <= tahun <= 9999):
        raise Http404("Periode tidak ditemukan.")
    periode = Periode.objects.filter(tahun=tahun, bulan=bulan).first()
    if periode is None:
        raise Http404("Periode tidak ditemukan.")
    return periode


def pegawai_buka_kunci(user: Pegawai) -> QuerySet[Pegawai]:
    """Whose periods `user` may unlock: everybody for the admin BKD, the admin OPD's OPDs; never
    themself (SPEC §9, separation of duties)."""
    qs = Pegawai.objects.exclude(pk=user.pk)
    if services.is_pengelola_periode(user):
        return qs
    return qs.filter(opd_id__in=user.admin_opd_ids)


# Forms --------------------------------------------------------------------------------------------


class BukaTahunForm(forms.Form):
    tahun = AngkaField(label="Tahun", bulat=True, min_value=services.TAHUN_MIN, max_value=services.TAHUN_MAX)


class BatasForm(forms.Form):
    batas_realisasi = forms.DateField(
        label="Batas pengisian realisasi",
        widget=_DATE,
        help_text="Pegawai mengirim realisasi paling lambat tanggal ini.",
    )
    batas_penilaian = forms.DateField(
        label="Batas penilaian",
        widget=_DATE,
        help_text="Pejabat penilai menilai paling lambat tanggal ini; sesudahnya periode terkunci.",
    )

    def clean(self) -> dict:
        data = super().clean()
        realisasi, penilaian = data.get("batas_realisasi"), data.get("batas_penilaian")
        if realisasi and penilaian and realisasi > penilaian:
            self.add_error("batas_realisasi", "Batas pengisian realisasi tidak boleh setelah batas penilaian.")
        return data


class BukaKunciForm(forms.Form):
    periode = forms.ModelChoiceField(
        label="Periode (yang sudah terkunci)",
        queryset=Periode.objects.none(),
        empty_label="— pilih periode —",
        error_messages={"required": "Pilih periode yang akan dibuka kuncinya.",
                        "invalid_choice": "Periode ini tidak ada atau belum terkunci."},
    )  # fmt: skip
    nip = forms.CharField(
        label="NIP pegawai",
        max_length=30,
        error_messages={"required": "Isi NIP pegawai."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    alasan = forms.CharField(
        label="Alasan",
        max_length=services.ALASAN_MAKS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Dicatat dalam jejak audit; pegawai dapat mengubah periode ini sampai penilaiannya disimpan.",
        error_messages={"required": "Tuliskan alasan membuka kunci periode."},
    )

    def __init__(self, *args, user: Pegawai, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        today = timezone.localdate()
        self.fields["periode"].queryset = Periode.objects.filter(batas_penilaian__lt=today).order_by("-tahun", "-bulan")
        self.fields["periode"].label_from_instance = lambda p: p.nama

    def clean_nip(self) -> Pegawai:
        nip = "".join(self.cleaned_data["nip"].split())
        if nip == self.user.nip:
            raise forms.ValidationError("Anda tidak dapat membuka kunci periode Anda sendiri.")
        pegawai = pegawai_buka_kunci(self.user).select_related("opd").filter(nip=nip).first()
        if pegawai is None:
            where = "" if services.is_pengelola_periode(self.user) else " di OPD yang Anda kelola"
            raise forms.ValidationError(f"Pegawai dengan NIP {nip} tidak ditemukan{where}.")
        return pegawai


# Period list --------------------------------------------------------------------------------------


@dataclass
class BarisPeriode:
    periode: Periode
    keadaan: str
    warna: str
    buka_kunci_aktif: int


def _keadaan(p: Periode, today: datetime.date) -> tuple[str, str]:
    if today < p.mulai:
        return "Belum dimulai", "text-bg-light border"
    if p.is_terkunci(today):
        return "Terkunci", "text-bg-dark"
    if p.is_lewat_batas_realisasi(today):
        return "Masa penilaian", "text-bg-info"
    return "Pengisian realisasi", "text-bg-success"


def _tahun_disarankan(today: datetime.date) -> int:
    full = set(
        Periode.objects.filter(tahun__gte=today.year)
        .values("tahun")
        .annotate(n=Count("pk"))
        .filter(n__gte=13)
        .values_list("tahun", flat=True)
    )
    tahun = today.year
    while tahun in full:
        tahun += 1
    return tahun


def _render_list(request: HttpRequest, form: BukaTahunForm | None = None) -> HttpResponse:
    today = timezone.localdate()
    periods = Periode.objects.annotate(
        aktif=Count("buka_kunci_set", filter=Q(buka_kunci_set__ditutup_pada__isnull=True))
    ).order_by("-tahun", "bulan")
    per_tahun: dict[int, list[BarisPeriode]] = {}
    for p in periods:
        rows = per_tahun.setdefault(p.tahun, [])
        rows.append(BarisPeriode(p, *_keadaan(p, today), p.aktif))
    for rows in per_tahun.values():
        # The annual period (bulan 0) after December.
        rows.sort(key=lambda r: r.periode.bulan or 13)
    form = form or BukaTahunForm(initial={"tahun": _tahun_disarankan(today)})
    return render(
        request,
        "penilaian/periode_list.html",
        {"per_tahun": sorted(per_tahun.items(), reverse=True), "form": form, "today": today},
    )


@require_safe
def periode_list(request: HttpRequest) -> HttpResponse:
    _require_pengelola(request.user)
    return _render_list(request)


@require_POST
def periode_buka_tahun(request: HttpRequest) -> HttpResponse:
    _require_pengelola(request.user)
    form = BukaTahunForm(request.POST)
    if not form.is_valid():
        return _render_list(request, form)
    tahun = form.cleaned_data["tahun"]
    try:
        dibuka = services.buka_tahun(tahun, by=request.user)
    except PenilaianError as exc:
        form.add_error(None, str(exc))
        return _render_list(request, form)
    if dibuka:
        messages.success(request, f"{dibuka} periode tahun {tahun} dibuka dengan batas waktu bawaan.")
    else:
        messages.info(request, f"Semua periode tahun {tahun} sudah dibuka sebelumnya; tidak ada yang berubah.")
    return redirect("penilaian:periode_list")


@require_http_methods(["GET", "POST"])
def periode_ubah(request: HttpRequest, tahun: int, bulan: int) -> HttpResponse:
    _require_pengelola(request.user)
    periode = get_periode(tahun, bulan)
    initial = {"batas_realisasi": periode.batas_realisasi, "batas_penilaian": periode.batas_penilaian}
    form = BatasForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.ubah_batas(periode, by=request.user, **form.cleaned_data)
        except PenilaianError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Batas waktu periode {periode.nama} disimpan.")
            return redirect("penilaian:periode_list")
    bawaan = services.batas_bawaan(periode.tahun, periode.bulan)
    return render(
        request,
        "penilaian/periode_form.html",
        {"periode": periode, "form": form, "bawaan": bawaan, "is_tahunan": periode.bulan == TAHUNAN},
    )


# Unlocks ------------------------------------------------------------------------------------------


def _buka_kunci_rows(user: Pegawai) -> QuerySet[BukaKunci]:
    qs = BukaKunci.objects.select_related("periode", "pegawai", "pegawai__opd", "dibuka_oleh")
    if services.is_pengelola_periode(user):
        return qs
    return qs.filter(pegawai__opd_id__in=user.admin_opd_ids)


@require_http_methods(["GET", "POST"])
def buka_kunci_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not boleh_kelola_buka_kunci(user):
        raise PermissionDenied("Halaman ini untuk admin BKD dan admin OPD.")
    form = BukaKunciForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        periode, pegawai = form.cleaned_data["periode"], form.cleaned_data["nip"]
        try:
            services.buka_kunci(periode, pegawai, by=user, alasan=form.cleaned_data["alasan"])
        except PenilaianError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"Kunci periode {periode.nama} dibuka untuk {pegawai.nama_lengkap}. Periode terkunci kembali "
                "setelah penilaiannya disimpan.",
            )
            return redirect("penilaian:buka_kunci_list")
    rows = _buka_kunci_rows(user)
    riwayat = Paginator(rows.filter(ditutup_pada__isnull=False).order_by("-dibuka_pada", "-pk"), PER_PAGE)
    return render(
        request,
        "penilaian/buka_kunci_list.html",
        {
            "form": form,
            "aktif": list(rows.filter(ditutup_pada__isnull=True).order_by("-dibuka_pada", "-pk")),
            "riwayat": riwayat.get_page(request.GET.get("page")),
            "ada_periode_terkunci": form.fields["periode"].queryset.exists(),
        },
    )


@require_POST
def buka_kunci_tutup(request: HttpRequest, pk: int) -> HttpResponse:
    """Lock a period again for one pegawai before their evaluation is saved (POST, with a reason)."""
    user = request.user
    if not boleh_kelola_buka_kunci(user):
        raise PermissionDenied("Halaman ini untuk admin BKD dan admin OPD.")
    row = get_object_or_404(_buka_kunci_rows(user), pk=pk)
    try:
        services.kunci_kembali(row, by=user, alasan=request.POST.get("alasan", ""))
    except PenilaianError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Periode {row.periode.nama} terkunci kembali untuk {row.pegawai.nama_lengkap}.")
    return redirect("penilaian:buka_kunci_list")


urlpatterns = [
    path("periode/", periode_list, name="periode_list"),
    path("periode/buka-tahun/", periode_buka_tahun, name="periode_buka_tahun"),
    path("periode/<int:tahun>/<int:bulan>/ubah/", periode_ubah, name="periode_ubah"),
    path("buka-kunci/", buka_kunci_list, name="buka_kunci_list"),
    path("buka-kunci/<int:pk>/tutup/", buka_kunci_tutup, name="buka_kunci_tutup"),
]
