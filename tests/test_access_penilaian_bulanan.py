"""Every URL of the pegawai's month (penilaian/views/bulanan.py) × every role → the expected
status (SPEC §9): not visible → 404, visible but not allowed → 403, anonymous → the login page.
Bukti downloads included: own, the penilai's and the admin OPD's reading, another team's → 404."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, reverse

from penilaian.models import BuktiDukung
from penilaian.views.bulanan import urlpatterns
from tests import penilaian_fixtures as fx
from tests.test_access_opd import view_methods

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous", "pegawai", "pegawai2", "penilai", "kepala", "sekda", "bupati", "admin_opd", "admin_bkd",
    "auditor", "outsider",
)  # fmt: skip


@pytest.fixture(autouse=True)
def bukti_root(settings, tmp_path):
    settings.BUKTI_ROOT = tmp_path / "bukti"


def about_pegawai(*, pegawai: int, others: int) -> dict[str, int]:
    """World.pegawai's evaluation: seen by the pegawai, the penilai, the Kepala OPD, Sekda, Bupati,
    the admin OPD, the admin BKD and the auditor; not by a colleague or another OPD (404)."""
    return {
        "anonymous": 302, "pegawai": pegawai, "pegawai2": 404, "penilai": others, "kepala": others,
        "sekda": others, "bupati": others, "admin_opd": others, "admin_bkd": others, "auditor": others,
        "outsider": 404,
    }  # fmt: skip


def anyone(status: int) -> dict[str, int]:
    return {role: 302 if role == "anonymous" else status for role in ROLES}


READ = about_pegawai(pegawai=200, others=200)
OWNER_GET = about_pegawai(pegawai=200, others=403)
OWNER_POST = about_pegawai(pegawai=302, others=403)


class State:
    def __init__(self, world) -> None:
        self.ev = fx.evaluasi_bulan(world)
        self.ra = fx.isi_lengkap(self.ev)
        fx.tambah_aksi(
            self.ev,
            "Rencana kedua",
            rhk_index=1,
            target=95,
            satuan="%",
            realisasi=96,
            realisasi_uraian="ok",
            bukti=True,
        )
        from penilaian import bukti

        stored = bukti.simpan_berkas(SimpleUploadedFile("laporan.pdf", fx.PDF))
        self.berkas = BuktiDukung.objects.create(
            rencana_aksi=self.ra, jenis="BERKAS", berkas=stored.berkas, nama_berkas=stored.nama_berkas,
            mime=stored.mime, ukuran=stored.ukuran, sha256=stored.sha256, diunggah_oleh=world.pegawai,
        )  # fmt: skip
        lalu = fx.buat_periode(fx.TAHUN, fx.TODAY.month - 1) if fx.TODAY.month > 1 else None
        if lalu is not None:
            (ev_lalu,) = fx.pastikan_evaluasi(world.pegawai, lalu)
            fx.tambah_aksi(ev_lalu, "Rencana bulan lalu")
        self.iki = self.ra.iki


def _ev(s: State) -> tuple:
    return (s.ev.pk,)


def _ra(s: State) -> tuple:
    return (s.ra.pk,)


def _bk(s: State) -> tuple:
    return (s.berkas.pk,)


def _bulan(s: State) -> tuple:
    return (s.ev.periode.tahun, s.ev.periode.bulan)


def _none(s: State) -> tuple:
    return ()


# (url name, method, args, POST data of the state, expected statuses)
TABLE: list[tuple[str, str, Callable, Callable, dict[str, int]]] = [
    ("bulanan", "get", _none, lambda s: {}, anyone(302)),
    ("bulanan_detail", "get", _bulan, lambda s: {}, anyone(200)),
    ("evaluasi", "get", _ev, lambda s: {}, READ),
    ("rencana_aksi_tambah", "get", _ev, lambda s: {}, OWNER_GET),
    ("rencana_aksi_tambah", "post", _ev, lambda s: {"versi": s.ev.versi, "iki": s.iki.pk, "uraian": "Baru"}, OWNER_POST),
    ("salin_bulan_lalu", "post", _ev, lambda s: {"versi": s.ev.versi}, OWNER_POST),
    ("kirim_realisasi", "get", _ev, lambda s: {}, OWNER_GET),
    ("kirim_realisasi", "post", _ev, lambda s: {"versi": s.ev.versi}, OWNER_POST),
    ("rencana_aksi", "get", _ra, lambda s: {}, OWNER_GET),
    ("rencana_aksi", "post", _ra, lambda s: {"versi": s.ev.versi, "realisasi": "4", "realisasi_uraian": "ok"}, OWNER_POST),
    ("rencana_aksi_ubah", "get", _ra, lambda s: {}, OWNER_GET),
    ("rencana_aksi_ubah", "post", _ra, lambda s: {"versi": s.ev.versi, "iki": s.iki.pk, "uraian": "Ubah", "target": "4"}, OWNER_POST),
    ("rencana_aksi_hapus", "post", _ra, lambda s: {"versi": s.ev.versi}, OWNER_POST),
    ("bukti_unggah", "post", _ra, lambda s: {"versi": s.ev.versi, "berkas": SimpleUploadedFile("b.pdf", fx.PDF)}, OWNER_POST),
    ("bukti_tautan", "post", _ra, lambda s: {"versi": s.ev.versi, "tautan": "https://example.go.id/b"}, OWNER_POST),
    ("bukti", "get", _bk, lambda s: {}, READ),
    ("bukti_hapus", "post", _bk, lambda s: {"versi": s.ev.versi}, OWNER_POST),
]  # fmt: skip

CASES = [
    pytest.param(name, method, args, data, role, expected[role], id=f"{name}-{method}-{role}")
    for name, method, args, data, expected in TABLE
    for role in ROLES
]


@pytest.mark.parametrize(("name", "method", "args", "data", "role", "expected"), CASES)
def test_access(client, world, name, method, args, data, role, expected):
    if name == "salin_bulan_lalu" and fx.TODAY.month == 1:
        pytest.skip("no earlier month of this year's SKP in January")
    s = State(world)
    if role != "anonymous":
        client.force_login(getattr(world, role))
    response = getattr(client, method)(reverse(f"penilaian:{name}", args=args(s)), data(s) if method == "post" else {})
    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    elif method == "post" and expected == 302:
        errors = [str(m) for m in get_messages(response.wsgi_request) if m.level == messages.ERROR]
        assert not errors, errors


def _patterns() -> dict[str, URLPattern]:
    return {p.name: p for p in urlpatterns if isinstance(p, URLPattern)}


def test_every_url_has_a_row():
    missing = set(_patterns()) - {name for name, *_ in TABLE}
    assert not missing, f"URL tanpa baris di tabel akses: {sorted(missing)}"


def test_every_url_that_accepts_post_has_a_post_row_and_reads_are_get_only():
    post_rows = {name for name, method, *_ in TABLE if method == "post"}
    methods = {name: view_methods(p.callback) for name, p in _patterns().items()}
    assert all(m is not None for m in methods.values()), methods  # every view declares its methods
    accepts_post = {name for name, m in methods.items() if "POST" in m}
    assert accepts_post == post_rows
    for name in ("bulanan", "bulanan_detail", "evaluasi", "bukti"):
        assert "POST" not in methods[name]


# Bukti of other teams -----------------------------------------------------------------------------


def _bukti_of(world, pegawai) -> BuktiDukung:
    from penilaian import bukti

    ev = fx.evaluasi_bulan(world, pegawai=pegawai)
    ra = fx.tambah_aksi(ev)
    stored = bukti.simpan_berkas(SimpleUploadedFile("rahasia.pdf", fx.PDF))
    return BuktiDukung.objects.create(
        rencana_aksi=ra, jenis="BERKAS", berkas=stored.berkas, nama_berkas=stored.nama_berkas, mime=stored.mime,
        ukuran=stored.ukuran, sha256=stored.sha256, diunggah_oleh=pegawai,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("owner", "expected"),
    [
        # The penilai's own evidence: their bawahan do not see it; their rater (the kepala) does.
        ("penilai", {"penilai": 200, "pegawai": 404, "pegawai2": 404, "kepala": 200, "admin_opd": 200,
                     "admin_bkd": 200, "auditor": 200, "outsider": 404}),
        # A colleague's evidence: a fellow pegawai guessing the id gets 404.
        ("pegawai2", {"pegawai2": 200, "pegawai": 404, "penilai": 200, "admin_opd": 200, "outsider": 404}),
    ],
)  # fmt: skip
def test_guessing_another_teams_bukti_is_404(client, world, owner, expected):
    row = _bukti_of(world, getattr(world, owner))
    for role, status in expected.items():
        client.force_login(getattr(world, role))
        assert client.get(reverse("penilaian:bukti", args=[row.pk])).status_code == status, role


def test_outsider_evidence_is_invisible_to_the_other_opd(client, world):
    from opd.models import Jabatan, JenisJabatan
    from tests.conftest import make_pegawai

    # An outsider's penilai in Dishub, so the outsider can have an approved SKP.
    kabid = Jabatan.objects.create(
        nama="Kepala Bidang Lalu Lintas", jenis=JenisJabatan.ADMINISTRATOR, opd=world.other_opd
    )
    world.outsider.jabatan.atasan = kabid
    world.outsider.jabatan.save()
    make_pegawai("Kabid Dishub", kabid, nip="197501012000031001")
    from penilaian.models import Evaluasi, Periode
    from penilaian.services._common import pastikan_evaluasi
    from skp import services as skp_services

    skp = skp_services.create_skp(world.outsider, by=world.outsider, tahun=fx.TAHUN, pendekatan="KUANTITATIF")
    fx._rhk(skp, world.outsider, "Terkendalinya lalu lintas", jenis="TAMBAHAN")
    from skp.models import Skp

    Skp.objects.filter(pk=skp.pk).update(status="DISETUJUI")
    periode = Periode.objects.filter(tahun=fx.TAHUN, bulan=fx.TODAY.month).first() or fx.buat_periode()
    (ev,) = pastikan_evaluasi(world.outsider, periode)
    ev = Evaluasi.objects.select_related("skp").get(pk=ev.pk)
    ra = fx.tambah_aksi(ev, rhk_index=0)
    row = BuktiDukung.objects.create(
        rencana_aksi=ra, jenis="TAUTAN", tautan="https://dishub.example.go.id/x", diunggah_oleh=world.outsider
    )
    for role, status in {"outsider": 302, "pegawai": 404, "penilai": 404, "admin_opd": 404, "kepala": 404,
                         "admin_bkd": 302, "auditor": 302}.items():  # fmt: skip
        client.force_login(getattr(world, role))
        assert client.get(reverse("penilaian:bukti", args=[row.pk])).status_code == status, role
        assert client.get(reverse("penilaian:evaluasi", args=[ev.pk])).status_code == (200 if status == 302 else 404)
