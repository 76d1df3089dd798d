"""Results read from a whole province, kept until one of the tables they are computed from changes
(issue #9: the regency TPP of a month and the monitoring of every OPD read 100,000 pegawai, some
300–500 ms, on every view).

PostgreSQL triggers (penilaian/migrations/0003_jejak.py) mark, per statement that writes one of
the tables read models use, the writing transaction in `ek_jejak` under the table's key
(`penilaian_evaluasi:12` — per month for the month's evaluations and attendance — or
`opd_pegawai:*`); a pegawai's login, which only writes last_login, marks nothing. A row per key
and slot (the transaction id modulo 65,536) keeps the table bounded and writers apart: two
transactions only meet on a slot 65,536 transactions apart.

A result is kept with the snapshot (`pg_current_snapshot()`) read just before it was computed.
It is served again while no transaction marked one of its keys that the snapshot did not see:
one indexed query, whatever the size. Transaction ids, not clocks, so a transaction that
committed after the snapshot but started before it (the race a "last changed at" column loses)
is seen. A computation reads with later snapshots than the one kept, so it may hold a change the
snapshot missed — then that change's mark makes it computed again, never the other way round.

Whatever wrote the change — a service, an import, the admin, plain SQL — the trigger marks it:
no invalidation to forget in a new write path. Off PostgreSQL nothing is kept and every request
computes (the newcomer's SQLite, a few pegawai). Transaction ids only grow, except when a
database is restored from an older backup: clear a shared cache (Redis, memcached) then; the
default per-process cache goes with the restart.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import hashlib
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from django.db import connections

from ekinerja import sidik

T = TypeVar("T")

# One query for a hit and a miss alike: the snapshot now (kept with a result computed after it), and
# whether the kept result's snapshot (NULL: none kept) missed a mark of one of the keys — a
# transaction it did not see, visible now — or this transaction wrote one itself (not committed:
# a snapshot taken inside it would count it as seen).
_SQL = """
SELECT pg_current_snapshot()::text,
       %(snap)s::pg_snapshot IS NULL
       OR EXISTS (
           SELECT 1 FROM ek_jejak
           WHERE xid >= pg_snapshot_xmin(%(snap)s::pg_snapshot) AND kunci = ANY(%(kunci)s)
             AND NOT pg_visible_in_snapshot(xid, %(snap)s::pg_snapshot)
       )
       OR EXISTS (SELECT 1 FROM ek_jejak WHERE xid = pg_current_xact_id_if_assigned() AND kunci = ANY(%(kunci)s))
"""


# The tables with triggers (penilaian/migrations/0003_jejak.py; tests/test_penilaian_monitoring.py
# checks the database has them): True for those marked per month. A read model that reads another
# table adds its triggers in a migration and its name here first — `kunci` refuses a table without.
TABEL_BERTANDA = {
    "penilaian_evaluasi": True,
    "penilaian_presensi": True,
    "opd_pegawai": False,
    "opd_jabatan": False,
    "penilaian_hukumandisiplin": False,
    "penilaian_skematpp": False,
    "penilaian_besarantpp": False,
    "skp_skp": False,
}


def kunci(model, periode_id: int | None = None) -> list[str]:
    """The keys of `model`'s table: the whole table's, and the month's when it is marked per month."""
    tabel = model._meta.db_table
    if tabel not in TABEL_BERTANDA:
        raise ValueError(f"{tabel} tidak ditandai trigger ek_jejak: perubahannya tidak akan terlihat.")
    if periode_id is None or not TABEL_BERTANDA[tabel]:
        return [f"{tabel}:*"]
    return [f"{tabel}:*", f"{tabel}:{periode_id}"]


_PAKSA = contextvars.ContextVar("jejak_paksa_hitung", default=False)


@contextlib.contextmanager
def paksa_hitung() -> Iterator[None]:
    """Inside: every result is computed (and kept), as on the first view after a change — for
    `manage.py bench`, which measures that cost beside the kept one."""
    token = _PAKSA.set(True)
    try:
        yield
    finally:
        _PAKSA.reset(token)


# A result is kept at most this long, and marks older than RAPIKAN_SETELAH (far longer: a kept
# snapshot never predates a mark that is removed) are deleted by `manage.py rapikan_jejak`.
SIMPAN_MAKS_DETIK = 6 * 3600
RAPIKAN_SETELAH = datetime.timedelta(days=1)


def cakupan(ids: Iterable[int] | None) -> str:
    """A short part of a result's name for the OPDs it covers (None: every OPD)."""
    if ids is None:
        return "semua"
    return hashlib.blake2b(",".join(map(str, sorted(ids))).encode(), digest_size=8).hexdigest()


def tersimpan(nama: str, kunci: Iterable[str], hitung: Callable[[], T], *, alias: str) -> T:
    """`hitung()`, or the result kept under `nama` if none of the tables `kunci` changed since the
    snapshot it was computed after. `alias`: the database `hitung` reads (a replica's marks and
    snapshots are the primary's). A result nobody asks for leaves the cache after
    SIMPAN_MAKS_DETIK."""
    kunci = sorted(set(kunci))
    if connections[alias].vendor != "postgresql":
        return hitung()
    key = f"jejak:{nama}"
    simpanan = None if _PAKSA.get() else sidik.baca(key)
    lama, data = simpanan if simpanan is not None else (None, None)
    with connections[alias].cursor() as cursor:
        cursor.execute(_SQL, {"snap": lama, "kunci": kunci})
        snapshot, berubah = cursor.fetchone()
    if not berubah:
        return data  # type: ignore[return-value]
    data = hitung()
    sidik.simpan(key, (snapshot, data), SIMPAN_MAKS_DETIK)
    return data


def rapikan(alias: str = "default", *, setelah: datetime.timedelta = RAPIKAN_SETELAH) -> int:
    """Delete the marks written longer than `setelah` ago: no kept result's snapshot is that old,
    so none of them can still tell a kept result it changed. A slot's row is rewritten by each
    transaction that lands on it, so the table never holds more than 65,536 rows per key; this
    keeps it to the keys and slots of the last day. Returns the number of rows deleted."""
    conn = connections[alias]
    if conn.vendor != "postgresql":
        return 0
    with conn.cursor() as cursor:
        cursor.execute("DELETE FROM ek_jejak WHERE dicatat_pada < now() - %s", [setelah])
        return cursor.rowcount
