"""Results kept in the cache (pickled, compressed) under a *fingerprint* of the data they are
computed from (issue #9) — the pohon kinerja of one OPD (skp.pohon.sidik_pohon hashes, in
PostgreSQL, every row and column the tree is built from). Whatever changes one of those values
gives another fingerprint and so another key: nothing to invalidate, nothing a new write path can
forget. A result is only kept when the fingerprint read again after the computation is the same
(a write committed while it ran would otherwise file rows newer than the key under it, which an
edit undone later would serve again). Off PostgreSQL nothing is fingerprinted.

For results read from a whole province, where hashing every row would cost as much as the
computation, see ekinerja.jejak (change marks kept by triggers).
"""

from __future__ import annotations

import hashlib
import pickle
import zlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")


def simpan(key: str, value: object, timeout: int) -> None:
    """Pickled and compressed (the tree of a province-size OPD is about a megabyte of HTML)."""
    cache.set(key, zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), 1), timeout)


def baca(key: str) -> object | None:
    data = cache.get(key)
    return None if data is None else pickle.loads(zlib.decompress(data))


def versi_kode(*modules) -> str:
    """A digest of the source of `modules` (the rules a result is computed with): part of a key,
    so that a deploy that changes the arithmetic never serves a result of the old one from a
    shared cache."""
    import inspect

    h = hashlib.blake2b(digest_size=8)
    for module in modules:
        h.update(inspect.getsource(module).encode())
    return h.hexdigest()


def tersimpan(nama: str, baca_sidik: Callable[[], str | None], hitung: Callable[[], T], *, timeout: int) -> T:
    """`hitung()`, or the result kept for the current fingerprint (`baca_sidik()`) under `nama`.
    Computed results are kept only when the fingerprint is unchanged after the computation.
    `timeout` only lets results nobody asks for any more leave the cache."""
    awal = baca_sidik()
    if awal is None:
        return hitung()
    key = f"sidik:{nama}:{awal}"
    data = baca(key)
    if data is not None:
        return data  # type: ignore[return-value]
    data = hitung()
    if baca_sidik() == awal:
        simpan(key, data, timeout)
    return data
