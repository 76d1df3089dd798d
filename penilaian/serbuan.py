"""The deadline-day rush (issue #9 §4): prepare the bench data set for a load test and check,
afterwards, that every write the server acknowledged is stored exactly once.

The load itself is driven by locust in its own process (beban/locustfile.py, which cannot import
Django); it reads the plan written by `siapkan` and appends one journal line per write it sent
(what it sent, and whether the server acknowledged it, refused it with a message, or failed).
`periksa` then compares that journal with the database.

Only bench rows are touched (NIP prefix bench.PREFIX, built by `manage.py bench`). The team of
the bench's Kepala Puskesmas is left alone: the bench measures its pages and expects its states.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from opd.models import AuditLog, Pegawai
from penilaian.bench import data as bench
from penilaian.models import BuktiDukung, Evaluasi, Periode, RencanaAksi, UmpanBalik
from penilaian.services._common import is_terkunci_untuk, periode_sekarang
from skp.models import RencanaHasilKerja, Skp

PREFIX = bench.PREFIX  # NIP prefix of the bench data set (penilaian/bench/data.py)
NIP_KAPUS = bench.nip(PREFIX, bench.NO_KAPUS)  # the bench's measured penilai: their team is not used
NIP_ADMIN = bench.nip(PREFIX, bench.NO_ADMIN)  # the bench's admin BKD
St = Evaluasi.Status

# Journal outcomes (written by the locustfile).
ACK = "ack"  # the server confirmed the write (success message on its redirect)
DITOLAK = "ditolak"  # the server refused it with a message (state or version conflict)
GALAT = "galat"  # 5xx, timeout or no connection: the client does not know whether it was stored
BELUM = "belum"  # written before the POST left; no answer line followed (counted as GALAT)


class SerbuanError(Exception):
    """A preparation that cannot be done, with a message for the operator."""


def pasang_sandi(sandi: str) -> int:
    """Give every bench pegawai the same known password: one hash, one UPDATE, bench rows only.
    Returns the number of rows updated."""
    return Pegawai.objects.filter(nip__startswith=PREFIX).update(password=make_password(sandi), wajib_ganti_sandi=False)


def _pilih_penilai(periode: Periode, jumlah: int) -> list[tuple[int, list[int]]]:
    """The `jumlah` bench penilai with the largest teams this year: [(penilai_id, [pegawai_id…])]."""
    skp = Skp.objects.filter(
        pegawai__nip__startswith=PREFIX,
        penilai__nip__startswith=PREFIX,
        status=Skp.Status.DISETUJUI,
        mulai__lte=periode.selesai,
        selesai__gte=periode.mulai,
    ).exclude(penilai__nip=NIP_KAPUS)
    top = list(
        skp.values("penilai_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "penilai_id")
        .values_list("penilai_id", flat=True)
    )[:jumlah]
    tim: dict[int, list[int]] = defaultdict(list)
    for pegawai_id, penilai_id in (
        skp.filter(penilai_id__in=top).order_by("pegawai__nip").values_list("pegawai_id", "penilai_id")
    ):
        tim[penilai_id].append(pegawai_id)
    return [(p, tim[p]) for p in top]


@transaction.atomic
def siapkan(*, penilai: int = 20, run_id: str) -> dict:
    """Reset the rush month of the chosen teams, in one transaction, so that every run starts
    alike: in every team half the months are submitted and wait for the penilai (realisasi
    complete), the other half are drafts whose rencana aksi and bukti exist but whose realisasi
    is empty (the pegawai fill it in and submit during the rush). Rating fields and umpan balik
    are cleared. Returns the plan that locust and `periksa` read."""
    periode = periode_sekarang()
    if periode is None:
        raise SerbuanError("Belum ada periode bulanan yang dibuka (bangun data bench dahulu).")
    tim = _pilih_penilai(periode, penilai)
    if not tim:
        raise SerbuanError(f"Tidak ada pegawai bench (NIP {PREFIX}…): jalankan manage.py bench --bangun-saja dahulu.")
    semua = [p for _, anggota in tim for p in anggota]
    evs = {
        ev.pegawai_id: ev
        for ev in Evaluasi.objects.filter(periode=periode, pegawai_id__in=semua, hasil_bulan=True).select_related(
            "pegawai"
        )
    }
    contoh = next(iter(evs.values()), None)
    if contoh is None or is_terkunci_untuk(periode, contoh.pegawai_id):
        raise SerbuanError(f"Periode {periode.nama} tidak dapat dipakai (tanpa evaluasi bench atau sudah dikunci).")

    draf, dikirim, urutan_pegawai = [], [], []
    for _, anggota in tim:
        for k, pegawai_id in enumerate(a for a in anggota if a in evs):
            (dikirim if k % 2 == 0 else draf).append(evs[pegawai_id].pk)
    # Pegawai accounts in the order the locust users take them: team by team in turns, so that
    # the first penilai (held by the first penilai users) receive submissions early.
    antrian = [[evs[a].pk for k, a in enumerate(x for x in anggota if x in evs) if k % 2] for _, anggota in tim]
    for i in range(max(map(len, antrian))):
        urutan_pegawai.extend(q[i] for q in antrian if i < len(q))
    ev_ids = draf + dikirim
    _lengkapi_rencana_aksi(ev_ids)
    sekarang = timezone.now()
    UmpanBalik.objects.filter(evaluasi_id__in=ev_ids).delete()
    reset = {"catatan_pengembalian": "", "rating_hasil": "", "rating_perilaku": "", "predikat": "",
             "dinilai_oleh": None, "dinilai_pada": None}  # fmt: skip
    Evaluasi.objects.filter(pk__in=draf).update(status=St.DRAFT, dikirim_pada=None, **reset)
    Evaluasi.objects.filter(pk__in=dikirim).update(
        status=St.DIKIRIM, dikirim_pada=sekarang - datetime.timedelta(days=1), **reset
    )
    # Stale forms of a previous run must not pass the version check.
    Evaluasi.objects.filter(pk__in=ev_ids).update(versi=F("versi") + 1)
    RencanaAksi.objects.filter(evaluasi_id__in=draf).update(realisasi=None, realisasi_uraian="")
    RencanaAksi.objects.filter(evaluasi_id__in=dikirim).update(
        realisasi=F("target"), realisasi_uraian="Selesai (serbuan)."
    )

    nip_of = dict(Pegawai.objects.filter(pk__in=[p for p, _ in tim] + semua).values_list("pk", "nip"))
    ev_by_pk = {ev.pk: ev for ev in evs.values()}
    target = {
        str(pk): (None if t is None else str(t))
        for pk, t in RencanaAksi.objects.filter(evaluasi_id__in=draf).values_list("pk", "target")
    }
    versi = dict(Evaluasi.objects.filter(pk__in=ev_ids).values_list("pk", "versi"))
    return {
        "run": run_id,
        "mulai": timezone.now().isoformat(),
        "periode": {"tahun": periode.tahun, "bulan": periode.bulan},
        "admin_bkd": NIP_ADMIN,
        "penilai": [nip_of[p] for p, _ in tim],
        "pegawai": [nip_of[ev_by_pk[e].pegawai_id] for e in urutan_pegawai],
        "evaluasi_draf": sorted(draf),
        "evaluasi_dikirim": sorted(dikirim),
        "versi_awal": {str(k): v for k, v in versi.items()},
        "target": target,
    }


def _lengkapi_rencana_aksi(ev_ids: list[int]) -> None:
    """Every main RHK has a rencana aksi this month and every rencana aksi a bukti (a link), as
    a pegawai's month looks on the last day before the realisasi is written."""
    evs = list(Evaluasi.objects.filter(pk__in=ev_ids).values_list("pk", "skp_id", "pegawai_id"))
    rhk_by_skp: dict[int, list[RencanaHasilKerja]] = defaultdict(list)
    for rhk in RencanaHasilKerja.objects.filter(
        skp_id__in={s for _, s, _ in evs}, jenis=RencanaHasilKerja.Jenis.UTAMA
    ).prefetch_related("iki_set"):
        rhk_by_skp[rhk.skp_id].append(rhk)
    punya = set(RencanaAksi.objects.filter(evaluasi_id__in=ev_ids).values_list("evaluasi_id", "rhk_id"))
    baru = []
    for ev_id, skp_id, _ in evs:
        for rhk in rhk_by_skp[skp_id]:
            iki = next(iter(rhk.iki_set.all()), None)
            if (ev_id, rhk.pk) in punya or iki is None:
                continue
            target = iki.target_min if iki.target_min and iki.target_min > 0 else None
            baru.append(
                RencanaAksi(
                    evaluasi_id=ev_id,
                    rhk=rhk,
                    iki=iki,
                    urutan=9,
                    uraian=f"{iki.uraian} bulan ini"[:200],
                    target=target,
                    satuan=iki.satuan,
                )
            )
    RencanaAksi.objects.bulk_create(baru)
    pegawai_of = {ev_id: pegawai_id for ev_id, _, pegawai_id in evs}
    tanpa = RencanaAksi.objects.filter(evaluasi_id__in=ev_ids, bukti_set__isnull=True).values_list("pk", "evaluasi_id")
    BuktiDukung.objects.bulk_create(
        BuktiDukung(rencana_aksi_id=ra_id, jenis=BuktiDukung.Jenis.TAUTAN, keterangan="Laporan bulanan",
                    tautan=f"https://drive.example.go.id/serbuan/{ra_id}", diunggah_oleh_id=pegawai_of[ev_id])
        for ra_id, ev_id in tanpa
    )  # fmt: skip


# Checking ------------------------------------------------------------------------------------------


def ringkas_jurnal(baris: list[dict]) -> list[dict]:
    """One record per write, in the order the writes started: the line written before the POST
    (what was sent) merged with its answer line (the outcome). A write with no answer line is
    unanswered: GALAT (it may or may not have been stored)."""
    tulis: dict[int, dict] = {}
    for row in baris:
        if row.get("id") is None:
            continue
        if row["id"] in tulis:
            tulis[row["id"]].update(row)
        else:
            tulis[row["id"]] = dict(row)
    for row in tulis.values():
        if row["hasil"] == BELUM:
            row["hasil"] = GALAT
    return list(tulis.values())


@dataclass
class Cek:
    nama: str
    lulus: bool
    rincian: str
    contoh: list[str] = field(default_factory=list)


@dataclass
class Tersimpan:
    """What the database holds for the rush's evaluations (read with a fixed number of queries)."""

    evaluasi: dict[int, dict]  # pk → status, rating_hasil, rating_perilaku, versi
    aksi: dict[int, dict]  # rencana aksi pk → evaluasi, realisasi (Decimal|None), realisasi_uraian
    umpan_balik: dict[int, list[tuple[str, str]]]  # evaluasi pk → [(key, teks)]: key "rhk:<id>" / "perilaku:<kode>"
    audit: dict[tuple[int, str], int]  # (evaluasi pk, aksi) → rows since the plan's start


def baca_tersimpan(rencana: dict, jurnal: list[dict]) -> Tersimpan:
    ev_ids = (
        set(rencana["evaluasi_draf"])
        | set(rencana["evaluasi_dikirim"])
        | {r["evaluasi"] for r in jurnal if r.get("evaluasi")}
    )
    evaluasi = {
        pk: {"status": s, "rating_hasil": rh, "rating_perilaku": rp, "versi": v}
        for pk, s, rh, rp, v in Evaluasi.objects.filter(pk__in=ev_ids).values_list(
            "pk", "status", "rating_hasil", "rating_perilaku", "versi"
        )
    }
    aksi = {
        pk: {"evaluasi": e, "realisasi": r, "realisasi_uraian": u}
        for pk, e, r, u in RencanaAksi.objects.filter(evaluasi_id__in=ev_ids).values_list(
            "pk", "evaluasi_id", "realisasi", "realisasi_uraian"
        )
    }
    umpan_balik: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for e, rhk_id, perilaku, teks in UmpanBalik.objects.filter(evaluasi_id__in=ev_ids).values_list(
        "evaluasi_id", "rhk_id", "perilaku", "teks"
    ):
        umpan_balik[e].append((f"rhk:{rhk_id}" if rhk_id else f"perilaku:{perilaku}", teks))
    mulai = datetime.datetime.fromisoformat(rencana["mulai"])
    ct = ContentType.objects.get_for_model(Evaluasi)
    audit = Counter()
    for object_id, aksi_audit, n in (
        AuditLog.objects.filter(content_type=ct, object_id__in=[str(pk) for pk in ev_ids], waktu__gte=mulai)
        .values_list("object_id", "aksi")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        audit[(int(object_id), aksi_audit)] = n
    return Tersimpan(evaluasi=evaluasi, aksi=aksi, umpan_balik=dict(umpan_balik), audit=dict(audit))


def _setelah_ack_terakhir(catatan: list[dict]) -> tuple[dict | None, list[dict]]:
    """The last acknowledged attempt and the failed attempts after it (which may or may not have
    been stored: the client never heard back). Attempts are in the journal's order."""
    terakhir, sesudah = None, []
    for r in catatan:
        if r["hasil"] == ACK:
            terakhir, sesudah = r, []
        elif r["hasil"] == GALAT:
            sesudah.append(r)
    return terakhir, sesudah


def nilai_jurnal(rencana: dict, jurnal: list[dict], db: Tersimpan) -> list[Cek]:
    """The exactly-once checks of the journal against the stored state (no database access)."""
    per_ev: dict[int, list[dict]] = defaultdict(list)
    per_aksi: dict[int, list[dict]] = defaultdict(list)
    for r in jurnal:
        per_ev[r["evaluasi"]].append(r)
        if r["jenis"] == "realisasi":
            per_aksi[r["rencana_aksi"]].append(r)
    hasil: list[Cek] = []

    # 1. Kirim: acknowledged → submitted, exactly one audit row; never two anywhere.
    salah, n_ack = [], 0
    terkirim = {ev_id for ev_id, aksi in db.audit if aksi == "realisasi_dikirim"}
    for ev_id in sorted(set(per_ev) | terkirim):
        kirim = [r for r in per_ev.get(ev_id, []) if r["jenis"] == "kirim"]
        ack = [r for r in kirim if r["hasil"] == ACK]
        n_audit = db.audit.get((ev_id, "realisasi_dikirim"), 0)
        status = db.evaluasi.get(ev_id, {}).get("status")
        n_ack += len(ack)
        if ack and (status not in (St.DIKIRIM, St.DINILAI) or n_audit != 1):
            salah.append(f"evaluasi {ev_id}: kirim diakui, status {status}, {n_audit} baris audit")
        elif n_audit > 1:
            salah.append(f"evaluasi {ev_id}: {n_audit} baris audit realisasi_dikirim")
        elif n_audit and not kirim:
            salah.append(f"evaluasi {ev_id}: terkirim tanpa permintaan kirim di jurnal")
    hasil.append(Cek("Kirim realisasi tersimpan tepat sekali", not salah,
                     f"{n_ack} kirim diakui server; {len(salah)} menyimpang", salah[:5]))  # fmt: skip

    # 2. Realisasi: the stored value is the last acknowledged one (or a later failed attempt's).
    salah, n_ack, ragu = [], 0, 0
    for ra_id, rows in per_aksi.items():
        terakhir, sesudah = _setelah_ack_terakhir(rows)
        n_ack += sum(r["hasil"] == ACK for r in rows)
        if terakhir is None:
            continue
        tersimpan = db.aksi.get(ra_id)
        kandidat = [terakhir, *sesudah]
        cocok = tersimpan is not None and any(_realisasi_sama(tersimpan, r["nilai"]) for r in kandidat)
        if not cocok:
            salah.append(f"rencana aksi {ra_id}: tersimpan {tersimpan}, diakui {terakhir['nilai']}")
        elif not _realisasi_sama(tersimpan, terakhir["nilai"]):
            ragu += 1
    rincian = f"{n_ack} simpan realisasi diakui; {len(salah)} menyimpang"
    if ragu:
        rincian += f"; {ragu} menyimpan percobaan sesudahnya yang tidak terjawab (boleh)"
    hasil.append(Cek("Realisasi tersimpan = nilai terakhir yang diakui", not salah, rincian, salah[:5]))

    # 3. Penilaian: rated, the last acknowledged ratings and umpan balik, audit rows neither lost
    #    nor doubled (acknowledged ≤ rows ≤ acknowledged + unanswered).
    salah, n_ack = [], 0
    for ev_id, rows in per_ev.items():
        nilai = [r for r in rows if r["jenis"] == "nilai"]
        if not nilai:
            continue
        ack = sum(r["hasil"] == ACK for r in nilai)
        galat = sum(r["hasil"] == GALAT for r in nilai)
        n_ack += ack
        n_audit = db.audit.get((ev_id, "evaluasi_dinilai"), 0)
        if not ack <= n_audit <= ack + galat:
            salah.append(f"evaluasi {ev_id}: {ack} penilaian diakui, {galat} tak terjawab, {n_audit} baris audit")
            continue
        terakhir, sesudah = _setelah_ack_terakhir(nilai)
        if terakhir is None:
            continue
        ev = db.evaluasi.get(ev_id, {})
        ub = sorted(db.umpan_balik.get(ev_id, []))
        if not any(_nilai_sama(ev, ub, r["nilai"]) for r in [terakhir, *sesudah]):
            salah.append(
                f"evaluasi {ev_id}: tersimpan {ev.get('status')} {ev.get('rating_hasil')}/{ev.get('rating_perilaku')}"
                f" ({len(ub)} umpan balik), diakui {terakhir['nilai']['rating_hasil']}/"
                f"{terakhir['nilai']['rating_perilaku']}"
            )
    hasil.append(Cek("Penilaian tersimpan tepat sekali, nilai terakhir yang diakui", not salah,
                     f"{n_ack} penilaian diakui; {len(salah)} menyimpang", salah[:5]))  # fmt: skip

    # 4. Every change counted once: the evaluation's version rose by exactly the number of writes
    #    that went through (acknowledged ≤ rise ≤ acknowledged + unanswered).
    salah, tersimpan_tanpa_jawaban, n_galat = [], 0, 0
    for ev_id_s, awal in rencana["versi_awal"].items():
        ev_id = int(ev_id_s)
        rows = per_ev.get(ev_id, [])
        ack = sum(r["hasil"] == ACK for r in rows)
        galat = sum(r["hasil"] == GALAT for r in rows)
        n_galat += galat
        naik = db.evaluasi.get(ev_id, {}).get("versi", awal) - awal
        if not ack <= naik <= ack + galat:
            salah.append(f"evaluasi {ev_id}: versi naik {naik}, {ack} tulis diakui, {galat} tak terjawab")
        else:
            tersimpan_tanpa_jawaban += naik - ack
    rincian = f"{len(rencana['versi_awal'])} evaluasi diperiksa; {len(salah)} menyimpang"
    if n_galat:
        rincian += f"; dari {n_galat} tulis tak terjawab {tersimpan_tanpa_jawaban} ternyata tersimpan (sekali)"
    hasil.append(Cek("Tidak ada tulis yang hilang atau ganda (versi evaluasi)", not salah, rincian, salah[:5]))
    return hasil


def _realisasi_sama(tersimpan: dict, dikirim: dict) -> bool:
    angka = dikirim.get("realisasi")
    angka = None if angka in (None, "") else Decimal(angka)
    return tersimpan["realisasi"] == angka and tersimpan["realisasi_uraian"] == dikirim["realisasi_uraian"].strip()


def _kunci_umpan_balik(nama: str) -> str:
    """The form's field name (ub_rhk_<id>, ub_perilaku_<kode>) as the stored row's key."""
    if nama.startswith("ub_rhk_"):
        return "rhk:" + nama.removeprefix("ub_rhk_")
    return "perilaku:" + nama.removeprefix("ub_perilaku_")


def _nilai_sama(ev: dict, ub: list[tuple[str, str]], dikirim: dict) -> bool:
    """`dikirim`: the ratings and the umpan balik fields exactly as posted."""
    harap = sorted(
        (_kunci_umpan_balik(k), v.strip()[:4000]) for k, v in dikirim.get("umpan_balik", {}).items() if v.strip()
    )
    return (
        ev.get("status") == St.DINILAI
        and ev.get("rating_hasil") == dikirim["rating_hasil"]
        and ev.get("rating_perilaku") == dikirim["rating_perilaku"]
        and ub == harap
    )


def periksa(rencana: dict, jurnal: list[dict]) -> list[Cek]:
    """`jurnal`: the records of ringkas_jurnal."""
    return nilai_jurnal(rencana, jurnal, baca_tersimpan(rencana, jurnal))
