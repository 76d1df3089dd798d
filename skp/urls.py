app_name = "skp"

urlpatterns: list = []
