"""Pegawai import (SPEC §8) through the service: every bad file is refused with its row and column and
writes nothing; good files (SIASN style, Windows-1252, re-import, changes) apply as expected."""

from __future__ import annotations

import os

import pytest

from opd import rules
from opd.imports import ImportFailed, ImportPlan, apply_plan, build_plan
from opd.models import AuditLog, Jabatan, Pegawai, UnitKerja
from tests.test_import_support import (
    HEADER,
    KEPALA_NIP,
    NIP_A,
    NIP_B,
    NIP_C,
    PENILAI_NIP,
    csv_bytes,
    db_counts,
    row,
    three_new,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


def assert_rejected(world, data: bytes, *fragments: str) -> list[str]:
    """The file is refused: every fragment appears in one error line, nothing is written."""
    before = db_counts()
    with pytest.raises(ImportFailed) as exc:
        apply_plan(ImportPlan(data=data), by=world.admin_bkd)
    lines = [str(e) for e in exc.value.errors]
    assert any(all(f in line for f in fragments) for line in lines), lines
    assert db_counts() == before
    return lines


# Bad files ------------------------------------------------------------------------------------------


def test_nip_17_digits(world):
    rows = three_new()
    rows[1]["NIP"] = "19950505202121200"
    assert_rejected(world, csv_bytes(rows), "Baris 3, kolom NIP", "harus 18 digit")


def test_nip_with_letters(world):
    rows = three_new()
    rows[0]["NIP"] = "19880101201001100A"
    assert_rejected(world, csv_bytes(rows), "Baris 2, kolom NIP", "hanya boleh berisi angka")


def test_nip_excel_float_as_csv_text(world):
    rows = three_new()
    rows[0]["NIP"] = "1.96502E+17"
    assert_rejected(world, csv_bytes(rows), "Baris 2, kolom NIP", "angka ilmiah Excel")


def test_nip_numeric_xlsx_cell(world):
    rows: list[dict[str, object]] = list(three_new())
    rows[2] = {**rows[2], "NIP": 199107072015032003}
    assert_rejected(world, xlsx_bytes(rows), "Baris 4, kolom NIP", "simpan NIP sebagai teks")


def test_nip_float_xlsx_cell(world):
    rows: list[dict[str, object]] = list(three_new())
    rows[0] = {**rows[0], "NIP": 1.96502e17}
    assert_rejected(world, xlsx_bytes(rows), "Baris 2, kolom NIP", "simpan NIP sebagai teks")


def test_nip_impossible_date(world):
    rows = three_new()
    rows[0]["NIP"] = "196502302007011005"
    assert_rejected(world, csv_bytes(rows), "Baris 2, kolom NIP", "30-02-1965 tidak ada")


def test_nip_gender_digit_3(world):
    rows = three_new()
    rows[0]["NIP"] = "196502222007013005"
    assert_rejected(world, csv_bytes(rows), "Baris 2, kolom NIP", "jenis kelamin (3)")


def test_same_nip_twice(world):
    rows = [*three_new(), row(NIP_A, "Andi Kembar")]
    assert_rejected(world, csv_bytes(rows), "Baris 5, kolom NIP", "baris 2 dan baris 5")


def test_unknown_opd(world):
    rows = three_new()
    rows[1]["OPD"] = "DINAS ANTAH BERANTAH"
    assert_rejected(world, csv_bytes(rows), "Baris 3, kolom OPD", "tidak dikenal")


def test_nip_atasan_nowhere(world):
    rows = three_new()
    rows[0]["NIP ATASAN"] = "198001012005011999"
    assert_rejected(world, csv_bytes(rows), "Baris 2, kolom NIP ATASAN", "198001012005011999", "tidak ada di berkas")


def test_cycle_in_file(world):
    rows = three_new()
    rows[1]["NIP ATASAN"] = NIP_C  # B → C, C → B
    assert_rejected(world, csv_bytes(rows), "Baris 3, kolom NIP ATASAN", f"{NIP_B} → {NIP_C} → {NIP_B}")


def test_cycle_through_stored_pegawai(world):
    # The Kepala (in the file) put under a pegawai who sits below the Kepala in the database.
    rows = [
        row(
            KEPALA_NIP,
            "Sunarto",
            **{
                "JABATAN": "Kepala Dinas Kesehatan, Pengendalian Penduduk dan Keluarga Berencana",
                "JENIS JABATAN": "JPT",
                "ESELON": "II.b",
                "KELAS JABATAN": "14",
                "UNIT KERJA": "Pimpinan Dinas",
                "GOLONGAN": "IV/b",
                "NIP ATASAN": world.pegawai.nip,
            },
        )
    ]
    lines = assert_rejected(world, csv_bytes(rows), "Baris 2, kolom NIP ATASAN", "rantai atasan melingkar")
    assert any(KEPALA_NIP in line and world.pegawai.nip in line and PENILAI_NIP in line for line in lines)


def test_missing_required_column(world):
    header = [h for h in HEADER if h != "JABATAN"]
    lines = assert_rejected(world, csv_bytes(three_new(), header), "Baris 1, kolom JABATAN", "kolom wajib JABATAN")
    assert len(lines) == 1


def test_empty_file(world):
    assert_rejected(world, b"", "Berkas kosong")
    assert_rejected(world, b"  \r\n\r\n", "Berkas kosong")


def test_header_only(world):
    assert_rejected(world, csv_bytes([]), "hanya berisi baris judul")


def test_random_bytes_named_csv(world):
    assert_rejected(world, os.urandom(4096), "bukan CSV atau XLSX")


def test_png_renamed(world):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00" + os.urandom(512)
    assert_rejected(world, png, "bukan CSV atau XLSX")


def test_zip_that_is_not_xlsx(world):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("hello.txt", "bukan lembar kerja")
    assert_rejected(world, buffer.getvalue(), "xlsx rusak")


def test_file_over_the_limit(world, settings):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    data = csv_bytes(three_new()) + b"x" * (1024 * 1024)
    assert_rejected(world, data, "terlalu besar (1 MB); batasnya 1 MB")


def test_file_over_the_default_limit(world):
    data = b"x" * (10 * 1024 * 1024 + 1)
    assert_rejected(world, data, "Berkas terlalu besar (10 MB); batasnya 10 MB.")


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@"])
def test_cell_starting_with_formula_sign(world, prefix):
    rows = three_new()
    rows[2]["NAMA"] = f'{prefix}HYPERLINK("http://evil")'
    assert_rejected(world, csv_bytes(rows), "Baris 4, kolom NAMA", "rumus")


def test_formula_in_xlsx_cell(world):
    rows: list[dict[str, object]] = list(three_new())
    rows[0] = {**rows[0], "EMAIL": "=1+1"}
    assert_rejected(world, xlsx_bytes(rows), "Baris 2, kolom EMAIL", "rumus")


@pytest.mark.parametrize(
    ("column", "value", "error_column", "message"),
    [
        ("GOLONGAN", "III/b", "GOLONGAN", "golongan PNS, tetapi NIP menunjukkan PPPK"),
        ("KELAS JABATAN", "18", "KELAS JABATAN", "1–17"),
        ("KELAS JABATAN", "²", "KELAS JABATAN", "1–17"),  # isdigit() but not int(): was a crash
        ("ESELON", "V.a", "ESELON", "tidak dikenal"),
        ("ESELON", "III.a", "ESELON", "tidak sesuai jenis jabatan Pengawas"),
        ("JENIS JABATAN", "Kepala", "JENIS JABATAN", "tidak dikenal"),
        ("KEDUDUKAN HUKUM", "Cuti panjang", "KEDUDUKAN HUKUM", "tidak dikenal"),
        ("EMAIL", "bukan-email", "EMAIL", "tidak sah"),
        ("NIP ATASAN", NIP_B, "NIP ATASAN", "pegawai itu sendiri"),
        ("NAMA", "", "NAMA", "wajib diisi"),
    ],
)
def test_bad_values(world, column, value, error_column, message):
    rows = three_new()
    rows[1][column] = value
    assert_rejected(world, csv_bytes(rows), f"Baris 3, kolom {error_column}", message)


def test_jabatan_struktural_needs_eselon(world):
    rows = three_new()
    rows[1].update({"JENIS JABATAN": "Jabatan Struktural", "ESELON": ""})
    assert_rejected(world, csv_bytes(rows), "Baris 3, kolom ESELON", "wajib diisi untuk Jabatan Struktural")


def test_every_error_is_listed(world):
    rows = three_new()
    rows[0]["NIP"] = "123"
    rows[1]["OPD"] = "XYZ"
    rows[2]["KELAS JABATAN"] = "99"
    lines = assert_rejected(world, csv_bytes(rows), "Baris 2, kolom NIP")
    assert any(line.startswith("Baris 3, kolom OPD") for line in lines)
    assert any(line.startswith("Baris 4, kolom KELAS JABATAN") for line in lines)


# Good files -----------------------------------------------------------------------------------------


def test_three_new_apply_with_hierarchy(world):
    result = apply_plan(ImportPlan(data=csv_bytes(three_new())), by=world.admin_bkd, sandi_awal_nip=True)
    assert (result.baru, result.berubah, result.sandi_awal) == (3, 0, 3)
    a, b, c = (Pegawai.objects.get(nip=n) for n in (NIP_A, NIP_B, NIP_C))
    assert a.jabatan_id == world.pegawai.jabatan_id  # joins the existing position
    assert a.penilai() == world.penilai and a.gelar_belakang == "S.Kom." and a.email == "andi@example.go.id"
    assert b.jenis_asn == "PPPK" and b.golongan == "IX" and b.jabatan.eselon == "IV.a"
    assert b.penilai() == world.kepala
    assert c.penilai() == b and c.unit.nama == "Subbagian Umum dan Kepegawaian" and c.unit.opd == world.opd
    assert a.check_password(NIP_A)
    assert AuditLog.objects.filter(aksi="pegawai_diimpor").count() == 3
    summary = AuditLog.objects.get(aksi="impor_pegawai_diterapkan")
    assert summary.opd_id is None and summary.perubahan["baru"] == [None, 3]


def test_new_pegawai_without_initial_password_cannot_log_in(world):
    apply_plan(ImportPlan(data=csv_bytes(three_new())), by=world.admin_bkd)
    assert not Pegawai.objects.get(nip=NIP_A).has_usable_password()


def test_siasn_export_semicolon_bom_struktural(world):
    header = [
        "No", "NIP BARU", "NIP LAMA", "NAMA", "GELAR DEPAN", "GELAR BELAKANG", "TEMPAT LAHIR", "GOL AKHIR NAMA",
        "JABATAN NAMA", "JENIS JABATAN NAMA", "ESELON", "KELAS JABATAN", "OPD", "UNOR NAMA", "NIP ATASAN",
        "KEDUDUKAN HUKUM NAMA", "AGAMA",
    ]  # fmt: skip
    rows = [
        {
            "No": "1", "NIP BARU": NIP_A, "NIP LAMA": "010203", "NAMA": "Bagus Hariyanto", "GELAR DEPAN": "Drs.",
            "GOL AKHIR NAMA": "III/d", "JABATAN NAMA": "Kepala Bidang Kesehatan Masyarakat",
            "JENIS JABATAN NAMA": "Jabatan Struktural", "ESELON": "III.b", "KELAS JABATAN": "11",
            "OPD": "Dinas Kesehatan, Pengendalian Penduduk dan Keluarga Berencana", "UNOR NAMA": "Bidang Kesehatan Masyarakat",
            "NIP ATASAN": KEPALA_NIP, "KEDUDUKAN HUKUM NAMA": "Aktif", "AGAMA": "Islam",
        },
        {
            "No": "2", "NIP BARU": NIP_C, "NAMA": "Wulan Sari", "GOL AKHIR NAMA": "Penata Muda (III/a)",
            "JABATAN NAMA": "Epidemiolog Kesehatan Ahli Pertama", "JENIS JABATAN NAMA": "Jabatan Fungsional Tertentu",
            "ESELON": "-", "KELAS JABATAN": "8", "OPD": "DINKESDALDUKKB", "UNOR NAMA": "Bidang Kesehatan Masyarakat",
            "NIP ATASAN": NIP_A, "KEDUDUKAN HUKUM NAMA": "Tugas Belajar",
        },
        {
            "No": "3", "NIP BARU": "199303032019031004", "NAMA": "Rudi Hartono", "GOL AKHIR NAMA": "II/b",
            "JABATAN NAMA": "Pengadministrasi Umum", "JENIS JABATAN NAMA": "Jabatan Fungsional Umum",
            "OPD": "DINKESDALDUKKB", "UNOR NAMA": "Bidang Kesehatan Masyarakat", "NIP ATASAN": NIP_A,
        },
        {
            "No": "4", "NIP BARU": "198404042009012005", "NAMA": "Tutik Wahyuni", "GOL AKHIR NAMA": "III/c",
            "JABATAN NAMA": "Kepala Seksi Promosi Kesehatan", "JENIS JABATAN NAMA": "Jabatan Struktural",
            "ESELON": "IV/a", "OPD": "DINKESDALDUKKB", "UNOR NAMA": "Seksi Promosi Kesehatan", "NIP ATASAN": NIP_A,
        },
    ]  # fmt: skip
    plan = build_plan(csv_bytes(rows, header, delimiter=";", bom=True))
    assert plan.ok, [str(e) for e in plan.errors]
    apply_plan(plan, by=world.admin_bkd)
    kabid = Pegawai.objects.get(nip=NIP_A)
    assert (kabid.jabatan.jenis, kabid.jabatan.eselon, kabid.gelar_depan) == ("ADMINISTRATOR", "III.b", "Drs.")
    assert kabid.jabatan.atasan_id == world.kepala.jabatan_id
    wulan = Pegawai.objects.get(nip=NIP_C)
    assert (wulan.jabatan.jenis, wulan.golongan, wulan.kedudukan_hukum) == ("FUNGSIONAL", "III/a", "TUGAS_BELAJAR")
    assert wulan.jabatan.atasan_id == kabid.jabatan_id
    assert Pegawai.objects.get(nip="199303032019031004").jabatan.jenis == "PELAKSANA"
    kasi = Pegawai.objects.get(nip="198404042009012005")
    assert (kasi.jabatan.jenis, kasi.jabatan.eselon, kasi.kedudukan_hukum) == ("PENGAWAS", "IV.a", "AKTIF")
    assert UnitKerja.objects.filter(opd=world.opd, nama="Seksi Promosi Kesehatan").exists()


def test_windows_1252_csv(world):
    rows = three_new()
    rows[0]["NAMA"] = "René Françoise Müller"  # "Ş" has no cp1252 byte; see the UTF-8 test below
    data = csv_bytes(rows, delimiter=";", encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    apply_plan(ImportPlan(data=data), by=world.admin_bkd)
    assert Pegawai.objects.get(nip=NIP_A).nama == "René Françoise Müller"


def test_utf8_without_bom_keeps_non_latin_names(world):
    rows = three_new()
    rows[0]["NAMA"] = "Şükrü Öztürk"
    apply_plan(ImportPlan(data=csv_bytes(rows)), by=world.admin_bkd)
    assert Pegawai.objects.get(nip=NIP_A).nama == "Şükrü Öztürk"


def test_nip_forced_to_text_with_apostrophe_or_spaces(world):
    rows = three_new()
    rows[0]["NIP"] = "'" + NIP_A
    rows[2]["NIP ATASAN"] = "19950505 2021 2 1 2 002"
    apply_plan(ImportPlan(data=csv_bytes(rows)), by=world.admin_bkd)
    assert Pegawai.objects.get(nip=NIP_C).penilai().nip == NIP_B
    assert Pegawai.objects.filter(nip=NIP_A).exists()


def test_xlsx_applies(world):
    apply_plan(ImportPlan(data=xlsx_bytes(three_new())), by=world.admin_bkd)
    assert Pegawai.objects.filter(nip__in=[NIP_A, NIP_B, NIP_C]).count() == 3


def test_reimport_same_file_is_all_unchanged(world):
    data = xlsx_bytes(three_new())
    apply_plan(ImportPlan(data=data), by=world.admin_bkd)
    before = db_counts()
    plan = build_plan(data)
    assert (len(plan.baru), len(plan.berubah), plan.tetap) == (0, 0, 3)
    result = apply_plan(plan, by=world.admin_bkd)
    assert (result.baru, result.berubah, result.jabatan_baru, result.jabatan_diubah) == (0, 0, 0, 0)
    assert db_counts()[:3] == before[:3]


def test_changed_file_shows_the_diff_and_applies_it(world):
    apply_plan(ImportPlan(data=csv_bytes(three_new())), by=world.admin_bkd)
    rows = three_new()
    rows[0].update({"GOLONGAN": "III/b", "NIP ATASAN": KEPALA_NIP, "EMAIL": "andi.baru@example.go.id"})
    rows[2]["NAMA"] = "Citra Wulandari Putri"
    plan = build_plan(csv_bytes(rows))
    changes = {c.row.nip: c.changes for c in plan.berubah}
    assert set(changes) == {NIP_A, NIP_C} and plan.tetap == 1
    assert changes[NIP_A]["golongan"] == ("III/a", "III/b")
    assert changes[NIP_A]["NIP atasan"] == (PENILAI_NIP, KEPALA_NIP)
    assert changes[NIP_A]["email"] == ("andi@example.go.id", "andi.baru@example.go.id")
    assert changes[NIP_C] == {"nama": ("Citra Wulandari", "Citra Wulandari Putri")}
    apply_plan(plan, by=world.admin_bkd)
    a = Pegawai.objects.get(nip=NIP_A)
    assert a.golongan == "III/b" and a.penilai() == world.kepala
    # Colleagues in the old position keep their supervisor: A got a position of their own.
    world.pegawai.refresh_from_db()
    assert world.pegawai.penilai() == world.penilai and a.jabatan_id != world.pegawai.jabatan_id
    log = AuditLog.objects.get(aksi="pegawai_diubah_impor", object_id=str(a.pk))
    assert (
        log.perubahan["golongan"] == ["III/a", "III/b"] and log.actor == world.admin_bkd and log.opd_id == world.opd.pk
    )


def test_absent_pegawai_listed_not_deleted(world):
    plan = build_plan(csv_bytes(three_new()))
    absent = {d["nip"] for d in plan.tidak_ada}
    assert {world.pegawai.nip, world.penilai.nip, world.kepala.nip} <= absent
    assert world.outsider.nip not in absent  # another OPD, not in the file
    apply_plan(plan, by=world.admin_bkd)
    assert Pegawai.objects.filter(nip__in=absent).count() == len(absent)


def test_cpns_stays_cpns(world):
    world.pegawai.jenis_asn = Pegawai.JenisAsn.CPNS
    world.pegawai.save()
    data = csv_bytes([row(world.pegawai.nip, "Agus Setiawan", GOLONGAN="II/c")])
    plan = build_plan(data)
    assert plan.ok and "jenis ASN" not in (plan.berubah[0].changes if plan.berubah else {})
    apply_plan(plan, by=world.admin_bkd)
    world.pegawai.refresh_from_db()
    assert world.pegawai.jenis_asn == "CPNS"


def test_eselon_spellings(world):
    from opd.imports import parse_eselon

    assert [parse_eselon(v) for v in ("II.a", "II/b", "IIIa", "iv.b", "2a", "3.b", "Eselon IV.a", "I.a", "")] == [
        "II.a", "II.b", "III.a", "IV.b", "II.a", "III.b", "IV.a", None, None,
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("II.a", "II.a"), ("II/b", "II.b"), ("II-b", "II.b"), ("IIIa", "III.a"), ("III a", "III.a"),
        ("iv.b", "IV.b"), ("2a", "II.a"), ("3.b", "III.b"), ("4/a", "IV.a"), ("Eselon IV.a", "IV.a"),
        ("eselon 3b", "III.b"), ("I.a", None), ("V.a", None), ("II.c", None), ("II", None), ("-", None), ("", None),
    ],
)  # fmt: skip
def test_rules_parse_eselon(raw, expected):
    assert rules.parse_eselon(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("III/b", "III/b"), ("iii b", "III/b"), ("IX", "IX"), ("XVII", "XVII"),
        ("Penata Muda Tingkat I (III/b)", "III/b"), ("III/b - Penata Muda Tingkat I", "III/b"),
        ("Pembina Utama (IV/e)", "IV/e"), ("Juru (I / c)", "I/c"),
        ("Penata (III/f)", None), ("Penata", None), ("XVIII", None), ("", None),
    ],
)  # fmt: skip
def test_rules_parse_golongan_accepts_siasn_pangkat(raw, expected):
    assert rules.parse_golongan(raw) == expected


def test_validation_costs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    rows = [row(f"19800101200501{1 + i % 2}{i + 1:03d}", f"Pegawai {i}") for i in range(300)]
    with django_assert_max_num_queries(6):
        plan = build_plan(csv_bytes(rows))
    assert plan.ok and len(plan.baru) == 300


def test_same_position_two_supervisors_get_two_positions(world):
    rows = [
        row(NIP_A, "Andi", **{"NIP ATASAN": PENILAI_NIP}),
        row(NIP_C, "Citra", **{"NIP ATASAN": KEPALA_NIP}),
    ]
    apply_plan(ImportPlan(data=csv_bytes(rows)), by=world.admin_bkd)
    a, c = Pegawai.objects.get(nip=NIP_A), Pegawai.objects.get(nip=NIP_C)
    assert a.penilai() == world.penilai and c.penilai() == world.kepala
    assert a.jabatan.nama == c.jabatan.nama and a.jabatan_id != c.jabatan_id
    assert Jabatan.objects.filter(pk=world.pegawai.jabatan_id, atasan=world.penilai.jabatan).exists()


# Kelas jabatan and eselon are each person's own (SPEC §8) ----------------------------------------------

NIP_D = "199202022016021004"


def test_same_position_different_kelas_imports_and_each_keeps_their_kelas(world):
    # Was: "jabatan ... yang sama tertulis di baris 2 dengan kelas jabatan 6, di sini 7; satu jabatan hanya
    # punya satu nilai" and the whole file refused.
    rows = [row(NIP_A, "Andi"), row(NIP_C, "Citra"), row(NIP_D, "Dodi", **{"KELAS JABATAN": "7"})]
    plan = build_plan(csv_bytes(rows))
    assert plan.ok, [str(e) for e in plan.errors]
    assert [str(w) for w in plan.warnings] == [
        f"Baris 2, kolom KELAS JABATAN: jabatan 'Pengelola Data Pelayanan Kesehatan' di bawah NIP ATASAN "
        f"{PENILAI_NIP} tertulis dengan kelas 6 (baris 2, 3) dan kelas 7 (baris 4). Tiap pegawai memakai kelas "
        "di barisnya sendiri; periksa bila ada salah ketik."
    ]
    assert plan.summary()["peringatan"] == [str(plan.warnings[0])] and plan.counts()["peringatan"] == 1
    apply_plan(plan, by=world.admin_bkd)
    a, c, d = (Pegawai.objects.select_related("jabatan").get(nip=n) for n in (NIP_A, NIP_C, NIP_D))
    assert (a.jabatan.kelas_jabatan, c.jabatan.kelas_jabatan, d.jabatan.kelas_jabatan) == (6, 6, 7)
    # The kelas 6 rows join the stored position (kelas 6) of world.pegawai; kelas 7 gets its own.
    assert a.jabatan_id == c.jabatan_id == world.pegawai.jabatan_id != d.jabatan_id
    assert d.jabatan.nama == a.jabatan.nama and d.jabatan.unit_id == a.jabatan.unit_id
    assert a.penilai() == d.penilai() == world.penilai
    assert Jabatan.objects.get(pk=world.pegawai.jabatan_id).kelas_jabatan == 6  # colleagues untouched


def test_reimport_of_a_file_with_different_kelas_is_all_unchanged(world):
    rows = [row(NIP_A, "Andi"), row(NIP_D, "Dodi", **{"KELAS JABATAN": "7"}), row(NIP_C, "Citra")]
    data = xlsx_bytes(rows)
    apply_plan(ImportPlan(data=data), by=world.admin_bkd)
    before = db_counts()
    plan = build_plan(data)
    assert (len(plan.baru), len(plan.berubah), plan.tetap) == (0, 0, 3), [c.changes for c in plan.berubah]
    assert (plan.jabatan_baru, plan.jabatan_diubah) == (0, 0)
    assert len(plan.warnings) == 1  # still shown: the BKD may not have checked it the first time
    apply_plan(plan, by=world.admin_bkd)
    assert db_counts()[:3] == before[:3]


def test_a_stored_holder_whose_kelas_changes_gets_their_own_position(world):
    # world.pegawai and pegawai2 hold one position (kelas 6). The file gives pegawai kelas 8.
    staf = world.pegawai.jabatan
    rows = [
        row(world.pegawai.nip, world.pegawai.nama, **{"KELAS JABATAN": "8", "GOLONGAN": "II/c"}),
        row(world.pegawai2.nip, world.pegawai2.nama, **{"GOLONGAN": world.pegawai2.golongan}),
    ]
    plan = build_plan(csv_bytes(rows))
    assert plan.ok and len(plan.warnings) == 1
    changes = {c.row.nip: c.changes for c in plan.berubah}
    assert changes[world.pegawai.nip]["kelas jabatan"] == (6, 8)
    apply_plan(plan, by=world.admin_bkd)
    world.pegawai.refresh_from_db()
    world.pegawai2.refresh_from_db()
    assert world.pegawai2.jabatan_id == staf.pk and Jabatan.objects.get(pk=staf.pk).kelas_jabatan == 6
    assert world.pegawai.jabatan_id != staf.pk and world.pegawai.jabatan.kelas_jabatan == 8
    assert world.pegawai.penilai() == world.penilai
    again = build_plan(csv_bytes(rows))
    assert (len(again.berubah), again.tetap, again.jabatan_baru, again.jabatan_diubah) == (0, 2, 0, 0)


def test_every_holder_with_a_new_kelas_changes_the_position_itself(world):
    staf = world.pegawai.jabatan
    rows = [
        row(world.pegawai.nip, world.pegawai.nama, **{"KELAS JABATAN": "7", "GOLONGAN": "II/c"}),
        row(world.pegawai2.nip, world.pegawai2.nama, **{"KELAS JABATAN": "7", "GOLONGAN": world.pegawai2.golongan}),
    ]
    plan = build_plan(csv_bytes(rows))
    assert plan.ok and not plan.warnings and (plan.jabatan_baru, plan.jabatan_diubah) == (0, 1)
    apply_plan(plan, by=world.admin_bkd)
    staf.refresh_from_db()
    assert staf.kelas_jabatan == 7
    assert set(Pegawai.objects.filter(jabatan=staf).values_list("nip", flat=True)) == {
        world.pegawai.nip,
        world.pegawai2.nip,
    }


def test_two_kepala_seksi_with_different_eselon_under_one_kepala_import(world):
    seksi = {
        "JABATAN": "Kepala Seksi Pelayanan",
        "JENIS JABATAN": "Jabatan Struktural",
        "KELAS JABATAN": "9",
        "UNIT KERJA": "Seksi Pelayanan",
        "NIP ATASAN": KEPALA_NIP,
    }
    rows = [row(NIP_A, "Andi", **seksi, ESELON="IV.a"), row(NIP_C, "Citra", **seksi, ESELON="IV.b")]
    plan = build_plan(csv_bytes(rows))
    assert plan.ok, [str(e) for e in plan.errors]
    assert [w.kolom for w in plan.warnings] == ["ESELON"] and "eselon IV.a (baris 2) dan eselon IV.b (baris 3)" in str(
        plan.warnings[0]
    )
    apply_plan(plan, by=world.admin_bkd)
    a, c = Pegawai.objects.get(nip=NIP_A), Pegawai.objects.get(nip=NIP_C)
    assert (a.jabatan.eselon, c.jabatan.eselon) == ("IV.a", "IV.b")
    assert a.jabatan.jenis == c.jabatan.jenis == "PENGAWAS" and a.penilai() == c.penilai() == world.kepala


def test_same_position_different_jenis_is_still_an_error(world):
    rows = [row(NIP_A, "Andi"), row(NIP_C, "Citra", **{"JENIS JABATAN": "Fungsional"})]
    assert_rejected(world, csv_bytes(rows), "Baris 3, kolom JENIS JABATAN", "baris 2", "satu jenis")


# Every error in one pass -----------------------------------------------------------------------------


def test_row_error_and_stored_cycle_are_reported_together(world):
    # Was: the row error alone; fixing it revealed the cycle only on the second upload.
    rows = [
        row("123", "NIP salah"),
        row(
            KEPALA_NIP,
            "Sunarto",
            **{
                "JABATAN": "Kepala Dinas Kesehatan, Pengendalian Penduduk dan Keluarga Berencana",
                "JENIS JABATAN": "JPT",
                "ESELON": "II.b",
                "KELAS JABATAN": "14",
                "UNIT KERJA": "Pimpinan Dinas",
                "GOLONGAN": "IV/b",
                "NIP ATASAN": world.pegawai.nip,
            },
        ),
    ]
    lines = assert_rejected(world, csv_bytes(rows), "Baris 2, kolom NIP", "harus 18 digit")
    assert any(line.startswith("Baris 3, kolom NIP ATASAN: rantai atasan melingkar") for line in lines), lines
    assert lines == sorted(lines, key=lambda line: int(line.split(",")[0].removeprefix("Baris ")))


def test_row_error_unknown_atasan_and_file_cycle_are_reported_together(world):
    rows = [*three_new(), row(NIP_D, "Dodi", **{"NIP ATASAN": "198001012005011999"})]
    rows[0]["EMAIL"] = "bukan-email"
    rows[1]["NIP ATASAN"] = NIP_C  # B → C → B
    lines = assert_rejected(world, csv_bytes(rows), "Baris 2, kolom EMAIL", "tidak sah")
    assert any("Baris 3, kolom NIP ATASAN" in line and "melingkar" in line for line in lines), lines
    assert any("Baris 5, kolom NIP ATASAN" in line and "tidak ada di berkas" in line for line in lines), lines


def test_rows_under_an_invalid_row_are_not_planned_but_do_not_crash(world):
    rows = three_new()
    rows[1]["GOLONGAN"] = "III/b"  # B (PPPK) invalid; C is under B
    lines = assert_rejected(world, csv_bytes(rows), "Baris 3, kolom GOLONGAN")
    assert len(lines) == 1
