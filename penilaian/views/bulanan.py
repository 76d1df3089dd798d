"""Views: bulanan."""

urlpatterns: list = []
