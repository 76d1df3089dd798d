"""Demo data of the monthly cycle (issue #7 §9), called by `python manage.py demo` after the SKP demo.

For the pilot OPDs and the year of the demo SKPs:
- the twelve months and the annual period opened by the demo admin BKD (default deadlines);
- every month before the current one evaluated: rencana aksi per RHK with a monthly target,
  realisasi consistent with the rating, bukti dukung (generated PDF and PNG files stored through
  `penilaian.bukti` for the demo penilai's team, https links for the others), umpan balik, the
  two ratings and the predikat, with a realistic mix per OPD that fits the OPD's curve — except
  Inspektorat in the last three past months, whose curve breaks two constraints (SPEC §6);
- each pilot OPD's capaian organisasi for every month; the months past their evaluation deadline
  finalised (Inspektorat's broken month with a recorded justification), except the latest one,
  which has an unlock for one pegawai (reason written, audited);
- the current month in progress through the services (the same checks as the pages): some
  pegawai not started, some drafting, some submitted, some rated, one returned with a note; the
  demo login "Pegawai (bulanan)" has not started, so the month can be filled in the browser.

Past months are written in bulk (they are history: their deadlines are gone, so the services
would refuse them, rightly); every value they hold obeys the same rules (rules.predikat, the
snapshots of `pastikan_evaluasi`). Running it again changes nothing.
"""

from __future__ import annotations

import datetime
import math
import random
import struct
import time
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TextIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from opd import audit
from opd.demo import DemoLogin
from opd.models import Opd, Pegawai
from opd.services import OrgChart
from penilaian import bukti, rules
from penilaian.models import NAMA_BULAN, BuktiDukung, Evaluasi, Periode, RencanaAksi, UmpanBalik
from penilaian.rules import CapaianOrganisasi, Predikat, Rating
from penilaian.services import alur, bulanan, kurva
from penilaian.services import periode as periode_svc
from penilaian.services._common import isi_snapshot_pegawai, pastikan_evaluasi
from skp.demo import PILOT_KODES, _demo_nips
from skp.models import IndikatorKinerja, RencanaHasilKerja, Skp
from skp.services._common import snapshot_of

St = Evaluasi.Status
A, S, B = Rating.DI_ATAS, Rating.SESUAI, Rating.DI_BAWAH

# Ratings that give each predikat (SPEC §5 matrix); the first is the usual one.
RATING_UNTUK = {
    Predikat.SANGAT_BAIK: [(A, A)],
    Predikat.BAIK: [(S, S), (S, S), (A, S), (S, A)],
    Predikat.BUTUH_PERBAIKAN: [(B, S), (B, A)],
    Predikat.KURANG: [(S, B)],
}
CAPAIAN_OPD = {
    "SETDA": CapaianOrganisasi.BAIK,
    "BKD": CapaianOrganisasi.ISTIMEWA,
    "INSPEKTORAT": CapaianOrganisasi.BAIK,
    "DINKESDALDUKKB": CapaianOrganisasi.BAIK,
}
KURVA_RUSAK = "INSPEKTORAT"  # its last three past months: 85 % Baik and nobody Butuh Perbaikan (SPEC §6, Baik)
JUSTIFIKASI = (
    "Inspektorat menyelesaikan seluruh audit kinerja triwulan tepat waktu; Inspektur telah memeriksa "
    "ulang penilaian dan menyatakan tidak ada pegawai dengan hasil kerja di bawah ekspektasi "
    "(nota dinas Inspektur tanggal {tanggal})."
)
ALASAN_BUKA = (
    "Bukti dukung laporan kegiatan salah unggah (berkas bulan sebelumnya); pejabat penilai meminta "
    "penilaian diperbaiki setelah berkas yang benar diunggah. Surat Kepala Dinas tanggal {tanggal}."
)
CATATAN_KEMBALI = (
    "Bukti dukung rencana aksi pertama belum sesuai: unggah daftar hadir dan notulen kegiatan, lalu kirim kembali."
)
KATA_KERJA = ("Menyusun", "Menyelesaikan", "Melaksanakan", "Menyiapkan", "Mengolah")
UMPAN_BALIK = {
    Predikat.SANGAT_BAIK: "Hasil kerja melampaui target dengan bukti yang lengkap; pertahankan.",
    Predikat.BAIK: "Hasil kerja sesuai target; bukti dukung lengkap.",
    Predikat.BUTUH_PERBAIKAN: "Realisasi di bawah target; susun jadwal kerja mingguan dan laporkan kendalanya lebih awal.",
    Predikat.KURANG: "Hasil kerja tercapai, tetapi kehadiran rapat koordinasi dan ketepatan waktu perlu diperbaiki.",
}
PERILAKU_UMPAN_BALIK = {
    Predikat.SANGAT_BAIK: ("KOLABORATIF", "Aktif membantu rekan kerja menyelesaikan pekerjaan tim."),
    Predikat.KURANG: ("AKUNTABEL", "Dua kali terlambat menyampaikan laporan tanpa pemberitahuan; perbaiki."),
}


@dataclass
class HasilDemo:
    logins: list[DemoLogin] = field(default_factory=list)


# Generated evidence files ---------------------------------------------------------------------------


def _pdf_text(text: str) -> str:
    text = text.encode("latin-1", "replace").decode("latin-1")
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_laporan(judul: str, baris: list[str]) -> bytes:
    """A small valid one-page A4 PDF (Helvetica), like a scanned activity report's cover."""
    ops = ["BT", "/F1 15 Tf", "56 780 Td", f"({_pdf_text(judul)}) Tj", "/F1 11 Tf"]
    for line in baris:
        ops += ["0 -20 Td", f"({_pdf_text(line)}) Tj"]
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def png_foto(seed: int, lebar: int = 160, tinggi: int = 120) -> bytes:
    """A small valid PNG (a coloured gradient standing in for a photo of the activity)."""
    rng = random.Random(seed)
    r0, g0, b0 = rng.randrange(40, 200), rng.randrange(40, 200), rng.randrange(40, 200)
    rows = bytearray()
    for y in range(tinggi):
        rows.append(0)
        for x in range(lebar):
            rows += bytes(((r0 + x) % 256, (g0 + y) % 256, (b0 + x // 2 + y // 2) % 256))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", lebar, tinggi, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def _berkas_bukti(pegawai: Pegawai, ra: RencanaAksi, periode: Periode, nomor: int) -> SimpleUploadedFile:
    if nomor % 3 == 2:
        return SimpleUploadedFile(f"foto-kegiatan-{periode.tahun}-{periode.bulan:02d}.png", png_foto(ra.pk or nomor))
    judul = f"Laporan Kegiatan {NAMA_BULAN[periode.bulan - 1]} {periode.tahun}"
    baris = [
        f"Nama: {pegawai.nama_lengkap}",
        f"NIP: {pegawai.nip}",
        f"Rencana aksi: {ra.uraian[:90]}",
        f"Realisasi: {ra.realisasi_uraian[:90]}",
        "Dokumen ini dibuat oleh data demo e-Kinerja.",
    ]
    nama = f"laporan-{periode.tahun}-{periode.bulan:02d}-{nomor}.pdf"
    return SimpleUploadedFile(nama, pdf_laporan(judul, baris), content_type="application/pdf")


# Rencana aksi and realisasi values ------------------------------------------------------------------


def _target_bulanan(iki: IndikatorKinerja) -> tuple[Decimal | None, str]:
    if iki.target_min is None:
        return None, ""
    puncak = iki.target_max or iki.target_min
    if iki.aspek == IndikatorKinerja.Aspek.KUANTITAS:
        return Decimal(max(1, math.ceil(puncak / 12))), iki.satuan or "kegiatan"
    if iki.aspek == IndikatorKinerja.Aspek.WAKTU and (iki.satuan or "").lower() == "bulan":
        return Decimal(1), "bulan"
    return Decimal(puncak), iki.satuan


def _realisasi(target: Decimal, rating_hasil: str, lebih_kecil: bool, rng: random.Random) -> Decimal:
    if rating_hasil == A:
        faktor = Decimal("0.8") if lebih_kecil else Decimal(rng.choice(("1.1", "1.2", "1.5")))
    elif rating_hasil == B:
        faktor = Decimal("1.3") if lebih_kecil else Decimal(rng.choice(("0.5", "0.6", "0.75")))
    else:
        faktor = Decimal(1)
    nilai = (target * faktor).quantize(Decimal("0.01"))
    if target == target.to_integral_value() and faktor != 1:
        nilai = nilai.to_integral_value()
    return nilai


def _aksi_untuk(skp_rhk: list[RencanaHasilKerja], periode: Periode, rng: random.Random) -> list[dict]:
    """One rencana aksi per RHK utama (and a tambahan one when the SKP has it), tied to its first
    IKI; sometimes a second one for the quality IKI."""
    bulan = NAMA_BULAN[periode.bulan - 1]
    out = []
    for rhk in skp_rhk:
        ikis = list(rhk.iki_set.all())
        if not ikis:
            continue
        iki = ikis[0]
        target, satuan = _target_bulanan(iki)
        inti = rhk.uraian.split(" pada ")[0]
        inti = inti[0].lower() + inti[1:]
        kata = KATA_KERJA[(rhk.pk + periode.bulan) % len(KATA_KERJA)]
        out.append({"rhk": rhk, "iki": iki, "target": target, "satuan": satuan,
                    "uraian": f"{kata} {satuan or 'bahan'} untuk {inti} bulan {bulan}"})  # fmt: skip
        if len(ikis) > 1 and ikis[1].target_min is not None and rng.random() < 0.35:
            kedua = ikis[1]
            target2, satuan2 = _target_bulanan(kedua)
            out.append({"rhk": rhk, "iki": kedua, "target": target2, "satuan": satuan2,
                        "uraian": f"Memeriksa mutu {satuan or 'hasil kerja'} {bulan} sesuai standar"})  # fmt: skip
    return out


def _uraian_realisasi(aksi: dict, realisasi: Decimal | None) -> str:
    if realisasi is None:
        return "Dilaksanakan sesuai rencana; hasil dan dokumentasi terlampir pada bukti dukung."
    angka = f"{realisasi.normalize():f}".replace(".", ",")
    return f"Terealisasi {angka} {aksi['satuan']}; rincian dan dokumentasi terlampir.".replace("  ", " ")


# Predikat mix -----------------------------------------------------------------------------------------


def sebaran_predikat(n: int, rng: random.Random, *, rusak: bool = False) -> list[Predikat]:
    """A plausible predikat list for n rated pegawai of an OPD whose capaian is Baik or Istimewa:
    at most 70 % Baik, at least one Butuh Perbaikan or Kurang (SPEC §6); `rusak` breaks both."""
    if n == 0:
        return []
    if rusak:
        sb = max(0, round(n * 0.15))
        return [Predikat.SANGAT_BAIK] * sb + [Predikat.BAIK] * (n - sb)
    bp = max(1, round(n * rng.choice((0.06, 0.08, 0.1))))
    k = 1 if n >= 15 and rng.random() < 0.35 else 0
    sb = round(n * rng.choice((0.2, 0.25, 0.3)))
    baik = n - bp - k - sb
    maks_baik = math.floor(70 * n / 100)
    if baik > maks_baik:
        sb += baik - maks_baik
        baik = maks_baik
    if baik < 0:
        sb += baik
        baik = 0
    daftar = [Predikat.SANGAT_BAIK] * sb + [Predikat.BAIK] * baik + [Predikat.BUTUH_PERBAIKAN] * bp
    daftar += [Predikat.KURANG] * k
    rng.shuffle(daftar)
    return daftar


# The seed ------------------------------------------------------------------------------------------------


def _write(stdout: TextIO | None, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def _jam(tanggal: datetime.date, jam: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(tanggal, datetime.time(jam, 0)))


class _Dunia:
    """Who takes part: pilot pegawai with an approved SKP of the year, their penilai (org chart
    of today), the demo logins."""

    def __init__(self, tahun: int) -> None:
        self.tahun = tahun
        self.chart = OrgChart()
        nips = _demo_nips()
        by_nip = {p.nip: p for p in Pegawai.objects.filter(nip__in=nips.values()).select_related("jabatan", "opd")}
        self.login = {k: by_nip[v] for k, v in nips.items() if v in by_nip}
        self.admin_bkd = self.login["admin_bkd"]
        self.admin_opd = self.login.get("admin_opd")
        self.opds = {o.kode: o for o in Opd.objects.filter(kode__in=PILOT_KODES)}
        ids = set(
            Skp.objects.filter(
                tahun=tahun, status=Skp.Status.DISETUJUI, pegawai__opd__kode__in=PILOT_KODES
            ).values_list("pegawai_id", flat=True)
        )
        semua = self.chart.pegawai
        self.skp_of: dict[int, list[Skp]] = {}
        for skp in Skp.objects.filter(pegawai_id__in=ids, status=Skp.Status.DISETUJUI).order_by("mulai"):
            self.skp_of.setdefault(skp.pegawai_id, []).append(skp)
        self.anggota = sorted(
            (semua[i] for i in ids if i in semua and self.chart.penilai_id(i) in semua), key=lambda p: p.nip
        )
        # The monthly demo team: the demo penilai's bawahan when they have approved SKPs (in the SKP
        # demo hers are still in review), otherwise the Dinkes supervisor with the most bawahan
        # holding an approved SKP: the team page then shows a real mix of statuses.
        per_penilai: dict[int, list[Pegawai]] = {}
        for p in self.anggota:
            per_penilai.setdefault(self.chart.penilai_id(p.pk), []).append(p)
        penilai = self.login.get("penilai")
        if penilai is None or len(per_penilai.get(penilai.pk, [])) < 3:
            dinkes = self.opds.get("DINKESDALDUKKB")
            calon = [pid for pid in per_penilai if dinkes and semua[pid].opd_id == dinkes.pk] or list(per_penilai)
            penilai = semua[max(calon, key=lambda pid: (len(per_penilai[pid]), semua[pid].nip))] if calon else None
        self.penilai_bulanan = penilai
        self.tim = per_penilai.get(penilai.pk, []) if penilai else []
        saya = self.login.get("pegawai")
        kandidat = [p for p in self.tim if not saya or p.pk != saya.pk]
        # "Pegawai (bulanan)": a bawahan of that penilai; the others get the special statuses.
        self.pegawai_bulanan = kandidat[0] if kandidat else None
        self.tim_lain = kandidat[1:]

    def penilai(self, p: Pegawai) -> Pegawai:
        return self.chart.pegawai[self.chart.penilai_id(p.pk)]

    def atasan_penilai(self, p: Pegawai) -> Pegawai | None:
        pid = self.chart.penilai_id(self.chart.penilai_id(p.pk))
        return self.chart.pegawai.get(pid) if pid else None


def seed_penilaian(*, tahun: int, stdout: TextIO | None = None, today: datetime.date | None = None) -> HasilDemo:
    started = time.monotonic()
    today = today or timezone.localdate()
    dunia = _Dunia(tahun)
    hasil = HasilDemo()
    penilai_demo = dunia.login.get("penilai")
    if dunia.penilai_bulanan is not None and (penilai_demo is None or dunia.penilai_bulanan.pk != penilai_demo.pk):
        p = dunia.penilai_bulanan
        hasil.logins.append(
            DemoLogin(
                peran="Penilai (bulanan)",
                nip=p.nip,
                nama=p.nama_lengkap,
                keterangan=f"{p.jabatan.nama} ({p.opd.kode}); menilai {len(dunia.tim)} bawahan bulan ini",
            )
        )
    if dunia.pegawai_bulanan is not None:
        p = dunia.pegawai_bulanan
        hasil.logins.append(
            DemoLogin(
                peran="Pegawai (bulanan)",
                nip=p.nip,
                nama=p.nama_lengkap,
                keterangan=f"{p.jabatan.nama} ({p.opd.kode}); realisasi bulan ini belum diisi",
            )
        )
    with transaction.atomic():
        periode_svc.buka_tahun(tahun, by=dunia.admin_bkd)
    if Evaluasi.objects.filter(periode__tahun=tahun, snap_opd__kode__in=PILOT_KODES).exists():
        _write(stdout, f"Penilaian demo {tahun}: sudah ada, dilewati.\n")
        return hasil
    periode = {p.bulan: p for p in Periode.objects.filter(tahun=tahun).bulanan()}
    if tahun < today.year:
        lalu, sekarang = list(range(1, 13)), None
    elif tahun == today.year:
        lalu, sekarang = list(range(1, today.month)), today.month
    else:
        lalu, sekarang = [], None
    jumlah = {"evaluasi": 0, "berkas": 0}
    for bulan in lalu:
        with transaction.atomic():
            _bulan_lalu(dunia, periode[bulan], rusak=bulan in lalu[-3:], jumlah=jumlah)
    if sekarang is not None:
        with transaction.atomic():
            _bulan_berjalan(dunia, periode[sekarang], jumlah=jumlah)
    with transaction.atomic():
        _kurva_dan_kunci(dunia, [periode[b] for b in lalu] + ([periode[sekarang]] if sekarang else []), today)
    with transaction.atomic():
        jumlah.update(_tpp(dunia, tahun, [periode[b] for b in lalu], today))
        audit.record(
            None, "demo_dimuat", by=None, perubahan={"evaluasi_demo": (0, jumlah["evaluasi"])},
            alasan=f"python manage.py demo: penilaian bulanan {tahun}",
        )  # fmt: skip
    _write(
        stdout,
        f"Penilaian demo {tahun}: {jumlah['evaluasi']} evaluasi bulanan, {jumlah['berkas']} berkas bukti dukung; "
        f"skema TPP, presensi {jumlah.get('presensi', 0)} bulan, TPP final: {jumlah.get('tpp_final') or '-'} "
        f"({time.monotonic() - started:.1f} detik).\n",
    )
    return hasil


def _rhk_per_skp(skp_ids: set[int]) -> dict[int, list[RencanaHasilKerja]]:
    out: dict[int, list[RencanaHasilKerja]] = {}
    rows = (
        RencanaHasilKerja.objects.filter(skp_id__in=skp_ids)
        .prefetch_related("iki_set")
        .order_by("skp_id", "jenis", "urutan", "pk")
    )
    for rhk in rows:
        out.setdefault(rhk.skp_id, []).append(rhk)
    return out


def _bulan_lalu(dunia: _Dunia, periode: Periode, *, rusak: bool, jumlah: dict) -> None:
    """A past month: every member's evaluation submitted and rated, written in bulk. A member with
    one approved SKP in force gets the row built here exactly as `pastikan_evaluasi` builds it
    (snapshot included); anything else (a revision or a closure inside the month) goes through
    `pastikan_evaluasi` itself."""
    evs: list[tuple[Pegawai, Evaluasi]] = []
    baru: list[Evaluasi] = []
    for p in dunia.anggota:
        daftar = [s for s in dunia.skp_of.get(p.pk, []) if s.mulai <= periode.selesai and s.selesai >= periode.mulai]
        if len(daftar) == 1 and daftar[0].jabatan_id in (None, p.jabatan_id):
            skp = daftar[0]
            ev = Evaluasi(
                periode=periode, pegawai=p, skp=skp, mulai=max(skp.mulai, periode.mulai),
                selesai=min(skp.selesai, periode.selesai), hasil_bulan=True, snap_opd_id=p.opd_id,
            )  # fmt: skip
            isi_snapshot_pegawai(ev, p)
            baru.append(ev)
            evs.append((p, ev))
        else:
            evs.extend((p, ev) for ev in pastikan_evaluasi(p, periode))
    rhk_map = _rhk_per_skp({ev.skp_id for _, ev in evs})
    # The predikat mix per OPD (of the snapshot).
    per_opd: dict[int, list[int]] = {}
    for i, (_p, ev) in enumerate(evs):
        per_opd.setdefault(ev.snap_opd_id, []).append(i)
    kode_of = {o.pk: k for k, o in dunia.opds.items()}
    predikat_of: dict[int, Predikat] = {}
    for opd_id, idx in per_opd.items():
        rng = random.Random(f"{periode.tahun}-{periode.bulan}-{opd_id}")
        daftar = sebaran_predikat(len(idx), rng, rusak=rusak and kode_of.get(opd_id) == KURVA_RUSAK)
        for i, pred in zip(idx, daftar, strict=True):
            predikat_of[i] = pred
    rating_of: dict[int, tuple[str, str]] = {}
    for i, (p, ev) in enumerate(evs):
        pred = predikat_of[i]
        rating_hasil, rating_perilaku = rating_of[i] = random.Random(
            f"{periode.tahun}-{periode.bulan}-{p.nip}-r"
        ).choice(RATING_UNTUK[pred])
        assert rules.predikat(rating_hasil, rating_perilaku) == pred
        penilai = dunia.penilai(p)
        hari = 1 + (p.pk % 4)
        ev.status = St.DINILAI
        ev.dikirim_pada = _jam(periode.selesai + datetime.timedelta(days=hari), 9)
        ev.dinilai_pada = _jam(periode.batas_realisasi + datetime.timedelta(days=hari), 10)
        ev.rating_hasil, ev.rating_perilaku, ev.predikat = rating_hasil, rating_perilaku, pred.value
        ev.dinilai_oleh = penilai
        ev.snapshot_penilai = snapshot_of(penilai)
        ev.snapshot_atasan_penilai = snapshot_of(dunia.atasan_penilai(p))
        ev.versi += 3
    Evaluasi.objects.bulk_create(baru, batch_size=500)
    lama = [ev for _, ev in evs if ev.pk and ev not in baru]
    if lama:
        Evaluasi.objects.bulk_update(
            lama,
            ["status", "dikirim_pada", "dinilai_pada", "rating_hasil", "rating_perilaku", "predikat", "dinilai_oleh",
             "snapshot_penilai", "snapshot_atasan_penilai", "versi"],
            batch_size=500,
        )  # fmt: skip
    aksi_rows: list[RencanaAksi] = []
    for i, (p, ev) in enumerate(evs):
        rng = random.Random(f"{periode.tahun}-{periode.bulan}-{p.nip}")
        for urutan, aksi in enumerate(_aksi_untuk(rhk_map.get(ev.skp_id, []), periode, rng), 1):
            lebih_kecil = aksi["iki"].aspek in {IndikatorKinerja.Aspek.WAKTU, IndikatorKinerja.Aspek.BIAYA}
            realisasi = _realisasi(aksi["target"], rating_of[i][0], lebih_kecil, rng) if aksi["target"] else None
            aksi_rows.append(
                RencanaAksi(
                    evaluasi=ev, rhk=aksi["rhk"], iki=aksi["iki"], urutan=urutan, uraian=aksi["uraian"],
                    target=aksi["target"], satuan=aksi["satuan"], realisasi=realisasi,
                    realisasi_uraian=_uraian_realisasi(aksi, realisasi),
                )
            )  # fmt: skip
    RencanaAksi.objects.bulk_create(aksi_rows, batch_size=1000)
    pemilik = {ev.pk: p for p, ev in evs}
    tim = {p.pk for p in dunia.tim}
    bukti_rows = []
    for n, ra in enumerate(aksi_rows):
        p = pemilik[ra.evaluasi_id]
        waktu = _jam(periode.selesai + datetime.timedelta(days=1), 8)
        if p.pk in tim:
            tersimpan = bukti.simpan_berkas(_berkas_bukti(p, ra, periode, n))
            jumlah["berkas"] += 1
            bukti_rows.append(
                BuktiDukung(
                    rencana_aksi=ra, jenis=BuktiDukung.Jenis.BERKAS, berkas=tersimpan.berkas,
                    nama_berkas=tersimpan.nama_berkas, mime=tersimpan.mime, ukuran=tersimpan.ukuran,
                    sha256=tersimpan.sha256, keterangan="Laporan kegiatan", diunggah_oleh=p, diunggah_pada=waktu,
                )
            )  # fmt: skip
        else:
            bukti_rows.append(
                BuktiDukung(
                    rencana_aksi=ra, jenis=BuktiDukung.Jenis.TAUTAN, diunggah_oleh=p, diunggah_pada=waktu,
                    tautan=f"https://drive.trenggalekkab.go.id/kinerja/{p.nip}/{periode.tahun}-{periode.bulan:02d}/{n}",
                    keterangan="Folder dokumentasi kegiatan",
                )
            )  # fmt: skip
    BuktiDukung.objects.bulk_create(bukti_rows, batch_size=1000)
    umpan = []
    for i, (p, ev) in enumerate(evs):
        pred = predikat_of[i]
        rhk_list = rhk_map.get(ev.skp_id, [])
        if rhk_list and (pred != Predikat.BAIK or p.pk % 5 == 0):
            umpan.append(UmpanBalik(evaluasi=ev, rhk=rhk_list[0], teks=UMPAN_BALIK[pred]))
        if pred in PERILAKU_UMPAN_BALIK:
            kode, teks = PERILAKU_UMPAN_BALIK[pred]
            umpan.append(UmpanBalik(evaluasi=ev, perilaku=kode, teks=teks))
    UmpanBalik.objects.bulk_create(umpan, batch_size=1000)
    jumlah["evaluasi"] += len(evs)


def _isi_bulan(p: Pegawai, ev: Evaluasi, periode: Periode, rng: random.Random, *, berkas: bool, jumlah: dict,
               rating_hasil: str = S) -> None:  # fmt: skip
    """The pegawai fills the month through the services: rencana aksi, realisasi, bukti."""
    rhk_list = _rhk_per_skp({ev.skp_id}).get(ev.skp_id, [])
    for n, aksi in enumerate(_aksi_untuk(rhk_list, periode, rng)):
        ra = bulanan.tambah_rencana_aksi(
            ev, by=p, versi=None, rhk_id=aksi["rhk"].pk, iki_id=aksi["iki"].pk, uraian=aksi["uraian"],
            target=aksi["target"], satuan=aksi["satuan"],
        )  # fmt: skip
        lebih_kecil = ra.lebih_kecil_lebih_baik
        realisasi = _realisasi(aksi["target"], rating_hasil, lebih_kecil, rng) if aksi["target"] else None
        bulanan.simpan_realisasi(ra, by=p, versi=None, realisasi=realisasi,
                                 realisasi_uraian=_uraian_realisasi(aksi, realisasi))  # fmt: skip
        if berkas:
            bulanan.tambah_bukti_berkas(ra, by=p, versi=None, upload=_berkas_bukti(p, ra, periode, n),
                                        keterangan="Laporan kegiatan")  # fmt: skip
            jumlah["berkas"] += 1
        else:
            bulanan.tambah_bukti_tautan(
                ra, by=p, versi=None, keterangan="Folder dokumentasi kegiatan",
                tautan=f"https://drive.trenggalekkab.go.id/kinerja/{p.nip}/{periode.tahun}-{periode.bulan:02d}/{n}",
            )  # fmt: skip


def _bulan_berjalan(dunia: _Dunia, periode: Periode, *, jumlah: dict) -> None:
    """The current month through the services: not started, drafting, submitted, rated, returned."""
    tim = {p.pk for p in dunia.tim}
    khusus: dict[int, str] = {}
    for p, peran in zip(dunia.tim_lain, ("DIKIRIM", "DIKEMBALIKAN", "DINILAI", "DIKIRIM", "DRAFT"), strict=False):
        khusus[p.pk] = peran
    if dunia.pegawai_bulanan is not None:
        khusus[dunia.pegawai_bulanan.pk] = "BELUM"
    for p in dunia.anggota:
        rng = random.Random(f"{periode.tahun}-{periode.bulan}-{p.nip}-berjalan")
        roll = rng.random()
        peran = khusus.get(p.pk) or (
            "BELUM" if roll < 0.3 else "DRAFT" if roll < 0.5 else "DIKIRIM" if roll < 0.75 else "DINILAI"
        )
        if peran == "BELUM":
            continue
        evs = pastikan_evaluasi(p, periode)
        ev = next(e for e in evs if e.hasil_bulan)
        pred = Predikat.BAIK if rng.random() < 0.75 else Predikat.SANGAT_BAIK
        if dunia.opds.get(KURVA_RUSAK) is None or p.opd_id != dunia.opds[KURVA_RUSAK].pk:
            pred = rng.choice([Predikat.BAIK] * 5 + [Predikat.SANGAT_BAIK] * 2 + [Predikat.BUTUH_PERBAIKAN])
        rating = rng.choice(RATING_UNTUK[pred])
        _isi_bulan(p, ev, periode, rng, berkas=p.pk in tim, jumlah=jumlah, rating_hasil=rating[0])
        jumlah["evaluasi"] += 1
        if peran == "DRAFT":
            continue
        alur.kirim_realisasi(ev, by=p)
        penilai = dunia.penilai(p)
        if peran == "DIKEMBALIKAN":
            alur.kembalikan_realisasi(ev, by=penilai, catatan=CATATAN_KEMBALI)
        elif peran == "DINILAI":
            rhk_id = RencanaAksi.objects.filter(evaluasi=ev).values_list("rhk_id", flat=True).first()
            alur.simpan_penilaian(
                ev, by=penilai, rating_hasil=rating[0], rating_perilaku=rating[1],
                umpan_balik_rhk={rhk_id: UMPAN_BALIK[pred]} if rhk_id else {},
            )  # fmt: skip


def _kurva_dan_kunci(dunia: _Dunia, daftar: list[Periode], today: datetime.date) -> None:
    """Capaian organisasi for every month; months past their evaluation deadline finalised except
    the latest, which gets an unlock for one pegawai of the demo penilai's team."""
    admin = dunia.admin_bkd
    terkunci = [p for p in daftar if p.batas_penilaian < today]
    terakhir = terkunci[-1] if terkunci else None
    for periode in daftar:
        for kode, opd in dunia.opds.items():
            kurva.catat_capaian_organisasi(periode, opd, CAPAIAN_OPD[kode], by=admin)
            if periode in terkunci and periode != terakhir:
                k = _kurva_rusak(periode, opd)
                justifikasi = JUSTIFIKASI.format(tanggal=f"{periode.batas_penilaian:%d-%m-%Y}") if k else ""
                kurva.finalkan_opd(periode, opd, by=admin, justifikasi=justifikasi)
    if terakhir is not None and dunia.tim_lain:
        pegawai = dunia.tim_lain[-1]
        oleh = dunia.admin_opd if dunia.admin_opd and dunia.admin_opd.pk != pegawai.pk else admin
        periode_svc.buka_kunci(
            terakhir,
            pegawai,
            by=oleh,
            alasan=ALASAN_BUKA.format(tanggal=f"{today - datetime.timedelta(days=1):%d-%m-%Y}"),
        )


def _kurva_rusak(periode: Periode, opd: Opd) -> bool:
    from penilaian.services._common import kurva_opd

    return bool(kurva_opd(periode, opd).pelanggaran)


# TPP (issue #8 §7) -------------------------------------------------------------------------------------

# Monthly TPP per kelas jabatan (whole Rupiah); kelas 8 is SPEC §7's worked example.
BESARAN_TPP = {
    1: 1_750_000, 2: 1_900_000, 3: 2_050_000, 4: 2_250_000, 5: 2_450_000, 6: 2_700_000, 7: 3_000_000,
    8: 3_333_333, 9: 3_700_000, 10: 4_150_000, 11: 4_700_000, 12: 5_400_000, 13: 6_300_000, 14: 7_500_000,
    15: 9_000_000, 16: 11_000_000, 17: 14_000_000,
}  # fmt: skip
KENAIKAN_JULI = {1: 1_900_000, 2: 2_050_000, 3: 2_200_000, 4: 2_400_000, 5: 2_600_000}
HUKDIS_SK = "800.1.6.3/{n}/406.013/{tahun}"
KOLOM_PRESENSI = ("NIP", "HARI KERJA", "TANPA KETERANGAN", "TL1", "TL2", "TL3", "TL4", "PSW1", "PSW2", "PSW3", "PSW4")


def _hari_kerja(periode: Periode) -> int:
    hari = periode.mulai
    n = 0
    while hari <= periode.selesai:
        n += hari.weekday() < 5
        hari += datetime.timedelta(days=1)
    return n


def presensi_csv(
    pegawai: list[Pegawai], periode: Periode, *, koreksi: dict[str, dict[str, int]] | None = None
) -> bytes:
    """The month's attendance summary as the regency's e-presensi exports it (SPEC §8), mostly clean:
    some late arrivals and early leaves, a few days absent without reason."""
    hari_kerja = _hari_kerja(periode)
    baris = [";".join(KOLOM_PRESENSI)]
    for p in pegawai:
        rng = random.Random(f"presensi-{periode.tahun}-{periode.bulan}-{p.nip}")
        nilai = dict.fromkeys(KOLOM_PRESENSI[2:], 0)
        roll = rng.random()
        if roll > 0.7:
            nilai["TL1"] = rng.randint(1, 4)
            nilai["PSW1"] = rng.randint(0, 2)
        if roll > 0.88:
            nilai["TL2"] = rng.randint(1, 2)
        if roll > 0.96:
            nilai["TANPA KETERANGAN"] = 1
            nilai["TL4"] = 1
        nilai.update((koreksi or {}).get(p.nip, {}))
        baris.append(";".join([p.nip, str(hari_kerja), *(str(nilai[k]) for k in KOLOM_PRESENSI[2:])]))
    return ("\n".join(baris) + "\n").encode("utf-8")


def _tpp(dunia: _Dunia, tahun: int, lalu: list[Periode], today: datetime.date) -> dict:
    """A scheme with plausible besaran (a second version from July raises the lowest kelas),
    attendance imported for every evaluated month through the import service, one hukuman disiplin
    sedang, the latest locked month finalised, then that month's attendance re-imported with a
    correction: the change shows as an adjustment in the next month, the final month unchanged."""
    from penilaian.models import SkemaTpp
    from penilaian.services import presensi as presensi_svc
    from penilaian.services import tpp_bulan, tpp_hukdis, tpp_skema

    admin = dunia.admin_bkd
    hasil: dict = {}
    if SkemaTpp.objects.filter(tahun=tahun).exists():
        return hasil
    skema = tpp_skema.buat_bawaan(tahun, by=admin)
    data = tpp_skema.DataSkema.dari(skema, besaran=BESARAN_TPP)
    skema = tpp_skema.ubah_skema(skema, data, by=admin, alasan=f"Perbup Trenggalek tentang TPP ASN tahun {tahun}.")
    naik = tpp_skema.DataSkema.dari(skema, besaran={**BESARAN_TPP, **KENAIKAN_JULI})
    tpp_skema.ubah_skema(
        skema, naik, by=admin, mulai_bulan=7,
        alasan=f"Perubahan Perbup: kenaikan TPP kelas jabatan 1–5 mulai Juli {tahun}.",
    )  # fmt: skip
    pilot = sorted(
        (p for p in dunia.chart.pegawai.values()
         if p.opd_id in {o.pk for o in dunia.opds.values()}
         and p.jenis_asn != Pegawai.JenisAsn.NON_ASN
         and p.kedudukan_hukum == Pegawai.KedudukanHukum.AKTIF),
        key=lambda p: p.nip,
    )  # fmt: skip
    terkunci = [p for p in lalu if p.batas_penilaian < today]
    final = terkunci[-1] if terkunci and len(lalu) >= 2 and terkunci[-1] != lalu[-1] else None
    # The pegawai whose record of the month to be finalised is wrong (two days "tanpa keterangan"
    # that were an approved leave); corrected after the month is final.
    koreksi = next((p for p in pilot if p in dunia.tim_lain), pilot[0])
    salah = {koreksi.nip: {"TANPA KETERANGAN": 2}}
    for periode in lalu:
        csv = presensi_csv(pilot, periode, koreksi=salah if periode == final else None)
        presensi_svc.terapkan(periode, csv, f"presensi-{periode.tahun}-{periode.bulan:02d}.csv", by=admin)
    hasil["presensi"] = len(lalu)
    # One hukuman disiplin sedang over three past months, for a Setda staff member.
    setda = [p for p in dunia.anggota if dunia.opds.get("SETDA") and p.opd_id == dunia.opds["SETDA"].pk]
    if len(lalu) >= 4 and setda:
        dihukum = setda[len(setda) // 2]
        mulai, selesai = lalu[-4].mulai, lalu[-2].mulai
        tpp_hukdis.catat_hukdis(
            pegawai=dihukum, jenis="SEDANG", uraian="Penurunan tunjangan kinerja 25 % selama 3 bulan (PP 94/2021)",
            bulan_mulai=mulai, bulan_selesai=selesai, nomor_sk=HUKDIS_SK.format(n=17, tahun=tahun),
            tanggal_sk=mulai - datetime.timedelta(days=6), by=admin,
        )  # fmt: skip
    if final is None:
        return hasil
    tpp_bulan.finalkan_bulan(final, by=admin)
    hasil["tpp_final"] = final.nama
    # After finalising, the e-presensi operator corrects the record (the leave permit was entered
    # late): re-imported, the final month stays as paid, the difference shows in the next month.
    benar = {koreksi.nip: {"TANPA KETERANGAN": 0}}
    presensi_svc.terapkan(
        final, presensi_csv(pilot, final, koreksi=benar), f"presensi-{final.tahun}-{final.bulan:02d}-koreksi.csv",
        by=admin,
    )  # fmt: skip
    return hasil
