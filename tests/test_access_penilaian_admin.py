"""Every URL of the periods, unlock and kurva pages (penilaian/views/periode.py, kurva.py) × every
role of the world → the expected status (SPEC §9).

Periods: the admin BKD only (403 for everyone else). Unlocks: the admin BKD and the admin OPD.
Kurva: readers are the admin BKD, the auditor (every OPD), the admin OPD and the Kepala OPD (their
OPD), the Sekda and the Bupati (every OPD); an OPD outside the reader's answers 404; the others
(pegawai, penilai, outsider) 403. Capaian organisasi and finalisation: the admin BKD only.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.urls import URLPattern, reverse
from django.utils import timezone

from penilaian.rules import Predikat
from penilaian.views import kurva, periode
from tests.penilaian_fixtures_admin import capaian, isi_kurva, periode_terkunci
from tests.test_access_opd import view_methods

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous", "pegawai", "pegawai2", "penilai", "kepala", "sekda", "bupati", "admin_opd", "admin_bkd", "auditor",
    "outsider",
)  # fmt: skip
READERS = ("kepala", "sekda", "bupati", "admin_opd", "admin_bkd", "auditor")


def only(allowed: dict[str, int], other: int = 403) -> dict[str, int]:
    return {role: 302 if role == "anonymous" else allowed.get(role, other) for role in ROLES}


def readers(status: int, *, others_opd: bool = False, **overrides: int) -> dict[str, int]:
    """Kurva readers get `status`; the rest 403. `others_opd`: the URL is about another OPD than
    world.opd, which the Kepala OPD and the admin OPD of world.opd do not see (404)."""
    allowed = dict.fromkeys(READERS, status)
    if others_opd:
        allowed.update(kepala=404, admin_opd=404)
    return only({**allowed, **overrides})


def _state(world) -> dict:
    """A locked month with the capaian organisasi of two OPDs recorded and rated pegawai in each."""
    per = periode_terkunci()
    for opd in (world.opd, world.other_opd):
        capaian(opd, per, "BAIK", world.admin_bkd)
        isi_kurva(opd, per, {Predikat.BAIK: 3, Predikat.BUTUH_PERBAIKAN: 1})
    from penilaian.models import BukaKunci

    alasan = "Bukti salah unggah"
    bk = BukaKunci.objects.create(periode=per, pegawai=world.pegawai2, alasan=alasan, dibuka_oleh=world.admin_bkd)
    bk_lain = BukaKunci.objects.create(periode=per, pegawai=world.outsider, alasan=alasan, dibuka_oleh=world.admin_bkd)
    return {"per": per, "opd": world.opd, "lain": world.other_opd, "bk": bk, "bk_lain": bk_lain}


def _per(s: dict) -> list:
    return [s["per"].tahun, s["per"].bulan]


def _opd(s: dict) -> list:
    return [*_per(s), s["opd"].pk]


def _lain(s: dict) -> list:
    return [*_per(s), s["lain"].pk]


def _none(s: dict) -> list:
    return []


def _bk(s: dict) -> list:
    return [s["bk"].pk]


def _bk_lain(s: dict) -> list:
    return [s["bk_lain"].pk]


def _batas() -> dict:
    today = timezone.localdate()
    return {
        "batas_realisasi": (today + datetime.timedelta(days=3)).isoformat(),
        "batas_penilaian": (today + datetime.timedelta(days=8)).isoformat(),
    }


ADMIN_BKD_GET = only({"admin_bkd": 200})
ADMIN_BKD_POST = only({"admin_bkd": 302})
FINAL = {"justifikasi": "Rapat TPP", "konfirmasi": "on"}

# (url name, method, args from the state, POST data (dict or a function of (world, state)), expected)
TABLE: list[tuple[str, str, Callable, dict | Callable, dict[str, int]]] = [
    ("periode_list", "get", _none, {}, ADMIN_BKD_GET),
    ("periode_buka_tahun", "post", _none, {"tahun": "2027"}, ADMIN_BKD_POST),
    ("periode_ubah", "get", _per, {}, ADMIN_BKD_GET),
    ("periode_ubah", "post", _per, lambda w, s: _batas(), ADMIN_BKD_POST),
    ("buka_kunci_list", "get", _none, {}, only({"admin_bkd": 200, "admin_opd": 200})),
    ("buka_kunci_list", "post", _none,
     lambda w, s: {"periode": s["per"].pk, "nip": w.pegawai.nip, "alasan": "Cuti sakit"},
     only({"admin_bkd": 302, "admin_opd": 302})),
    ("buka_kunci_tutup", "post", _bk, {"alasan": "Salah buka"}, only({"admin_bkd": 302, "admin_opd": 302})),
    ("buka_kunci_tutup", "post", _bk_lain, {"alasan": "Salah buka"}, only({"admin_bkd": 302, "admin_opd": 404})),
    ("kurva", "get", _none, {}, readers(302)),
    ("kurva_bulan", "get", _per, {}, readers(200)),
    ("kurva_opd", "get", _opd, {}, readers(200)),
    ("kurva_opd", "get", _lain, {}, readers(200, others_opd=True)),
    ("kurva_capaian", "post", _opd, {"capaian": "ISTIMEWA"}, readers(403, admin_bkd=302)),
    ("kurva_capaian", "post", _lain, {"capaian": "ISTIMEWA"}, readers(403, others_opd=True, admin_bkd=302)),
    ("kurva_finalkan", "post", _opd, FINAL, readers(403, admin_bkd=302)),
    ("kurva_finalkan", "post", _lain, FINAL, readers(403, others_opd=True, admin_bkd=302)),
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
        # The allowed role's action went through (a success message, no error).
        levels = [m.level for m in get_messages(response.wsgi_request)]
        assert messages.SUCCESS in levels and messages.ERROR not in levels


def _block() -> dict[str, URLPattern]:
    return {p.name: p for p in [*periode.urlpatterns, *kurva.urlpatterns]}


def test_every_url_has_a_row():
    missing = set(_block()) - {name for name, *_ in TABLE}
    assert not missing, f"URL tanpa baris di tabel akses: {sorted(missing)}"


def test_every_url_that_accepts_post_has_a_post_row():
    post_rows = {name for name, method, *_ in TABLE if method == "post"}
    accepts_post = {name for name, p in _block().items() if (m := view_methods(p.callback)) is None or "POST" in m}
    assert accepts_post == post_rows
    # And the read-only pages refuse POST.
    get_only = set(_block()) - accepts_post
    assert {"periode_list", "kurva", "kurva_bulan", "kurva_opd"} <= get_only


def test_forged_posts_change_nothing(client, world):
    """A reader who is not the admin BKD posts the admin forms by hand: refused, nothing changed."""
    from opd.models import AuditLog
    from penilaian.models import BukaKunci, KinerjaOrganisasi, Periode

    state = _state(world)
    before = AuditLog.objects.count()
    for user in (world.auditor, world.kepala, world.admin_opd, world.sekda):
        client.force_login(user)
        client.post(reverse("penilaian:kurva_capaian", args=_opd(state)), {"capaian": "KURANG"})
        client.post(reverse("penilaian:kurva_finalkan", args=_opd(state)), FINAL)
        client.post(reverse("penilaian:periode_buka_tahun"), {"tahun": "2030"})
        client.post(reverse("penilaian:periode_ubah", args=_per(state)), _batas())
    client.force_login(world.auditor)
    client.post(
        reverse("penilaian:buka_kunci_list"), {"periode": state["per"].pk, "nip": world.pegawai.nip, "alasan": "x"}
    )
    client.post(reverse("penilaian:buka_kunci_tutup", args=_bk(state)), {"alasan": "x"})
    client.force_login(world.admin_opd)
    client.post(reverse("penilaian:buka_kunci_tutup", args=_bk_lain(state)), {"alasan": "x"})
    assert set(KinerjaOrganisasi.objects.values_list("capaian", flat=True)) == {"BAIK"}
    assert not KinerjaOrganisasi.objects.filter(difinalkan_pada__isnull=False).exists()
    assert not Periode.objects.filter(tahun=2030).exists()
    assert not BukaKunci.objects.exclude(pk__in=[state["bk"].pk, state["bk_lain"].pk]).exists()
    assert not BukaKunci.objects.filter(ditutup_pada__isnull=False).exists()
    assert Periode.objects.get(pk=state["per"].pk).batas_penilaian < timezone.localdate()
    assert AuditLog.objects.count() == before


def _menu(html: str) -> str:
    return html.split('id="mainnav"', 1)[1].split("</nav>", 1)[0]


MENU = {"kurva": "penilaian:kurva", "buka_kunci": "penilaian:buka_kunci_list", "periode": "penilaian:periode_list"}


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("pegawai", set()),
        ("penilai", set()),
        ("outsider", set()),
        ("kepala", {"kurva"}),
        ("sekda", {"kurva"}),
        ("bupati", {"kurva"}),
        ("auditor", {"kurva"}),
        ("admin_opd", {"kurva", "buka_kunci"}),
        ("admin_bkd", {"kurva", "buka_kunci", "periode"}),
    ],
)
def test_menu_items(client, world, role, shown):
    client.force_login(getattr(world, role))
    menu = _menu(client.get(reverse("opd:dashboard")).content.decode())
    assert {key for key, name in MENU.items() if f'href="{reverse(name)}"' in menu} == shown
