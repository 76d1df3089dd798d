from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from ekinerja.kesehatan import healthz
from opd.forms import AdminNipLoginForm
from opd.views import akun

# Django's admin login goes through the same backend (opd.auth.NipBackend) and lock as /masuk/.
admin.site.login_form = AdminNipLoginForm


@login_not_required
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and tools ask for /favicon.ico whatever the page links: send them to the icon."""
    return redirect(static("favicon.svg"), permanent=True)


urlpatterns = [
    path("favicon.ico", favicon),
    path("healthz", healthz, name="healthz"),
    path("masuk/", akun.login_view, name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("akun/kata-sandi/", akun.password_change, name="password_change"),
    path("akun/kata-sandi/selesai/", akun.password_change_done, name="password_change_done"),
    path("", include("opd.urls")),
    path("skp/", include("skp.urls")),
    path("kinerja/", include("penilaian.urls")),
    path("django-admin/", admin.site.urls),
]

# Error pages in Indonesian in the app's layout; 400 and 500 render without touching the database.
handler400 = "opd.views.galat.bad_request"
handler500 = "opd.views.galat.server_error"
