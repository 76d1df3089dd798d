"""Views: cetak."""

urlpatterns: list = []
