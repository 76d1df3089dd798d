"""Reference data: the OPD of Kabupaten Trenggalek (SPEC Appendix A), present after the first install."""

from django.db import migrations

OPD = [
    ("SETDA", "Sekretariat Daerah", "SEKRETARIAT", True),
    ("SETWAN", "Sekretariat DPRD", "SEKRETARIAT", False),
    ("INSPEKTORAT", "Inspektorat", "INSPEKTORAT", True),
    ("BAPPEDALITBANG", "Badan Perencanaan Pembangunan Daerah, Penelitian dan Pengembangan", "BADAN", False),
    ("BAKEUDA", "Badan Keuangan Daerah", "BADAN", False),
    ("BKD", "Badan Kepegawaian Daerah", "BADAN", True),
    ("BAKESBANGPOL", "Badan Kesatuan Bangsa dan Politik", "BADAN", False),
    ("BPBD", "Badan Penanggulangan Bencana Daerah", "BADAN", False),
    ("DIKPORA", "Dinas Pendidikan, Pemuda dan Olahraga", "DINAS", False),
    ("DINKESDALDUKKB", "Dinas Kesehatan, Pengendalian Penduduk dan Keluarga Berencana", "DINAS", True),
    ("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", "DINAS", False),
    ("PERKIMLH", "Dinas Perumahan, Kawasan Permukiman dan Lingkungan Hidup", "DINAS", False),
    ("SATPOLPPDAMKAR", "Satuan Polisi Pamong Praja dan Kebakaran", "SATUAN", False),
    ("DINSOSP3A", "Dinas Sosial, Pemberdayaan Perempuan dan Perlindungan Anak", "DINAS", False),
    ("DISPERINAKER", "Dinas Perindustrian dan Tenaga Kerja", "DINAS", False),
    ("DUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", "DINAS", False),
    ("DPMD", "Dinas Pemberdayaan Masyarakat dan Desa", "DINAS", False),
    ("DISHUB", "Dinas Perhubungan", "DINAS", False),
    ("KOMINFO", "Dinas Komunikasi dan Informatika", "DINAS", False),
    ("KOPERINDAG", "Dinas Koperasi dan Usaha Mikro, Perdagangan", "DINAS", False),
    ("DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "DINAS", False),
    ("DISARPUS", "Dinas Kearsipan dan Perpustakaan", "DINAS", False),
    ("DISKAN", "Dinas Perikanan", "DINAS", False),
    ("DISPARBUD", "Dinas Pariwisata dan Kebudayaan", "DINAS", False),
    ("DISTANPANGAN", "Dinas Pertanian dan Pangan", "DINAS", False),
    ("DISNAK", "Dinas Peternakan", "DINAS", False),
] + [
    (f"KEC-{name.upper()}", f"Kecamatan {name}", "KECAMATAN", False)
    for name in (
        "Trenggalek", "Pogalan", "Durenan", "Watulimo", "Munjungan", "Kampak", "Gandusari",
        "Karangan", "Suruh", "Dongko", "Pule", "Panggul", "Tugu", "Bendungan",
    )
]


def create_opd(apps, schema_editor):
    Opd = apps.get_model("opd", "Opd")
    for urutan, (kode, nama, jenis, pilot) in enumerate(OPD, start=1):
        Opd.objects.update_or_create(
            kode=kode, defaults={"nama": nama, "jenis": jenis, "pilot": pilot, "urutan": urutan}
        )


class Migration(migrations.Migration):
    dependencies = [("opd", "0001_initial")]

    operations = [migrations.RunPython(create_opd, migrations.RunPython.noop)]
