"""The penilai's side of the month (SPEC §5, issue #7 item 5): the team page (every bawahan with
the status of their month, filters, counts, the team's predikat distribution) and the data of
one evaluation page (realisasi with bukti, the capaian guide, umpan balik, the OPD's curve with
this rating included).

Read models only: who may act is decided by `is_penilai_sekarang` and the workflow services in
`alur`; nothing here changes data. Both functions run a fixed number of queries, whatever the
team size and the number of periods stored (a Kepala Puskesmas rates 40+ pegawai).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count

from ekinerja.angka import format_angka
from opd.models import Opd, Pegawai
from opd.services import supervises_a_position
from penilaian import rules
from penilaian.models import BuktiDukung, Evaluasi, Periode, RencanaAksi, UmpanBalik
from penilaian.rules import Predikat, Rating
from penilaian.services._common import _WARNA as WARNA_PREDIKAT
from penilaian.services._common import URUTAN_PREDIKAT, KurvaOpd, buka_kunci_aktif, kurva_opd, pesan_terkunci
from skp.models import PerilakuKerja, RencanaHasilKerja, Skp
from skp.rules import BERAKHLAK

St = Evaluasi.Status

# The team page's statuses, in the order of the month's work. "Sedang diisi" is a DRAFT that
# already has rencana aksi: the pegawai started, has not submitted.
STATUS_TIM: dict[str, str] = {
    "belum": "Belum diisi",
    "diisi": "Sedang diisi",
    "dikirim": "Dikirim",
    "dikembalikan": "Dikembalikan",
    "dinilai": "Dinilai",
}
WARNA_STATUS = {
    "belum": "secondary",
    "diisi": "info",
    "dikirim": "primary",
    "dikembalikan": "warning",
    "dinilai": "success",
}


def boleh_membuka_tim(user: Pegawai, bawahan: list[Pegawai] | None = None) -> bool:
    """Whoever rates a position today (incl. an active Plt/Plh): the menu's `penilaian_tim` flag
    (a supervisor of vacant positions only sees an empty team rather than a 403 behind a link)."""
    if not user.is_authenticated:
        return False
    return bool(bawahan) or supervises_a_position(user)


def status_tim(ev: Evaluasi | None, n_aksi: int = 0) -> str:
    if ev is None:
        return "belum"
    if ev.status == St.DRAFT:
        return "diisi" if n_aksi else "belum"
    return {St.DIKIRIM: "dikirim", St.DIKEMBALIKAN: "dikembalikan", St.DINILAI: "dinilai"}[ev.status]


@dataclass
class BarisTim:
    pegawai: Pegawai
    evaluasi: Evaluasi | None
    status: str
    punya_skp: bool
    # Other parts of the month (an SKP closed mid-month at a jabatan change): each is rated too.
    bagian_lain: list[Evaluasi] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return STATUS_TIM[self.status]

    @property
    def status_warna(self) -> str:
        return WARNA_STATUS[self.status]

    @property
    def predikat_label(self) -> str:
        ev = self.evaluasi
        return ev.get_predikat_display() if ev is not None and ev.status == St.DINILAI else ""

    @property
    def perlu_dinilai(self) -> bool:
        return self.status == "dikirim"


@dataclass
class TimBulan:
    periode: Periode
    baris: list[BarisTim]  # after the filters
    jumlah_bawahan: int
    jumlah_status: dict[str, int]  # over the whole team
    distribusi: list[dict]  # predikat → count and percent over the team's rated pegawai
    jumlah_dinilai: int
    status: str | None
    cari: str

    @property
    def status_pilihan(self) -> list[dict]:
        return [
            {"kode": k, "label": v, "jumlah": self.jumlah_status.get(k, 0), "warna": WARNA_STATUS[k]}
            for k, v in STATUS_TIM.items()
        ]

    @property
    def disaring(self) -> bool:
        return bool(self.status or self.cari)


def tim_bulan(
    user: Pegawai, periode: Periode, *, status: str | None = None, cari: str = "", bawahan: list[Pegawai] | None = None
) -> TimBulan:
    """The user's bawahan today with their month. Queries: resolving the bawahan (fixed, by the
    depth of the position tree), the period's evaluations of the team (one, with the count of
    rencana aksi), the SKP in force (one). `status` ∈ STATUS_TIM (anything else: no filter);
    `cari` matches the name or the NIP."""
    if bawahan is None:
        bawahan = user.bawahan_langsung()
    ids = [p.pk for p in bawahan]
    evaluasi: dict[int, Evaluasi] = {}
    lain: dict[int, list[Evaluasi]] = {}
    n_aksi: dict[int, int] = {}
    punya_skp: set[int] = set()
    if ids:
        rows = (
            Evaluasi.objects.filter(periode=periode, pegawai_id__in=ids)
            .annotate(n_aksi=Count("rencana_aksi_set"))
            .order_by("pegawai_id", "mulai")
        )
        for ev in rows:
            if ev.hasil_bulan:
                evaluasi[ev.pegawai_id] = ev
                n_aksi[ev.pegawai_id] = ev.n_aksi
            else:
                lain.setdefault(ev.pegawai_id, []).append(ev)
        punya_skp = set(
            Skp.objects.filter(
                pegawai_id__in=ids, status=Skp.Status.DISETUJUI, mulai__lte=periode.selesai, selesai__gte=periode.mulai
            ).values_list("pegawai_id", flat=True)
        )
    semua = [
        BarisTim(
            pegawai=p,
            evaluasi=evaluasi.get(p.pk),
            status=status_tim(evaluasi.get(p.pk), n_aksi.get(p.pk, 0)),
            punya_skp=p.pk in punya_skp or p.pk in evaluasi,
            bagian_lain=lain.get(p.pk, []),
        )
        for p in bawahan
    ]
    jumlah_status = Counter(b.status for b in semua)
    predikat = Counter(b.evaluasi.predikat for b in semua if b.status == "dinilai")
    n_dinilai = sum(predikat.values())
    distribusi = [
        {
            "predikat": p,
            "jumlah": predikat.get(p.value, 0),
            "persen": predikat.get(p.value, 0) * 100 / n_dinilai if n_dinilai else 0,
            "warna": WARNA_PREDIKAT[p],
        }
        for p in URUTAN_PREDIKAT
    ]
    status = status if status in STATUS_TIM else None
    cari = (cari or "").strip()[:100]
    baris = semua
    if status:
        baris = [b for b in baris if b.status == status]
    if cari:
        kata = cari.casefold()
        baris = [b for b in baris if kata in b.pegawai.nama_lengkap.casefold() or kata in b.pegawai.nip]
    return TimBulan(
        periode=periode,
        baris=baris,
        jumlah_bawahan=len(semua),
        jumlah_status=dict(jumlah_status),
        distribusi=distribusi,
        jumlah_dinilai=n_dinilai,
        status=status,
        cari=cari,
    )


# The evaluation page ------------------------------------------------------------------------------


def _dua_desimal(value: Decimal) -> str:
    """Two decimals, Indonesian style (SPEC §5: capaian shown with two decimals): 1.234,50."""
    teks = f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"
    return teks.replace(",", "_").replace(".", ",").replace("_", ".")


INLINE_MIME = ("application/pdf", "image/")


@dataclass
class BuktiTampil:
    bukti: BuktiDukung

    @property
    def bisa_inline(self) -> bool:
        """PDF and images open in the browser (`penilaian:bukti` ?inline=1); the rest downloads."""
        b = self.bukti
        return b.is_berkas and b.mime.startswith(INLINE_MIME)


@dataclass
class BarisAksi:
    aksi: RencanaAksi
    bukti: list[BuktiTampil]
    capaian: Decimal | None
    nilai: Decimal | None

    @property
    def target_teks(self) -> str:
        ra = self.aksi
        return f"{format_angka(ra.target)} {ra.satuan}".strip() if ra.target is not None else ""

    @property
    def realisasi_teks(self) -> str:
        ra = self.aksi
        return f"{format_angka(ra.realisasi)} {ra.satuan}".strip() if ra.realisasi is not None else ""

    @property
    def capaian_teks(self) -> str:
        return f"{_dua_desimal(self.capaian)} %" if self.capaian is not None else ""

    @property
    def nilai_teks(self) -> str:
        return _dua_desimal(self.nilai) if self.nilai is not None else ""


@dataclass
class BarisRhk:
    rhk: RencanaHasilKerja
    nomor: int
    aksi: list[BarisAksi]
    umpan_balik: str


@dataclass
class BarisPerilaku:
    kode: str
    nama: str
    panduan: tuple[str, ...]
    ekspektasi_khusus: str
    umpan_balik: str


@dataclass
class HalamanPenilaian:
    evaluasi: Evaluasi
    rhk: list[BarisRhk]
    perilaku: list[BarisPerilaku]
    rata_rata_nilai: Decimal | None
    jumlah_dengan_capaian: int
    kurva: KurvaOpd
    bagian_lain: list[Evaluasi]
    terkunci: bool
    pesan_kunci: str
    dibuka_kunci: bool

    @property
    def rata_rata_teks(self) -> str:
        return _dua_desimal(self.rata_rata_nilai) if self.rata_rata_nilai is not None else ""

    @property
    def bisa_dinilai(self) -> bool:
        """The state allows a rating now (the actor is checked by the view and the service)."""
        return self.evaluasi.status in (St.DIKIRIM, St.DINILAI) and not self.terkunci

    @property
    def bisa_dikembalikan(self) -> bool:
        return self.evaluasi.status == St.DIKIRIM and not self.terkunci


def capaian_aksi(ra: RencanaAksi) -> tuple[Decimal | None, Decimal | None]:
    """The guide for one rencana aksi (SPEC §5): capaian and its PermenPANRB 8/2021 nilai, or
    (None, None) without a numeric target and realisasi. Never the rating."""
    if ra.target is None or ra.realisasi is None:
        return None, None
    try:
        c = rules.capaian(ra.realisasi, ra.target, lebih_kecil_lebih_baik=ra.lebih_kecil_lebih_baik)
    except ValueError:
        return None, None
    return c, rules.nilai_capaian(c)


def matriks_predikat() -> dict[str, dict[str, dict[str, str]]]:
    """The SPEC §5 matrix for the page's script: {hasil: {perilaku: {value, label}}}."""
    return {
        h.value: {p.value: {"value": rules.predikat(h, p).value, "label": rules.predikat(h, p).label} for p in Rating}
        for h in Rating
    }


def halaman_penilaian(ev: Evaluasi, *, predikat: Predikat | str | None = None) -> HalamanPenilaian:
    """The evaluation page's data, in a fixed number of queries. `predikat`: the rating being
    considered (the curve includes it); default the saved one."""
    rhk_list = list(RencanaHasilKerja.objects.filter(skp_id=ev.skp_id).order_by("jenis", "urutan", "pk"))
    aksi = list(
        RencanaAksi.objects.filter(evaluasi=ev)
        .select_related("iki")
        .prefetch_related("bukti_set")
        .order_by("rhk_id", "urutan", "pk")
    )
    umpan = list(UmpanBalik.objects.filter(evaluasi=ev))
    ub_rhk = {u.rhk_id: u.teks for u in umpan if u.rhk_id}
    ub_perilaku = {u.perilaku: u.teks for u in umpan if u.perilaku}
    per_rhk: dict[int, list[BarisAksi]] = {}
    nilai_semua: list[Decimal] = []
    for ra in aksi:
        c, n = capaian_aksi(ra)
        if n is not None:
            nilai_semua.append(n)
        per_rhk.setdefault(ra.rhk_id, []).append(
            BarisAksi(aksi=ra, bukti=[BuktiTampil(b) for b in ra.bukti_set.all()], capaian=c, nilai=n)
        )
    baris_rhk = [
        BarisRhk(rhk=r, nomor=i, aksi=per_rhk.get(r.pk, []), umpan_balik=ub_rhk.get(r.pk, ""))
        for i, r in enumerate(rhk_list, 1)
    ]
    rata = (sum(nilai_semua) / len(nilai_semua)).quantize(Decimal("0.01"), ROUND_HALF_UP) if nilai_semua else None
    ekspektasi = {p.nilai: p.ekspektasi_khusus for p in PerilakuKerja.objects.filter(skp_id=ev.skp_id)}
    perilaku = [
        BarisPerilaku(
            kode=kode,
            nama=n.nama,
            panduan=n.panduan,
            ekspektasi_khusus=ekspektasi.get(kode, ""),
            umpan_balik=ub_perilaku.get(kode, ""),
        )
        for kode, n in BERAKHLAK.items()
    ]
    periode = ev.periode
    kurva = kurva_dengan(ev, predikat)
    bagian_lain = list(
        Evaluasi.objects.filter(periode=periode, pegawai_id=ev.pegawai_id).exclude(pk=ev.pk).order_by("mulai")
    )
    lewat = periode.is_terkunci()
    dibuka = lewat and buka_kunci_aktif(periode, ev.pegawai_id) is not None
    terkunci = lewat and not dibuka
    return HalamanPenilaian(
        evaluasi=ev,
        rhk=baris_rhk,
        perilaku=perilaku,
        rata_rata_nilai=rata,
        jumlah_dengan_capaian=len(nilai_semua),
        kurva=kurva,
        bagian_lain=bagian_lain,
        terkunci=terkunci,
        pesan_kunci=pesan_terkunci(periode) if terkunci else "",
        dibuka_kunci=dibuka,
    )


def kurva_dengan(ev: Evaluasi, predikat: str | None) -> KurvaOpd:
    """The OPD's curve (of the OPD of then) as it would be with this evaluation rated `predikat`
    (unknown values: the saved rating). Only the month's result counts in the curve; another
    part of the month leaves it as it is."""
    opd = Opd.objects.get(pk=ev.snap_opd_id) if ev.snap_opd_id else ev.pegawai.opd
    if not ev.hasil_bulan:
        return kurva_opd(ev.periode, opd)
    pilihan = predikat if predikat in Predikat.values else (ev.predikat or None)
    return kurva_opd(ev.periode, opd, ganti=(ev.pk, pilihan))
