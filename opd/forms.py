"""Forms of the people pages: login by NIP, supervisor change, Plt/Plh."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from opd import services
from opd.auth import normalize_nip
from opd.models import Jabatan, JenisJabatan, LoginAttempt, Opd, Pegawai, PenugasanPlt
from opd.rules import NipError, parse_nip


def lock_message(lock: services.LoginLock) -> str:
    source = "dari alamat jaringan ini" if lock.jenis == LoginAttempt.Jenis.ALAMAT else "untuk NIP / ID ini"
    return (
        f"Terlalu banyak percobaan masuk yang gagal {source}. Coba lagi setelah {timezone.localtime(lock.until):%H:%M}."
    )


class LockMessageMixin:
    """Says until when a login is locked. The lock itself is decided in the authentication
    backend (opd.auth.NipBackend), which leaves it on the request."""

    request: HttpRequest | None

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()  # type: ignore[misc]
        except forms.ValidationError:
            lock = getattr(self.request, "login_lock", None)
            if lock is not None:
                raise forms.ValidationError(lock_message(lock), code="locked") from None
            raise


class NipLoginForm(LockMessageMixin, AuthenticationForm):
    """Login by NIP, or by the short user id of a non-ASN account (the Bupati, system accounts).
    Throttling per NIP and per address happens in the backend, on every login path."""

    username = forms.CharField(
        label="NIP / ID pengguna",
        max_length=64,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label="Kata sandi",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "NIP / ID pengguna atau kata sandi salah.",
        "inactive": "Akun ini tidak aktif. Hubungi admin OPD Anda.",
    }

    def clean_username(self) -> str:
        return normalize_nip(self.cleaned_data.get("username"))


class AdminNipLoginForm(LockMessageMixin, AdminAuthenticationForm):
    """Django admin's login: the same backend and lock, the lock end shown too."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": "NIP / ID pengguna atau kata sandi salah, atau akun ini bukan akun staf.",
    }


class UbahSandiForm(PasswordChangeForm):
    """/akun/kata-sandi/: one wording ("kata sandi", "Anda"). A password someone else set (after
    an admin reset or the import) must be replaced by a different one."""

    error_messages = {
        "password_incorrect": "Kata sandi Anda saat ini salah. Silakan ketik ulang.",
        "password_mismatch": "Kedua kata sandi baru tidak sama.",
        "password_unchanged": "Kata sandi baru harus berbeda dari kata sandi Anda saat ini.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Kata sandi Anda saat ini"
        self.fields["new_password1"].label = "Kata sandi baru"
        self.fields["new_password2"].label = "Ulangi kata sandi baru"
        self.fields["new_password2"].help_text = "Ketik sekali lagi kata sandi baru Anda."

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        password = data.get("new_password2")
        if password and "new_password2" not in self.errors and self.user.check_password(password):
            self.add_error("new_password2", self.error_messages["password_unchanged"])
        return data

    def save(self, commit: bool = True) -> Pegawai:
        return services.change_own_password(self.user, self.cleaned_data["new_password1"])


class JabatanChoiceField(forms.ModelChoiceField):
    """Positions labelled "nama jabatan — pemegang (NIP)" or "(kosong)"; holders preloaded."""

    def __init__(self, *args: Any, holders: dict[int, list[Pegawai]] | None = None, **kwargs: Any) -> None:
        self.holders = holders or {}
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Jabatan) -> str:
        people = self.holders.get(obj.pk, [])
        opd = f" [{obj.opd.kode}]" if obj.opd_id else ""
        if not people:
            return f"{obj.nama}{opd} — (kosong)"
        first = people[0]
        more = f" dan {len(people) - 1} lainnya" if len(people) > 1 else ""
        return f"{obj.nama}{opd} — {first.nama_lengkap} ({first.nip}){more}"


def atasan_choices_for(pegawai: Pegawai) -> QuerySet[Jabatan]:
    """All positions of the pegawai's OPD plus the JPT positions (Kepala OPD, Sekda) and the
    Bupati's, except the pegawai's own."""
    q = Q(jenis__in=[JenisJabatan.JPT, JenisJabatan.PEJABAT_NEGARA])
    if pegawai.opd_id:
        q |= Q(opd_id=pegawai.opd_id)
    qs = Jabatan.objects.filter(q).select_related("opd").order_by("opd__urutan", "opd__nama", "nama", "pk")
    if pegawai.jabatan_id:
        qs = qs.exclude(pk=pegawai.jabatan_id)
    return qs


def holders_by_jabatan(jabatan_ids: list[int]) -> dict[int, list[Pegawai]]:
    result: dict[int, list[Pegawai]] = {}
    for p in Pegawai.objects.filter(jabatan_id__in=jabatan_ids, is_active=True).order_by("nama", "pk"):
        result.setdefault(p.jabatan_id, []).append(p)
    return result


class AtasanForm(forms.Form):
    CAKUPAN_SATU = "satu"
    CAKUPAN_SEMUA = "semua"

    atasan = JabatanChoiceField(
        queryset=Jabatan.objects.none(), label="Jabatan atasan langsung", empty_label="— pilih jabatan atasan —"
    )
    cakupan = forms.ChoiceField(
        label="Berlaku untuk",
        choices=[
            (CAKUPAN_SATU, "Hanya pegawai ini (pegawai lain pada jabatan yang sama tetap)"),
            (CAKUPAN_SEMUA, "Semua pemegang jabatan ini"),
        ],
        initial=CAKUPAN_SATU,
        widget=forms.RadioSelect,
    )
    alasan = forms.CharField(
        label="Alasan perubahan",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Mis. sesuai SK mutasi nomor …"}),
        max_length=1000,
    )

    def __init__(self, *args: Any, pegawai: Pegawai, shared: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qs = atasan_choices_for(pegawai)
        field = self.fields["atasan"]
        field.queryset = qs
        field.holders = holders_by_jabatan(list(qs.values_list("pk", flat=True)))
        if not shared:
            del self.fields["cakupan"]

    @property
    def only_this_pegawai(self) -> bool:
        return self.cleaned_data.get("cakupan", self.CAKUPAN_SATU) != self.CAKUPAN_SEMUA


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class PltForm(forms.Form):
    jabatan = JabatanChoiceField(
        queryset=Jabatan.objects.none(), label="Jabatan yang dilaksanakan", empty_label="— pilih jabatan —"
    )
    nip = forms.CharField(
        label="NIP pegawai yang ditunjuk",
        max_length=30,
        help_text="18 digit, tanpa spasi.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "199002142015031003"}),
    )
    jenis = forms.ChoiceField(label="Jenis", choices=PenugasanPlt.Jenis.choices, initial=PenugasanPlt.Jenis.PLT)
    mulai = forms.DateField(label="Tanggal mulai", widget=DateInput())
    selesai = forms.DateField(label="Tanggal selesai", widget=DateInput())
    nomor_sk = forms.CharField(label="Nomor surat perintah", max_length=100, required=False)

    def __init__(self, *args: Any, jabatan_qs: QuerySet[Jabatan], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["jabatan"]
        field.queryset = jabatan_qs.select_related("opd")
        field.holders = holders_by_jabatan(list(jabatan_qs.values_list("pk", flat=True)))

    def clean_nip(self) -> Pegawai:
        raw = self.cleaned_data["nip"].replace(" ", "")
        try:
            nip = parse_nip(raw).nip
        except NipError as exc:
            raise forms.ValidationError(str(exc)) from None
        pegawai = Pegawai.objects.filter(nip=nip).select_related("jabatan").first()
        if pegawai is None:
            raise forms.ValidationError(f"Pegawai dengan NIP {nip} tidak ditemukan.")
        return pegawai

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        mulai, selesai = data.get("mulai"), data.get("selesai")
        if mulai and selesai and selesai < mulai:
            self.add_error("selesai", "Tanggal selesai tidak boleh sebelum tanggal mulai.")
        return data


class PltBatalForm(forms.Form):
    alasan = forms.CharField(label="Alasan pembatalan", max_length=1000)


class PegawaiFilterForm(forms.Form):
    q = forms.CharField(label="Cari", required=False, max_length=100)
    opd = forms.ChoiceField(label="OPD", required=False, widget=forms.Select(attrs={"class": "form-select"}))
    jenis = forms.ChoiceField(
        label="Jenis jabatan",
        required=False,
        choices=[("", "Semua jenis"), *JenisJabatan.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, opds: list[Opd], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["opd"].choices = [("", "Semua OPD"), *[(o.kode, o.nama) for o in opds]]


class AuditFilterForm(forms.Form):
    opd = forms.ChoiceField(label="OPD", required=False, widget=forms.Select(attrs={"class": "form-select"}))
    aksi = forms.ChoiceField(label="Aksi", required=False, widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args: Any, opds: list[Opd], aksi: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["opd"].choices = [("", "Semua OPD"), *[(o.kode, o.nama) for o in opds]]
        self.fields["aksi"].choices = [("", "Semua aksi"), *aksi]
