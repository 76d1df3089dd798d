"""A small named world shared by the tests, and the browser fixtures.

The world (positional hierarchy, SPEC §2):

    Bupati (pejabat negara, no SKP)
    └── Sekretaris Daerah (JPT, SETDA)                                   `sekda`
        └── Kepala Dinas Kesehatan PP dan KB (JPT, DINKESDALDUKKB)        `kepala`
            ├── Kepala Bidang Pelayanan Kesehatan (Administrator)        `penilai`
            │   └── Pengelola Data Pelayanan Kesehatan (Pelaksana)        `pegawai`, `pegawai2`
            └── Analis SDM Aparatur (Pelaksana)                           `admin_opd` (admin OPD)
    Badan Kepegawaian Daerah: Analis Kepegawaian                           `admin_bkd`
    Inspektorat: Auditor Ahli Muda                                         `auditor`
    Dinas Perhubungan: Pengatur Lalu Lintas                                `outsider`

Everybody's password is PASSWORD.
"""

from __future__ import annotations

import datetime
import importlib
import itertools
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from opd.models import Jabatan, JenisJabatan, Opd, Pegawai, PeranPengguna, UnitKerja

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# A deliberately slow password hash costs ~0.3 s per user; tests create many users.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

PASSWORD = "Rahasia#2026"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

_serial = itertools.count(1)


def make_nip(*, lahir: str = "19800101", tmt: str = "200501", gender: str = "1", serial: int | None = None) -> str:
    """A valid PNS NIP: YYYYMMDD YYYYMM G NNN."""
    number = serial if serial is not None else next(_serial) % 999 + 1
    return f"{lahir}{tmt}{gender}{number:03d}"


def make_pegawai(nama: str, jabatan: Jabatan | None, *, opd: Opd | None = None, **extra) -> Pegawai:
    extra.setdefault(
        "nip", make_nip(lahir=f"19{70 + next(_serial) % 25:02d}0{1 + next(_serial) % 9}1{next(_serial) % 9}")
    )
    return Pegawai.objects.create_user(
        password=PASSWORD,
        nama=nama,
        jabatan=jabatan,
        opd=opd if opd is not None else (jabatan.opd if jabatan else None),
        unit=jabatan.unit if jabatan else None,
        golongan=extra.pop("golongan", "III/a"),
        **extra,
    )


def add_role(pegawai: Pegawai, peran: str, opd: Opd | None = None) -> Pegawai:
    PeranPengguna.objects.create(pegawai=pegawai, peran=peran, opd=opd)
    if hasattr(pegawai, "_roles_cache"):
        del pegawai._roles_cache
    return pegawai


@dataclass
class World:
    opd: Opd
    other_opd: Opd
    unit: UnitKerja
    bupati: Pegawai
    sekda: Pegawai
    kepala: Pegawai
    penilai: Pegawai
    pegawai: Pegawai
    pegawai2: Pegawai
    admin_opd: Pegawai
    admin_bkd: Pegawai
    auditor: Pegawai
    outsider: Pegawai

    def roles(self) -> dict[str, Pegawai]:
        return {
            "pegawai": self.pegawai,
            "penilai": self.penilai,
            "kepala": self.kepala,
            "admin_opd": self.admin_opd,
            "admin_bkd": self.admin_bkd,
            "auditor": self.auditor,
            "outsider": self.outsider,
        }


def ensure_reference_data() -> None:
    """The OPDs of SPEC Appendix A come from a data migration. Transactional tests (the browser
    journeys) flush every table afterwards, and --reuse-db keeps that empty database for the next
    run: put the reference rows back the way the migration does, when they are missing."""
    migration = importlib.import_module("opd.migrations.0002_opd_appendix_a")
    if Opd.objects.count() >= len(migration.OPD):
        return
    if _REFERENCE_ROWS:
        # With the primary keys they had: a later serialized_rollback test restores its saved copy
        # of these rows by primary key, which must then meet the same rows, not new ones.
        ada = set(Opd.objects.values_list("kode", flat=True))
        Opd.objects.bulk_create([Opd(**row) for row in _REFERENCE_ROWS if row["kode"] not in ada])
    else:
        migration.create_opd(apps, None)


_REFERENCE_ROWS: list[dict] = []


def pytest_configure(config) -> None:
    """Bukti dukung written by any test (the demo's evidence files included) go to a throw-away
    folder, never to the developer's data/bukti."""
    import tempfile

    from django.conf import settings

    settings.BUKTI_ROOT = Path(tempfile.mkdtemp(prefix="ekinerja-bukti-"))
    # Background tasks run at once inside the test (django-tasks' ImmediateBackend): a page that
    # starts a job finds it finished. The database queue and its worker are exercised by
    # tests/test_tugas.py and the CI smoke test.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_reference_data()
        _REFERENCE_ROWS[:] = list(Opd.objects.order_by("pk").values())


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    return (marker is not None and bool(marker.kwargs.get("transaction"))) or bool(
        {"transactional_db", "live_server"} & set(names)
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test has flushed the tables, put the reference rows back at once:
    under pytest-xdist (`./dev test` runs two workers, files kept together) a worker may run an
    ordinary test file after a browser journey, which pytest-django's ordering cannot prevent."""
    yield
    if _is_transactional(item):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            ensure_reference_data()


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request) -> None:
    """Transactional tests run last (pytest-django orders them so); each starts after the previous
    one's flush, so it needs the reference rows back."""
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and bool(marker.kwargs.get("transaction"))
    if transactional or "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        ensure_reference_data()


@pytest.fixture
def world(db) -> World:
    setda = Opd.objects.get(kode="SETDA")
    dinkes = Opd.objects.get(kode="DINKESDALDUKKB")
    bkd = Opd.objects.get(kode="BKD")
    inspektorat = Opd.objects.get(kode="INSPEKTORAT")
    dishub = Opd.objects.get(kode="DISHUB")

    j_bupati = Jabatan.objects.create(nama="Bupati Trenggalek", jenis=JenisJabatan.PEJABAT_NEGARA)
    j_sekda = Jabatan.objects.create(
        nama="Sekretaris Daerah", jenis=JenisJabatan.JPT, eselon="II.a", kelas_jabatan=15, opd=setda, atasan=j_bupati
    )
    pimpinan = UnitKerja.objects.create(opd=dinkes, nama="Pimpinan Dinas", jenis=UnitKerja.Jenis.PIMPINAN)
    bidang = UnitKerja.objects.create(
        opd=dinkes, parent=pimpinan, nama="Bidang Pelayanan Kesehatan", jenis=UnitKerja.Jenis.BIDANG
    )
    sekretariat = UnitKerja.objects.create(
        opd=dinkes, parent=pimpinan, nama="Sekretariat", jenis=UnitKerja.Jenis.SEKRETARIAT
    )
    j_kepala = Jabatan.objects.create(
        nama="Kepala Dinas Kesehatan, Pengendalian Penduduk dan Keluarga Berencana",
        jenis=JenisJabatan.JPT,
        eselon="II.b",
        kelas_jabatan=14,
        opd=dinkes,
        unit=pimpinan,
        atasan=j_sekda,
    )
    j_kabid = Jabatan.objects.create(
        nama="Kepala Bidang Pelayanan Kesehatan",
        jenis=JenisJabatan.ADMINISTRATOR,
        eselon="III.b",
        kelas_jabatan=11,
        opd=dinkes,
        unit=bidang,
        atasan=j_kepala,
    )
    j_staf = Jabatan.objects.create(
        nama="Pengelola Data Pelayanan Kesehatan",
        jenis=JenisJabatan.PELAKSANA,
        kelas_jabatan=6,
        opd=dinkes,
        unit=bidang,
        atasan=j_kabid,
    )
    j_admin = Jabatan.objects.create(
        nama="Analis SDM Aparatur", jenis=JenisJabatan.PELAKSANA, kelas_jabatan=7, opd=dinkes, unit=sekretariat,
        atasan=j_kepala,
    )  # fmt: skip
    j_bkd = Jabatan.objects.create(nama="Analis Kepegawaian", jenis=JenisJabatan.PELAKSANA, kelas_jabatan=7, opd=bkd)
    j_aud = Jabatan.objects.create(
        nama="Auditor Ahli Muda", jenis=JenisJabatan.FUNGSIONAL, kelas_jabatan=11, opd=inspektorat
    )
    j_out = Jabatan.objects.create(
        nama="Pengatur Lalu Lintas", jenis=JenisJabatan.PELAKSANA, kelas_jabatan=6, opd=dishub
    )

    bupati = make_pegawai("Bupati Trenggalek", j_bupati, nip="bupati", jenis_asn=Pegawai.JenisAsn.NON_ASN, golongan="")
    sekda = make_pegawai("Edy Soepriyanto", j_sekda, nip="196805121994031007", golongan="IV/c", gelar_depan="Drs.")
    kepala = make_pegawai(
        "Sunarto", j_kepala, nip="197003151998031005", golongan="IV/b", gelar_depan="dr.", gelar_belakang="M.Kes."
    )
    penilai = make_pegawai(
        "Rina Puspitasari", j_kabid, nip="197805232005012012", golongan="IV/a", gelar_belakang="S.KM."
    )
    pegawai = make_pegawai("Agus Setiawan", j_staf, nip="199002142015031003", golongan="II/c")
    pegawai2 = make_pegawai("Dewi Lestari", j_staf, nip="199206202019022004", golongan="II/b")
    admin_opd = make_pegawai("Yuli Handayani", j_admin, nip="198707112010012015", golongan="III/b")
    admin_bkd = make_pegawai("Bambang Wicaksono", j_bkd, nip="198204172006041009", golongan="III/c")
    auditor = make_pegawai("Sri Wahyuni", j_aud, nip="198109092008012011", golongan="III/d")
    outsider = make_pegawai("Joko Prasetyo", j_out, nip="198512302011011004", golongan="II/d")
    add_role(admin_opd, PeranPengguna.Peran.ADMIN_OPD, dinkes)
    add_role(admin_bkd, PeranPengguna.Peran.ADMIN_BKD)
    add_role(auditor, PeranPengguna.Peran.AUDITOR)
    return World(
        opd=dinkes,
        other_opd=dishub,
        unit=bidang,
        bupati=bupati,
        sekda=sekda,
        kepala=kepala,
        penilai=penilai,
        pegawai=pegawai,
        pegawai2=pegawai2,
        admin_opd=admin_opd,
        admin_bkd=admin_bkd,
        auditor=auditor,
        outsider=outsider,
    )


# Browser tests ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Drive Debian's Chromium; never download a browser. Without it: skip, but fail in CI."""
    if not Path(CHROMIUM_PATH).exists():
        message = f"Chromium tidak ditemukan di {CHROMIUM_PATH} (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(message + " — di CI uji peramban wajib berjalan.")
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM_PATH,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {
        **browser_context_args,
        "locale": "id-ID",
        "timezone_id": "Asia/Jakarta",
        "viewport": {"width": 1366, "height": 900},
    }


@pytest.fixture
def screenshot_dir() -> Path:
    path = ARTIFACTS / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def browser_login(page, live_server, nip: str, password: str = PASSWORD) -> None:
    page.goto(f"{live_server.url}/masuk/")
    page.fill("input[name=username]", nip)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture
def former_plt(world) -> Pegawai:
    """A colleague in the Sekretariat (rated by the Kepala) who was Plt of the Kepala Bidang
    position (world.penilai's) until yesterday: SPEC §9, their access to what they rated ended."""
    from django.utils import timezone

    from opd.models import PenugasanPlt

    jabatan = Jabatan.objects.create(
        nama="Penyusun Program", jenis=JenisJabatan.PELAKSANA, kelas_jabatan=7, opd=world.opd,
        unit=world.admin_opd.unit, atasan=world.kepala.jabatan,
    )  # fmt: skip
    pegawai = make_pegawai("Hadi Santoso", jabatan, nip="198303032009011007", golongan="III/c")
    today = timezone.localdate()
    PenugasanPlt.objects.create(
        jabatan=world.penilai.jabatan, pegawai=pegawai, jenis=PenugasanPlt.Jenis.PLT,
        mulai=today - datetime.timedelta(days=60), selesai=today - datetime.timedelta(days=1),
    )  # fmt: skip
    return pegawai


@pytest.fixture(autouse=True)
def _cache_kosong():
    """Each test starts with an empty cache: the Beranda keeps the regency's monitoring counts for
    a minute (penilaian.widgets_monitoring), which must not carry one test's data into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
