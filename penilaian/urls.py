from django.urls import path  # noqa: F401  (each views module contributes its own patterns)

from penilaian.views import bulanan, cetak, kurva, monitoring, penilai, periode, tahunan

app_name = "penilaian"

urlpatterns = [
    *bulanan.urlpatterns,
    *penilai.urlpatterns,
    *periode.urlpatterns,
    *kurva.urlpatterns,
    *monitoring.urlpatterns,
    *tahunan.urlpatterns,
    *cetak.urlpatterns,
]
