from django.apps import AppConfig


class SkpConfig(AppConfig):
    name = "skp"
    verbose_name = "SKP"
