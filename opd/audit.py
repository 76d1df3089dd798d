"""The audit trail: every state change and every unlock writes one row (SPEC §9)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import dateformat

from opd.models import AuditLog, Jabatan, Pegawai


def _plain(value: Any) -> Any:
    """JSON-safe rendering of a field value for the old → new record."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (Decimal, float)):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def _opd_id_of(obj: models.Model | None) -> int | None:
    if obj is None:
        return None
    for attr in ("opd_id",):
        if getattr(obj, attr, None):
            return getattr(obj, attr)
    pegawai = getattr(obj, "pegawai", None)
    if isinstance(pegawai, models.Model) and getattr(pegawai, "opd_id", None):
        return pegawai.opd_id
    return None


def record(
    obj: models.Model | None,
    aksi: str,
    *,
    by: Pegawai | None,
    perubahan: dict[str, tuple[Any, Any]] | None = None,
    alasan: str = "",
    opd_id: int | None = None,
) -> AuditLog:
    """Write one audit row. `perubahan` maps a field name to (old, new)."""
    return AuditLog.objects.create(
        actor=by if by is not None and by.pk else None,
        actor_repr=(f"{by.nama_lengkap} ({by.nip})" if by is not None else "sistem")[:200],
        aksi=aksi,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        opd_id=opd_id if opd_id is not None else _opd_id_of(obj),
        perubahan={k: [_plain(old), _plain(new)] for k, (old, new) in (perubahan or {}).items()},
        alasan=alasan,
    )


def diff(instance: models.Model, new_values: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """(old, new) for each field whose value changes."""
    changes: dict[str, tuple[Any, Any]] = {}
    for field, new in new_values.items():
        old = getattr(instance, field)
        if old != new:
            changes[field] = (old, new)
    return changes


# Reading the trail -------------------------------------------------------------------------------
# One formatter for every page that shows audit rows (Jejak Audit, a pegawai's page, an SKP's
# Riwayat). The rows keep what was recorded (field names, ids, codes), so that rows written
# before a label changed still read well; labels are looked up when shown. `opd` cannot import
# the apps above it, so each app registers its vocabulary from its AppConfig.ready():
# action labels, field labels, value labels (choices) and lookups (ids → text, one query per
# field and page).

_AKSI: dict[str, str] = {}
_FIELDS: dict[str, str] = {}
_CHOICES: dict[str, dict[str, str]] = {}
_LOOKUPS: dict[str, Callable[[set[Any]], dict[Any, str]]] = {}
_ACRONYMS = {
    "skp": "SKP",
    "rhk": "RHK",
    "iki": "IKI",
    "opd": "OPD",
    "plt": "Plt",
    "plh": "Plh",
    "bkd": "BKD",
    "nip": "NIP",
}


def register(
    *,
    aksi: dict[str, str] | None = None,
    fields: dict[str, str] | None = None,
    choices: dict[str, dict[str, str]] | None = None,
    lookups: dict[str, Callable[[set[Any]], dict[Any, str]]] | None = None,
) -> None:
    """An app's words for its audit rows: `aksi` code → label, field name → label, field name →
    {stored code → label}, field name → function(set of stored ids) → {id: text}. A field key
    "aksi:field" applies to that action only."""
    _AKSI.update(aksi or {})
    _FIELDS.update(fields or {})
    for field, mapping in (choices or {}).items():
        _CHOICES.setdefault(field, {}).update(mapping)
    _LOOKUPS.update(lookups or {})


def _words(code: str) -> str:
    """`skp_disetujui` → "SKP disetujui", `jenis ASN` → "Jenis ASN": the fallback for a code
    nobody registered. Codes with underscores are lower-cased (but for acronyms); words are kept."""
    words = [_ACRONYMS.get(w.lower(), w.lower()) for w in code.split("_") if w] if "_" in code else code.split()
    if not words:
        return code
    return " ".join([words[0][:1].upper() + words[0][1:], *words[1:]])


def aksi_label(aksi: str) -> str:
    return _AKSI.get(aksi) or _words(aksi)


def field_label(field: str, aksi: str = "") -> str:
    """A field's label; "aksi:field" registers one for a single action (`skp_ditutup:selesai`)."""
    return _FIELDS.get(f"{aksi}:{field}") or _FIELDS.get(field) or _words(field)


@dataclass(frozen=True)
class Perubahan:
    """One changed field, ready for a template: `lama`/`baru` are text (None = empty); a list
    field gives `items` instead, each (text, "lama" | "baru" | "tetap")."""

    label: str
    lama: str | None
    baru: str | None
    items: tuple[tuple[str, str], ...] = ()

    @property
    def sama(self) -> bool:
        """Recorded for context but unchanged (an RHK saved with the same text): show it once."""
        return not self.items and self.lama == self.baru


def _text(field: str, value: Any, found: dict[Any, str], aksi: str = "") -> str | None:
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if field in _LOOKUPS:
        return found.get(value) or f"(data #{value} sudah dihapus)"
    # "aksi:field" choices first: two apps may both call a field `status` with different words.
    for key in (f"{aksi}:{field}", field):
        if isinstance(value, str) and value in _CHOICES.get(key, {}):
            return _CHOICES[key][value]
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return dateformat.format(datetime.date.fromisoformat(value), "j F Y")
    return str(value)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _perubahan(aksi: str, field: str, old: Any, new: Any, found: dict[Any, str]) -> Perubahan:
    label = field_label(field, aksi)
    if isinstance(old, list) or isinstance(new, list):
        lama = [_text(field, v, found, aksi) or "—" for v in (old if isinstance(old, list) else [old] if old else [])]
        baru = [_text(field, v, found, aksi) or "—" for v in (new if isinstance(new, list) else [new] if new else [])]
        items = [(t, "tetap" if t in baru else "lama") for t in lama]
        items += [(t, "baru") for t in baru if t not in lama]
        if not items:
            return Perubahan(label, None, None)
        return Perubahan(label, None, None, tuple(items))
    return Perubahan(label, _text(field, old, found, aksi), _text(field, new, found, aksi))


def present(rows: Iterable[AuditLog]) -> list[AuditLog]:
    """Give each row `aksi_label` and `changes` (a list of Perubahan), with the registered
    lookups run once per field for all the rows together."""
    rows = list(rows)
    wanted: dict[str, set[Any]] = {}
    for row in rows:
        for field, old, new in row.perubahan_rows():
            if field in _LOOKUPS:
                for value in (old, new):
                    values = value if isinstance(value, list) else [value]
                    wanted.setdefault(field, set()).update(v for v in values if v not in (None, ""))
    found = {field: _LOOKUPS[field](ids) if ids else {} for field, ids in wanted.items()}
    for row in rows:
        row.aksi_label = aksi_label(row.aksi)
        row.changes = [_perubahan(row.aksi, f, old, new, found.get(f, {})) for f, old, new in row.perubahan_rows()]
    return rows


def _jabatan_names(ids: set[Any]) -> dict[Any, str]:
    """`ubah_atasan` records the ids of a position and its copy (only this pegawai moved)."""
    pks = {int(v) for v in ids if str(v).isdigit()}
    names = dict(Jabatan.objects.filter(pk__in=pks).values_list("pk", "nama"))
    return {v: names[int(v)] for v in ids if str(v).isdigit() and int(v) in names}


# opd's own vocabulary (the other apps register theirs in their AppConfig.ready).
register(
    lookups={"jabatan_id": _jabatan_names},
    aksi={
        "ubah_atasan": "Ubah atasan",
        "reset_sandi": "Reset kata sandi",
        "ganti_sandi": "Ganti kata sandi",
        "tambah_plt": "Tambah Plt/Plh",
        "batal_plt": "Batalkan Plt/Plh",
        "pegawai_diimpor": "Pegawai ditambahkan dari impor",
        "pegawai_diubah_impor": "Pegawai diubah oleh impor",
        "impor_pegawai_diterapkan": "Impor pegawai diterapkan",
    },
    fields={
        "jabatan_atasan": "Jabatan atasan",
        "jabatan_id": "Jabatan (salinan khusus pegawai ini)",
        "jabatan": "Jabatan",
        "pegawai": "Pegawai",
        "jenis": "Jenis",
        "mulai": "Mulai",
        "selesai": "Selesai",
        "nomor_sk": "Nomor surat perintah",
        "dibatalkan": "Dibatalkan",
        "nama": "Nama",
        "golongan": "Golongan",
        "OPD": "OPD",
        "opd": "OPD",
        "unit": "Unit kerja",
        # ImportPlan.counts() of an applied import
        "baris": "Baris dibaca",
        "baru": "Pegawai baru",
        "berubah": "Pegawai berubah",
        "tetap": "Pegawai tetap",
        "tidak_ada": "Pegawai tidak ada di berkas",
        "unit_baru": "Unit kerja baru",
        "jabatan_baru": "Jabatan baru",
        "jabatan_diubah": "Jabatan diubah",
    },
)
