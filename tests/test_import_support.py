"""Helpers for the pegawai import tests (SPEC §8): build CSV/XLSX files from rows."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from opd.models import AuditLog, Jabatan, Pegawai, UnitKerja

HEADER = [
    "NIP", "NAMA", "GELAR DEPAN", "GELAR BELAKANG", "GOLONGAN", "JABATAN", "JENIS JABATAN", "ESELON",
    "KELAS JABATAN", "OPD", "UNIT KERJA", "NIP ATASAN", "KEDUDUKAN HUKUM", "EMAIL",
]  # fmt: skip

PENILAI_NIP = "197805232005012012"  # world.penilai
KEPALA_NIP = "197003151998031005"  # world.kepala
NIP_A = "198801012010011001"
NIP_B = "199505052021212002"  # PPPK
NIP_C = "199107072015032003"


def row(nip: str, nama: str, **cells: str) -> dict[str, str]:
    base = {
        "NIP": nip,
        "NAMA": nama,
        "GOLONGAN": "III/a",
        "JABATAN": "Pengelola Data Pelayanan Kesehatan",
        "JENIS JABATAN": "Pelaksana",
        "KELAS JABATAN": "6",
        "OPD": "DINKESDALDUKKB",
        "UNIT KERJA": "Bidang Pelayanan Kesehatan",
        "NIP ATASAN": PENILAI_NIP,
        "KEDUDUKAN HUKUM": "Aktif",
    }
    base.update(cells)
    return base


def three_new() -> list[dict[str, str]]:
    """Three valid new pegawai in the world's Dinas Kesehatan: one under the world's penilai, a new
    Kasubbag under the Kepala, and a pelaksana under that new Kasubbag."""
    return [
        row(NIP_A, "Andi Pratama", **{"GELAR BELAKANG": "S.Kom.", "EMAIL": "andi@example.go.id"}),
        row(
            NIP_B,
            "Siti Aminah",
            **{
                "GOLONGAN": "IX",
                "JABATAN": "Kepala Subbagian Umum dan Kepegawaian",
                "JENIS JABATAN": "Pengawas",
                "ESELON": "IV.a",
                "KELAS JABATAN": "9",
                "UNIT KERJA": "Subbagian Umum dan Kepegawaian",
                "NIP ATASAN": KEPALA_NIP,
            },
        ),
        row(
            NIP_C,
            "Citra Wulandari",
            **{
                "GOLONGAN": "II/c",
                "JABATAN": "Pengadministrasi Perkantoran",
                "UNIT KERJA": "Subbagian Umum dan Kepegawaian",
                "NIP ATASAN": NIP_B,
            },
        ),
    ]


def csv_bytes(
    rows: list[dict[str, str]],
    header: list[str] | None = None,
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    bom: bool = False,
) -> bytes:
    header = header or HEADER
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for r in rows:
        writer.writerow([r.get(h, "") for h in header])
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows: list[dict[str, object]], header: list[str] | None = None) -> bytes:
    header = header or HEADER
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append([r.get(h, "") for h in header])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def db_counts() -> tuple[int, int, int, int]:
    return Pegawai.objects.count(), Jabatan.objects.count(), UnitKerja.objects.count(), AuditLog.objects.count()
