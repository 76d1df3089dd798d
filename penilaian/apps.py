from django.apps import AppConfig


class PenilaianConfig(AppConfig):
    name = "penilaian"
    verbose_name = "Penilaian Kinerja"

    def ready(self) -> None:
        """Teach the audit trail (opd.audit, which may not import penilaian) the words of the
        monthly cycle's rows."""
        from opd import audit
        from opd.models import Pegawai
        from penilaian.models import Evaluasi, HukumanDisiplin, TppBulan
        from penilaian.rules import CapaianOrganisasi, Predikat, Rating

        audit.register(
            aksi={
                "periode_dibuka": "Periode penilaian dibuka",
                "periode_diubah": "Batas waktu periode diubah",
                "periode_dibuka_kunci": "Kunci periode dibuka untuk pegawai",
                "periode_dikunci_kembali": "Periode dikunci kembali",
                "realisasi_dikirim": "Realisasi dikirim",
                "realisasi_dikembalikan": "Realisasi dikembalikan",
                "evaluasi_dinilai": "Evaluasi dinilai",
                "realisasi_tahunan_disimpan": "Realisasi tahunan disimpan",
                "rencana_aksi_ditambah": "Rencana aksi ditambahkan",
                "rencana_aksi_dihapus": "Rencana aksi dihapus",
                "rencana_aksi_disalin": "Rencana aksi disalin dari bulan lalu",
                "bukti_ditambah": "Bukti dukung ditambahkan",
                "bukti_dihapus": "Bukti dukung dihapus",
                "capaian_organisasi_dicatat": "Capaian kinerja organisasi dicatat",
                "kurva_difinalkan": "Penilaian OPD difinalkan",
                "tpp_difinalkan": "TPP bulanan difinalkan",
                "tpp_penyesuaian_dicatat": "Penyesuaian TPP dicatat",
                "tpp_penyesuaian_dihapus": "Penyesuaian TPP dihapus (angka kembali seperti semula)",
                "skema_tpp_dibuat": "Skema TPP dibuat",
                "skema_tpp_disalin": "Skema TPP disalin dari tahun lalu",
                "skema_tpp_diubah": "Skema TPP diubah",
                "skema_tpp_versi_baru": "Versi baru skema TPP",
                "presensi_diimpor": "Presensi bulanan diimpor",
                "hukdis_dicatat": "Hukuman disiplin dicatat",
                "hukdis_dibatalkan": "Hukuman disiplin dibatalkan",
            },
            fields={
                "rating_hasil": "Rating hasil kerja",
                "rating_perilaku": "Rating perilaku kerja",
                "predikat": "Predikat kinerja",
                "batas_realisasi": "Batas pengisian realisasi",
                "batas_penilaian": "Batas penilaian",
                "buka_kunci": "Buka kunci",
                "capaian": "Capaian kinerja organisasi",
                "justifikasi": "Justifikasi",
                "pelanggaran": "Batas kurva yang dilanggar",
                "rencana_aksi": "Rencana aksi",
                "bukti": "Bukti dukung",
                "jumlah_total": "Jumlah TPP (Rp)",
                "jumlah_baris": "Jumlah pegawai",
                "baris_belum_final": "Baris belum final",
                "jumlah": "Jumlah TPP (Rp)",
                "baru": "Jumlah baru (Rp)",
                **_tpp_fields(),
            },
            choices={
                "rating_hasil": dict(Rating.choices),
                "rating_perilaku": dict(Rating.choices),
                "predikat": dict(Predikat.choices),
                "capaian": dict(CapaianOrganisasi.choices),
                "realisasi_dikirim:status": dict(Evaluasi.Status.choices),
                "realisasi_dikembalikan:status": dict(Evaluasi.Status.choices),
                "evaluasi_dinilai:status": dict(Evaluasi.Status.choices),
                "tpp_difinalkan:status": dict(TppBulan.Status.choices),
                "hukdis_dicatat:jenis": dict(HukumanDisiplin.Jenis.choices),
                "kedudukan_tanpa_tpp": dict(Pegawai.KedudukanHukum.choices),
            },
        )


def _tpp_fields() -> dict[str, str]:
    """Labels of the TPP scheme's fields (their verbose names) and of the audit counts."""
    from penilaian.models import SkemaTpp
    from penilaian.services.presensi import FIELDS

    labels = {
        f.name: str(f.verbose_name)
        for f in SkemaTpp._meta.get_fields()
        if f.name.startswith(("bobot_", "persen_", "potongan_", "kedudukan_"))
    }
    labels.update({f"besaran_kelas_{k}": f"Besaran kelas {k} (Rp)" for k in range(1, 18)})
    labels.update({
        "skema": "Skema TPP", "berlaku_mulai": "Berlaku mulai",
        "presensi_diimpor:baris": "Pegawai dalam berkas", "presensi_diimpor:baru": "Baru",
        "presensi_diimpor:berubah": "Berubah", "presensi_diimpor:tetap": "Tetap",
        "presensi_diimpor:dihapus": "Dihapus (tidak ada di berkas)",
        "bulan_mulai": "Bulan pertama", "bulan_selesai": "Bulan terakhir", "nomor_sk": "Nomor SK",
        "tanggal_sk": "Tanggal SK", "hukdis_dicatat:jenis": "Jenis hukuman",
    })  # fmt: skip
    labels.update({f: f.upper() for f in FIELDS if f.startswith(("tl", "psw"))})
    return labels
