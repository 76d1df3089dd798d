"""LoginAttempt counts failures per NIP and per client address (issue #6 §3): the NIP column
becomes a key with its kind, unique per (jenis, kunci)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("opd", "0004_pegawai_wajib_ganti_sandi"),
    ]

    operations = [
        migrations.RenameField(model_name="loginattempt", old_name="nip", new_name="kunci"),
        migrations.AlterField(
            model_name="loginattempt",
            name="kunci",
            field=models.CharField(max_length=64, verbose_name="NIP / alamat"),
        ),
        migrations.AddField(
            model_name="loginattempt",
            name="jenis",
            field=models.CharField(
                choices=[("NIP", "NIP / ID pengguna"), ("ALAMAT", "Alamat jaringan")],
                default="NIP",
                max_length=6,
                verbose_name="jenis",
            ),
        ),
        migrations.AddConstraint(
            model_name="loginattempt",
            constraint=models.UniqueConstraint(fields=("jenis", "kunci"), name="loginattempt_jenis_kunci_unik"),
        ),
    ]
