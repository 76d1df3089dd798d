"""Reading an uploaded file (SPEC §8): the size limit, telling CSV from XLSX by content, CSV
delimiter and encoding sniffing, XLSX through openpyxl, matching the header row (SIASN aliases
included), and the downloadable template. Nothing here touches the database.

`ImportIssue` lives here because it is the vocabulary of every later stage: a problem at a
spreadsheet row and column.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls
NOT_A_TABLE = "Berkas bukan CSV atau XLSX yang dapat dibaca. Simpan data dari Excel sebagai .xlsx atau CSV."
BROKEN_XLSX = "Berkas .xlsx rusak atau bukan lembar kerja Excel."


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is fit for the user."""


@dataclass(frozen=True)
class ImportIssue:
    baris: int | None  # the spreadsheet row (header = 1); None for the file as a whole
    kolom: str
    pesan: str

    def __str__(self) -> str:
        if self.baris is None:
            return self.pesan
        if self.kolom:
            return f"Baris {self.baris}, kolom {self.kolom}: {self.pesan}"
        return f"Baris {self.baris}: {self.pesan}"


# Columns ------------------------------------------------------------------------------------------

# canonical name → accepted header names (SIASN aliases included), SPEC §8.
COLUMNS: dict[str, tuple[str, ...]] = {
    "NIP": ("NIP", "NIP BARU"),
    "NAMA": ("NAMA",),
    "GELAR DEPAN": ("GELAR DEPAN",),
    "GELAR BELAKANG": ("GELAR BELAKANG",),
    "GOLONGAN": ("GOLONGAN", "GOL AKHIR NAMA"),
    "JABATAN": ("JABATAN", "JABATAN NAMA"),
    "JENIS JABATAN": ("JENIS JABATAN", "JENIS JABATAN NAMA"),
    "ESELON": ("ESELON",),
    "KELAS JABATAN": ("KELAS JABATAN",),
    "OPD": ("OPD",),
    "UNIT KERJA": ("UNIT KERJA", "UNOR NAMA"),
    "NIP ATASAN": ("NIP ATASAN",),
    "KEDUDUKAN HUKUM": ("KEDUDUKAN HUKUM", "KEDUDUKAN HUKUM NAMA"),
    "EMAIL": ("EMAIL",),
}
REQUIRED = ("NIP", "NAMA", "JABATAN", "JENIS JABATAN", "OPD")
TEMPLATE_HEADER = list(COLUMNS)
_COLUMN_ORDER = {name: i for i, name in enumerate(COLUMNS)}


def _header_key(value: object) -> str:
    return re.sub(r"[\s_]+", "", str(value or "")).upper()


_ALIAS: dict[str, str] = {_header_key(alias): name for name, aliases in COLUMNS.items() for alias in aliases}


def match_columns(header: list[object]) -> tuple[dict[str, int], list[ImportIssue]]:
    """Canonical column name → index in the row, and an issue per missing required column.
    The canonical name wins over a SIASN alias; the first of two equal headers wins."""
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        key = _header_key(name)
        canonical = _ALIAS.get(key)
        if not canonical:
            continue
        if canonical not in columns or (
            key == _header_key(canonical) and _header_key(header[columns[canonical]]) != key
        ):
            columns[canonical] = index
    issues = []
    for name in REQUIRED:
        if name not in columns:
            aliases = [a for a in COLUMNS[name] if a != name]
            also = f" (atau {', '.join(aliases)})" if aliases else ""
            issues.append(ImportIssue(1, name, f"kolom wajib {name}{also} tidak ada di baris judul."))
    return columns, issues


def issue_order(issue: ImportIssue) -> tuple[int, int]:
    """Sort key: by row, then in the order of the template's columns."""
    return (issue.baris or 0, _COLUMN_ORDER.get(issue.kolom, 99))


# Reading ------------------------------------------------------------------------------------------


def max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", 10 * 1024 * 1024))


def _mb(size: int) -> str:
    """10485760 → "10 MB", 11010048 → "10,5 MB" (Indonesian decimal comma)."""
    text = f"{size / 1048576:.1f}".replace(".", ",").removesuffix(",0")
    return f"{text} MB"


def size_error(size: int) -> str | None:
    limit = max_bytes()
    if size > limit:
        return f"Berkas terlalu besar ({_mb(size)}); batasnya {_mb(limit)}."
    return None


def read_table(data: bytes) -> tuple[list[object], list[tuple[int, list[object]]]]:
    """(header, [(spreadsheet row number, cells)]) with fully blank rows left out.
    The format is told by content, never by the file name."""
    message = size_error(len(data))
    if message:
        raise ImportFileError(message)
    if not data.strip():
        raise ImportFileError("Berkas kosong.")
    if data.startswith(ZIP_MAGIC):
        table = _read_xlsx(data)
    elif data.startswith(OLE_MAGIC):
        raise ImportFileError("Format .xls lama tidak didukung; simpan sebagai .xlsx atau CSV.")
    else:
        table = _read_csv(data)
    header_index = next((i for i, r in enumerate(table) if any(cell_text(c) for c in r)), None)
    if header_index is None:
        raise ImportFileError("Berkas kosong.")
    header = table[header_index]
    rows = [(i + 1, r) for i, r in enumerate(table) if i > header_index and any(cell_text(c) for c in r)]
    if not rows:
        raise ImportFileError("Berkas hanya berisi baris judul; tidak ada data pegawai.")
    return header, rows


def cell_text(value: object) -> str:
    """A cell as the text a user typed: 8.0 from Excel is "8", dates are ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value).strip()


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise ImportFileError(NOT_A_TABLE) from None
    # A binary file renamed to .csv decodes as cp1252 garbage full of control characters.
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\r\n" for ch in text[:65536]):
        raise ImportFileError(NOT_A_TABLE)
    return text


def _read_csv(data: bytes) -> list[list[object]]:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _read_xlsx(data: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    try:
        # data_only=False: a formula comes back as its text ("=..."), which validation refuses.
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds (BadZipFile, KeyError, InvalidFileException …)
        raise ImportFileError(BROKEN_XLSX) from None
    try:
        ws = wb.worksheets[0]
        return [list(r) for r in ws.iter_rows(values_only=True)]
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError):
        raise ImportFileError(BROKEN_XLSX) from None
    finally:
        wb.close()


def template_csv() -> str:
    """The downloadable CSV template: the header and one example row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADER)
    writer.writerow(
        [
            "196502222007011005", "Budi Santoso", "", "S.Kom.", "III/b", "Pranata Komputer Ahli Pertama",
            "Fungsional", "", "8", "BKD", "Bidang Pengembangan Pegawai", "197805232005012012", "Aktif",
            "budi.santoso@example.go.id",
        ]
    )  # fmt: skip
    return "\ufeff" + buffer.getvalue()
