from django.urls import path

from opd.views import home

app_name = "opd"

# Each block belongs to one views module; keep additions inside your block.
urlpatterns = [
    # --- home (dashboard) ---
    path("", home.dashboard, name="dashboard"),
    # --- end home ---
]
