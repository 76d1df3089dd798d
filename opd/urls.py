from django.urls import path

from opd import views

app_name = "opd"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
