"""The pegawai file (SPEC §8): matching the header row (SIASN aliases included) and the
downloadable template. Reading the bytes (CSV or XLSX, with the size, row and column limits) is
`ekinerja.tabel`, re-exported here. Nothing here touches the database.

`ImportIssue` lives here because it is the vocabulary of every later stage: a problem at a
spreadsheet row and column.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from ekinerja.tabel import Limits, TableError, TooManyCells, TooManyRows, cell_text, read_table, size_error

# The file as a whole cannot be read; the message is fit for the user.
ImportFileError = TableError


__all__ = [
    "COLUMNS",
    "REQUIRED",
    "TEMPLATE_HEADER",
    "ImportFileError",
    "ImportIssue",
    "TooManyCells",
    "TooManyRows",
    "cell_text",
    "issue_order",
    "match_columns",
    "max_bytes",
    "read_table",
    "size_error",
    "template_csv",
]


def max_bytes() -> int:
    return Limits.from_settings().max_bytes


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


# Reading: ekinerja.tabel (shared with the attendance import) ------------------------------------------


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
