"""Forms of the pegawai's month: rencana aksi, realisasi, bukti (file or https link). Numbers go
through ekinerja.angka (Indonesian notation; NaN, Infinity, 1e309 and negatives refused)."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from ekinerja.angka import AngkaField
from skp.models import IndikatorKinerja, RencanaHasilKerja


class VersiMixin(forms.Form):
    versi = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def versi_value(self) -> int:
        """A missing or forged value never matches: the service answers KonflikVersi."""
        value = self.cleaned_data.get("versi")
        return value if isinstance(value, int) else -1


class RencanaAksiForm(VersiMixin):
    iki = forms.TypedChoiceField(label="Indikator kinerja individu (IKI)", coerce=int)
    uraian = forms.CharField(
        label="Rencana aksi",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Apa yang akan dikerjakan bulan ini untuk RHK tersebut.",
        error_messages={"required": "Uraian rencana aksi wajib diisi."},
    )
    target = AngkaField(
        label="Target bulan ini", required=False, max_digits=16, decimal_places=2, nama="Target",
        help_text="Opsional. Angka lebih dari 0, misalnya 4 atau 2,5.",
    )  # fmt: skip
    satuan = forms.CharField(
        label="Satuan", max_length=50, required=False, help_text="Kosongkan untuk memakai satuan IKI."
    )

    def __init__(self, *args, rhk_list: list[RencanaHasilKerja], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.iki_rhk: dict[int, int] = {}
        groups = []
        for nomor, rhk in enumerate(rhk_list, 1):
            options = []
            for iki in rhk.iki_set.all():
                self.iki_rhk[iki.pk] = rhk.pk
                options.append((iki.pk, _iki_label(iki)))
            if options:
                groups.append((f"RHK {nomor}: {rhk.uraian[:90]}", options))
        self.fields["iki"].choices = [("", "— pilih IKI —"), *groups]
        self.fields["iki"].error_messages["invalid_choice"] = "Pilih IKI dari RHK SKP yang berlaku bulan ini."
        self.fields["iki"].error_messages["required"] = "Pilih IKI yang diukur oleh rencana aksi ini."

    def clean_target(self) -> Decimal | None:
        target = self.cleaned_data.get("target")
        if target is not None and target <= 0:
            raise forms.ValidationError("Target harus lebih dari 0, atau dikosongkan.")
        return target

    def rhk_id(self) -> int | None:
        return self.iki_rhk.get(self.cleaned_data.get("iki"))


def _iki_label(iki: IndikatorKinerja) -> str:
    aspek = f" [{iki.get_aspek_display()}]" if iki.aspek else ""
    target = f" — target tahunan {iki.target_display}" if iki.target_display else ""
    return f"{iki.uraian[:100]}{aspek}{target}"


class RealisasiForm(VersiMixin):
    realisasi = AngkaField(
        label="Realisasi (angka)", required=False, min_value=0, max_digits=16, decimal_places=2, nama="Realisasi",
        help_text="Angka yang dicapai bulan ini, misalnya 4 atau 1.250,5.",
    )  # fmt: skip
    realisasi_uraian = forms.CharField(
        label="Uraian realisasi",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Apa yang sudah dikerjakan, hasilnya, dan kendala bila ada.",
    )


class BerkasForm(VersiMixin):
    berkas = forms.FileField(
        label="Berkas", error_messages={"required": "Pilih berkas yang akan diunggah.", "empty": "Berkas kosong."}
    )
    keterangan = forms.CharField(label="Keterangan", max_length=255, required=False)


class TautanForm(VersiMixin):
    tautan = forms.CharField(
        label="Tautan (https)", max_length=2000, error_messages={"required": "Isi alamat tautan bukti dukung."},
        widget=forms.TextInput(attrs={"placeholder": "https://", "inputmode": "url"}),
    )  # fmt: skip
    keterangan = forms.CharField(label="Keterangan", max_length=255, required=False)
