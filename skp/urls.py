from django.urls import path

from skp.views import cetak, pohon

app_name = "skp"

# Each block belongs to one views module; keep additions inside your block.
urlpatterns: list = [
    # --- skp (daftar, penyusunan, persetujuan) ---
    # --- end skp ---
    # --- pohon (pohon kinerja, matriks, cetak) ---
    path("pohon/", pohon.pohon, name="pohon"),
    path("matriks/", pohon.matriks, name="matriks"),
    path("<int:pk>/cetak/", cetak.cetak, name="cetak"),
    # --- end pohon ---
]
