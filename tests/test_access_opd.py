"""The access matrix of the opd pages (SPEC §9): every URL × every role → the expected status.

Not visible → 404; visible but not allowed → 403; anonymous → 302 to the login page;
GET on a POST-only URL → 405. A URL name of opd without a row here fails `test_every_url_has_a_row`.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from opd import urls as opd_urls
from opd.models import PenugasanPlt

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "pegawai", "penilai", "admin_opd", "admin_bkd", "auditor", "outsider")

# The pegawai import pages are covered by their own helper's tests (tests/test_import_views.py).
EXCLUDED = {"impor_daftar", "impor_unggah", "impor_templat", "impor_pratinjau", "impor_terapkan"}

# (url name, argument key, method, expected status per role in ROLES order)
#                                                        anon pegawai penilai adm_opd adm_bkd auditor outsider
TABLE: list[tuple[str, str | None, str, tuple[int, ...]]] = [
    ("dashboard", None, "GET",                             (302, 200, 200, 200, 200, 200, 200)),
    ("pegawai_list", None, "GET",                          (302, 200, 200, 200, 200, 200, 200)),
    ("pegawai_detail", "pegawai", "GET",                   (302, 200, 200, 200, 200, 200, 404)),
    ("pegawai_detail", "kepala", "GET",                    (302, 404, 404, 200, 200, 200, 404)),
    ("pegawai_detail", "outsider", "GET",                  (302, 404, 404, 404, 200, 200, 200)),
    ("pegawai_atasan", "pegawai", "GET",                   (302, 403, 403, 200, 200, 403, 404)),
    ("pegawai_atasan", "pegawai", "POST",                  (302, 403, 403, 200, 200, 403, 404)),
    ("pegawai_atasan", "outsider", "GET",                  (302, 404, 404, 404, 200, 403, 403)),
    ("pegawai_reset_sandi", "pegawai", "GET",              (302, 403, 403, 200, 200, 403, 404)),
    ("pegawai_reset_sandi", "pegawai", "POST",             (302, 403, 403, 200, 200, 403, 404)),
    ("pegawai_reset_sandi", "outsider", "POST",            (302, 404, 404, 404, 200, 403, 403)),
    ("opd_list", None, "GET",                              (302, 403, 403, 200, 200, 200, 403)),
    ("opd_detail", "opd", "GET",                           (302, 404, 404, 200, 200, 200, 404)),
    ("opd_detail", "other_opd", "GET",                     (302, 404, 404, 404, 200, 200, 404)),
    ("plt_list", None, "GET",                              (302, 403, 403, 200, 200, 200, 403)),
    ("plt_tambah", None, "GET",                            (302, 403, 403, 200, 200, 403, 403)),
    ("plt_tambah", None, "POST",                           (302, 403, 403, 200, 200, 403, 403)),
    ("plt_batalkan", "plt", "GET",                         (302, 405, 405, 405, 405, 405, 405)),
    ("plt_batalkan", "plt", "POST",                        (302, 404, 404, 302, 302, 403, 404)),
    ("audit_list", None, "GET",                            (302, 403, 403, 200, 200, 200, 403)),
]  # fmt: skip

# POST bodies: valid enough to reach the service where the role is allowed.
POST_DATA = {"plt_batalkan": {"alasan": "SK dicabut"}}


@pytest.fixture
def plt(world) -> PenugasanPlt:
    """A future Plh of the Kepala Bidang position (future: it does not change today's penilai)."""
    start = timezone.localdate() + datetime.timedelta(days=30)
    return PenugasanPlt.objects.create(
        jabatan=world.penilai.jabatan, pegawai=world.admin_opd, jenis="PLH", mulai=start, selesai=start
    )


def _args(world, plt, key: str | None) -> list:
    if key is None:
        return []
    return [
        {
            "pegawai": world.pegawai.pk,
            "kepala": world.kepala.pk,
            "outsider": world.outsider.pk,
            "opd": world.opd.kode,
            "other_opd": world.other_opd.kode,
            "plt": plt.pk,
        }[key]
    ]


CASES = [
    (name, key, method, role, expected[i]) for name, key, method, expected in TABLE for i, role in enumerate(ROLES)
]


@pytest.mark.parametrize(
    ("name", "key", "method", "role", "expected"),
    CASES,
    ids=[f"{n}[{k or '-'}]-{m}-{r}" for n, k, m, r, _ in CASES],
)
def test_access(client, world, plt, name, key, method, role, expected):
    if role != "anonymous":
        client.force_login(world.roles()[role])
    url = reverse(f"opd:{name}", args=_args(world, plt, key))
    response = client.post(url, POST_DATA.get(name, {})) if method == "POST" else client.get(url)
    assert response.status_code == expected, f"{method} {url} as {role}"
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_every_url_has_a_row():
    names = {p.name for p in opd_urls.urlpatterns if p.name}
    covered = {name for name, *_ in TABLE}
    assert names - covered - EXCLUDED == set(), "URL tanpa baris di tabel akses"
    assert covered - names == set(), "baris tabel untuk URL yang tidak ada"
    assert names >= EXCLUDED, "nama URL yang dikecualikan sudah tidak ada"
