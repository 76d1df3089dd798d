"""Delete the change marks (ekinerja.jejak) written more than a day ago: no kept result is that
old, so they can no longer tell one it changed. The table stays bounded without it (65,536 rows
per key at most); run it daily from cron to keep it to the last day's writes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ekinerja import jejak


class Command(BaseCommand):
    help = "Hapus tanda perubahan (ek_jejak) yang lebih lama dari sehari; hanya PostgreSQL."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = jejak.rapikan()
        self.stdout.write(f"{deleted} tanda perubahan lama dihapus.")
