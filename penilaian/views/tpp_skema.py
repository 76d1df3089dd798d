"""The TPP scheme pages (SPEC §7, §9): the list of years and their versions, a version's page, and
the admin BKD's form. Admin BKD edits; auditor and admin OPD read; everybody else 403.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ekinerja.angka import AngkaField, format_angka
from opd.models import Pegawai
from penilaian.models import NAMA_BULAN, SkemaTpp
from penilaian.services import tpp_skema as services
from penilaian.services._common import PenilaianError
from penilaian.services.periode import TAHUN_MAX, TAHUN_MIN

# (field, label) groups of the form, in the order of SPEC §7.
BOBOT = (("bobot_kinerja", "Produktivitas kerja (kinerja)"), ("bobot_disiplin", "Disiplin kerja"))
PREDIKAT = (
    ("persen_sangat_baik", "Sangat Baik"), ("persen_baik", "Baik"),
    ("persen_butuh_perbaikan", "Butuh Perbaikan"), ("persen_kurang", "Kurang"),
    ("persen_sangat_kurang", "Sangat Kurang"),
)  # fmt: skip
POTONGAN = (
    ("potongan_tl1", "TL1 — terlambat 1–30 menit"), ("potongan_tl2", "TL2 — terlambat 31–60 menit"),
    ("potongan_tl3", "TL3 — terlambat 61–90 menit"), ("potongan_tl4", "TL4 — terlambat > 90 menit / tanpa rekam"),
    ("potongan_psw1", "PSW1 — pulang cepat 1–30 menit"), ("potongan_psw2", "PSW2 — pulang cepat 31–60 menit"),
    ("potongan_psw3", "PSW3 — pulang cepat 61–90 menit"), ("potongan_psw4", "PSW4 — pulang cepat > 90 menit / tanpa rekam"),
    ("potongan_tanpa_keterangan", "Tidak masuk tanpa keterangan (per hari)"),
)  # fmt: skip
HUKDIS = (("potongan_hukdis", "Hukuman disiplin sedang (dari seluruh TPP)"),)


def _require_reader(user: Pegawai) -> None:
    if not services.boleh_baca_skema(user):
        raise PermissionDenied("Halaman ini untuk admin BKD, auditor dan admin OPD.")


def _require_pengelola(user: Pegawai) -> None:
    if not services.is_pengelola_tpp(user):
        raise PermissionDenied("Hanya admin BKD yang dapat mengubah skema TPP.")


def get_skema(pk: int) -> SkemaTpp:
    skema = SkemaTpp.objects.filter(pk=pk).first()
    if skema is None:
        raise Http404("Skema TPP tidak ditemukan.")
    return skema


class TahunForm(forms.Form):
    tahun = AngkaField(label="Tahun", bulat=True, min_value=TAHUN_MIN, max_value=TAHUN_MAX)


class SkemaForm(forms.Form):
    versi = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kedudukan_tanpa_tpp = forms.MultipleChoiceField(
        label="Kedudukan hukum yang tidak menerima TPP",
        choices=services.KEDUDUKAN_PILIHAN,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    mulai_bulan = forms.TypedChoiceField(label="Simpan sebagai", coerce=int, required=False, empty_value=None)
    alasan = forms.CharField(
        label="Catatan perubahan", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, bulan_baru: list[int], boleh_ubah_langsung: bool, awal: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, label in (*BOBOT, *PREDIKAT, *POTONGAN, *HUKDIS):
            self.fields[name] = AngkaField(
                label=label, nama=label, min_value=0, max_value=100, max_digits=5, decimal_places=2
            )
        for kelas in services.KELAS:
            self.fields[f"besaran_{kelas}"] = AngkaField(
                label=f"Kelas {kelas}", nama=f"Besaran kelas {kelas}", bulat=True, required=False,
                min_value=1, max_value=services.BESARAN_MAKS, max_digits=10,
            )  # fmt: skip
        pilihan = [("", f"Ubah versi ini (berlaku mulai {NAMA_BULAN[awal - 1]})")] if boleh_ubah_langsung else []
        pilihan += [(b, f"Versi baru mulai {NAMA_BULAN[b - 1]}") for b in bulan_baru]
        self.fields["mulai_bulan"].choices = pilihan
        self.fields["mulai_bulan"].required = not boleh_ubah_langsung
        self.fields["mulai_bulan"].error_messages["required"] = "Pilih bulan mulai berlakunya versi baru."
        self.fields["mulai_bulan"].error_messages["invalid_choice"] = "Bulan ini tidak dapat dipilih untuk versi baru."

    def clean(self) -> dict:
        data = super().clean()
        a, b = data.get("bobot_kinerja"), data.get("bobot_disiplin")
        if a is not None and b is not None and a + b != 100:
            self.add_error(
                "bobot_disiplin", f"Bobot kinerja dan disiplin harus berjumlah 100 % (sekarang {a + b:g} %)."
            )
        return data

    def data_skema(self) -> services.DataSkema:
        c = self.cleaned_data
        return services.DataSkema(
            persen={name: c[name] for name in services.PERSEN_FIELDS},
            besaran={k: c[f"besaran_{k}"] for k in services.KELAS if c.get(f"besaran_{k}")},
            kedudukan_tanpa_tpp=list(c["kedudukan_tanpa_tpp"]),
        )

    def groups(self) -> list[tuple[str, str, list]]:
        """(title, unit, bound fields) for the template."""
        return [
            ("Bobot komponen", "%", [self[n] for n, _ in BOBOT]),
            ("Persentase komponen kinerja per predikat", "%", [self[n] for n, _ in PREDIKAT]),
            ("Potongan disiplin per kejadian", "%", [self[n] for n, _ in POTONGAN]),
            ("Hukuman disiplin", "%", [self[n] for n, _ in HUKDIS]),
        ]

    def besaran_fields(self) -> list:
        return [self[f"besaran_{k}"] for k in reversed(services.KELAS)]


def _initial(skema: SkemaTpp, besaran: dict[int, int]) -> dict:
    initial = {name: getattr(skema, name) for name in services.PERSEN_FIELDS}
    # Rupiah with thousands dots as the page shows them (AngkaField reads them back).
    initial.update({f"besaran_{k}": format_angka(v) for k, v in besaran.items()})
    initial["kedudukan_tanpa_tpp"] = list(skema.kedudukan_tanpa_tpp or [])
    initial["versi"] = skema.versi
    return initial


# Pages --------------------------------------------------------------------------------------------


def _render_list(request: HttpRequest, form: TahunForm | None = None) -> HttpResponse:
    tahun_ini = timezone.localdate().year
    per_tahun = [(t, services.versi_tahun(t)) for t in services.tahun_skema()]
    ada = {t for t, _ in per_tahun}
    saran = tahun_ini if tahun_ini not in ada else max(ada) + 1
    return render(
        request,
        "penilaian/tpp_skema_list.html",
        {
            "per_tahun": per_tahun,
            "can_edit": services.is_pengelola_tpp(request.user),
            "form": form or TahunForm(initial={"tahun": saran}),
            "ada_tahun_lalu": (saran - 1) in ada,
            "saran": saran,
        },
    )


@require_safe
def skema_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request.user)
    return _render_list(request)


@require_POST
def skema_buat(request: HttpRequest) -> HttpResponse:
    """One POST, two buttons: copy last year's latest version, or start from the defaults."""
    _require_pengelola(request.user)
    form = TahunForm(request.POST)
    if not form.is_valid():
        return _render_list(request, form)
    tahun = form.cleaned_data["tahun"]
    try:
        if request.POST.get("sumber") == "bawaan":
            skema = services.buat_bawaan(tahun, by=request.user)
            messages.success(request, f"Skema TPP {tahun} dibuat dengan nilai bawaan. Isi besaran per kelas jabatan.")
        else:
            skema = services.salin_tahun_lalu(tahun, by=request.user)
            messages.success(request, f"Skema TPP {tahun} disalin dari skema terakhir tahun {tahun - 1}.")
    except PenilaianError as exc:
        form.add_error(None, str(exc))
        return _render_list(request, form)
    return redirect("penilaian:tpp_skema_detail", pk=skema.pk)


@require_safe
def skema_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reader(request.user)
    skema = get_skema(pk)
    info = services.versi_dari(skema)
    besaran = services.besaran_map(skema)
    dipegang = services.kelas_dipegang()
    kelas = [(k, besaran.get(k), dipegang.get(k, 0)) for k in reversed(services.KELAS)]
    return render(
        request,
        "penilaian/tpp_skema_detail.html",
        {
            "skema": skema,
            "info": info,
            "kelas": kelas,
            "kurang": services.besaran_kurang(besaran, dipegang),
            "groups": [
                (title, [(label, getattr(skema, n)) for n, label in fields])
                for title, fields in (
                    ("Bobot komponen", BOBOT),
                    ("Persentase komponen kinerja per predikat", PREDIKAT),
                    ("Potongan disiplin per kejadian", POTONGAN),
                    ("Hukuman disiplin", HUKDIS),
                )
            ],
            "kedudukan": [label for v, label in services.KEDUDUKAN_PILIHAN if v in (skema.kedudukan_tanpa_tpp or [])],
            "can_edit": services.is_pengelola_tpp(request.user)
            and (not info.dipakai_final or bool(services.bulan_versi_baru(info))),
        },
    )


@require_http_methods(["GET", "POST"])
def skema_ubah(request: HttpRequest, pk: int) -> HttpResponse:
    _require_pengelola(request.user)
    skema = get_skema(pk)
    info = services.versi_dari(skema)
    bulan_baru = services.bulan_versi_baru(info)
    besaran = services.besaran_map(skema)
    form = SkemaForm(
        request.POST or None,
        initial=_initial(skema, besaran),
        bulan_baru=bulan_baru,
        boleh_ubah_langsung=not info.dipakai_final,
        awal=skema.berlaku_mulai,
    )
    if request.method == "POST" and form.is_valid():
        try:
            hasil = services.ubah_skema(
                skema, form.data_skema(), by=request.user, versi=form.cleaned_data["versi"],
                mulai_bulan=form.cleaned_data["mulai_bulan"], alasan=form.cleaned_data["alasan"],
            )  # fmt: skip
        except PenilaianError as exc:
            form.add_error(None, str(exc))
        else:
            if hasil.pk != skema.pk:
                messages.success(request, f"Versi baru disimpan: {hasil}. Bulan sebelumnya tetap memakai versi lama.")
            else:
                messages.success(request, f"{hasil} disimpan.")
            return redirect("penilaian:tpp_skema_detail", pk=hasil.pk)
    dipegang = services.kelas_dipegang()
    return render(
        request,
        "penilaian/tpp_skema_form.html",
        {
            "skema": skema,
            "info": info,
            "form": form,
            "dipegang": dipegang,
            "besaran_rows": [(f, dipegang.get(int(f.name.rsplit("_", 1)[1]), 0)) for f in form.besaran_fields()],
            "kurang": services.besaran_kurang(besaran, dipegang),
            "bisa_simpan": not info.dipakai_final or bool(bulan_baru),
        },
    )


urlpatterns = [
    path("tpp/skema/", skema_list, name="tpp_skema_list"),
    path("tpp/skema/buat/", skema_buat, name="tpp_skema_buat"),
    path("tpp/skema/<int:pk>/", skema_detail, name="tpp_skema_detail"),
    path("tpp/skema/<int:pk>/ubah/", skema_ubah, name="tpp_skema_ubah"),
]
