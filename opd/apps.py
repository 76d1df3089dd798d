from django.apps import AppConfig


class OpdConfig(AppConfig):
    name = "opd"
    verbose_name = "Organisasi"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from ekinerja.basisdata import atur_sesi

        # Every connection, the replica's too (issue #9; see ekinerja/basisdata.py).
        connection_created.connect(atur_sesi, dispatch_uid="ekinerja.basisdata.atur_sesi")
