"""Forms of the SKP pages. They parse and check what the user typed (Indonesian decimals, target
rules) so the page can show the error next to the field; the services check everything again."""

from __future__ import annotations

from django import forms
from django.forms import BaseFormSet, formset_factory

from ekinerja.angka import AngkaField
from skp import rules
from skp.models import IndikatorKinerja, IntervensiRhk, RencanaHasilKerja, Skp
from skp.services import IkiData, LinkData


class BootstrapMixin:
    """Bootstrap classes on widgets rendered by hand (the IKI table), `is-invalid` on errors."""

    def _style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.HiddenInput, forms.CheckboxInput, forms.RadioSelect)):
                continue
            css = "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
            widget.attrs["class"] = css

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields and "class" in self.fields[name].widget.attrs:
                self.fields[name].widget.attrs["class"] += " is-invalid"


class VersiMixin(forms.Form):
    """The SKP's `versi` when the page was loaded (optimistic locking, two tabs)."""

    # Bounded like the PositiveIntegerField it is compared with: a forged 40-digit value must not reach SQL.
    versi = AngkaField(label="Versi", bulat=True, min_value=0, max_value=2_147_483_647, widget=forms.HiddenInput)

    def clean(self) -> dict:
        # A hidden field's error would show nowhere: say it at the top of the form.
        if "versi" in self.errors:
            del self.errors["versi"]
            self.add_error(
                None,
                "Halaman ini tidak sesuai lagi dengan data terbaru; muat ulang halaman lalu ulangi perubahan Anda.",
            )
        return super().clean()


class SkpBuatForm(forms.Form):
    tahun = AngkaField(label="Tahun", bulat=True, min_value=2000, max_value=2100)
    pendekatan = forms.ChoiceField(
        label="Pendekatan",
        choices=Skp.Pendekatan.choices,
        initial=Skp.Pendekatan.KUANTITATIF,
        help_text="Kuantitatif: target berupa angka dan satuan. Kualitatif: target berupa kalimat.",
    )
    mulai = forms.DateField(label="Periode mulai", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    selesai = forms.DateField(
        label="Periode selesai", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self) -> dict:
        data = super().clean()
        mulai, selesai, tahun = data.get("mulai"), data.get("selesai"), data.get("tahun")
        if mulai and selesai and selesai < mulai:
            self.add_error("selesai", "Periode selesai tidak boleh sebelum periode mulai.")
        if tahun and mulai and selesai and (mulai.year != tahun or selesai.year != tahun):
            self.add_error("mulai", f"Periode SKP harus berada di dalam tahun {tahun}.")
        return data


class SkpUbahForm(VersiMixin):
    pendekatan = forms.ChoiceField(label="Pendekatan", choices=Skp.Pendekatan.choices)
    lampiran_dukungan_sumber_daya = forms.CharField(
        label="Dukungan sumber daya", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    lampiran_skema_pertanggungjawaban = forms.CharField(
        label="Skema pertanggungjawaban", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    lampiran_konsekuensi = forms.CharField(
        label="Konsekuensi", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    @classmethod
    def for_skp(cls, skp: Skp, data: dict | None = None) -> SkpUbahForm:
        return cls(
            data,
            initial={
                "versi": skp.versi,
                "pendekatan": skp.pendekatan,
                "lampiran_dukungan_sumber_daya": skp.lampiran_dukungan_sumber_daya,
                "lampiran_skema_pertanggungjawaban": skp.lampiran_skema_pertanggungjawaban,
                "lampiran_konsekuensi": skp.lampiran_konsekuensi,
            },
        )


class KembalikanForm(forms.Form):
    catatan = forms.CharField(
        label="Catatan pengembalian",
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "Apa yang perlu diperbaiki pegawai?"}),
        error_messages={"required": "Catatan pengembalian wajib diisi agar pegawai tahu apa yang harus diperbaiki."},
    )


class TutupSkpForm(forms.Form):
    """An admin closes an approved SKP when the pegawai changes jabatan (SPEC §2)."""

    per_tanggal = forms.DateField(
        label="Jabatan baru mulai tanggal",
        help_text="SKP ini berakhir sehari sebelumnya; pegawai lalu menyusun SKP baru mulai tanggal ini.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Tanggal wajib diisi.", "invalid": "Tanggal tidak valid."},
    )
    alasan = forms.CharField(
        label="Alasan penutupan",
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Misalnya: mutasi jabatan, SK Bupati Nomor …"}),
        error_messages={"required": "Alasan penutupan wajib diisi."},
    )


class EkspektasiForm(VersiMixin):
    """One textarea per BerAKHLAK value: the penilai's ekspektasi khusus."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for kode, nama in rules.BERAKHLAK_CHOICES:
            self.fields[kode] = forms.CharField(
                label=nama,
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
            )

    @classmethod
    def for_skp(cls, skp: Skp, data: dict | None = None) -> EkspektasiForm:
        initial: dict = {"versi": skp.versi}
        for p in skp.perilaku_set.all():
            initial[p.nilai] = p.ekspektasi_khusus
        return cls(data, initial=initial)

    def ekspektasi(self) -> dict[str, str]:
        return {kode: self.cleaned_data.get(kode, "").strip() for kode, _ in rules.BERAKHLAK_CHOICES}

    def rows(self) -> list[tuple[forms.BoundField, tuple[str, ...]]]:
        return [(self[kode], rules.BERAKHLAK[kode].panduan) for kode, _ in rules.BERAKHLAK_CHOICES]


# RHK ------------------------------------------------------------------------------------------


class RhkForm(VersiMixin):
    jenis = forms.ChoiceField(
        label="Jenis RHK",
        choices=RencanaHasilKerja.Jenis.choices,
        widget=forms.RadioSelect,
        initial=RencanaHasilKerja.Jenis.UTAMA,
    )
    uraian = forms.CharField(
        label="Rencana hasil kerja",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Uraian rencana hasil kerja wajib diisi."},
    )
    perspektif = forms.CharField(
        label="Perspektif",
        required=False,
        max_length=100,
        help_text="Untuk JPT: perspektif Perjanjian Kinerja (mis. Penerima Layanan, Proses Bisnis).",
    )

    def clean_uraian(self) -> str:
        uraian = self.cleaned_data["uraian"].strip()
        if not uraian:
            raise forms.ValidationError("Uraian rencana hasil kerja wajib diisi.")
        return uraian


class IkiForm(BootstrapMixin, forms.Form):
    uraian = forms.CharField(
        label="Indikator kinerja individu", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    aspek = forms.ChoiceField(
        label="Aspek", required=False, choices=[("", "— aspek —"), *IndikatorKinerja.Aspek.choices]
    )
    target_min = AngkaField(
        label="Target", required=False, max_digits=rules.TARGET_DIGITS, decimal_places=rules.TARGET_PLACES
    )
    target_max = AngkaField(
        label="s.d. (opsional)",
        nama="Target maksimum",
        required=False,
        max_digits=rules.TARGET_DIGITS,
        decimal_places=rules.TARGET_PLACES,
    )
    satuan = forms.CharField(label="Satuan", required=False, max_length=50)
    target_kualitatif = forms.CharField(label="Target", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, kualitatif: bool = False, **kwargs) -> None:
        self.kualitatif = kualitatif
        super().__init__(*args, **kwargs)
        self._style()
        self.fields["satuan"].widget.attrs["placeholder"] = "dokumen, %, bulan"
        self.fields["uraian"].widget.attrs["placeholder"] = "Mis. Jumlah laporan data pelayanan kesehatan"

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        keys = ("uraian", "satuan", "target_kualitatif", "target_min", "target_max")
        return not any(data.get(k) not in (None, "") for k in keys)

    def clean(self) -> dict:
        data = super().clean()
        if self.errors or self.is_blank() or data.get("DELETE"):
            return data
        if not (data.get("uraian") or "").strip():
            self.add_error("uraian", "Uraian IKI wajib diisi.")
        if self.kualitatif:
            if not (data.get("target_kualitatif") or "").strip():
                self.add_error("target_kualitatif", "Target kualitatif wajib diisi.")
            return data
        if not data.get("aspek"):
            self.add_error("aspek", "Pilih aspek IKI.")
        try:
            target = rules.validate_target(data.get("target_min"), data.get("target_max"), data.get("satuan", ""))
        except rules.TargetError as e:
            field = "satuan" if "Satuan" in str(e) else "target_min"
            self.add_error(field, str(e))
        else:
            data["target_max"] = target.maksimum
            data["satuan"] = target.satuan
        return data

    def iki_data(self) -> IkiData:
        d = self.cleaned_data
        if self.kualitatif:
            return IkiData(uraian=d["uraian"].strip(), target_kualitatif=d["target_kualitatif"].strip())
        return IkiData(
            uraian=d["uraian"].strip(),
            aspek=d["aspek"],
            target_min=d["target_min"],
            target_max=d["target_max"],
            satuan=d["satuan"],
        )


class BaseIkiFormSet(BaseFormSet):
    def __init__(self, *args, kualitatif: bool = False, **kwargs) -> None:
        self.kualitatif = kualitatif
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict:
        return {**super().get_form_kwargs(index), "kualitatif": self.kualitatif}

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Hapus"
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def filled_forms(self) -> list[IkiForm]:
        return [f for f in self.forms if not f.is_blank() and not f.cleaned_data.get("DELETE")]

    def clean(self) -> None:
        if any(self.errors):
            return
        if not self.filled_forms():
            raise forms.ValidationError("Isi minimal satu Indikator Kinerja Individu (IKI).")

    def iki_data(self) -> list[IkiData]:
        return [f.iki_data() for f in self.filled_forms()]


def iki_formset(
    data: dict | None, *, kualitatif: bool, rhk: RencanaHasilKerja | None = None, extra: int = 1
) -> BaseIkiFormSet:
    initial = []
    # Bound: no initial, so that every posted row is judged on what was typed (a row equal to its
    # initial value must not count as "unchanged, skip").
    if rhk is not None and data is None:
        for iki in rhk.iki_set.all():
            initial.append(
                {
                    "uraian": iki.uraian,
                    "aspek": iki.aspek,
                    "target_min": rules.format_number(iki.target_min) if iki.target_min is not None else "",
                    "target_max": rules.format_number(iki.target_max) if iki.target_max is not None else "",
                    "satuan": iki.satuan,
                    "target_kualitatif": iki.target_kualitatif,
                }
            )
    formset_class = formset_factory(IkiForm, formset=BaseIkiFormSet, extra=max(extra, 0), can_delete=True)
    return formset_class(data, initial=initial or None, prefix="iki", kualitatif=kualitatif)


class IntervensiForm(forms.Form):
    """The penilai's RHK this RHK intervenes: `intervensi` = checked ids, `cascading_<id>` = kind.

    Only RHK offered by `rhk_atasan_choices` are accepted; a forged id is an error, not ignored."""

    intervensi = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "RHK atasan yang dipilih tidak termasuk RHK pejabat penilai Anda tahun ini."},
    )

    def __init__(self, *args, choices: list[RencanaHasilKerja], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rhk_atasan = choices
        self.fields["intervensi"].choices = [(str(r.pk), r.uraian) for r in choices]
        for r in choices:
            self.fields[f"cascading_{r.pk}"] = forms.ChoiceField(
                label="Jenis cascading",
                choices=IntervensiRhk.Cascading.choices,
                initial=IntervensiRhk.Cascading.LANGSUNG,
                required=False,
                widget=forms.Select(attrs={"class": "form-select form-select-sm", "aria-label": "Jenis cascading"}),
            )

    @classmethod
    def for_rhk(cls, rhk: RencanaHasilKerja | None, choices: list[RencanaHasilKerja], data: dict | None = None):
        initial: dict = {"intervensi": []}
        if rhk is not None:
            for link in rhk.link_atas.all():
                initial["intervensi"].append(str(link.rhk_atasan_id))
                initial[f"cascading_{link.rhk_atasan_id}"] = link.jenis_cascading
        return cls(data, initial=initial, choices=choices)

    def links(self) -> list[LinkData]:
        result = []
        for pk in self.cleaned_data.get("intervensi", []):
            kind = self.cleaned_data.get(f"cascading_{pk}") or IntervensiRhk.Cascading.LANGSUNG
            result.append(LinkData(rhk_atasan_id=int(pk), jenis_cascading=kind))
        return result

    def groups(self) -> list[dict]:
        """One entry per RHK atasan for the template: the RHK, checked?, cascading field."""
        if self.is_bound:
            checked = set(self.data.getlist("intervensi")) if hasattr(self.data, "getlist") else set()
        else:
            checked = set(self.initial.get("intervensi", []))
        return [
            {"rhk": r, "checked": str(r.pk) in checked, "cascading": self[f"cascading_{r.pk}"]} for r in self.rhk_atasan
        ]
