from django.urls import path  # noqa: F401  (each views module contributes its own patterns)

from penilaian.views import (
    bulanan,
    cetak,
    kurva,
    monitoring,
    penilai,
    periode,
    tahunan,
    tpp_bulan,
    tpp_ekspor,
    tpp_hukdis,
    tpp_presensi,
    tpp_skema,
)

app_name = "penilaian"

urlpatterns = [
    *bulanan.urlpatterns,
    *penilai.urlpatterns,
    *periode.urlpatterns,
    *kurva.urlpatterns,
    *monitoring.urlpatterns,
    *tahunan.urlpatterns,
    *cetak.urlpatterns,
    *tpp_bulan.urlpatterns,
    *tpp_skema.urlpatterns,
    *tpp_presensi.urlpatterns,
    *tpp_hukdis.urlpatterns,
    *tpp_ekspor.urlpatterns,
]
