"""Beranda: the pegawai's own profile and supervisors; for admins and the auditor, counts per OPD."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.module_loading import import_string
from django.views.decorators.http import require_safe

from opd import services
from opd.models import Jabatan, JenisJabatan, Opd, Pegawai, PenugasanPlt, PeranPengguna

JENIS_KOLOM = [JenisJabatan.JPT, JenisJabatan.ADMINISTRATOR, JenisJabatan.PENGAWAS, JenisJabatan.PELAKSANA,
               JenisJabatan.FUNGSIONAL]  # fmt: skip


def _opd_summary(user: Pegawai) -> dict:
    """Counts per OPD for the OPDs the user reads (pilots first), plus totals for the stat cards.
    Grouped in the database per position (services.hitung_per_opd): constant queries, and rows
    that grow with the positions, not with the pegawai."""
    opds = Opd.objects.all() if user.can_read_all() else Opd.objects.filter(pk__in=user.admin_opd_ids)
    opds = list(opds.order_by("-pilot", "urutan", "nama"))
    tersimpan = None
    if user.can_read_all():
        # The regency's counts read every pegawai (~140 ms at 100,000) and are the same for every
        # reader of all OPDs: kept a while, and the page says when they were counted.
        tersimpan = services.ringkasan_kabupaten(
            f"opd:{','.join(str(o.pk) for o in opds)}",
            lambda: services.hitung_per_opd((o.pk for o in opds), every_opd=True),
        )
        counts = tersimpan.nilai
    else:
        counts = services.hitung_per_opd((o.pk for o in opds), every_opd=False)
    rows = [
        {
            "opd": o,
            "jumlah": counts[o.pk].jumlah,
            "per_jenis": [counts[o.pk].per_jenis.get(j.value, 0) for j in JENIS_KOLOM],
            "tanpa": counts[o.pk].tanpa_penilai,
        }
        for o in opds
    ]
    return {
        "rows": rows,
        "jenis_kolom": [j.label for j in JENIS_KOLOM],
        "total_pegawai": sum(r["jumlah"] for r in rows),
        "total_opd": len(rows),
        "total_pilot": sum(1 for o in opds if o.pilot),
        "total_tanpa": sum(r["tanpa"] for r in rows),
        "tersimpan": tersimpan,
    }


@dataclass
class Kontak:
    """Whom to ask when the supervisor shown is wrong. Nobody fixes their own supervisor
    (issue #6 §2), so an admin is pointed to another admin, never to themself."""

    peran: str  # "admin OPD Anda", "admin BKD"
    orang: list[Pegawai]


def _kontak(me: Pegawai) -> Kontak | None:
    roles = list(
        PeranPengguna.objects.filter(
            Q(peran=PeranPengguna.Peran.ADMIN_OPD, opd_id=me.opd_id) | Q(peran=PeranPengguna.Peran.ADMIN_BKD)
        )
        .exclude(pegawai=me)
        .select_related("pegawai")
        .order_by("pegawai__nama")
    )
    admin_opd = [r.pegawai for r in roles if r.peran == PeranPengguna.Peran.ADMIN_OPD and me.opd_id]
    admin_bkd = [r.pegawai for r in roles if r.peran == PeranPengguna.Peran.ADMIN_BKD]
    if admin_opd:
        return Kontak("admin OPD Anda", admin_opd)
    return Kontak("admin BKD", admin_bkd) if admin_bkd else None


@dataclass
class PenugasanSaya:
    """An active Plt/Plh of the viewer, with the bawahan rated through it."""

    plt: PenugasanPlt
    bawahan: list[Pegawai]

    @property
    def sebutan(self) -> str:
        return "Plt" if self.plt.jenis == PenugasanPlt.Jenis.PLT else "Plh"


def _penugasan(me: Pegawai, bawahan: list[Pegawai]) -> list[PenugasanSaya]:
    """Which of `bawahan` each active assignment brings: walk up from each one's position to the
    first position the viewer acts for (through vacant positions, as bawahan_of does)."""
    today = timezone.localdate()
    active = list(PenugasanPlt.objects.active_on(today).filter(pegawai=me).select_related("jabatan").order_by("mulai"))
    if not active:
        return []
    opd_ids = {p.jabatan.opd_id for p in active}
    atasan_of = dict(Jabatan.objects.filter(opd_id__in=opd_ids).values_list("pk", "atasan_id"))
    acting = {p.jabatan_id for p in active} | ({me.jabatan_id} if me.jabatan_id else set())
    through: dict[int, list[Pegawai]] = {}
    for b in bawahan:
        node, seen = atasan_of.get(b.jabatan_id), set()
        while node is not None and node not in acting and node not in seen:
            seen.add(node)
            node = atasan_of.get(node)
        if node is not None:
            through.setdefault(node, []).append(b)
    return [PenugasanSaya(p, through.get(p.jabatan_id, [])) for p in active]


@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    user: Pegawai = request.user
    me = Pegawai.objects.with_related().get(pk=user.pk)
    me._roles_cache = user._roles  # the same person: the cards ask for roles without a query
    penilai = services.penilai_detail(me)
    atasan_penilai = services.penilai_detail(penilai.pegawai) if penilai else None
    # The top of the chain (the Bupati) has no penilai by design: nothing to warn about or report.
    puncak = me.jabatan is not None and me.jabatan.jenis == JenisJabatan.PEJABAT_NEGARA
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
            "puncak": puncak,
            "kontak": None if puncak else _kontak(me),
            "is_admin": user.is_admin_opd or user.is_admin_bkd,
            "penugasan": _penugasan(me, bawahan),
            "summary": _opd_summary(user) if is_manager else None,
            "widgets": [
                html
                for html in (import_string(path)(me, bawahan=bawahan) for path in settings.DASHBOARD_WIDGETS)
                if html
            ],
        },
    )
