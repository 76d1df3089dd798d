"""Demo SKP for the four pilot OPDs: approved SKP cascading from the Sekda and each Kepala OPD down,
a few drafts, one SKP waiting for the demo penilai, one returned, and ~10% of pegawai without an
SKP (so that the pohon kinerja shows its warnings).

Everything goes through skp.services (create → RHK → submit → approve, top-down), so audit rows
and snapshots are real. Deterministic (random seeded per NIP) and idempotent: a pegawai who
already has an SKP for the year is skipped.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass
from typing import TextIO

from django.db import transaction

from opd.models import JenisJabatan, Opd, Pegawai
from opd.services import KEDUDUKAN_BERTUGAS, OrgChart
from skp import rules, services
from skp.models import IndikatorKinerja, RencanaHasilKerja, Skp
from skp.pohon import current_skp_by_pegawai
from skp.services import IkiData, LinkData

PILOT_KODES = ("SETDA", "BKD", "INSPEKTORAT", "DINKESDALDUKKB")
K, Q, W = IndikatorKinerja.Aspek.KUANTITAS, IndikatorKinerja.Aspek.KUALITAS, IndikatorKinerja.Aspek.WAKTU


@dataclass(frozen=True)
class Topik:
    """One result of the Perjanjian Kinerja and how it cascades down the OPD."""

    kepala: str
    iki: tuple[tuple[str, str, str], ...]  # (indikator, aspek, target text)
    kata: tuple[str, ...]  # matched against the unit and jabatan names of administrators
    manajerial: tuple[str, ...]  # RHK of administrators and pengawas
    operasional: tuple[tuple[str, str], ...]  # (RHK of JF/pelaksana, output noun for its IKI)


TOPIK: dict[str, tuple[Topik, ...]] = {
    "SETDA": (
        Topik(
            "Meningkatnya kualitas kebijakan pemerintahan dan kesejahteraan rakyat",
            (("Persentase rekomendasi kebijakan yang ditindaklanjuti", Q, "80 %"),
             ("Indeks Reformasi Birokrasi", Q, "75 indeks")),
            ("pemerintahan", "kesejahteraan", "bina mental", "kebijakan"),
            ("Tersusunnya rekomendasi kebijakan penyelenggaraan pemerintahan daerah",
             "Terfasilitasinya koordinasi kebijakan kesejahteraan rakyat",
             "Terlaksananya fasilitasi kerja sama daerah"),
            (("Kajian kebijakan pemerintahan daerah", "kajian"), ("Laporan penyelenggaraan pemerintahan daerah", "laporan"),
             ("Data hibah dan bantuan sosial yang terverifikasi", "berkas")),
        ),
        Topik(
            "Meningkatnya kualitas produk hukum daerah",
            (("Persentase produk hukum daerah yang ditetapkan tepat waktu", Q, "90 %"),
             ("Jumlah rancangan peraturan daerah yang difasilitasi", K, "12 dokumen")),
            ("hukum",),
            ("Tersusunnya rancangan produk hukum daerah yang harmonis",
             "Terlaksananya bantuan hukum dan penyuluhan hukum bagi perangkat daerah"),
            (("Naskah rancangan peraturan bupati", "naskah"), ("Telaahan hukum atas perkara perdata dan TUN", "telaahan"),
             ("Dokumentasi dan informasi hukum yang mutakhir", "dokumen")),
        ),
        Topik(
            "Meningkatnya kualitas perekonomian dan pembangunan daerah",
            (("Persentase realisasi fisik kegiatan pembangunan", Q, "95 %"),
             ("Persentase paket pengadaan yang selesai tepat waktu", W, "90–100 %")),
            ("perekonomian", "pembangunan", "pengadaan", "sumber daya alam"),
            ("Terkendalinya pelaksanaan program pembangunan daerah",
             "Terlaksananya pengadaan barang/jasa yang akuntabel",
             "Tersusunnya kebijakan perekonomian daerah"),
            (("Laporan pengendalian pembangunan", "laporan"), ("Dokumen pemilihan penyedia barang/jasa", "dokumen"),
             ("Data harga dan inflasi daerah", "laporan")),
        ),
        Topik(
            "Meningkatnya kualitas pelayanan administrasi umum dan protokol pimpinan",
            (("Indeks Kepuasan Masyarakat terhadap layanan Setda", Q, "85 indeks"),
             ("Persentase agenda pimpinan yang terlaksana sesuai jadwal", W, "100 %")),
            ("umum", "organisasi", "protokol", "komunikasi", "keuangan", "perencanaan", "tata usaha", "rumah tangga",
             "kelembagaan"),
            ("Terlaksananya keprotokolan dan komunikasi pimpinan",
             "Tersusunnya evaluasi kelembagaan dan analisis jabatan",
             "Terkelolanya keuangan dan barang milik daerah Sekretariat Daerah",
             "Terlaksananya pelayanan ketatausahaan dan rumah tangga pimpinan"),
            (("Naskah sambutan dan rilis berita pimpinan", "naskah"), ("Laporan keuangan bulanan", "laporan"),
             ("Dokumen analisis jabatan", "dokumen"), ("Layanan kendaraan dinas pimpinan", "kegiatan"),
             ("Surat masuk dan keluar yang teradministrasi", "surat")),
        ),
    ),
    "BKD": (
        Topik(
            "Meningkatnya kualitas layanan kepegawaian",
            (("Indeks Kepuasan Masyarakat atas layanan kepegawaian", Q, "85 indeks"),
             ("Persentase layanan kepegawaian selesai sesuai SOP", W, "95 %")),
            ("mutasi", "kepangkatan", "pengadaan", "pemberhentian", "promosi"),
            ("Terlaksananya layanan kenaikan pangkat dan mutasi tepat waktu",
             "Terlaksananya pengadaan dan pemberhentian ASN sesuai ketentuan",
             "Terselenggaranya seleksi terbuka jabatan pimpinan tinggi"),
            (("Usul kenaikan pangkat yang diverifikasi", "berkas"), ("Keputusan mutasi yang diproses", "keputusan"),
             ("Usul pensiun ASN yang diproses", "berkas")),
        ),
        Topik(
            "Meningkatnya akurasi data ASN dalam SIASN",
            (("Persentase data ASN yang termutakhirkan di SIASN", Q, "95 %"),
             ("Jumlah layanan kepegawaian terintegrasi SIASN", K, "10 layanan")),
            ("data", "informasi"),
            ("Termutakhirkannya data ASN pada SIASN", "Tersedianya sistem informasi kepegawaian yang andal"),
            (("Data riwayat ASN yang dimutakhirkan di SIASN", "data"), ("Laporan rekonsiliasi data ASN", "laporan"),
             ("Layanan aplikasi kepegawaian yang dipelihara", "layanan")),
        ),
        Topik(
            "Meningkatnya kompetensi dan kinerja ASN",
            (("Persentase ASN yang memenuhi 20 JP pengembangan kompetensi", Q, "80 %"),
             ("Indeks Profesionalitas ASN", Q, "75 indeks")),
            ("kompetensi", "pendidikan", "pelatihan", "penilaian kinerja", "disiplin", "penghargaan"),
            ("Terlaksananya pengembangan kompetensi ASN", "Terkelolanya penilaian kinerja ASN berbasis e-Kinerja",
             "Tertanganinya kasus disiplin ASN"),
            (("Peserta pelatihan yang difasilitasi", "orang"), ("Laporan rekap penilaian kinerja ASN", "laporan"),
             ("Berkas pemeriksaan disiplin", "berkas")),
        ),
        Topik(
            "Meningkatnya akuntabilitas kinerja dan keuangan Badan Kepegawaian Daerah",
            (("Nilai SAKIP Badan Kepegawaian Daerah", Q, "75 nilai"),
             ("Persentase realisasi anggaran", K, "95 %")),
            ("sekretariat", "umum", "keuangan", "perencanaan"),
            ("Tersusunnya dokumen perencanaan dan laporan kinerja", "Terkelolanya keuangan dan aset BKD"),
            (("Laporan keuangan bulanan", "laporan"), ("Dokumen perencanaan dan evaluasi kinerja", "dokumen"),
             ("Surat dinas yang teradministrasi", "surat")),
        ),
    ),
    "INSPEKTORAT": (
        Topik(
            "Meningkatnya kualitas pengawasan internal",
            (("Level kapabilitas APIP", Q, "3 level"), ("Persentase rekomendasi hasil pengawasan yang ditindaklanjuti",
                                                        Q, "85 %")),
            ("wilayah", "inspektur pembantu"),
            ("Terlaksananya audit kinerja perangkat daerah di wilayah", "Terlaksananya reviu laporan keuangan dan RKA",
             "Terlaksananya probity audit pengadaan barang/jasa"),
            (("Laporan hasil audit kinerja", "laporan"), ("Laporan hasil reviu laporan keuangan", "laporan"),
             ("Laporan hasil probity audit", "laporan"), ("Kertas kerja pemeriksaan", "dokumen")),
        ),
        Topik(
            "Meningkatnya maturitas Sistem Pengendalian Intern Pemerintah (SPIP)",
            (("Nilai maturitas SPIP", Q, "3 level"), ("Jumlah perangkat daerah yang didampingi penerapan SPIP", K,
                                                      "40 OPD")),
            ("wilayah", "evaluasi"),
            ("Terlaksananya evaluasi penerapan SPIP perangkat daerah", "Terlaksananya pendampingan manajemen risiko"),
            (("Laporan evaluasi SPIP", "laporan"), ("Register risiko perangkat daerah yang direviu", "dokumen")),
        ),
        Topik(
            "Meningkatnya tata kelola Inspektorat yang akuntabel",
            (("Nilai SAKIP Inspektorat", Q, "75 nilai"), ("Persentase realisasi anggaran", K, "95 %")),
            ("sekretariat", "umum", "keuangan", "perencanaan"),
            ("Tersusunnya perencanaan dan evaluasi kinerja Inspektorat", "Terkelolanya administrasi umum dan keuangan"),
            (("Laporan keuangan bulanan", "laporan"), ("Program Kerja Pengawasan Tahunan", "dokumen"),
             ("Surat tugas pengawasan yang teradministrasi", "surat")),
        ),
    ),
    "DINKESDALDUKKB": (
        Topik(
            "Meningkatnya derajat kesehatan masyarakat",
            (("Prevalensi stunting pada balita", Q, "14 %"), ("Cakupan imunisasi dasar lengkap", K, "95 %")),
            ("kesehatan masyarakat", "gizi", "promosi", "lingkungan", "keluarga"),
            ("Menurunnya prevalensi stunting melalui intervensi gizi spesifik",
             "Meningkatnya perilaku hidup bersih dan sehat masyarakat",
             "Meningkatnya desa Sanitasi Total Berbasis Masyarakat (STBM)"),
            (("Data sasaran balita stunting yang mutakhir", "laporan"), ("Penyuluhan PHBS di sekolah dan desa", "kegiatan"),
             ("Inspeksi kesehatan lingkungan", "lokasi")),
        ),
        Topik(
            "Menurunnya angka kesakitan penyakit menular dan tidak menular",
            (("Cakupan imunisasi dasar lengkap", K, "95 %"), ("Persentase penemuan kasus TBC (treatment coverage)", K,
                                                              "90 %")),
            ("penyakit", "surveilans", "imunisasi", "jiwa"),
            ("Meningkatnya cakupan imunisasi dasar lengkap", "Terlaksananya surveilans dan penanggulangan KLB",
             "Meningkatnya deteksi dini penyakit tidak menular"),
            (("Laporan cakupan imunisasi bulanan", "laporan"), ("Penyelidikan epidemiologi kasus", "kasus"),
             ("Skrining PTM di Posbindu", "orang")),
        ),
        Topik(
            "Meningkatnya mutu pelayanan kesehatan di Puskesmas dan fasilitas kesehatan",
            (("Indeks Kepuasan Masyarakat atas layanan Puskesmas", Q, "85 indeks"),
             ("Persentase Puskesmas terakreditasi paripurna", Q, "80–90 %")),
            ("pelayanan", "puskesmas", "farmasi", "sumber daya", "alat kesehatan"),
            ("Meningkatnya mutu pelayanan kesehatan rujukan dan primer", "Terjaminnya ketersediaan obat dan alat kesehatan",
             "Meningkatnya kompetensi SDM kesehatan"),
            (("Data kunjungan pelayanan kesehatan yang valid", "laporan"), ("Pelayanan pasien rawat jalan", "pasien"),
             ("Laporan ketersediaan obat esensial", "laporan"), ("Asuhan keperawatan yang terdokumentasi", "dokumen"),
             ("Pemeriksaan ibu hamil (ANC) terpadu", "orang")),
        ),
        Topik(
            "Meningkatnya kesertaan ber-KB dan ketahanan keluarga",
            (("Persentase peserta KB aktif modern", K, "75 %"), ("Angka kelahiran total (TFR)", Q, "2,1 anak")),
            ("penduduk", "keluarga berencana", "ketahanan"),
            ("Meningkatnya peserta KB aktif modern", "Terlaksananya pembinaan ketahanan keluarga"),
            (("Penyuluhan KB di desa", "kegiatan"), ("Data peserta KB aktif", "laporan")),
        ),
        Topik(
            "Meningkatnya akuntabilitas kinerja dan keuangan Dinas Kesehatan",
            (("Nilai SAKIP Dinas Kesehatan", Q, "75 nilai"), ("Persentase realisasi anggaran", K, "95 %")),
            ("sekretariat", "umum", "keuangan", "perencanaan", "kepegawaian"),
            ("Tersusunnya dokumen perencanaan dan laporan kinerja dinas", "Terkelolanya keuangan dan aset dinas",
             "Terkelolanya administrasi kepegawaian dinas"),
            (("Laporan keuangan bulanan", "laporan"), ("Usul layanan kepegawaian yang diproses", "berkas"),
             ("Arsip dinas yang tertata", "berkas"), ("Data perencanaan dan anggaran", "dokumen")),
        ),
    ),
}  # fmt: skip

TAMBAHAN = (
    "Anggota tim penyusun Laporan Kinerja Instansi Pemerintah (LKjIP)",
    "Anggota tim Zona Integritas menuju WBK",
    "Panitia peringatan Hari Ulang Tahun Kabupaten Trenggalek",
    "Pengelola website dan media sosial perangkat daerah",
    "Anggota tim pengelola SPBE perangkat daerah",
)
LAMPIRAN = {
    "lampiran_dukungan_sumber_daya": "Anggaran DPA perangkat daerah tahun berjalan; sarana komputer dan jaringan; "
    "bimbingan teknis dari atasan langsung.",
    "lampiran_skema_pertanggungjawaban": "Realisasi dilaporkan setiap bulan melalui e-Kinerja dengan bukti dukung; "
    "evaluasi kinerja triwulanan bersama atasan langsung.",
    "lampiran_konsekuensi": "Capaian kinerja menjadi dasar predikat kinerja bulanan dan tahunan serta perhitungan TPP; "
    "kinerja di bawah ekspektasi ditindaklanjuti dengan rencana pengembangan.",
}
EKSPEKTASI = {
    "BERORIENTASI_PELAYANAN": "Menanggapi permintaan layanan paling lambat satu hari kerja.",
    "KOLABORATIF": "Aktif berbagi data dengan rekan satu bidang.",
}
CATATAN_KEMBALI = (
    "Target kuantitas IKI pertama terlalu rendah dibanding tahun lalu; mohon disesuaikan dengan beban kerja "
    "dan tambahkan indikator waktu."
)


def _iki(uraian: str, aspek: str, target: str) -> IkiData:
    t = rules.parse_target(target)
    return IkiData(uraian=uraian, aspek=aspek, target_min=t.minimum, target_max=t.maksimum, satuan=t.satuan)


def _iki_for(rng: random.Random, noun: str, *, kualitatif: bool, manajerial: bool) -> list[IkiData]:
    if kualitatif:
        return [IkiData(uraian=f"Kualitas {noun} yang dihasilkan",
                        target_kualitatif=f"{noun.capitalize()} tersusun lengkap, akurat dan tepat waktu sesuai "
                                          "standar yang ditetapkan pimpinan")]  # fmt: skip
    n = rng.choice((4, 6, 12, 12, 24, 36)) if not manajerial else rng.choice((4, 12))
    items = [_iki(f"Jumlah {noun} yang diselesaikan", K, f"{n} {noun}")]
    count = rng.choice((1, 2, 2, 3)) if not manajerial else rng.choice((2, 3))
    if count >= 2:
        items.append(_iki(f"Persentase {noun} yang sesuai standar", Q, rng.choice(("80–90 %", "90 %", "100 %"))))
    if count >= 3:
        items.append(_iki(f"Waktu penyelesaian {noun}", W, "12 bulan"))
    return items


@dataclass
class Made:
    """An RHK created by the demo and the topic it belongs to (children cascade from it)."""

    rhk_id: int
    topik: Topik
    uraian: str = ""


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 4}


def _closest(options: list, parent: str, turn: int, text=lambda o: o) -> object:
    """The option sharing most words with the RHK atasan (a finer level of the same result),
    rotating among equally close ones so that siblings differ."""
    words = _words(parent)
    scores = [len(words & _words(text(o))) for o in options]
    best = [o for o, score in zip(options, scores, strict=True) if score == max(scores)]
    return best[turn % len(best)]


def _choose(topics: list[Made], pegawai: Pegawai, position: int, k: int) -> list[Made]:
    """Which of the penilai's RHK this pegawai's k RHK intervene: those whose topic matches the
    unit or jabatan, else a rotation over siblings so that every RHK atasan gets covered. Several
    RHK may intervene the same RHK atasan (each gets its own text)."""
    names = f"{pegawai.unit.nama if pegawai.unit_id else ''} {pegawai.jabatan.nama}".lower()
    pool = [m for m in topics if any(word in names for word in m.topik.kata)] or topics
    start = position % len(pool)
    return [pool[(start + i) % len(pool)] for i in range(k)]


def _write(stdout: TextIO | None, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def _demo_nips() -> dict[str, str]:
    """login role → NIP, read from the demo organisation plan (opd.demo), if present."""
    try:
        from opd.demo import build_plan
    except ImportError:
        return {}
    return {row.login: row.nip for row in build_plan().people if row.login}


def _existing_made(skp: Skp, opd_kode: str) -> list[Made]:
    """RHK of an SKP made by an earlier run, mapped back to the topics by their text."""
    topics = TOPIK[opd_kode]
    made = []
    for rhk in skp.rhk_set.filter(jenis=RencanaHasilKerja.Jenis.UTAMA).order_by("urutan", "pk"):
        topik = next((t for t in topics if rhk.uraian == t.kepala or rhk.uraian.split(" pada ")[0] in t.manajerial
                      or any(rhk.uraian.startswith(o) for o, _ in t.operasional)), topics[0])  # fmt: skip
        made.append(Made(rhk.pk, topik, rhk.uraian.split(" pada ")[0]))
    return made


@transaction.atomic
def seed_skp(*, tahun: int, stdout: TextIO | None = None) -> None:
    started = time.monotonic()
    chart = OrgChart()
    opds = {o.pk: o.kode for o in Opd.objects.filter(kode__in=PILOT_KODES)}
    members = [
        p
        for p in chart.pegawai.values()
        if p.opd_id in opds
        and p.jenis_asn != Pegawai.JenisAsn.NON_ASN
        and p.jabatan.jenis != JenisJabatan.PEJABAT_NEGARA
        and p.kedudukan_hukum in KEDUDUKAN_BERTUGAS
    ]
    member_ids = {p.pk for p in members}
    bawahan = chart.bawahan_map()

    def depth(pid: int) -> int:
        d, seen = 0, {pid}
        while (pid := chart.penilai_id(pid)) in member_ids and pid not in seen:
            seen.add(pid)
            d += 1
        return d

    members.sort(key=lambda p: (depth(p.pk), p.opd_id, p.jabatan.nama, p.nip))
    nips = _demo_nips()
    special: dict[int, str] = {}
    by_nip = {p.nip: p for p in members}
    if nips.get("pegawai") in by_nip:
        me = by_nip[nips["pegawai"]]
        special[me.pk] = "DRAFT_LINKED"
        # The demo penilai's other bawahan: one waits in the inbox, one was returned.
        others = sorted((p for p in members if chart.penilai_id(p.pk) == chart.penilai_id(me.pk) and p.pk != me.pk),
                        key=lambda p: (p.jabatan_id != me.jabatan_id, p.nip))  # fmt: skip
        for p, kind in zip(others, ("DIAJUKAN", "DIKEMBALIKAN"), strict=False):
            special[p.pk] = kind

    existing = current_skp_by_pegawai(member_ids, tahun)
    made: dict[int, list[Made]] = {}
    counts = {"baru": 0, "dilewati": 0, "tanpa": 0}
    for position, pegawai in enumerate(members):
        kode = opds[pegawai.opd_id]
        if pegawai.pk in existing:
            made[pegawai.pk] = _existing_made(existing[pegawai.pk], kode)
            counts["dilewati"] += 1
            continue
        rng = random.Random(f"{tahun}-{pegawai.nip}")
        leaf = not bawahan.get(pegawai.pk)
        kind = special.get(pegawai.pk)
        roll = rng.random()
        if kind is None and leaf:
            kind = "NONE" if roll < 0.13 else "DRAFT" if roll < 0.19 else "APPROVED"
        kind = kind or "APPROVED"
        if kind == "NONE":
            counts["tanpa"] += 1
            continue
        penilai_id = chart.penilai_id(pegawai.pk)
        penilai = chart.pegawai.get(penilai_id) if penilai_id else None
        with transaction.atomic():
            made[pegawai.pk] = _make_one(pegawai, penilai, kode, kind, tahun, rng, position, made.get(penilai_id, []))
        counts["baru"] += 1
    _write(
        stdout,
        f"SKP demo {tahun}: {counts['baru']} dibuat, {counts['dilewati']} sudah ada, {counts['tanpa']} pegawai "
        f"sengaja tanpa SKP ({time.monotonic() - started:.1f} detik).\n",
    )


def _make_one(
    pegawai: Pegawai,
    penilai: Pegawai | None,
    kode: str,
    kind: str,
    tahun: int,
    rng: random.Random,
    position: int,
    atasan: list[Made],
) -> list[Made]:
    jenis = pegawai.jabatan.jenis
    is_jpt = jenis == JenisJabatan.JPT
    heads_opd = is_jpt and (penilai is None or penilai.opd_id != pegawai.opd_id)
    kualitatif = kode == "INSPEKTORAT" and jenis == JenisJabatan.FUNGSIONAL and rng.random() < 0.3
    skp = services.create_skp(
        pegawai, by=pegawai, tahun=tahun, pendekatan="KUALITATIF" if kualitatif else "KUANTITATIF"
    )
    services.update_skp(skp, by=pegawai, versi=skp.versi, pendekatan=skp.pendekatan, **LAMPIRAN)
    out: list[Made] = []
    topics = TOPIK[kode]
    if heads_opd:
        for topik in topics[: rng.choice((3, 4, 5))]:
            rhk = services.save_rhk(
                skp, by=pegawai, versi=skp.versi, rhk=None, jenis="UTAMA", uraian=topik.kepala,
                iki=[_iki(*i) for i in topik.iki], links=[],
            )  # fmt: skip
            out.append(Made(rhk.pk, topik, topik.kepala))
    else:
        # Non-top JPT (the Asisten of the Setda) take no links but follow the same topics.
        parents = atasan if atasan else [Made(0, t, t.kepala) for t in topics]
        manajerial = jenis in {JenisJabatan.JPT, JenisJabatan.ADMINISTRATOR, JenisJabatan.PENGAWAS}
        k = rng.choice((2, 3)) if manajerial else rng.choice((1, 2, 2, 3))
        orphan = kind == "DRAFT" and rng.random() < 0.5
        used: set[str] = set()
        for i, parent in enumerate(_choose(parents, pegawai, position, k)):
            if manajerial:
                options = [t for t in parent.topik.manajerial if t not in used] or list(parent.topik.manajerial)
                uraian = _closest(options, parent.uraian, position + i)
                noun = "laporan"
            else:
                options = [o for o in parent.topik.operasional if o[0] not in used] or list(parent.topik.operasional)
                uraian, noun = _closest(options, parent.uraian, position + i, text=lambda o: o[0])
            used.add(uraian)
            phrase = uraian
            if manajerial and not is_jpt and pegawai.unit_id:
                uraian = f"{uraian} pada {pegawai.unit.nama}"
            links = []
            if parent.rhk_id and not is_jpt and not (orphan and i == 0):
                cascading = "LANGSUNG" if not manajerial and rng.random() < 0.7 else "TIDAK_LANGSUNG"
                links = [LinkData(parent.rhk_id, cascading)]
            rhk = services.save_rhk(
                skp, by=pegawai, versi=skp.versi, rhk=None, jenis="UTAMA", uraian=uraian,
                iki=_iki_for(rng, noun, kualitatif=kualitatif, manajerial=manajerial), links=links,
            )  # fmt: skip
            out.append(Made(rhk.pk, parent.topik, phrase))
    if rng.random() < 0.25:
        services.save_rhk(
            skp, by=pegawai, versi=skp.versi, rhk=None, jenis="TAMBAHAN", uraian=rng.choice(TAMBAHAN),
            iki=_iki_for(rng, "kegiatan", kualitatif=kualitatif, manajerial=False)[:1], links=[],
        )  # fmt: skip
    if kind in {"DRAFT", "DRAFT_LINKED"} or penilai is None:
        return out
    services.submit_skp(skp, by=pegawai)
    if kind == "DIAJUKAN":
        return out
    services.set_ekspektasi(skp, by=penilai, versi=skp.versi, ekspektasi=EKSPEKTASI)
    if kind == "DIKEMBALIKAN":
        services.return_skp(skp, by=penilai, catatan=CATATAN_KEMBALI)
        return out
    services.approve_skp(skp, by=penilai)
    return out
