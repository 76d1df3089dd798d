"""Account pages: login by NIP (throttled in opd.auth.NipBackend), the pegawai's own password
change, and the admin's password reset of a pegawai."""

from __future__ import annotations

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from opd import services
from opd.forms import NipLoginForm, UbahSandiForm
from opd.views.pegawai import get_pegawai_for

login_view = login_not_required(
    auth_views.LoginView.as_view(
        form_class=NipLoginForm, template_name="registration/login.html", redirect_authenticated_user=True
    )
)

password_change_done = auth_views.PasswordChangeDoneView.as_view()


@sensitive_post_parameters()
@csrf_protect
@never_cache
def password_change(request: HttpRequest) -> HttpResponse:
    """The pegawai's own password. Clears wajib_ganti_sandi; the session stays valid."""
    form = UbahSandiForm(request.user, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        update_session_auth_hash(request, form.save())
        return redirect("password_change_done")
    return render(
        request,
        "registration/password_change_form.html",
        {"form": form, "wajib_ganti": request.user.wajib_ganti_sandi},
    )


@never_cache
def pegawai_reset_sandi(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: confirmation page. POST: a new temporary password, shown once in this response only
    (never stored in a message or the audit trail)."""
    pegawai = get_pegawai_for(request.user, pk)
    if not request.user.can_manage_people_of(pegawai.opd_id):
        raise PermissionDenied("Hanya admin OPD pegawai ini atau admin BKD yang dapat mengatur ulang kata sandi.")
    if pegawai.pk == request.user.pk:
        raise PermissionDenied(
            "Anda tidak dapat mengatur ulang kata sandi Anda sendiri. Ubah kata sandi Anda melalui menu Ubah kata sandi."
        )
    if request.method != "POST":
        return render(request, "opd/pegawai_confirm_reset_sandi.html", {"pegawai": pegawai})
    password = services.reset_password(pegawai, by=request.user)
    return render(request, "opd/pegawai_reset_sandi_done.html", {"pegawai": pegawai, "password": password})
