"""Beranda: the pegawai's own profile and supervisors; for admins and the auditor, counts per OPD."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.module_loading import import_string
from django.views.decorators.http import require_safe

from opd import services
from opd.models import JenisJabatan, Opd, Pegawai, PeranPengguna

JENIS_KOLOM = [JenisJabatan.JPT, JenisJabatan.ADMINISTRATOR, JenisJabatan.PENGAWAS, JenisJabatan.PELAKSANA,
               JenisJabatan.FUNGSIONAL]  # fmt: skip


def _opd_summary(user: Pegawai) -> dict:
    """Counts per OPD for the OPDs the user reads (pilots first), plus totals for the stat cards.
    `tanpa_penilai` comes from one OrgChart, not a query per pegawai."""
    opds = Opd.objects.all() if user.can_read_all() else Opd.objects.filter(pk__in=user.admin_opd_ids)
    aktif = Q(pegawai_set__is_active=True) & ~Q(pegawai_set__jenis_asn=Pegawai.JenisAsn.NON_ASN)
    opds = list(
        opds.annotate(
            jumlah=Count("pegawai_set", filter=aktif),
            **{
                j.value: Count("pegawai_set", filter=aktif & Q(pegawai_set__jabatan__jenis=j.value))
                for j in JENIS_KOLOM
            },
        ).order_by("-pilot", "urutan", "nama")
    )
    chart = services.OrgChart()
    tanpa: dict[int, int] = {}
    people = Pegawai.objects.aktif().asn().filter(opd__in=opds).values_list("pk", "opd_id")
    for pk, opd_id in people:
        if chart.penilai_id(pk) is None:
            tanpa[opd_id] = tanpa.get(opd_id, 0) + 1
    rows = [
        {
            "opd": o,
            "jumlah": o.jumlah,
            "per_jenis": [getattr(o, j.value) for j in JENIS_KOLOM],
            "tanpa": tanpa.get(o.pk, 0),
        }
        for o in opds
    ]
    return {
        "rows": rows,
        "jenis_kolom": [j.label for j in JENIS_KOLOM],
        "total_pegawai": sum(r["jumlah"] for r in rows),
        "total_opd": len(rows),
        "total_pilot": sum(1 for o in opds if o.pilot),
        "total_tanpa": sum(tanpa.values()),
    }


@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    user: Pegawai = request.user
    me = Pegawai.objects.with_related().get(pk=user.pk)
    penilai = services.penilai_detail(me)
    atasan_penilai = services.penilai_detail(penilai.pegawai) if penilai else None
    admin_opd = []
    if me.opd_id:
        admin_opd = [
            r.pegawai
            for r in PeranPengguna.objects.filter(peran=PeranPengguna.Peran.ADMIN_OPD, opd_id=me.opd_id)
            .select_related("pegawai")
            .order_by("pegawai__nama")
        ]
    is_manager = user.can_read_all() or user.is_admin_opd
    bawahan = me.bawahan_langsung()
    return render(
        request,
        "opd/dashboard.html",
        {
            "me": me,
            "has_profile": me.jenis_asn != Pegawai.JenisAsn.NON_ASN or me.jabatan_id is not None,
            "penilai": penilai,
            "atasan_penilai": atasan_penilai,
            "bawahan": bawahan,
            "admin_opd": admin_opd,
            "summary": _opd_summary(user) if is_manager else None,
            "widgets": [
                html
                for html in (import_string(path)(me, bawahan=bawahan) for path in settings.DASHBOARD_WIDGETS)
                if html
            ],
        },
    )
