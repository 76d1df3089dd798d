"""`/healthz` for the load balancer and monitoring: 200 when the database answers a query, 503
otherwise. No login, no session, no cookie: it must answer the same whoever asks, and it must not
itself fail when the database is down. It also reports the background queue (django-tasks in the
database): how many tasks wait and how long the oldest has waited — a growing age means no worker
is running (`manage.py db_worker`). With a read replica configured it reports the replica's state and
lag too, but a replica that is down or behind does not turn the answer into a 503: the report pages
then read the primary (ekinerja/replika.py)."""

from __future__ import annotations

import time

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from ekinerja import replika


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        antrean = _antrean()
    except DatabaseError:
        # The broken connection is dropped at the end of this request (Django's
        # close_if_unusable_or_obsolete), so the next check reconnects.
        return JsonResponse({"status": "gagal", "basis_data": "tidak menjawab"}, status=503)
    ms = round((time.perf_counter() - started) * 1000, 1)
    # The read replica (when configured) is reported, never decisive: without it the report pages
    # read the primary, so the app is healthy while the primary answers.
    baca = replika.status_kesehatan() if replika.terkonfigurasi() else {}
    return JsonResponse({"status": "ok", "basis_data": "ok", "basis_data_ms": ms, **antrean, **baca})


def _antrean() -> dict:
    from django.db.models import Count, Min
    from django.utils import timezone
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    row = DBTaskResult.objects.filter(status=TaskResultStatus.READY).aggregate(n=Count("pk"), tertua=Min("enqueued_at"))
    umur = round((timezone.now() - row["tertua"]).total_seconds()) if row["tertua"] else None
    return {"antrean_menunggu": row["n"], "antrean_tertua_detik": umur}
