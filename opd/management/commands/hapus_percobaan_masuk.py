"""Delete the LoginAttempt rows that no longer count (last failure older than
LOGIN_LOCK_MINUTES and no lock running). Failed logins also prune now and then; run this from
cron to keep the table small regardless."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from opd import services


class Command(BaseCommand):
    help = "Hapus catatan percobaan masuk yang gagal yang sudah tidak berlaku."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = services.prune_login_attempts()
        self.stdout.write(f"{deleted} catatan percobaan masuk lama dihapus.")
