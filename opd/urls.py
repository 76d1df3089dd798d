from django.urls import path

from opd.views import akun, home, impor, organisasi, pegawai, pekerjaan

app_name = "opd"

# Each block belongs to one views module; keep additions inside your block.
urlpatterns = [
    # --- home (dashboard) ---
    path("", home.dashboard, name="dashboard"),
    # --- end home ---
    # --- pekerjaan (background jobs) ---
    path("pekerjaan/<int:pk>/", pekerjaan.pekerjaan_detail, name="pekerjaan_detail"),
    path("pekerjaan/<int:pk>/status/", pekerjaan.pekerjaan_status, name="pekerjaan_status"),
    path("pekerjaan/<int:pk>/unduh/", pekerjaan.pekerjaan_unduh, name="pekerjaan_unduh"),
    # --- end pekerjaan ---
    # --- pegawai ---
    path("pegawai/", pegawai.pegawai_list, name="pegawai_list"),
    path("pegawai/<int:pk>/", pegawai.pegawai_detail, name="pegawai_detail"),
    path("pegawai/<int:pk>/atasan/", pegawai.pegawai_atasan, name="pegawai_atasan"),
    # --- end pegawai ---
    # --- organisasi ---
    path("opd/", organisasi.opd_list, name="opd_list"),
    path("opd/<str:kode>/", organisasi.opd_detail, name="opd_detail"),
    path("plt/", organisasi.plt_list, name="plt_list"),
    path("plt/tambah/", organisasi.plt_tambah, name="plt_tambah"),
    path("plt/<int:pk>/batalkan/", organisasi.plt_batalkan, name="plt_batalkan"),
    path("jejak-audit/", organisasi.audit_list, name="audit_list"),
    # --- end organisasi ---
    # --- akun ---
    path("pegawai/<int:pk>/reset-kata-sandi/", akun.pegawai_reset_sandi, name="pegawai_reset_sandi"),
    # --- end akun ---
    # --- impor ---
    path("pegawai/impor/", impor.impor_daftar, name="impor_daftar"),
    path("pegawai/impor/unggah/", impor.impor_unggah, name="impor_unggah"),
    path("pegawai/impor/templat.csv", impor.impor_templat, name="impor_templat"),
    path("pegawai/impor/<int:pk>/", impor.impor_pratinjau, name="impor_pratinjau"),
    path("pegawai/impor/<int:pk>/terapkan/", impor.impor_terapkan, name="impor_terapkan"),
    # --- end impor ---
]
