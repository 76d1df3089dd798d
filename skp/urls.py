from django.urls import path

from skp.views import cetak, pohon
from skp.views import skp as skp_views

app_name = "skp"

# Each block belongs to one views module; keep additions inside your block.
urlpatterns: list = [
    # --- skp (daftar, penyusunan, persetujuan) ---
    path("", skp_views.daftar, name="daftar"),
    path("buat/", skp_views.buat, name="buat"),
    path("persetujuan/", skp_views.persetujuan, name="persetujuan"),
    path("<int:pk>/", skp_views.detail, name="detail"),
    path("<int:pk>/salin/", skp_views.salin, name="salin"),
    path("<int:pk>/ubah/", skp_views.ubah, name="ubah"),
    path("<int:pk>/rhk/tambah/", skp_views.rhk_tambah, name="rhk_tambah"),
    path("rhk/<int:pk>/ubah/", skp_views.rhk_ubah, name="rhk_ubah"),
    path("rhk/<int:pk>/hapus/", skp_views.rhk_hapus, name="rhk_hapus"),
    path("rhk/<int:pk>/pindah/", skp_views.rhk_pindah, name="rhk_pindah"),
    path("<int:pk>/ajukan/", skp_views.ajukan, name="ajukan"),
    path("<int:pk>/setujui/", skp_views.setujui, name="setujui"),
    path("<int:pk>/kembalikan/", skp_views.kembalikan, name="kembalikan"),
    path("<int:pk>/ekspektasi/", skp_views.ekspektasi, name="ekspektasi"),
    path("<int:pk>/revisi/", skp_views.revisi, name="revisi"),
    path("<int:pk>/hapus/", skp_views.hapus, name="hapus"),
    path("<int:pk>/tinjau/", skp_views.tinjau, name="tinjau"),
    path("<int:pk>/riwayat/", skp_views.riwayat, name="riwayat"),
    path("<int:pk>/tutup/", skp_views.tutup, name="tutup"),
    # --- end skp ---
    # --- pohon (pohon kinerja, matriks, cetak) ---
    path("pohon/", pohon.pohon, name="pohon"),
    path("pohon/rhk/", pohon.pohon_rhk, name="pohon_rhk"),
    path("matriks/", pohon.matriks, name="matriks"),
    path("<int:pk>/cetak/", cetak.cetak, name="cetak"),
    # --- end pohon ---
]
