"""Pegawai import in the browser (SPEC §8), admin BKD only: upload → preview → apply."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models.fields.json import KT
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ekinerja.tabel import angka
from opd import imports, pekerjaan, tugas
from opd.models import ImporPegawai, Pegawai

MAX_ERRORS_SHOWN = 500


class UnggahForm(forms.Form):
    berkas = forms.FileField(
        label="Berkas pegawai (.xlsx atau .csv)",
        help_text="Ekspor SIASN/SAPK/SIMPEG, atau isi templat CSV. Baris pertama adalah judul kolom.",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class TerapkanForm(forms.Form):
    # Off unless the admin ticks it: accounts created by the import have no usable password by
    # default (issue #6 §3).
    sandi_awal_nip = forms.BooleanField(label="Kata sandi awal = NIP", required=False, initial=False)


def _require_admin_bkd(user: Pegawai) -> None:
    if not (user.is_superuser or user.is_admin_bkd):
        raise PermissionDenied("Impor pegawai hanya untuk admin BKD.")


def get_impor_for(user: Pegawai, pk: int) -> ImporPegawai:
    _require_admin_bkd(user)
    impor = ImporPegawai.objects.select_related("uploaded_by").filter(pk=pk).first()
    if impor is None:
        raise Http404("Impor tidak ditemukan.")
    return impor


def impor_unggah(request: HttpRequest) -> HttpResponse:
    _require_admin_bkd(request.user)
    form = UnggahForm(request.POST, request.FILES) if request.method == "POST" else UnggahForm()
    errors: list[imports.ImportIssue] = []
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["berkas"]
        too_big = imports.size_error(upload.size)  # before reading a byte of it
        if too_big:
            errors = [imports.ImportIssue(None, "", too_big)]
        else:
            data = upload.read()
            plan = imports.build_plan(data, max_rows=imports.browser_max_rows(), max_cells=imports.browser_max_cells())
            errors = plan.errors
            if not errors:
                impor = imports.save_upload(data, upload.name, plan, by=request.user)
                return redirect("opd:impor_pratinjau", pk=impor.pk)
    context = {
        "form": form,
        "errors": errors[:MAX_ERRORS_SHOWN],
        "error_count": len(errors),
        "errors_truncated": len(errors) > MAX_ERRORS_SHOWN,
        "max_mb": imports.max_bytes() / 1048576,
        "max_rows_web": angka(imports.browser_max_rows()),
        "columns": imports.COLUMNS.items(),
        "required": imports.REQUIRED,
    }
    return render(request, "opd/impor_unggah.html", context)


def impor_pratinjau(request: HttpRequest, pk: int) -> HttpResponse:
    impor = get_impor_for(request.user, pk)
    berjalan = (
        pekerjaan.aktif(tugas.JENIS_IMPOR, tugas.kunci_impor(impor))
        if impor.status != ImporPegawai.Status.DITERAPKAN
        else None
    )
    ringkasan = impor.ringkasan or {}
    counts = ringkasan.get("counts", {})
    context = {
        "impor": impor,
        "counts": counts,
        "baru": ringkasan.get("baru", []),
        "berubah": ringkasan.get("berubah", []),
        "tidak_ada": ringkasan.get("tidak_ada", []),
        "peringatan": ringkasan.get("peringatan", []),
        "hasil": ringkasan.get("hasil"),
        "errors": ringkasan.get("errors", []),
        "can_apply": impor.status == ImporPegawai.Status.PRATINJAU and berjalan is None,
        "berjalan": berjalan,
        "berjalan_milik_saya": berjalan is not None and berjalan.dibuat_oleh_id == request.user.pk,
        "sandi_awal_allowed": ringkasan.get("sandi_awal_allowed", False),
        "max_sandi_awal": imports.MAX_SANDI_AWAL,
        "max_rows": imports.MAX_PREVIEW_ROWS,
        "form": TerapkanForm(),
    }
    return render(request, "opd/impor_pratinjau.html", context)


@require_POST
def impor_terapkan(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the apply as a background job (issue #9 §1: a province's file is minutes of writes)
    and show its progress; a second press while it runs leads to the same job."""
    impor = get_impor_for(request.user, pk)
    form = TerapkanForm(request.POST)
    sandi_awal = form.is_valid() and form.cleaned_data["sandi_awal_nip"]
    try:
        job = tugas.mulai_terapkan_impor(impor, by=request.user, sandi_awal_nip=sandi_awal)
    except (imports.SudahDiterapkan, tugas.SedangDiterapkan) as exc:
        messages.info(request, str(exc))
        return redirect("opd:impor_pratinjau", pk=impor.pk)
    messages.success(request, f"Penerapan impor {impor.original_name} dimulai.")
    return redirect("opd:pekerjaan_detail", pk=job.pk)


LIST_COUNTS = ("baris", "baru", "berubah", "tetap", "tidak_ada")


def impor_daftar(request: HttpRequest) -> HttpResponse:
    _require_admin_bkd(request.user)
    # Only the counts from the stored preview JSON (≈240 KB per import; loading 50 whole took 512 ms).
    imports_ = (
        ImporPegawai.objects.select_related("uploaded_by")
        .defer("ringkasan")
        .annotate(**{f"n_{k}": KT(f"ringkasan__counts__{k}") for k in LIST_COUNTS})
        .order_by("-created_at", "-pk")[:50]
    )
    rows = [(impor, {k: int(getattr(impor, f"n_{k}") or 0) for k in LIST_COUNTS}) for impor in imports_]
    return render(request, "opd/impor_daftar.html", {"rows": rows})


def impor_templat(request: HttpRequest) -> HttpResponse:
    _require_admin_bkd(request.user)
    response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="templat_impor_pegawai.csv"'
    return response
