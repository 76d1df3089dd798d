"""Every URL of the SKP pages (skp/urls.py, block "skp") × every role → the expected status.

SPEC §9: not visible → 404, visible but not allowed → 403, anonymous → the login page. The
pohon/matriks/cetak URLs have their own table (tests/test_access_pohon.py, tests/test_cetak.py).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.urls import URLPattern, reverse

from skp import services
from skp.urls import urlpatterns
from tests.test_skp_pages import TAHUN, add_rhk, pegawai_skp

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "pegawai", "pegawai2", "penilai", "kepala", "admin_opd", "admin_bkd", "auditor", "outsider")
OTHER_BLOCKS = ("pohon", "matriks", "cetak")


def statuses(*, pegawai: int, penilai: int, readers: int, anyone: int | None = None) -> dict[str, int]:
    """Expected status per role for a URL about world.pegawai's SKP.

    `readers` = admin OPD (same OPD), admin BKD, auditor: they see it. pegawai2 (a colleague),
    kepala (the atasan penilai: rates the penilai, not the pegawai) and the outsider do not: 404.
    `anyone` = a page not about one SKP: every logged-in role gets it."""
    if anyone is not None:
        return {role: (302 if role == "anonymous" else anyone) for role in ROLES}
    return {
        "anonymous": 302,
        "pegawai": pegawai,
        "pegawai2": 404,
        "penilai": penilai,
        "kepala": 404,
        "admin_opd": readers,
        "admin_bkd": readers,
        "auditor": readers,
        "outsider": 404,
    }


# States: world → (URL args, the SKP's versi). Each builds the state in which the action is
# possible for the right role, so a 403/404 shows the role check and not a state check.
def _none(world) -> tuple:
    return (), None


def _draft(world) -> tuple:
    skp = pegawai_skp(world)
    return (skp.pk,), skp.versi


def _draft_rhk(world) -> tuple:
    skp = pegawai_skp(world)
    return (skp.rhk_set.get().pk,), skp.versi


def _draft_rhk_kedua(world) -> tuple:
    skp = pegawai_skp(world)
    kedua = add_rhk(skp, world.pegawai, "RHK tambahan kedua", jenis="TAMBAHAN")
    add_rhk(skp, world.pegawai, "RHK tambahan ketiga", jenis="TAMBAHAN")
    skp.refresh_from_db()
    return (kedua.pk,), skp.versi


def _diajukan(world) -> tuple:
    skp = pegawai_skp(world, "DIAJUKAN")
    return (skp.pk,), skp.versi


def _disetujui(world) -> tuple:
    skp = pegawai_skp(world, "DISETUJUI")
    return (skp.pk,), skp.versi


def _tahun_lalu(world) -> tuple:
    skp = services.create_skp(world.pegawai, by=world.pegawai, tahun=TAHUN - 1, pendekatan="KUANTITATIF")
    return (skp.pk,), skp.versi


READ = statuses(pegawai=200, penilai=200, readers=200)
OWNER_FORM = statuses(pegawai=200, penilai=403, readers=403)
OWNER_POST = statuses(pegawai=302, penilai=403, readers=403)
PENILAI_FORM = statuses(pegawai=403, penilai=200, readers=403)
PENILAI_POST = statuses(pegawai=403, penilai=302, readers=403)
# Closing at a jabatan change: the admin OPD of the pegawai and the admin BKD; the auditor reads only.
ADMIN_FORM = {**statuses(pegawai=403, penilai=403, readers=200), "auditor": 403}
ADMIN_POST = {**statuses(pegawai=403, penilai=403, readers=302), "auditor": 403}

# (url name, method, state, POST data, expected statuses)
TABLE: list[tuple[str, str, Callable, dict, dict[str, int]]] = [
    ("daftar", "get", _none, {}, statuses(pegawai=0, penilai=0, readers=0, anyone=200)),
    ("buat", "get", _none, {}, statuses(pegawai=0, penilai=0, readers=0, anyone=200)),
    ("persetujuan", "get", _none, {}, statuses(pegawai=0, penilai=0, readers=0, anyone=200)),
    ("detail", "get", _draft, {}, READ),
    ("detail", "get", _disetujui, {}, READ),
    ("riwayat", "get", _draft, {}, READ),
    ("ubah", "get", _draft, {}, OWNER_FORM),
    ("rhk_tambah", "get", _draft, {}, OWNER_FORM),
    ("rhk_ubah", "get", _draft_rhk, {}, OWNER_FORM),
    ("ajukan", "get", _draft, {}, OWNER_FORM),
    ("ajukan", "post", _draft, {}, OWNER_POST),
    ("hapus", "get", _draft, {}, OWNER_FORM),
    ("hapus", "post", _draft, {}, OWNER_POST),
    ("salin", "post", _tahun_lalu, {}, OWNER_POST),
    ("rhk_hapus", "post", _draft_rhk, {"versi": None}, OWNER_POST),
    ("rhk_pindah", "post", _draft_rhk_kedua, {"versi": None, "arah": "turun"}, OWNER_POST),
    ("revisi", "post", _disetujui, {}, OWNER_POST),
    ("tinjau", "get", _diajukan, {}, PENILAI_FORM),
    ("setujui", "get", _diajukan, {}, PENILAI_FORM),
    ("setujui", "post", _diajukan, {}, PENILAI_POST),
    ("kembalikan", "get", _diajukan, {}, PENILAI_FORM),
    ("kembalikan", "post", _diajukan, {"catatan": "Perbaiki IKI"}, PENILAI_POST),
    ("ekspektasi", "get", _diajukan, {}, PENILAI_FORM),
    ("tutup", "get", _disetujui, {}, ADMIN_FORM),
    ("tutup", "post", _disetujui, {"per_tanggal": f"{TAHUN}-07-01", "alasan": "Mutasi jabatan"}, ADMIN_POST),
]

CASES = [
    pytest.param(name, method, state, data, role, expected[role], id=f"{name}-{method}-{state.__name__[1:]}-{role}")
    for name, method, state, data, expected in TABLE
    for role in ROLES
]


@pytest.mark.parametrize(("name", "method", "state", "data", "role", "expected"), CASES)
def test_access(client, world, name, method, state, data, role, expected):
    args, versi = state(world)
    if "versi" in data:
        data = {**data, "versi": versi}
    if role != "anonymous":
        client.force_login(getattr(world, role))
    response = getattr(client, method)(reverse(f"skp:{name}", args=args), data)
    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    elif method == "post" and expected == 302:
        # The allowed role's action went through (no error message on the way back).
        errors = [m for m in get_messages(response.wsgi_request) if m.level == messages.ERROR]
        assert not errors, [str(m) for m in errors]


def _skp_block_names() -> set[str]:
    return {p.name for p in urlpatterns if isinstance(p, URLPattern) and p.name and not p.name.startswith(OTHER_BLOCKS)}


def test_every_skp_url_has_a_row():
    covered = {name for name, *_ in TABLE}
    missing = _skp_block_names() - covered
    assert not missing, f"URL tanpa baris di tabel akses: {sorted(missing)}"


def test_every_post_only_url_has_a_post_row():
    post_rows = {name for name, method, *_ in TABLE if method == "post"}
    assert {"salin", "rhk_hapus", "rhk_pindah", "revisi", "ajukan", "setujui", "kembalikan", "hapus"} <= post_rows
