"""Every URL of the TPP scheme, attendance import and hukdis pages × every role of the world → the
expected status (SPEC §9).

Scheme: the admin BKD changes it; the auditor and the admin OPD read it; everyone else 403.
Attendance imports: the admin BKD imports; the auditor reads the history; everyone else 403.
Hukdis: the admin BKD records and cancels; the auditor reads all; the admin OPD reads their OPD's
(another OPD's record answers 404); everyone else 403.
"""

from __future__ import annotations

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, reverse
from django.utils import timezone

from opd.models import AuditLog
from penilaian.models import HukumanDisiplin, Presensi, SkemaTpp
from penilaian.services import presensi
from penilaian.views import tpp_hukdis, tpp_presensi, tpp_skema
from tests.test_access_opd import view_methods
from tests.test_tpp_hukdis import catat
from tests.tpp_fixtures import form_data, periode, skema

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous", "pegawai", "pegawai2", "penilai", "kepala", "sekda", "bupati", "admin_opd", "admin_bkd", "auditor",
    "outsider",
)  # fmt: skip


def only(allowed: dict[str, int], other: int = 403) -> dict[str, int]:
    return {role: 302 if role == "anonymous" else allowed.get(role, other) for role in ROLES}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _csv(world) -> bytes:
    return f"NIP;HARI KERJA;TANPA KETERANGAN;TL1;TL2;TL3;TL4;PSW1;PSW2;PSW3;PSW4\r\n{world.pegawai.nip};21;0;1;0;0;0;0;0;0;0\r\n".encode()


def _state(world) -> dict:
    today = timezone.localdate()
    lalu = skema(today.year - 1, world.admin_bkd)
    per = periode(today.year, today.month)
    sha = presensi.simpan_berkas(per, _csv(world), "presensi.csv")
    own = catat(world, nomor_sk="A/1")
    lain = catat(world, world.outsider, nomor_sk="B/1")
    return {"skema": lalu, "per": per, "sha": sha, "own": own, "lain": lain, "tahun": today.year}


def _none(s):
    return []


def _skema(s):
    return [s["skema"].pk]


def _preview(s):
    return [s["per"].tahun, s["per"].bulan, s["sha"]]


def _own(s):
    return [s["own"].pk]


def _lain(s):
    return [s["lain"].pk]


BKD_GET, BKD_POST = only({"admin_bkd": 200}), only({"admin_bkd": 302})
SKEMA_READERS = only({"admin_bkd": 200, "auditor": 200, "admin_opd": 200})
HUKDIS = {"nip": "", "jenis": "SEDANG", "bulan_mulai": "2026-02", "bulan_selesai": "2026-03", "nomor_sk": "C/1",
          "tanggal_sk": "2026-01-05"}  # fmt: skip

TABLE = [
    ("tpp_skema_list", "get", _none, {}, SKEMA_READERS),
    ("tpp_skema_buat", "post", _none, lambda w, s: {"tahun": str(s["tahun"]), "sumber": "salin"}, BKD_POST),
    ("tpp_skema_detail", "get", _skema, {}, SKEMA_READERS),
    ("tpp_skema_ubah", "get", _skema, {}, BKD_GET),
    ("tpp_skema_ubah", "post", _skema, lambda w, s: form_data(s["skema"], persen_kurang="50"), BKD_POST),
    ("tpp_presensi_list", "get", _none, {}, only({"admin_bkd": 200, "auditor": 200})),
    ("tpp_presensi_unggah", "get", _none, {}, BKD_GET),
    ("tpp_presensi_unggah", "post", _none,
     lambda w, s: {"periode": s["per"].pk, "berkas": SimpleUploadedFile("p.csv", _csv(w))}, BKD_POST),
    ("tpp_presensi_templat", "get", _none, {}, BKD_GET),
    ("tpp_presensi_pratinjau", "get", _preview, {}, BKD_GET),
    ("tpp_presensi_terapkan", "post", _preview, {}, BKD_POST),
    ("tpp_hukdis_list", "get", _none, {}, only({"admin_bkd": 200, "auditor": 200, "admin_opd": 200})),
    ("tpp_hukdis_tambah", "get", _none, {}, BKD_GET),
    ("tpp_hukdis_tambah", "post", _none, lambda w, s: {**HUKDIS, "nip": w.pegawai2.nip}, BKD_POST),
    ("tpp_hukdis_batal", "get", _own, {}, BKD_GET),
    ("tpp_hukdis_batal", "get", _lain, {}, only({"admin_bkd": 200, "admin_opd": 404})),
    ("tpp_hukdis_batal", "post", _own, {"alasan": "Keliru"}, BKD_POST),
    ("tpp_hukdis_batal", "post", _lain, {"alasan": "Keliru"}, only({"admin_bkd": 302, "admin_opd": 404})),
]  # fmt: skip

CASES = [
    pytest.param(name, method, args, data, role, expected[role], id=f"{name}-{method}-{args.__name__[1:]}-{role}")
    for name, method, args, data, expected in TABLE
    for role in ROLES
]


@pytest.mark.parametrize(("name", "method", "args", "data", "role", "expected"), CASES)
def test_access(client, world, name, method, args, data, role, expected):
    state = _state(world)
    if callable(data):
        data = data(world, state)
    if role != "anonymous":
        client.force_login(getattr(world, role))
    response = getattr(client, method)(reverse(f"penilaian:{name}", args=args(state)), data)
    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    elif method == "post" and expected == 302:
        levels = [m.level for m in get_messages(response.wsgi_request)]
        assert messages.SUCCESS in levels and messages.ERROR not in levels


def _block() -> dict[str, URLPattern]:
    return {p.name: p for p in [*tpp_skema.urlpatterns, *tpp_presensi.urlpatterns, *tpp_hukdis.urlpatterns]}


def test_every_url_has_a_row():
    missing = set(_block()) - {name for name, *_ in TABLE}
    assert not missing, f"URL tanpa baris di tabel akses: {sorted(missing)}"


def test_every_url_that_accepts_post_has_a_post_row():
    post_rows = {name for name, method, *_ in TABLE if method == "post"}
    accepts_post = {name for name, p in _block().items() if (m := view_methods(p.callback)) is None or "POST" in m}
    assert accepts_post == post_rows
    assert {"tpp_skema_list", "tpp_skema_detail", "tpp_presensi_list", "tpp_presensi_pratinjau", "tpp_hukdis_list"} <= (
        set(_block()) - accepts_post
    )


def test_get_on_post_only_urls_is_405(client, world):
    state = _state(world)
    client.force_login(world.admin_bkd)
    assert client.get(reverse("penilaian:tpp_skema_buat")).status_code == 405
    assert client.get(reverse("penilaian:tpp_presensi_terapkan", args=_preview(state))).status_code == 405


def test_forged_posts_change_nothing(client, world):
    state = _state(world)
    before = AuditLog.objects.count()
    for user in (world.auditor, world.admin_opd, world.kepala, world.pegawai):
        client.force_login(user)
        client.post(reverse("penilaian:tpp_skema_buat"), {"tahun": str(state["tahun"]), "sumber": "salin"})
        client.post(
            reverse("penilaian:tpp_skema_ubah", args=_skema(state)), form_data(state["skema"], persen_kurang="1")
        )
        client.post(reverse("penilaian:tpp_presensi_terapkan", args=_preview(state)))
        client.post(reverse("penilaian:tpp_hukdis_tambah"), {**HUKDIS, "nip": world.pegawai2.nip})
        client.post(reverse("penilaian:tpp_hukdis_batal", args=_own(state)), {"alasan": "x"})
    assert SkemaTpp.objects.count() == 1 and SkemaTpp.objects.get().versi == 1
    assert not Presensi.objects.exists()
    assert HukumanDisiplin.objects.count() == 2 and not HukumanDisiplin.objects.filter(dibatalkan_pada__isnull=False)
    assert AuditLog.objects.count() == before


def _menu(html: str) -> str:
    return html.split('id="mainnav"', 1)[1].split("</nav>", 1)[0]


MENU = {"skema": "penilaian:tpp_skema_list", "presensi": "penilaian:tpp_presensi_list",
        "hukdis": "penilaian:tpp_hukdis_list"}  # fmt: skip


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("pegawai", set()),
        ("penilai", set()),
        ("kepala", set()),
        ("outsider", set()),
        ("auditor", {"skema", "presensi", "hukdis"}),
        ("admin_opd", {"skema", "hukdis"}),
        ("admin_bkd", {"skema", "presensi", "hukdis"}),
    ],
)
def test_menu_items(client, world, role, shown):
    client.force_login(getattr(world, role))
    menu = _menu(client.get(reverse("opd:dashboard")).content.decode())
    assert {key for key, name in MENU.items() if f'href="{reverse(name)}"' in menu} == shown
    # The TPP menu itself is there for every ASN ("Rincian TPP Saya"), with only these admin items.
    assert 'id="nav-tpp"' in menu
