"""The rush's verification (issue #9 §4): how the locustfile reads pages and tells an
acknowledged write (beban/halaman.py, against the real app), and the exactly-once checker
(penilaian/serbuan.py) on a small world, able to fail when a write is lost or doubled."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from beban.halaman import berhasil, formulir, pesan_dari
from beban.serbuan import pisah_galat
from opd import audit
from opd.models import Pegawai
from penilaian import serbuan
from penilaian.bench import data as bench
from penilaian.models import BuktiDukung, Evaluasi, RencanaAksi
from penilaian.serbuan import ACK, BELUM, DITOLAK, GALAT, Tersimpan, nilai_jurnal, ringkas_jurnal
from penilaian.services import alur, bulanan
from tests.penilaian_fixtures_penilai import buka_periode, evaluasi_bulan, skp_tim

# Pages read as a browser reads them ----------------------------------------------------------------


def test_login_form_is_read_with_its_csrf_token_and_posts_back(client, world):
    html = client.get(reverse("login")).content.decode()
    form = formulir(html, action=reverse("login"))
    assert form is not None and form["fields"]["csrfmiddlewaretoken"] and "next" in form["fields"]
    client.cookies.load({})  # a browser posts the token of the page together with its cookie
    response = client.post(reverse("login"), {**form["fields"], "username": world.pegawai.nip, "password": "salah"})
    assert response.status_code == 200 and not berhasil(response)


@pytest.fixture
def dikirim(world) -> Evaluasi:
    periode = buka_periode(by=world.admin_bkd)
    skp_tim(world)
    return evaluasi_bulan(world.pegawai, periode)


def test_rating_form_posted_as_read_is_acknowledged(client, world, dikirim):
    client.force_login(world.penilai)
    url = reverse("penilaian:nilai", args=[dikirim.pk])
    form = formulir(client.get(url).content.decode(), id="form-nilai")
    assert form["radios"]["rating_hasil"] == ["DI_ATAS", "SESUAI", "DI_BAWAH"]
    assert form["fields"]["versi"] == str(dikirim.versi)
    assert any(name.startswith("ub_rhk_") for name in form["fields"])
    response = client.post(url, {**form["fields"], "rating_hasil": "SESUAI", "rating_perilaku": "SESUAI"})
    assert response.status_code == 302 and berhasil(response)
    assert [level for level, _ in pesan_dari(response)] == [25]
    # The same form again carries a stale version: refused with the page, not acknowledged.
    response = client.post(url, {**form["fields"], "rating_hasil": "DI_ATAS", "rating_perilaku": "SESUAI"})
    assert response.status_code == 200 and not berhasil(response)
    dikirim.refresh_from_db()
    assert dikirim.rating_hasil == "SESUAI"


def test_refused_submission_redirects_with_an_error_message_not_an_acknowledgement(client, world, dikirim):
    client.force_login(world.pegawai)
    url = reverse("penilaian:kirim_realisasi", args=[dikirim.pk])
    response = client.post(url, {"versi": dikirim.versi})  # already submitted
    assert response.status_code == 302 and not berhasil(response)
    assert [level for level, _ in pesan_dari(response)] == [40]


def test_realisasi_form_posted_as_read_is_acknowledged(client, world):
    periode = buka_periode(by=world.admin_bkd)
    skp_tim(world)
    ev = evaluasi_bulan(world.pegawai, periode, kirim=False)
    ra = RencanaAksi.objects.filter(evaluasi=ev).first()
    client.force_login(world.pegawai)
    url = reverse("penilaian:rencana_aksi", args=[ra.pk])
    form = formulir(client.get(url).content.decode(), id="realisasi-form")
    response = client.post(url, {**form["fields"], "realisasi": "3,5", "realisasi_uraian": "Selesai."})
    assert berhasil(response)
    ra.refresh_from_db()
    assert (ra.realisasi, ra.realisasi_uraian) == (Decimal("3.50"), "Selesai.")


# The exactly-once checker, on stored states given directly --------------------------------------

RENCANA = {"versi_awal": {"1": 5, "2": 5}, "evaluasi_draf": [1], "evaluasi_dikirim": [2]}


def _tulis(jenis: str, evaluasi: int, hasil: str, **nilai) -> dict:
    ra = nilai.pop("ra", None)
    return {"jenis": jenis, "evaluasi": evaluasi, "rencana_aksi": ra, "hasil": hasil, "nilai": nilai}


def _db(*, ev1=("DIKIRIM", "", "", 8), ev2=("DINILAI", "SESUAI", "DI_ATAS", 6), aksi=("3.00", "ok"), ub=None,
        audit_rows=None) -> Tersimpan:  # fmt: skip
    evs = {pk: dict(zip(("status", "rating_hasil", "rating_perilaku", "versi"), v, strict=True))
           for pk, v in ((1, ev1), (2, ev2))}  # fmt: skip
    return Tersimpan(
        evaluasi=evs,
        aksi={10: {"evaluasi": 1, "realisasi": Decimal(aksi[0]), "realisasi_uraian": aksi[1]}},
        umpan_balik={2: ub if ub is not None else [("rhk:7", "Baik.")]},
        audit=audit_rows if audit_rows is not None else {(1, "realisasi_dikirim"): 1, (2, "evaluasi_dinilai"): 1},
    )


JURNAL_BAIK = [
    _tulis("realisasi", 1, ACK, ra=10, realisasi="2.00", realisasi_uraian="pertama"),
    _tulis("realisasi", 1, ACK, ra=10, realisasi="3.00", realisasi_uraian="ok"),
    _tulis("kirim", 1, ACK),
    _tulis("nilai", 2, ACK, rating_hasil="SESUAI", rating_perilaku="DI_ATAS", umpan_balik={"ub_rhk_7": "Baik. "}),
]


def _gagal(hasil: list) -> set[str]:
    return {c.nama for c in hasil if not c.lulus}


def test_checker_passes_when_everything_is_stored_once():
    assert _gagal(nilai_jurnal(RENCANA, JURNAL_BAIK, _db())) == set()


@pytest.mark.parametrize(
    ("db", "gagal"),
    [
        # The acknowledged submission is not stored (lost).
        (_db(ev1=("DRAFT", "", "", 7)), {"Kirim realisasi tersimpan tepat sekali", "Tidak ada tulis yang hilang atau ganda (versi evaluasi)"}),
        # Stored twice: two audit rows.
        (_db(audit_rows={(1, "realisasi_dikirim"): 2, (2, "evaluasi_dinilai"): 1}), {"Kirim realisasi tersimpan tepat sekali"}),
        # The first realisasi, not the last acknowledged one, is stored.
        (_db(aksi=("2.00", "pertama")), {"Realisasi tersimpan = nilai terakhir yang diakui"}),
        # A rating stored twice (two audit rows for one acknowledged save).
        (_db(audit_rows={(1, "realisasi_dikirim"): 1, (2, "evaluasi_dinilai"): 2}),
         {"Penilaian tersimpan tepat sekali, nilai terakhir yang diakui"}),
        # Another rating than the acknowledged one; umpan balik doubled or missing.
        (_db(ev2=("DINILAI", "DI_BAWAH", "DI_ATAS", 6)), {"Penilaian tersimpan tepat sekali, nilai terakhir yang diakui"}),
        (_db(ub=[("rhk:7", "Baik."), ("rhk:7", "Baik.")]), {"Penilaian tersimpan tepat sekali, nilai terakhir yang diakui"}),
        (_db(ub=[]), {"Penilaian tersimpan tepat sekali, nilai terakhir yang diakui"}),
        # One write applied twice: the version rose by one more than the writes acknowledged.
        (_db(ev1=("DIKIRIM", "", "", 9)), {"Tidak ada tulis yang hilang atau ganda (versi evaluasi)"}),
    ],
)  # fmt: skip
def test_checker_fails_on_a_lost_or_doubled_write(db, gagal):
    assert _gagal(nilai_jurnal(RENCANA, JURNAL_BAIK, db)) == gagal


def test_an_unanswered_write_may_or_may_not_be_stored_but_never_twice():
    jurnal = [*JURNAL_BAIK, _tulis("nilai", 2, GALAT, rating_hasil="DI_BAWAH", rating_perilaku="DI_ATAS",
                                   umpan_balik={})]  # fmt: skip
    # Not stored: the earlier acknowledged rating stays.
    assert _gagal(nilai_jurnal(RENCANA, jurnal, _db())) == set()
    # Stored: the later (unanswered) rating, one more audit row and version.
    stored = _db(ev2=("DINILAI", "DI_BAWAH", "DI_ATAS", 7), ub=[],
                 audit_rows={(1, "realisasi_dikirim"): 1, (2, "evaluasi_dinilai"): 2})  # fmt: skip
    assert _gagal(nilai_jurnal(RENCANA, jurnal, stored)) == set()
    # Stored twice: too many.
    twice = _db(ev2=("DINILAI", "DI_BAWAH", "DI_ATAS", 8), ub=[],
                audit_rows={(1, "realisasi_dikirim"): 1, (2, "evaluasi_dinilai"): 3})  # fmt: skip
    assert _gagal(nilai_jurnal(RENCANA, jurnal, twice)) == {
        "Penilaian tersimpan tepat sekali, nilai terakhir yang diakui",
        "Tidak ada tulis yang hilang atau ganda (versi evaluasi)",
    }


def test_a_submission_nobody_sent_is_reported():
    jurnal = [r for r in JURNAL_BAIK if r["jenis"] != "kirim"]
    assert "Kirim realisasi tersimpan tepat sekali" in _gagal(
        nilai_jurnal(RENCANA, jurnal, _db(ev1=("DIKIRIM", "", "", 7)))
    )


def test_journal_lines_merge_and_a_write_without_answer_counts_as_unanswered():
    baris = [
        {"id": 1, "hasil": BELUM, "jenis": "kirim", "evaluasi": 1, "nilai": {}},
        {"id": 2, "hasil": BELUM, "jenis": "kirim", "evaluasi": 2, "nilai": {}},
        {"id": 1, "hasil": ACK, "status": 302},
        {"id": 3, "hasil": BELUM, "jenis": "kirim", "evaluasi": 3, "nilai": {}},
        {"id": 3, "hasil": DITOLAK, "status": 302},
    ]
    assert [(r["id"], r["evaluasi"], r["hasil"]) for r in ringkas_jurnal(baris)] == [
        (1, 1, ACK), (2, 2, GALAT), (3, 3, DITOLAK)
    ]  # fmt: skip


# The checker against the database ------------------------------------------------------------------


def test_periksa_reads_the_database_and_catches_a_doubled_audit_row(world, dikirim):
    mulai = timezone.now()  # after the fixture submitted `dikirim`: that one is not part of the run
    ev = evaluasi_bulan(world.pegawai2, dikirim.periode, kirim=False)
    rencana = {"mulai": mulai.isoformat(), "evaluasi_draf": [ev.pk], "evaluasi_dikirim": [dikirim.pk],
               "versi_awal": {str(ev.pk): ev.versi, str(dikirim.pk): dikirim.versi}}  # fmt: skip
    ra = RencanaAksi.objects.filter(evaluasi=ev).first()
    bulanan.simpan_realisasi(ra, by=world.pegawai2, versi=ev.versi, realisasi=Decimal(3), realisasi_uraian="Beres.")
    ev.refresh_from_db()
    alur.kirim_realisasi(ev, by=world.pegawai2, versi=ev.versi)
    alur.simpan_penilaian(dikirim, by=world.penilai, rating_hasil="SESUAI", rating_perilaku="SESUAI",
                          versi=dikirim.versi)  # fmt: skip
    jurnal = [
        _tulis("realisasi", ev.pk, ACK, ra=ra.pk, realisasi="3", realisasi_uraian="Beres."),
        _tulis("kirim", ev.pk, ACK),
        _tulis("nilai", dikirim.pk, ACK, rating_hasil="SESUAI", rating_perilaku="SESUAI", umpan_balik={}),
    ]
    assert _gagal(serbuan.periksa(rencana, jurnal)) == set()
    audit.record(ev, "realisasi_dikirim", by=world.pegawai2)  # the same submission recorded twice
    assert _gagal(serbuan.periksa(rencana, jurnal)) == {"Kirim realisasi tersimpan tepat sekali"}


# The command on a small bench data set: prepare, re-prepare, measure, check ---------------------------


def test_siapkan_biaya_periksa_on_a_small_bench_set(tmp_path, world):
    call_command("bench", pegawai=120, bangun_saja=True, stdout=io.StringIO())
    hash_lama = Pegawai.objects.get(pk=world.pegawai.pk).password
    rencana_path, jurnal_path = tmp_path / "rencana.json", tmp_path / "jurnal.jsonl"
    jurnal_path.write_text("")

    def siapkan() -> dict:
        call_command("serbuan", "siapkan", "--rencana", str(rencana_path), "--penilai", "4", stdout=io.StringIO())
        return json.loads(rencana_path.read_text())

    def periksa() -> str:
        out = io.StringIO()
        try:
            call_command("serbuan", "periksa", "--rencana", str(rencana_path), "--jurnal", str(jurnal_path), stdout=out)
        except CommandError as e:  # a check failed
            out.write(f"\n{e}")
        return out.getvalue()

    rencana = siapkan()
    draf, dikirim = rencana["evaluasi_draf"], rencana["evaluasi_dikirim"]
    assert draf and dikirim and len(rencana["pegawai"]) == len(draf)
    kapus = bench.nip(bench.PREFIX, bench.NO_KAPUS)
    assert kapus not in rencana["penilai"]  # the bench's measured team is left alone
    # One known password for bench rows only.
    assert Pegawai.objects.get(pk=world.pegawai.pk).password == hash_lama
    hashes = set(Pegawai.objects.filter(nip__startswith=bench.PREFIX).values_list("password", flat=True))
    assert len(hashes) == 1
    assert Pegawai.objects.get(nip=rencana["pegawai"][0]).check_password(rencana["sandi"])
    # Drafts: every rencana aksi empty, with a bukti; submitted ones complete.
    assert set(Evaluasi.objects.filter(pk__in=draf).values_list("status", flat=True)) == {"DRAFT"}
    assert set(Evaluasi.objects.filter(pk__in=dikirim).values_list("status", flat=True)) == {"DIKIRIM"}
    assert not RencanaAksi.objects.filter(evaluasi_id__in=draf, realisasi_uraian__gt="").exists()
    assert not RencanaAksi.objects.filter(evaluasi_id__in=draf + dikirim, bukti_set__isnull=True).exists()
    assert BuktiDukung.objects.filter(rencana_aksi__evaluasi_id__in=draf).exists()
    assert "GAGAL" not in periksa()

    # Writes that no journal line announces are caught; a new `siapkan` makes the month new again.
    out = io.StringIO()
    call_command("serbuan", "biaya", "--rencana", str(rencana_path), "--contoh", "1", stdout=out)
    for nama in ("masuk: kirim", "simpan realisasi", "kirim realisasi", "simpan penilaian", "pemantauan"):
        assert nama in out.getvalue()
    assert "GAGAL  Kirim realisasi tersimpan tepat sekali" in periksa()
    rencana = siapkan()
    assert set(Evaluasi.objects.filter(pk__in=rencana["evaluasi_draf"]).values_list("status", flat=True)) == {"DRAFT"}
    assert "GAGAL" not in periksa()


@pytest.mark.parametrize(
    ("mulai", "selesai", "di_dalam"),
    [
        (95.0, 101.0, True),  # begun before the stop, answered 503 during the outage
        (104.0, 104.5, True),  # inside
        (108.9, 109.5, True),  # begun just before recovery
        (90.0, 99.9, False),  # answered before the stop
        (109.1, 109.2, False),  # after recovery
    ],
)
def test_an_error_belongs_to_the_outage_when_the_request_was_in_flight_during_it(mulai, selesai, di_dalam):
    g = (mulai, selesai, "rencana aksi", "503", "status 503")
    dalam, luar = pisah_galat([g], 100.0, 109.0)
    assert (dalam, luar) == (([g], []) if di_dalam else ([], [g]))
