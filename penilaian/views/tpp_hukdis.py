"""Hukuman disiplin pages (SPEC §7, §9): the list (filter by year, OPD, name), the admin BKD's form,
and cancelling with a reason. Admin BKD and auditor see all; an admin OPD sees their OPD's; others
403. A record outside the viewer's OPDs answers 404.
"""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_safe

from ekinerja.angka import parse_angka
from opd.models import Opd, Pegawai
from penilaian.models import HukumanDisiplin
from penilaian.services import tpp_hukdis as services
from penilaian.services._common import PenilaianError
from penilaian.services.periode import TAHUN_MAX, TAHUN_MIN

PER_PAGE = 50
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _require_reader(user: Pegawai) -> None:
    if not services.boleh_baca_hukdis(user):
        raise PermissionDenied("Halaman ini untuk admin BKD, auditor dan admin OPD.")


def _require_pengelola(user: Pegawai) -> None:
    if not services.is_pengelola_hukdis(user):
        raise PermissionDenied("Hanya admin BKD yang dapat mencatat hukuman disiplin.")


class BulanField(forms.CharField):
    """A month as YYYY-MM (the browser's <input type=month>) → the first day of that month."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-03", "pattern": r"\d{4}-\d{2}"})

    def to_python(self, value: str | None) -> datetime.date | None:
        text = (value or "").strip()
        if not text:
            return None
        m = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
        if not m or not 1 <= int(m[2]) <= 12 or not TAHUN_MIN <= int(m[1]) <= TAHUN_MAX:
            raise forms.ValidationError(f"'{text[:20]}' bukan bulan; tulis seperti 2026-03.")
        return datetime.date(int(m[1]), int(m[2]), 1)

    def prepare_value(self, value: object) -> object:
        return value.strftime("%Y-%m") if isinstance(value, datetime.date) else value


class HukdisForm(forms.Form):
    nip = forms.CharField(
        label="NIP pegawai", max_length=30, error_messages={"required": "Isi NIP pegawai."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )  # fmt: skip
    jenis = forms.ChoiceField(
        label="Jenis hukuman", choices=[("", "— pilih —"), *HukumanDisiplin.Jenis.choices],
        error_messages={"required": "Pilih jenis hukuman.", "invalid_choice": "Pilih Ringan, Sedang atau Berat."},
        help_text="Hanya hukuman disiplin sedang yang memotong TPP.",
    )  # fmt: skip
    uraian = forms.CharField(label="Hukuman", max_length=services.URAIAN_MAKS, required=False,
                             help_text="Misalnya: pemotongan tunjangan kinerja 25 % selama 6 bulan.")  # fmt: skip
    bulan_mulai = BulanField(label="Bulan pertama", error_messages={"required": "Isi bulan pertama (YYYY-MM)."})
    bulan_selesai = BulanField(label="Bulan terakhir", error_messages={"required": "Isi bulan terakhir (YYYY-MM)."})
    nomor_sk = forms.CharField(
        label="Nomor SK", max_length=services.NOMOR_SK_MAKS, error_messages={"required": "Nomor SK wajib diisi."}
    )
    tanggal_sk = forms.DateField(
        label="Tanggal SK", widget=_DATE,
        error_messages={"required": "Isi tanggal SK.", "invalid": "Tanggal SK tidak valid."},
    )  # fmt: skip

    def __init__(self, *args, user: Pegawai, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_nip(self) -> Pegawai:
        nip = "".join(self.cleaned_data["nip"].split())
        if nip == self.user.nip:
            raise forms.ValidationError("Anda tidak dapat mencatat hukuman disiplin Anda sendiri.")
        pegawai = Pegawai.objects.asn().filter(nip=nip).first()
        if pegawai is None:
            raise forms.ValidationError(f"Pegawai dengan NIP {nip[:30]} tidak ditemukan.")
        return pegawai

    def clean_nomor_sk(self) -> str:
        value = self.cleaned_data["nomor_sk"].strip()
        if not value:
            raise forms.ValidationError("Nomor SK wajib diisi.")
        return value

    def clean(self) -> dict:
        data = super().clean()
        mulai, selesai = data.get("bulan_mulai"), data.get("bulan_selesai")
        if mulai and selesai and selesai < mulai:
            self.add_error("bulan_selesai", "Bulan terakhir tidak boleh sebelum bulan pertama.")
        return data


class BatalForm(forms.Form):
    alasan = forms.CharField(
        label="Alasan pembatalan", max_length=services.ALASAN_MAKS, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Tuliskan alasan pembatalan."},
    )  # fmt: skip


@require_safe
def hukdis_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_reader(user)
    rows = services.hukdis_visible_to(user).order_by("-bulan_mulai", "pegawai__nama", "pk")
    opds = Opd.objects.order_by("nama") if user.can_read_all() else Opd.objects.filter(pk__in=user.admin_opd_ids)
    tahun = parse_angka_or_none(request.GET.get("tahun"))
    if tahun:
        rows = rows.filter(bulan_mulai__year__lte=tahun, bulan_selesai__year__gte=tahun)
    opd_id = parse_angka_or_none(request.GET.get("opd"))
    if opd_id:
        rows = rows.filter(pegawai__opd_id=opd_id)
    q = (request.GET.get("q") or "").strip()[:100]
    if q:
        rows = rows.filter(Q(pegawai__nama__icontains=q) | Q(pegawai__nip__startswith=q))
    return render(
        request,
        "penilaian/tpp_hukdis_list.html",
        {
            "page": Paginator(rows, PER_PAGE).get_page(request.GET.get("page")),
            "opds": opds,
            "filter": {"tahun": tahun or "", "opd": opd_id or "", "q": q},
            "querystring": urlencode({k: v for k, v in (("tahun", tahun), ("opd", opd_id), ("q", q)) if v}),
            "can_edit": services.is_pengelola_hukdis(user),
        },
    )


def parse_angka_or_none(text: str | None) -> int | None:
    """A filter value from the query string: a whole number, or None for anything else."""
    try:
        value = parse_angka(text, min_value=1, max_value=10**9, decimal_places=0, ribuan=False)
    except forms.ValidationError:
        return None
    return int(value) if value is not None else None


@require_http_methods(["GET", "POST"])
def hukdis_tambah(request: HttpRequest) -> HttpResponse:
    _require_pengelola(request.user)
    form = HukdisForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            hukdis = services.catat_hukdis(
                pegawai=c["nip"], jenis=c["jenis"], uraian=c["uraian"], bulan_mulai=c["bulan_mulai"],
                bulan_selesai=c["bulan_selesai"], nomor_sk=c["nomor_sk"], tanggal_sk=c["tanggal_sk"], by=request.user,
            )  # fmt: skip
        except PenilaianError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"Hukuman disiplin {hukdis.get_jenis_display().lower()} {hukdis.pegawai.nama_lengkap} dicatat."
            )
            return redirect("penilaian:tpp_hukdis_list")
    return render(request, "penilaian/tpp_hukdis_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def hukdis_batal(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reader(request.user)
    hukdis = services.get_hukdis_for(request.user, pk)  # 404 outside the viewer's OPDs
    _require_pengelola(request.user)
    form = BatalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.batalkan_hukdis(hukdis, by=request.user, alasan=form.cleaned_data["alasan"])
        except PenilaianError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Hukuman disiplin SK {hukdis.nomor_sk} dibatalkan.")
            return redirect("penilaian:tpp_hukdis_list")
    return render(request, "penilaian/tpp_hukdis_batal.html", {"hukdis": hukdis, "form": form})


urlpatterns = [
    path("tpp/hukdis/", hukdis_list, name="tpp_hukdis_list"),
    path("tpp/hukdis/tambah/", hukdis_tambah, name="tpp_hukdis_tambah"),
    path("tpp/hukdis/<int:pk>/batal/", hukdis_batal, name="tpp_hukdis_batal"),
]
