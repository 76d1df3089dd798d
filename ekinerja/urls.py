from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from opd.forms import AdminNipLoginForm
from opd.views import akun

# Django's admin login goes through the same backend (opd.auth.NipBackend) and lock as /masuk/.
admin.site.login_form = AdminNipLoginForm

urlpatterns = [
    path("masuk/", akun.login_view, name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("akun/kata-sandi/", akun.password_change, name="password_change"),
    path("akun/kata-sandi/selesai/", akun.password_change_done, name="password_change_done"),
    path("", include("opd.urls")),
    path("skp/", include("skp.urls")),
    path("django-admin/", admin.site.urls),
]

# Error pages in Indonesian in the app's layout; 400 and 500 render without touching the database.
handler400 = "opd.views.galat.bad_request"
handler500 = "opd.views.galat.server_error"
