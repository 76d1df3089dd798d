"""Access table for the pohon kinerja, matriks bawahan and printable SKP (SPEC §9):
every URL of the pohon block × every role → expected status."""

from __future__ import annotations

import pytest
from django.urls import reverse

from skp import urls as skp_urls
from skp.models import Skp
from skp.services import snapshot_of
from tests.test_access_opd import view_methods
from tests.test_pohon import make_skp

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "pegawai", "penilai", "kepala", "sekda", "bupati", "former_plt", "admin_opd", "admin_bkd",
         "auditor", "outsider")  # fmt: skip

# (url name, case) → expected status per role, in ROLES order. 302 for anonymous = login redirect.
# SPEC §9: the Kepala OPD reads their OPD, the Sekda and the Bupati every OPD; `former_plt` was the
# Plt/Plh who approved the pegawai's SKP until yesterday (tests/conftest.py): no access left.
#                     anon peg pnl kep sekda bupati f_plt adm_opd adm_bkd aud outsider
TABLE = {
    # The Dinkes tree: its Kepala, the Sekda, the Bupati, its admin OPD, admin BKD and auditor.
    ("pohon", "own_opd"): (302, 404, 404, 200, 200, 200, 404, 200, 200, 200, 404),
    # Another OPD: the Sekda, the Bupati and those who read everything.
    ("pohon", "other_opd"): (302, 404, 404, 404, 200, 200, 404, 404, 200, 200, 404),
    # No OPD given: the default OPD, or the matriks for those who see no pohon (302).
    ("pohon", "default"): (302, 302, 302, 200, 200, 200, 302, 200, 200, 200, 302),
    ("pohon", "unknown_opd"): (302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    # Read-only pages: POST answers 405.
    ("pohon", "post"): (302, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    # One node's RHK, fetched when it is opened (issue #9): the pohon's own access, and only for a
    # pegawai in that OPD's tree; without a pegawai, every node's (one request for "Buka semua").
    ("pohon_rhk", "own_node"): (302, 404, 404, 200, 200, 200, 404, 200, 200, 200, 404),
    ("pohon_rhk", "own_all"): (302, 404, 404, 200, 200, 200, 404, 200, 200, 200, 404),
    ("pohon_rhk", "other_node"): (302, 404, 404, 404, 200, 200, 404, 404, 200, 200, 404),
    # Another OPD's pegawai asked through a readable OPD: not in that tree.
    ("pohon_rhk", "foreign_node"): (302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("pohon_rhk", "bad_node"): (302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("pohon_rhk", "default"): (302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("pohon_rhk", "post"): (302, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    # Everyone logged in has a matriks (empty state without bawahan).
    ("matriks", "default"): (302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("matriks", "post"): (302, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    # The pegawai's SKP: owner, their penilai, the pimpinan readers, admin OPD, admin BKD, auditor.
    ("cetak", "pegawai_skp"): (302, 200, 200, 200, 200, 200, 404, 200, 200, 200, 404),
    ("cetak", "post"): (302, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
}  # fmt: skip


def url_for(name: str, case: str, world, skp) -> str:
    if name == "cetak":
        return reverse("skp:cetak", args=[skp.pk])
    base = reverse(f"skp:{name}")
    return {
        "own_node": f"{base}?opd={world.opd.kode}&pegawai={world.pegawai.pk}",
        "own_all": f"{base}?opd={world.opd.kode}",
        "other_node": f"{base}?opd={world.other_opd.kode}&pegawai={world.outsider.pk}",
        "foreign_node": f"{base}?opd={world.opd.kode}&pegawai={world.outsider.pk}",
        "bad_node": f"{base}?opd={world.opd.kode}&pegawai=1x",
        "own_opd": f"{base}?opd={world.opd.kode}",
        "other_opd": f"{base}?opd={world.other_opd.kode}",
        "unknown_opd": f"{base}?opd=TIDAK-ADA",
        "default": base,
        "post": base,
    }[case]


@pytest.mark.parametrize(("key", "expected"), TABLE.items(), ids=[f"{n}-{c}" for n, c in TABLE])
def test_access(client, world, former_plt, key, expected):
    skp = make_skp(world.pegawai, [("UTAMA", "Data pelayanan kesehatan yang valid", [])])
    # Approved by the Plt while the assignment lasted: the snapshot keeps it, access ends with it.
    Skp.objects.filter(pk=skp.pk).update(penilai=former_plt, snapshot_penilai=snapshot_of(former_plt))
    url = url_for(*key, world, skp)
    users = {**world.roles(), "sekda": world.sekda, "bupati": world.bupati, "former_plt": former_plt}
    actual = []
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(users[role])
        response = client.post(url) if key[1] == "post" else client.get(url)
        actual.append(response.status_code)
    assert tuple(actual) == expected, dict(zip(ROLES, actual, strict=True))


def test_anonymous_goes_to_login(client, world):
    response = client.get(reverse("skp:pohon"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_every_url_of_the_block_has_rows():
    names = {
        p.name
        for p in skp_urls.urlpatterns
        if getattr(p, "callback", None) and p.callback.__module__ in {"skp.views.pohon", "skp.views.cetak"}
    }
    assert names == {"pohon", "pohon_rhk", "matriks", "cetak"}
    assert names <= {name for name, _case in TABLE}
    # Read from the URLconf: these pages only read; a view that starts accepting POST needs rows.
    for p in skp_urls.urlpatterns:
        if p.name in names:
            assert view_methods(p.callback) == {"GET", "HEAD"}, p.name


def test_plt_of_the_kepala_position_sees_the_pohon(client, world):
    import datetime

    from django.utils import timezone

    from opd.models import PenugasanPlt

    today = timezone.localdate()
    PenugasanPlt.objects.create(
        jabatan=world.kepala.jabatan, pegawai=world.penilai, mulai=today - datetime.timedelta(days=1),
        selesai=today + datetime.timedelta(days=30),
    )  # fmt: skip
    client.force_login(world.penilai)
    assert client.get(reverse("skp:pohon"), {"opd": world.opd.kode}).status_code == 200
    assert client.get(reverse("skp:pohon"), {"opd": world.other_opd.kode}).status_code == 404
