"""Django admin (/django-admin/) for superusers: a fallback for master data, not the daily UI.
The audit trail is read-only here too: rows are only ever written through opd.audit.record."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from opd.models import AuditLog, Jabatan, LoginAttempt, Opd, Pegawai, PenugasanPlt, PeranPengguna, UnitKerja


@admin.register(Opd)
class OpdAdmin(admin.ModelAdmin):
    list_display = ["kode", "nama", "jenis", "pilot", "aktif", "urutan"]
    list_filter = ["jenis", "pilot", "aktif"]
    search_fields = ["kode", "nama"]


@admin.register(UnitKerja)
class UnitKerjaAdmin(admin.ModelAdmin):
    list_display = ["nama", "jenis", "opd", "parent"]
    list_filter = ["jenis", "opd"]
    search_fields = ["nama", "opd__kode"]
    list_select_related = ["opd", "parent"]
    autocomplete_fields = ["opd", "parent"]


@admin.register(Jabatan)
class JabatanAdmin(admin.ModelAdmin):
    list_display = ["nama", "jenis", "eselon", "kelas_jabatan", "opd", "unit", "atasan"]
    list_filter = ["jenis", "eselon", "opd"]
    search_fields = ["nama", "opd__kode"]
    list_select_related = ["opd", "unit", "atasan"]
    autocomplete_fields = ["opd", "unit", "atasan"]


class PeranInline(admin.TabularInline):
    model = PeranPengguna
    extra = 0
    autocomplete_fields = ["opd"]


@admin.register(Pegawai)
class PegawaiAdmin(admin.ModelAdmin):
    list_display = ["nip", "nama", "golongan", "jabatan", "opd", "kedudukan_hukum", "is_active"]
    list_filter = ["jenis_asn", "kedudukan_hukum", "is_active", "opd"]
    search_fields = ["nip", "nama"]
    list_select_related = ["jabatan", "opd"]
    autocomplete_fields = ["jabatan", "opd", "unit"]
    inlines = [PeranInline]
    # The password hash is never edited here; admins reset passwords from the pegawai page.
    fields = [
        "nip", "nama", "gelar_depan", "gelar_belakang", "jenis_asn", "golongan", "jabatan", "opd", "unit",
        "kedudukan_hukum", "email", "is_active", "is_staff", "is_superuser", "last_login",
    ]  # fmt: skip
    readonly_fields = ["last_login"]


@admin.register(PeranPengguna)
class PeranPenggunaAdmin(admin.ModelAdmin):
    list_display = ["pegawai", "peran", "opd"]
    list_filter = ["peran", "opd"]
    search_fields = ["pegawai__nip", "pegawai__nama"]
    list_select_related = ["pegawai", "opd"]
    autocomplete_fields = ["pegawai", "opd"]


@admin.register(PenugasanPlt)
class PenugasanPltAdmin(admin.ModelAdmin):
    list_display = ["jabatan", "pegawai", "jenis", "mulai", "selesai", "nomor_sk", "dibatalkan"]
    list_filter = ["jenis", "dibatalkan"]
    search_fields = ["jabatan__nama", "pegawai__nip", "pegawai__nama", "nomor_sk"]
    list_select_related = ["jabatan", "pegawai"]
    autocomplete_fields = ["jabatan", "pegawai", "dibuat_oleh"]


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["waktu", "actor_repr", "aksi", "object_repr", "opd", "alasan"]
    list_filter = ["aksi", "opd"]
    search_fields = ["actor_repr", "object_repr", "aksi", "alasan"]
    date_hierarchy = "waktu"
    list_select_related = ["opd"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditLog | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditLog | None = None) -> bool:
        return False


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    list_display = ["kunci", "jenis", "gagal", "terakhir_gagal", "terkunci_sampai"]
    list_filter = ["jenis"]
    search_fields = ["kunci"]
