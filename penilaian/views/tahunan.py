"""The annual evaluation (SPEC §5, issue #7 §6): the pegawai's page per year (realisation per
IKI, prefilled from the months; Simpan, Kirim), the penilai's team list per year and rating page
(annual realisation with capaian and nilai, the twelve monthly predikat, umpan balik, ratings,
the predikat live; Kembalikan).

Every view: fetch through get_evaluasi_for (404) → the predicate (403) → form → one service →
message → redirect. Whether the state allows it is the service's call (a second click gets a
message, not an error page).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ekinerja.angka import AngkaField
from opd.models import Pegawai
from penilaian import rules
from penilaian.models import Evaluasi, UmpanBalik
from penilaian.rules import Rating
from penilaian.services import alur, tahunan
from penilaian.services._common import (
    PenilaianError,
    get_evaluasi_for,
    is_penilai_sekarang,
    is_terkunci_untuk,
    pastikan_evaluasi,
    pesan_terkunci,
)
from skp.context_processors import menu_flags
from skp.models import RencanaHasilKerja, boleh_menyusun_skp
from skp.rules import BERAKHLAK_CHOICES

St = Evaluasi.Status

# Forms -------------------------------------------------------------------------------------------


class RealisasiTahunanForm(forms.Form):
    """One number (kuantitatif IKI) and one narrative per IKI; `versi` against two tabs."""

    versi = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, baris: list[tahunan.BarisIki], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.baris = baris
        for b in baris:
            if not b.is_kualitatif:
                self.fields[f"realisasi_{b.iki.pk}"] = AngkaField(
                    label=f"Realisasi IKI {b.nomor}", nama=f"Realisasi IKI {b.nomor}", required=False,
                    min_value=0, max_digits=16, decimal_places=2, initial=b.realisasi,
                )  # fmt: skip
            self.fields[f"uraian_{b.iki.pk}"] = forms.CharField(
                label=f"Uraian realisasi IKI {b.nomor}", required=False, max_length=4000, initial=b.uraian,
                widget=forms.Textarea(attrs={"rows": 2}),
            )  # fmt: skip

    def rows(self) -> list[tuple[tahunan.BarisIki, forms.BoundField | None, forms.BoundField]]:
        return [
            (b, None if b.is_kualitatif else self[f"realisasi_{b.iki.pk}"], self[f"uraian_{b.iki.pk}"])
            for b in self.baris
        ]

    def isian(self) -> dict:
        data = self.cleaned_data
        return {b.iki.pk: (data.get(f"realisasi_{b.iki.pk}"), data.get(f"uraian_{b.iki.pk}", "")) for b in self.baris}


class NilaiTahunanForm(forms.Form):
    """Umpan balik per RHK and per BerAKHLAK value, the two ratings; `versi` against two tabs."""

    versi = forms.IntegerField(widget=forms.HiddenInput)
    rating_hasil = forms.ChoiceField(
        label="Rating hasil kerja", choices=Rating.choices, widget=forms.RadioSelect,
        error_messages={"required": "Pilih rating hasil kerja.", "invalid_choice": "Pilih rating hasil kerja."},
    )  # fmt: skip
    rating_perilaku = forms.ChoiceField(
        label="Rating perilaku kerja", choices=Rating.choices, widget=forms.RadioSelect,
        error_messages={"required": "Pilih rating perilaku kerja.", "invalid_choice": "Pilih rating perilaku kerja."},
    )  # fmt: skip

    def __init__(self, *args, rhk_list: list[RencanaHasilKerja], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rhk_list = rhk_list
        for i, rhk in enumerate(rhk_list, 1):
            self.fields[f"ub_rhk_{rhk.pk}"] = forms.CharField(
                label=f"Umpan balik RHK {i}", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
            )
        for kode, nama in BERAKHLAK_CHOICES:
            self.fields[f"ub_{kode}"] = forms.CharField(
                label=nama, required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
            )

    def rhk_fields(self) -> list[tuple[int, RencanaHasilKerja, forms.BoundField]]:
        return [(i, rhk, self[f"ub_rhk_{rhk.pk}"]) for i, rhk in enumerate(self.rhk_list, 1)]

    def perilaku_fields(self) -> list[forms.BoundField]:
        return [self[f"ub_{kode}"] for kode, _nama in BERAKHLAK_CHOICES]


class KembalikanForm(forms.Form):
    versi = forms.IntegerField(widget=forms.HiddenInput)
    catatan = forms.CharField(
        label="Catatan pengembalian", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Tuliskan catatan: apa yang perlu diperbaiki pegawai."},
    )  # fmt: skip


# Helpers -----------------------------------------------------------------------------------------


def _tahunan_or_404(request: HttpRequest, pk: int) -> Evaluasi:
    ev = get_evaluasi_for(request.user, pk)
    if not ev.periode.is_tahunan:
        raise Http404("Evaluasi tahunan tidak ditemukan.")
    return ev


def _error_text(exc: PenilaianError | forms.Form) -> str:
    if isinstance(exc, PenilaianError):
        return str(exc)
    return "Periksa kembali isian yang ditandai."


def _cetak_url(ev: Evaluasi) -> str:
    return reverse("penilaian:cetak", args=[ev.pk]) if ev.status == St.DINILAI else ""


def _tahun_sekarang() -> int:
    """The most recent year that has ended: the one whose annual evaluation is due."""
    return timezone.localdate().year - 1


# The pegawai's page --------------------------------------------------------------------------------


@require_safe
def tahunan_sekarang(request: HttpRequest) -> HttpResponse:
    return redirect("penilaian:tahunan", tahun=_tahun_sekarang())


def _tahunan_context(request: HttpRequest, tahun: int, ev: Evaluasi | None, bagian: list[Evaluasi]) -> dict:
    me = request.user
    periode = ev.periode if ev is not None else tahunan.periode_tahunan(tahun)
    context = {
        "tahun": tahun,
        "periode": periode,
        "belum_dibuka": tahunan.alasan_belum_dibuka(tahun, periode),
        "bulanan": tahunan.predikat_bulanan(me.pk, tahun),
        "ev": ev,
        "bagian": bagian,
        "tahun_lalu": tahun - 1 if tahun > 2000 else None,
        "tahun_depan": tahun + 1 if tahun + 1 <= _tahun_sekarang() else None,
    }
    if ev is not None:
        terkunci = is_terkunci_untuk(ev.periode, ev.pegawai_id)
        context.update(
            {
                "terkunci": pesan_terkunci(ev.periode) if terkunci else "",
                "can_edit": ev.is_editable_state and not terkunci,
                "cetak_url": _cetak_url(ev),
                "umpan_balik": _umpan_balik(ev) if ev.status == St.DINILAI else [],
            }
        )
    return context


def _umpan_balik(ev: Evaluasi) -> list[tuple[str, str]]:
    rows = UmpanBalik.objects.filter(evaluasi=ev).select_related("rhk").order_by("rhk__jenis", "rhk__urutan", "pk")
    nama = dict(BERAKHLAK_CHOICES)
    return [(f"RHK: {u.rhk.uraian[:120]}" if u.rhk_id else nama.get(u.perilaku, u.perilaku), u.teks) for u in rows]


def _render_tahunan(request: HttpRequest, tahun: int, ev: Evaluasi | None, bagian: list, **extra) -> HttpResponse:
    context = _tahunan_context(request, tahun, ev, bagian)
    if ev is not None and "form" not in extra:
        baris = tahunan.baris_tahunan(ev)
        extra["form"] = RealisasiTahunanForm(initial={"versi": ev.versi}, baris=baris)
        extra["rata_nilai"] = tahunan.dua_desimal(tahunan.rata_rata_nilai(baris))
    context.update(extra)
    return render(request, "penilaian/tahunan.html", context, status=extra.get("status", 200))


@require_safe
def tahunan_page(request: HttpRequest, tahun: int) -> HttpResponse:
    """The pegawai's own annual evaluation; `?bagian=<pk>` picks another part of the year (an SKP
    closed at a jabatan change), the default is the year's result (the SKP in force at year end)."""
    me: Pegawai = request.user
    if not boleh_menyusun_skp(me):
        raise PermissionDenied
    if not 2000 <= tahun <= 2100:
        raise Http404("Tahun tidak ditemukan.")
    periode = tahunan.periode_tahunan(tahun)
    if periode is None or tahunan.alasan_belum_dibuka(tahun, periode):
        return _render_tahunan(request, tahun, None, [])
    bagian = pastikan_evaluasi(me, periode)
    ev = next((e for e in bagian if str(e.pk) == request.GET.get("bagian")), None)
    ev = ev or next((e for e in bagian if e.hasil_bulan), None)
    if ev is not None:
        ev = get_evaluasi_for(me, ev.pk)
    return _render_tahunan(request, tahun, ev, bagian if len(bagian) > 1 else [])


def _own_tahunan(request: HttpRequest, pk: int) -> Evaluasi:
    ev = _tahunan_or_404(request, pk)
    if ev.pegawai_id != request.user.pk:
        raise PermissionDenied
    return ev


def _redirect_own(ev: Evaluasi) -> HttpResponse:
    url = reverse("penilaian:tahunan", args=[ev.periode.tahun])
    return redirect(url if ev.hasil_bulan else f"{url}?bagian={ev.pk}")


@require_POST
def tahunan_simpan(request: HttpRequest, pk: int) -> HttpResponse:
    ev = _own_tahunan(request, pk)
    baris = tahunan.baris_tahunan(ev)
    form = RealisasiTahunanForm(request.POST, baris=baris)
    if form.is_valid():
        try:
            tahunan.simpan_realisasi_tahunan(ev, by=request.user, isian=form.isian(), versi=form.cleaned_data["versi"])
        except PenilaianError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Realisasi tahunan disimpan.")
            return _redirect_own(ev)
    error = form.non_field_errors()[0] if form.non_field_errors() else _error_text(form)
    bagian = list(Evaluasi.objects.filter(periode=ev.periode, pegawai=ev.pegawai).order_by("mulai"))
    return _render_tahunan(
        request, ev.periode.tahun, ev, bagian if len(bagian) > 1 else [], form=form, error=error,
        rata_nilai=tahunan.dua_desimal(tahunan.rata_rata_nilai(baris)), status=400,
    )  # fmt: skip


@require_POST
def tahunan_kirim(request: HttpRequest, pk: int) -> HttpResponse:
    ev = _own_tahunan(request, pk)
    try:
        versi = int(request.POST.get("versi", ""))
    except ValueError:
        versi = -1
    try:
        tahunan.kirim_realisasi_tahunan(ev, by=request.user, versi=versi)
    except PenilaianError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Realisasi tahunan dikirim kepada pejabat penilai.")
    return _redirect_own(ev)


# The penilai's team list and rating page ---------------------------------------------------------


@require_safe
def tahunan_tim_sekarang(request: HttpRequest) -> HttpResponse:
    return redirect("penilaian:tahunan_tim", tahun=_tahun_sekarang())


@require_safe
def tahunan_tim(request: HttpRequest, tahun: int) -> HttpResponse:
    """The bawahan the user rates today, each with the status of the year's result evaluation."""
    if not menu_flags(request)["persetujuan"]:
        raise PermissionDenied
    if not 2000 <= tahun <= 2100:
        raise Http404("Tahun tidak ditemukan.")
    bawahan = sorted(request.user.bawahan_langsung(), key=lambda p: p.nama)
    periode = tahunan.periode_tahunan(tahun)
    evaluasi = {}
    if periode is not None:
        evaluasi = {
            e.pegawai_id: e
            for e in Evaluasi.objects.filter(periode=periode, pegawai_id__in=[p.pk for p in bawahan], hasil_bulan=True)
        }
    rows = [{"pegawai": p, "ev": evaluasi.get(p.pk)} for p in bawahan]
    jumlah = {"Belum diisi": sum(1 for r in rows if r["ev"] is None)}
    jumlah.update({s.label: sum(1 for r in rows if r["ev"] and r["ev"].status == s) for s in St})
    context = {
        "tahun": tahun,
        "periode": periode,
        "belum_dibuka": tahunan.alasan_belum_dibuka(tahun, periode),
        "rows": rows,
        "jumlah": jumlah,
        "tahun_lalu": tahun - 1 if tahun > 2000 else None,
        "tahun_depan": tahun + 1 if tahun + 1 <= _tahun_sekarang() else None,
    }
    return render(request, "penilaian/tahunan_tim.html", context)


def _matriks() -> dict[str, dict[str, str]]:
    """The predikat matrix for the page's script (json_script): rating hasil → perilaku → label."""
    return {h: {p: rules.predikat(h, p).label for p in Rating.values} for h in Rating.values}


def _nilai_context(request: HttpRequest, ev: Evaluasi, **extra) -> dict:
    baris = tahunan.baris_tahunan(ev, dengan_saran=False)
    rhk_list = list({b.rhk.pk: b.rhk for b in baris}.values())
    terkunci = is_terkunci_untuk(ev.periode, ev.pegawai_id)
    if "form" not in extra:
        ub = {(u.rhk_id, u.perilaku): u.teks for u in UmpanBalik.objects.filter(evaluasi=ev)}
        initial = {"versi": ev.versi, "rating_hasil": ev.rating_hasil, "rating_perilaku": ev.rating_perilaku}
        initial.update({f"ub_rhk_{rhk.pk}": ub.get((rhk.pk, ""), "") for rhk in rhk_list})
        initial.update({f"ub_{kode}": ub.get((None, kode), "") for kode, _ in BERAKHLAK_CHOICES})
        extra["form"] = NilaiTahunanForm(initial=initial, rhk_list=rhk_list)
    extra.setdefault("kembalikan_form", KembalikanForm(initial={"versi": ev.versi}))
    return {
        "ev": ev,
        "pegawai_data": ev.snapshot_pegawai or {"nama": ev.pegawai.nama_lengkap, "nip": ev.pegawai.nip},
        "baris": baris,
        "rata_nilai": tahunan.dua_desimal(tahunan.rata_rata_nilai(baris)),
        "bulanan": tahunan.predikat_bulanan(ev.pegawai_id, ev.periode.tahun),
        "terkunci": pesan_terkunci(ev.periode) if terkunci else "",
        "can_nilai": ev.status in (St.DIKIRIM, St.DINILAI) and not terkunci,
        "can_kembalikan": ev.status == St.DIKIRIM and not terkunci,
        "matriks": _matriks(),
        "cetak_url": _cetak_url(ev),
        **extra,
    }


@require_http_methods(["GET", "HEAD", "POST"])
def nilai_tahunan(request: HttpRequest, pk: int) -> HttpResponse:
    ev = _tahunan_or_404(request, pk)
    if not is_penilai_sekarang(ev, request.user):
        raise PermissionDenied
    if request.method != "POST":
        return render(request, "penilaian/tahunan_nilai.html", _nilai_context(request, ev))
    rhk_list = list(RencanaHasilKerja.objects.filter(skp_id=ev.skp_id).order_by("jenis", "urutan", "pk"))
    form = NilaiTahunanForm(request.POST, rhk_list=rhk_list)
    if form.is_valid():
        data = form.cleaned_data
        try:
            alur.simpan_penilaian(
                ev, by=request.user, rating_hasil=data["rating_hasil"], rating_perilaku=data["rating_perilaku"],
                umpan_balik_rhk={rhk.pk: data[f"ub_rhk_{rhk.pk}"] for rhk in rhk_list},
                umpan_balik_perilaku={kode: data[f"ub_{kode}"] for kode, _ in BERAKHLAK_CHOICES},
                versi=data["versi"],
            )  # fmt: skip
        except PenilaianError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"Evaluasi tahunan {ev.pegawai.nama_lengkap} dinilai: predikat {ev.get_predikat_display()}."
            )
            return redirect("penilaian:nilai_tahunan", pk=ev.pk)
    error = form.non_field_errors()[0] if form.non_field_errors() else _error_text(form)
    return render(
        request, "penilaian/tahunan_nilai.html", _nilai_context(request, ev, form=form, error=error), status=400
    )


@require_POST
def kembalikan_tahunan(request: HttpRequest, pk: int) -> HttpResponse:
    ev = _tahunan_or_404(request, pk)
    if not is_penilai_sekarang(ev, request.user):
        raise PermissionDenied
    form = KembalikanForm(request.POST)
    if form.is_valid():
        try:
            alur.kembalikan_realisasi(
                ev, by=request.user, catatan=form.cleaned_data["catatan"], versi=form.cleaned_data["versi"]
            )
        except PenilaianError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Realisasi tahunan {ev.pegawai.nama_lengkap} dikembalikan dengan catatan.")
            return redirect("penilaian:tahunan_tim", tahun=ev.periode.tahun)
    error = form.non_field_errors()[0] if form.non_field_errors() else form.errors.get("catatan", [""])[0]
    context = _nilai_context(request, ev, kembalikan_form=form, error=error or "Periksa kembali catatan pengembalian.")
    return render(request, "penilaian/tahunan_nilai.html", context, status=400)


urlpatterns = [
    path("tahunan/", tahunan_sekarang, name="tahunan_sekarang"),
    path("tahunan/tim/", tahunan_tim_sekarang, name="tahunan_tim_sekarang"),
    path("tahunan/<int:tahun>/", tahunan_page, name="tahunan"),
    path("tahunan/<int:tahun>/tim/", tahunan_tim, name="tahunan_tim"),
    path("tahunan/evaluasi/<int:pk>/simpan/", tahunan_simpan, name="tahunan_simpan"),
    path("tahunan/evaluasi/<int:pk>/kirim/", tahunan_kirim, name="tahunan_kirim"),
    path("tahunan/evaluasi/<int:pk>/nilai/", nilai_tahunan, name="nilai_tahunan"),
    path("tahunan/evaluasi/<int:pk>/kembalikan/", kembalikan_tahunan, name="kembalikan_tahunan"),
]
