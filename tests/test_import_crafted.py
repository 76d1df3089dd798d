"""Crafted files against the table reader (ekinerja/tabel.py, SPEC §8): refused within seconds,
with an Indonesian message, in bounded memory. The files are built here, zip member by member.

Memory is measured as the peak RSS (`resource.getrusage(RUSAGE_SELF).ru_maxrss`) of a fresh
subprocess that reads the file, minus its RSS before reading. RSS and not tracemalloc: the XML is
parsed by expat and decompressed by zlib in C, whose buffers tracemalloc does not see; and a
subprocess so that the peak is this file's, not the test session's.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from ekinerja import tabel
from opd.imports import build_plan
from opd.models import ImporPegawai
from tests.test_import_support import HEADER, csv_bytes, row, three_new

ROOT = Path(__file__).resolve().parent.parent
SECONDS = 10  # generous: the machine is shared; each case takes well under 2 s alone
MEGABYTES = 100  # peak RSS growth while reading

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def data_rows_xml(rows: list[dict[str, str]]) -> str:
    """The header and the rows as <row> elements with inline strings."""
    lines = [HEADER, *[[r.get(h, "") for h in HEADER] for r in rows]]
    return "".join(
        f'<row r="{i}">' + "".join(_cell(f"{_letters(j)}{i}", v) for j, v in enumerate(cells, start=1) if v) + "</row>"
        for i, cells in enumerate(lines, start=1)
    )


def xlsx(sheet_data: bytes | str, *, dimension: str = "", shared: bytes | None = None) -> bytes:
    """A workbook built by hand: one sheet whose <sheetData> is `sheet_data`."""
    if isinstance(sheet_data, str):
        sheet_data = sheet_data.encode()
    dim = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
    sheet = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="' + MAIN.encode() + b'">'
    sheet += dim + b"<sheetData>" + sheet_data + b"</sheetData></worksheet>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        z.writestr("xl/sharedStrings.xml", shared if shared is not None else f'<sst xmlns="{MAIN}"/>')
    return buffer.getvalue()


def read_in_subprocess(data: bytes, tmp_path: Path, **settings: int) -> dict:
    """Read `data` with ekinerja.tabel in a fresh interpreter: the outcome, seconds and RSS growth."""
    path = tmp_path / "berkas.bin"
    path.write_bytes(data)
    script = f"""
import json, resource, sys, time
sys.path.insert(0, {str(ROOT)!r})
from django.conf import settings
settings.configure(**{settings!r})
from ekinerja import tabel
data = open({str(path)!r}, "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
try:
    header, rows = tabel.read_table(data)
    outcome = {{"rows": len(rows)}}
except tabel.TableError as exc:
    outcome = {{"error": str(exc)}}
outcome["seconds"] = time.perf_counter() - started
outcome["mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
print(json.dumps(outcome))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def assert_refused(outcome: dict, *fragments: str) -> None:
    assert "error" in outcome, outcome
    assert all(f in outcome["error"] for f in fragments), outcome["error"]
    assert outcome["seconds"] < SECONDS, outcome
    assert outcome["mb"] < MEGABYTES, outcome


# Crafted .xlsx ------------------------------------------------------------------------------------


def test_huge_declared_dimension_with_a_far_cell_is_refused(tmp_path):
    # 1 KB: a header, a cell at XFD1048576 and a dimension claiming 17 billion cells. openpyxl's
    # read-only reader pads every row to the declared width and fills every missing row up to the
    # declared height: the old code built 1,048,576 lists of 16,384 cells.
    sheet = data_rows_xml([]) + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    data = xlsx(sheet, dimension="A1:XFD1048576")
    assert len(data) < 2048
    assert_refused(read_in_subprocess(data, tmp_path), "lebih dari 100.000 baris")


def test_huge_declared_dimension_alone_reads_the_real_rows(tmp_path):
    data = xlsx(data_rows_xml(three_new()), dimension="A1:XFD1048576")
    outcome = read_in_subprocess(data, tmp_path)
    assert outcome.get("rows") == 3, outcome
    assert outcome["seconds"] < SECONDS and outcome["mb"] < MEGABYTES, outcome


def test_shared_strings_bomb_is_refused_by_its_compression_ratio(tmp_path):
    # ~60 KB that expands to 3.5 million shared strings (60 MB), which openpyxl would load whole.
    count = 3_500_000
    shared = f'<sst xmlns="{MAIN}" count="{count}" uniqueCount="{count}">'.encode()
    shared += b"<si><t>a</t></si>" * count + b"</sst>"
    data = xlsx(data_rows_xml(three_new()), shared=shared)
    assert len(data) < 200_000
    assert_refused(read_in_subprocess(data, tmp_path), "Berkas .xlsx ditolak", "sharedStrings.xml dimampatkan")


def test_shared_strings_over_the_size_cap_are_refused_by_the_declared_size():
    info = zipfile.ZipInfo("xl/sharedStrings.xml")
    info.file_size, info.compress_size = tabel.MAX_SHARED_STRINGS_XML + 1, tabel.MAX_SHARED_STRINGS_XML
    archive = _FakeArchive([info])
    with pytest.raises(tabel.TableError, match=r"sharedStrings\.xml 64 MB"):
        tabel.inspect_xlsx(archive, tabel.Limits.from_settings())


def test_too_many_shared_strings_within_the_ratio_are_refused(tmp_path):
    # Varied strings (ratio under the bomb threshold) but more than 10 per allowed row.
    settings_kwargs = {"IMPORT_MAX_ROWS": 1000}
    shared = f'<sst xmlns="{MAIN}">'.encode()
    shared += b"".join(f"<si><t>{i * 7919 % 1000003:x}</t></si>".encode() for i in range(20_000)) + b"</sst>"
    data = xlsx(data_rows_xml(three_new()), shared=shared)
    assert_refused(read_in_subprocess(data, tmp_path, **settings_kwargs), "lebih dari 10.000 teks")


def test_millions_of_rows_are_refused_by_the_compression_ratio(tmp_path):
    rows = b'<row><c t="inlineStr"><is><t>1</t></is></c></row>' * 2_000_000
    data = xlsx(rows)
    assert len(data) < 500_000
    assert_refused(read_in_subprocess(data, tmp_path), "dimampatkan")


def test_rows_past_the_cap_are_refused_while_scanning(tmp_path):
    # Varied rows (no bomb ratio): refused by the row count of the scan, before openpyxl runs.
    body = "".join(
        f'<row r="{i}">{_cell(f"A{i}", f"{i * 7919:x}")}{_cell(f"B{i}", str(i))}</row>' for i in range(2, 3002)
    )
    data = xlsx(data_rows_xml([]) + body)
    outcome = read_in_subprocess(data, tmp_path, IMPORT_MAX_ROWS=1000)
    assert_refused(outcome, "Berkas berisi 3.000 baris data; batasnya 1.000 baris")


def test_a_row_with_too_many_cells_is_refused(tmp_path):
    wide = '<row r="2">' + "".join(f'<c r="{_letters(j)}2"><v>{j}</v></c>' for j in range(1, 5001)) + "</row>"
    data = xlsx(data_rows_xml([]) + wide)
    assert_refused(read_in_subprocess(data, tmp_path), "lebih dari 200 kolom")


def test_rows_hidden_behind_a_namespace_prefix_are_counted(tmp_path):
    body = "".join(f'<x:row r="{i}"><x:c r="A{i}"><x:v>{i}</x:v></x:c></x:row>' for i in range(2, 1503))
    data = xlsx(data_rows_xml([]) + body).replace(
        b'<worksheet xmlns="', b'<worksheet xmlns:x="' + MAIN.encode() + b'" xmlns="'
    )
    outcome = read_in_subprocess(data, tmp_path, IMPORT_MAX_ROWS=100)
    assert_refused(outcome, "Berkas berisi 1.501 baris data; batasnya 100 baris")


def test_xml_entity_expansion_is_refused():
    # "Billion laughs": defusedxml (installed, used by openpyxl) refuses the DTD.
    lol = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        f'<sst xmlns="{MAIN}"><si><t>&lol2;</t></si></sst>'
    )
    with pytest.raises(tabel.TableError, match="rusak"):
        tabel.read_table(xlsx(data_rows_xml(three_new()), shared=lol.encode()))


class _FakeArchive:
    def __init__(self, members: list[zipfile.ZipInfo]) -> None:
        self.members = members

    def infolist(self) -> list[zipfile.ZipInfo]:
        return self.members


# CSV and the row cap ------------------------------------------------------------------------------


def test_csv_with_more_rows_than_the_cap_is_refused_while_streaming(tmp_path):
    data = csv_bytes([]) + b"1;2\r\n" * 150_000
    assert_refused(read_in_subprocess(data, tmp_path), "lebih dari 100.000 baris data; batasnya 100.000 baris")


def test_csv_with_a_giant_field_is_refused_not_a_crash():
    data = csv_bytes(three_new()) + b'"' + b"x" * 200_000 + b'"\r\n'
    with pytest.raises(tabel.TableError, match="bukan CSV atau XLSX"):
        tabel.read_table(data)


def test_the_cap_itself_is_allowed(settings):
    settings.IMPORT_MAX_ROWS = 3
    _, rows = tabel.read_table(csv_bytes(three_new()))
    assert len(rows) == 3
    settings.IMPORT_MAX_ROWS = 2
    with pytest.raises(tabel.TooManyRows, match=r"Berkas berisi 3 baris data; batasnya 2 baris\."):
        tabel.read_table(csv_bytes(three_new()))


def test_xlsx_row_count_is_told_from_the_scan(settings):
    settings.IMPORT_MAX_ROWS = 2
    start = time.perf_counter()
    with pytest.raises(tabel.TooManyRows, match=r"Berkas berisi 3 baris data; batasnya 2 baris\."):
        tabel.read_table(xlsx(data_rows_xml(three_new())))
    assert time.perf_counter() - start < SECONDS


# The browser's lower limit ------------------------------------------------------------------------


@pytest.mark.django_db
def test_browser_upload_over_the_browser_limit_names_the_command(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORT_MAX_ROWS_WEB = 2
    client.force_login(world.admin_bkd)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("opd:impor_unggah"), {"berkas": SimpleUploadedFile("besar.csv", csv_bytes(three_new()))}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Berkas berisi 3 baris data; batas impor lewat peramban 2 baris." in html
    assert "manage.py impor_pegawai" in html and not ImporPegawai.objects.exists()


@pytest.mark.django_db
def test_the_command_is_held_only_by_import_max_rows(world, settings):
    settings.IMPORT_MAX_ROWS_WEB = 2
    assert build_plan(csv_bytes(three_new())).ok
    plan = build_plan(csv_bytes([*three_new(), row("199202022016021004", "Dodi")]), max_rows=2)
    assert str(plan.errors[0]).startswith("Berkas berisi 4 baris data; batas impor lewat peramban 2")


@pytest.mark.django_db
def test_browser_upload_of_a_wide_xlsx_over_the_cell_budget_is_refused(client, world, settings, tmp_path):
    # Reading time grows with the cells: 10,000 rows × 200 columns took 45 s to read, past
    # gunicorn's 30 s. The browser takes CELLS_PER_ROW_WEB cells per allowed row.
    from django.core.files.uploadedfile import SimpleUploadedFile

    from opd.imports.rencana import CELLS_PER_ROW_WEB
    from tests.test_import_support import xlsx_bytes

    settings.MEDIA_ROOT = tmp_path
    settings.IMPORT_MAX_ROWS_WEB = 4
    header = [*HEADER, *(f"KOLOM LAIN {i}" for i in range(30))]
    wide = [{**r, **{f"KOLOM LAIN {i}": "x" for i in range(30)}} for r in three_new()]
    client.force_login(world.admin_bkd)
    upload = SimpleUploadedFile("lebar.xlsx", xlsx_bytes(wide, header))
    html = client.post(reverse("opd:impor_unggah"), {"berkas": upload}).content.decode()
    assert f"batasnya {4 * CELLS_PER_ROW_WEB} sel" in html and "Hapus kolom yang tidak dipakai" in html, html
    assert "Lembar kerja berisi" in html
    assert not ImporPegawai.objects.exists()
    # The same file through the command (no cell budget) reads.
    assert build_plan(xlsx_bytes(wide, header)).ok
