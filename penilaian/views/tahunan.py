"""Views: tahunan."""

urlpatterns: list = []
