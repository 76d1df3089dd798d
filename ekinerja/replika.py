"""Read replica for the report pages (issue #9 §5): with DATABASE_REPLICA_URL set, the read-only
report pages (pohon kinerja, kurva, pemantauan, TPP, their exports and the background TPP export)
read a PostgreSQL streaming replica; everything else reads and writes the primary.

The rules, in one place:
- Only code marked explicitly reads the replica: views decorated with `@laporan`, and work run
  through `dari_replika(fungsi)` (the background export). Everything else reads the primary, and
  every write goes to the primary whatever is marked (`ReplikaRouter.db_for_write`); migrations
  run on the primary only.
- Sessions, the logged-in user and their roles are read from the primary before a marked view
  switches over: a password or role change, a logout or a deactivation takes effect at once, never
  a replication lag later. The job rows and the task queue are always read from the primary.
- Read your own writes: a successful non-GET request leaves a signed cookie with the primary's WAL
  position after the write (`ReplikaMiddleware`). A marked page uses the replica for that browser
  only once the replica has replayed past that position; before that it reads the primary. No
  guessed time window: the pin holds exactly as long as the replica is behind the user's write.
  The page of a finished background job renews the pin (`sematkan_primer`), so finalising the
  month's TPP in the worker and then opening the TPP page shows the final month.
- Fallback: a replica that does not answer (connect_timeout 2 s), is not in recovery, has lost its
  stream from the primary or lags more than DATABASE_REPLICA_MAX_LAG seconds is not used; its state
  is remembered per process for a few seconds, so requests do not wait on a dead replica one after
  another. A query that fails on the replica in the middle of a marked view runs the whole view
  again on the primary: marked views only read, so running them again is safe.

Without DATABASE_REPLICA_URL none of this is installed (settings.py) and `@laporan` and
`dari_replika` call straight through: one database, nothing changes.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

REPLIKA = "replika"
T = TypeVar("T")

# Models read from the primary even inside a marked view: the session (a login or logout must be
# seen at once), the background job rows and the task queue (their pages poll for fresh state).
SELALU_PRIMER = frozenset({"sessions.Session", "opd.Pekerjaan", "django_tasks_database.DBTaskResult"})

PIN_COOKIE = "ek_tulis"
_PIN_SALT = "ekinerja.replika.pin"
_LSN = re.compile(r"^[0-9A-F]{1,8}/[0-9A-F]{1,8}$")

# Which database marked code reads in this thread/context: REPLIKA inside `_di_replika()`.
_rute: ContextVar[str] = ContextVar("ekinerja_rute_baca", default=DEFAULT_DB_ALIAS)


def terkonfigurasi() -> bool:
    return REPLIKA in settings.DATABASES


def lag_maks() -> float:
    return float(getattr(settings, "DATABASE_REPLICA_MAX_LAG", 30))


def pin_detik() -> int:
    """How long a pin cookie lives. Twice the lag bound: a replica still behind the user's write
    after that lags more than the bound and is not used anyway."""
    return int(2 * lag_maks()) + 1


# The router -----------------------------------------------------------------------------------


class ReplikaRouter:
    """Reads go to the replica only inside `_di_replika()` (a marked view or `dari_replika`);
    otherwise to the primary, explicitly, so an object loaded from the replica never pulls its
    related rows from there afterwards. Writes and migrations: the primary, always."""

    def db_for_read(self, model: type, **hints: object) -> str:
        if _rute.get() == REPLIKA and model._meta.label not in SELALU_PRIMER:
            return REPLIKA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type, **hints: object) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: object, obj2: object, **hints: object) -> bool:
        # The replica is a copy of the primary: an object from either may relate to the other.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: object) -> bool:
        return db == DEFAULT_DB_ALIAS


@contextlib.contextmanager
def rute(alias: str) -> Iterator[None]:
    """Where this context's routed reads go (the router's one input)."""
    token = _rute.set(alias)
    try:
        yield
    finally:
        _rute.reset(token)


@contextlib.contextmanager
def _di_replika() -> Iterator[None]:
    """Route this context's reads to the replica; failures of its queries are tagged so the caller
    can tell them from the primary's."""
    with rute(REPLIKA), connections[REPLIKA].execute_wrapper(_tandai_galat):
        yield


def _tandai_galat(execute: Callable, sql: str, params: object, many: bool, context: dict) -> object:
    try:
        return execute(sql, params, many, context)
    except DatabaseError as exc:
        exc.dari_replika = True  # type: ignore[attr-defined]
        raise


# The replica's health, remembered per process -------------------------------------------------


@dataclass(frozen=True)
class Kondisi:
    layak: bool  # marked code may read it
    status: str  # "ok", "tertinggal", "tidak menjawab", "bukan replika", "tidak tersambung ke primer"
    lag_detik: float | None
    diperiksa: float  # time.monotonic() of the check


# Seconds a check is trusted before the next marked read checks again (per process).
INGAT_DETIK = 5.0
_kondisi: Kondisi | None = None

# The lag: none while everything received is replayed; otherwise the age of the last replayed
# commit — an overestimate after the primary was idle, which only errs towards the primary. The WAL
# receiver's row is there whenever it runs; its status is NULL for a role without
# pg_read_all_stats (then only "a receiver runs" is known).
_SQL_KONDISI = """
SELECT pg_is_in_recovery(),
       (SELECT count(*) FROM pg_stat_wal_receiver),
       (SELECT status FROM pg_stat_wal_receiver LIMIT 1),
       CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END
"""


def periksa(*, paksa: bool = False) -> Kondisi:
    """The replica's state: from memory when checked less than INGAT_DETIK ago, unless `paksa`."""
    global _kondisi
    now = time.monotonic()
    if not paksa and _kondisi is not None and now - _kondisi.diperiksa < INGAT_DETIK:
        return _kondisi
    # A kept connection may have been dropped meanwhile (the replica restarted): one retry on a
    # new connection before calling the replica down.
    for _ in range(2 if connections[REPLIKA].connection is not None else 1):
        try:
            with connections[REPLIKA].cursor() as cursor:
                cursor.execute(_SQL_KONDISI)
                pemulihan, penerima, status_penerima, lag = cursor.fetchone()
            break
        except DatabaseError:
            _tutup_replika()
    else:
        _kondisi = Kondisi(False, "tidak menjawab", None, time.monotonic())
        return _kondisi
    lag = round(float(lag), 3)
    if not pemulihan:
        status = "bukan replika"  # a promoted or misconfigured server: its data may diverge
    elif not penerima or status_penerima not in (None, "streaming"):
        status = "tidak tersambung ke primer"  # its data stops at the moment the stream broke
    elif lag > lag_maks():
        status = "tertinggal"
    else:
        status = "ok"
    _kondisi = Kondisi(status == "ok", status, lag, time.monotonic())
    return _kondisi


def _tandai_mati() -> None:
    global _kondisi
    _tutup_replika()
    _kondisi = Kondisi(False, "tidak menjawab", None, time.monotonic())


def _tutup_replika() -> None:
    with contextlib.suppress(DatabaseError):
        connections[REPLIKA].close()


def _sudah_menyusul(lsn: str) -> bool:
    """Whether the replica has replayed the primary's WAL up to `lsn`."""
    try:
        with connections[REPLIKA].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            return bool(cursor.fetchone()[0])
    except DatabaseError:
        _tandai_mati()
        return False


def lsn_primer() -> str | None:
    """The primary's current WAL position (everything committed so far lies before it)."""
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            return cursor.fetchone()[0]
    except DatabaseError:
        return None


def boleh_dibaca(*, lsn: str | None = None, tunggu: float = 0.0) -> bool:
    """Whether marked code may read the replica now: it is fit and, given `lsn`, has replayed up to
    it (waiting up to `tunggu` seconds for that)."""
    if not periksa().layak:
        return False
    if lsn is None:
        return True
    batas = time.monotonic() + tunggu
    while not _sudah_menyusul(lsn):
        if time.monotonic() >= batas:
            return False
        time.sleep(0.05)
    return True


def _galat_replika(exc: BaseException) -> bool:
    """Whether a database error raised in replica-routed code came from the replica: a failed
    query tagged by `_tandai_galat`, or a replica that no longer answers (its connection broke
    outside a query). Marks the replica down for INGAT_DETIK either way."""
    if getattr(exc, "dari_replika", False) or not periksa(paksa=True).layak:
        _tandai_mati()
        return True
    return False


def dari_replika(fungsi: Callable[[], T]) -> T:
    """Run `fungsi` (reads only) on the replica once it has replayed everything committed on the
    primary before this call (waiting up to 2 s), else on the primary; on the primary again when
    the replica fails halfway. For background work: the user's writes before enqueueing the task
    are always seen."""
    if not terkonfigurasi():
        return fungsi()
    lsn = lsn_primer()
    if lsn is None or not boleh_dibaca(lsn=lsn, tunggu=2.0):
        return fungsi()
    try:
        with _di_replika():
            return fungsi()
    except (OperationalError, InterfaceError) as exc:
        if not _galat_replika(exc):
            raise
        logger.warning("Replika gagal di tengah pekerjaan; diulang di primer: %s", exc)
        return fungsi()


# Views: the marker and the read-your-writes pin -----------------------------------------------


def pin_dari(request: HttpRequest) -> str | None:
    """The WAL position of this browser's last write, while its pin cookie lives."""
    lsn = request.get_signed_cookie(PIN_COOKIE, default=None, salt=_PIN_SALT, max_age=pin_detik())
    return lsn if lsn and _LSN.match(lsn) else None


def sematkan_primer(response: HttpResponse) -> HttpResponse:
    """Pin this browser's marked pages to the primary until the replica has replayed everything
    committed up to now (its own writes, or a job finished for it in the worker)."""
    if terkonfigurasi():
        lsn = lsn_primer()
        if lsn is not None:
            response.set_signed_cookie(
                PIN_COOKIE, lsn, salt=_PIN_SALT, max_age=pin_detik(), httponly=True, samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )  # fmt: skip
    return response


def _siapkan_pengguna(request: HttpRequest) -> None:
    """Resolve the session, the user and their roles on the primary, before reads switch over.
    LoginRequiredMiddleware has usually resolved the user and opd.auth.NipBackend prefetches the
    roles; this keeps it so for any marked view and any backend."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        _ = user._roles  # opd.models.Pegawai caches its roles on the instance


def laporan(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a read-only report view: it reads the replica when the replica is fit and has caught up
    with this browser's own last write; otherwise, or when the replica fails, the primary."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not terkonfigurasi():
            return view(request, *args, **kwargs)
        _siapkan_pengguna(request)
        pin = pin_dari(request)
        if not boleh_dibaca(lsn=pin):
            return view(request, *args, **kwargs)
        try:
            with _di_replika():
                response = view(request, *args, **kwargs)
        except (OperationalError, InterfaceError) as exc:
            if not _galat_replika(exc):
                raise
            logger.warning("Replika gagal di tengah %s; halaman diulang di primer: %s", request.path, exc)
            return view(request, *args, **kwargs)
        if pin is not None:
            # The replica has the user's writes now: no need to compare positions any more.
            response.delete_cookie(PIN_COOKIE, samesite="Lax")
        return response

    wrapper.baca_replika = True  # type: ignore[attr-defined]
    return wrapper


class ReplikaMiddleware:
    """After a successful non-GET request (the user's own write), pin their marked pages to the
    primary until the replica has that write (`sematkan_primer`)."""

    AMAN = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method not in self.AMAN and response.status_code < 400:
            sematkan_primer(response)
        return response


def status_kesehatan() -> dict:
    """The replica's part of /healthz (checked now, not from memory)."""
    k = periksa(paksa=True)
    return {"replika": k.status, "replika_lag_detik": k.lag_detik}
