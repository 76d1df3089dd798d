"""Bukti dukung files (penilaian/bukti.py): the type comes from the content, never the name; the
size is bounded while reading; the stored path is generated; the download carries headers that
keep a browser from sniffing or running the file (issue #7 §3 and its bad-input list)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from penilaian import bukti
from penilaian.bukti import BerkasDitolak
from penilaian.models import BuktiDukung
from tests import penilaian_fixtures as fx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def bukti_root(settings, tmp_path) -> Path:
    settings.BUKTI_ROOT = tmp_path / "bukti"
    return settings.BUKTI_ROOT


def _stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("content", "name", "mime", "ext"),
    [
        (fx.PDF, "laporan.pdf", "application/pdf", "pdf"),
        (fx.PNG, "foto.png", "image/png", "png"),
        (fx.JPEG, "foto kegiatan.JPG", "image/jpeg", "jpg"),
        (fx.GIF, "animasi.gif", "image/gif", "gif"),
        (fx.WEBP, "gambar.webp", "image/webp", "webp"),
        (fx.DOCX, "notulen.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
        (fx.XLSX, "rekap.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        (fx.ODT, "surat.odt", "application/vnd.oasis.opendocument.text", "odt"),
        (fx.DOC, "lama.doc", "application/msword", "doc"),
        (fx.XLS, "lama.xls", "application/vnd.ms-excel", "xls"),
        # The name does not decide: a PDF called .txt is a PDF, stored as .pdf.
        (fx.PDF, "salah-nama.txt", "application/pdf", "pdf"),
    ],
)
def test_allowed_types_are_detected_from_content_and_stored_under_a_generated_name(
    bukti_root, content, name, mime, ext
):
    saved = bukti.simpan_berkas(SimpleUploadedFile(name, content, content_type="text/html"))
    assert saved.mime == mime
    assert saved.sha256 == hashlib.sha256(content).hexdigest() and saved.ukuran == len(content)
    assert saved.nama_berkas == name
    parts = saved.berkas.split("/")
    assert len(parts) == 3 and parts[0] == f"{fx.TODAY:%Y}" and parts[1] == f"{fx.TODAY:%m}"
    assert parts[2].endswith(f".{ext}") and len(parts[2]) == 32 + 1 + len(ext)
    assert (bukti_root / saved.berkas).read_bytes() == content
    assert _stored_files(bukti_root) == [bukti_root / saved.berkas]  # no temporary file left


@pytest.mark.parametrize(
    ("content", "name", "pesan"),
    [
        (fx.EXE, "laporan.pdf", "program"),
        (fx.ELF, "laporan.pdf", "program"),
        (b"#!/bin/sh\nrm -rf /\n", "skrip.pdf", "program"),
        (fx.HTML, "laporan.pdf", "HTML"),
        (fx.HTML, "laporan.html", "HTML"),
        (fx.SVG, "grafik.svg", "SVG"),
        (fx.SVG_POLOS, "grafik.png", "SVG"),
        (fx.TEKS, "catatan.txt", "tidak dikenali"),
        (b"", "kosong.pdf", "kosong"),
        (fx.ZIP_BIASA, "arsip.docx", "ZIP"),
        (fx.MSI, "pasang.doc", "bukan dokumen Word"),
        (b"\x00\x00\x01\x00" + b"\x00" * 60, "ikon.ico", "tidak"),
    ],
)
def test_forbidden_content_is_refused_whatever_its_name(bukti_root, content, name, pesan):
    with pytest.raises(BerkasDitolak, match=pesan):
        bukti.simpan_berkas(SimpleUploadedFile(name, content))
    assert _stored_files(bukti_root) == []


def test_too_large_is_refused_from_the_declared_size_and_while_reading(settings, bukti_root):
    settings.BUKTI_MAX_BYTES = 1000
    with pytest.raises(BerkasDitolak, match="terlalu besar"):
        bukti.simpan_berkas(SimpleUploadedFile("besar.pdf", fx.PDF + b"0" * 1000))

    class Bohong(SimpleUploadedFile):
        """Declares a small size but yields more: the running count stops it."""

        @property
        def size(self):
            return 10

        @size.setter
        def size(self, value):
            pass

    with pytest.raises(BerkasDitolak, match="terlalu besar"):
        bukti.simpan_berkas(Bohong("besar.pdf", fx.PDF + b"0" * 5000))
    assert _stored_files(bukti_root) == []
    settings.BUKTI_MAX_BYTES = len(fx.PDF)
    assert bukti.simpan_berkas(SimpleUploadedFile("pas.pdf", fx.PDF)).ukuran == len(fx.PDF)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system32\\laporan.pdf", "laporan.pdf"),
        ("C:\\Users\\agus\\Dokumen\\Laporan Bulanan.pdf", "Laporan Bulanan.pdf"),
        ("lap\x00or\x1ban\u202e.pdf", "laporan.pdf"),
        ("..", ""),
        (".htaccess", "htaccess"),
        ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
    ],
)
def test_display_name_is_sanitised(raw, clean):
    assert bukti.nama_aman(raw) == clean
    assert len(bukti.nama_aman(raw)) <= 255


def test_a_name_with_dot_dot_never_reaches_the_path(bukti_root):
    saved = bukti.simpan_berkas(SimpleUploadedFile("../../../luar.pdf", fx.PDF))
    assert saved.nama_berkas == "luar.pdf" and ".." not in saved.berkas and "luar" not in saved.berkas
    assert (bukti_root / saved.berkas).resolve().is_relative_to(bukti_root.resolve())
    empty = bukti.simpan_berkas(SimpleUploadedFile("....", fx.PNG))
    assert empty.nama_berkas == "bukti.png"


def test_bukti_root_is_outside_every_served_folder():
    from django.conf import settings

    root = Path(settings.BUKTI_ROOT).resolve()
    served = [Path(p).resolve() for p in (settings.STATIC_ROOT, getattr(settings, "MEDIA_ROOT", "") or None) if p]
    served += [Path(p).resolve() for p in getattr(settings, "STATICFILES_DIRS", [])]
    for folder in served:
        assert not root.is_relative_to(folder) and not folder.is_relative_to(root)


# Download headers (through the view) ---------------------------------------------------------------


def _upload(client, world, content: bytes, name: str) -> BuktiDukung:
    ev = fx.evaluasi_bulan(world)
    ra = fx.tambah_aksi(ev)
    client.force_login(world.pegawai)
    response = client.post(
        reverse("penilaian:bukti_unggah", args=[ra.pk]),
        {"versi": ev.versi, "berkas": SimpleUploadedFile(name, content), "keterangan": "Rekap"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return BuktiDukung.objects.get(rencana_aksi=ra)


def test_download_is_an_attachment_with_nosniff_and_the_stored_mime(client, world):
    row = _upload(client, world, fx.PDF, "Laporan Ñovember \u201cfinal\u201d.pdf")
    response = client.get(reverse("penilaian:bukti", args=[row.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == fx.PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''Laporan%20%C3%91ovember%20%E2%80%9Cfinal%E2%80%9D.pdf" in disposition
    assert "Content-Security-Policy" not in response


def test_inline_only_for_pdf_and_images_and_sandboxed(client, world):
    pdf = _upload(client, world, fx.PDF, "laporan.pdf")
    response = client.get(reverse("penilaian:bukti", args=[pdf.pk]) + "?inline=1")
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    docx = BuktiDukung.objects.create(
        rencana_aksi=pdf.rencana_aksi, jenis="BERKAS", berkas=pdf.berkas, nama_berkas="notulen.docx", sha256="x" * 64,
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document", diunggah_oleh=world.pegawai,
    )  # fmt: skip
    response = client.get(reverse("penilaian:bukti", args=[docx.pk]) + "?inline=1")
    assert response["Content-Disposition"].startswith("attachment;")


def test_a_stored_path_leaving_the_root_is_never_served(client, world):
    row = _upload(client, world, fx.PDF, "laporan.pdf")
    BuktiDukung.objects.filter(pk=row.pk).update(berkas="../../../../etc/passwd")
    assert client.get(reverse("penilaian:bukti", args=[row.pk])).status_code == 404


def test_missing_file_answers_404_not_500(client, world, bukti_root):
    row = _upload(client, world, fx.PDF, "laporan.pdf")
    (bukti_root / row.berkas).unlink()
    assert client.get(reverse("penilaian:bukti", args=[row.pk])).status_code == 404
