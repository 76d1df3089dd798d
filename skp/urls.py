from django.urls import path

app_name = "skp"

# Each block belongs to one views module; keep additions inside your block.
urlpatterns: list = [
    # --- skp (daftar, penyusunan, persetujuan) ---
    # --- end skp ---
    # --- pohon (pohon kinerja, matriks, cetak) ---
    # --- end pohon ---
]
