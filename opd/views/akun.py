"""Account pages: login by NIP (throttled), and the admin's password reset of a pegawai."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from opd import services
from opd.forms import NipLoginForm
from opd.views.pegawai import get_pegawai_for

login_view = login_not_required(
    auth_views.LoginView.as_view(
        form_class=NipLoginForm, template_name="registration/login.html", redirect_authenticated_user=True
    )
)


@never_cache
def pegawai_reset_sandi(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: confirmation page. POST: a new temporary password, shown once in this response only
    (never stored in a message or the audit trail)."""
    pegawai = get_pegawai_for(request.user, pk)
    if not request.user.can_manage_people_of(pegawai.opd_id):
        raise PermissionDenied("Hanya admin OPD pegawai ini atau admin BKD yang dapat mengatur ulang kata sandi.")
    if request.method != "POST":
        return render(request, "opd/pegawai_confirm_reset_sandi.html", {"pegawai": pegawai})
    password = services.reset_password(pegawai, by=request.user)
    return render(request, "opd/pegawai_reset_sandi_done.html", {"pegawai": pegawai, "password": password})
