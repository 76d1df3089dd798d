"""The measured pages: each opened through the test client as its user, one warm-up then
`runs` timed requests with their queries captured; the trivial page of the same run is the unit."""

from __future__ import annotations

import math
import statistics
import time
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekinerja import jejak
from opd.models import Pegawai
from penilaian.bench.data import DataBench, Spec, bangun, temukan

RINGAN = "ringan"
TARGET_KECIL, TARGET_BESAR, BATAS_TARGET = 10, 15, 10_000  # issue #9: ≤10× up to 10,000 pegawai, ≤15× above


@dataclass(frozen=True)
class Halaman:
    kode: str
    judul: str
    user: Pegawai
    url: str
    dihitung: bool = False  # the first view after its data changed: computed, not kept (ekinerja.jejak)


@dataclass
class Hasil:
    kode: str
    judul: str
    url: str
    dihitung: bool = False
    times: list[float] = field(default_factory=list)
    kueri: list[int] = field(default_factory=list)
    status: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def target(n: int) -> int:
    return TARGET_KECIL if n <= BATAS_TARGET else TARGET_BESAR


def daftar(data: DataBench) -> list[Halaman]:
    """The measured pages; the trivial page first."""
    t, b, k = data.tahun, data.spec.bulan_kini, data.bulan_kurva
    opd = data.opd_terbesar
    beranda = reverse("opd:dashboard")
    return [
        Halaman(RINGAN, "Pembanding: kata sandi diubah (tata letak dasar)", data.kapus, reverse("password_change_done")),
        Halaman("b_pegawai", "Beranda pegawai (anggota tim)", data.anggota, beranda),
        Halaman("b_penilai", "Beranda pejabat penilai (Kepala Puskesmas)", data.kapus, beranda),
        Halaman("b_kepala", f"Beranda Kepala OPD terbesar ({opd.kode})", data.kepala_opd, beranda),
        Halaman("b_admin_opd", f"Beranda admin OPD terbesar ({opd.kode})", data.admin_opd, beranda),
        Halaman("b_bkd", "Beranda admin BKD", data.admin, beranda),
        Halaman("b_auditor", "Beranda auditor", data.auditor, beranda),
        Halaman("skp", "SKP satu pegawai (anggota tim)", data.anggota, reverse("skp:detail", args=[data.skp_anggota])),
        Halaman("inbox", "Kotak masuk SKP penilai", data.kapus, reverse("skp:persetujuan")),
        Halaman("tinjau", "Tinjau SKP yang diajukan", data.kapus, reverse("skp:tinjau", args=[data.skp_diajukan])),
        Halaman("tim", "Tim penilai (40 bawahan), bulan ini", data.kapus, reverse("penilaian:tim_bulan", args=[t, b])),
        Halaman("nilai", "Penilaian satu evaluasi yang dikirim", data.kapus,
                reverse("penilaian:nilai", args=[data.ev_dikirim])),
        Halaman("bulan", "Bulan pegawai (anggota tim), bulan ini", data.anggota,
                reverse("penilaian:bulanan_detail", args=[t, b])),
        Halaman("pohon", f"Pohon kinerja OPD terbesar ({opd.kode})", data.admin,
                f"{reverse('skp:pohon')}?opd={opd.kode}&tahun={t}"),
        Halaman("kurva", "Kurva semua OPD (admin BKD), bulan lalu", data.admin,
                reverse("penilaian:kurva_bulan", args=[t, k])),
        Halaman("pantau", "Pemantauan semua OPD (admin BKD), bulan ini", data.admin,
                reverse("penilaian:pemantauan_bulan", args=[t, b])),
        Halaman("pantau_hitung", "Pemantauan semua OPD, dihitung (data baru berubah)", data.admin,
                reverse("penilaian:pemantauan_bulan", args=[t, b]), dihitung=True),
        Halaman("tpp", "TPP kabupaten (admin BKD), bulan lalu", data.admin, reverse("penilaian:tpp_bulan", args=[t, k])),
        Halaman("tpp_hitung", "TPP kabupaten, dihitung (data baru berubah)", data.admin,
                reverse("penilaian:tpp_bulan", args=[t, k]), dihitung=True),
        Halaman("tpp_opd", f"TPP OPD terbesar ({opd.kode}), bulan lalu", data.admin,
                reverse("penilaian:tpp_opd", args=[t, k, opd.pk])),
    ]  # fmt: skip


def client_for(user: Pegawai) -> Client:
    host = next((h for h in settings.ALLOWED_HOSTS if h and h != "*" and not h.startswith(".")), "localhost")
    client = Client(HTTP_HOST=host)
    client.force_login(user)
    return client


def ukur(data: DataBench, runs: int, kode: set[str] | None = None) -> list[Hasil]:
    """Each page: one warm-up, then `runs` timed requests, each with its queries captured. The
    pages take turns run by run, so a load spike on the shared machine hits them alike."""
    pages = [h for h in daftar(data) if kode is None or h.kode in kode or h.kode == RINGAN]
    clients: dict[int, Client] = {}
    hasil = {h.kode: Hasil(h.kode, h.judul, h.url, h.dihitung) for h in pages}
    for h in pages:
        client = clients.setdefault(h.user.pk, client_for(h.user))
        response = client.get(h.url)  # warm-up: templates compiled, session loaded, connection open
        if response.status_code != 200:
            raise CommandError(f"{h.judul}: {h.url} menjawab status {response.status_code}, bukan 200.")
    for _ in range(runs):
        for h in pages:
            client, r = clients[h.user.pk], hasil[h.kode]
            with CaptureQueriesContext(connection) as ctx, jejak.paksa_hitung() if h.dihitung else nullcontext():
                started = time.perf_counter()
                response = client.get(h.url)
                r.times.append((time.perf_counter() - started) * 1000)
            r.kueri.append(len(ctx.captured_queries))
            r.status = response.status_code
            if response.status_code != 200:
                raise CommandError(f"{h.judul}: {h.url} menjawab status {response.status_code}, bukan 200.")
    return list(hasil.values())


def kueri_kecil(spec: Spec) -> dict[str, int]:
    """The query count of each page on a small set built in the next year, rolled back."""
    with transaction.atomic():
        bangun(spec)
        data = temukan(spec)
        if data is None:
            raise CommandError("Data pembanding kecil tidak terbentuk.")
        counts = {h.kode: h.kueri[-1] for h in ukur(data, 1)}
        transaction.set_rollback(True)
    return counts
