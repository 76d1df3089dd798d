"""Every URL of the completion monitoring (penilaian/views/monitoring.py) × every role of the world
→ the expected status (SPEC §9), and the menu item.

Readers are the kurva's: the admin BKD, the auditor, the Sekda and the Bupati (every OPD), the
admin OPD and the Kepala OPD (their OPD; another OPD answers 404); the others (pegawai, penilai,
outsider) 403. Everything is read-only (POST answers 405) but the one URL that starts a background
job preparing the late list (POST only: GET answers 405).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import URLPattern, reverse

from opd.models import Pekerjaan
from penilaian.views import monitoring
from tests.penilaian_fixtures_monitoring import bulan_ini, keadaan
from tests.test_access_opd import view_methods

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous", "pegawai", "pegawai2", "penilai", "kepala", "sekda", "bupati", "admin_opd", "admin_bkd", "auditor",
    "outsider",
)  # fmt: skip
READERS = ("kepala", "sekda", "bupati", "admin_opd", "admin_bkd", "auditor")


def readers(status: int, *, others_opd: bool = False) -> dict[str, int]:
    allowed = dict.fromkeys(READERS, status)
    if others_opd:
        allowed.update(kepala=404, admin_opd=404)
    return {role: 302 if role == "anonymous" else allowed.get(role, 403) for role in ROLES}


def _state(world) -> dict:
    per = bulan_ini()
    keadaan(world, per)
    return {"per": per, "opd": world.opd, "lain": world.other_opd}


def _none(s: dict) -> list:
    return []


def _per(s: dict) -> list:
    return [s["per"].tahun, s["per"].bulan]


def _opd(s: dict) -> list:
    return [*_per(s), s["opd"].pk]


def _lain(s: dict) -> list:
    return [*_per(s), s["lain"].pk]


TABLE: list[tuple[str, Callable, dict[str, int]]] = [
    ("pemantauan", _none, readers(302)),
    ("pemantauan_bulan", _per, readers(200)),
    ("pemantauan_terlambat", _per, readers(200)),
    ("pemantauan_opd", _opd, readers(200)),
    ("pemantauan_opd", _lain, readers(200, others_opd=True)),
    ("pemantauan_opd_terlambat", _opd, readers(200)),
    ("pemantauan_opd_terlambat", _lain, readers(200, others_opd=True)),
]

CASES = [
    pytest.param(name, args, role, expected[role], id=f"{name}-{args.__name__[1:]}-{role}")
    for name, args, expected in TABLE
    for role in ROLES
]

# Starting a job: the readers are sent to the job's page (302), the others refused.
POST_TABLE: list[tuple[str, Callable, dict[str, int]]] = [
    ("pemantauan_terlambat_siapkan", _per, readers(302)),
]
POST_CASES = [
    pytest.param(name, args, role, expected[role], id=f"{name}-{args.__name__[1:]}-{role}")
    for name, args, expected in POST_TABLE
    for role in ROLES
]


@pytest.mark.parametrize(("name", "args", "role", "expected"), CASES)
def test_access(client, world, name, args, role, expected):
    state = _state(world)
    if role != "anonymous":
        client.force_login(getattr(world, role))
    url = reverse(f"penilaian:{name}", args=args(state))
    response = client.get(url)
    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    if expected == 200 and name.endswith("terlambat"):
        assert response["Content-Disposition"].startswith("attachment;")
    if role != "anonymous":
        # Read-only: a POST is refused whoever sends it (the method is checked first).
        assert client.post(url).status_code == 405


@pytest.mark.parametrize(("name", "args", "role", "expected"), POST_CASES)
def test_post_access(client, world, name, args, role, expected):
    state = _state(world)
    if role != "anonymous":
        client.force_login(getattr(world, role))
    url = reverse(f"penilaian:{name}", args=args(state))
    response = client.post(url)
    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    elif expected == 302:
        job = Pekerjaan.objects.get(dibuat_oleh=getattr(world, role))
        assert response["Location"] == reverse("opd:pekerjaan_detail", args=[job.pk])
    else:
        assert not Pekerjaan.objects.exists()
    if role != "anonymous":
        assert client.get(url).status_code == 405


def _block() -> dict[str, URLPattern]:
    return {p.name: p for p in monitoring.urlpatterns}


def test_every_url_has_a_row():
    missing = set(_block()) - {name for name, *_ in TABLE + POST_TABLE}
    assert not missing, f"URL tanpa baris di tabel akses: {sorted(missing)}"


def test_only_the_job_starter_accepts_post():
    posts = {name for name, *_ in POST_TABLE}
    for name, p in _block().items():
        methods = view_methods(p.callback)
        assert methods is not None and (methods == {"POST"} if name in posts else "POST" not in methods), name


def test_an_admin_opd_sees_only_their_opd_everywhere(client, world):
    state = _state(world)
    client.force_login(world.admin_opd)
    html = client.get(reverse("penilaian:pemantauan_bulan", args=_per(state))).content.decode()
    assert world.opd.nama in html and world.other_opd.nama not in html
    assert reverse("penilaian:pemantauan_opd", args=_lain(state)) not in html


def _menu(html: str) -> str:
    return html.split('id="mainnav"', 1)[1].split("</nav>", 1)[0]


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("pegawai", False), ("penilai", False), ("outsider", False), ("kepala", True), ("sekda", True),
        ("bupati", True), ("auditor", True), ("admin_opd", True), ("admin_bkd", True),
    ],
)  # fmt: skip
def test_menu_item(client, world, role, shown):
    client.force_login(getattr(world, role))
    menu = _menu(client.get(reverse("opd:dashboard")).content.decode())
    assert (f'href="{reverse("penilaian:pemantauan")}"' in menu) is shown
