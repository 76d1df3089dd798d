"""The attendance summary import (SPEC §8): every refusal named with its row and column, all in one
pass; the preview; applying all or nothing; re-import replacing the month's figures (audited); the
final-month hook; the command; crafted files; the browser pages and their query counts."""

from __future__ import annotations

import datetime
import io
import sys
import types
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from opd.models import AuditLog, Pekerjaan
from penilaian.models import ImporPresensi, Presensi
from penilaian.services import presensi as services
from tests.conftest import make_pegawai
from tests.tpp_fixtures import final, periode, skema

pytestmark = pytest.mark.django_db
HEADER = "NIP;HARI KERJA;TANPA KETERANGAN;TL1;TL2;TL3;TL4;PSW1;PSW2;PSW3;PSW4"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def per(world):
    today = timezone.localdate()
    return periode(today.year, today.month)


def csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\ufeff" + "\r\n".join([header, *rows]) + "\r\n").encode()


def good(world) -> bytes:
    return csv(
        f"{world.pegawai.nip};21;1;2;0;0;0;0;1;0;0",
        f"{world.pegawai2.nip};21;0;0;0;0;0;0;0;0;0",
        f"{world.penilai.nip};20;0;0;1;0;0;0;0;0;0",
    )


def xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def errors_of(per, data: bytes) -> list[str]:
    return [str(e) for e in services.rencana(per, data).errors]


# Validation -----------------------------------------------------------------------------------------


def test_good_file_plans_new_rows(world, per):
    plan = services.rencana(per, good(world))
    assert not plan.errors
    assert plan.counts() == {"baris": 3, "baru": 3, "berubah": 0, "tetap": 0, "dihapus": 0}
    assert plan.rows[0].nilai == {
        "hari_kerja": 21, "tanpa_keterangan": 1, "tl1": 2, "tl2": 0, "tl3": 0, "tl4": 0,
        "psw1": 0, "psw2": 1, "psw3": 0, "psw4": 0,
    }  # fmt: skip


def test_header_matching_ignores_case_spaces_and_underscores(world, per):
    header = "nip,hari_kerja,Tanpa  Keterangan,tl1,TL_2,tl 3,Tl4,psw1,PSW_2,psw3,psw4,Keterangan lain"
    data = csv(f"{world.pegawai.nip},21,0,0,0,0,0,0,0,0,0,abc", header=header)
    assert errors_of(per, data) == []


def test_every_error_is_named_with_row_and_column_in_one_pass(world, per):
    data = csv(
        f"{world.pegawai.nip};21;0;0;0;0;0;0;0;0;0",
        "199999999999999999;21;0;0;0;0;0;0;0;0;0",  # unknown NIP
        f"{world.pegawai.nip};21;0;0;0;0;0;0;0;0;0",  # twice
        f"{world.pegawai2.nip};32;-1;1,5;abc;1e309;NaN;=1+1;Infinity;;",  # many at once
        f"{world.penilai.nip};5;6;0;0;0;0;0;0;0;0",  # absent more than working days
        f"{world.kepala.nip};5;1;3;2;0;0;0;0;0;0",  # late more often than days present
        f"{world.sekda.nip};;0;0;0;0;0;0;0;0;0",  # HARI KERJA blank
    )
    assert errors_of(per, data) == [
        "Baris 3, kolom NIP: NIP 199999999999999999 tidak dikenal (tidak ada pegawai dengan NIP ini).",
        "Baris 4, kolom NIP: NIP 199002142015031003 sudah ada di baris 2.",
        "Baris 5, kolom HARI KERJA: 32 lebih dari 31 (satu bulan paling banyak 31 hari).",
        "Baris 5, kolom TANPA KETERANGAN: tidak boleh negatif (-1).",
        "Baris 5, kolom TL1: '1,5' bukan bilangan bulat (tulis jumlah seperti 0, 2 atau 21).",
        "Baris 5, kolom TL2: 'abc' bukan bilangan bulat (tulis jumlah seperti 0, 2 atau 21).",
        "Baris 5, kolom TL3: '1e309' bukan bilangan bulat (tulis jumlah seperti 0, 2 atau 21).",
        "Baris 5, kolom TL4: 'NaN' bukan bilangan bulat (tulis jumlah seperti 0, 2 atau 21).",
        "Baris 5, kolom PSW1: '=1+1' bukan bilangan bulat (tulis jumlah seperti 0, 2 atau 21).",
        "Baris 5, kolom PSW2: 'Infinity' bukan bilangan bulat (tulis jumlah seperti 0, 2 atau 21).",
        "Baris 6, kolom TANPA KETERANGAN: 6 hari tanpa keterangan melebihi 5 hari kerja.",
        "Baris 7, kolom TL1: 5 kali terlambat (TL1–TL4) melebihi 4 hari masuk (hari kerja 5 − tanpa keterangan 1).",
        "Baris 8, kolom HARI KERJA: wajib diisi.",
    ]


def test_xlsx_numbers_and_fractions(world, per):
    ok = xlsx([HEADER.split(";"), [world.pegawai.nip, 21.0, 0, 1, 0, 0, 0, 0, 0, 0, 0]])
    assert errors_of(per, ok) == []
    bad = xlsx([HEADER.split(";"), [world.pegawai.nip, 21, 0.5, True, 0, 0, 0, 0, 0, 0, 0]])
    assert errors_of(per, bad) == [
        "Baris 2, kolom TANPA KETERANGAN: '0.5' bukan bilangan bulat.",
        "Baris 2, kolom TL1: 'True' bukan bilangan bulat.",
    ]


def test_missing_columns_are_named(world, per):
    data = csv(f"{world.pegawai.nip};21", header="NIP;HARI KERJA")
    errors = errors_of(per, data)
    assert errors[0] == "Baris 1, kolom TANPA KETERANGAN: kolom wajib TANPA KETERANGAN tidak ada di baris judul."
    assert len(errors) == 9


def test_a_file_for_another_month_is_refused(world, per):
    header = HEADER + ";BULAN"
    lain = 1 if per.bulan != 1 else 2
    data = csv(
        f"{world.pegawai.nip};21;0;0;0;0;0;0;0;0;0;{per.tahun}-{per.bulan:02d}",
        f"{world.pegawai2.nip};21;0;0;0;0;0;0;0;0;0;{per.tahun}-{lain:02d}",
        f"{world.penilai.nip};21;0;0;0;0;0;0;0;0;0;kemarin",
        header=header,
    )
    errors = errors_of(per, data)
    assert len(errors) == 2
    assert errors[0].startswith("Baris 3, kolom BULAN: berkas untuk ") and errors[0].endswith(f"bukan {per.nama}.")
    assert errors[1] == "Baris 4, kolom BULAN: 'kemarin' bukan bulan (tulis 2026-03)."


def test_a_month_not_opened_is_refused(world):
    with pytest.raises(services.PresensiError) as exc:
        services.periode_bulan(2019, 5)
    assert str(exc.value.errors[0]) == "Periode Mei 2019 belum dibuka; presensi hanya diimpor untuk bulan yang dibuka."
    nanti = timezone.localdate().replace(day=1) + datetime.timedelta(days=40)
    periode(nanti.year, nanti.month)
    with pytest.raises(services.PresensiError) as exc:
        services.periode_bulan(nanti.year, nanti.month)
    assert "belum dimulai" in str(exc.value.errors[0])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Berkas kosong."),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "Format .xls lama"),
        (b"PK\x03\x04garbage", "rusak"),
        (b"\x00\x01\x02binary", "bukan CSV atau XLSX"),
    ],
)
def test_unreadable_files(world, per, data, message):
    errors = errors_of(per, data)
    assert len(errors) == 1 and message in errors[0]


def test_crafted_xlsx_is_refused(world, per):
    """A declared sheet of a million rows (a few KB zipped) is refused before openpyxl builds it."""
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>1</v></c></row>' for i in range(1, 120_002))
    sheet = f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>'
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx([["NIP"]])), "r") as src,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            dst.writestr(item, sheet if item.filename == "xl/worksheets/sheet1.xml" else src.read(item.filename))
    errors = errors_of(per, buffer.getvalue())
    assert len(errors) == 1 and "baris" in errors[0]


def test_too_many_rows_for_the_browser(world, per, settings):
    settings.IMPORT_MAX_ROWS_WEB = 2
    from opd import imports

    plan = services.rencana(per, good(world), max_rows=imports.browser_max_rows())
    assert "manage.py impor_presensi" in str(plan.errors[0])


# Applying -------------------------------------------------------------------------------------------


def test_apply_writes_rows_and_one_audit(world, per):
    hasil = services.terapkan(per, good(world), "presensi.csv", by=world.admin_bkd)
    assert Presensi.objects.filter(periode=per).count() == 3
    assert services.presensi_bulan(per)[world.pegawai.pk].hitungan()["TL1"] == 2
    log = AuditLog.objects.get(aksi="presensi_diimpor")
    assert log.perubahan["baris"] == [None, 3] and log.perubahan["baru"] == [None, 3]
    assert hasil.impor.menggantikan is None and not hasil.final


def test_reimport_replaces_the_month_and_counts_the_changes(world, per):
    first = services.terapkan(per, good(world), "a.csv", by=world.admin_bkd).impor
    second_file = csv(
        f"{world.pegawai.nip};21;1;2;0;0;0;0;1;0;0",  # same
        f"{world.pegawai2.nip};21;2;0;0;0;0;0;0;0;0",  # changed
        f"{world.kepala.nip};21;0;0;0;0;0;0;0;0;0",  # new; world.penilai absent: removed
    )
    plan = services.rencana(per, second_file)
    assert plan.counts() == {"baris": 3, "baru": 1, "berubah": 1, "tetap": 1, "dihapus": 1}
    assert plan.berubah[0][1] == {"tanpa_keterangan": (0, 2)}
    hasil = services.terapkan(per, second_file, "b.csv", by=world.admin_bkd)
    assert hasil.impor.menggantikan == first
    rows = services.presensi_bulan(per)
    assert set(rows) == {world.pegawai.pk, world.pegawai2.pk, world.kepala.pk}
    assert rows[world.pegawai2.pk].tanpa_keterangan == 2 and {r.impor_id for r in rows.values()} == {hasil.impor.pk}
    log = AuditLog.objects.filter(aksi="presensi_diimpor").latest("pk")
    assert log.perubahan["berubah"] == [None, 1] and log.perubahan["dihapus"] == [None, 1]
    assert "menggantikan" in log.alasan


def test_the_same_file_twice_changes_nothing(world, per):
    services.terapkan(per, good(world), "a.csv", by=world.admin_bkd)
    with pytest.raises(services.SudahDiterapkan, match="sudah diterapkan"):
        services.terapkan(per, good(world), "a.csv", by=world.admin_bkd)
    assert ImporPresensi.objects.count() == 1 and AuditLog.objects.filter(aksi="presensi_diimpor").count() == 1


def test_a_bad_file_changes_nothing(world, per):
    services.terapkan(per, good(world), "a.csv", by=world.admin_bkd)
    with pytest.raises(services.PresensiError):
        services.terapkan(per, csv(f"{world.pegawai.nip};21;-1;0;0;0;0;0;0;0;0"), "b.csv", by=world.admin_bkd)
    assert Presensi.objects.filter(periode=per).count() == 3 and ImporPresensi.objects.count() == 1


def test_only_the_admin_bkd_applies(world, per):
    with pytest.raises(services.PenilaianError, match="Hanya admin BKD"):
        services.terapkan(per, good(world), "a.csv", by=world.auditor)
    assert not Presensi.objects.exists()


def test_final_month_calls_the_tpp_hook_and_keeps_frozen_rows(world, per, monkeypatch):
    calls = []
    module = types.ModuleType(services.HOOK[0])
    module.catat_perubahan = lambda periode, ids, alasan: calls.append((periode, ids, alasan))
    monkeypatch.setitem(sys.modules, services.HOOK[0], module)
    services.terapkan(per, good(world), "a.csv", by=world.admin_bkd)
    assert calls == []  # not final yet
    final(per, skema(per.tahun, world.admin_bkd), world.admin_bkd)
    changed = csv(f"{world.pegawai.nip};21;1;2;0;0;0;0;1;0;0", f"{world.pegawai2.nip};21;3;0;0;0;0;0;0;0;0",
                  f"{world.penilai.nip};20;0;0;1;0;0;0;0;0;0")  # fmt: skip
    hasil = services.terapkan(per, changed, "b.csv", by=world.admin_bkd)
    assert hasil.final
    assert calls == [(per, [world.pegawai2.pk], calls[0][2])] and "Impor presensi" in calls[0][2]


def test_final_month_without_the_hook_still_imports(world, per, monkeypatch):
    monkeypatch.setitem(sys.modules, services.HOOK[0], types.ModuleType(services.HOOK[0]))
    final(per, skema(per.tahun, world.admin_bkd), world.admin_bkd)
    assert not services.terapkan(per, good(world), "a.csv", by=world.admin_bkd).final
    assert Presensi.objects.count() == 3


def test_rencana_costs_fixed_queries(world, per, django_assert_num_queries):
    few = good(world)
    many = csv(*[f"{make_pegawai(f'P{i}', world.pegawai.jabatan).nip};20;0;0;0;0;0;0;0;0;0" for i in range(40)])
    with django_assert_num_queries(2):
        services.rencana(per, few)
    with django_assert_num_queries(2):
        services.rencana(per, many)


# The command ----------------------------------------------------------------------------------------


def _write(tmp_path, data: bytes, name: str = "presensi.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_command_applies_a_good_file(world, per, tmp_path, capsys):
    call_command("impor_presensi", f"{per.tahun}-{per.bulan:02d}", _write(tmp_path, good(world)),
                 "--oleh", world.admin_bkd.nip)  # fmt: skip
    assert "Diterapkan" in capsys.readouterr().out
    impor = ImporPresensi.objects.get()
    assert impor.diimpor_oleh == world.admin_bkd and impor.berkas.startswith("presensi/")
    assert Presensi.objects.count() == 3


def test_command_dry_run_writes_nothing(world, per, tmp_path, capsys):
    call_command("impor_presensi", f"{per.tahun}-{per.bulan:02d}", _write(tmp_path, good(world)), "--dry-run")
    assert "tidak ada yang disimpan" in capsys.readouterr().out
    assert not Presensi.objects.exists() and not ImporPresensi.objects.exists()


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("unknown", "tidak dikenal"),
        ("twice", "sudah ada di baris"),
        ("negative", "tidak boleh negatif"),
        ("fraction", "bukan bilangan bulat"),
        ("absent", "melebihi"),
        ("hari_kerja", "lebih dari 31"),
        ("other_month", "berkas untuk"),
        ("crafted", "xlsx rusak"),
    ],
)
def test_command_refuses_each_bad_file(world, per, tmp_path, capsys, kind, message):
    nip = world.pegawai.nip
    files = {
        "unknown": csv("199999999999999999;21;0;0;0;0;0;0;0;0;0"),
        "twice": csv(f"{nip};21;0;0;0;0;0;0;0;0;0", f"{nip};21;0;0;0;0;0;0;0;0;0"),
        "negative": csv(f"{nip};21;0;-2;0;0;0;0;0;0;0"),
        "fraction": csv(f"{nip};21;0,5;0;0;0;0;0;0;0;0"),
        "absent": csv(f"{nip};10;11;0;0;0;0;0;0;0;0"),
        "hari_kerja": csv(f"{nip};40;0;0;0;0;0;0;0;0;0"),
        "other_month": csv(f"{nip};21;0;0;0;0;0;0;0;0;0;{per.tahun - 1}-{per.bulan:02d}", header=HEADER + ";PERIODE"),
        "crafted": b"PK\x03\x04" + b"\0" * 200,
    }
    with pytest.raises(CommandError) as exc:
        call_command("impor_presensi", f"{per.tahun}-{per.bulan:02d}", _write(tmp_path, files[kind]))
    assert exc.value.returncode == 1
    assert message in capsys.readouterr().err
    assert not Presensi.objects.exists() and not ImporPresensi.objects.exists()


def test_command_refuses_a_bad_month_and_missing_file(world, per, tmp_path, capsys):
    with pytest.raises(CommandError, match="tidak dikenali"):
        call_command("impor_presensi", "03/2026", _write(tmp_path, good(world)))
    with pytest.raises(CommandError, match="tidak ditemukan"):
        call_command("impor_presensi", "2026-03", str(tmp_path / "../tidak-ada.csv"))
    with pytest.raises(CommandError):
        call_command("impor_presensi", "2019-05", _write(tmp_path, good(world)))
    assert "belum dibuka" in capsys.readouterr().err


# Pages ----------------------------------------------------------------------------------------------


def _upload(client, per, data: bytes, name: str = "presensi.csv"):
    return client.post(
        reverse("penilaian:tpp_presensi_unggah"), {"periode": per.pk, "berkas": SimpleUploadedFile(name, data)}
    )


def test_upload_preview_apply_through_http(client, world, per, django_assert_max_num_queries):
    client.force_login(world.admin_bkd)
    response = _upload(client, per, good(world), "../../rekap maret.csv")
    assert response.status_code == 302
    preview = response["Location"]
    assert not Presensi.objects.exists()
    with django_assert_max_num_queries(12):
        response = client.get(preview)
    assert response.status_code == 200 and 'id="count-baru">3<' in response.text
    assert "rekap_maret.csv" in response.text
    response = client.post(preview + "terapkan/")
    # The apply is a background job (issue #9 §1); the immediate test backend has run it already.
    job = Pekerjaan.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("opd:pekerjaan_detail", args=[job.pk])
    assert job.status == "SELESAI" and Presensi.objects.count() == 3
    page = client.get(response["Location"]).text
    assert "diterapkan: 3 pegawai (3 baru, 0 berubah, 0 tetap, 0 dihapus)" in page and f'href="{preview}"' in page
    impor = ImporPresensi.objects.get()
    assert ".." not in impor.berkas and impor.nama_berkas == "rekap_maret.csv"
    # A second POST of the same preview (double submit): refused cleanly, nothing duplicated.
    response = client.post(preview + "terapkan/", follow=True)
    assert "sudah diterapkan" in response.text and ImporPresensi.objects.count() == 1
    assert Pekerjaan.objects.count() == 1


def test_upload_with_errors_names_them_and_stores_nothing(client, world, per, media_root):
    client.force_login(world.admin_bkd)
    response = _upload(client, per, csv(f"{world.pegawai.nip};21;-1;0;0;0;0;0;0;0;0", "123;x;0;0;0;0;0;0;0;0;0"))
    assert response.status_code == 200
    assert "tidak boleh negatif" in response.text and "tidak dikenal" in response.text
    assert "3 kesalahan" in response.text
    assert not ImporPresensi.objects.exists() and not (media_root / "presensi").exists()


def test_upload_form_errors(client, world, per):
    client.force_login(world.admin_bkd)
    response = client.post(reverse("penilaian:tpp_presensi_unggah"), {"periode": "9999"})
    assert "Bulan ini belum dibuka" in response.text and "Pilih berkas" in response.text


def test_preview_of_an_unknown_file_is_404(client, world, per):
    client.force_login(world.admin_bkd)
    for sha in ("0" * 64, "..%2F..%2Fetc", "abc", "A" * 64):
        url = reverse("penilaian:tpp_presensi_pratinjau", args=[per.tahun, per.bulan, "x"]).replace("/x/", f"/{sha}/")
        assert client.get(url).status_code == 404
        assert client.post(url + "terapkan/").status_code == 404
    assert client.get(reverse("penilaian:tpp_presensi_pratinjau", args=[2019, 1, "0" * 64])).status_code == 404


def test_list_query_count_does_not_grow(client, world, per, django_assert_max_num_queries):
    client.force_login(world.auditor)
    for i in range(30):
        services.terapkan(
            per, csv(f"{world.pegawai.nip};{i % 20 + 1};0;0;0;0;0;0;0;0;0"), f"{i}.csv", by=world.admin_bkd
        )
    with django_assert_max_num_queries(10):
        response = client.get(reverse("penilaian:tpp_presensi_list"))
    assert response.text.count("Digantikan") == 29 and "Impor presensi" not in response.text
