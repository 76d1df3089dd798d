"""What the SKP service modules share: the exception, the input dataclasses, status groups,
dates in Indonesian, snapshots, the current-penilai check and the copy of RHK/perilaku rows
(used by copy_skp and by start_revision).

Package-internal: the rest of the code imports from `skp.services`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.module_loading import import_string

from opd.models import Pegawai
from opd.services import resolve_penilai
from skp import rules
from skp.models import IndikatorKinerja, IntervensiRhk, PerilakuKerja, RencanaHasilKerja, Skp


class SkpError(Exception):
    """A rule of the SKP workflow is broken; the message is shown to the user as-is."""


class KonflikVersi(SkpError):
    """The SKP changed since the form was loaded (another tab or window)."""

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or "SKP ini telah diubah di tab/jendela lain sejak halaman ini dibuka. Muat ulang halaman, "
            "lalu ulangi perubahan Anda."
        )


@dataclass(frozen=True)
class IkiData:
    uraian: str
    aspek: str = ""
    target_min: Decimal | None = None
    target_max: Decimal | None = None
    satuan: str = ""
    target_kualitatif: str = ""


@dataclass(frozen=True)
class LinkData:
    rhk_atasan_id: int
    jenis_cascading: str


S = Skp.Status
EDITABLE = (S.DRAFT, S.DIKEMBALIKAN)
OPEN = (S.DRAFT, S.DIAJUKAN, S.DIKEMBALIKAN)

# Dates and snapshots ---------------------------------------------------------------------------

_BULAN = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def tanggal(day: datetime.date) -> str:
    """31 Januari 2026."""
    return f"{day.day} {_BULAN[day.month - 1]} {day.year}"


def periode_text(mulai: datetime.date, selesai: datetime.date) -> str:
    return f"{tanggal(mulai)} – {tanggal(selesai)}"


def snapshot_of(pegawai: Pegawai | None) -> dict:
    """Plain strings (JSON) describing the pegawai as of now (SPEC §2: history is never rewritten)."""
    if pegawai is None:
        return {}
    jabatan = pegawai.jabatan
    return {
        "id": str(pegawai.pk),
        "nama": pegawai.nama_lengkap,
        "nip": pegawai.nip,
        "golongan": pegawai.golongan or "",
        "pangkat": pegawai.pangkat or "",
        "golongan_pangkat": pegawai.golongan_pangkat if pegawai.golongan else "",
        "jabatan": jabatan.nama if jabatan else "",
        "jenis_jabatan": jabatan.get_jenis_display() if jabatan else "",
        "unit": pegawai.unit.nama if pegawai.unit_id else "",
        "opd": pegawai.opd.nama if pegawai.opd_id else "",
    }


# Hooks: apps above `skp` (penilaian) react to SKP events without `skp` importing them ---------


def run_hooks(event: str, **kwargs) -> None:
    """Call every `settings.SKP_HOOKS[event]` callable inside the caller's transaction (a hook
    that fails rolls the SKP change back). Events: "revisi_disetujui" (previous=, current=) and
    "skp_ditutup" (skp=, per_tanggal=)."""
    for path in getattr(settings, "SKP_HOOKS", {}).get(event, ()):
        import_string(path)(**kwargs)


# Checks and copies shared by drafting (penyusunan) and the workflow (alur) --------------------


def is_current_penilai(skp: Skp, user: Pegawai, *, pegawai: Pegawai | None = None) -> bool:
    """Resolved now, never cached: a Plt/Plh assigned a minute ago counts. `pegawai`: the
    SKP's pegawai when the caller has just loaded it (with its jabatan)."""
    if user.pk == skp.pegawai_id:
        return False
    penilai = resolve_penilai(pegawai or skp.pegawai)
    return penilai is not None and penilai.pk == user.pk


LAMPIRAN = ("lampiran_dukungan_sumber_daya", "lampiran_skema_pertanggungjawaban", "lampiran_konsekuensi")


def create_perilaku(skp: Skp, ekspektasi: dict[str, str] | None = None) -> None:
    """The seven BerAKHLAK rows of a new SKP, with the ekspektasi khusus a revision carries over."""
    ekspektasi = ekspektasi or {}
    PerilakuKerja.objects.bulk_create(
        PerilakuKerja(skp=skp, nilai=kode, urutan=i, ekspektasi_khusus=ekspektasi.get(kode, ""))
        for i, (kode, _nama) in enumerate(rules.BERAKHLAK_CHOICES, 1)
    )


def copy_rhk(sumber: Skp, target: Skp, *, with_links: bool) -> dict[int, RencanaHasilKerja]:
    """Copy RHK (+IKI, optionally links) of `sumber` into `target`, each copy's `asal` = its
    source row. Returns source rhk id → copy."""
    sources = list(sumber.rhk_set.prefetch_related("iki_set", "link_atas").order_by("jenis", "urutan", "pk"))
    copies = RencanaHasilKerja.objects.bulk_create(
        RencanaHasilKerja(skp=target, jenis=r.jenis, urutan=r.urutan, uraian=r.uraian, perspektif=r.perspektif, asal=r)
        for r in sources
    )
    mapping = {src.pk: copy for src, copy in zip(sources, copies, strict=True)}
    iki_rows = []
    link_rows = []
    for src in sources:
        copy = mapping[src.pk]
        for iki in src.iki_set.all():
            iki_rows.append(
                IndikatorKinerja(
                    rhk=copy,
                    urutan=iki.urutan,
                    uraian=iki.uraian,
                    aspek=iki.aspek,
                    target_min=iki.target_min,
                    target_max=iki.target_max,
                    satuan=iki.satuan,
                    target_kualitatif=iki.target_kualitatif,
                    asal=iki,
                )
            )
        if with_links:
            for link in src.link_atas.all():
                link_rows.append(
                    IntervensiRhk(rhk=copy, rhk_atasan_id=link.rhk_atasan_id, jenis_cascading=link.jenis_cascading)
                )
    IndikatorKinerja.objects.bulk_create(iki_rows)
    IntervensiRhk.objects.bulk_create(link_rows)
    return mapping
