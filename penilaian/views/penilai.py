"""Views: penilai."""

urlpatterns: list = []
