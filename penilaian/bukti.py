"""Bukti dukung files (issue #7 §3, SPEC §5): validate and store an upload, and serve it back.

Storing: the upload is read in chunks into a temporary file inside settings.BUKTI_ROOT while its
SHA-256 is computed and its size counted (refused as soon as it passes BUKTI_MAX_BYTES, never
read whole into memory); the type is decided from the CONTENT (the `filetype` library, then a
look inside ZIP containers and OLE2 compound files for office documents), never from the name;
the file is then renamed to a generated path `yyyy/mm/<uuid>.<ext>` where the extension comes from
the detected type. The user's name is kept only as a display name (`nama_berkas`).

Serving: only through a view that checked access; `Content-Disposition: attachment` (inline only
for PDF and images on request, then with `Content-Security-Policy: sandbox`), the stored mime and
`X-Content-Type-Options: nosniff`, so a browser never runs what was uploaded.
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.utils import timezone

from penilaian.services._common import PenilaianError

# Detected mime → stored extension. Nothing outside this table is stored.
JENIS_DIIZINKAN: dict[str, str] = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/vnd.ms-powerpoint": "ppt",
}
# Opened in the browser on request (`?inline=1`); everything else is always a download.
JENIS_INLINE = {"application/pdf", "image/jpeg", "image/png", "image/webp", "image/gif"}
PENJELASAN_JENIS = "PDF, gambar (JPG, PNG, WEBP, GIF) atau dokumen kantor (Word, Excel, PowerPoint, OpenDocument)"

# Office Open XML: the main part's content type inside [Content_Types].xml.
_OOXML = {
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}  # fmt: skip
# OLE2 compound files (old doc/xls/ppt): the stream that makes each one. An .msi installer is an
# OLE2 file too: it has none of these streams and is refused.
_OLE_STREAM = {
    "worddocument": "application/msword",
    "workbook": "application/vnd.ms-excel",
    "book": "application/vnd.ms-excel",
    "powerpoint document": "application/vnd.ms-powerpoint",
}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PROGRAM = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa")
_EKSTENSI_PROGRAM = {"exe", "elf", "dll", "msi", "dmg", "deb", "rpm", "apk", "macho", "swf", "class", "wasm"}
_CHUNK = 64 * 1024
_HEAD = 8192
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class BerkasDitolak(PenilaianError):
    """The upload is refused; the message says why, in words the pegawai understands."""


@dataclass(frozen=True)
class BerkasTersimpan:
    berkas: str  # path relative to BUKTI_ROOT
    nama_berkas: str
    mime: str
    ukuran: int
    sha256: str


def root() -> Path:
    return Path(settings.BUKTI_ROOT)


def ukuran_teks(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB".replace(".", ",").replace(",0 MB", " MB")
    if n >= 1024:
        return f"{n // 1024} KB"
    return f"{n} byte"


def maks_ukuran_teks() -> str:
    return ukuran_teks(settings.BUKTI_MAX_BYTES)


def nama_aman(nama: str) -> str:
    """The display name: the last path component only (`../`, `\\`, drive letters gone), control
    characters and leading dots removed, at most 255 characters (the extension kept)."""
    nama = unicodedata.normalize("NFC", str(nama or ""))
    nama = _CONTROL.sub("", nama)
    nama = re.split(r"[\\/]", nama)[-1]
    nama = "".join(ch for ch in nama if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co"})
    nama = nama.strip().lstrip(".").strip()
    if len(nama) > 255:
        stem, dot, ext = nama.rpartition(".")
        nama = (stem[: 254 - len(ext)] + dot + ext) if dot and len(ext) <= 10 else nama[:255]
    return nama


def _ooxml_or_odf(path: Path) -> str | None:
    """The office type of a ZIP container, from its own declaration; None for any other ZIP."""
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            if "mimetype" in names:
                info = z.getinfo("mimetype")
                if info.file_size <= 100:
                    mime = z.read(info).decode("ascii", "replace").strip()
                    if mime in JENIS_DIIZINKAN and mime.startswith("application/vnd.oasis"):
                        return mime
            if "[Content_Types].xml" in names:
                info = z.getinfo("[Content_Types].xml")
                if info.file_size <= 1024 * 1024:  # bounded: a crafted entry cannot inflate memory
                    data = z.read(info)
                    for marker, mime in _OOXML.items():
                        if marker in data:
                            return mime
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, NotImplementedError, EOFError):
        return None
    return None


def _ole_type(path: Path) -> str | None:
    """Read the directory of an OLE2 compound file (MS-CFB) and name the document by its main
    stream. Bounded loops; any inconsistency → None (refused)."""
    try:
        with open(path, "rb") as f:
            header = f.read(512)
            if len(header) < 512 or header[:8] != _OLE_MAGIC:
                return None
            sector_shift = struct.unpack_from("<H", header, 30)[0]
            if sector_shift not in (9, 12):
                return None
            size = 1 << sector_shift
            first_dir = struct.unpack_from("<I", header, 48)[0]
            difat = [s for s in struct.unpack_from("<109I", header, 76) if s < 0xFFFFFFFA]

            def sector(n: int) -> bytes:
                f.seek((n + 1) * size)
                return f.read(size)

            fat: list[int] = []
            for s in difat[:2000]:
                data = sector(s)
                fat.extend(struct.unpack(f"<{len(data) // 4}I", data[: len(data) // 4 * 4]))
            names: set[str] = set()
            current, steps = first_dir, 0
            while current < 0xFFFFFFFA and steps < 4096:
                data = sector(current)
                for off in range(0, len(data) - 127, 128):
                    length = struct.unpack_from("<H", data, off + 64)[0]
                    if 2 <= length <= 64:
                        names.add(data[off : off + length - 2].decode("utf-16-le", "replace").lower())
                current = fat[current] if current < len(fat) else 0xFFFFFFFE
                steps += 1
    except (OSError, struct.error):
        return None
    for stream, mime in _OLE_STREAM.items():
        if stream in names:
            return mime
    return None


def deteksi_jenis(path: Path) -> str:
    """The mime of the file at `path` from its content, or BerkasDitolak."""
    with open(path, "rb") as f:
        head = f.read(_HEAD)
    if not head:
        raise BerkasDitolak("Berkas kosong (0 byte). Pilih berkas yang berisi bukti dukung.")
    if head.startswith(_OLE_MAGIC):
        mime = _ole_type(path)
        if mime:
            return mime
        raise BerkasDitolak(
            f"Berkas ini bukan dokumen Word, Excel atau PowerPoint yang dapat dikenali. Unggah {PENJELASAN_JENIS}."
        )
    kind = filetype.guess(head)
    if kind is not None and kind.mime in {"application/pdf", "image/jpeg", "image/png", "image/webp", "image/gif"}:
        return kind.mime
    if head.startswith(b"PK\x03\x04"):
        mime = _ooxml_or_odf(path)
        if mime:
            return mime
        raise BerkasDitolak(f"Arsip ZIP yang bukan dokumen kantor tidak diterima. Unggah {PENJELASAN_JENIS}.")
    if head.startswith(_PROGRAM) or (kind is not None and kind.extension in _EKSTENSI_PROGRAM):
        raise BerkasDitolak("Berkas program (executable) tidak diterima, apa pun nama berkasnya.")
    teks = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if teks.startswith((b"<!doctype", b"<html", b"<svg", b"<?xml", b"<script", b"<")):
        raise BerkasDitolak("Berkas HTML, SVG atau XML tidak diterima karena dapat berisi skrip. Simpan sebagai PDF.")
    if kind is None:
        raise BerkasDitolak(f"Jenis berkas tidak dikenali dari isinya. Unggah {PENJELASAN_JENIS}.")
    raise BerkasDitolak(f"Jenis berkas {kind.extension.upper()} tidak diterima. Unggah {PENJELASAN_JENIS}.")


def simpan_berkas(upload: UploadedFile) -> BerkasTersimpan:
    """Validate and store an upload; returns where it is. BerkasDitolak (nothing left on disk)
    when it is too large, empty, or not an allowed type. The caller deletes the file if its
    database row is not written (`hapus_berkas`)."""
    batas = settings.BUKTI_MAX_BYTES
    pesan_besar = f"Berkas terlalu besar. Ukuran maksimum {ukuran_teks(batas)}; perkecil atau pisahkan berkasnya."
    if upload.size is not None and upload.size > batas:
        raise BerkasDitolak(pesan_besar)
    nama = nama_aman(upload.name or "")
    base = root()
    sekarang = timezone.localdate()
    folder = base / f"{sekarang:%Y}" / f"{sekarang:%m}"
    folder.mkdir(parents=True, exist_ok=True)
    tmp = base / f".unggah-{uuid.uuid4().hex}.tmp"
    digest = hashlib.sha256()
    total = 0
    try:
        with open(tmp, "xb") as out:
            for chunk in upload.chunks(_CHUNK):
                total += len(chunk)
                if total > batas:
                    raise BerkasDitolak(pesan_besar)
                digest.update(chunk)
                out.write(chunk)
        mime = deteksi_jenis(tmp)
        ext = JENIS_DIIZINKAN[mime]
        relatif = f"{sekarang:%Y}/{sekarang:%m}/{uuid.uuid4().hex}.{ext}"
        os.replace(tmp, base / relatif)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if not nama:
        nama = f"bukti.{ext}"
    return BerkasTersimpan(berkas=relatif, nama_berkas=nama, mime=mime, ukuran=total, sha256=digest.hexdigest())


def _path_of(berkas: str) -> Path | None:
    """The absolute path of a stored file, refusing anything that would leave BUKTI_ROOT."""
    base = root().resolve()
    if not berkas:
        return None
    path = (base / berkas).resolve()
    if base not in path.parents:
        return None
    return path


def hapus_berkas(berkas: str) -> None:
    path = _path_of(berkas)
    if path is not None:
        path.unlink(missing_ok=True)


def respons_unduh(*, berkas: str, nama_berkas: str, mime: str, inline: bool = False) -> FileResponse:
    """The stored file as a download (or inline for PDF/images when asked), with headers that
    keep the browser from sniffing or running it."""
    path = _path_of(berkas)
    if path is None or not path.is_file():
        raise Http404("Berkas bukti dukung tidak ditemukan di penyimpanan.")
    tampil = inline and mime in JENIS_INLINE
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
        as_attachment=not tampil,
        filename=nama_berkas or f"bukti.{JENIS_DIIZINKAN.get(mime, 'bin')}",
        content_type=mime if mime in JENIS_DIIZINKAN else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if tampil:
        response["Content-Security-Policy"] = "sandbox"
    return response
