"""Pegawai pages: list, detail (penilai chain, bawahan, Plt, audit), supervisor change."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from opd import services
from opd.forms import AtasanForm, PegawaiFilterForm
from opd.models import AuditLog, Opd, Pegawai, PenugasanPlt
from opd.views.organisasi import with_aksi_labels

PER_PAGE = 50


def get_pegawai_for(user: Pegawai, pk: int) -> Pegawai:
    """The pegawai `pk` if `user` may see them (SPEC §9), else 404."""
    pegawai = Pegawai.objects.visible_to(user).with_related().filter(pk=pk).first()
    if pegawai is None:
        raise Http404("Pegawai tidak ditemukan.")
    return pegawai


@require_safe
def pegawai_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    qs = Pegawai.objects.visible_to(user).with_related().order_by("nama", "pk")
    opds = list(Opd.objects.filter(pk__in=qs.values("opd_id")).order_by("-pilot", "urutan", "nama"))
    form = PegawaiFilterForm(request.GET or None, opds=opds)
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            compact = q.replace(" ", "")
            qs = qs.filter(nip__startswith=compact) if compact.isdigit() else qs.filter(nama__icontains=q)
        if form.cleaned_data["opd"]:
            qs = qs.filter(opd__kode=form.cleaned_data["opd"])
        if form.cleaned_data["jenis"]:
            qs = qs.filter(jabatan__jenis=form.cleaned_data["jenis"])
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    # One OrgChart for the whole page: penilai of every row resolved in memory.
    penilai = services.OrgChart().penilai_of(p.pk for p in page.object_list) if page.object_list else {}
    rows = [(p, penilai.get(p.pk)) for p in page.object_list]
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "opd/pegawai_list.html",
        {"form": form, "page": page, "rows": rows, "querystring": params.urlencode()},
    )


@require_safe
def pegawai_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    pegawai = get_pegawai_for(user, pk)
    today = timezone.localdate()
    plt_rows = list(PenugasanPlt.objects.filter(pegawai=pegawai).select_related("jabatan__opd").order_by("-mulai"))
    can_manage = user.can_manage_people_of(pegawai.opd_id)
    is_self = pegawai.pk == user.pk
    can_see_audit = can_manage or user.can_read_all()
    bawahan = pegawai.bawahan_langsung()
    openable = Pegawai.objects.openable_ids(user, [b.pk for b in bawahan])
    audit_rows = (
        with_aksi_labels(list(AuditLog.objects.for_object(pegawai).visible_to(user).select_related("opd")[:50]))
        if can_see_audit
        else []
    )
    return render(
        request,
        "opd/pegawai_detail.html",
        {
            "pegawai": pegawai,
            "chain": services.penilai_chain(pegawai),
            "bawahan": [(b, b.pk in openable) for b in bawahan],
            "plt_aktif": [p for p in plt_rows if p.is_active_on(today)],
            "plt_lain": [p for p in plt_rows if not p.is_active_on(today)],
            "audit_rows": audit_rows,
            "can_see_audit": can_see_audit,
            # Separation of duties (SPEC §9): nobody changes their own supervisor or resets their own password here.
            "can_change_atasan": can_manage and pegawai.jabatan_id is not None and not is_self,
            "can_reset_password": can_manage and not is_self,
            "is_self": is_self,
        },
    )


@require_http_methods(["GET", "POST"])
def pegawai_atasan(request: HttpRequest, pk: int) -> HttpResponse:
    pegawai = get_pegawai_for(request.user, pk)
    if not request.user.can_manage_people_of(pegawai.opd_id):
        raise PermissionDenied("Hanya admin OPD pegawai ini atau admin BKD yang dapat mengubah atasan.")
    if pegawai.pk == request.user.pk:
        raise PermissionDenied("Anda tidak dapat mengubah atasan Anda sendiri.")
    shared = (
        pegawai.jabatan_id is not None
        and Pegawai.objects.filter(Q(jabatan_id=pegawai.jabatan_id) & ~Q(pk=pegawai.pk)).exists()
    )
    initial = {"atasan": pegawai.jabatan.atasan_id} if pegawai.jabatan_id else {}
    form = AtasanForm(request.POST or None, pegawai=pegawai, shared=shared, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_atasan_jabatan(
                pegawai,
                form.cleaned_data["atasan"],
                by=request.user,
                alasan=form.cleaned_data["alasan"],
                only_this_pegawai=form.only_this_pegawai,
            )
        except services.OrganisasiError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Atasan {pegawai.nama_lengkap} diubah ke {form.cleaned_data['atasan'].nama}.")
            return redirect("opd:pegawai_detail", pk=pegawai.pk)
    return render(
        request,
        "opd/pegawai_atasan_form.html",
        {"pegawai": pegawai, "form": form, "penilai": services.penilai_detail(pegawai), "shared": shared},
    )
