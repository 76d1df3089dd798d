"""`manage.py ekspor_tpp` and the download views end to end, on the month's data from
`penilaian.services.tpp_bulan.data_bulan` (built in parallel: this file runs once it is merged).

Access (SPEC §9): the regency file for the admin BKD and the auditor; one OPD's file also for
that OPD's admin OPD and Kepala OPD, and for the Sekda and the Bupati (they read every OPD);
anybody else, and another OPD than the viewer's, 404; anonymous → login."""

from __future__ import annotations

import io

import pytest

pytest.importorskip("penilaian.services.tpp_bulan")

from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from penilaian.models import BesaranTpp, SkemaTpp
from penilaian.rules import Predikat
from penilaian.views import tpp_ekspor
from tests.penilaian_fixtures_admin import evaluasi_dinilai, periode_terkunci

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "pegawai", "penilai", "kepala", "sekda", "bupati", "admin_opd", "admin_bkd", "auditor",
         "outsider")  # fmt: skip


@pytest.fixture
def bulan(world):
    """This month, locked, with a scheme in force and the world's two staff rated."""
    per = periode_terkunci()
    skema = SkemaTpp.objects.create(tahun=per.tahun, berlaku_mulai=1, dibuat_oleh=world.admin_bkd)
    BesaranTpp.objects.bulk_create(
        BesaranTpp(skema=skema, kelas_jabatan=k, besaran=1_500_000 + 250_000 * k) for k in range(1, 18)
    )
    evaluasi_dinilai(world.pegawai, per, Predikat.BAIK)
    evaluasi_dinilai(world.pegawai2, per, Predikat.BUTUH_PERBAIKAN)
    return per


def _buka(content: bytes):
    return load_workbook(io.BytesIO(content))


def test_command_writes_the_regency_and_one_opd(world, bulan, tmp_path):
    out = io.StringIO()
    target = tmp_path / "tpp.xlsx"
    call_command("ekspor_tpp", f"{bulan.tahun}-{bulan.bulan:02d}", output=str(target), stdout=out)
    wb = load_workbook(target)
    assert wb.sheetnames[0] == "Rekap" and world.opd.kode in wb.sheetnames
    assert all(ws["A4"].value == "SEMENTARA — belum final" for ws in wb.worksheets)
    nips = {c.value for c in wb[world.opd.kode]["B"][7:]}
    assert {world.pegawai.nip, world.pegawai2.nip} <= nips
    assert "Ditulis" in out.getvalue() and "SEMENTARA" in out.getvalue()

    call_command("ekspor_tpp", f"{bulan.tahun}-{bulan.bulan}", opd=world.opd.kode.lower(), output=str(target),
                 stdout=io.StringIO())  # fmt: skip
    assert load_workbook(target).sheetnames == ["Rekap", world.opd.kode]
    assert [p.name for p in tmp_path.iterdir()] == ["tpp.xlsx"]  # no temporary file left


def _url(name: str, bulan, world, lain: bool = False) -> str:
    if name == "tpp_unduh":
        return reverse("penilaian:tpp_unduh", args=[bulan.tahun, bulan.bulan])
    opd = world.other_opd if lain else world.opd
    return reverse("penilaian:tpp_unduh_opd", args=[bulan.tahun, bulan.bulan, opd.pk])


EXPECTED = {
    ("tpp_unduh", False): {"admin_bkd": 200, "auditor": 200},
    ("tpp_unduh_opd", False): {"admin_bkd": 200, "auditor": 200, "admin_opd": 200, "kepala": 200, "sekda": 200,
                               "bupati": 200},
    ("tpp_unduh_opd", True): {"admin_bkd": 200, "auditor": 200, "sekda": 200, "bupati": 200},
}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "lain"), list(EXPECTED))
def test_access(client, world, bulan, role, name, lain):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    response = client.get(_url(name, bulan, world, lain))
    expected = 302 if role == "anonymous" else EXPECTED[(name, lain)].get(role, 404)
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == tpp_ekspor.XLSX
        kode = f"-{(world.other_opd if lain else world.opd).kode}" if name == "tpp_unduh_opd" else ""
        nama = f"TPP-{bulan.tahun}-{bulan.bulan:02d}{kode}-SEMENTARA.xlsx"
        assert response["Content-Disposition"] == f'attachment; filename="{nama}"'
        wb = _buka(b"".join(response.streaming_content))
        assert wb.sheetnames[0] == "Rekap"


def test_every_url_has_a_row():
    # tpp_siapkan (the regency file as a background job, POST): tests/test_tugas.py.
    assert {p.name for p in tpp_ekspor.urlpatterns} == {name for name, _ in EXPECTED} | {"tpp_siapkan"}


def test_post_is_refused(client, world, bulan):
    client.force_login(world.admin_bkd)
    assert client.post(_url("tpp_unduh", bulan, world)).status_code == 405
    assert client.post(_url("tpp_unduh_opd", bulan, world)).status_code == 405


def test_no_scheme_a_month_not_opened_an_absurd_pk(client, world, bulan):
    client.force_login(world.admin_bkd)
    SkemaTpp.objects.all().delete()
    response = client.get(_url("tpp_unduh", bulan, world))
    assert response.status_code == 409
    assert f"Belum ada skema TPP yang berlaku untuk {bulan.nama}" in response.content.decode()
    assert client.get(reverse("penilaian:tpp_unduh", args=[bulan.tahun + 5, 1])).status_code == 404
    assert client.get(reverse("penilaian:tpp_unduh", args=[bulan.tahun, 13])).status_code == 404
    assert client.get(reverse("penilaian:tpp_unduh_opd", args=[bulan.tahun, bulan.bulan, 2**40])).status_code == 404
