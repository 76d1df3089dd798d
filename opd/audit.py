"""The audit trail: every state change and every unlock writes one row (SPEC §9)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from opd.models import AuditLog, Pegawai


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
