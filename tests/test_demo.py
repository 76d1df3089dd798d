"""`manage.py demo`: a realistic organisation that every resolution rule can be shown on, safe to run twice."""

import io

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.utils import timezone

from opd.demo import BUPATI_NIP, DEMO_PASSWORD, build_plan
from opd.models import Jabatan, JenisJabatan, Pegawai, PenugasanPlt, PeranPengguna
from opd.rules import parse_nip
from opd.services import OrgChart

pytestmark = pytest.mark.django_db

PILOTS = {"SETDA", "BKD", "INSPEKTORAT", "DINKESDALDUKKB"}


def _counts() -> dict[str, int]:
    # Every model of our apps (so demo SKPs, once skp.demo exists, are held to the same rule).
    return {
        m._meta.label: m.objects.count()
        for app in ("opd", "skp", "penilaian")
        for m in apps.get_app_config(app).get_models()
    }


@pytest.fixture
def demo() -> str:
    """The organisation only (the SKP demo costs ~10 s; it is run once, in the idempotency test)."""
    out = io.StringIO()
    call_command("demo", "--tanpa-skp", stdout=out)
    return out.getvalue()


def test_second_run_changes_nothing():
    call_command("demo", stdout=io.StringIO())
    before = _counts()
    pegawai = {p.nip: p for p in Pegawai.objects.all()}
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert _counts() == before
    assert "(0 baru)" in out.getvalue()
    after = {p.nip: p for p in Pegawai.objects.all()}
    assert {nip: (p.diubah_pada, p.password) for nip, p in after.items()} == {
        nip: (p.diubah_pada, p.password) for nip, p in pegawai.items()
    }


def test_password_changed_by_user_is_kept(demo):
    user = Pegawai.objects.get(nip=BUPATI_NIP)
    user.set_password("Ganti#Sendiri1")
    user.save()
    call_command("demo", "--tanpa-skp", stdout=io.StringIO())
    assert authenticate(username=BUPATI_NIP, password="Ganti#Sendiri1") is not None
    assert authenticate(username=BUPATI_NIP, password=DEMO_PASSWORD) is None


def test_people_are_plausible(demo):
    pilots = Pegawai.objects.filter(opd__kode__in=PILOTS)
    assert 150 <= pilots.count() <= 300
    others = Pegawai.objects.exclude(opd__kode__in=PILOTS).exclude(opd__isnull=True)
    assert others.values("opd").distinct().count() >= 3
    asn = Pegawai.objects.exclude(nip=BUPATI_NIP)
    genders = {"1": "L", "2": "P"}
    for p in asn:
        info = parse_nip(p.nip)
        assert info.jenis == p.jenis_asn, p
        assert genders[p.nip[14]] == info.jenis_kelamin
        assert 1966 <= info.tanggal_lahir.year <= 2000, p
        assert info.tmt_tahun >= info.tanggal_lahir.year + 19, p
    pppk = asn.filter(jenis_asn=Pegawai.JenisAsn.PPPK)
    assert 0.05 <= pppk.count() / asn.count() <= 0.2
    assert all(p.golongan in {"V", "VII", "IX"} for p in pppk)
    assert asn.filter(kedudukan_hukum__in=["CLTN", "TUGAS_BELAJAR"]).exists()
    for jenis, allowed in [
        (JenisJabatan.JPT, {"IV/c", "IV/d"}),
        (JenisJabatan.ADMINISTRATOR, {"IV/a", "IV/b"}),
        (JenisJabatan.PENGAWAS, {"III/c", "III/d"}),
    ]:
        assert set(asn.filter(jabatan__jenis=jenis).values_list("golongan", flat=True)) <= allowed


def test_plan_is_deterministic():
    assert build_plan() == build_plan()


def test_supervisor_chain(demo):
    chart = OrgChart()
    pilots = Pegawai.objects.filter(opd__kode__in=PILOTS).select_related("jabatan", "opd")
    without = [p for p in pilots if chart.penilai(p.pk) is None]
    assert without == []
    bupati = Pegawai.objects.get(nip=BUPATI_NIP)
    sekda = Pegawai.objects.get(jabatan__nama="Sekretaris Daerah")
    assert chart.penilai(sekda.pk) == bupati
    assert chart.penilai(bupati.pk) is None
    kepala_dinkes = Pegawai.objects.get(opd__kode="DINKESDALDUKKB", jabatan__jenis=JenisJabatan.JPT)
    assert chart.penilai(kepala_dinkes.pk) == sekda
    # The query-based resolver agrees with the in-memory chart.
    assert kepala_dinkes.penilai() == sekda


def test_vacant_position_falls_through(demo):
    chart = OrgChart()
    today = timezone.localdate()
    plt_jabatan = set(PenugasanPlt.objects.active_on(today).values_list("jabatan_id", flat=True))
    vacant = [
        j
        for j in Jabatan.objects.filter(opd__pilot=True, jenis__in=[JenisJabatan.ADMINISTRATOR, JenisJabatan.PENGAWAS])
        if not j.pemegang.exists() and j.pk not in plt_jabatan
    ]
    assert vacant
    checked = 0
    for jabatan in vacant:
        above = Pegawai.objects.get(jabatan=jabatan.atasan)
        for staff in Pegawai.objects.filter(jabatan__atasan=jabatan):
            assert chart.penilai(staff.pk) == above
            assert staff.penilai() == above
            checked += 1
    assert checked >= 2


def test_plt_is_active_and_rates_the_position_staff(demo):
    plt = PenugasanPlt.objects.active_on(timezone.localdate()).get()
    assert plt.mulai == timezone.localdate().replace(day=1)
    assert plt.nomor_sk
    assert plt.pegawai.jabatan.nama.startswith("Sekretaris")
    staff = Pegawai.objects.filter(jabatan__atasan=plt.jabatan)
    assert staff.exists()
    assert all(p.penilai() == plt.pegawai for p in staff)


def _login_table(out: str) -> dict[str, str]:
    """peran → NIP, read from the printed table (what the README and the user see)."""
    rows = {}
    for line in out.splitlines():
        words = line.split()
        if DEMO_PASSWORD in words and not line.startswith("Setiap"):
            i = words.index(DEMO_PASSWORD)
            rows[" ".join(words[: i - 1])] = words[i - 1]
    return rows


def test_demo_logins_authenticate(demo):
    logins = _login_table(demo)
    assert {"Pegawai", "Pejabat penilai", "Kepala OPD", "Admin OPD", "Admin BKD", "Auditor", "Bupati"} <= set(logins)
    assert logins["Bupati"] == BUPATI_NIP
    for nip in logins.values():
        assert authenticate(username=nip, password=DEMO_PASSWORD) is not None, nip
    roles = {(r.pegawai.nip, r.peran, r.opd.kode if r.opd_id else None) for r in PeranPengguna.objects.all()}
    assert roles == {
        (logins["Admin OPD"], "ADMIN_OPD", "DINKESDALDUKKB"),
        (logins["Admin BKD"], "ADMIN_BKD", None),
        (logins["Auditor"], "AUDITOR", None),
    }


def test_pegawai_login_is_rated_by_penilai_login(demo):
    logins = _login_table(demo)
    pegawai = Pegawai.objects.get(nip=logins["Pegawai"])
    assert pegawai.jabatan.jenis == JenisJabatan.PELAKSANA and pegawai.opd.kode == "DINKESDALDUKKB"
    assert pegawai.penilai().nip == logins["Pejabat penilai"]
    assert pegawai.atasan_penilai().penilai().nip == logins["Kepala OPD"]


def test_readme_lists_the_demo_logins(demo):
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    for peran, nip in _login_table(demo).items():
        assert f"`{nip}`" in readme, f"README: NIP {nip} ({peran}) tidak tercantum"
