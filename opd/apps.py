from django.apps import AppConfig


class OpdConfig(AppConfig):
    name = "opd"
    verbose_name = "Organisasi"
