"""Session settings for every PostgreSQL connection the app opens (issue #9)."""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper


def tanpa_jit(sender: type, connection: BaseDatabaseWrapper, **kwargs: object) -> None:
    """Turn PostgreSQL's JIT off for the session. It compiles any query whose estimate passes
    jit_above_cost, and the grouped counts over a province's pegawai (the Beranda's monitoring
    card, the Pemantauan page) pass it: at 100,000 pegawai EXPLAIN ANALYZE showed 287 ms of JIT
    compilation for one OPD's count that runs in ~100 ms without it, and ~1.2 s against ~0.3 s
    for the whole province. These are short OLTP queries; compiling them never pays."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
