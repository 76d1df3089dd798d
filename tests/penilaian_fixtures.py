"""Builders for the monthly cycle's tests (helper "pegawai"): an opened period and an approved
SKP with RHK and IKI for a pegawai of the named world, made through the SKP services, plus
rencana aksi and bukti rows and small sample files whose type is known from their content.

Self-contained: it imports only app code and tests.conftest."""

from __future__ import annotations

import datetime
import io
import struct
import zipfile
from decimal import Decimal

from django.utils import timezone

from opd.models import Pegawai
from penilaian.models import BuktiDukung, Evaluasi, Periode, RencanaAksi
from penilaian.services._common import pastikan_evaluasi
from skp import services as skp_services
from skp.models import RencanaHasilKerja, Skp
from skp.services import IkiData, LinkData

TODAY = timezone.localdate()
TAHUN = TODAY.year

IKI_DOKUMEN = IkiData(
    uraian="Jumlah laporan data pelayanan", aspek="KUANTITAS", target_min=Decimal(12), satuan="laporan"
)
IKI_WAKTU = IkiData(uraian="Waktu penyelesaian rekap", aspek="WAKTU", target_min=Decimal(5), satuan="hari")
IKI_KUALITAS = IkiData(
    uraian="Persentase data yang valid", aspek="KUALITAS", target_min=Decimal(90), target_max=Decimal(100), satuan="%"
)


def buat_periode(
    tahun: int = TAHUN, bulan: int = TODAY.month, *, realisasi: datetime.date | None = None,
    penilaian: datetime.date | None = None,
) -> Periode:  # fmt: skip
    """An opened month; by default its deadlines are still ahead (not locked)."""
    return Periode.objects.create(
        tahun=tahun,
        bulan=bulan,
        batas_realisasi=realisasi or TODAY + datetime.timedelta(days=5),
        batas_penilaian=penilaian or TODAY + datetime.timedelta(days=10),
    )


def kunci(periode: Periode) -> Periode:
    """Move the deadlines into the past: the period is locked."""
    Periode.objects.filter(pk=periode.pk).update(
        batas_realisasi=TODAY - datetime.timedelta(days=6), batas_penilaian=TODAY - datetime.timedelta(days=1)
    )
    periode.refresh_from_db()
    return periode


def _rhk(skp: Skp, by: Pegawai, uraian: str, *, jenis: str = "UTAMA", links=(), iki=(IKI_DOKUMEN,)):
    skp.refresh_from_db()
    return skp_services.save_rhk(
        skp, by=by, versi=skp.versi, rhk=None, jenis=jenis, uraian=uraian, iki=list(iki),
        links=[LinkData(rhk_atasan_id=r.pk, jenis_cascading="LANGSUNG") for r in links],
    )  # fmt: skip


def skp_penilai(world) -> list[RencanaHasilKerja]:
    """The penilai's approved SKP (the kepala's submitted), so the pegawai's RHK can link to it."""
    existing = RencanaHasilKerja.objects.filter(skp__pegawai=world.penilai, skp__status="DISETUJUI").order_by("pk")
    if existing:
        return list(existing)
    kepala_skp = skp_services.create_skp(world.kepala, by=world.kepala, tahun=TAHUN, pendekatan="KUANTITATIF")
    kepala_rhk = _rhk(kepala_skp, world.kepala, "Meningkatnya derajat kesehatan masyarakat")
    skp_services.submit_skp(kepala_skp, by=world.kepala)
    skp = skp_services.create_skp(world.penilai, by=world.penilai, tahun=TAHUN, pendekatan="KUANTITATIF")
    rhk = _rhk(skp, world.penilai, "Tersedianya data pelayanan kesehatan yang akurat", links=[kepala_rhk])
    skp_services.submit_skp(skp, by=world.penilai)
    skp_services.approve_skp(skp, by=world.kepala)
    return [rhk]


def skp_disetujui(world, pegawai: Pegawai | None = None) -> Skp:
    """An approved SKP of `pegawai` (default world.pegawai, rated by world.penilai) for this year:
    RHK utama 1 with a kuantitas IKI (12 laporan) and a waktu IKI (5 hari, less is better); RHK
    tambahan 2 with a ranged kualitas IKI (90–100 %)."""
    pegawai = pegawai or world.pegawai
    atasan = skp_penilai(world)
    if pegawai.pk == world.penilai.pk:
        return atasan[0].skp
    skp = skp_services.create_skp(pegawai, by=pegawai, tahun=TAHUN, pendekatan="KUANTITATIF")
    _rhk(skp, pegawai, "Tersusunnya laporan data pelayanan kesehatan", links=atasan, iki=(IKI_DOKUMEN, IKI_WAKTU))
    _rhk(skp, pegawai, "Terlaksananya validasi data kunjungan", jenis="TAMBAHAN", iki=(IKI_KUALITAS,))
    skp_services.submit_skp(skp, by=pegawai)
    skp_services.approve_skp(skp, by=world.penilai)
    skp.refresh_from_db()
    return skp


def evaluasi_bulan(world, periode: Periode | None = None, pegawai: Pegawai | None = None) -> Evaluasi:
    """The month's (only) evaluation of the pegawai, creating period and SKP when missing."""
    pegawai = pegawai or world.pegawai
    if not Skp.objects.filter(pegawai=pegawai, status="DISETUJUI").exists():
        skp_disetujui(world, pegawai)
    periode = periode or Periode.objects.filter(tahun=TAHUN, bulan=TODAY.month).first() or buat_periode()
    (ev,) = pastikan_evaluasi(pegawai, periode)
    return Evaluasi.objects.select_related("periode", "pegawai", "skp").get(pk=ev.pk)


def tambah_aksi(
    ev: Evaluasi, uraian: str = "Menyusun rekap data kunjungan", *, rhk_index: int = 0, iki_index: int = 0,
    target: Decimal | int | None = 4, satuan: str = "laporan", realisasi: Decimal | int | None = None,
    realisasi_uraian: str = "", bukti: bool = False,
) -> RencanaAksi:  # fmt: skip
    """A rencana aksi row (ORM: arranging a state, not testing the service)."""
    rhk = sorted(ev.skp.rhk_set.all(), key=lambda r: (r.jenis != "UTAMA", r.urutan, r.pk))[rhk_index]
    iki = list(rhk.iki_set.order_by("urutan", "pk"))[iki_index]
    ra = RencanaAksi.objects.create(
        evaluasi=ev, rhk=rhk, iki=iki, uraian=uraian, target=None if target is None else Decimal(target),
        satuan=satuan if target is not None else "", realisasi=None if realisasi is None else Decimal(realisasi),
        realisasi_uraian=realisasi_uraian,
    )  # fmt: skip
    if bukti:
        BuktiDukung.objects.create(
            rencana_aksi=ra, jenis="TAUTAN", tautan="https://drive.example.go.id/rekap", diunggah_oleh=ev.pegawai
        )
    return ra


def isi_lengkap(ev: Evaluasi) -> RencanaAksi:
    """A complete month: one rencana aksi on the RHK utama with realisasi and a link."""
    return tambah_aksi(ev, realisasi=4, realisasi_uraian="Empat rekap selesai", bukti=True)


def nilai(ev: Evaluasi, predikat: str = "BAIK") -> Evaluasi:
    """Mark an evaluation as rated (arranging a past month)."""
    Evaluasi.objects.filter(pk=ev.pk).update(
        status="DINILAI", rating_hasil="SESUAI", rating_perilaku="SESUAI", predikat=predikat
    )
    ev.refresh_from_db()
    return ev


# Sample files: the type is in the bytes -----------------------------------------------------------

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde" + b"\x00" * 64
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x000\x01\x00\x9d\x01\x2a\x01\x00\x01\x00" + b"\x00" * 32
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 44
    + b"\x80\x00\x00\x00"
    + b"PE\x00\x00" * 16
)
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
SVG_POLOS = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>'
TEKS = b"Laporan kegiatan bulan ini: semua selesai.\n"


def _zip(entries: dict[str, bytes], *, stored_first: bool = False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i, (name, data) in enumerate(entries.items()):
            z.writestr(name, data, compress_type=zipfile.ZIP_STORED if stored_first and i == 0 else None)
    return buf.getvalue()


def _content_types(main: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'content-types"><Override PartName="/main.xml" ContentType="{main}"/></Types>'
    ).encode()


DOCX = _zip(
    {
        "[Content_Types].xml": _content_types(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
        ),
        "word/document.xml": b"<w:document/>",
    }
)
XLSX = _zip(
    {
        "[Content_Types].xml": _content_types(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
        ),
        "xl/workbook.xml": b"<workbook/>",
    }
)
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"}, stored_first=True)
ZIP_BIASA = _zip({"catatan.txt": b"bukan dokumen kantor", "program.exe": EXE})


def ole2(stream: str) -> bytes:
    """A minimal OLE2 compound file (MS-CFB v3) whose directory names one stream `stream`."""
    free, end, fatsect = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, end, 0, end, 0)
    struct.pack_into("<109I", header, 76, 0, *([free] * 108))
    fat = struct.pack("<128I", fatsect, end, *([free] * 126))
    directory = bytearray(512)
    for i, name in enumerate(("Root Entry", stream)):
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        directory[i * 128 : i * 128 + len(encoded)] = encoded
        struct.pack_into("<H", directory, i * 128 + 64, len(encoded))
        directory[i * 128 + 66] = 5 if i == 0 else 2
    return bytes(header) + fat + bytes(directory)


DOC = ole2("WordDocument")
XLS = ole2("Workbook")
MSI = ole2("\u4840\u3f3f\u4577")  # an installer's stream name: not an office document
