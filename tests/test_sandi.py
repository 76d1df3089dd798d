"""Passwords (issue #6 §3, §5): a password set by someone else must be replaced before any
other page opens; nobody resets their own password through the admin page; /akun/kata-sandi/
speaks one wording ("kata sandi", "Anda") with Indonesian validator messages."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from opd import services
from opd.middleware import WAJIB_GANTI_SANDI_MESSAGE
from opd.models import AuditLog
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "Kinerja#Baru2026"


def _visible_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _change(client, old: str, new1: str, new2: str | None = None):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new1, "new_password2": new1 if new2 is None else new2},
    )


# --- forced change after a password set by someone else ---------------------------------------


@pytest.fixture
def reset(client, world) -> str:
    """The admin OPD resets the pegawai's password; the pegawai logs in with it."""
    password = services.reset_password(world.pegawai, by=world.admin_opd)
    response = client.post(reverse("login"), {"username": world.pegawai.nip, "password": password})
    assert response.status_code == 302
    return password


def test_reset_sets_the_flag(world):
    services.reset_password(world.pegawai, by=world.admin_opd)
    world.pegawai.refresh_from_db()
    assert world.pegawai.wajib_ganti_sandi


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/pegawai/",
        "/skp/",
        "/django-admin/",
        "/tidak-ada/",
    ],
)
def test_flagged_user_reaches_only_the_password_page(client, world, reset, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == reverse("password_change")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert WAJIB_GANTI_SANDI_MESSAGE in page.content.decode()


def test_flagged_user_post_elsewhere_changes_nothing(client, world, reset):
    response = client.post(reverse("opd:pegawai_reset_sandi", args=[world.pegawai2.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("password_change")


def test_flagged_user_can_log_out(client, world, reset):
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and "_auth_user_id" not in client.session


def test_flagged_page_offers_no_link_back_into_the_app(client, world, reset):
    """No Batal, breadcrumb or menu entry that would only lead back to this page."""
    html = client.get(reverse("password_change")).content.decode()
    assert ">Batal</a>" not in html and "Kata sandi Anda diatur oleh admin" in html
    assert f'href="{reverse("opd:dashboard")}"' not in html.split("</nav>", 1)[1]
    assert f'href="{reverse("opd:pegawai_list")}"' not in html and 'href="/skp/"' not in html
    client.post(reverse("password_change"), {"old_password": reset, "new_password1": NEW, "new_password2": NEW})
    # Once changed, the menu is back (a plain pegawai's menu: Beranda and Daftar SKP).
    assert f'href="{reverse("skp:daftar")}"' in client.get(reverse("password_change")).content.decode()


def test_change_clears_the_flag_and_keeps_the_session(client, world, reset):
    response = _change(client, reset, NEW)
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    world.pegawai.refresh_from_db()
    assert not world.pegawai.wajib_ganti_sandi and world.pegawai.check_password(NEW)
    assert client.get(reverse("opd:dashboard")).status_code == 200  # still logged in
    row = AuditLog.objects.for_object(world.pegawai).filter(aksi="ganti_sandi").get()
    assert row.actor == world.pegawai and NEW not in str(row.perubahan) + row.alasan


def test_flagged_user_must_choose_a_different_password(client, world, reset):
    response = _change(client, reset, reset)
    assert response.status_code == 200
    assert "Kata sandi baru harus berbeda dari kata sandi Anda saat ini." in response.content.decode()
    world.pegawai.refresh_from_db()
    assert world.pegawai.wajib_ganti_sandi


def test_unflagged_user_is_not_redirected(client, world):
    client.force_login(world.pegawai)
    assert client.get(reverse("opd:dashboard")).status_code == 200


# --- separation of duties: no self-reset through the admin page ---------------------------------


@pytest.mark.parametrize("admin", ["admin_opd", "admin_bkd"])
def test_admin_cannot_reset_own_password(client, world, admin):
    user = getattr(world, admin)
    client.force_login(user)
    url = reverse("opd:pegawai_reset_sandi", args=[user.pk])
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 403
        assert "Anda tidak dapat mengatur ulang kata sandi Anda sendiri." in response.content.decode()
    before = user.password
    user.refresh_from_db()
    assert user.password == before and not user.wajib_ganti_sandi
    assert not AuditLog.objects.filter(aksi="reset_sandi").exists()


def test_service_refuses_self_reset(world):
    with pytest.raises(services.OrganisasiError, match="kata sandi Anda sendiri"):
        services.reset_password(world.admin_opd, by=world.admin_opd)


def test_reset_button_not_on_own_page(client, world):
    client.force_login(world.admin_opd)
    own = client.get(reverse("opd:pegawai_detail", args=[world.admin_opd.pk])).content.decode()
    assert reverse("opd:pegawai_reset_sandi", args=[world.admin_opd.pk]) not in own
    other = client.get(reverse("opd:pegawai_detail", args=[world.pegawai.pk])).content.decode()
    assert reverse("opd:pegawai_reset_sandi", args=[world.pegawai.pk]) in other


# --- /akun/kata-sandi/: one wording --------------------------------------------------------------


def test_password_change(client, world):
    client.force_login(world.pegawai)
    url = reverse("password_change")
    assert "Ubah kata sandi" in client.get(url).content.decode()
    response = _change(client, "salah", "x")
    assert response.status_code == 200 and response.context["form"].errors
    assert "Kata sandi Anda saat ini salah. Silakan ketik ulang." in response.content.decode()
    response = _change(client, PASSWORD, NEW)
    assert response["Location"] == reverse("password_change_done")
    world.pegawai.refresh_from_db()
    assert world.pegawai.check_password(NEW)


def test_password_page_uses_one_wording(client, world):
    """Before: Django's labels and help ("Sandi lama", "Sandi baru", "Sandi anda tidak dapat …")
    beside our "kata sandi"."""
    client.force_login(world.pegawai)
    html = _visible_text(client.get(reverse("password_change")).content.decode())
    for text in (
        "Kata sandi Anda saat ini",
        "Kata sandi baru",
        "Ulangi kata sandi baru",
        "Kata sandi Anda minimal 8 karakter.",
        "Kata sandi Anda tidak boleh mirip dengan NIP, nama, atau email Anda.",
        "Kata sandi Anda tidak boleh kata sandi yang umum dipakai.",
        "Kata sandi Anda tidak boleh hanya berisi angka.",
    ):
        assert text in html, text
    for text in ("Sandi lama", "Sandi baru", "Konfirmasi sandi", " anda ", "Sandi anda", "password", "Password"):
        assert text not in html, text
    done = client.get(reverse("password_change_done")).content.decode()
    assert "Kata sandi Anda berhasil diubah" in done


@pytest.mark.parametrize(
    ("new1", "new2", "message"),
    [
        ("Ab#1", None, "Kata sandi ini terlalu pendek: minimal 8 karakter."),
        ("48213975103", None, "Kata sandi ini hanya berisi angka."),
        ("password123", None, "Kata sandi ini terlalu umum dan mudah ditebak."),
        ("{nip}", None, "Kata sandi ini terlalu mirip dengan NIP Anda."),
        ("{nama}", None, "Kata sandi ini terlalu mirip dengan nama Anda."),
        (NEW, NEW + "x", "Kedua kata sandi baru tidak sama."),
    ],
)
def test_password_rules_in_indonesian(client, world, new1, new2, message):
    client.force_login(world.pegawai)
    new1 = new1.format(nip=world.pegawai.nip, nama=world.pegawai.nama.replace(" ", ""))
    response = _change(client, PASSWORD, new1, new2)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert f'value="{PASSWORD}"' not in html  # passwords are never echoed back
