"""A small diagnostic task for the production smoke test (.ci/smoke) and for an operator who wants
to see that a worker runs: it asks the database how many pegawai and open periods there are."""

from __future__ import annotations

from django_tasks import task


@task()
def periksa() -> dict:
    from opd.models import Pegawai

    return {"pegawai": Pegawai.objects.count()}
