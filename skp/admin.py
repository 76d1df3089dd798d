"""Django admin (/django-admin/) for SKP: read-only. Every SKP change goes through skp.services
(state checks, optimistic locking, one audit row), so the admin only looks."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from skp.models import IndikatorKinerja, IntervensiRhk, PerilakuKerja, RencanaHasilKerja, Skp


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class RhkInline(ReadOnlyMixin, admin.TabularInline):
    model = RencanaHasilKerja
    fields = ["jenis", "urutan", "uraian", "perspektif", "asal"]
    show_change_link = True
    extra = 0


class PerilakuInline(ReadOnlyMixin, admin.TabularInline):
    model = PerilakuKerja
    fields = ["nilai", "urutan", "ekspektasi_khusus"]
    extra = 0


@admin.register(Skp)
class SkpAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["pk", "pegawai", "tahun", "mulai", "selesai", "revisi", "status", "penilai", "versi"]
    list_filter = ["status", "tahun", "pendekatan", "pegawai__opd"]
    search_fields = ["pegawai__nip", "pegawai__nama"]
    list_select_related = ["pegawai", "penilai"]
    inlines = [RhkInline, PerilakuInline]


class IkiInline(ReadOnlyMixin, admin.TabularInline):
    model = IndikatorKinerja
    fields = ["urutan", "uraian", "aspek", "target_min", "target_max", "satuan", "target_kualitatif"]
    extra = 0


class IntervensiInline(ReadOnlyMixin, admin.TabularInline):
    model = IntervensiRhk
    fk_name = "rhk"
    fields = ["rhk_atasan", "jenis_cascading"]
    extra = 0


@admin.register(RencanaHasilKerja)
class RencanaHasilKerjaAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["pk", "skp", "jenis", "urutan", "uraian"]
    list_filter = ["jenis", "skp__tahun"]
    search_fields = ["uraian", "skp__pegawai__nip", "skp__pegawai__nama"]
    list_select_related = ["skp", "skp__pegawai"]
    inlines = [IkiInline, IntervensiInline]
