"""Organisation pages: OPD list and detail (unit tree), Plt/Plh assignments, the audit trail."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from opd import audit, services
from opd.forms import AuditFilterForm, PltBatalForm, PltForm
from opd.models import AuditLog, Jabatan, JenisJabatan, Opd, Pegawai, PenugasanPlt, UnitKerja

PER_PAGE = 50
# Plt/Plh cover positions that supervise somebody (BKN: Plt/Plh of a jabatan struktural).
PLT_JENIS = [JenisJabatan.JPT, JenisJabatan.ADMINISTRATOR, JenisJabatan.PENGAWAS]


def opds_visible_to(user: Pegawai) -> QuerySet[Opd]:
    """SPEC §9: admin BKD and auditor see every OPD, an admin OPD their own, others none."""
    if user.can_read_all():
        return Opd.objects.all()
    return Opd.objects.filter(pk__in=user.admin_opd_ids)


def get_opd_for(user: Pegawai, kode: str) -> Opd:
    opd = opds_visible_to(user).filter(kode=kode).first()
    if opd is None:
        raise Http404("OPD tidak ditemukan.")
    return opd


def _require_people_reader(user: Pegawai) -> None:
    """Pages about the whole organisation are for admins and the auditor; a pegawai is refused."""
    if not (user.can_read_all() or user.is_admin_opd):
        raise PermissionDenied("Halaman ini untuk admin OPD, admin BKD dan auditor.")


def _count(model: type, **filters: object) -> Coalesce:
    """A correlated COUNT per OPD: no JOIN fan-out between the counted tables."""
    sub = model.objects.filter(opd=OuterRef("pk"), **filters).order_by().values("opd").annotate(n=Count("pk"))
    return Coalesce(Subquery(sub.values("n"), output_field=IntegerField()), Value(0))


@require_safe
def opd_list(request: HttpRequest) -> HttpResponse:
    _require_people_reader(request.user)
    opds = (
        opds_visible_to(request.user)
        .annotate(
            jumlah_pegawai=_count(Pegawai, is_active=True),
            jumlah_unit=_count(UnitKerja),
            jumlah_jabatan=_count(Jabatan),
        )
        .order_by("-pilot", "urutan", "nama")
    )
    return render(request, "opd/opd_list.html", {"opds": opds})


@dataclass
class UnitNode:
    unit: UnitKerja
    jumlah_pegawai: int = 0
    children: list[UnitNode] = field(default_factory=list)


def _unit_tree(opd: Opd) -> list[UnitNode]:
    counts = dict(
        Pegawai.objects.filter(opd=opd, is_active=True, unit__isnull=False)
        .order_by()
        .values_list("unit")
        .annotate(n=Count("pk"))
    )
    nodes = {u.pk: UnitNode(u, counts.get(u.pk, 0)) for u in UnitKerja.objects.filter(opd=opd).order_by("nama")}
    roots: list[UnitNode] = []
    for node in nodes.values():
        parent = nodes.get(node.unit.parent_id) if node.unit.parent_id else None
        (parent.children if parent is not None else roots).append(node)
    return roots


@require_safe
def opd_detail(request: HttpRequest, kode: str) -> HttpResponse:
    opd = get_opd_for(request.user, kode)
    pegawai = Pegawai.objects.filter(opd=opd, is_active=True)
    stats = pegawai.aggregate(
        total=Count("pk"),
        **{j.value: Count("pk", filter=Q(jabatan__jenis=j.value)) for j in JenisJabatan},
    )
    kepala = (
        Pegawai.objects.filter(opd=opd, is_active=True, jabatan__jenis=JenisJabatan.JPT)
        .select_related("jabatan")
        .order_by("jabatan__atasan__opd", "pk")
        .first()
    )
    per_jenis = [(j.label, stats[j.value]) for j in JenisJabatan if j != JenisJabatan.PEJABAT_NEGARA]
    return render(
        request,
        "opd/opd_detail.html",
        {"opd": opd, "tree": _unit_tree(opd), "total": stats["total"], "per_jenis": per_jenis, "kepala": kepala},
    )


# Plt / Plh --------------------------------------------------------------------------------------


def get_plt_for(user: Pegawai, pk: int) -> PenugasanPlt:
    qs = PenugasanPlt.objects.select_related("jabatan__opd", "pegawai")
    if not user.can_read_all():
        qs = qs.filter(jabatan__opd_id__in=user.admin_opd_ids)
    plt = qs.filter(pk=pk).first()
    if plt is None:
        raise Http404("Penugasan Plt/Plh tidak ditemukan.")
    return plt


def _can_cancel(plt: PenugasanPlt, user: Pegawai, manageable: set[int], reserved: set[int]) -> bool:
    """The admin of the position's OPD, except for her own assignment or a position reserved to
    the admin BKD (services.cancel_plt refuses both)."""
    return plt.jabatan.opd_id in manageable and plt.pegawai_id != user.pk and plt.jabatan_id not in reserved


@require_safe
def plt_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_people_reader(user)
    opds = list(opds_visible_to(user).order_by("-pilot", "urutan", "nama"))
    qs = PenugasanPlt.objects.filter(jabatan__opd__in=opds).select_related("jabatan__opd", "pegawai__jabatan")
    kode = request.GET.get("opd", "")
    if kode:
        qs = qs.filter(jabatan__opd__kode=kode)
    today = timezone.localdate()
    active_q = Q(dibatalkan=False, mulai__lte=today, selesai__gte=today)
    upcoming_q = Q(dibatalkan=False, mulai__gt=today)
    rows = list(qs.filter(active_q | upcoming_q).order_by("mulai", "pk"))
    history = Paginator(qs.exclude(active_q | upcoming_q).order_by("-mulai", "-pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    manageable = {o.pk for o in opds if user.can_manage_people_of(o.pk)}
    reserved = services.plt_jabatan_reserved_for_bkd(user) if manageable else set()
    openable = Pegawai.objects.openable_ids(user, {p.pegawai_id for p in [*rows, *history.object_list]})
    for p in [*rows, *history.object_list]:
        p.pegawai_dapat_dibuka = p.pegawai_id in openable
    return render(
        request,
        "opd/plt_list.html",
        {
            "opds": opds,
            "kode": kode,
            "rows": [(p, _can_cancel(p, user, manageable, reserved), p.is_active_on(today)) for p in rows],
            "history": history,
            "can_create": bool(manageable),
            "batal_form": PltBatalForm(),
        },
    )


@require_http_methods(["GET", "POST"])
def plt_tambah(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.is_superuser or user.is_admin_bkd or user.is_admin_opd):
        raise PermissionDenied("Hanya admin OPD dan admin BKD yang dapat menunjuk Plt/Plh.")
    jabatan_qs = Jabatan.objects.filter(jenis__in=PLT_JENIS).order_by("opd__urutan", "opd__nama", "nama", "pk")
    if not (user.is_superuser or user.is_admin_bkd):
        # Separation of duties (SPEC §9): the position that rates the admin OPD and those above it
        # are the admin BKD's to fill; they are not offered (and create_plt refuses them).
        jabatan_qs = jabatan_qs.filter(opd_id__in=user.admin_opd_ids).exclude(
            pk__in=services.plt_jabatan_reserved_for_bkd(user)
        )
    form = PltForm(request.POST or None, jabatan_qs=jabatan_qs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plt = services.create_plt(
                jabatan=data["jabatan"],
                pegawai=data["nip"],
                jenis=data["jenis"],
                mulai=data["mulai"],
                selesai=data["selesai"],
                nomor_sk=data["nomor_sk"],
                by=user,
            )
        except services.OrganisasiError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"{plt.get_jenis_display()} {plt.jabatan.nama} dicatat: {plt.pegawai.nama_lengkap}".rstrip(".") + ".",
            )
            return redirect("opd:plt_list")
    return render(request, "opd/plt_form.html", {"form": form})


@require_POST
def plt_batalkan(request: HttpRequest, pk: int) -> HttpResponse:
    plt = get_plt_for(request.user, pk)
    if not request.user.can_manage_people_of(plt.jabatan.opd_id):
        raise PermissionDenied("Hanya admin OPD dan admin BKD yang dapat membatalkan Plt/Plh.")
    form = PltBatalForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pembatalan gagal: alasan pembatalan wajib diisi.")
        return redirect("opd:plt_list")
    try:
        services.cancel_plt(plt, by=request.user, alasan=form.cleaned_data["alasan"])
    except services.OrganisasiError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Penugasan {plt.pegawai.nama_lengkap} sebagai {plt.jabatan.nama} dibatalkan.")
    return redirect("opd:plt_list")


# Audit trail ------------------------------------------------------------------------------------


def with_aksi_labels(rows: list[AuditLog]) -> list[AuditLog]:
    """Audit rows ready for `opd/_audit_table.html` (labels, readable changes): opd.audit.present."""
    return audit.present(rows)


@require_safe
def audit_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_people_reader(user)
    qs = AuditLog.objects.visible_to(user)
    opds = list(opds_visible_to(user).order_by("-pilot", "urutan", "nama"))
    aksi = list(qs.order_by("aksi").values_list("aksi", flat=True).distinct())
    form = AuditFilterForm(request.GET or None, opds=opds, aksi=[(a, audit.aksi_label(a)) for a in aksi])
    if form.is_valid():
        if form.cleaned_data["opd"]:
            qs = qs.filter(opd__kode=form.cleaned_data["opd"])
        if form.cleaned_data["aksi"]:
            qs = qs.filter(aksi=form.cleaned_data["aksi"])
    page = Paginator(qs.select_related("opd"), PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = with_aksi_labels(list(page.object_list))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "opd/audit_list.html", {"form": form, "page": page, "querystring": params.urlencode()})
