"""The pegawai's month (SPEC §5, issue #7 §3): rencana aksi per RHK of the SKP in force, the
realisasi with its narrative, bukti dukung (files and https links), and the copy of last month's
rencana aksi. Submitting is `alur.kirim_realisasi`.

Every change: only by the pegawai themself, only while the evaluation is DRAFT or DIKEMBALIKAN,
never in a locked period (`cek_tidak_terkunci`), under the evaluation's row lock with the form's
`versi` checked and bumped (two tabs: the stale one is told, nothing is overwritten). Bukti added
or deleted and the copy of last month write an audit row on the evaluation.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F, Max, Prefetch
from django.http import Http404

from ekinerja.angka import format_angka
from opd import audit
from opd.models import Pegawai
from penilaian import bukti as bukti_berkas
from penilaian import rules
from penilaian.models import BukaKunci, BuktiDukung, Evaluasi, Periode, RencanaAksi, UmpanBalik
from penilaian.services._common import (
    PenilaianError,
    cek_tidak_terkunci,
    evaluasi_visible_to,
    kunci_evaluasi,
    pastikan_evaluasi,
)
from skp.models import IndikatorKinerja, RencanaHasilKerja

# A month's realisation beyond this is a typing error, not work done (the column holds 14 digits).
BATAS_REALISASI = Decimal("1000000000000")
# Realisasi more than this many times the month's target is refused as implausible.
KALI_TARGET_MAKS = 1000
MAKS_BUKTI_PER_AKSI = 20
MAKS_RENCANA_AKSI = 100
PANJANG_TAUTAN = 500

St = Evaluasi.Status


# Access -----------------------------------------------------------------------------------------


def get_rencana_aksi_for(user: Pegawai, pk: int) -> RencanaAksi:
    """The rencana aksi if its evaluation is visible to `user` (SPEC §9); Http404 otherwise."""
    ra = (
        RencanaAksi.objects.filter(pk=pk, evaluasi__in=evaluasi_visible_to(user))
        .select_related("evaluasi", "evaluasi__periode", "evaluasi__pegawai", "rhk", "iki")
        .first()
    )
    if ra is None:
        raise Http404("Rencana aksi tidak ditemukan.")
    return ra


def get_bukti_for(user: Pegawai, pk: int) -> BuktiDukung:
    """The bukti if its evaluation is visible to `user`; Http404 otherwise (a guessed id of another
    team's evidence answers exactly like one that does not exist)."""
    row = (
        BuktiDukung.objects.filter(pk=pk, rencana_aksi__evaluasi__in=evaluasi_visible_to(user))
        .select_related("rencana_aksi", "rencana_aksi__evaluasi", "rencana_aksi__evaluasi__periode")
        .first()
    )
    if row is None:
        raise Http404("Bukti dukung tidak ditemukan.")
    return row


def is_pemilik(ev: Evaluasi, user: Pegawai) -> bool:
    return user.is_authenticated and user.pk == ev.pegawai_id


# The page's data ----------------------------------------------------------------------------------


def dua_desimal(value: Decimal | None) -> str:
    """Capaian and nilai as shown to people: two decimals, a decimal comma (98,00)."""
    if value is None:
        return ""
    q = rules._half_up(value)
    whole, _, frac = f"{abs(q):.2f}".partition(".")
    return f"{'-' if q < 0 else ''}{int(whole):,}".replace(",", ".") + f",{frac}"


def teks_angka(value: Decimal | None, satuan: str = "") -> str:
    if value is None:
        return ""
    return f"{format_angka(value)} {satuan}".strip()


@dataclass
class BarisAksi:
    ra: RencanaAksi
    bukti: list[BuktiDukung]
    capaian: Decimal | None = None
    nilai: Decimal | None = None

    @property
    def target_teks(self) -> str:
        return teks_angka(self.ra.target, self.ra.satuan)

    @property
    def realisasi_teks(self) -> str:
        return teks_angka(self.ra.realisasi, self.ra.satuan if self.ra.target is not None else "")

    @property
    def capaian_teks(self) -> str:
        return f"{dua_desimal(self.capaian)} %" if self.capaian is not None else ""

    @property
    def nilai_teks(self) -> str:
        return dua_desimal(self.nilai)


@dataclass
class BarisRhk:
    rhk: RencanaHasilKerja
    nomor: int
    iki: list[IndikatorKinerja]
    aksi: list[BarisAksi] = field(default_factory=list)
    umpan_balik: str = ""


@dataclass
class Bagian:
    """One evaluation of the month (two when an SKP was closed mid-month)."""

    ev: Evaluasi
    rhk: list[BarisRhk]
    yatim: list[BarisAksi]  # rencana aksi of an RHK removed by a revision: readable, deletable
    umpan_balik_perilaku: list[tuple[str, str]]
    rata_rata_nilai: Decimal | None
    bisa_ubah: bool

    @property
    def rata_rata_teks(self) -> str:
        return dua_desimal(self.rata_rata_nilai)

    @property
    def jumlah_aksi(self) -> int:
        return sum(len(r.aksi) for r in self.rhk) + len(self.yatim)


@dataclass
class Bulan:
    periode: Periode
    evaluasi: Evaluasi | None


@dataclass
class HalamanBulan:
    periode: Periode
    bagian: list[Bagian]
    terkunci: bool
    buka_kunci: BukaKunci | None
    lewat_batas_realisasi: bool
    bulan_tahun: list[Bulan]
    sebelumnya: Periode | None
    berikutnya: Periode | None


def capaian_aksi(ra: RencanaAksi) -> tuple[Decimal | None, Decimal | None]:
    """Capaian (%) and its 8/2021 nilai for a rencana aksi with a target and a realisasi."""
    if ra.target is None or ra.realisasi is None:
        return None, None
    try:
        c = rules.capaian(ra.realisasi, ra.target, lebih_kecil_lebih_baik=ra.lebih_kecil_lebih_baik)
        return c, rules.nilai_capaian(c)
    except ValueError:
        return None, None


def urut_rhk(rows) -> list[RencanaHasilKerja]:
    """RHK utama first, then tambahan, each in the SKP's order (as the SKP page lists them)."""
    return sorted(rows, key=lambda r: (r.jenis != RencanaHasilKerja.Jenis.UTAMA, r.urutan, r.pk))


def bagian_evaluasi(evaluasi: list[Evaluasi], *, user: Pegawai, terkunci: bool) -> list[Bagian]:
    """The read model of the evaluations' rencana aksi by RHK, with capaian and umpan balik. A
    fixed number of queries for any number of evaluations, RHK and rencana aksi."""
    if not evaluasi:
        return []
    skp_ids = {e.skp_id for e in evaluasi}
    ev_ids = [e.pk for e in evaluasi]
    rhk_rows = urut_rhk(
        RencanaHasilKerja.objects.filter(skp_id__in=skp_ids).prefetch_related(
            Prefetch("iki_set", IndikatorKinerja.objects.order_by("urutan", "pk"))
        )
    )
    aksi_rows = list(
        RencanaAksi.objects.filter(evaluasi_id__in=ev_ids)
        .select_related("rhk", "iki")
        .prefetch_related(Prefetch("bukti_set", BuktiDukung.objects.order_by("diunggah_pada", "pk")))
        .order_by("urutan", "pk")
    )
    umpan = list(UmpanBalik.objects.filter(evaluasi_id__in=ev_ids).order_by("pk"))
    from skp.rules import BERAKHLAK_CHOICES

    label_perilaku = dict(BERAKHLAK_CHOICES)
    result = []
    for ev in evaluasi:
        baris = [
            BarisRhk(rhk=r, nomor=i, iki=list(r.iki_set.all()))
            for i, r in enumerate((r for r in rhk_rows if r.skp_id == ev.skp_id), 1)
        ]
        by_rhk = {b.rhk.pk: b for b in baris}
        yatim, nilai = [], []
        for ra in (a for a in aksi_rows if a.evaluasi_id == ev.pk):
            c, n = capaian_aksi(ra)
            row = BarisAksi(ra=ra, bukti=list(ra.bukti_set.all()), capaian=c, nilai=n)
            if n is not None:
                nilai.append(n)
            (by_rhk[ra.rhk_id].aksi if ra.rhk_id in by_rhk else yatim).append(row)
        ub_perilaku = []
        for ub in (u for u in umpan if u.evaluasi_id == ev.pk):
            if ub.rhk_id in by_rhk:
                by_rhk[ub.rhk_id].umpan_balik = ub.teks
            elif ub.perilaku:
                ub_perilaku.append((label_perilaku.get(ub.perilaku, ub.perilaku), ub.teks))
        rata = rules._half_up(sum(nilai) / len(nilai)) if nilai else None
        result.append(
            Bagian(
                ev=ev, rhk=baris, yatim=yatim, umpan_balik_perilaku=ub_perilaku, rata_rata_nilai=rata,
                bisa_ubah=is_pemilik(ev, user) and ev.is_editable_state and not terkunci,
            )
        )  # fmt: skip
    return result


def halaman_bulan(pegawai: Pegawai, periode: Periode, *, today: datetime.date | None = None) -> HalamanBulan:
    """Everything the pegawai's month page shows. Creates the month's evaluation rows when the
    pegawai has an approved SKP in force (`pastikan_evaluasi`). Query count does not depend on the
    number of months, RHK or rencana aksi stored."""
    evaluasi = pastikan_evaluasi(pegawai, periode)
    for ev in evaluasi:
        ev.periode = periode
    buka = None
    terkunci = periode.is_terkunci(today)
    if terkunci:
        buka = BukaKunci.objects.filter(periode=periode, pegawai_id=pegawai.pk, ditutup_pada__isnull=True).first()
        terkunci = buka is None
    if evaluasi:
        dinilai_oleh = {p.pk: p for p in Pegawai.objects.filter(pk__in={e.dinilai_oleh_id for e in evaluasi} - {None})}
        for ev in evaluasi:
            ev.pegawai = pegawai
            if ev.dinilai_oleh_id:
                ev.dinilai_oleh = dinilai_oleh.get(ev.dinilai_oleh_id)
    # Month navigation: the opened months around this one, and this year's months with the
    # pegawai's status and predikat (one query each, whatever the number of months stored).
    sekitar = list(Periode.objects.bulanan().filter(tahun__in=[periode.tahun - 1, periode.tahun, periode.tahun + 1]))
    sekitar.sort(key=lambda p: (p.tahun, p.bulan))
    idx = next(i for i, p in enumerate(sekitar) if p.pk == periode.pk)
    hasil = {
        e.periode_id: e
        for e in Evaluasi.objects.filter(pegawai_id=pegawai.pk, periode__tahun=periode.tahun, hasil_bulan=True).only(
            "pk", "periode_id", "status", "predikat"
        )
    }
    return HalamanBulan(
        periode=periode,
        bagian=bagian_evaluasi(evaluasi, user=pegawai, terkunci=terkunci),
        terkunci=terkunci,
        buka_kunci=buka,
        lewat_batas_realisasi=periode.is_lewat_batas_realisasi(today),
        bulan_tahun=[Bulan(p, hasil.get(p.pk)) for p in sekitar if p.tahun == periode.tahun],
        sebelumnya=sekitar[idx - 1] if idx > 0 else None,
        berikutnya=sekitar[idx + 1] if idx + 1 < len(sekitar) else None,
    )


# Preconditions shared by every change ----------------------------------------------------------


def _pesan_status(ev: Evaluasi) -> str:
    if ev.status == St.DIKIRIM:
        return "Realisasi bulan ini sudah dikirim dan tidak dapat diubah, kecuali dikembalikan oleh pejabat penilai."
    return "Evaluasi bulan ini sudah dinilai; isinya tidak dapat diubah lagi."


def _siap_ubah(ev: Evaluasi, by: Pegawai, versi: int | None) -> None:
    """Owner, row lock + versi, editable state, not locked (inside atomic)."""
    if not is_pemilik(ev, by):
        raise PenilaianError("Hanya pegawai yang bersangkutan yang dapat mengubah rencana aksi dan realisasinya.")
    kunci_evaluasi(ev, versi)
    if not ev.is_editable_state:
        raise PenilaianError(_pesan_status(ev))
    cek_tidak_terkunci(ev.periode, ev.pegawai_id)


def _naik_versi(ev: Evaluasi) -> None:
    """After a successful change: forms opened before it now carry a stale `versi`."""
    Evaluasi.objects.filter(pk=ev.pk).update(versi=F("versi") + 1)
    ev.versi += 1


def _iki_milik(ev: Evaluasi, rhk_id: int | None, iki_id: int | None) -> tuple[RencanaHasilKerja, IndikatorKinerja]:
    rhk = RencanaHasilKerja.objects.filter(pk=rhk_id or 0, skp_id=ev.skp_id).first()
    if rhk is None:
        raise PenilaianError("Pilih RHK dari SKP yang berlaku pada bulan ini.")
    iki = IndikatorKinerja.objects.filter(pk=iki_id or 0, rhk=rhk).first()
    if iki is None:
        raise PenilaianError("Pilih indikator kinerja individu (IKI) dari RHK tersebut.")
    return rhk, iki


def _isi_aksi(
    uraian: str, target: Decimal | None, satuan: str, iki: IndikatorKinerja
) -> tuple[str, Decimal | None, str]:
    uraian = (uraian or "").strip()
    if not uraian:
        raise PenilaianError("Uraian rencana aksi wajib diisi.")
    if len(uraian) > 2000:
        raise PenilaianError("Uraian rencana aksi terlalu panjang (maksimum 2.000 karakter).")
    if target is not None:
        if not target.is_finite() or target <= 0:
            raise PenilaianError("Target harus angka lebih dari 0, atau dikosongkan.")
        if target >= BATAS_REALISASI:
            raise PenilaianError("Target terlalu besar; periksa kembali angkanya.")
    satuan = (satuan or "").strip()[:50] or (iki.satuan if target is not None else "")
    return uraian, target, satuan


# Rencana aksi ---------------------------------------------------------------------------------


@transaction.atomic
def tambah_rencana_aksi(
    ev: Evaluasi, *, by: Pegawai, versi: int | None, rhk_id: int | None, iki_id: int | None, uraian: str,
    target: Decimal | None = None, satuan: str = "",
) -> RencanaAksi:  # fmt: skip
    _siap_ubah(ev, by, versi)
    rhk, iki = _iki_milik(ev, rhk_id, iki_id)
    uraian, target, satuan = _isi_aksi(uraian, target, satuan, iki)
    if RencanaAksi.objects.filter(evaluasi=ev).count() >= MAKS_RENCANA_AKSI:
        raise PenilaianError(f"Satu bulan paling banyak {MAKS_RENCANA_AKSI} rencana aksi.")
    urutan = (RencanaAksi.objects.filter(evaluasi=ev, rhk=rhk).aggregate(m=Max("urutan"))["m"] or 0) + 1
    ra = RencanaAksi.objects.create(
        evaluasi=ev, rhk=rhk, iki=iki, urutan=urutan, uraian=uraian, target=target, satuan=satuan
    )
    _naik_versi(ev)
    audit.record(ev, "rencana_aksi_ditambah", by=by, perubahan={"rencana_aksi": (None, uraian[:200])})
    return ra


@transaction.atomic
def ubah_rencana_aksi(
    ra: RencanaAksi, *, by: Pegawai, versi: int | None, iki_id: int | None, uraian: str,
    target: Decimal | None = None, satuan: str = "",
) -> RencanaAksi:  # fmt: skip
    """Change the rencana aksi's text, IKI (of the same RHK) and target. A realisasi already
    recorded stays; removing the target clears the number (the narrative stays)."""
    ev = ra.evaluasi
    _siap_ubah(ev, by, versi)
    _rhk, iki = _iki_milik(ev, ra.rhk_id, iki_id)
    ra.uraian, ra.target, ra.satuan = _isi_aksi(uraian, target, satuan, iki)
    ra.iki = iki
    if ra.target is None:
        ra.realisasi = None
    ra.save(update_fields=["uraian", "target", "satuan", "iki", "realisasi", "diubah_pada"])
    _naik_versi(ev)
    return ra


@transaction.atomic
def hapus_rencana_aksi(ra: RencanaAksi, *, by: Pegawai, versi: int | None) -> None:
    """Delete a rencana aksi with its bukti; the stored files go after the commit."""
    ev = ra.evaluasi
    _siap_ubah(ev, by, versi)
    files = list(ra.bukti_set.exclude(berkas="").values_list("berkas", flat=True))
    uraian = ra.uraian
    ra.delete()
    for f in files:
        transaction.on_commit(lambda f=f: bukti_berkas.hapus_berkas(f))
    _naik_versi(ev)
    audit.record(ev, "rencana_aksi_dihapus", by=by, perubahan={"rencana_aksi": (uraian[:200], None)})


def periode_sebelumnya(periode: Periode) -> Periode | None:
    tahun, bulan = (periode.tahun - 1, 12) if periode.bulan == 1 else (periode.tahun, periode.bulan - 1)
    return Periode.objects.filter(tahun=tahun, bulan=bulan).first()


def _leluhur(model: type, ids: set[int]) -> dict[int, set[int]]:
    """For each row id: itself and every row it was copied from (`asal`, across revisions and
    the copy from last year). A bounded number of queries (one per generation)."""
    asal_of: dict[int, int | None] = {}
    frontier = set(ids)
    for _ in range(30):
        if not frontier:
            break
        rows = dict(model.objects.filter(pk__in=frontier).values_list("pk", "asal_id"))
        asal_of.update(rows)
        frontier = {a for a in rows.values() if a is not None and a not in asal_of}
    result = {}
    for i in ids:
        chain, cur = {i}, asal_of.get(i)
        while cur is not None and cur not in chain:
            chain.add(cur)
            cur = asal_of.get(cur)
        result[i] = chain
    return result


@transaction.atomic
def salin_rencana_aksi_bulan_lalu(ev: Evaluasi, *, by: Pegawai, versi: int | None) -> int:
    """Copy last month's rencana aksi (text, IKI, target, satuan; not the realisasi) whose RHK
    and IKI exist in this evaluation's SKP, following `asal` across a revision. Rows already
    present (same RHK, IKI and text) are skipped, so a second click copies nothing. Returns the
    number copied."""
    _siap_ubah(ev, by, versi)
    lalu = periode_sebelumnya(ev.periode)
    sumber = sorted(
        RencanaAksi.objects.filter(evaluasi__periode=lalu, evaluasi__pegawai_id=ev.pegawai_id).select_related(
            "evaluasi", "rhk"
        )
        if lalu
        else [],
        key=lambda r: (r.evaluasi.mulai, r.rhk.jenis != RencanaHasilKerja.Jenis.UTAMA, r.rhk.urutan, r.urutan, r.pk),
    )
    if not sumber:
        raise PenilaianError("Bulan lalu tidak memiliki rencana aksi yang dapat disalin.")
    rhk_ini = set(RencanaHasilKerja.objects.filter(skp_id=ev.skp_id).values_list("pk", flat=True))
    iki_ini = dict(IndikatorKinerja.objects.filter(rhk_id__in=rhk_ini).values_list("pk", "rhk_id"))
    rhk_map: dict[int, int] = {}
    for rhk_id, chain in _leluhur(RencanaHasilKerja, rhk_ini).items():
        for a in chain:
            rhk_map.setdefault(a, rhk_id)
    iki_map: dict[int, int] = {}
    for iki_id, chain in _leluhur(IndikatorKinerja, set(iki_ini)).items():
        for a in chain:
            iki_map.setdefault(a, iki_id)
    ada = {(r.rhk_id, r.iki_id, r.uraian.strip()) for r in RencanaAksi.objects.filter(evaluasi=ev)}
    baru = []
    for ra in sumber:
        rhk_id, iki_id = rhk_map.get(ra.rhk_id), iki_map.get(ra.iki_id)
        if rhk_id is None or iki_id is None or iki_ini.get(iki_id) != rhk_id:
            continue
        key = (rhk_id, iki_id, ra.uraian.strip())
        if key in ada:
            continue
        ada.add(key)
        baru.append(
            RencanaAksi(
                evaluasi=ev, rhk_id=rhk_id, iki_id=iki_id, urutan=ra.urutan, uraian=ra.uraian,
                target=ra.target, satuan=ra.satuan,
            )
        )  # fmt: skip
    if len(ada) > MAKS_RENCANA_AKSI:
        raise PenilaianError(f"Satu bulan paling banyak {MAKS_RENCANA_AKSI} rencana aksi.")
    RencanaAksi.objects.bulk_create(baru)
    _naik_versi(ev)
    if baru:
        audit.record(
            ev, "rencana_aksi_disalin", by=by,
            perubahan={"rencana_aksi": (None, f"{len(baru)} rencana aksi dari {lalu.nama}")},
        )  # fmt: skip
    return len(baru)


# Realisasi --------------------------------------------------------------------------------------


@transaction.atomic
def simpan_realisasi(
    ra: RencanaAksi, *, by: Pegawai, versi: int | None, realisasi: Decimal | None, realisasi_uraian: str
) -> RencanaAksi:
    """The month's realisasi of one rencana aksi: a number where it has a target (refused when not
    finite, negative or implausible) and the narrative. Either may stay empty while drafting; the
    submission checks completeness."""
    ev = ra.evaluasi
    _siap_ubah(ev, by, versi)
    uraian = (realisasi_uraian or "").strip()
    if len(uraian) > 4000:
        raise PenilaianError("Uraian realisasi terlalu panjang (maksimum 4.000 karakter).")
    if realisasi is not None:
        if ra.target is None:
            raise PenilaianError("Rencana aksi ini tidak memiliki target angka; isi uraian realisasinya saja.")
        if not isinstance(realisasi, Decimal) or not realisasi.is_finite():
            raise PenilaianError("Realisasi harus berupa angka.")
        if realisasi < 0:
            raise PenilaianError("Realisasi tidak boleh negatif.")
        if realisasi >= BATAS_REALISASI or realisasi > ra.target * KALI_TARGET_MAKS:
            raise PenilaianError(
                "Realisasi tidak wajar dibandingkan targetnya "
                f"({f'{format_angka(ra.target)} {ra.satuan}'.strip()}). Periksa kembali angkanya."
            )
        realisasi = realisasi.quantize(Decimal("0.01"))
    ra.realisasi, ra.realisasi_uraian = realisasi, uraian
    ra.save(update_fields=["realisasi", "realisasi_uraian", "diubah_pada"])
    _naik_versi(ev)
    return ra


# Bukti dukung -----------------------------------------------------------------------------------


def _cek_jumlah_bukti(ra: RencanaAksi) -> None:
    if ra.bukti_set.count() >= MAKS_BUKTI_PER_AKSI:
        raise PenilaianError(f"Satu rencana aksi paling banyak {MAKS_BUKTI_PER_AKSI} bukti dukung.")


def _keterangan(teks: str) -> str:
    return " ".join((teks or "").split())[:255]


@transaction.atomic
def tambah_bukti_berkas(
    ra: RencanaAksi, *, by: Pegawai, versi: int | None, upload, keterangan: str = ""
) -> BuktiDukung:
    """Validate and store an uploaded file (penilaian.bukti) and record it. A refused upload
    leaves nothing on disk; a failure after storing removes the file."""
    ev = ra.evaluasi
    _siap_ubah(ev, by, versi)
    _cek_jumlah_bukti(ra)
    if upload is None:
        raise PenilaianError("Pilih berkas yang akan diunggah.")
    tersimpan = bukti_berkas.simpan_berkas(upload)
    try:
        row = BuktiDukung.objects.create(
            rencana_aksi=ra, jenis=BuktiDukung.Jenis.BERKAS, berkas=tersimpan.berkas,
            nama_berkas=tersimpan.nama_berkas, mime=tersimpan.mime, ukuran=tersimpan.ukuran,
            sha256=tersimpan.sha256, keterangan=_keterangan(keterangan), diunggah_oleh=by,
        )  # fmt: skip
        audit.record(
            ev, "bukti_ditambah", by=by,
            perubahan={"bukti": (None, f"{tersimpan.nama_berkas} (SHA-256 {tersimpan.sha256[:12]}…)")},
        )  # fmt: skip
        _naik_versi(ev)
    except BaseException:
        bukti_berkas.hapus_berkas(tersimpan.berkas)
        raise
    return row


def validasi_tautan(tautan: str) -> str:
    tautan = (tautan or "").strip()
    if not tautan:
        raise PenilaianError("Isi alamat tautan bukti dukung.")
    if len(tautan) > PANJANG_TAUTAN:
        raise PenilaianError(f"Tautan terlalu panjang (maksimum {PANJANG_TAUTAN} karakter).")
    if not tautan.lower().startswith("https://"):
        raise PenilaianError("Tautan harus diawali https:// (tautan http atau lainnya tidak diterima).")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in tautan):
        raise PenilaianError("Tautan tidak boleh mengandung spasi.")
    try:
        URLValidator(schemes=["https"])(tautan)
    except ValidationError:
        raise PenilaianError("Alamat tautan tidak valid. Contoh: https://drive.example.go.id/berkas") from None
    return tautan


@transaction.atomic
def tambah_bukti_tautan(
    ra: RencanaAksi, *, by: Pegawai, versi: int | None, tautan: str, keterangan: str = ""
) -> BuktiDukung:
    ev = ra.evaluasi
    _siap_ubah(ev, by, versi)
    tautan = validasi_tautan(tautan)
    _cek_jumlah_bukti(ra)
    row = BuktiDukung.objects.create(
        rencana_aksi=ra, jenis=BuktiDukung.Jenis.TAUTAN, tautan=tautan, keterangan=_keterangan(keterangan),
        diunggah_oleh=by,
    )  # fmt: skip
    _naik_versi(ev)
    audit.record(ev, "bukti_ditambah", by=by, perubahan={"bukti": (None, tautan)})
    return row


@transaction.atomic
def hapus_bukti(row: BuktiDukung, *, by: Pegawai, versi: int | None) -> None:
    """Delete a bukti; its file is removed once the deletion is committed."""
    ev = row.rencana_aksi.evaluasi
    _siap_ubah(ev, by, versi)
    label = row.nama_berkas or row.tautan
    berkas = row.berkas
    row.delete()
    if berkas:
        transaction.on_commit(lambda: bukti_berkas.hapus_berkas(berkas))
    _naik_versi(ev)
    audit.record(ev, "bukti_dihapus", by=by, perubahan={"bukti": (label, None)})
