"""Read replica rules that hold on every machine (ekinerja/replika.py): the settings a
DATABASE_REPLICA_URL produces, the router's choice of database, and which pages are marked as
reports. The replica itself is exercised by tests/test_replika.py."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_tasks_db.models import DBTaskResult

from ekinerja import replika
from ekinerja.replika import REPLIKA, ReplikaRouter
from opd.models import Opd, Pegawai, Pekerjaan
from penilaian.models import Periode

SETTINGS = Path(__file__).resolve().parent.parent / "ekinerja" / "settings.py"

# The read-only report pages (issue #9 §5): pohon kinerja, kurva, pemantauan, TPP and the exports.
# Nothing else reads the replica; a page added to or taken from this list is a decision.
DITANDAI = {
    "skp:pohon": [],
    "penilaian:kurva_bulan": [2026, 1],
    "penilaian:kurva_opd": [2026, 1, 1],
    "penilaian:pemantauan_bulan": [2026, 1],
    "penilaian:pemantauan_opd": [2026, 1, 1],
    "penilaian:pemantauan_terlambat": [2026, 1],
    "penilaian:pemantauan_opd_terlambat": [2026, 1, 1],
    "penilaian:tpp_bulan": [2026, 1],
    "penilaian:tpp_opd": [2026, 1, 1],
    "penilaian:tpp_pegawai": [2026, 1, 1],
    "penilaian:tpp_unduh": [2026, 1],
    "penilaian:tpp_unduh_opd": [2026, 1, 1],
}


def _settings_with(monkeypatch, **env: str):
    """ekinerja/settings.py executed afresh with these environment variables (pure: it only reads
    the environment)."""
    for name in ("DATABASE_URL", "DATABASE_REPLICA_URL", "DATABASE_REPLICA_MAX_LAG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("ekinerja_settings_uji", SETTINGS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_without_a_replica_url_nothing_changes(monkeypatch):
    s = _settings_with(monkeypatch, DATABASE_URL="postgres://app@db:5432/ekinerja")
    assert list(s.DATABASES) == ["default"]
    assert not getattr(s, "DATABASE_ROUTERS", [])
    assert "ekinerja.replika.ReplikaMiddleware" not in s.MIDDLEWARE


def test_replica_url_adds_the_alias_router_and_pin_middleware(monkeypatch):
    s = _settings_with(
        monkeypatch,
        DATABASE_URL="postgres://app@db1:5432/ekinerja",
        DATABASE_REPLICA_URL="postgres://baca:rahasia@db2:5433/ekinerja",
    )
    db = s.DATABASES[REPLIKA]
    assert (db["ENGINE"], db["HOST"], db["PORT"], db["NAME"], db["USER"], db["PASSWORD"]) == (
        "django.db.backends.postgresql", "db2", "5433", "ekinerja", "baca", "rahasia",
    )  # fmt: skip
    # A dead replica costs at most libpq's smallest timeout; never a database of its own in tests.
    assert db["OPTIONS"]["connect_timeout"] == 2
    assert db["TEST"] == {"MIRROR": "default"}
    assert s.DATABASE_ROUTERS == ["ekinerja.replika.ReplikaRouter"]
    # Outside the session and authentication middleware, so it sees each response as sent.
    assert s.MIDDLEWARE.index("ekinerja.replika.ReplikaMiddleware") < s.MIDDLEWARE.index(
        "django.contrib.sessions.middleware.SessionMiddleware"
    )
    assert s.DATABASE_REPLICA_MAX_LAG == 30


def test_a_replica_of_sqlite_is_refused(monkeypatch):
    with pytest.raises(ValueError, match="DATABASE_REPLICA_URL needs DATABASE_URL"):
        _settings_with(monkeypatch, DATABASE_REPLICA_URL="postgres://app@db2:5433/ekinerja")
    with pytest.raises(ValueError, match="scheme not supported"):
        _settings_with(monkeypatch, DATABASE_URL="postgres://app@db1/e", DATABASE_REPLICA_URL="mysql://x@db2/e")


def test_router_reads_the_replica_only_inside_marked_code():
    router = ReplikaRouter()
    assert router.db_for_read(Pegawai) == "default"
    with replika.rute(REPLIKA):
        assert [router.db_for_read(m) for m in (Pegawai, Opd, Periode)] == [REPLIKA] * 3
        # Sessions (a login or logout seen at once), job rows and the task queue: the primary.
        assert [router.db_for_read(m) for m in (Session, Pekerjaan, DBTaskResult)] == ["default"] * 3
        # Writes: the primary, always.
        assert router.db_for_write(Opd) == "default"
    # Explicitly the primary afterwards, also for an object that was loaded from the replica.
    opd = Opd(nama="x")
    opd._state.db = REPLIKA
    assert router.db_for_read(Opd, instance=opd) == "default"
    assert router.db_for_write(Opd, instance=opd) == "default"
    assert router.allow_relation(opd, Opd()) is True


def test_migrations_run_on_the_primary_only():
    router = ReplikaRouter()
    assert router.allow_migrate("default", "opd", "opd") is True
    assert router.allow_migrate(REPLIKA, "opd", "opd") is False
    assert router.allow_migrate(REPLIKA, "sessions") is False


def _patterns(resolver: URLResolver, prefix: str = ""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            yield from _patterns(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{prefix}{p.name}", p.callback


def test_exactly_the_report_pages_are_marked():
    marked = {name for name, view in _patterns(get_resolver()) if getattr(view, "baca_replika", False)}
    assert marked == set(DITANDAI)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(DITANDAI))
def test_marked_pages_only_read(client, world, name):
    """Running a marked page again on the primary after the replica failed is safe only because it
    writes nothing: every marked page refuses POST."""
    client.force_login(world.admin_bkd)
    assert client.post(reverse(name, args=DITANDAI[name])).status_code == 405


@pytest.mark.django_db
@pytest.mark.skipif(REPLIKA in settings.DATABASES, reason="a replica is configured in this run")
def test_without_a_replica_a_write_sets_no_pin(client, world):
    client.force_login(world.admin_bkd)
    response = client.post(reverse("password_change"), {})
    assert response.status_code == 200
    assert replika.PIN_COOKIE not in response.cookies
