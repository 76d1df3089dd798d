"""Every URL of the month's TPP pages (penilaian/views/tpp_bulan.py) × every role of the world →
the expected status (SPEC §9).

Readers: the admin BKD and the auditor (every OPD), the Sekda and the Bupati (every OPD as
pimpinan), the admin OPD and the Kepala OPD (their OPD, read-only; another OPD 404). A pegawai
reads only their own breakdown. Everybody else: 404. Finalising: the admin BKD; other readers 403.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.urls import URLPattern, reverse

from opd.models import AuditLog
from penilaian.models import TppBaris, TppBulan
from penilaian.views import tpp_bulan
from tests.penilaian_fixtures_tpp import bulan_tpp
from tests.test_access_opd import view_methods

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous", "pegawai", "pegawai2", "penilai", "kepala", "sekda", "bupati", "admin_opd", "admin_bkd", "auditor",
    "outsider",
)  # fmt: skip
READERS = ("kepala", "sekda", "bupati", "admin_opd", "admin_bkd", "auditor")
OPD_READERS = ("kepala", "admin_opd")  # world.opd only


def only(allowed: dict[str, int], other: int = 404) -> dict[str, int]:
    return {role: 302 if role == "anonymous" else allowed.get(role, other) for role in ROLES}


def readers(status: int, *, others_opd: bool = False, **overrides: int) -> dict[str, int]:
    allowed = dict.fromkeys(READERS, status)
    if others_opd:
        allowed.update(dict.fromkeys(OPD_READERS, 404))
    return only({**allowed, **overrides})


def _state(world) -> dict:
    b = bulan_tpp(world)
    return {"per": b.per, "opd": world.opd, "lain": world.other_opd, "world": world}


def _per(s: dict) -> list:
    return [s["per"].tahun, s["per"].bulan]


def _opd(s: dict) -> list:
    return [*_per(s), s["opd"].pk]


def _lain(s: dict) -> list:
    return [*_per(s), s["lain"].pk]


def _pegawai(s: dict) -> list:
    """world.pegawai's breakdown (a Dinkes row)."""
    return [*_per(s), s["world"].pegawai.pk]


def _outsider(s: dict) -> list:
    """world.outsider's breakdown (a Dishub row)."""
    return [*_per(s), s["world"].outsider.pk]


def _none(s: dict) -> list:
    return []


# (url name, method, args from the state, POST data, expected)
TABLE: list[tuple[str, str, Callable, dict, dict[str, int]]] = [
    ("tpp", "get", _none, {}, readers(302)),
    # Every ASN is redirected to their own breakdown (the Bupati, NON_ASN, is told he is not in it).
    ("tpp_saya", "get", _none, {}, only(dict.fromkeys(ROLES, 302), other=302) | {"bupati": 200}),
    ("tpp_bulan", "get", _per, {}, readers(200)),
    ("tpp_opd", "get", _opd, {}, readers(200)),
    ("tpp_opd", "get", _lain, {}, readers(200, others_opd=True)),
    ("tpp_pegawai", "get", _pegawai, {}, readers(200, pegawai=200)),
    ("tpp_pegawai", "get", _outsider, {}, readers(200, others_opd=True, outsider=200)),
    ("tpp_finalkan", "post", _per, {"konfirmasi": "on"}, readers(403, admin_bkd=302)),
]  # fmt: skip

CASES = [
    pytest.param(name, method, args, data, role, expected[role], id=f"{name}-{method}-{args.__name__[1:]}-{role}")
    for name, method, args, data, expected in TABLE
    for role in ROLES
]


@pytest.mark.parametrize(("name", "method", "args", "data", "role", "expected"), CASES)
def test_access(client, world, name, method, args, data, role, expected):
    state = _state(world)
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
    return {p.name: p for p in tpp_bulan.urlpatterns}


def test_every_url_has_a_row():
    missing = set(_block()) - {name for name, *_ in TABLE}
    assert not missing, f"URL tanpa baris di tabel akses: {sorted(missing)}"


def test_every_url_that_accepts_post_has_a_post_row():
    post_rows = {name for name, method, *_ in TABLE if method == "post"}
    accepts_post = {name for name, p in _block().items() if (m := view_methods(p.callback)) is None or "POST" in m}
    assert accepts_post == post_rows


def test_forged_finalise_changes_nothing(client, world):
    state = _state(world)
    before = AuditLog.objects.count()
    for user in (world.auditor, world.kepala, world.admin_opd, world.sekda, world.pegawai, world.outsider):
        client.force_login(user)
        client.post(reverse("penilaian:tpp_finalkan", args=_per(state)), {"konfirmasi": "on"})
    assert not TppBulan.objects.filter(status="FINAL").exists() and not TppBaris.objects.exists()
    assert AuditLog.objects.count() == before


def _menu(html: str) -> str:
    return html.split('id="mainnav"', 1)[1].split("</nav>", 1)[0]


MENU = {"tpp_bulan": "penilaian:tpp", "tpp_saya": "penilaian:tpp_saya"}


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("pegawai", {"tpp_saya"}),
        ("penilai", {"tpp_saya"}),
        ("outsider", {"tpp_saya"}),
        ("kepala", {"tpp_bulan", "tpp_saya"}),
        ("sekda", {"tpp_bulan", "tpp_saya"}),
        ("bupati", {"tpp_bulan"}),
        ("auditor", {"tpp_bulan", "tpp_saya"}),
        ("admin_opd", {"tpp_bulan", "tpp_saya"}),
        ("admin_bkd", {"tpp_bulan", "tpp_saya"}),
    ],
)
def test_menu_items(client, world, role, shown):
    client.force_login(getattr(world, role))
    menu = _menu(client.get(reverse("opd:dashboard")).content.decode())
    assert {key for key, name in MENU.items() if f'href="{reverse(name)}"' in menu} == shown
