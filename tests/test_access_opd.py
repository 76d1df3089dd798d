"""The access matrix of the opd pages (SPEC §9): every URL × every role → the expected status.

Not visible → 404; visible but not allowed → 403; anonymous → 302 to the login page;
GET on a POST-only URL → 405. A URL name of opd without a row here fails `test_every_url_has_a_row`;
a URL that accepts POST (read from the URLconf) without a POST row fails the test after it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.urls import reverse
from django.utils import timezone

from opd import services
from opd import urls as opd_urls
from opd.models import Opd, Pegawai, PenugasanPlt
from tests.conftest import make_pegawai

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "pegawai", "penilai", "kepala", "former_plt", "admin_opd", "admin_bkd", "auditor", "outsider")

# The pegawai import pages are covered by their own helper's tests (tests/test_import_views.py).
EXCLUDED = {"impor_daftar", "impor_unggah", "impor_templat", "impor_pratinjau", "impor_terapkan"}
# A background job's pages belong to its starter only: tests/test_tugas.py (every role → 404).
EXCLUDED |= {"pekerjaan_detail", "pekerjaan_status", "pekerjaan_unduh"}

# (url name, argument key, method, expected status per role in ROLES order). `kepala` is the Kepala
# OPD of Dinkes: reads every pegawai of the OPD, changes nothing (SPEC §9). `former_plt` was Plt
# of the Kepala Bidang position until yesterday: a plain pegawai again. "admin_opd" as argument:
# the admin OPD's own record (separation of duties: not her own supervisor).
#                                                anon peg pnl kepala f_plt adm_opd adm_bkd auditor outsider
TABLE: list[tuple[str, str | None, str, tuple[int, ...]]] = [
    ("dashboard", None, "GET",                     (302, 200, 200, 200, 200, 200, 200, 200, 200)),
    ("pegawai_list", None, "GET",                  (302, 200, 200, 200, 200, 200, 200, 200, 200)),
    ("pegawai_list", None, "POST",                 (302, 405, 405, 405, 405, 405, 405, 405, 405)),
    ("pegawai_detail", "pegawai", "GET",           (302, 200, 200, 200, 404, 200, 200, 200, 404)),
    ("pegawai_detail", "kepala", "GET",            (302, 404, 404, 200, 404, 200, 200, 200, 404)),
    ("pegawai_detail", "outsider", "GET",          (302, 404, 404, 404, 404, 404, 200, 200, 200)),
    ("pegawai_atasan", "pegawai", "GET",           (302, 403, 403, 403, 404, 200, 200, 403, 404)),
    ("pegawai_atasan", "pegawai", "POST",          (302, 403, 403, 403, 404, 200, 200, 403, 404)),
    ("pegawai_atasan", "admin_opd", "GET",         (302, 404, 404, 403, 404, 403, 200, 403, 404)),
    ("pegawai_atasan", "admin_opd", "POST",        (302, 404, 404, 403, 404, 403, 200, 403, 404)),
    ("pegawai_atasan", "outsider", "GET",          (302, 404, 404, 404, 404, 404, 200, 403, 403)),
    ("pegawai_reset_sandi", "pegawai", "GET",      (302, 403, 403, 403, 404, 200, 200, 403, 404)),
    ("pegawai_reset_sandi", "pegawai", "POST",     (302, 403, 403, 403, 404, 200, 200, 403, 404)),
    ("pegawai_reset_sandi", "outsider", "POST",    (302, 404, 404, 404, 404, 404, 200, 403, 403)),
    ("opd_list", None, "GET",                      (302, 403, 403, 403, 403, 200, 200, 200, 403)),
    ("opd_detail", "opd", "GET",                   (302, 404, 404, 404, 404, 200, 200, 200, 404)),
    ("opd_detail", "other_opd", "GET",             (302, 404, 404, 404, 404, 404, 200, 200, 404)),
    ("plt_list", None, "GET",                      (302, 403, 403, 403, 403, 200, 200, 200, 403)),
    ("plt_tambah", None, "GET",                    (302, 403, 403, 403, 403, 200, 200, 403, 403)),
    ("plt_tambah", None, "POST",                   (302, 403, 403, 403, 403, 200, 200, 403, 403)),
    ("plt_batalkan", "plt", "GET",                 (302, 405, 405, 405, 405, 405, 405, 405, 405)),
    ("plt_batalkan", "plt", "POST",                (302, 404, 404, 404, 404, 302, 302, 403, 404)),
    ("audit_list", None, "GET",                    (302, 403, 403, 403, 403, 200, 200, 200, 403)),
]  # fmt: skip

# POST bodies: valid enough to reach the service where the role is allowed.
POST_DATA = {"plt_batalkan": {"alasan": "SK dicabut"}}


def view_methods(view: Callable) -> frozenset[str] | None:
    """The HTTP methods a view accepts, read from its `require_http_methods` closure
    (`require_POST`, `require_safe`, …); None when the view does not declare them."""
    while view is not None:
        for cell in view.__closure__ or ():
            value = cell.cell_contents
            if isinstance(value, (list, tuple)) and value and all(isinstance(m, str) for m in value):
                return frozenset(value)
        view = getattr(view, "__wrapped__", None)
    return None


@pytest.fixture
def plt(world) -> PenugasanPlt:
    """A future Plh of the Kepala Bidang position (future: it does not change today's penilai)."""
    start = timezone.localdate() + datetime.timedelta(days=30)
    return PenugasanPlt.objects.create(
        jabatan=world.penilai.jabatan, pegawai=world.pegawai2, jenis="PLH", mulai=start, selesai=start
    )


def _args(world, plt, key: str | None) -> list:
    if key is None:
        return []
    return [
        {
            "pegawai": world.pegawai.pk,
            "kepala": world.kepala.pk,
            "admin_opd": world.admin_opd.pk,
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
def test_access(client, world, former_plt, plt, name, key, method, role, expected):
    if role != "anonymous":
        client.force_login({**world.roles(), "former_plt": former_plt}[role])
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


def test_every_url_that_accepts_post_has_a_post_row():
    """Read from the URLconf: a view that accepts POST (or does not declare its methods) needs a
    POST row; a POST-only one also a GET row (405)."""
    views = {p.name: p.callback for p in opd_urls.urlpatterns if p.name and p.name not in EXCLUDED}
    rows = {(name, method) for name, _key, method, _expected in TABLE}
    for name, view in views.items():
        methods = view_methods(view)
        if methods is None or "POST" in methods:
            assert (name, "POST") in rows, f"{name}: menerima POST tanpa baris POST"
        if methods == {"POST"}:
            assert (name, "GET") in rows, f"{name}: hanya POST tanpa baris GET (405)"


# Separation of duties (SPEC §9) -----------------------------------------------------------------


def _plt_data(jabatan, pegawai, **extra) -> dict:
    today = timezone.localdate()
    return {
        "jabatan": jabatan.pk, "nip": pegawai.nip, "jenis": "PLH", "mulai": today.isoformat(),
        "selesai": (today + datetime.timedelta(days=14)).isoformat(), "nomor_sk": "800/1/2026", **extra,
    }  # fmt: skip


def test_admin_opd_cannot_make_herself_plh_of_her_supervisor(client, world):
    """The reported case: the admin OPD (a staff-level position rated by the Kepala) made herself
    Plh of her supervisor's position, then approved a colleague's SKP as "penilai"."""
    client.force_login(world.admin_opd)
    form = client.get(reverse("opd:plt_tambah")).content.decode()
    # Her supervisor's position and the Sekda's above it are the admin BKD's: not offered.
    assert f'value="{world.kepala.jabatan.pk}"' not in form
    assert f'value="{world.sekda.jabatan.pk}"' not in form
    assert f'value="{world.penilai.jabatan.pk}"' in form
    response = client.post(reverse("opd:plt_tambah"), _plt_data(world.kepala.jabatan, world.admin_opd))
    assert response.status_code == 200 and "800/1/2026" in response.content.decode()  # input kept
    # Nor herself for a position she may otherwise fill.
    response = client.post(reverse("opd:plt_tambah"), _plt_data(world.penilai.jabatan, world.admin_opd))
    assert response.status_code == 200
    assert "tidak dapat menunjuk diri sendiri" in response.content.decode()
    assert not PenugasanPlt.objects.exists()
    assert world.penilai.penilai() == world.kepala


def test_create_plt_refuses_self_and_positions_above_the_admin(world):
    from opd.services import OrganisasiError, create_plt

    today = timezone.localdate()
    dates = {"jenis": "PLH", "mulai": today, "selesai": today + datetime.timedelta(days=7)}
    with pytest.raises(OrganisasiError, match="diri sendiri"):
        create_plt(jabatan=world.penilai.jabatan, pegawai=world.admin_opd, by=world.admin_opd, **dates)
    for jabatan in (world.kepala.jabatan, world.sekda.jabatan):
        with pytest.raises(OrganisasiError, match="ditunjuk oleh admin BKD"):
            create_plt(jabatan=jabatan, pegawai=world.pegawai2, by=world.admin_opd, **dates)
    with pytest.raises(OrganisasiError, match="diri sendiri"):
        create_plt(jabatan=world.kepala.jabatan, pegawai=world.admin_bkd, by=world.admin_bkd, **dates)
    # The admin OPD fills a position that does not rate her; the admin BKD the Kepala's.
    assert create_plt(jabatan=world.penilai.jabatan, pegawai=world.pegawai2, by=world.admin_opd, **dates)
    plt = create_plt(jabatan=world.kepala.jabatan, pegawai=world.penilai, by=world.admin_bkd, **dates)
    assert world.admin_opd.penilai() == world.penilai
    # Cancelling it is the admin BKD's too; nobody cancels their own assignment.
    with pytest.raises(OrganisasiError, match="dikelola admin BKD"):
        services.cancel_plt(plt, by=world.admin_opd, alasan="Salah tunjuk")
    own = PenugasanPlt.objects.create(
        jabatan=world.penilai.jabatan, pegawai=world.admin_opd, mulai=today + datetime.timedelta(days=30),
        selesai=today + datetime.timedelta(days=31),
    )  # fmt: skip
    with pytest.raises(OrganisasiError, match="Anda sendiri"):
        services.cancel_plt(own, by=world.admin_opd, alasan="Tidak jadi")


def test_plt_list_offers_no_cancel_the_admin_cannot_do(client, world):
    today = timezone.localdate()
    above = services.create_plt(
        jabatan=world.kepala.jabatan, pegawai=world.penilai, jenis="PLT", mulai=today,
        selesai=today + datetime.timedelta(days=7), by=world.admin_bkd,
    )  # fmt: skip
    client.force_login(world.admin_opd)
    html = client.get(reverse("opd:plt_list")).content.decode()
    assert world.penilai.nama_lengkap in html
    assert reverse("opd:plt_batalkan", args=[above.pk]) not in html
    response = client.post(reverse("opd:plt_batalkan", args=[above.pk]), {"alasan": "x"}, follow=True)
    assert "dikelola admin BKD" in response.content.decode()
    above.refresh_from_db()
    assert not above.dibatalkan


def test_nobody_changes_their_own_supervisor(client, world):
    from opd.services import OrganisasiError, set_atasan_jabatan

    client.force_login(world.admin_opd)
    own_page = client.get(reverse("opd:pegawai_detail", args=[world.admin_opd.pk])).content.decode()
    assert reverse("opd:pegawai_atasan", args=[world.admin_opd.pk]) not in own_page
    data = {"atasan": world.penilai.jabatan.pk, "cakupan": "satu", "alasan": "Pindah bidang"}
    assert client.post(reverse("opd:pegawai_atasan", args=[world.admin_opd.pk]), data).status_code == 403
    with pytest.raises(OrganisasiError, match="atasan Anda sendiri"):
        set_atasan_jabatan(world.admin_opd, world.penilai.jabatan, by=world.admin_opd, alasan="x")
    world.admin_opd.refresh_from_db()
    assert world.admin_opd.jabatan.atasan == world.kepala.jabatan
    # Nor through a colleague on the same position, "for every holder".
    colleague = make_pegawai("Rekan Sejabatan", world.admin_opd.jabatan, nip="199101012015031002")
    with pytest.raises(OrganisasiError, match="juga jabatan Anda"):
        set_atasan_jabatan(colleague, world.penilai.jabatan, by=world.admin_opd, alasan="x", only_this_pegawai=False)
    set_atasan_jabatan(colleague, world.penilai.jabatan, by=world.admin_opd, alasan="Pindah bidang")
    colleague.refresh_from_db()
    assert colleague.jabatan.atasan == world.penilai.jabatan
    world.admin_opd.refresh_from_db()
    assert world.admin_opd.jabatan.atasan == world.kepala.jabatan


# The Kepala OPD reads the OPD (SPEC §9) ----------------------------------------------------------


def test_kepala_opd_reads_every_pegawai_of_the_opd_read_only(client, world):
    """Found: the Kepala's pohon showed the whole OPD while her pegawai list showed her bawahan
    only, and links on pegawai pages led to 404. One predicate now: Pegawai.pimpinan_opd_ids."""
    client.force_login(world.kepala)
    response = client.get(reverse("opd:pegawai_list"))
    listed = {p.pk for p, _penilai in response.context["rows"]}
    assert listed == set(Pegawai.objects.filter(opd=world.opd).values_list("pk", flat=True))
    html = client.get(reverse("opd:pegawai_detail", args=[world.pegawai.pk])).content.decode()
    for name in ("pegawai_atasan", "pegawai_reset_sandi"):
        assert reverse(f"opd:{name}", args=[world.pegawai.pk]) not in html, name
    assert client.post(reverse("opd:pegawai_atasan", args=[world.pegawai.pk]), {}).status_code == 403
    assert client.get(reverse("opd:pegawai_detail", args=[world.outsider.pk])).status_code == 404


def test_a_plt_of_the_kepala_position_reads_the_opd_only_while_active(world, former_plt):
    kepala_plt = PenugasanPlt.objects.create(
        jabatan=world.kepala.jabatan, pegawai=former_plt, mulai=timezone.localdate(),
        selesai=timezone.localdate() + datetime.timedelta(days=3),
    )  # fmt: skip
    assert former_plt.pimpinan_opd_ids() == [world.opd.pk]
    assert Pegawai.objects.visible_to(former_plt).filter(pk=world.pegawai.pk).exists()
    PenugasanPlt.objects.filter(pk=kepala_plt.pk).update(dibatalkan=True)
    assert former_plt.pimpinan_opd_ids() == []
    assert not Pegawai.objects.visible_to(former_plt).filter(pk=world.pegawai.pk).exists()
    # The Sekda and the Bupati read every OPD.
    every = set(Opd.objects.values_list("pk", flat=True))
    assert set(world.sekda.pimpinan_opd_ids()) == every == set(world.bupati.pimpinan_opd_ids())


def test_pegawai_detail_links_only_what_the_viewer_opens(client, world):
    """The penilai sees their bawahan; a bawahan's own bawahan is shown without a link."""
    from opd.models import Jabatan, JenisJabatan

    staf = make_pegawai(
        "Staf Seksi", Jabatan.objects.create(nama="Pengadministrasi Umum", jenis=JenisJabatan.PELAKSANA,
                                             opd=world.opd, atasan=world.pegawai.jabatan),
        nip="199505052020121003",
    )  # fmt: skip
    client.force_login(world.penilai)
    html = client.get(reverse("opd:pegawai_detail", args=[world.pegawai.pk])).content.decode()
    assert staf.nama_lengkap in html
    assert reverse("opd:pegawai_detail", args=[staf.pk]) not in html
    assert client.get(reverse("opd:pegawai_detail", args=[staf.pk])).status_code == 404


def test_kepala_keeps_reading_while_a_plh_covers_the_position(world, former_plt):
    """SPEC §9: "the Kepala OPD (and a Plt/Plh of that position while active)": both read; the
    Plh rates meanwhile."""
    PenugasanPlt.objects.create(
        jabatan=world.kepala.jabatan, pegawai=former_plt, jenis="PLH", mulai=timezone.localdate(),
        selesai=timezone.localdate() + datetime.timedelta(days=3),
    )  # fmt: skip
    assert world.kepala.pimpinan_opd_ids() == former_plt.pimpinan_opd_ids() == [world.opd.pk]
    assert world.penilai.penilai() == former_plt
