"""Every URL of the SKP pages (skp/urls.py, block "skp") × every role → the expected status.

SPEC §9: not visible → 404, visible but not allowed → 403, anonymous → the login page. The
pohon/matriks/cetak URLs have their own table (tests/test_access_pohon.py, tests/test_cetak.py).

Columns beyond the named world: the Kepala OPD, the Sekda and the Bupati read every SKP of the
OPD and change nothing of it (SPEC §9, clarified); `former_plt` was the Plt/Plh who received or
approved the SKP until yesterday: their access ended with the assignment. Every URL that accepts
POST has a POST row; which URLs accept POST is read from the URLconf (`view_methods`).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.urls import URLPattern, reverse
from django.utils import timezone

from skp import services
from skp.models import Skp
from skp.urls import urlpatterns
from tests.test_access_opd import view_methods
from tests.test_skp_pages import TAHUN, add_rhk, pegawai_skp, rhk_post

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous", "pegawai", "pegawai2", "penilai", "kepala", "sekda", "bupati", "former_plt", "admin_opd",
    "admin_bkd", "auditor", "outsider",
)  # fmt: skip
OTHER_BLOCKS = ("pohon", "matriks", "cetak")


def statuses(*, pegawai: int, penilai: int, readers: int, pimpinan: int = 403) -> dict[str, int]:
    """Expected status per role for a URL about world.pegawai's SKP.

    `readers` = admin OPD (same OPD), admin BKD, auditor: they see it. `pimpinan` = the Kepala OPD
    (also the atasan penilai: rates the penilai, not the pegawai), the Sekda and the Bupati: they
    read it (200 on read pages) and may do nothing else (403). pegawai2 (a colleague), the former
    Plt and the outsider do not see it: 404."""
    return {
        "anonymous": 302,
        "pegawai": pegawai,
        "pegawai2": 404,
        "penilai": penilai,
        "kepala": pimpinan,
        "sekda": pimpinan,
        "bupati": pimpinan,
        "former_plt": 404,
        "admin_opd": readers,
        "admin_bkd": readers,
        "auditor": readers,
        "outsider": 404,
    }


def anyone(status: int, **overrides: int) -> dict[str, int]:
    """A page not about one SKP: every logged-in role gets `status` unless overridden."""
    return {role: (302 if role == "anonymous" else overrides.get(role, status)) for role in ROLES}


# States: world → (URL args, the SKP). Each builds the state in which the action is possible for
# the right role, so a 403/404 shows the role check and not a state check.
def _none(world) -> tuple:
    return (), None


def _draft(world) -> tuple:
    skp = pegawai_skp(world)
    return (skp.pk,), skp


def _draft_rhk(world) -> tuple:
    skp = pegawai_skp(world)
    return (skp.rhk_set.get().pk,), skp


def _draft_rhk_kedua(world) -> tuple:
    skp = pegawai_skp(world)
    kedua = add_rhk(skp, world.pegawai, "RHK tambahan kedua", jenis="TAMBAHAN")
    add_rhk(skp, world.pegawai, "RHK tambahan ketiga", jenis="TAMBAHAN")
    skp.refresh_from_db()
    return (kedua.pk,), skp


def _diajukan(world) -> tuple:
    skp = pegawai_skp(world, "DIAJUKAN")
    return (skp.pk,), skp


def _disetujui(world) -> tuple:
    skp = pegawai_skp(world, "DISETUJUI")
    return (skp.pk,), skp


def _tahun_lalu(world) -> tuple:
    skp = services.create_skp(world.pegawai, by=world.pegawai, tahun=TAHUN - 1, pendekatan="KUANTITATIF")
    return (skp.pk,), skp


READ = statuses(pegawai=200, penilai=200, readers=200, pimpinan=200)
OWNER_FORM = statuses(pegawai=200, penilai=403, readers=403)
OWNER_POST = statuses(pegawai=302, penilai=403, readers=403)
PENILAI_FORM = statuses(pegawai=403, penilai=200, readers=403)
PENILAI_POST = statuses(pegawai=403, penilai=302, readers=403)
# Closing at a jabatan change: the admin OPD of the pegawai and the admin BKD; the auditor reads only.
ADMIN_FORM = {**statuses(pegawai=403, penilai=403, readers=200), "auditor": 403}
ADMIN_POST = {**statuses(pegawai=403, penilai=403, readers=302), "auditor": 403}
# The Bupati has no SKP of his own (SPEC §2, one predicate: skp.models.alasan_tanpa_skp).
BUAT_FORM = anyone(200, bupati=403)
BUAT_POST = anyone(302, bupati=403)

LAMPIRAN = {"pendekatan": "KUANTITATIF", "lampiran_dukungan_sumber_daya": "Aplikasi SIMPUS",
            "lampiran_skema_pertanggungjawaban": "Laporan bulanan", "lampiran_konsekuensi": "Teguran"}  # fmt: skip
BUAT = {"tahun": TAHUN, "pendekatan": "KUANTITATIF", "mulai": f"{TAHUN}-01-01", "selesai": f"{TAHUN}-12-31"}


def _rhk_baru(skp: Skp) -> dict:
    return rhk_post(skp, uraian="Terlaksananya tugas tambahan", jenis="TAMBAHAN")


def _rhk_ganti(skp: Skp) -> dict:
    return rhk_post(skp, uraian="Tersusunnya laporan yang diperbarui", jenis="TAMBAHAN", initial_forms=1)


# (url name, method, state, POST data (a dict, or a function of the SKP), expected statuses)
TABLE: list[tuple[str, str, Callable, dict | Callable, dict[str, int]]] = [
    ("daftar", "get", _none, {}, anyone(200)),
    ("buat", "get", _none, {}, BUAT_FORM),
    ("buat", "post", _none, BUAT, BUAT_POST),
    ("persetujuan", "get", _none, {}, anyone(200)),
    ("detail", "get", _draft, {}, READ),
    ("detail", "get", _disetujui, {}, READ),
    ("riwayat", "get", _draft, {}, READ),
    ("ubah", "get", _draft, {}, OWNER_FORM),
    ("ubah", "post", _draft, lambda skp: {**LAMPIRAN, "versi": skp.versi}, OWNER_POST),
    ("rhk_tambah", "get", _draft, {}, OWNER_FORM),
    ("rhk_tambah", "post", _draft, _rhk_baru, OWNER_POST),
    ("rhk_ubah", "get", _draft_rhk, {}, OWNER_FORM),
    ("rhk_ubah", "post", _draft_rhk, _rhk_ganti, OWNER_POST),
    ("ajukan", "get", _draft, {}, OWNER_FORM),
    ("ajukan", "post", _draft, {}, OWNER_POST),
    ("hapus", "get", _draft, {}, OWNER_FORM),
    ("hapus", "post", _draft, {}, OWNER_POST),
    ("salin", "post", _tahun_lalu, {}, OWNER_POST),
    ("rhk_hapus", "post", _draft_rhk, lambda skp: {"versi": skp.versi}, OWNER_POST),
    ("rhk_pindah", "post", _draft_rhk_kedua, lambda skp: {"versi": skp.versi, "arah": "turun"}, OWNER_POST),
    ("revisi", "post", _disetujui, {}, OWNER_POST),
    ("tinjau", "get", _diajukan, {}, PENILAI_FORM),
    ("setujui", "get", _diajukan, {}, PENILAI_FORM),
    ("setujui", "post", _diajukan, {}, PENILAI_POST),
    ("kembalikan", "get", _diajukan, {}, PENILAI_FORM),
    ("kembalikan", "post", _diajukan, {"catatan": "Perbaiki IKI"}, PENILAI_POST),
    ("ekspektasi", "get", _diajukan, {}, PENILAI_FORM),
    ("ekspektasi", "post", _diajukan, lambda skp: {"versi": skp.versi, "AKUNTABEL": "Laporan tepat waktu"}, PENILAI_POST),
    ("tutup", "get", _disetujui, {}, ADMIN_FORM),
    ("tutup", "post", _disetujui, {"per_tanggal": f"{TAHUN}-07-01", "alasan": "Mutasi jabatan"}, ADMIN_POST),
]  # fmt: skip

CASES = [
    pytest.param(name, method, state, data, role, expected[role], id=f"{name}-{method}-{state.__name__[1:]}-{role}")
    for name, method, state, data, expected in TABLE
    for role in ROLES
]


def _as_former_plt_decision(world, former_plt) -> None:
    """What the former Plt did while acting: the SKP went to them, and they approved it (the
    snapshot keeps their name). SPEC §9: that stays in the document; their access does not."""
    rows = Skp.objects.filter(pegawai=world.pegawai)
    rows.update(penilai=former_plt)
    rows.filter(status=Skp.Status.DISETUJUI).update(snapshot_penilai=services.snapshot_of(former_plt))


@pytest.mark.parametrize(("name", "method", "state", "data", "role", "expected"), CASES)
def test_access(client, world, former_plt, name, method, state, data, role, expected):
    args, skp = state(world)
    if role == "former_plt":
        _as_former_plt_decision(world, former_plt)
    if callable(data):
        data = data(skp)
    if role != "anonymous":
        client.force_login(former_plt if role == "former_plt" else getattr(world, role))
    response = getattr(client, method)(reverse(f"skp:{name}", args=args), data)
    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    elif method == "post" and expected == 302:
        # The allowed role's action went through (no error message on the way back).
        errors = [m for m in get_messages(response.wsgi_request) if m.level == messages.ERROR]
        assert not errors, [str(m) for m in errors]


def _skp_block() -> dict[str, URLPattern]:
    return {
        p.name: p for p in urlpatterns if isinstance(p, URLPattern) and p.name and not p.name.startswith(OTHER_BLOCKS)
    }


def test_every_skp_url_has_a_row():
    covered = {name for name, *_ in TABLE}
    missing = set(_skp_block()) - covered
    assert not missing, f"URL tanpa baris di tabel akses: {sorted(missing)}"


def test_every_url_that_accepts_post_has_a_post_row():
    """Read from the URLconf: a view that accepts POST (or does not declare its methods) needs a
    POST row, so a new state-changing URL cannot slip in untested."""
    post_rows = {name for name, method, *_ in TABLE if method == "post"}
    accepts_post = {name for name, p in _skp_block().items() if (m := view_methods(p.callback)) is None or "POST" in m}
    assert accepts_post, "tidak ada URL yang menerima POST: pembacaan URLconf rusak"
    assert accepts_post - post_rows == set(), f"URL POST tanpa baris POST: {sorted(accepts_post - post_rows)}"
    assert {"buat", "ubah", "rhk_tambah", "rhk_ubah", "ekspektasi", "salin", "setujui"} <= accepts_post


# Scenarios behind the table --------------------------------------------------------------------


def _url(name: str, *args: object) -> str:
    return reverse(f"skp:{name}", args=args)


def test_plt_loses_access_when_the_assignment_ends(client, world, former_plt):
    """SPEC §9: while acting, the Plt approves; afterwards the snapshot keeps their name and their
    access to the SKP ends (before: `Q(penilai_id=user)` kept it forever)."""
    from opd.models import PenugasanPlt

    skp = pegawai_skp(world, "DIAJUKAN")
    plt = PenugasanPlt.objects.get(pegawai=former_plt)
    today = timezone.localdate()
    PenugasanPlt.objects.filter(pk=plt.pk).update(selesai=today + datetime.timedelta(days=1))
    client.force_login(former_plt)
    assert [s.pk for s in Skp.objects.for_inbox(former_plt)] == [skp.pk]
    assert client.post(_url("setujui", skp.pk)).status_code == 302
    skp.refresh_from_db()
    assert skp.status == Skp.Status.DISETUJUI and skp.snapshot_penilai["nama"] == former_plt.nama_lengkap
    # The assignment ends (yesterday): the documents keep the decision, the Plt keeps no access.
    PenugasanPlt.objects.filter(pk=plt.pk).update(selesai=today - datetime.timedelta(days=1))
    for name in ("detail", "riwayat", "cetak"):
        assert client.get(_url(name, skp.pk)).status_code == 404, name
    assert not Skp.objects.visible_to(former_plt).filter(pk=skp.pk).exists()
    assert client.post(_url("kembalikan", skp.pk), {"catatan": "x"}).status_code == 404
    skp.refresh_from_db()
    assert skp.snapshot_penilai["nama"] == former_plt.nama_lengkap
    # The definitive penilai rates again and sees it.
    client.force_login(world.penilai)
    assert client.get(_url("detail", skp.pk)).status_code == 200


def test_kepala_opd_reads_without_action_buttons(client, world):
    """SPEC §9: the Kepala OPD reads every SKP of the OPD; no button of another rule appears."""
    skp = pegawai_skp(world, "DIAJUKAN")
    client.force_login(world.kepala)
    html = client.get(_url("detail", skp.pk)).content.decode()
    assert world.pegawai.nama_lengkap in html
    for name in ("ubah", "rhk_tambah", "ajukan", "setujui", "kembalikan", "tinjau", "hapus", "tutup"):
        assert _url(name, skp.pk) not in html, name
    assert _url("riwayat", skp.pk) in html
    # A forged POST answers 403 and changes nothing.
    assert client.post(_url("setujui", skp.pk)).status_code == 403
    skp.refresh_from_db()
    assert skp.status == Skp.Status.DIAJUKAN


def test_sekda_and_bupati_read_every_opd(world):
    skp = pegawai_skp(world)
    outsider_skp = services.create_skp(world.outsider, by=world.outsider, tahun=TAHUN, pendekatan="KUANTITATIF")
    for reader in (world.sekda, world.bupati):
        visible = set(Skp.objects.visible_to(reader).values_list("pk", flat=True))
        assert {skp.pk, outsider_skp.pk} <= visible
    # The Kepala OPD reads their own OPD only.
    visible = set(Skp.objects.visible_to(world.kepala).values_list("pk", flat=True))
    assert skp.pk in visible and outsider_skp.pk not in visible


def test_no_skp_for_pejabat_negara_one_predicate(client, world):
    """§7 of issue 6: "may this user have an SKP" is one predicate (skp.models.alasan_tanpa_skp)
    used by the Daftar SKP page, the Beranda card and create_skp. Before, only the service refused
    a pejabat negara whose account is not marked non-ASN."""
    from opd.models import Jabatan, JenisJabatan
    from tests.conftest import make_pegawai

    wakil = make_pegawai(
        "Wakil Bupati", Jabatan.objects.create(nama="Wakil Bupati Trenggalek", jenis=JenisJabatan.PEJABAT_NEGARA),
        nip="197101012000031001",
    )  # fmt: skip
    for user in (world.bupati, wakil):
        client.force_login(user)
        daftar = client.get(_url("daftar")).content.decode()
        assert _url("buat") not in daftar and "tidak menyusun SKP" in daftar
        assert "Susun SKP" not in client.get(reverse("opd:dashboard")).content.decode()
        assert client.get(_url("buat")).status_code == 403
        with pytest.raises(services.SkpError, match="tidak menyusun SKP"):
            services.create_skp(user, by=user, tahun=TAHUN, pendekatan="KUANTITATIF")
    client.force_login(world.pegawai)
    assert _url("buat") in client.get(_url("daftar")).content.decode()


# The menu offers only what the role can use (issue 6 §6) ----------------------------------------


def _menu(html: str) -> str:
    return html.split('id="mainnav"', 1)[1].split("</nav>", 1)[0]


MENU_LINKS = {
    "daftar": "skp:daftar", "persetujuan": "skp:persetujuan", "pohon": "skp:pohon", "matriks": "skp:matriks",
    "pegawai": "opd:pegawai_list", "plt": "opd:plt_list",
}  # fmt: skip


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        # A plain pegawai: no Persetujuan/Pohon/Matriks leading to "Anda tidak memiliki bawahan", no
        # one-row pegawai list.
        ("pegawai", {"daftar"}),
        ("penilai", {"daftar", "persetujuan", "matriks", "pegawai"}),
        ("kepala", {"daftar", "persetujuan", "matriks", "pohon", "pegawai"}),
        ("bupati", {"persetujuan", "matriks", "pohon", "pegawai"}),
        ("admin_opd", {"daftar", "pohon", "pegawai", "plt"}),
        ("admin_bkd", {"daftar", "pohon", "pegawai", "plt"}),
        ("outsider", {"daftar"}),
    ],
)
def test_menu_offers_what_the_role_can_use(client, world, role, shown):
    client.force_login(getattr(world, role))
    menu = _menu(client.get(reverse("opd:dashboard")).content.decode())
    offered = {key for key, name in MENU_LINKS.items() if f'href="{reverse(name)}"' in menu}
    assert offered == shown


def test_menu_costs_a_constant_number_of_queries(client, world):
    """The flags are computed once per request, with queries that do not grow with the data."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from opd.models import Jabatan, JenisJabatan
    from tests.conftest import make_nip, make_pegawai

    def daftar_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_url("daftar")).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(world.penilai)
    small = daftar_queries()
    jabatan = Jabatan.objects.create(nama="Perawat", jenis=JenisJabatan.FUNGSIONAL, opd=world.opd,
                                     atasan=world.penilai.jabatan)  # fmt: skip
    for i in range(30):
        make_pegawai(f"Perawat {i}", jabatan, nip=make_nip(lahir="19910101", tmt="201601", serial=200 + i))
    assert daftar_queries() == small
