"""Session settings for every PostgreSQL connection the app opens (issue #9)."""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper


def atur_sesi(sender: type, connection: BaseDatabaseWrapper, **kwargs: object) -> None:
    """Session settings for the report queries at province scale (measured with `manage.py bench
    --pegawai 100000`, docs/PERFORMANCE.md).

    `jit = off`: PostgreSQL compiles any query whose estimate passes jit_above_cost, and the
    grouped counts over a province's pegawai (the Beranda's monitoring card, the Pemantauan page)
    pass it: at 100,000 pegawai EXPLAIN ANALYZE showed 287 ms of JIT compilation for one OPD's
    count that runs in ~100 ms without it, and 2–7 s of compilation against ~0.6 s for the whole
    province. These are short OLTP queries; compiling them never pays.

    `work_mem = 16MB`: the regency TPP page groups the month's pegawai by every input of the
    arithmetic (~5,300 groups of 100,000 rows); with the default 4 MB the planner sorts them on
    disk (external merge, 1.5 s) instead of hashing them (0.3–0.7 s). Per sort or hash node of
    a running query, so a few connections × 16 MB."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
            cursor.execute("SET work_mem = '16MB'")
