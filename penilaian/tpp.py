"""The data of a month's TPP basis as the pages and the Excel export read it (SPEC §7): plain
dataclasses, built by `penilaian.services.tpp_bulan` either from the frozen rows of a final month
(`TppBaris`) or computed for an open month, and written by `penilaian.ekspor_tpp`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property


@dataclass(frozen=True)
class BarisTpp:
    """One pegawai's row: the SPEC §7 export columns and what explains them."""

    pegawai_id: int
    nip: str
    nama: str
    golongan: str
    jabatan: str
    kelas_jabatan: int | None
    besaran: int
    predikat: str  # the label ("Baik"), "" when there is none
    persen_kinerja: Decimal
    kinerja: int
    potongan_disiplin: Decimal  # percent of the disiplin component taken (0–100)
    disiplin: int
    hukdis: int
    jumlah: int
    keterangan: str = ""  # why an amount is 0 or reduced, in Indonesian (user text may be inside)
    # Not final yet, and whose turn it is: e.g. "Belum dinilai (giliran penilai: Teguh Prasetyo)".
    catatan_belum_final: tuple[str, ...] = ()


@dataclass(frozen=True)
class PenyesuaianBaris:
    """A change to a final month's figure, shown in this (open) month: old → new and why."""

    pegawai_id: int
    nip: str
    nama: str
    periode_asal: str  # "Oktober 2026"
    lama: int
    baru: int
    alasan: str

    @property
    def selisih(self) -> int:
        return self.baru - self.lama


@dataclass(frozen=True)
class OpdTpp:
    kode: str
    nama: str
    baris: tuple[BarisTpp, ...]
    penyesuaian: tuple[PenyesuaianBaris, ...] = ()

    @cached_property
    def jumlah(self) -> int:
        # Computed once: pages ask for it per OPD and again for the regency total.
        return sum(b.jumlah for b in self.baris)


@dataclass(frozen=True)
class DataTppBulan:
    """A month's TPP for the export: every OPD (or one), final or provisional ("SEMENTARA")."""

    tahun: int
    bulan: int
    nama_periode: str  # "November 2026"
    final: bool
    difinalkan_pada: datetime.datetime | None
    skema: str  # "Skema TPP 2026 mulai Januari"
    opd: tuple[OpdTpp, ...] = field(default_factory=tuple)

    @property
    def jumlah(self) -> int:
        return sum(o.jumlah for o in self.opd)
