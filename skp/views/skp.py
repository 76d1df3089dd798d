"""SKP pages: Daftar SKP, penyusunan (SKP, RHK + IKI + intervensi), Ajukan / Setujui / Kembalikan,
revisi, the penilai's inbox and review page, riwayat.

Every view: fetch through get_skp_for / get_rhk_for (404) → predicate (403) → form → one
service → message → redirect. Who may act is checked here (403); whether the state allows it is
the service's call, so a double click answers with a message instead of an error page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from opd import audit
from opd.models import Pegawai
from skp import services
from skp.forms import (
    EkspektasiForm,
    IntervensiForm,
    KembalikanForm,
    RhkForm,
    SkpBuatForm,
    SkpUbahForm,
    TutupSkpForm,
    iki_formset,
)
from skp.models import IntervensiRhk, RencanaHasilKerja, Skp, boleh_menyusun_skp, get_rhk_for, get_skp_for
from skp.services import SkpError

# Helpers ---------------------------------------------------------------------------------------


def _this_year() -> int:
    return timezone.localdate().year


def _detail(skp: Skp, anchor: str = "") -> HttpResponse:
    return redirect(reverse("skp:detail", args=[skp.pk]) + anchor)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _is_penilai(skp: Skp, user: Pegawai) -> bool:
    """The pegawai's penilai today, whatever the state (a second click gets a message, not 403).
    Not "the one it was submitted to": a Plt/Plh whose assignment ended acts no more (SPEC §9)."""
    if skp.is_owner(user):
        return False
    penilai = skp.penilai_sekarang
    return penilai is not None and penilai.pk == user.pk


def _cetak_url(skp: Skp) -> str:
    try:
        return reverse("skp:cetak", args=[skp.pk])
    except NoReverseMatch:
        return ""


def _pihak(skp: Skp) -> list[tuple[str, dict]]:
    """Header parties: snapshots once approved (SPEC §2), the live chain otherwise."""
    if skp.snapshot_pegawai:
        return [
            ("Pegawai yang dinilai", skp.snapshot_pegawai),
            ("Pejabat penilai kinerja", skp.snapshot_penilai),
            ("Atasan pejabat penilai kinerja", skp.snapshot_atasan_penilai),
        ]
    penilai = skp.penilai if skp.status == Skp.Status.DIAJUKAN and skp.penilai_id else skp.pegawai.penilai()
    atasan = penilai.penilai() if penilai is not None else None
    return [
        ("Pegawai yang dinilai", services.snapshot_of(skp.pegawai)),
        ("Pejabat penilai kinerja", services.snapshot_of(penilai) if penilai else {}),
        ("Atasan pejabat penilai kinerja", services.snapshot_of(atasan) if atasan else {}),
    ]


def _versions(skp: Skp) -> list[dict]:
    rows = Skp.objects.lineage(skp.lineage_root_id).order_by("revisi").only("pk", "revisi", "status")
    result = []
    for v in rows:
        nama = "Versi awal" if v.revisi == 0 else f"Revisi {v.revisi}"
        keadaan = {"DISETUJUI": "berlaku", "DIGANTI": "diganti"}.get(v.status, v.get_status_display().lower())
        result.append({"pk": v.pk, "label": f"{nama} ({keadaan})", "current": v.pk == skp.pk})
    return result


def _rhk_rows(skp: Skp) -> list[RencanaHasilKerja]:
    links = IntervensiRhk.objects.select_related("rhk_atasan", "rhk_atasan__skp__pegawai").order_by("pk")
    return list(
        skp.rhk_set.order_by("jenis", "urutan", "pk").prefetch_related("iki_set", Prefetch("link_atas", queryset=links))
    )


def _skp_context(skp: Skp, user: Pegawai) -> dict:
    rhk = _rhk_rows(skp)
    return {
        "skp": skp,
        "pihak": _pihak(skp),
        "rhk_utama": [r for r in rhk if r.jenis == RencanaHasilKerja.Jenis.UTAMA],
        "rhk_tambahan": [r for r in rhk if r.jenis == RencanaHasilKerja.Jenis.TAMBAHAN],
        "perilaku": list(skp.perilaku_set.all()),
        "versions": _versions(skp),
        "is_owner": skp.is_owner(user),
        "can_edit": skp.can_edit(user),
        "can_submit": skp.can_submit(user),
        "can_review": skp.can_review(user),
        "can_revise": skp.can_revise(user),
        "can_delete": skp.can_delete(user),
        "can_close": skp.can_close(user),
        "cetak_url": _cetak_url(skp),
    }


# Daftar, buat, salin ---------------------------------------------------------------------------


@require_safe
def daftar(request: HttpRequest) -> HttpResponse:
    user = request.user
    tahun = _this_year()
    skp_list = list(Skp.objects.filter(pegawai=user).with_related().order_by("-tahun", "-mulai", "-revisi"))
    live_penilai = user.penilai() if any(not s.snapshot_penilai and not s.penilai_id for s in skp_list) else None
    for s in skp_list:
        s.penilai_nama = (
            s.snapshot_penilai.get("nama")
            or (s.penilai.nama_lengkap if s.penilai_id else "")
            or (live_penilai.nama_lengkap if live_penilai else "—")
        )
    tahun_ini = [s for s in skp_list if s.tahun == tahun]
    sumber = next((s for s in skp_list if s.tahun == tahun - 1 and s.status != Skp.Status.DIGANTI), None)
    # The Bupati and system accounts have no SKP (services.create_skp refuses them too).
    menyusun = boleh_menyusun_skp(user)
    return render(
        request,
        "skp/skp_list.html",
        {
            "skp_list": skp_list,
            "tahun": tahun,
            "menyusun": menyusun,
            "can_create": menyusun and not tahun_ini,
            "salin_sumber": sumber if menyusun and not tahun_ini else None,
        },
    )


@require_http_methods(["GET", "POST"])
def buat(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require(boleh_menyusun_skp(user))
    tahun = _this_year()
    error = ""
    if request.method == "POST":
        form = SkpBuatForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                skp = services.create_skp(
                    user, by=user, tahun=d["tahun"], pendekatan=d["pendekatan"], mulai=d["mulai"], selesai=d["selesai"]
                )
            except SkpError as e:
                error = str(e)
            else:
                messages.success(request, f"SKP {skp.tahun} dibuat. Tambahkan Rencana Hasil Kerja (RHK) Anda.")
                return _detail(skp)
    else:
        mulai, selesai = services.periode_default(user, tahun)
        form = SkpBuatForm(initial={"tahun": tahun, "mulai": mulai, "selesai": selesai})
    return render(request, "skp/skp_form_buat.html", {"form": form, "error": error})


@require_POST
def salin(request: HttpRequest, pk: int) -> HttpResponse:
    sumber = get_skp_for(request.user, pk)
    _require(sumber.is_owner(request.user))
    try:
        skp = services.copy_skp(sumber, by=request.user, tahun=_this_year())
    except SkpError as e:
        messages.error(request, str(e))
        return redirect("skp:daftar")
    messages.success(
        request,
        f"SKP {skp.tahun} disalin dari SKP {sumber.tahun}. Tautkan kembali setiap RHK utama ke RHK atasan tahun ini.",
    )
    return _detail(skp)


# Detail, ubah ----------------------------------------------------------------------------------


@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    skp = get_skp_for(request.user, pk)
    return render(request, "skp/skp_detail.html", _skp_context(skp, request.user))


@require_http_methods(["GET", "POST"])
def ubah(request: HttpRequest, pk: int) -> HttpResponse:
    skp = get_skp_for(request.user, pk)
    _require(skp.can_edit(request.user))
    form = SkpUbahForm.for_skp(skp, request.POST if request.method == "POST" else None)
    error = ""
    if form.is_bound and form.is_valid():
        try:
            services.update_skp(skp, by=request.user, **form.cleaned_data)
        except SkpError as e:
            error = str(e)
        else:
            messages.success(request, "Data SKP disimpan.")
            return _detail(skp)
    return render(request, "skp/skp_form_ubah.html", {"skp": skp, "form": form, "error": error})


# RHK -------------------------------------------------------------------------------------------


def _rhk_page(request: HttpRequest, skp: Skp, rhk: RencanaHasilKerja | None) -> HttpResponse:
    """One page for adding and editing an RHK with its IKI and intervensi links."""
    choices = [] if skp.is_jpt else services.rhk_atasan_choices(skp)
    post = request.POST if request.method == "POST" else None
    if post is None:
        jenis = rhk.jenis if rhk else request.GET.get("jenis", RencanaHasilKerja.Jenis.UTAMA)
        initial = {"versi": skp.versi, "jenis": jenis}
        if rhk is not None:
            initial.update(uraian=rhk.uraian, perspektif=rhk.perspektif)
        form = RhkForm(initial=initial)
    else:
        form = RhkForm(post)
    formset = iki_formset(post, kualitatif=skp.is_kualitatif, rhk=rhk, extra=1 if rhk else 2)
    links = IntervensiForm.for_rhk(rhk, choices, post)
    error = ""
    if post is not None:
        if all([form.is_valid(), formset.is_valid(), links.is_valid()]):  # validate all: show every error
            d = form.cleaned_data
            takes_links = d["jenis"] == RencanaHasilKerja.Jenis.UTAMA and not skp.is_jpt
            try:
                saved = services.save_rhk(
                    skp, by=request.user, versi=d["versi"], rhk=rhk, jenis=d["jenis"], uraian=d["uraian"],
                    perspektif=d["perspektif"].strip() if skp.is_jpt else "", iki=formset.iki_data(),
                    links=links.links() if takes_links else [],
                )  # fmt: skip
            except SkpError as e:
                error = str(e)
            else:
                messages.success(request, "Rencana Hasil Kerja disimpan.")
                return _detail(skp, f"#rhk-{saved.pk}")
        else:
            error = "Periksa kembali isian yang ditandai merah."
    choice_ids = {r.pk for r in choices}
    context = {
        "skp": skp, "rhk": rhk, "form": form, "formset": formset, "links": links, "error": error,
        "penilai": skp.pegawai.penilai(),
        "link_lama": [lk for lk in rhk.link_atas.all() if lk.rhk_atasan_id not in choice_ids] if rhk else [],
    }  # fmt: skip
    return render(request, "skp/rhk_form.html", context)


@require_http_methods(["GET", "POST"])
def rhk_tambah(request: HttpRequest, pk: int) -> HttpResponse:
    skp = get_skp_for(request.user, pk)
    _require(skp.can_edit(request.user))
    return _rhk_page(request, skp, None)


@require_http_methods(["GET", "POST"])
def rhk_ubah(request: HttpRequest, pk: int) -> HttpResponse:
    rhk = get_rhk_for(request.user, pk)
    skp = get_skp_for(request.user, rhk.skp_id)
    _require(skp.can_edit(request.user))
    rhk = (
        skp.rhk_set.prefetch_related("iki_set", Prefetch("link_atas", IntervensiRhk.objects.select_related("rhk_atasan")))
        .get(pk=rhk.pk)
    )  # fmt: skip
    return _rhk_page(request, skp, rhk)


def _versi(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("versi", ""))
    except ValueError:
        return -1  # a stale/forged value: the service answers KonflikVersi


@require_POST
def rhk_hapus(request: HttpRequest, pk: int) -> HttpResponse:
    rhk = get_rhk_for(request.user, pk)
    skp = rhk.skp
    _require(skp.can_edit(request.user))
    try:
        services.delete_rhk(rhk, by=request.user, versi=_versi(request))
    except SkpError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, "Rencana Hasil Kerja dihapus.")
    return _detail(skp)


@require_POST
def rhk_pindah(request: HttpRequest, pk: int) -> HttpResponse:
    rhk = get_rhk_for(request.user, pk)
    skp = rhk.skp
    _require(skp.can_edit(request.user))
    arah = request.POST.get("arah")
    if arah not in ("naik", "turun"):
        messages.error(request, "Arah pemindahan tidak dikenal.")
        return _detail(skp)
    try:
        services.move_rhk(rhk, by=request.user, versi=_versi(request), arah=arah)
    except SkpError as e:
        messages.error(request, str(e))
    return _detail(skp, f"#rhk-{rhk.pk}")


# Workflow --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def ajukan(request: HttpRequest, pk: int) -> HttpResponse:
    skp = get_skp_for(request.user, pk)
    _require(skp.is_owner(request.user))
    if request.method == "POST":
        try:
            services.submit_skp(skp, by=request.user)
        except SkpError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, "SKP diajukan kepada pejabat penilai.")
        return _detail(skp)
    if not skp.is_editable_state:
        messages.info(request, "SKP ini tidak sedang dapat diajukan.")
        return _detail(skp)
    context = _skp_context(skp, request.user)
    context["unlinked"] = [] if skp.is_jpt else [r for r in context["rhk_utama"] if not r.link_atas.all()]
    return render(request, "skp/skp_confirm_ajukan.html", context)


@require_http_methods(["GET", "POST"])
def setujui(request: HttpRequest, pk: int) -> HttpResponse:
    skp = get_skp_for(request.user, pk)
    _require(_is_penilai(skp, request.user))
    if request.method == "POST":
        try:
            services.approve_skp(skp, by=request.user)
        except SkpError as e:
            messages.error(request, str(e))
            return _detail(skp)
        # The approved SKP is what gets printed and signed next: link straight to the print.
        messages.success(
            request,
            format_html(
                'SKP {} disetujui. <a class="alert-link" href="{}">Cetak SKP</a>',
                skp.pegawai.nama_lengkap,
                reverse("skp:cetak", args=[skp.pk]),
            ),
        )
        return redirect("skp:persetujuan")
    if not skp.can_review(request.user):
        messages.info(request, "SKP ini tidak sedang menunggu persetujuan.")
        return _detail(skp)
    return render(request, "skp/skp_confirm_setujui.html", _skp_context(skp, request.user))


@require_http_methods(["GET", "POST"])
def kembalikan(request: HttpRequest, pk: int) -> HttpResponse:
    skp = get_skp_for(request.user, pk)
    _require(_is_penilai(skp, request.user))
    form = KembalikanForm(request.POST if request.method == "POST" else None)
    error = ""
    if form.is_bound and form.is_valid():
        try:
            services.return_skp(skp, by=request.user, catatan=form.cleaned_data["catatan"].strip())
        except SkpError as e:
            error = str(e)
        else:
            messages.success(request, f"SKP {skp.pegawai.nama_lengkap} dikembalikan dengan catatan.")
            return redirect("skp:persetujuan")
    elif not form.is_bound and not skp.can_review(request.user):
        messages.info(request, "SKP ini tidak sedang menunggu persetujuan.")
        return _detail(skp)
    return render(request, "skp/skp_form_kembalikan.html", {"skp": skp, "form": form, "error": error})


@require_http_methods(["GET", "POST"])
def tutup(request: HttpRequest, pk: int) -> HttpResponse:
    """Admin OPD / admin BKD: close an approved SKP at a jabatan change."""
    skp = get_skp_for(request.user, pk)
    _require(skp.can_close(request.user))
    form = TutupSkpForm(request.POST if request.method == "POST" else None)
    error = ""
    if form.is_bound and form.is_valid():
        try:
            services.close_skp(skp, by=request.user, **form.cleaned_data)
        except SkpError as e:
            error = str(e)
        else:
            messages.success(
                request, f"SKP {skp.pegawai.nama_lengkap} ditutup per {services.tanggal(skp.ditutup_pada)}."
            )
            return _detail(skp)
    return render(request, "skp/skp_form_tutup.html", {"skp": skp, "form": form, "error": error})


@require_http_methods(["GET", "POST"])
def ekspektasi(request: HttpRequest, pk: int) -> HttpResponse:
    skp = get_skp_for(request.user, pk)
    _require(skp.can_review(request.user))
    form = EkspektasiForm.for_skp(skp, request.POST if request.method == "POST" else None)
    error = ""
    if form.is_bound and form.is_valid():
        try:
            services.set_ekspektasi(
                skp, by=request.user, versi=form.cleaned_data["versi"], ekspektasi=form.ekspektasi()
            )
        except SkpError as e:
            error = str(e)
        else:
            messages.success(request, "Ekspektasi khusus pimpinan disimpan.")
            return redirect("skp:tinjau", pk=skp.pk)
    return render(request, "skp/skp_form_ekspektasi.html", {"skp": skp, "form": form, "error": error})


@require_POST
def revisi(request: HttpRequest, pk: int) -> HttpResponse:
    skp = get_skp_for(request.user, pk)
    _require(skp.is_owner(request.user))
    try:
        baru = services.start_revision(skp, by=request.user)
    except SkpError as e:
        messages.error(request, str(e))
        return _detail(skp)
    messages.success(request, "Revisi SKP dibuat. SKP yang disetujui tetap berlaku sampai revisi ini disetujui.")
    return _detail(baru)


@require_http_methods(["GET", "POST"])
def hapus(request: HttpRequest, pk: int) -> HttpResponse:
    skp = get_skp_for(request.user, pk)
    _require(skp.is_owner(request.user))
    if request.method == "POST":
        induk_id = skp.induk_id
        try:
            services.delete_draft(skp, by=request.user)
        except SkpError as e:
            messages.error(request, str(e))
            return _detail(skp)
        messages.success(request, "Draft SKP dihapus.")
        return redirect("skp:detail", pk=induk_id) if induk_id else redirect("skp:daftar")
    _require(skp.can_delete(request.user))
    return render(request, "skp/skp_confirm_hapus.html", _skp_context(skp, request.user))


# Penilai: inbox and review ---------------------------------------------------------------------


@require_safe
def persetujuan(request: HttpRequest) -> HttpResponse:
    user = request.user
    tahun = _this_year()
    menunggu = list(Skp.objects.for_inbox(user))
    bawahan = user.bawahan_langsung()
    terbaru: dict[int, Skp] = {}
    for s in Skp.objects.filter(pegawai__in=bawahan, tahun=tahun).berlaku().order_by("mulai", "revisi"):
        terbaru[s.pegawai_id] = s  # the newest version of each pegawai's SKP this year
    rows = [{"pegawai": p, "skp": terbaru.get(p.pk)} for p in bawahan]
    return render(
        request,
        "skp/inbox.html",
        {
            "menunggu": menunggu,
            "bawahan_rows": rows,
            "tahun": tahun,
            "belum": sum(1 for r in rows if r["skp"] is None or r["skp"].status in {"DRAFT", "DIKEMBALIKAN"}),
        },
    )


@require_safe
def tinjau(request: HttpRequest, pk: int) -> HttpResponse:
    skp = get_skp_for(request.user, pk)
    _require(skp.can_review(request.user))
    context = _skp_context(skp, request.user)
    milik_penilai = services.rhk_atasan_choices(skp)
    bawahan_rhk = context["rhk_utama"] + context["rhk_tambahan"]
    atasan_ids = {r.pk for r in milik_penilai}
    context["pasangan"] = [
        {
            "atasan": a,
            "bawahan": [(r, lk) for r in bawahan_rhk for lk in r.link_atas.all() if lk.rhk_atasan_id == a.pk],
        }
        for a in milik_penilai
    ]
    context["lepas"] = [r for r in bawahan_rhk if not any(lk.rhk_atasan_id in atasan_ids for lk in r.link_atas.all())]
    context["ekspektasi_form"] = EkspektasiForm.for_skp(skp)
    context["kembalikan_form"] = KembalikanForm()
    return render(request, "skp/skp_tinjau.html", context)


@require_safe
def riwayat(request: HttpRequest, pk: int) -> HttpResponse:
    skp = get_skp_for(request.user, pk)
    rows = audit.present(services.riwayat(skp))  # labels, RHK texts for ids: one formatter with Jejak Audit
    context = {"skp": skp, "rows": rows, "is_owner": skp.is_owner(request.user)}
    return render(request, "skp/skp_riwayat.html", context)
