"""Views: periode."""

urlpatterns: list = []
