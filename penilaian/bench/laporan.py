"""The printed tables (Indonesian number format: 1.234,5)."""

from __future__ import annotations

from penilaian.bench.halaman import RINGAN, Hasil


def rss_sekarang_mb() -> float:
    """The process's resident memory now (Linux), not its peak: the peak may be the build's."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def koma(value: float, digit: int = 1) -> str:
    return f"{value:,.{digit}f}".replace(",", "_").replace(".", ",").replace("_", ".")


def tabel_halaman(hasil: list[Hasil], runs: int, target: int) -> list[str]:
    ringan = next(h for h in hasil if h.kode == RINGAN)
    lines = [f"{'Kode':<12} {'Halaman':<50} {'Median ms':>10} {'p95 ms':>9} {'Kueri':>6} {'× ringan':>9} {'Status':>7}"]
    lewat, dicatat = [], []
    for h in hasil:
        kueri = str(h.kueri[-1]) if len(set(h.kueri)) == 1 else f"{min(h.kueri)}–{max(h.kueri)}"
        rasio = h.median / ringan.median if ringan.median else float("nan")
        if h.dihitung:
            dicatat.append(h.kode)
        elif h.kode != RINGAN and rasio > target:
            lewat.append(f"{h.kode} ({koma(rasio)}×)")
        lines.append(
            f"{h.kode:<12} {h.judul[:50]:<50} {koma(h.median):>10} {koma(h.p95):>9} {kueri:>6} "
            f"{koma(rasio) + '×':>9} {h.status:>7}"
        )
    lines.append(f"({runs} kali per halaman bergiliran setelah satu pemanasan; p95 = peringkat terdekat.)")
    if dicatat:
        lines.append(
            f"{', '.join(dicatat)}: halaman yang sama pada kunjungan pertama setelah datanya berubah (dihitung, "
            "bukan hasil yang disimpan; ekinerja/jejak.py) — dicatat, tidak dinilai terhadap target."
        )
    lines.append(
        f"Target ≤ {target}× tampilan ringan: "
        + ("terpenuhi semua." if not lewat else "TIDAK untuk " + ", ".join(lewat))
    )
    return lines


def tabel_kueri(hasil: list[Hasil], kecil: dict[str, int]) -> list[str]:
    lines = [f"{'Kode':<12} {'Halaman':<50} {'Kecil':>6} {'Besar':>6}  Sama"]
    for h in hasil:
        sama = "ya" if kecil.get(h.kode) == h.kueri[-1] else "TIDAK"
        lines.append(f"{h.kode:<12} {h.judul[:50]:<50} {kecil.get(h.kode, 0):>6} {h.kueri[-1]:>6}  {sama}")
    return lines
