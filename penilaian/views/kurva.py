"""Views: kurva."""

urlpatterns: list = []
