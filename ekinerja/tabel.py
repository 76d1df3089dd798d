"""Reading an uploaded table (CSV or XLSX) into a header and its rows, within limits that hold
against crafted files. Model-free: the pegawai import (SPEC §8) uses it, and so will the
attendance import.

Limits (settings, from the environment): `IMPORT_MAX_BYTES` for the file, `IMPORT_MAX_ROWS` data
rows, `IMPORT_MAX_COLUMNS` columns. An .xlsx is a zip of XML files; before openpyxl sees it, every
member's declared uncompressed size and compression ratio is checked (Python's zipfile never
returns more than the declared size, so the declaration is a real bound), and the XML is scanned
as a byte stream for the number of rows, cells per row and shared strings. That matters because
openpyxl, even in read-only mode, loads sharedStrings.xml whole and builds each <row> element
whole before handing it over. Rows are then streamed (`iter_rows(values_only=True)`) and reading
stops at the caps. openpyxl parses with defusedxml when it is installed (requirements.txt), which
refuses XML entity expansion.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls
NOT_A_TABLE = "Berkas bukan CSV atau XLSX yang dapat dibaca. Simpan data dari Excel sebagai .xlsx atau CSV."
BROKEN_XLSX = "Berkas .xlsx rusak atau bukan lembar kerja Excel."
CRAFTED_XLSX = (
    "Berkas .xlsx ditolak: isinya setelah dibuka jauh lebih besar daripada data pegawai yang wajar ({detail}). "
    "Simpan ulang lembar kerja dari Excel tanpa baris atau kolom kosong yang berlebihan, atau gunakan CSV."
)

# Zip members of an .xlsx. A real export compresses its XML 3–20 times (measured: a 100,000-row
# SIASN-style sheet, 90 MB of XML in a 6.3 MB file); a zip bomb compresses hundreds of times.
MAX_MEMBERS = 1000
MAX_RATIO = 100  # uncompressed / compressed, checked for members above RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
MAX_SHEET_XML = 256 * 1024 * 1024  # a worksheet, streamed
MAX_SHARED_STRINGS_XML = 64 * 1024 * 1024  # loaded whole by openpyxl
MAX_OTHER_XML = 4 * 1024 * 1024  # workbook, styles, rels… loaded whole by openpyxl
SHARED_STRINGS_PER_ROW = 10  # unique strings a real row brings at most (16 SIASN columns, many shared)
BLANK_ROWS_ALLOWED = 10_000  # blank rows between data rows before the sheet counts as crafted
_CHUNK = 1024 * 1024

# A start tag, with or without a namespace prefix (openpyxl resolves prefixes, so a crafted file
# could use one to hide its rows from a naive scan).
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_SI_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")


class TableError(Exception):
    """The file as a whole cannot be read; the message is fit for the user."""


class TooManyRows(TableError):
    """More data rows than allowed. `rows` is the count when known (None: "more than the cap")."""

    def __init__(self, rows: int | None, limit: int) -> None:
        self.rows = rows
        self.limit = limit
        counted = f"{angka(rows)} baris data" if rows is not None else "lebih dari " + f"{angka(limit)} baris data"
        super().__init__(f"Berkas berisi {counted}; batasnya {angka(limit)} baris.")


class TooManyCells(TableError):
    """More cells (rows × columns, as written in the sheet) than the caller allows."""

    def __init__(self, cells: int, limit: int) -> None:
        self.cells = cells
        self.limit = limit
        super().__init__(f"Lembar kerja berisi {angka(cells)} sel; batasnya {angka(limit)} sel.")


class TooManyColumns(TableError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"Berkas berisi lebih dari {angka(limit)} kolom; batasnya {angka(limit)} kolom.")


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_rows: int  # data rows accepted
    max_columns: int
    hard_rows: int  # IMPORT_MAX_ROWS: where reading stops even to count
    max_cells: int | None = None  # cells written in an .xlsx sheet (reading time grows with them)

    @classmethod
    def from_settings(cls, max_rows: int | None = None, max_cells: int | None = None) -> Limits:
        hard = int(getattr(settings, "IMPORT_MAX_ROWS", 100_000))
        return cls(
            max_cells=max_cells,
            max_bytes=int(getattr(settings, "IMPORT_MAX_BYTES", 10 * 1024 * 1024)),
            max_rows=min(max_rows, hard) if max_rows is not None else hard,
            max_columns=int(getattr(settings, "IMPORT_MAX_COLUMNS", 200)),
            hard_rows=hard,
        )


def angka(n: int) -> str:
    """12345 → "12.345" (Indonesian thousands separator)."""
    return f"{n:,}".replace(",", ".")


def _mb(size: int) -> str:
    """10485760 → "10 MB", 11010048 → "10,5 MB" (Indonesian decimal comma)."""
    text = f"{size / 1048576:.1f}".replace(".", ",").removesuffix(",0")
    return f"{text} MB"


def size_error(size: int, limit: int | None = None) -> str | None:
    limit = Limits.from_settings().max_bytes if limit is None else limit
    if size > limit:
        return f"Berkas terlalu besar ({_mb(size)}); batasnya {_mb(limit)}."
    return None


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


def read_table(
    data: bytes, *, max_rows: int | None = None, max_cells: int | None = None
) -> tuple[list[object], list[tuple[int, list[object]]]]:
    """(header, [(spreadsheet row number, cells)]) with fully blank rows left out; the header is
    the first non-blank row. `max_rows` lowers IMPORT_MAX_ROWS and `max_cells` bounds the cells of
    an .xlsx sheet (the browser's limits: reading time grows with the cells).
    The format is told by content, never by the file name. Raises TableError."""
    limits = Limits.from_settings(max_rows, max_cells)
    message = size_error(len(data), limits.max_bytes)
    if message:
        raise TableError(message)
    if not data.strip():
        raise TableError("Berkas kosong.")
    if data.startswith(ZIP_MAGIC):
        lines = _xlsx_rows(data, limits)
    elif data.startswith(OLE_MAGIC):
        raise TableError("Format .xls lama tidak didukung; simpan sebagai .xlsx atau CSV.")
    else:
        lines = _csv_rows(data, limits)
    return _collect(lines, limits)


def _collect(
    lines: Iterator[tuple[int, tuple | list]], limits: Limits
) -> tuple[list[object], list[tuple[int, list[object]]]]:
    header: list[object] | None = None
    width = 0
    rows: list[tuple[int, list[object]]] = []
    counted = 0  # data rows, including those past the limit (counted, not kept)
    for number, cells in lines:
        if header is None:
            if number > BLANK_ROWS_ALLOWED:
                break
            if any(cell_text(c) for c in cells):
                if len(cells) > limits.max_columns and any(cell_text(c) for c in cells[limits.max_columns :]):
                    raise TooManyColumns(limits.max_columns)
                width = max((i + 1 for i, c in enumerate(cells) if cell_text(c)), default=0)
                header = list(cells[:width])
            continue
        if number > limits.hard_rows + BLANK_ROWS_ALLOWED + 1 or counted > limits.hard_rows:
            raise TooManyRows(None, limits.max_rows)
        if not any(cell_text(c) for c in cells[:width]):
            continue
        counted += 1
        if counted <= limits.max_rows:
            rows.append((number, list(cells[:width])))
    if header is None:
        raise TableError("Berkas kosong.")
    if counted > limits.max_rows:
        raise TooManyRows(counted, limits.max_rows)
    if not rows:
        raise TableError("Berkas hanya berisi baris judul; tidak ada data pegawai.")
    return header, rows


# CSV ----------------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise TableError(NOT_A_TABLE) from None
    # A binary file renamed to .csv decodes as cp1252 garbage full of control characters.
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\r\n" for ch in text[:65536]):
        raise TableError(NOT_A_TABLE)
    return text


def _csv_rows(data: bytes, limits: Limits) -> Iterator[tuple[int, list[object]]]:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, cells in enumerate(reader, start=1):
            # Cells past the column cap are kept only to tell the header is too wide.
            yield number, cells[: limits.max_columns + 1]
    except csv.Error:  # a field longer than csv.field_size_limit, a NUL byte …
        raise TableError(NOT_A_TABLE) from None


# XLSX ---------------------------------------------------------------------------------------------


@dataclass
class _Scan:
    rows: int = 0  # <row> elements in the largest worksheet
    max_cells: int = 0  # cells in the widest row
    cells: int = 0  # cells in the largest worksheet
    shared_strings: int = 0


def _kind(name: str) -> str:
    lower = name.lower()
    if lower.endswith("sharedstrings.xml"):
        return "shared"
    if not lower.endswith((".xml", ".rels")):
        return "binary"  # images, printer settings: openpyxl's read-only mode does not parse them
    return "sheet" if "worksheets/" in lower else "xml"


def inspect_xlsx(archive: zipfile.ZipFile, limits: Limits) -> _Scan:
    """Refuse a crafted .xlsx from its zip directory and a byte scan of its XML, before any XML
    parser builds objects from it. Raises TableError."""
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise TableError(CRAFTED_XLSX.format(detail=f"{angka(len(members))} bagian"))
    caps = {"shared": MAX_SHARED_STRINGS_XML, "sheet": MAX_SHEET_XML, "xml": MAX_OTHER_XML}
    for info in members:
        kind = _kind(info.filename)
        if kind in caps and info.file_size > caps[kind]:
            raise TableError(CRAFTED_XLSX.format(detail=f"{info.filename} {_mb(info.file_size)}"))
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise TableError(CRAFTED_XLSX.format(detail=f"{info.filename} dimampatkan {angka(ratio)} kali"))
    scan = _Scan()
    max_strings = max(limits.hard_rows, 1000) * SHARED_STRINGS_PER_ROW
    for info in members:
        kind = _kind(info.filename)
        if kind == "binary":
            continue
        rows, widest, cells, strings = _scan_member(archive, info, limits, max_strings - scan.shared_strings)
        scan.rows = max(scan.rows, rows)
        scan.max_cells = max(scan.max_cells, widest)
        scan.cells = max(scan.cells, cells)
        scan.shared_strings += strings
    return scan


def _scan_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, max_strings: int
) -> tuple[int, int, int, int]:
    """(rows, cells in the widest row, cells, shared strings) of one XML member, read in 1 MB
    chunks. Stops as soon as a cap is passed."""
    rows = cells = widest = strings = total = 0
    carry = b""
    row_cap = limits.hard_rows + BLANK_ROWS_ALLOWED + 1
    with archive.open(info) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            buffer = carry + chunk
            if chunk:
                # Keep the last, possibly incomplete, tag for the next round.
                cut = buffer.rfind(b"<")
                if cut <= 0:
                    carry = buffer
                    continue
                buffer, carry = buffer[:cut], buffer[cut:]
            pieces = _ROW_TAG.split(buffer)
            found = len(_CELL_TAG.findall(pieces[0]))
            cells += found
            total += found
            for piece in pieces[1:]:
                widest = max(widest, cells)
                rows += 1
                cells = len(_CELL_TAG.findall(piece))
                total += cells
            widest = max(widest, cells)
            strings += len(_SI_TAG.findall(buffer))
            if widest > limits.max_columns:
                raise TooManyColumns(limits.max_columns)
            if rows > row_cap:
                raise TooManyRows(None, limits.max_rows)
            if strings > max_strings:
                raise TableError(CRAFTED_XLSX.format(detail=f"lebih dari {angka(max_strings)} teks"))
            if not chunk:
                return rows, widest, total, strings


def _xlsx_rows(data: bytes, limits: Limits) -> Iterator[tuple[int, tuple]]:
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise TableError(BROKEN_XLSX) from None
    try:
        scan = inspect_xlsx(archive, limits)
    except (zipfile.BadZipFile, NotImplementedError, EOFError, ValueError):
        raise TableError(BROKEN_XLSX) from None
    total = max(scan.rows - 1, 0)  # minus the header (blank rows with a style count too)
    if total > limits.max_rows:
        raise TooManyRows(total, limits.max_rows)
    if limits.max_cells is not None and scan.cells > limits.max_cells:
        raise TooManyCells(scan.cells, limits.max_cells)
    try:
        # data_only=False: a formula comes back as its text ("=..."), which validation refuses.
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds (BadZipFile, KeyError, InvalidFileException …)
        raise TableError(BROKEN_XLSX) from None
    return _sheet_rows(wb, limits)


def _sheet_rows(wb: object, limits: Limits) -> Iterator[tuple[int, tuple]]:
    try:
        ws = wb.worksheets[0]  # type: ignore[attr-defined]
        # The declared <dimension> may claim A1:XFD1048576; ignore it and read what is there.
        ws.reset_dimensions()
        # The header at most one column past the cap (to tell a too-wide one), then the data rows
        # only as wide as the header: openpyxl pads every row to max_col.
        width = 0
        header_row = 0
        for number, cells in enumerate(ws.iter_rows(max_col=limits.max_columns + 1, values_only=True), start=1):
            yield number, cells
            if number > BLANK_ROWS_ALLOWED:
                return
            if any(cell_text(c) for c in cells):
                width = max(i + 1 for i, c in enumerate(cells) if cell_text(c))
                header_row = number
                break
        if not header_row or width > limits.max_columns:
            return
        rows = ws.iter_rows(min_row=header_row + 1, max_col=width, values_only=True)
        yield from enumerate(rows, start=header_row + 1)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, EOFError):
        raise TableError(BROKEN_XLSX) from None
    except Exception as exc:  # defusedxml's refusals (EntitiesForbidden, DTDForbidden …)
        if type(exc).__module__.startswith("defusedxml"):
            raise TableError(BROKEN_XLSX) from None
        raise
    finally:
        wb.close()  # type: ignore[attr-defined]
