from django.urls import path  # noqa: F401  (each views module contributes its own patterns)

from penilaian.views import bulanan, cetak, kurva, penilai, periode, tahunan, tpp_ekspor

app_name = "penilaian"

urlpatterns = [
    *bulanan.urlpatterns,
    *penilai.urlpatterns,
    *periode.urlpatterns,
    *kurva.urlpatterns,
    *tahunan.urlpatterns,
    *cetak.urlpatterns,
    *tpp_ekspor.urlpatterns,
]
