"""`manage.py impor_pegawai FILE [--dry-run] [--oleh NIP]`: exit codes, stderr lines, same code path."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opd.models import AuditLog, ImporPegawai, Pegawai
from tests.test_import_support import NIP_A, csv_bytes, db_counts, three_new, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _file(tmp_path: Path, data: bytes, name: str = "pegawai.csv") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_dry_run_prints_the_summary_and_writes_nothing(world, tmp_path):
    out = io.StringIO()
    before = db_counts()
    call_command("impor_pegawai", _file(tmp_path, csv_bytes(three_new())), "--dry-run", stdout=out)
    assert "3 baris: 3 baru, 0 berubah, 0 tetap, 5 pegawai tersimpan tidak ada di berkas" in out.getvalue()
    assert "--dry-run" in out.getvalue()
    assert db_counts() == before and not ImporPegawai.objects.exists()


def test_warnings_are_printed_and_do_not_stop_the_import(world, tmp_path, settings):
    settings.IMPORT_MAX_ROWS_WEB = 2  # the browser's limit does not hold the command
    rows = three_new()
    rows[0]["KELAS JABATAN"] = "7"
    rows.append({**rows[0], "NIP": "199202022016021004", "NAMA": "Dodi", "KELAS JABATAN": "6"})
    out = io.StringIO()
    call_command("impor_pegawai", _file(tmp_path, csv_bytes(rows)), stdout=out)
    assert "Peringatan: Baris 2, kolom KELAS JABATAN" in out.getvalue() and "kelas 7 (baris 2)" in out.getvalue()
    assert "Diterapkan" in out.getvalue()
    created = Pegawai.objects.filter(nip__in=[NIP_A, "199202022016021004"])
    assert sorted(p.jabatan.kelas_jabatan for p in created) == [6, 7]
    assert not any(p.has_usable_password() or p.wajib_ganti_sandi for p in created)


def test_apply_with_oleh(world, tmp_path):
    out = io.StringIO()
    call_command(
        "impor_pegawai", _file(tmp_path, xlsx_bytes(three_new()), "p.xlsx"), "--oleh", world.admin_bkd.nip, stdout=out
    )
    assert "Diterapkan" in out.getvalue()
    assert Pegawai.objects.filter(nip=NIP_A).exists()
    impor = ImporPegawai.objects.get()
    assert impor.status == "DITERAPKAN" and impor.uploaded_by == world.admin_bkd
    assert AuditLog.objects.filter(aksi="pegawai_diimpor", actor=world.admin_bkd).count() == 3


def test_errors_go_to_stderr_and_raise(world, tmp_path):
    rows = three_new()
    rows[0]["NIP"] = "196502302007011005"
    rows[1]["OPD"] = "ENTAH"
    err = io.StringIO()
    before = db_counts()
    with pytest.raises(CommandError, match="2 kesalahan"):
        call_command("impor_pegawai", _file(tmp_path, csv_bytes(rows)), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("Baris 2, kolom NIP: ") and lines[1].startswith("Baris 3, kolom OPD: ")
    assert db_counts() == before


def test_unknown_oleh_and_missing_file(world, tmp_path):
    with pytest.raises(CommandError, match="tidak ditemukan"):
        call_command("impor_pegawai", str(tmp_path / "tidak-ada.csv"))
    with pytest.raises(CommandError, match="--oleh"):
        call_command("impor_pegawai", _file(tmp_path, csv_bytes(three_new())), "--oleh", "123")


def test_exit_status_from_the_shell(tmp_path):
    """The real process exits with status 1 and prints the error line on stderr. (The file fails on its
    header, before any database access, so the subprocess needs no test database; status 0 is the
    normal return of call_command in the tests above.)"""
    bad = _file(tmp_path, b"NIP,NAMA\r\n123,Budi\r\n", "bad.csv")
    root = Path(__file__).resolve().parent.parent
    env = {"ALLOW_INSECURE_SECRET_KEY": "1", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "manage.py", "impor_pegawai", bad, "--dry-run"],
        cwd=root, capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert "Baris 1, kolom JABATAN: kolom wajib JABATAN" in done.stderr
    assert "Baris 1, kolom JENIS JABATAN" in done.stderr and "Baris 1, kolom OPD" in done.stderr
