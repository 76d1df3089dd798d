from django.apps import AppConfig


class OpdConfig(AppConfig):
    name = "opd"
    verbose_name = "Organisasi"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from ekinerja.basisdata import tanpa_jit

        # Every connection, the replica's too (issue #9; see ekinerja/basisdata.py).
        connection_created.connect(tanpa_jit, dispatch_uid="ekinerja.basisdata.tanpa_jit")
