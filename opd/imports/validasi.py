"""Validating the rows of a file (SPEC §8): every cell of every row is checked and every problem
is reported with its row and column, never just the first. Per row: formula cells (CSV
injection), NIP, lengths and required cells, OPD, jenis jabatan (SIASN names included) against
eselon, kelas jabatan, golongan against the NIP's PNS/PPPK, kedudukan hukum, e-mail, NIP ATASAN.
Across rows: duplicate NIPs, NIP ATASAN that exists nowhere, supervisor chains that loop.

Lookups go to a `Snapshot`, so the cost in queries does not grow with the number of rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from opd import rules
from opd.imports.berkas import ImportIssue, cell_text, issue_order
from opd.imports.tersimpan import Snapshot
from opd.models import JenisJabatan, Opd, Pegawai

# SPEC §8: the accepted spellings of JENIS JABATAN, SIASN's included. "STRUKTURAL" is resolved by
# the eselon below.
_JENIS_JABATAN: dict[str, str] = {
    "JPT": JenisJabatan.JPT,
    "JPT PRATAMA": JenisJabatan.JPT,
    "JPT MADYA": JenisJabatan.JPT,
    "JABATAN PIMPINAN TINGGI": JenisJabatan.JPT,
    "JABATAN PIMPINAN TINGGI PRATAMA": JenisJabatan.JPT,
    "ADMINISTRATOR": JenisJabatan.ADMINISTRATOR,
    "JABATAN ADMINISTRATOR": JenisJabatan.ADMINISTRATOR,
    "PENGAWAS": JenisJabatan.PENGAWAS,
    "JABATAN PENGAWAS": JenisJabatan.PENGAWAS,
    "PELAKSANA": JenisJabatan.PELAKSANA,
    "JABATAN PELAKSANA": JenisJabatan.PELAKSANA,
    "FUNGSIONAL UMUM": JenisJabatan.PELAKSANA,
    "JABATAN FUNGSIONAL UMUM": JenisJabatan.PELAKSANA,
    "JFU": JenisJabatan.PELAKSANA,
    "FUNGSIONAL": JenisJabatan.FUNGSIONAL,
    "JABATAN FUNGSIONAL": JenisJabatan.FUNGSIONAL,
    "FUNGSIONAL TERTENTU": JenisJabatan.FUNGSIONAL,
    "JABATAN FUNGSIONAL TERTENTU": JenisJabatan.FUNGSIONAL,
    "JFT": JenisJabatan.FUNGSIONAL,
    "STRUKTURAL": "STRUKTURAL",
    "JABATAN STRUKTURAL": "STRUKTURAL",
}
# Eselon → the jenis jabatan it belongs to (PermenPANRB 41/2018 equalisation: II JPT, III
# Administrator, IV Pengawas).
_ESELON_JENIS = {"II": JenisJabatan.JPT, "III": JenisJabatan.ADMINISTRATOR, "IV": JenisJabatan.PENGAWAS}
_MAX_LENGTH = (("NAMA", 150), ("GELAR DEPAN", 50), ("GELAR BELAKANG", 80), ("JABATAN", 255))
_SCIENTIFIC = re.compile(r"\d+(?:[.,]\d+)?[eE][+-]?\d+")


def _letters(text: str) -> str:
    return re.sub(r"[^A-Z]", "", text.upper())


def _kedudukan_table() -> dict[str, str]:
    """Letters-only spelling → KedudukanHukum value: the values, the labels and SIASN's words."""
    table: dict[str, str] = {}
    for value, label in Pegawai.KedudukanHukum.choices:
        table[_letters(value)] = value
        table[_letters(label)] = value
    table.update(
        {
            "CUTIDILUARTANGGUNGANNEGARA": Pegawai.KedudukanHukum.CLTN,
            "WAFAT": Pegawai.KedudukanHukum.MENINGGAL,
            "MENINGGAL": Pegawai.KedudukanHukum.MENINGGAL,
            "PEMBERHENTIAN": Pegawai.KedudukanHukum.DIBERHENTIKAN,
        }
    )
    return table


_KEDUDUKAN = _kedudukan_table()


@dataclass
class RowData:
    """One valid row, its values normalised."""

    baris: int
    nip: str
    jenis_asn: str
    nama: str
    gelar_depan: str
    gelar_belakang: str
    golongan: str
    jabatan: str
    jenis_jabatan: str
    eselon: str
    kelas: int | None
    opd: Opd
    unit: str
    atasan_nip: str
    kedudukan: str  # "" = not given
    email: str


class _RowIssues:
    """Collects the issues of one row into the file's list."""

    def __init__(self, baris: int, errors: list[ImportIssue]) -> None:
        self.baris = baris
        self.errors = errors
        self.start = len(errors)

    def add(self, kolom: str, pesan: str) -> None:
        self.errors.append(ImportIssue(self.baris, kolom, pesan))

    def has(self, kolom: str) -> bool:
        return any(i.kolom == kolom for i in self.errors[self.start :])

    def any(self) -> bool:
        return len(self.errors) > self.start


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _texts(raw: dict[str, object], e: _RowIssues) -> dict[str, str]:
    """Cell texts; a formula cell is refused and treated as empty."""
    values: dict[str, str] = {}
    for name, value in raw.items():
        text = cell_text(value)
        if text == "-":  # SIASN writes "-" for "none": a placeholder, not a formula
            text = ""
        elif isinstance(value, str) and (rules.looks_like_formula(value) or rules.looks_like_formula(text)):
            # OWASP CSV injection: = + - @ (and a leading tab/CR) make spreadsheet programs run the cell.
            first = (text or value.strip("\t\r "))[:1] or "tab"
            e.add(name, f"isi sel diawali '{first}' (rumus spreadsheet) ditolak demi keamanan.")
            text = ""
        values[name] = text
    return values


def _nip(raw: object, text: str, e: _RowIssues) -> tuple[str, str]:
    """(NIP, "PNS" or "PPPK"), or ("", "") when invalid."""
    if _is_number(raw):
        e.add("NIP", f"NIP {cell_text(raw)} tersimpan sebagai angka; simpan NIP sebagai teks.")
    elif not e.has("NIP"):
        try:
            # A leading apostrophe is how Excel users force a cell to text.
            info = rules.parse_nip(text.removeprefix("'"))
        except rules.NipError as exc:
            e.add("NIP", str(exc))
        else:
            return info.nip, info.jenis
    return "", ""


def _jenis_and_eselon(values: dict[str, str], e: _RowIssues) -> tuple[str, str]:
    """(JenisJabatan value, eselon); SIASN's "Jabatan Struktural" takes its jenis from the eselon."""
    eselon = ""
    if values.get("ESELON"):
        eselon = rules.parse_eselon(values["ESELON"]) or ""
        if not eselon:
            e.add("ESELON", f"eselon '{values['ESELON']}' tidak dikenal; isi II.a, II.b, III.a, III.b, IV.a atau IV.b.")
    jenis = ""
    jenis_text = " ".join(values["JENIS JABATAN"].upper().split())
    if jenis_text:
        jenis = _JENIS_JABATAN.get(jenis_text, "")
        if not jenis:
            e.add(
                "JENIS JABATAN",
                f"'{values['JENIS JABATAN']}' tidak dikenal; isi JPT, Administrator, Pengawas, Pelaksana atau "
                "Fungsional (atau nama SIASN: Jabatan Struktural, Jabatan Fungsional Tertentu/Umum).",
            )
    elif not e.has("JENIS JABATAN"):
        e.add("JENIS JABATAN", "wajib diisi.")
    if jenis == "STRUKTURAL":
        if eselon:
            jenis = _ESELON_JENIS[eselon.split(".")[0]]
        else:
            jenis = ""
            if not values.get("ESELON"):
                e.add("ESELON", "wajib diisi untuk Jabatan Struktural (II → JPT, III → Administrator, IV → Pengawas).")
    elif jenis and eselon:
        expected = _ESELON_JENIS[eselon.split(".")[0]]
        if jenis != expected:
            label = JenisJabatan(jenis).label
            e.add(
                "ESELON",
                f"eselon {eselon} tidak sesuai jenis jabatan {label} (eselon itu untuk {JenisJabatan(expected).label}).",
            )
    return jenis, eselon


def _kelas(text: str, e: _RowIssues) -> int | None:
    if not text:
        return None
    # isascii: "²".isdigit() is True but int("²") raises.
    if text.isascii() and text.isdigit() and 1 <= int(text) <= 17:
        return int(text)
    e.add("KELAS JABATAN", f"kelas jabatan '{text}' harus bilangan bulat 1–17.")
    return None


def _golongan(text: str, jenis_asn: str, e: _RowIssues) -> str:
    if not text:
        return ""
    golongan = rules.parse_golongan(text) or ""
    if not golongan:
        e.add("GOLONGAN", f"golongan '{text}' tidak dikenal; isi misalnya III/b (PNS) atau IX (PPPK).")
    elif jenis_asn == "PNS" and golongan not in rules.GOLONGAN_PNS:
        e.add("GOLONGAN", f"golongan {golongan} adalah golongan PPPK, tetapi NIP menunjukkan PNS (isi misalnya III/b).")
    elif jenis_asn == "PPPK" and golongan not in rules.GOLONGAN_PPPK:
        e.add(
            "GOLONGAN",
            f"golongan {golongan} adalah golongan PNS, tetapi NIP menunjukkan PPPK (isi angka romawi I–XVII).",
        )
    return golongan


def _kedudukan(text: str, e: _RowIssues) -> str:
    if not text:
        return ""
    kedudukan = _KEDUDUKAN.get(_letters(text), "")
    if not kedudukan:
        labels = ", ".join(label for _, label in Pegawai.KedudukanHukum.choices)
        e.add("KEDUDUKAN HUKUM", f"'{text}' tidak dikenal; isi salah satu: {labels}.")
    return kedudukan


def _email(text: str, e: _RowIssues) -> str:
    if text:
        try:
            validate_email(text)
        except ValidationError:
            e.add("EMAIL", f"alamat email '{text}' tidak sah.")
    return text


def _atasan_nip(raw: object, text: str, nip: str, e: _RowIssues) -> str:
    """The supervisor's NIP as written. Not parsed as a NIP: a NON_ASN supervisor (the Bupati) has
    a short id; whether it exists is checked across rows."""
    if _is_number(raw):
        e.add("NIP ATASAN", f"NIP {cell_text(raw)} tersimpan sebagai angka; simpan NIP sebagai teks.")
        return ""
    atasan_nip = text.removeprefix("'").replace(" ", "")
    if atasan_nip and _SCIENTIFIC.fullmatch(atasan_nip):
        e.add("NIP ATASAN", f"NIP '{atasan_nip}' berformat angka ilmiah Excel; simpan NIP sebagai teks.")
        return ""
    if atasan_nip and nip and atasan_nip == nip:
        e.add("NIP ATASAN", "NIP ATASAN tidak boleh NIP pegawai itu sendiri.")
        return ""
    return atasan_nip


class RowValidator:
    """Validates one row at a time against the snapshot; `columns` maps a column to its index."""

    def __init__(self, snap: Snapshot, columns: dict[str, int]) -> None:
        self.snap = snap
        self.columns = columns

    def __call__(self, baris: int, cells: list[object], errors: list[ImportIssue]) -> RowData | None:
        """The row's data, or None after appending its issues to `errors`."""
        e = _RowIssues(baris, errors)
        raw = {name: cells[index] if index < len(cells) else None for name, index in self.columns.items()}
        values = _texts(raw, e)
        nip, jenis_asn = _nip(raw["NIP"], values["NIP"], e)
        for name, limit in _MAX_LENGTH:
            if name in values and len(values[name]) > limit:
                e.add(name, f"terlalu panjang ({len(values[name])} karakter, paling banyak {limit}).")
        for name in ("NAMA", "JABATAN"):
            if not values[name] and not e.has(name):
                e.add(name, "wajib diisi.")
        opd = self._opd(values["OPD"], e)
        jenis, eselon = _jenis_and_eselon(values, e)
        kelas = _kelas(values.get("KELAS JABATAN", ""), e)
        golongan = _golongan(values.get("GOLONGAN", ""), jenis_asn, e)
        kedudukan = _kedudukan(values.get("KEDUDUKAN HUKUM", ""), e)
        email = _email(values.get("EMAIL", ""), e)
        if len(values.get("UNIT KERJA", "")) > 200:
            e.add("UNIT KERJA", "terlalu panjang (paling banyak 200 karakter).")
        atasan_nip = _atasan_nip(raw.get("NIP ATASAN"), values.get("NIP ATASAN", ""), nip, e)
        if e.any():
            return None
        assert opd is not None
        stored = self.snap.pegawai.get(nip)
        if stored is not None and stored["jenis_asn"] == Pegawai.JenisAsn.CPNS and jenis_asn == "PNS":
            jenis_asn = Pegawai.JenisAsn.CPNS  # a CPNS cannot be told from the NIP: keep it
        return RowData(
            baris=baris,
            nip=nip,
            jenis_asn=jenis_asn,
            nama=values["NAMA"],
            gelar_depan=values.get("GELAR DEPAN", ""),
            gelar_belakang=values.get("GELAR BELAKANG", ""),
            golongan=golongan,
            jabatan=values["JABATAN"],
            jenis_jabatan=jenis,
            eselon=eselon,
            kelas=kelas,
            opd=opd,
            unit=" ".join(values.get("UNIT KERJA", "").split()),
            atasan_nip=atasan_nip,
            kedudukan=kedudukan,
            email=email,
        )

    def _opd(self, text: str, e: _RowIssues) -> Opd | None:
        if text:
            opd = self.snap.find_opd(text)
            if opd is None:
                e.add("OPD", f"OPD '{text}' tidak dikenal; isi kode atau nama OPD yang terdaftar.")
            return opd
        if not e.has("OPD"):
            e.add("OPD", "wajib diisi.")
        return None


def validate_rows(
    table: list[tuple[int, list[object]]], columns: dict[str, int], snap: Snapshot
) -> tuple[list[RowData], list[ImportIssue]]:
    """The valid rows and every issue of the file, sorted by row and column."""
    errors: list[ImportIssue] = []
    validate = RowValidator(snap, columns)
    rows: list[RowData] = []
    first_row_of: dict[str, int] = {}  # NIP → its first row, invalid rows included
    for baris, cells in table:
        row = validate(baris, cells, errors)
        key = row.nip if row else cell_text(cells[columns["NIP"]] if columns["NIP"] < len(cells) else None)
        key = key.replace(" ", "")
        if key:
            if key in first_row_of:
                errors.append(
                    ImportIssue(
                        baris, "NIP", f"NIP {key} muncul dua kali: baris {first_row_of[key]} dan baris {baris}."
                    )
                )
                continue
            first_row_of[key] = baris
        if row is not None:
            rows.append(row)
    _check_atasan_exists(rows, first_row_of, snap, errors)
    _check_file_cycles(rows, errors)
    errors.sort(key=issue_order)
    return rows, errors


def _check_atasan_exists(
    rows: list[RowData], in_file: dict[str, int], snap: Snapshot, errors: list[ImportIssue]
) -> None:
    """A NIP ATASAN must be in the file or a stored pegawai who holds a position."""
    for r in rows:
        if not r.atasan_nip or r.atasan_nip in in_file:
            continue
        stored = snap.pegawai.get(r.atasan_nip)
        if stored is None:
            pesan = f"NIP ATASAN {r.atasan_nip} tidak ada di berkas maupun di data pegawai."
        elif stored["jabatan_id"] is None:
            pesan = f"pegawai atasan {r.atasan_nip} belum memiliki jabatan."
        else:
            continue
        errors.append(ImportIssue(r.baris, "NIP ATASAN", pesan))


def _check_file_cycles(rows: list[RowData], errors: list[ImportIssue]) -> None:
    """A supervisor chain inside the file that comes back to itself (A → B → A)."""
    parent = {r.nip: r.atasan_nip for r in rows if r.atasan_nip}
    baris = {r.nip: r.baris for r in rows}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in parent:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in parent and state.get(node) is None:
            state[node] = 1
            path.append(node)
            node = parent[node]
        if node is not None and state.get(node) == 1:
            cycle = path[path.index(node) :]
            text = " → ".join([*cycle, cycle[0]])
            first = min(cycle, key=lambda n: baris[n])
            errors.append(ImportIssue(baris[first], "NIP ATASAN", f"rantai atasan melingkar: {text}."))
        for n in path:
            state[n] = 2
