"""Pegawai import pages through HTTP (admin BKD only): upload → preview → apply, and access."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from opd.imports import build_plan, save_upload
from opd.models import AuditLog, ImporPegawai, Pegawai, Pekerjaan
from tests.test_import_support import NIP_A, NIP_B, NIP_C, PENILAI_NIP, csv_bytes, db_counts, row, three_new

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _upload(client, data: bytes, name: str = "pegawai.csv"):
    return client.post(reverse("opd:impor_unggah"), {"berkas": SimpleUploadedFile(name, data)})


def _stored(world, data: bytes | None = None) -> ImporPegawai:
    data = data or csv_bytes(three_new())
    return save_upload(data, "pegawai.csv", build_plan(data), by=world.admin_bkd)


def test_upload_valid_file_creates_a_preview_and_writes_no_pegawai(client, world, media_root):
    client.force_login(world.admin_bkd)
    assert client.get(reverse("opd:impor_unggah")).status_code == 200
    data = csv_bytes(three_new())
    before = db_counts()
    response = _upload(client, data, "data pegawai.csv")
    impor = ImporPegawai.objects.get()
    assert response.status_code == 302 and response.url == reverse("opd:impor_pratinjau", args=[impor.pk])
    assert impor.status == "PRATINJAU" and impor.uploaded_by == world.admin_bkd
    assert impor.sha256 == hashlib.sha256(data).hexdigest() and impor.size == len(data)
    assert impor.original_name == "data pegawai.csv" and impor.file.name.startswith("impor/")
    assert (media_root / impor.file.name).read_bytes() == data
    assert db_counts() == before

    html = client.get(response.url).content.decode()
    assert 'id="count-baru">3<' in html and 'id="count-tidak-ada">5<' in html
    assert NIP_A in html and "Siti Aminah" in html and "Kata sandi awal = NIP" in html


def test_upload_with_errors_shows_every_error_and_writes_nothing(client, world):
    client.force_login(world.admin_bkd)
    rows = three_new()
    rows[0]["NIP"] = "19650230200701100"
    rows[2]["OPD"] = "TIDAK ADA"
    before = db_counts()
    response = _upload(client, csv_bytes(rows))
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 kesalahan" in html and "tidak ada data yang disimpan" in html
    assert "harus 18 digit" in html and "OPD &#x27;TIDAK ADA&#x27; tidak dikenal" in html
    assert not ImporPegawai.objects.exists() and db_counts() == before


def test_upload_over_the_limit(client, world, settings):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    client.force_login(world.admin_bkd)
    response = _upload(client, b"x" * (1024 * 1024 + 10))
    assert "Berkas terlalu besar (1 MB); batasnya 1 MB." in response.content.decode()
    assert not ImporPegawai.objects.exists()


def test_upload_page_states_the_browser_row_limit(client, world, settings):
    settings.IMPORT_MAX_ROWS_WEB = 12_500
    client.force_login(world.admin_bkd)
    html = client.get(reverse("opd:impor_unggah")).content.decode()
    assert "10 MB dan 12.500 baris data" in html and "manage.py impor_pegawai" in html


def test_upload_without_file_shows_the_form_again(client, world):
    client.force_login(world.admin_bkd)
    response = client.post(reverse("opd:impor_unggah"), {})
    html = response.content.decode()
    assert response.status_code == 200 and "is-invalid" in html and "tidak boleh kosong" in html


def test_preview_shows_the_diff_of_changed_pegawai(client, world):
    client.force_login(world.admin_bkd)
    rows = three_new()
    rows.append(
        {
            "NIP": world.pegawai.nip, "NAMA": "Agus Setiawan", "GOLONGAN": "II/d", "OPD": "DINKESDALDUKKB",
            "JABATAN": "Pengelola Data Pelayanan Kesehatan", "JENIS JABATAN": "Pelaksana", "KELAS JABATAN": "6",
            "UNIT KERJA": "Bidang Pelayanan Kesehatan", "NIP ATASAN": PENILAI_NIP,
        }
    )  # fmt: skip
    impor = _stored(world, csv_bytes(rows))
    html = client.get(reverse("opd:impor_pratinjau", args=[impor.pk])).content.decode()
    assert 'id="count-berubah">1<' in html
    assert '<span class="diff-old">II/c</span> → <span class="diff-new">II/d</span>' in html


def test_apply_happy_path_with_initial_password_and_audit(client, world):
    impor = _stored(world)
    client.force_login(world.admin_bkd)
    response = client.post(reverse("opd:impor_terapkan", args=[impor.pk]), {"sandi_awal_nip": "on"})
    # The apply is a background job (issue #9 §1); the immediate test backend has run it already.
    job = Pekerjaan.objects.get()
    assert response.status_code == 302 and response.url == reverse("opd:pekerjaan_detail", args=[job.pk])
    assert (job.status, job.persen, job.dibuat_oleh, job.jenis) == ("SELESAI", 100, world.admin_bkd, "impor_pegawai")
    assert job.pesan.startswith("Impor diterapkan: 3 pegawai baru, 0 diperbarui, 0 tetap; 1 unit kerja baru,")
    assert "3 pegawai baru masuk dengan NIP sebagai kata sandi" in job.pesan
    page = client.get(response.url).content.decode()
    result_url = reverse("opd:impor_pratinjau", args=[impor.pk])
    assert job.pesan in page and f'href="{result_url}"' in page and "Lihat hasil impor" in page
    impor.refresh_from_db()
    assert impor.status == "DITERAPKAN" and impor.applied_at is not None
    assert impor.ringkasan["hasil"]["baru"] == 3 and impor.ringkasan["hasil"]["sandi_awal"] == 3
    c = Pegawai.objects.get(nip=NIP_C)
    assert c.check_password(NIP_C) and c.penilai() == Pegawai.objects.get(nip=NIP_B)
    assert AuditLog.objects.filter(aksi="pegawai_diimpor", actor=world.admin_bkd).count() == 3
    log = AuditLog.objects.get(aksi="impor_pegawai_diterapkan")
    assert log.object_id == str(impor.pk) and log.opd_id is None and log.actor == world.admin_bkd
    assert log.perubahan["baru"] == [None, 3]
    html = client.get(result_url).content.decode()
    assert "sudah diterapkan" in html and "NIP sebagai kata sandi" in html


def test_apply_without_initial_password(client, world):
    impor = _stored(world)
    client.force_login(world.admin_bkd)
    client.post(reverse("opd:impor_terapkan", args=[impor.pk]), {})
    assert not Pegawai.objects.get(nip=NIP_A).has_usable_password()


def test_accounts_from_the_import_have_no_usable_password_by_default(client, world):
    # Issue #6 §3: "kata sandi awal = NIP" is an explicit choice, never the default.
    impor = _stored(world)
    client.force_login(world.admin_bkd)
    html = client.get(reverse("opd:impor_pratinjau", args=[impor.pk])).content.decode()
    box = html[html.index('name="sandi_awal_nip"') : html.index(">", html.index('name="sandi_awal_nip"'))]
    assert "checked" not in box
    client.post(reverse("opd:impor_terapkan", args=[impor.pk]), {})
    created = Pegawai.objects.filter(nip__in=[NIP_A, NIP_B, NIP_C])
    assert created.count() == 3
    assert not any(p.has_usable_password() for p in created)
    assert not any(p.wajib_ganti_sandi for p in created)  # nothing to change: an admin resets it
    client.logout()
    response = client.post(reverse("login"), {"username": NIP_A, "password": NIP_A})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_initial_password_nip_must_be_changed_at_first_login(client, world):
    impor = _stored(world)
    client.force_login(world.admin_bkd)
    client.post(reverse("opd:impor_terapkan", args=[impor.pk]), {"sandi_awal_nip": "on"})
    created = Pegawai.objects.filter(nip__in=[NIP_A, NIP_B, NIP_C])
    assert all(p.check_password(p.nip) and p.wajib_ganti_sandi for p in created)
    # Existing pegawai the import touched keep their own password and are not flagged.
    world.pegawai.refresh_from_db()
    assert not world.pegawai.wajib_ganti_sandi


def test_preview_lists_kelas_differences_as_warnings(client, world):
    rows = [*three_new(), row("199202022016021004", "Dodi", **{"KELAS JABATAN": "7"})]
    impor = _stored(world, csv_bytes(rows))
    client.force_login(world.admin_bkd)
    html = client.get(reverse("opd:impor_pratinjau", args=[impor.pk])).content.decode()
    assert 'id="impor-peringatan"' in html and "1 peringatan" in html
    assert "kelas 6 (baris 2) dan kelas 7 (baris 5)" in html and 'id="btn-terapkan"' in html


def test_apply_twice_does_not_duplicate(client, world):
    impor = _stored(world)
    client.force_login(world.admin_bkd)
    client.post(reverse("opd:impor_terapkan", args=[impor.pk]))
    counts = db_counts()
    response = client.post(reverse("opd:impor_terapkan", args=[impor.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("opd:impor_pratinjau", args=[impor.pk])
    assert "sudah diterapkan sebelumnya" in response.content.decode()
    assert db_counts() == counts and Pekerjaan.objects.count() == 1


def test_apply_fails_when_the_data_changed_since_the_preview(client, world):
    impor = _stored(world)
    Pegawai.objects.filter(pk=world.kepala.pk).update(jabatan=None)  # B's NIP ATASAN has no position any more
    client.force_login(world.admin_bkd)
    before = db_counts()
    response = client.post(reverse("opd:impor_terapkan", args=[impor.pk]), follow=True)
    assert "Impor gagal diterapkan karena data berubah: 1 kesalahan" in response.content.decode()
    assert Pekerjaan.objects.get().status == "GAGAL"
    impor.refresh_from_db()
    assert impor.status == "GAGAL" and any("belum memiliki jabatan" in e for e in impor.ringkasan["errors"])
    assert db_counts() == before


def test_apply_is_post_only(client, world):
    impor = _stored(world)
    client.force_login(world.admin_bkd)
    assert client.get(reverse("opd:impor_terapkan", args=[impor.pk])).status_code == 405


def test_unknown_import_is_404(client, world):
    client.force_login(world.admin_bkd)
    assert client.get(reverse("opd:impor_pratinjau", args=[999999])).status_code == 404


def test_list_of_imports(client, world, django_assert_max_num_queries):
    for _ in range(5):
        _stored(world)
    client.force_login(world.admin_bkd)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("opd:impor_daftar"))
    html = response.content.decode()
    assert html.count("pegawai.csv") == 5 and "Bambang Wicaksono" in html and "Pratinjau" in html


def test_list_of_imports_loads_only_the_counts_not_the_stored_preview(client, world, django_assert_num_queries):
    # Issue #6 §7: each stored preview is ≈240 KB of JSON; the list shows five numbers of it.
    impor = _stored(world)
    impor.ringkasan["tidak_ada"] = [{"nip": str(i), "nama": "x" * 200, "opd": "", "jabatan": ""} for i in range(1000)]
    impor.save()
    for _ in range(11):
        _stored(world)
    client.force_login(world.admin_bkd)
    client.get(reverse("opd:impor_daftar"))  # warm the session and role caches
    # Session, user, roles, the menu flags (fixed, see skp.context_processors) and the list.
    with django_assert_num_queries(6) as captured:
        response = client.get(reverse("opd:impor_daftar"))
    listed = [imp for imp, _ in response.context["rows"]]
    assert len(listed) == 12 and all("ringkasan" in imp.get_deferred_fields() for imp in listed)
    sql = next(q["sql"] for q in captured.captured_queries if '"opd_imporpegawai"' in q["sql"])
    # The column appears only inside key extractions (JSON_EXTRACT(col, '$…') on SQLite, col #>> …
    # on PostgreSQL), never as a column of its own.
    assert '"opd_imporpegawai"."ringkasan"' in sql
    assert not re.findall(r'"opd_imporpegawai"\."ringkasan"(?!\s*(?:,\s*\'\$|#>|->))', sql), sql
    counts = dict(response.context["rows"])[impor]
    assert counts == {"baris": 3, "baru": 3, "berubah": 0, "tetap": 0, "tidak_ada": 5}
    html = response.content.decode()
    assert html.count('<td class="text-end">3</td>') >= 24  # baris and baru of every row


def test_template_download_validates(client, world):
    client.force_login(world.admin_bkd)
    response = client.get(reverse("opd:impor_templat"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    data = response.content
    assert data.startswith(b"\xef\xbb\xbfNIP;NAMA;GELAR DEPAN")
    plan = build_plan(data)
    assert plan.ok, [str(e) for e in plan.errors]
    assert len(plan.baru) == 1


URLS = [
    ("opd:impor_daftar", False, "get"),
    ("opd:impor_unggah", False, "get"),
    ("opd:impor_unggah", False, "post"),
    ("opd:impor_templat", False, "get"),
    ("opd:impor_pratinjau", True, "get"),
    ("opd:impor_terapkan", True, "post"),
]


@pytest.mark.parametrize(("name", "with_pk", "method"), URLS)
@pytest.mark.parametrize("role", ["admin_opd", "pegawai", "penilai", "auditor", "outsider"])
def test_other_roles_get_403(client, world, name, with_pk, method, role):
    impor = _stored(world)
    url = reverse(name, args=[impor.pk] if with_pk else [])
    client.force_login(getattr(world, role))
    before = db_counts()
    assert getattr(client, method)(url).status_code == 403
    assert db_counts() == before
    impor.refresh_from_db()
    assert impor.status == "PRATINJAU"


@pytest.mark.parametrize(("name", "with_pk", "method"), URLS)
def test_anonymous_is_sent_to_login(client, world, name, with_pk, method):
    impor = _stored(world)
    url = reverse(name, args=[impor.pk] if with_pk else [])
    response = getattr(client, method)(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_menu_shows_impor_to_admin_bkd_only(client, world):
    client.force_login(world.admin_bkd)
    assert reverse("opd:impor_daftar") in client.get(reverse("opd:dashboard")).content.decode()
    client.force_login(world.admin_opd)
    assert reverse("opd:impor_daftar") not in client.get(reverse("opd:dashboard")).content.decode()
