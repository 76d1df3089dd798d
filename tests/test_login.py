"""Login by NIP or short user id, throttled in the authentication backend (opd.auth.NipBackend)
on every login path: per NIP (LOGIN_MAX_FAILURES) and per client address
(LOGIN_MAX_FAILURES_PER_ADDRESS), both within LOGIN_LOCK_MINUTES."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from opd import services
from opd.models import LoginAttempt
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOCK_TEXT = "Terlalu banyak percobaan masuk yang gagal untuk NIP / ID ini."
ADDRESS_LOCK_TEXT = "Terlalu banyak percobaan masuk yang gagal dari alamat jaringan ini."
ADMIN_LOGIN = "/django-admin/login/"


def _login(client, nip: str, password: str, **extra):
    return client.post(reverse("login"), {"username": nip, "password": password}, **extra)


def _admin_login(client, nip: str, password: str):
    return client.post(ADMIN_LOGIN, {"username": nip, "password": password, "next": "/django-admin/"})


def _fail_until_locked(client, nip: str) -> None:
    for _ in range(settings.LOGIN_MAX_FAILURES):
        _login(client, nip, "salah-sekali")


def _nip_row(nip: str) -> LoginAttempt:
    return LoginAttempt.objects.get(jenis=LoginAttempt.Jenis.NIP, kunci=nip)


def test_login_page_in_indonesian(client, world):
    html = client.get(reverse("login")).content.decode()
    assert ">NIP / ID pengguna</label>" in html and ">Kata sandi</label>" in html
    assert settings.REGENCY_NAME in html


def test_login_field_accepts_a_short_user_id(client, world):
    """§6: the Bupati logs in with a short id; the field neither restricts to digits nor says
    "18 digit NIP" alone."""
    html = client.get(reverse("login")).content.decode()
    assert 'inputmode="numeric"' not in html and 'placeholder="18 digit NIP"' not in html
    assert "ID pengguna yang diberikan BKD" in html
    response = _login(client, "bupati", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("opd:dashboard")


def test_login_success_with_spaces_in_nip(client, world):
    response = _login(client, "19900214 201503 1 003", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("opd:dashboard")
    assert client.get(reverse("opd:dashboard")).context["user"] == world.pegawai


def test_wrong_password(client, world):
    response = _login(client, world.pegawai.nip, "salah")
    assert response.status_code == 200
    html = response.content.decode()
    assert "NIP / ID pengguna atau kata sandi salah." in html
    assert f'value="{world.pegawai.nip}"' in html  # what was typed is kept
    assert _nip_row(world.pegawai.nip).gagal == 1


def test_lock_after_max_failures_refuses_right_password(client, world):
    nip = world.pegawai.nip
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        assert LOCK_TEXT not in _login(client, nip, "salah").content.decode()
    response = _login(client, nip, "salah")
    until = _nip_row(nip).terkunci_sampai
    assert until is not None
    assert f"Coba lagi setelah {timezone.localtime(until):%H:%M}." in response.content.decode()
    # The right password is refused while locked; another NIP is unaffected.
    response = _login(client, nip, PASSWORD)
    assert response.status_code == 200 and LOCK_TEXT in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert _login(client, world.pegawai2.nip, PASSWORD).status_code == 302


def test_unlock_after_lock_time(client, world):
    nip = world.pegawai.nip
    _fail_until_locked(client, nip)
    LoginAttempt.objects.filter(kunci=nip).update(terkunci_sampai=timezone.now() - datetime.timedelta(seconds=1))
    assert _login(client, nip, PASSWORD).status_code == 302


def test_success_resets_counter(client, world):
    nip = world.pegawai.nip
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        _login(client, nip, "salah")
    assert _login(client, nip, PASSWORD).status_code == 302
    attempt = _nip_row(nip)
    assert (attempt.gagal, attempt.terkunci_sampai) == (0, None)
    client.logout()
    # A fresh budget: one more failure does not lock.
    assert LOCK_TEXT not in _login(client, nip, "salah").content.decode()


def test_old_failures_outside_window_do_not_count(world):
    nip = world.pegawai.nip
    now = timezone.now()
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        services.register_login_failure(nip, now=now - datetime.timedelta(minutes=settings.LOGIN_LOCK_MINUTES + 1))
    assert services.register_login_failure(nip, now=now) is None
    assert _nip_row(nip).gagal == 1


def test_unknown_nip_is_throttled_too(client, world):
    nip = "199912312020121001"
    _fail_until_locked(client, nip)
    assert LOCK_TEXT in _login(client, nip, "apa saja").content.decode()


def test_admin_reset_lifts_the_lock(client, world):
    _fail_until_locked(client, world.pegawai.nip)
    password = services.reset_password(world.pegawai, by=world.admin_opd)
    assert _login(client, world.pegawai.nip, password).status_code == 302


def test_logout_is_post(client, world):
    client.force_login(world.pegawai)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


# --- every login path: the Django admin login is throttled like /masuk/ ------------------------


@pytest.fixture
def staff(world):
    world.admin_bkd.is_staff = True
    world.admin_bkd.save(update_fields=["is_staff"])
    return world.admin_bkd


def test_django_admin_login_is_throttled(client, staff):
    """Before: /django-admin/login/ accepted unlimited wrong passwords (the throttle lived in
    the NIP login form)."""
    assert _admin_login(client, staff.nip, PASSWORD).status_code == 302  # the path works
    client.logout()
    for _ in range(settings.LOGIN_MAX_FAILURES):
        assert _admin_login(client, staff.nip, "salah").status_code == 200
    response = _admin_login(client, staff.nip, PASSWORD)
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert LOCK_TEXT in response.content.decode()
    # The same lock holds on the NIP login page.
    assert LOCK_TEXT in _login(client, staff.nip, PASSWORD).content.decode()


def test_lock_from_login_page_holds_on_django_admin(client, staff):
    _fail_until_locked(client, staff.nip)
    response = _admin_login(client, staff.nip, PASSWORD)
    assert response.status_code == 200 and "_auth_user_id" not in client.session


# --- per client address ------------------------------------------------------------------------


def test_address_is_locked_after_failures_on_many_nips(client, world, settings):
    """Guessing across many NIPs from one address stays under each NIP's limit but locks the
    address; another address and the NIPs themselves are unaffected."""
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    for serial in range(3):
        _login(client, f"19991231202012100{serial}", "salah", REMOTE_ADDR="10.1.2.3")
    response = _login(client, world.pegawai.nip, PASSWORD, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200 and ADDRESS_LOCK_TEXT in response.content.decode()
    until = LoginAttempt.objects.get(jenis=LoginAttempt.Jenis.ALAMAT, kunci="10.1.2.3").terkunci_sampai
    assert f"Coba lagi setelah {timezone.localtime(until):%H:%M}." in response.content.decode()
    assert _login(client, world.pegawai.nip, PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 302


def test_forwarded_for_is_ignored_by_default(client, world, settings):
    """A client cannot escape the address lock by sending its own X-Forwarded-For."""
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 2
    for fake in ("1.1.1.1", "2.2.2.2"):
        _login(client, "199912312020121001", "salah", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR=fake)
    response = _login(client, world.pegawai.nip, PASSWORD, REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="3.3.3.3")
    assert ADDRESS_LOCK_TEXT in response.content.decode()


def test_forwarded_for_behind_a_trusted_proxy_uses_the_entry_the_proxy_added(client, world, settings):
    settings.TRUST_X_FORWARDED_FOR = True
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 2
    for spoofed in ("1.1.1.1", "2.2.2.2"):
        # The proxy (REMOTE_ADDR 127.0.0.1) appended the real client 10.5.5.5 after the spoofed entry.
        _login(client, "199912312020121001", "salah", HTTP_X_FORWARDED_FOR=f"{spoofed}, 10.5.5.5")
    assert LoginAttempt.objects.get(jenis=LoginAttempt.Jenis.ALAMAT, kunci="10.5.5.5").terkunci_sampai
    assert not LoginAttempt.objects.filter(kunci__in=["1.1.1.1", "2.2.2.2", "127.0.0.1"]).exists()
    ok = _login(client, world.pegawai.nip, PASSWORD, HTTP_X_FORWARDED_FOR="10.5.5.5, 10.6.6.6")
    assert ok.status_code == 302


def test_success_does_not_reset_the_address_budget(client, world, settings):
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    _login(client, "199912312020121001", "salah")
    _login(client, "199912312020121002", "salah")
    assert _login(client, world.pegawai.nip, PASSWORD).status_code == 302
    client.logout()
    _login(client, "199912312020121003", "salah")
    assert ADDRESS_LOCK_TEXT in _login(client, world.pegawai2.nip, PASSWORD).content.decode()


# --- pruning old rows ---------------------------------------------------------------------------


def _row(kunci: str, *, minutes_ago: int | None, locked_for: int | None = None, jenis: str = "NIP") -> LoginAttempt:
    now = timezone.now()
    return LoginAttempt.objects.create(
        jenis=jenis,
        kunci=kunci,
        gagal=1,
        terakhir_gagal=None if minutes_ago is None else now - datetime.timedelta(minutes=minutes_ago),
        terkunci_sampai=None if locked_for is None else now + datetime.timedelta(minutes=locked_for),
    )


def _stale_and_live_rows() -> None:
    window = settings.LOGIN_LOCK_MINUTES
    _row("lama", minutes_ago=window + 5)
    _row("10.0.0.1", minutes_ago=window + 5, jenis="ALAMAT")
    _row("reset", minutes_ago=None)
    _row("kunci-habis", minutes_ago=window + 5, locked_for=-1)
    _row("baru", minutes_ago=1)
    _row("terkunci", minutes_ago=window + 5, locked_for=5)


def test_prune_deletes_only_rows_that_no_longer_count(world):
    _stale_and_live_rows()
    assert services.prune_login_attempts() == 4
    assert set(LoginAttempt.objects.values_list("kunci", flat=True)) == {"baru", "terkunci"}


def test_a_failure_prunes_at_most_once_per_interval(world):
    cache.clear()
    _stale_and_live_rows()
    services.register_login_failure("199912312020121001", "10.0.0.2")
    assert set(LoginAttempt.objects.values_list("kunci", flat=True)) == {
        "baru",
        "terkunci",
        "199912312020121001",
        "10.0.0.2",
    }
    _row("lama-lagi", minutes_ago=settings.LOGIN_LOCK_MINUTES + 5)
    services.register_login_failure("199912312020121001", "10.0.0.2")
    assert LoginAttempt.objects.filter(kunci="lama-lagi").exists()  # not before the interval passes
    cache.clear()


def test_prune_command(world):
    _stale_and_live_rows()
    from io import StringIO

    out = StringIO()
    call_command("hapus_percobaan_masuk", stdout=out)
    assert "4 catatan percobaan masuk lama dihapus." in out.getvalue()
    assert LoginAttempt.objects.count() == 2


def test_failure_recreates_a_row_pruned_meanwhile(world):
    """The count does not depend on a row read earlier: a row deleted by a prune between two
    failures is created again, counting the failure."""
    nip = world.pegawai.nip
    services.register_login_failure(nip)
    LoginAttempt.objects.all().delete()
    services.register_login_failure(nip)
    assert _nip_row(nip).gagal == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_failures_each_count(settings):
    """Eight failures at once for a NIP and an address nobody has used yet: the concurrent
    creations fall back to the conditional UPDATE and every failure counts (PostgreSQL; SQLite
    serialises writers, so the race cannot happen there)."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (PostgreSQL)")
    settings.LOGIN_MAX_FAILURES = 100
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 100
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def fail_once() -> None:
        try:
            barrier.wait()
            services.register_login_failure("199912312020121009", "10.7.7.7")
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fail_once) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _nip_row("199912312020121009").gagal == 8
    assert LoginAttempt.objects.get(jenis=LoginAttempt.Jenis.ALAMAT, kunci="10.7.7.7").gagal == 8
