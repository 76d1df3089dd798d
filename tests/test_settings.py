"""DATABASE_URL → Django DATABASES entry (pure)."""

import pytest

from ekinerja.settings import BASE_DIR, database_from_url


def test_postgres_url_with_credentials_and_port():
    db = database_from_url("postgres://ekin%40app:p%3Ass%2Fw@db.example.go.id:6543/ekinerja_prod")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "ekinerja_prod",
        "ekin@app",
        "p:ss/w",
        "db.example.go.id",
        "6543",
    )
    assert db["CONN_MAX_AGE"] > 0


def test_postgresql_scheme_without_password_or_port():
    db = database_from_url("postgresql://postgres@127.0.0.1/ekinerja")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "postgres",
        "",
        "127.0.0.1",
        "",
        "ekinerja",
    )


def test_unset_means_sqlite_next_to_manage_py():
    assert database_from_url("") == {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}


@pytest.mark.parametrize("url", ["mysql://root@localhost/ekinerja", "sqlite:///db.sqlite3", "ekinerja"])
def test_unsupported_scheme_is_refused(url):
    with pytest.raises(ValueError, match="DATABASE_URL"):
        database_from_url(url)


def test_production_server_refuses_to_start_without_secret_key(tmp_path):
    """Management commands run without a key; the WSGI application refuses to start."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "ekinerja.settings"}
    check = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=root, env=env, capture_output=True, text=True, timeout=60
    )
    assert check.returncode == 0, check.stderr
    serve = subprocess.run(
        [sys.executable, "-c", "import ekinerja.wsgi"], cwd=root, env=env, capture_output=True, text=True, timeout=60
    )
    assert serve.returncode != 0
    assert "SECRET_KEY belum diisi" in serve.stderr


PRODUCTION = {
    "SECRET_KEY": "k9#Vq2!zR7pL0wX4mN8bT6yH3jF5dS1aG-produksi-uji-yang-panjang-sekali",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "ekinerja.trenggalekkab.go.id",
    "SECURE_COOKIES": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
}


def _check_deploy(extra: dict[str, str]):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "ekinerja.settings", **extra}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_deploy_is_clean_with_the_production_variables():
    result = _check_deploy(PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_tls_variables_only_the_https_warnings_remain():
    """An intranet without TLS leaves HSTS and the HTTPS redirect off (the defaults): exactly
    the two warnings the README lists remain."""
    tls = {"SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD"}
    result = _check_deploy({k: v for k, v in PRODUCTION.items() if k not in tls} | {"SECURE_COOKIES": "0"})
    found = {line.split(")")[0].lstrip("?: (") for line in result.stderr.splitlines() if "(security." in line}
    assert found == {"security.W004", "security.W008", "security.W012", "security.W016"}, result.stderr


def test_https_settings_are_off_by_default():
    from django.conf import settings

    assert settings.SECURE_HSTS_SECONDS == 0 and not settings.SECURE_SSL_REDIRECT
    assert settings.SECURE_PROXY_SSL_HEADER is None and not settings.TRUST_X_FORWARDED_FOR


def test_indonesian_only():
    from django.conf import settings

    assert settings.LANGUAGES == [("id", "Bahasa Indonesia")] and settings.LANGUAGE_CODE == "id"
    assert "django.middleware.locale.LocaleMiddleware" not in settings.MIDDLEWARE
