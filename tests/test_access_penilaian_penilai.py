"""Every URL of the penilai's pages (penilaian/views/penilai.py) × every role → the expected
status (SPEC §9): not visible → 404, visible but not allowed → 403, anonymous → the login page.

The evaluation is world.pegawai's submitted month. Who sees it: the pegawai (own), the penilai
(rates them), the Kepala OPD / Sekda / Bupati (read as pimpinan), the admin OPD of the OPD, the
admin BKD and the auditor; only the current penilai acts. pegawai2 (a colleague), the former
Plt (its assignment ended yesterday) and the outsider do not see it. The team pages are for
whoever rates a position today: the penilai, the Kepala (rates the penilai), the Sekda (rates
the Kepala) and the Bupati (rates the Sekda)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.urls import URLPattern, reverse

from penilaian.views.penilai import urlpatterns
from tests.penilaian_fixtures_penilai import buka_periode, evaluasi_bulan, skp_tim
from tests.test_access_opd import view_methods

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous", "pegawai", "pegawai2", "penilai", "kepala", "sekda", "bupati", "former_plt", "admin_opd",
    "admin_bkd", "auditor", "outsider",
)  # fmt: skip
RATERS = ("penilai", "kepala", "sekda", "bupati")


def evaluasi(*, penilai: int, readers: int = 403) -> dict[str, int]:
    """A URL about world.pegawai's evaluation: `penilai` for the current penilai, 403 for those
    who see it and may not act, 404 for those who do not see it."""
    return {
        "anonymous": 302,
        "pegawai": readers,
        "pegawai2": 404,
        "penilai": penilai,
        "kepala": readers,
        "sekda": readers,
        "bupati": readers,
        "former_plt": 404,
        "admin_opd": readers,
        "admin_bkd": readers,
        "auditor": readers,
        "outsider": 404,
    }


def tim(status: int) -> dict[str, int]:
    return {role: 302 if role == "anonymous" else status if role in RATERS else 403 for role in ROLES}


def _none(world) -> tuple:
    buka_periode()
    return ()


def _bulan(world) -> tuple:
    p = buka_periode()
    return (p.tahun, p.bulan)


def _dikirim(world) -> tuple:
    skp_tim(world)
    return (evaluasi_bulan(world.pegawai, buka_periode()).pk,)


def _versi(args: tuple) -> dict:
    from penilaian.models import Evaluasi

    return {"versi": Evaluasi.objects.get(pk=args[0]).versi}


# (url name, method, state, POST data (a dict, or a function of the URL args), expected statuses)
TABLE: list[tuple[str, str, Callable, dict | Callable, dict[str, int]]] = [
    ("tim", "get", _none, {}, tim(302)),
    ("tim_bulan", "get", _bulan, {}, tim(200)),
    ("nilai", "get", _dikirim, {}, evaluasi(penilai=200)),
    ("nilai", "post", _dikirim, lambda a: {**_versi(a), "rating_hasil": "SESUAI", "rating_perilaku": "SESUAI"},
     evaluasi(penilai=302)),
    ("nilai_kurva", "get", _dikirim, {"predikat": "BAIK"}, evaluasi(penilai=200)),
    ("kembalikan", "post", _dikirim, lambda a: {**_versi(a), "catatan": "Lengkapi bukti."}, evaluasi(penilai=302)),
]  # fmt: skip

CASES = [
    pytest.param(name, method, state, data, role, expected[role], id=f"{name}-{method}-{role}")
    for name, method, state, data, expected in TABLE
    for role in ROLES
]


@pytest.mark.parametrize(("name", "method", "state", "data", "role", "expected"), CASES)
def test_access(client, world, former_plt, name, method, state, data, role, expected):
    args = state(world)
    if callable(data):
        data = data(args)
    if role != "anonymous":
        client.force_login(former_plt if role == "former_plt" else getattr(world, role))
    response = getattr(client, method)(reverse(f"penilaian:{name}", args=args), data)
    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    elif method == "post" and expected == 302:
        errors = [m for m in get_messages(response.wsgi_request) if m.level == messages.ERROR]
        assert not errors, [str(m) for m in errors]


def _patterns() -> dict[str, URLPattern]:
    return {p.name: p for p in urlpatterns if isinstance(p, URLPattern)}


def test_every_url_has_a_row():
    missing = set(_patterns()) - {name for name, *_ in TABLE}
    assert not missing, f"URL tanpa baris di tabel akses: {sorted(missing)}"


def test_every_url_that_accepts_post_has_a_post_row_and_mutations_are_post_only():
    post_rows = {name for name, method, *_ in TABLE if method == "post"}
    methods = {name: view_methods(p.callback) for name, p in _patterns().items()}
    assert all(m is not None for m in methods.values()), methods  # every view declares its methods
    accepts_post = {name for name, m in methods.items() if "POST" in m}
    assert accepts_post == post_rows == {"nilai", "kembalikan"}
    assert methods["kembalikan"] == frozenset({"POST"})


@pytest.mark.parametrize("role", ["pegawai", "kepala", "admin_opd", "admin_bkd", "auditor"])
def test_forged_posts_of_readers_change_nothing(client, world, role):
    """Those who see the evaluation but may not act: 403 and the evaluation is unchanged."""
    from penilaian.models import Evaluasi, UmpanBalik

    (pk,) = _dikirim(world)
    client.force_login(getattr(world, role))
    data = {**_versi((pk,)), "rating_hasil": "DI_ATAS", "rating_perilaku": "DI_ATAS", "ub_perilaku_LOYAL": "x"}
    assert client.post(reverse("penilaian:nilai", args=[pk]), data).status_code == 403
    assert client.post(reverse("penilaian:kembalikan", args=[pk]), {**data, "catatan": "x"}).status_code == 403
    ev = Evaluasi.objects.get(pk=pk)
    assert (ev.status, ev.predikat) == ("DIKIRIM", "") and not UmpanBalik.objects.exists()
