"""Helpers for the .xlsx files the app writes (the TPP export, lists to download): text from user
data that can never become a formula, and valid, unique sheet names. Model-free, used by any app."""

from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# A cell whose text starts with one of these is read as a formula by Excel or LibreOffice, or when
# the sheet is saved as CSV and opened again (OWASP "CSV injection"); full-width forms included,
# since some spreadsheet programs normalise them.
PEMICU_RUMUS = frozenset("=+-@＝＋－＠")
PEMICU_AWAL = frozenset("\t\r\n")
PENJAGA = "'"  # OWASP's guard: a leading apostrophe, kept as visible text
MAKS_TEKS_SEL = 32_767  # Excel's limit per cell

MAKS_NAMA_SHEET = 31
_TERLARANG_SHEET = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))
_NAMA_SHEET_DICADANGKAN = frozenset({"history"})  # Excel refuses a sheet named "History"


def teks_aman(value: str) -> str:
    """`value` as cell text that is never a formula: characters XML cannot carry are dropped and
    text starting with =, +, -, @ (also after leading spaces), a tab or a line break gets a
    leading apostrophe, which stays in the cell as text (the OWASP recommendation; the reader sees
    it, so nobody mistakes the cell for a computed value). Too long text is cut to Excel's limit."""
    if not value:
        return ""
    if value.isprintable() and value[0] not in PEMICU_RUMUS and value[0] != " " and len(value) <= MAKS_TEKS_SEL:
        return value  # the usual case, decided without a regular expression
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value[:1] in PEMICU_AWAL or value.lstrip()[:1] in PEMICU_RUMUS:
        value = PENJAGA + value
    return value[:MAKS_TEKS_SEL]


def nama_sheet(dasar: str, dipakai: set[str]) -> str:
    """A sheet name Excel accepts, made from `dasar` (an OPD code): no []:*?/\\, no apostrophe at
    either end, at most 31 characters, not empty, and not in `dipakai` (compared without case, as
    Excel does); the name is added to `dipakai`. A clash gets "~2", "~3", … inside the 31."""
    nama = ILLEGAL_CHARACTERS_RE.sub("", dasar).translate(_TERLARANG_SHEET).strip().strip("'").strip()
    nama = nama[:MAKS_NAMA_SHEET].rstrip("'") or "Lembar"
    calon, nomor = nama, 1
    while calon.lower() in dipakai or calon.lower() in _NAMA_SHEET_DICADANGKAN:
        nomor += 1
        akhiran = f"~{nomor}"
        calon = nama[: MAKS_NAMA_SHEET - len(akhiran)].rstrip("'") + akhiran
    dipakai.add(calon.lower())
    return calon
