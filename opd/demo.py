"""Demo organisation: the Bupati, the Sekda, the four pilot OPDs fully staffed and a few people
in other OPDs (SPEC Appendix A, DOMAIN-NOTES §1.3).

Everything is generated from `random.Random(2026)` in a fixed order, so NIPs and names are the
same on every machine and every run. `seed_organisation` is idempotent: units and positions are
matched by (OPD, name), pegawai by NIP; what exists is updated only where it differs, what is
missing is bulk-created. Passwords are set only when an account is created, never overwritten.
"""

from __future__ import annotations

import calendar
import datetime
import random
from dataclasses import dataclass, field
from typing import TextIO

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from opd import audit, services
from opd.models import Eselon, Jabatan, JenisJabatan, Opd, Pegawai, PenugasanPlt, PeranPengguna, UnitKerja

DEMO_PASSWORD = "demo12345"
BUPATI_NIP = "bupati"
BUPATI_JABATAN = "Bupati Trenggalek"
# NIP years must not depend on the day the demo runs (deterministic NIPs): no TMT after this year.
LAST_TMT_YEAR = 2025

J = JenisJabatan
U = UnitKerja.Jenis


# The organisation as data ------------------------------------------------------------------------


@dataclass
class Pos:
    """A position and how many people hold it (0 = vacant)."""

    nama: str
    jenis: str
    kelas: int
    profil: str
    edu: str
    n: int = 1
    eselon: str = ""
    login: str = ""  # the first holder is the demo login for this role
    kedudukan: str = ""  # the first holder's kedudukan hukum when not AKTIF
    gender: str = ""  # "2": women only (bidan)
    plt: bool = False  # an active Plt is assigned to this (vacant) position


@dataclass
class Unit:
    nama: str
    jenis: str
    head: Pos | None = None
    staff: list[Pos] = field(default_factory=list)
    children: list[Unit] = field(default_factory=list)


def jpt(nama: str, *, eselon: str = Eselon.IIB, edu: str = "pemerintahan", **kw) -> Pos:
    return Pos(nama, J.JPT, 15 if eselon == Eselon.IIA else 14, "jpt", edu, eselon=eselon, **kw)


def adm(nama: str, *, eselon: str = Eselon.IIIA, edu: str = "s2", **kw) -> Pos:
    return Pos(nama, J.ADMINISTRATOR, 12 if eselon == Eselon.IIIA else 11, "adm", edu, eselon=eselon, **kw)


def kabid(nama: str, **kw) -> Pos:
    return adm(nama, eselon=Eselon.IIIB, **kw)


def pengawas(nama: str, *, eselon: str = Eselon.IVA, edu: str = "s1", **kw) -> Pos:
    return Pos(nama, J.PENGAWAS, 9 if eselon == Eselon.IVA else 8, "pengawas", edu, eselon=eselon, **kw)


_JENJANG = (("Ahli Madya", "ahli_madya", 11), ("Ahli Muda", "ahli_muda", 9), ("Ahli Pertama", "ahli_pertama", 8))


def jf(nama: str, edu: str, n: int = 1, *, kelas: int | None = None, **kw) -> Pos:
    profil, default_kelas = "mahir", 7
    for suffix, p, k in _JENJANG:
        if nama.endswith(suffix):
            profil, default_kelas = p, k
    return Pos(nama, J.FUNGSIONAL, kelas or default_kelas, profil, edu, n, **kw)


def pl(nama: str, n: int = 1, *, kelas: int = 6, edu: str = "pelaksana", **kw) -> Pos:
    return Pos(nama, J.PELAKSANA, kelas, "pelaksana", edu, n, **kw)


def subbag(nama: str, *staff: Pos, kepala: Pos | None = None, jenis: str = U.SUBBAGIAN) -> Unit:
    head = kepala if kepala is not None else pengawas(f"Kepala {nama}")
    return Unit(nama, jenis, head, list(staff))


def sekretariat(sekretaris: str, *, perencanaan: str = "Subbagian Perencanaan", keuangan: str = "Subbagian Keuangan",
                umum: list[Pos], keu: list[Pos], ren: list[Pos], vacant_keuangan: bool = False) -> Unit:  # fmt: skip
    kasubbag_keu = pengawas(f"Kepala {keuangan}", edu="keuangan", n=0 if vacant_keuangan else 1)
    return Unit(
        "Sekretariat",
        U.SEKRETARIAT,
        adm(sekretaris),
        [],
        [
            subbag("Subbagian Umum dan Kepegawaian", *umum),
            subbag(keuangan, *keu, kepala=kasubbag_keu),
            subbag(perencanaan, *ren),
        ],
    )


def puskesmas(nama: str, *, dokter_pertama: int, perawat_mahir: int, bidan_mahir: int, tb: bool = False) -> Unit:
    return Unit(
        f"UPT {nama}",
        U.UPT,
        pengawas(f"Kepala UPT {nama}", edu="dokter"),
        [
            jf("Dokter Ahli Muda", "dokter_s2", kelas=11),
            jf("Dokter Ahli Pertama", "dokter", dokter_pertama, kelas=9, kedudukan="TUGAS_BELAJAR" if tb else ""),
            jf("Dokter Gigi Ahli Pertama", "dokter_gigi", kelas=9),
            jf("Perawat Ahli Pertama", "perawat_ahli", 2),
            jf("Perawat Mahir", "perawat_mahir", perawat_mahir),
            jf("Bidan Ahli Pertama", "bidan_ahli", gender="2"),
            jf("Bidan Mahir", "bidan_mahir", bidan_mahir, gender="2"),
            jf("Apoteker Ahli Pertama", "apoteker"),
            jf("Pranata Laboratorium Kesehatan Mahir", "lab"),
            jf("Nutrisionis Mahir", "gizi_mahir"),
            jf("Sanitarian Mahir", "sanitarian_mahir"),
        ],
        [
            subbag(
                f"Subbagian Tata Usaha UPT {nama}",
                pl("Pengadministrasi Umum", kelas=5),
                pl("Bendahara", kelas=7, edu="keuangan"),
                kepala=pengawas(f"Kepala Subbagian Tata Usaha UPT {nama}", eselon=Eselon.IVB),
            )
        ],
    )


def _setda() -> Unit:
    def bagian(nama: str, staff: list[Pos], children: list[Unit] | None = None, edu: str = "s2") -> Unit:
        return Unit(nama, U.BAGIAN, adm(f"Kepala {nama}", edu=edu), staff, children or [])

    return Unit(
        "Pimpinan Sekretariat Daerah",
        U.PIMPINAN,
        jpt("Sekretaris Daerah", eselon=Eselon.IIA),
        [],
        [
            Unit(
                "Asisten Pemerintahan dan Kesejahteraan Rakyat",
                U.LAINNYA,
                jpt("Asisten Pemerintahan dan Kesejahteraan Rakyat"),
                [],
                [
                    bagian(
                        "Bagian Pemerintahan",
                        [jf("Analis Kebijakan Ahli Muda", "s2"), pl("Pengadministrasi Umum", kelas=5, edu="umum")],
                        [subbag("Subbagian Administrasi Pemerintahan", pl("Pengolah Data", 2, kedudukan="CLTN"))],
                    ),
                    bagian(
                        "Bagian Kesejahteraan Rakyat",
                        [jf("Analis Kebijakan Ahli Muda", "s2"), pl("Pengadministrasi Umum", kelas=5)],
                        [subbag("Subbagian Bina Mental dan Spiritual", pl("Pengolah Data", 2))],
                    ),
                    bagian(
                        "Bagian Hukum",
                        [
                            jf("Perancang Peraturan Perundang-undangan Ahli Muda", "hukum"),
                            jf("Perancang Peraturan Perundang-undangan Ahli Pertama", "hukum"),
                        ],
                        [
                            subbag(
                                "Subbagian Bantuan Hukum",
                                pl("Penyusun Rancangan Produk Hukum", 2, kelas=7, edu="hukum"),
                            )
                        ],
                        edu="hukum",
                    ),
                ],
            ),
            Unit(
                "Asisten Perekonomian dan Pembangunan",
                U.LAINNYA,
                jpt("Asisten Perekonomian dan Pembangunan", edu="teknis"),
                [],
                [
                    bagian(
                        "Bagian Perekonomian dan Sumber Daya Alam",
                        [jf("Analis Kebijakan Ahli Muda", "s2"), pl("Pengolah Data")],
                        [subbag("Subbagian Perekonomian", pl("Pengadministrasi Umum", 2, kelas=5))],
                    ),
                    bagian(
                        "Bagian Administrasi Pembangunan",
                        [jf("Perencana Ahli Muda", "perencana"), pl("Pengolah Data", 2)],
                        edu="teknis",
                    ),
                    bagian(
                        "Bagian Pengadaan Barang dan Jasa",
                        [
                            jf("Pengelola Pengadaan Barang/Jasa Ahli Muda", "teknis_s1"),
                            jf("Pengelola Pengadaan Barang/Jasa Ahli Pertama", "teknis_s1", 2),
                            pl("Pengadministrasi Umum", kelas=5),
                        ],
                        edu="teknis",
                    ),
                ],
            ),
            Unit(
                "Asisten Administrasi Umum",
                U.LAINNYA,
                jpt("Asisten Administrasi Umum"),
                [],
                [
                    bagian(
                        "Bagian Organisasi",
                        [jf("Analis Kebijakan Ahli Pertama", "s1")],
                        [
                            subbag(
                                "Subbagian Kelembagaan dan Analisis Jabatan",
                                pl("Analis Jabatan", 2, kelas=7, edu="sdm"),
                            )
                        ],
                    ),
                    bagian(
                        "Bagian Umum",
                        [jf("Arsiparis Ahli Pertama", "arsip")],
                        [
                            subbag("Subbagian Tata Usaha Pimpinan", pl("Pengadministrasi Umum", 2, kelas=5)),
                            subbag(
                                "Subbagian Rumah Tangga",
                                pl("Pengemudi", 2, kelas=5, edu="umum"),
                                pl("Pengelola Barang Milik Daerah"),
                            ),
                        ],
                    ),
                    bagian(
                        "Bagian Perencanaan dan Keuangan",
                        [jf("Perencana Ahli Pertama", "perencana")],
                        [
                            subbag(
                                "Subbagian Keuangan",
                                pl("Bendahara", kelas=7, edu="keuangan"),
                                pl("Pengelola Keuangan", 2, edu="keuangan"),
                                kepala=pengawas("Kepala Subbagian Keuangan", edu="keuangan"),
                            )
                        ],
                        edu="keuangan_s2",
                    ),
                    bagian(
                        "Bagian Protokol dan Komunikasi Pimpinan",
                        [jf("Pranata Hubungan Masyarakat Ahli Muda", "humas"), pl("Pengolah Data")],
                    ),
                ],
            ),
        ],
    )


def _bkd() -> Unit:
    def bidang(nama: str, staff: list[Pos], children: list[Unit]) -> Unit:
        return Unit(nama, U.BIDANG, kabid(f"Kepala {nama}", edu="sdm_s2"), staff, children)

    def subbid(nama: str, *staff: Pos) -> Unit:
        return subbag(nama, *staff, jenis=U.SUBBAGIAN)

    return Unit(
        "Pimpinan Badan Kepegawaian Daerah",
        U.PIMPINAN,
        jpt("Kepala Badan Kepegawaian Daerah"),
        [],
        [
            sekretariat(
                "Sekretaris Badan Kepegawaian Daerah",
                umum=[
                    pl("Pengadministrasi Umum", kelas=5, kedudukan="CLTN"),
                    pl("Pengadministrasi Kepegawaian"),
                    pl("Pengemudi", kelas=5, edu="umum"),
                ],
                keu=[pl("Bendahara", kelas=7, edu="keuangan"), pl("Pengelola Keuangan", edu="keuangan")],
                ren=[jf("Perencana Ahli Pertama", "perencana"), pl("Pengolah Data")],
            ),
            bidang(
                "Bidang Pengadaan, Pemberhentian dan Informasi Kepegawaian",
                [
                    jf("Analis Sumber Daya Manusia Aparatur Ahli Muda", "sdm"),
                    jf("Pranata Komputer Ahli Pertama", "komputer", 2),
                ],
                [
                    subbid("Subbidang Pengadaan dan Pemberhentian", pl("Analis Kepegawaian", 2, kelas=7, edu="sdm")),
                    subbid(
                        "Subbidang Data dan Informasi Kepegawaian",
                        pl("Pengolah Data Kepegawaian", 2),
                        jf("Pranata Komputer Mahir", "komputer_d3"),
                    ),
                ],
            ),
            bidang(
                "Bidang Mutasi dan Promosi",
                [jf("Analis Sumber Daya Manusia Aparatur Ahli Muda", "sdm", 2)],
                [
                    subbid("Subbidang Mutasi", pl("Analis Kepegawaian", 2, kelas=7, edu="sdm")),
                    subbid("Subbidang Kepangkatan dan Promosi", pl("Pengolah Data Kepegawaian", 2)),
                ],
            ),
            bidang(
                "Bidang Pengembangan Kompetensi Aparatur",
                [
                    jf("Analis Sumber Daya Manusia Aparatur Ahli Muda", "sdm"),
                    jf("Analis Sumber Daya Manusia Aparatur Ahli Pertama", "sdm"),
                ],
                [subbid("Subbidang Pendidikan dan Pelatihan", pl("Pengelola Pendidikan dan Pelatihan", 2))],
            ),
            bidang(
                "Bidang Penilaian Kinerja Aparatur dan Penghargaan",
                [jf("Analis Sumber Daya Manusia Aparatur Ahli Muda", "sdm", 2)],
                [
                    subbid(
                        "Subbidang Penilaian Kinerja",
                        pl("Pengolah Data Kinerja Pegawai", 2, login="admin_bkd", edu="s1"),
                    ),
                    subbid("Subbidang Disiplin dan Penghargaan", pl("Analis Kepegawaian", kelas=7, edu="sdm")),
                ],
            ),
        ],
    )


def _inspektorat() -> Unit:
    def irban(nomor: str) -> Unit:
        return Unit(
            f"Inspektur Pembantu Wilayah {nomor}",
            U.LAINNYA,
            adm(f"Inspektur Pembantu Wilayah {nomor}", edu="auditor_s2"),
            [
                jf("Auditor Ahli Muda", "auditor", 2, login="auditor" if nomor == "I" else ""),
                jf("Auditor Ahli Pertama", "auditor"),
                jf("Pengawas Penyelenggaraan Urusan Pemerintahan Daerah Ahli Pertama", "s1"),
            ],
        )

    return Unit(
        "Pimpinan Inspektorat",
        U.PIMPINAN,
        jpt("Inspektur", edu="auditor_s2"),
        [jf("Auditor Ahli Madya", "auditor_s2")],
        [
            sekretariat(
                "Sekretaris Inspektorat",
                perencanaan="Subbagian Perencanaan dan Evaluasi",
                umum=[pl("Pengadministrasi Umum", kelas=5), pl("Pengadministrasi Kepegawaian")],
                keu=[pl("Bendahara", kelas=7, edu="keuangan"), pl("Pengelola Keuangan", edu="keuangan")],
                ren=[pl("Pengolah Data")],
                # Vacant: its staff are rated by the Sekretaris (SPEC §2, the next one up).
                vacant_keuangan=True,
            ),
            *(irban(n) for n in ("I", "II", "III", "IV")),
        ],
    )


def _dinkes() -> Unit:
    def bidang(nama: str, staff: list[Pos], children: list[Unit], *, head: Pos | None = None) -> Unit:
        return Unit(nama, U.BIDANG, head or kabid(f"Kepala {nama}", edu="kesehatan_adm"), staff, children)

    def seksi(nama: str, *staff: Pos, login: str = "") -> Unit:
        return Unit(nama, U.SEKSI, pengawas(f"Kepala {nama}", edu="kesehatan_pengawas", login=login), list(staff))

    return Unit(
        "Pimpinan Dinas Kesehatan, Pengendalian Penduduk dan Keluarga Berencana",
        U.PIMPINAN,
        jpt(
            "Kepala Dinas Kesehatan, Pengendalian Penduduk dan Keluarga Berencana",
            edu="kesehatan_pimpinan",
            login="kepala",
        ),
        [],
        [
            sekretariat(
                "Sekretaris Dinas Kesehatan, Pengendalian Penduduk dan Keluarga Berencana",
                keuangan="Subbagian Keuangan dan Aset",
                umum=[
                    pl("Pengadministrasi Kepegawaian", login="admin_opd", edu="s1"),
                    pl("Pengadministrasi Umum", kelas=5),
                    jf("Arsiparis Mahir", "arsip"),
                ],
                keu=[pl("Bendahara", kelas=7, edu="keuangan"), pl("Pengelola Keuangan", 2, edu="keuangan")],
                ren=[jf("Perencana Ahli Pertama", "perencana"), pl("Pengolah Data")],
            ),
            bidang(
                "Bidang Kesehatan Masyarakat",
                [],
                [
                    seksi(
                        "Seksi Kesehatan Keluarga dan Gizi",
                        jf("Nutrisionis Ahli Pertama", "gizi_ahli"),
                        pl("Pengolah Data"),
                    ),
                    seksi(
                        "Seksi Promosi dan Pemberdayaan Masyarakat",
                        jf("Penyuluh Kesehatan Masyarakat Ahli Pertama", "kesmas"),
                        pl("Pengadministrasi Umum", kelas=5),
                    ),
                    seksi(
                        "Seksi Kesehatan Lingkungan, Kesehatan Kerja dan Olahraga",
                        jf("Sanitarian Ahli Pertama", "kesmas"),
                    ),
                ],
            ),
            bidang(
                "Bidang Pencegahan dan Pengendalian Penyakit",
                [jf("Epidemiolog Kesehatan Ahli Muda", "epid")],
                [
                    seksi(
                        "Seksi Surveilans dan Imunisasi",
                        jf("Epidemiolog Kesehatan Ahli Pertama", "epid"),
                        pl("Pengolah Data"),
                    ),
                    seksi("Seksi Pencegahan dan Pengendalian Penyakit Menular", pl("Pengelola Data Penyakit Menular")),
                    seksi(
                        "Seksi Pencegahan dan Pengendalian Penyakit Tidak Menular dan Kesehatan Jiwa",
                        pl("Pengadministrasi Umum", kelas=5),
                    ),
                ],
            ),
            bidang(
                "Bidang Pelayanan dan Sumber Daya Kesehatan",
                [],
                [
                    seksi(
                        "Seksi Pelayanan Kesehatan",
                        pl("Pengolah Data Pelayanan Kesehatan", 2, login="pegawai"),
                        jf("Perawat Ahli Muda", "perawat_ahli"),
                        login="penilai",
                    ),
                    seksi(
                        "Seksi Kefarmasian dan Alat Kesehatan",
                        jf("Apoteker Ahli Pertama", "apoteker"),
                        jf("Asisten Apoteker Mahir", "asisten_apoteker"),
                    ),
                    seksi("Seksi Sumber Daya Manusia Kesehatan", pl("Pengolah Data")),
                ],
            ),
            bidang(
                "Bidang Pengendalian Penduduk dan Keluarga Berencana",
                [],
                [
                    seksi("Seksi Pengendalian Penduduk", jf("Penyuluh Keluarga Berencana Ahli Pertama", "kesmas", 2)),
                    seksi(
                        "Seksi Keluarga Berencana dan Ketahanan Keluarga",
                        jf("Penyuluh Keluarga Berencana Ahli Muda", "kesmas"),
                        pl("Pengolah Data"),
                    ),
                ],
                # Vacant; the Sekretaris is Plt (SPEC §2: an active Plt rates the position's staff).
                head=kabid(
                    "Kepala Bidang Pengendalian Penduduk dan Keluarga Berencana",
                    edu="kesehatan_adm",
                    n=0,
                    plt=True,
                ),
            ),
            puskesmas("Puskesmas Trenggalek", dokter_pertama=2, perawat_mahir=2, bidan_mahir=2),
            puskesmas("Puskesmas Durenan", dokter_pertama=1, perawat_mahir=1, bidan_mahir=1, tb=True),
        ],
    )


def _small(kepala: Pos, staff: list[Pos], unit: str) -> Unit:
    return Unit(unit, U.PIMPINAN, kepala, staff)


PILOTS: dict[str, object] = {
    "SETDA": _setda,
    "BKD": _bkd,
    "INSPEKTORAT": _inspektorat,
    "DINKESDALDUKKB": _dinkes,
}
OTHERS: dict[str, object] = {
    "BAKEUDA": lambda: _small(
        jpt("Kepala Badan Keuangan Daerah", edu="keuangan_s2"),
        [pl("Pengelola Keuangan", 2, edu="keuangan"), pl("Pengadministrasi Umum", kelas=5)],
        "Pimpinan Badan Keuangan Daerah",
    ),
    "DISHUB": lambda: _small(
        jpt("Kepala Dinas Perhubungan", edu="teknis"),
        [pl("Pengatur Lalu Lintas", 2, edu="umum"), pl("Pengadministrasi Umum", kelas=5)],
        "Pimpinan Dinas Perhubungan",
    ),
    "KOMINFO": lambda: _small(
        jpt("Kepala Dinas Komunikasi dan Informatika", edu="teknis"),
        [
            jf("Pranata Komputer Ahli Pertama", "komputer"),
            jf("Pranata Hubungan Masyarakat Ahli Pertama", "humas"),
            pl("Pengolah Data"),
        ],
        "Pimpinan Dinas Komunikasi dan Informatika",
    ),
    "KEC-TRENGGALEK": lambda: _small(
        adm("Camat Trenggalek", edu="pemerintahan"),
        [pl("Pengadministrasi Umum", 2, kelas=5)],
        "Pimpinan Kecamatan Trenggalek",
    ),
}


# People ---------------------------------------------------------------------------------------------

NAMA_L = (
    "Agus", "Bambang", "Budi", "Joko", "Slamet", "Heru", "Eko", "Teguh", "Hadi", "Wahyu", "Yudi", "Arif",
    "Rudi", "Bagus", "Dimas", "Fajar", "Galih", "Hendra", "Imam", "Iwan", "Kukuh", "Rahmat", "Sigit",
    "Sugeng", "Tri", "Wawan", "Yoga", "Aditya", "Rizky", "Ahmad", "Muhammad", "Gunawan", "Hari", "Edi",
    "Totok", "Setyo", "Dedi", "Anton", "Bayu", "Catur", "Danang", "Didik", "Ferry", "Gatot", "Haris",
    "Indra", "Nanang", "Puguh", "Rendra", "Sapto", "Taufik", "Yusuf", "Zainal", "Lukman", "Mukhlis",
)  # fmt: skip
NAMA_P = (
    "Sri", "Endang", "Siti", "Dewi", "Rina", "Yuli", "Tutik", "Sulis", "Ratna", "Nanik", "Lilik", "Ika",
    "Eka", "Novi", "Dian", "Fitri", "Ayu", "Putri", "Anik", "Erna", "Yunita", "Retno", "Rini", "Mega",
    "Nurul", "Laila", "Intan", "Desi", "Kartika", "Indah", "Wiwik", "Umi", "Evi", "Heni", "Lina", "Maya",
    "Nining", "Okta", "Peni", "Rahma", "Septi", "Titik", "Vivin", "Winda", "Yeni", "Zulaikha", "Anis",
)  # fmt: skip
TENGAH_L = ("Dwi", "Tri", "Adi", "Nur", "Budi", "Eko", "Agung", "Hadi", "Rizal")
TENGAH_P = ("Dwi", "Tri", "Nur", "Ayu", "Eka", "Dyah", "Sri", "Puji")
AKHIR_L = (
    "Santoso", "Wibowo", "Prasetyo", "Setiawan", "Nugroho", "Susanto", "Hidayat", "Saputra", "Kurniawan",
    "Purnomo", "Wijaya", "Haryanto", "Suprapto", "Widodo", "Utomo", "Pratama", "Firmansyah", "Hermawan",
    "Sulistyo", "Cahyono", "Mulyono", "Sutrisno", "Priyanto", "Hartono", "Suryanto", "Wicaksono",
)  # fmt: skip
AKHIR_P = (
    "Lestari", "Rahayu", "Wulandari", "Handayani", "Astuti", "Susanti", "Puspitasari", "Kusumawati",
    "Rahmawati", "Wahyuningsih", "Purwanti", "Anggraini", "Safitri", "Utami", "Maharani", "Setyaningsih",
    "Fitriani", "Sulistyowati", "Nurhayati", "Indrawati", "Winarti", "Suprapti", "Kurniasari",
)  # fmt: skip

# Degrees by education: (gelar depan, gelar belakang). "Drs." becomes "Dra." for women and is
# only given to those born before 1975 (the title was replaced by S.Sos./S.Pd. etc.).
GELAR: dict[str, tuple[tuple[str, str], ...]] = {
    "pemerintahan": (("", "S.Sos., M.Si."), ("", "S.STP., M.Si."), ("", "S.H., M.H."), ("Drs.", "M.Si."),
                     ("", "S.IP., M.AP."), ("Drs.", "M.M.")),
    "teknis": (("Ir.", "M.T."), ("", "S.T., M.T."), ("", "S.E., M.M."), ("", "S.Sos., M.M.")),
    "teknis_s1": (("", "S.T."), ("", "S.E."), ("", "S.Kom.")),
    "s2": (("", "S.Sos., M.M."), ("", "S.E., M.Si."), ("", "S.H., M.H."), ("", "S.AP., M.AP."), ("", "S.IP., M.Si.")),
    "s1": (("", "S.E."), ("", "S.Sos."), ("", "S.AP."), ("", "S.H."), ("", "S.Kom."), ("", "S.IP.")),
    "sdm": (("", "S.Psi."), ("", "S.Sos."), ("", "S.AP."), ("", "S.H."), ("", "S.E.")),
    "sdm_s2": (("", "S.Psi., M.Psi."), ("", "S.Sos., M.Si."), ("", "S.AP., M.AP."), ("", "S.H., M.H.")),
    "hukum": (("", "S.H."), ("", "S.H., M.H.")),
    "keuangan": (("", "S.E."), ("", "S.Ak."), ("", "A.Md.Ak."), ("", "")),
    "keuangan_s2": (("", "S.E., M.M."), ("", "S.E., M.Ak."), ("", "S.Ak., M.Si.")),
    "auditor": (("", "S.E."), ("", "S.Ak."), ("", "S.E., M.Ak."), ("", "S.H."), ("", "S.T.")),
    "auditor_s2": (("", "S.E., M.Ak."), ("", "S.H., M.H."), ("Drs.", "M.M."), ("", "S.Ak., M.Si.")),
    "komputer": (("", "S.Kom."), ("", "S.T."), ("", "S.Kom.")),
    "komputer_d3": (("", "A.Md.Kom."),),
    "perencana": (("", "S.T., M.T."), ("", "S.E., M.E."), ("", "S.P., M.Si."), ("", "S.Si.")),
    "humas": (("", "S.I.Kom."), ("", "S.Sos.")),
    "arsip": (("", "A.Md."), ("", "S.Hum.")),
    "kesehatan_pimpinan": (("dr.", "M.Kes."), ("dr.", "M.M.Kes.")),
    "kesehatan_adm": (("", "S.KM., M.Kes."), ("", "S.Kep., Ns., M.Kep."), ("dr.", "M.Kes."), ("", "S.KM., M.M.")),
    "kesehatan_pengawas": (("", "S.KM."), ("", "S.Kep., Ns."), ("", "S.ST."), ("", "S.KM., M.Kes.")),
    "dokter": (("dr.", ""),),
    "dokter_s2": (("dr.", "M.Kes."), ("dr.", "")),
    "dokter_gigi": (("drg.", ""),),
    "perawat_ahli": (("", "S.Kep., Ns."),),
    "perawat_mahir": (("", "A.Md.Kep."),),
    "bidan_ahli": (("", "S.Tr.Keb."), ("", "S.Keb., Bd.")),
    "bidan_mahir": (("", "A.Md.Keb."),),
    "apoteker": (("apt.", "S.Farm."),),
    "asisten_apoteker": (("", "A.Md.Farm."),),
    "kesmas": (("", "S.KM."),),
    "epid": (("", "S.KM."), ("", "S.KM., M.Epid.")),
    "gizi_ahli": (("", "S.Gz."),),
    "gizi_mahir": (("", "A.Md.Gz."),),
    "sanitarian_mahir": (("", "A.Md.KL."),),
    "lab": (("", "A.Md.AK."),),
    "pelaksana": (("", ""), ("", ""), ("", ""), ("", "A.Md."), ("", "S.E."), ("", "S.Sos."), ("", "S.Kom.")),
    "umum": (("", ""),),
}  # fmt: skip

# profile → (birth years, age at TMT CPNS, golongan ladder, years per step on the ladder or 0 = random)
PROFIL: dict[str, tuple[tuple[int, int], tuple[int, int], tuple[str, ...], int]] = {
    "jpt": ((1966, 1974), (24, 30), ("IV/c", "IV/d"), 0),
    "adm": ((1967, 1980), (23, 30), ("IV/a", "IV/b"), 0),
    "pengawas": ((1970, 1988), (22, 30), ("III/c", "III/d"), 0),
    "ahli_madya": ((1968, 1978), (23, 30), ("IV/a", "IV/b"), 0),
    "ahli_muda": ((1972, 1988), (23, 30), ("III/c", "III/d"), 0),
    "ahli_pertama": ((1984, 1998), (22, 27), ("III/a", "III/b"), 0),
    "mahir": ((1978, 1998), (20, 27), ("III/a", "III/b"), 0),
    "pelaksana": ((1970, 2000), (19, 30), ("II/a", "II/b", "II/c", "II/d", "III/a", "III/b"), 5),
}
# PPPK (about one in ten): golongan by education level (Perpres 98/2020): S1 → IX, D3 → VII, SMA → V.
PPPK_GOLONGAN = {"ahli_pertama": "IX", "mahir": "VII", "pelaksana": "V"}
PPPK_SHARE = 0.2
TMT_MONTHS = (1, 2, 3, 4, 10, 12)


@dataclass(frozen=True)
class UnitRow:
    opd: str
    nama: str
    jenis: str
    parent: str | None
    depth: int


@dataclass(frozen=True)
class PosRow:
    key: tuple[str | None, str | None, str]  # (opd kode, unit nama, jabatan nama)
    jenis: str
    eselon: str
    kelas: int | None
    atasan: tuple[str | None, str | None, str] | None
    depth: int
    plt: bool = False


@dataclass(frozen=True)
class PersonRow:
    nip: str
    nama: str
    gelar_depan: str
    gelar_belakang: str
    jenis_asn: str
    golongan: str
    pos: tuple[str | None, str | None, str]
    kedudukan: str
    login: str


@dataclass
class Plan:
    units: list[UnitRow] = field(default_factory=list)
    positions: list[PosRow] = field(default_factory=list)
    people: list[PersonRow] = field(default_factory=list)


class _People:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.nips: set[str] = set()
        self.names: set[str] = set()

    def _nama(self, gender: str) -> str:
        rng = self.rng
        for _ in range(20):
            first, middle, last = (NAMA_L, TENGAH_L, AKHIR_L) if gender == "1" else (NAMA_P, TENGAH_P, AKHIR_P)
            r = rng.random()
            if r < 0.2:
                tengah, depan = rng.choice(middle), rng.choice(first)
                if tengah == depan:
                    # "Eka Eka Nurhayati": take the next middle name instead of drawing again, so that
                    # the random sequence (and every other demo name and NIP) stays as it was.
                    tengah = middle[(middle.index(tengah) + 1) % len(middle)]
                nama = f"{tengah} {depan} {rng.choice(last)}"
            else:
                nama = f"{rng.choice(first)} {rng.choice(last)}"
            if nama not in self.names:
                break
        self.names.add(nama)
        return nama

    def _nip(self, prefix: str) -> str:
        while True:
            nip = f"{prefix}{self.rng.randint(1, 999):03d}"
            if nip not in self.nips:
                self.nips.add(nip)
                return nip

    def make(self, pos: Pos, key: tuple, *, login: str, kedudukan: str) -> PersonRow:
        rng = self.rng
        gender = pos.gender or rng.choice("12")
        depan, belakang = rng.choice(GELAR[pos.edu])
        (born_lo, born_hi), (age_lo, age_hi), ladder, step = PROFIL[pos.profil]
        pppk = not login and pos.profil in PPPK_GOLONGAN and rng.random() < PPPK_SHARE
        if pppk:
            lahir = datetime.date(
                rng.randint(max(born_lo, 1978), min(born_hi, 1999)), rng.randint(1, 12), rng.randint(1, 28)
            )
            tmt = rng.choice((2022, 2023, 2024))
            nip = self._nip(f"{lahir:%Y%m%d}{tmt}2{rng.randint(1, 2)}{gender}")
            golongan, jenis_asn = PPPK_GOLONGAN[pos.profil], Pegawai.JenisAsn.PPPK
        else:
            lahir = datetime.date(rng.randint(born_lo, born_hi), rng.randint(1, 12), rng.randint(1, 28))
            # TMT CPNS after the 18th birthday (age_lo ≥ 19), never after LAST_TMT_YEAR.
            hi = min(lahir.year + age_hi, LAST_TMT_YEAR)
            tmt = rng.randint(min(lahir.year + age_lo, hi), hi)
            nip = self._nip(f"{lahir:%Y%m%d}{tmt}{rng.choice(TMT_MONTHS):02d}{gender}")
            if step:
                # Pelaksana start at II/a (SMA), II/c (D3) or III/a (S1) and rise one step per `step` years.
                start = 4 if belakang.startswith("S.") else 2 if belakang.startswith("A.Md") else 0
                golongan = ladder[min(len(ladder) - 1, start + (LAST_TMT_YEAR - tmt) // step)]
            else:
                golongan = rng.choice(ladder)
            jenis_asn = Pegawai.JenisAsn.PNS
        if depan in {"Drs.", "Ir."} and lahir.year >= 1975:
            depan = ""
        if depan == "Drs." and gender == "2":
            depan = "Dra."
        return PersonRow(
            nip=nip,
            nama=self._nama(gender),
            gelar_depan=depan,
            gelar_belakang=belakang,
            jenis_asn=jenis_asn,
            golongan=golongan,
            pos=key,
            kedudukan=kedudukan or Pegawai.KedudukanHukum.AKTIF,
            login=login,
        )


def build_plan() -> Plan:
    """The whole demo organisation as plain rows (no database). Deterministic."""
    rng = random.Random(2026)
    people = _People(rng)
    plan = Plan()
    bupati_key = (None, None, BUPATI_JABATAN)
    plan.positions.append(PosRow(bupati_key, J.PEJABAT_NEGARA, "", None, None, 0))
    sekda_key = ("SETDA", "Pimpinan Sekretariat Daerah", "Sekretaris Daerah")

    def add_pos(opd: str, unit: str, pos: Pos, atasan: tuple | None, depth: int) -> tuple:
        key = (opd, unit, pos.nama)
        plan.positions.append(PosRow(key, pos.jenis, pos.eselon, pos.kelas, atasan, depth, pos.plt))
        for i in range(pos.n):
            plan.people.append(
                people.make(pos, key, login=pos.login if i == 0 else "", kedudukan=pos.kedudukan if i == 0 else "")
            )
        return key

    def walk(opd: str, unit: Unit, parent: str | None, atasan: tuple | None, unit_depth: int, pos_depth: int) -> None:
        plan.units.append(UnitRow(opd, unit.nama, unit.jenis, parent, unit_depth))
        head_key, head_depth = atasan, pos_depth
        if unit.head is not None:
            head_key = add_pos(opd, unit.nama, unit.head, atasan, pos_depth + 1)
            head_depth = pos_depth + 1
        for pos in unit.staff:
            add_pos(opd, unit.nama, pos, head_key, head_depth + 1)
        for child in unit.children:
            walk(opd, child, unit.nama, head_key, unit_depth + 1, head_depth)

    for kode, make in (*PILOTS.items(), *OTHERS.items()):
        root = make()  # type: ignore[operator]
        # The Sekda is rated by the Bupati; every Kepala OPD (and Camat) by the Sekda (SPEC §2).
        walk(kode, root, None, bupati_key if kode == "SETDA" else sekda_key, 0, 0 if kode == "SETDA" else 1)
    return plan


# Writing it --------------------------------------------------------------------------------------------

LOGIN_LABELS = {
    "pegawai": "Pegawai",
    "penilai": "Pejabat penilai",
    "kepala": "Kepala OPD",
    "admin_opd": "Admin OPD",
    "admin_bkd": "Admin BKD",
    "auditor": "Auditor",
    "plt": "Plt (Sekretaris)",
    "bupati": "Bupati",
}


@dataclass(frozen=True)
class DemoLogin:
    peran: str
    nip: str
    nama: str
    keterangan: str


@dataclass
class DemoAccounts:
    password: str
    logins: list[DemoLogin]
    pegawai_baru: int
    pegawai_total: int


def _write(stdout: TextIO | None, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def _sync_units(plan: Plan, opds: dict[str, Opd]) -> dict[tuple[str, str], UnitKerja]:
    existing = {(u.opd.kode, u.nama): u for u in UnitKerja.objects.filter(opd__in=opds.values()).select_related("opd")}
    for depth in sorted({r.depth for r in plan.units}):
        create, update = [], []
        for row in (r for r in plan.units if r.depth == depth):
            parent = existing[(row.opd, row.parent)] if row.parent else None
            unit = existing.get((row.opd, row.nama))
            if unit is None:
                unit = UnitKerja(opd=opds[row.opd], nama=row.nama, jenis=row.jenis, parent=parent)
                create.append(unit)
                existing[(row.opd, row.nama)] = unit
            elif unit.jenis != row.jenis or unit.parent_id != (parent.pk if parent else None):
                unit.jenis, unit.parent = row.jenis, parent
                update.append(unit)
        UnitKerja.objects.bulk_create(create)
        UnitKerja.objects.bulk_update(update, ["jenis", "parent"])
    return existing


def _sync_positions(plan: Plan, opds: dict[str, Opd], units: dict[tuple[str, str], UnitKerja]) -> dict[tuple, Jabatan]:
    def key_of(j: Jabatan) -> tuple:
        return (j.opd.kode if j.opd_id else None, j.unit.nama if j.unit_id else None, j.nama)

    existing: dict[tuple, Jabatan] = {}
    rows = Jabatan.objects.filter(Q(opd__in=opds.values()) | Q(opd__isnull=True, nama=BUPATI_JABATAN))
    # A position split by "hanya pegawai ini" shares its name: the oldest one is the demo's.
    for j in rows.select_related("opd", "unit").order_by("-pk"):
        existing[key_of(j)] = j
    for depth in sorted({r.depth for r in plan.positions}):
        create, update = [], []
        for row in (r for r in plan.positions if r.depth == depth):
            opd_kode, unit_nama, nama = row.key
            values = {
                "jenis": row.jenis,
                "eselon": row.eselon,
                "kelas_jabatan": row.kelas,
                "opd": opds[opd_kode] if opd_kode else None,
                "unit": units[(opd_kode, unit_nama)] if unit_nama else None,
                "atasan": existing[row.atasan] if row.atasan else None,
            }
            jabatan = existing.get(row.key)
            if jabatan is None:
                jabatan = Jabatan(nama=nama, **values)
                create.append(jabatan)
                existing[row.key] = jabatan
            elif any(getattr(jabatan, f) != v for f, v in values.items()):
                for f, v in values.items():
                    setattr(jabatan, f, v)
                update.append(jabatan)
        Jabatan.objects.bulk_create(create)
        Jabatan.objects.bulk_update(update, ["jenis", "eselon", "kelas_jabatan", "opd", "unit", "atasan"])
    return existing


PEGAWAI_FIELDS = ("nama", "gelar_depan", "gelar_belakang", "jenis_asn", "golongan", "jabatan_id", "opd_id", "unit_id",
                  "kedudukan_hukum")  # fmt: skip


def _sync_people(plan: Plan, jabatan: dict[tuple, Jabatan]) -> tuple[dict[str, Pegawai], int]:
    rows = [
        PersonRow(
            BUPATI_NIP,
            "Bupati Trenggalek",
            "",
            "",
            Pegawai.JenisAsn.NON_ASN,
            "",
            (None, None, BUPATI_JABATAN),
            Pegawai.KedudukanHukum.AKTIF,
            "bupati",
        ),
        *plan.people,
    ]
    existing = {p.nip: p for p in Pegawai.objects.filter(nip__in=[r.nip for r in rows])}
    password_hash: str | None = None
    create, update = [], []
    for row in rows:
        j = jabatan[row.pos]
        values = {
            "nama": row.nama,
            "gelar_depan": row.gelar_depan,
            "gelar_belakang": row.gelar_belakang,
            "jenis_asn": row.jenis_asn,
            "golongan": row.golongan,
            "jabatan_id": j.pk,
            "opd_id": j.opd_id,
            "unit_id": j.unit_id,
            "kedudukan_hukum": row.kedudukan,
        }
        pegawai = existing.get(row.nip)
        if pegawai is None:
            # Hash once: every new demo account gets the same password (hashing is deliberately slow).
            password_hash = password_hash or make_password(DEMO_PASSWORD)
            pegawai = Pegawai(nip=row.nip, password=password_hash, **values)
            create.append(pegawai)
            existing[row.nip] = pegawai
        elif any(getattr(pegawai, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(pegawai, f, v)
            update.append(pegawai)
    Pegawai.objects.bulk_create(create)
    Pegawai.objects.bulk_update(update, PEGAWAI_FIELDS)
    return existing, len(create)


def _sync_plt(plan: Plan, jabatan: dict[tuple, Jabatan], people: dict[str, Pegawai], admin_bkd: Pegawai) -> Pegawai:
    """An active Plt: the Sekretaris of the same OPD acts for the vacant position, from the first day
    of this month to the end of next month. Idempotent: nothing is done while one is active."""
    (row,) = [r for r in plan.positions if r.plt]
    target = jabatan[row.key]
    sekretaris = next(
        people[p.nip]
        for p in plan.people
        if p.pos[0] == row.key[0] and p.pos[1] == "Sekretariat" and p.pos[2].startswith("Sekretaris")
    )
    today = timezone.localdate()
    mulai = today.replace(day=1)
    next_month = (mulai + datetime.timedelta(days=32)).replace(day=1)
    selesai = next_month.replace(day=calendar.monthrange(next_month.year, next_month.month)[1])
    active = PenugasanPlt.objects.active_on(today).filter(jabatan=target).select_related("pegawai").first()
    if active is not None:
        return active.pegawai
    if PenugasanPlt.objects.filter(jabatan=target, dibatalkan=False, mulai__lte=selesai, selesai__gte=mulai).exists():
        return sekretaris  # somebody planned one for these dates: leave it as it is
    values = {
        "jabatan": target,
        "pegawai": sekretaris,
        "jenis": PenugasanPlt.Jenis.PLT,
        "mulai": mulai,
        "selesai": selesai,
        "nomor_sk": f"800.1.3.3/{100 + today.month}/406.005/{today.year}",
    }
    create_plt = getattr(services, "create_plt", None)
    if create_plt is not None:
        create_plt(**values, by=admin_bkd)  # the workflow, with its own audit row
        return sekretaris
    plt = PenugasanPlt.objects.create(**values, dibuat_oleh=admin_bkd)
    audit.record(
        plt,
        "plt_dibuat",
        by=admin_bkd,
        perubahan={"pegawai": (None, sekretaris), "mulai": (None, mulai), "selesai": (None, selesai)},
        alasan=f"Data demo: {sekretaris.jabatan} sebagai Plt {target}",
        opd_id=target.opd_id,
    )
    return sekretaris


@transaction.atomic
def seed_organisation(*, stdout: TextIO | None = None) -> DemoAccounts:
    """Create (or bring back to the demo state) the demo organisation and its logins."""
    plan = build_plan()
    kodes = sorted({r.opd for r in plan.units})
    opds = {o.kode: o for o in Opd.objects.filter(kode__in=kodes)}
    missing = set(kodes) - set(opds)
    if missing:
        raise RuntimeError(f"OPD tidak ditemukan (jalankan migrate dahulu): {', '.join(sorted(missing))}")
    before = Pegawai.objects.count()
    units = _sync_units(plan, opds)
    jabatan = _sync_positions(plan, opds, units)
    people, created = _sync_people(plan, jabatan)

    by_login = {r.login: people[r.nip] for r in plan.people if r.login}
    by_login["bupati"] = people[BUPATI_NIP]
    roles = [
        (by_login["admin_opd"], PeranPengguna.Peran.ADMIN_OPD, opds["DINKESDALDUKKB"]),
        (by_login["admin_bkd"], PeranPengguna.Peran.ADMIN_BKD, None),
        (by_login["auditor"], PeranPengguna.Peran.AUDITOR, None),
    ]
    for pegawai, peran, opd in roles:
        PeranPengguna.objects.get_or_create(pegawai=pegawai, peran=peran, opd=opd)
    by_login["plt"] = _sync_plt(plan, jabatan, people, by_login["admin_bkd"])

    if created:
        audit.record(
            None,
            "demo_dimuat",
            by=None,
            perubahan={"jumlah_pegawai": (before, before + created)},
            alasan="python manage.py demo",
        )
    logins = []
    for key, label in LOGIN_LABELS.items():
        p = by_login[key]
        keterangan = p.jabatan.nama if p.jabatan_id else ""
        if p.opd_id:
            keterangan = f"{keterangan} ({p.opd.kode})"
        if key == "plt":
            keterangan = "Sekretaris Dinas (DINKESDALDUKKB); Plt Kepala Bidang Pengendalian Penduduk dan KB"
        logins.append(DemoLogin(peran=label, nip=p.nip, nama=p.nama_lengkap, keterangan=keterangan))
    total = sum(1 for _ in plan.people) + 1
    _write(
        stdout,
        f"Organisasi demo: {total} akun ({created} baru), {len(plan.positions)} jabatan, {len(plan.units)} unit.\n",
    )
    return DemoAccounts(password=DEMO_PASSWORD, logins=logins, pegawai_baru=created, pegawai_total=total)
