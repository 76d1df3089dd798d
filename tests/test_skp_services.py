"""SKP workflows (SPEC §4) through skp.services, on the named world.

The chain used throughout: kepala (JPT, no links) ← penilai (Administrator) ← pegawai (Pelaksana).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404

from opd.models import AuditLog, PenugasanPlt
from skp import services
from skp.models import IndikatorKinerja, IntervensiRhk, RencanaHasilKerja, Skp, get_rhk_for, get_skp_for
from skp.services import IkiData, KonflikVersi, LinkData, SkpError, penyusunan

pytestmark = pytest.mark.django_db

TAHUN = 2026
IKI = [IkiData(uraian="Jumlah laporan yang tersusun", aspek="KUANTITAS", target_min=Decimal(12), satuan="dokumen")]


def audit_count(aksi: str) -> int:
    return AuditLog.objects.filter(aksi=aksi).count()


def fresh(skp: Skp) -> Skp:
    return Skp.objects.get(pk=skp.pk)


def add_rhk(skp, by, uraian="Tersusunnya laporan", *, jenis="UTAMA", links=(), iki=IKI) -> RencanaHasilKerja:
    skp = fresh(skp)
    return services.save_rhk(
        skp,
        by=by,
        versi=skp.versi,
        rhk=None,
        jenis=jenis,
        uraian=uraian,
        iki=list(iki),
        links=[LinkData(r.pk, "LANGSUNG") for r in links],
    )


def approved_skp(pegawai, penilai, *rhk_specs, tahun=TAHUN) -> tuple[Skp, list[RencanaHasilKerja]]:
    """An approved SKP of `pegawai`; each spec is (uraian, [rhk_atasan …])."""
    skp = services.create_skp(pegawai, by=pegawai, tahun=tahun, pendekatan="KUANTITATIF")
    rows = [add_rhk(skp, pegawai, uraian, links=links) for uraian, links in rhk_specs]
    services.submit_skp(fresh(skp), by=pegawai)
    services.approve_skp(fresh(skp), by=penilai)
    return fresh(skp), rows


@pytest.fixture
def chain(world):
    """Approved SKP of kepala and penilai; a draft of pegawai. Returns a namespace."""
    kepala_skp, (k1, k2) = approved_skp(
        world.kepala, world.sekda, ("Meningkatnya derajat kesehatan", []), ("Menurunnya stunting", [])
    )
    penilai_skp, (p1, p2) = approved_skp(
        world.penilai, world.kepala, ("Meningkatnya mutu layanan", [k1]), ("Terlaksananya akreditasi", [k2])
    )
    draft = services.create_skp(world.pegawai, by=world.pegawai, tahun=TAHUN, pendekatan="KUANTITATIF")

    class C:
        pass

    c = C()
    c.kepala_skp, c.k1, c.k2 = kepala_skp, k1, k2
    c.penilai_skp, c.p1, c.p2 = penilai_skp, p1, p2
    c.draft = draft
    return c


# Create ----------------------------------------------------------------------------------------


def test_create_makes_seven_perilaku_and_audit(world):
    skp = services.create_skp(world.pegawai, by=world.pegawai, tahun=TAHUN, pendekatan="KUANTITATIF")
    assert (skp.mulai, skp.selesai) == (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    assert skp.status == Skp.Status.DRAFT and skp.jabatan_id == world.pegawai.jabatan_id
    assert list(skp.perilaku_set.values_list("nilai", flat=True)) == [
        "BERORIENTASI_PELAYANAN",
        "AKUNTABEL",
        "KOMPETEN",
        "HARMONIS",
        "LOYAL",
        "ADAPTIF",
        "KOLABORATIF",
    ]
    log = AuditLog.objects.for_object(skp).get()
    assert log.aksi == "skp_dibuat" and log.actor == world.pegawai and log.opd_id == world.opd.pk


def test_create_overlap_refused_with_message(world):
    services.create_skp(world.pegawai, by=world.pegawai, tahun=TAHUN, pendekatan="KUANTITATIF")
    with pytest.raises(SkpError) as exc:
        services.create_skp(
            world.pegawai,
            by=world.pegawai,
            tahun=TAHUN,
            pendekatan="KUALITATIF",
            mulai=datetime.date(2026, 6, 1),
            selesai=datetime.date(2026, 12, 31),
        )
    assert str(exc.value) == (
        "Sudah ada SKP periode 1 Januari 2026 – 31 Desember 2026 (status draft). Satu pegawai tidak boleh "
        "memiliki dua SKP dengan periode yang beririsan."
    )
    assert Skp.objects.filter(pegawai=world.pegawai).count() == 1


def test_create_same_start_day_caught_by_database(world, monkeypatch):
    """Two tabs racing: the service check passes in both, the DB constraint refuses the second."""
    # The race: the service check passes in both tabs (patched where create_skp looks it up).
    services.create_skp(world.pegawai, by=world.pegawai, tahun=TAHUN, pendekatan="KUANTITATIF")
    monkeypatch.setattr(penyusunan, "_check_periode", lambda *a: None)
    with pytest.raises(SkpError, match="Sudah ada SKP periode 1 Januari 2026"):
        services.create_skp(world.pegawai, by=world.pegawai, tahun=TAHUN, pendekatan="KUANTITATIF")
    assert Skp.objects.filter(pegawai=world.pegawai).count() == 1


@pytest.mark.parametrize(
    ("mulai", "selesai", "message"),
    [
        (datetime.date(2025, 12, 1), datetime.date(2026, 12, 31), "di dalam tahun 2026"),
        (datetime.date(2026, 1, 1), datetime.date(2027, 1, 31), "di dalam tahun 2026"),
        (datetime.date(2026, 6, 1), datetime.date(2026, 5, 1), "tidak boleh setelah"),
    ],
)
def test_create_periode_rules(world, mulai, selesai, message):
    with pytest.raises(SkpError, match=message):
        services.create_skp(
            world.pegawai, by=world.pegawai, tahun=TAHUN, pendekatan="KUANTITATIF", mulai=mulai, selesai=selesai
        )


def test_create_refused_for_non_asn_other_person_and_no_jabatan(world):
    with pytest.raises(SkpError, match="non-ASN"):
        services.create_skp(world.bupati, by=world.bupati, tahun=TAHUN, pendekatan="KUANTITATIF")
    with pytest.raises(SkpError, match="pegawai yang bersangkutan"):
        services.create_skp(world.pegawai, by=world.penilai, tahun=TAHUN, pendekatan="KUANTITATIF")
    world.outsider.jabatan = None
    world.outsider.save()
    with pytest.raises(SkpError, match="belum memiliki jabatan"):
        services.create_skp(world.outsider, by=world.outsider, tahun=TAHUN, pendekatan="KUANTITATIF")
    assert not Skp.objects.exists()
    assert audit_count("skp_dibuat") == 0


# save_rhk validation ---------------------------------------------------------------------------


def _iki(**kw) -> IkiData:
    base = {"uraian": "Persentase layanan", "aspek": "KUALITAS", "target_min": Decimal(80), "satuan": "%"}
    return IkiData(**{**base, **kw})


@pytest.mark.parametrize(
    ("iki", "message"),
    [
        ([_iki(target_min=Decimal(90), target_max=Decimal(80))], "lebih besar dari maksimum"),
        ([_iki(target_min=Decimal(-5))], "tidak boleh negatif"),
        ([_iki(target_min="abc")], "harus berupa angka"),
        ([_iki(target_min=None)], "wajib diisi dengan angka"),
        ([_iki(satuan="")], "Satuan target wajib diisi"),
        ([_iki(aspek="")], "pilih aspek"),
        ([_iki(uraian="  ")], "uraian indikator wajib diisi"),
        ([_iki(), _iki(target_min=Decimal(-1))], "IKI 2: Target tidak boleh negatif"),
        ([], "minimal satu Indikator Kinerja Individu"),
    ],
)
def test_save_rhk_rejects_bad_iki(world, chain, iki, message):
    skp = chain.draft
    with pytest.raises(SkpError, match=message):
        services.save_rhk(
            skp, by=world.pegawai, versi=skp.versi, rhk=None, jenis="UTAMA", uraian="RHK", iki=iki, links=[]
        )
    assert not skp.rhk_set.exists()
    assert fresh(skp).versi == skp.versi
    assert audit_count("rhk_disimpan") == 4  # only those of the chain fixture


def test_save_rhk_rejects_empty_uraian_and_bad_jenis(world, chain):
    skp = chain.draft
    for kwargs, message in [({"uraian": " "}, "Uraian rencana hasil kerja"), ({"jenis": "X"}, "jenis RHK")]:
        with pytest.raises(SkpError, match=message):
            services.save_rhk(
                skp, by=world.pegawai, versi=skp.versi, rhk=None, **{"jenis": "UTAMA", "uraian": "R", **kwargs},
                iki=IKI, links=[],
            )  # fmt: skip


def test_save_rhk_link_must_be_penilai_rhk(world, chain):
    """Forged ids: RHK of the kepala (not the penilai), of a colleague, of an unknown row."""
    colleague = services.create_skp(world.pegawai2, by=world.pegawai2, tahun=TAHUN, pendekatan="KUANTITATIF")
    colleague_rhk = add_rhk(colleague, world.pegawai2, links=[chain.p1])
    for forged in (chain.k1.pk, colleague_rhk.pk, 999_999):
        with pytest.raises(SkpError, match="bukan RHK pada SKP pejabat penilai Anda"):
            services.save_rhk(
                chain.draft, by=world.pegawai, versi=chain.draft.versi, rhk=None, jenis="UTAMA", uraian="R",
                iki=IKI, links=[LinkData(forged, "LANGSUNG")],
            )  # fmt: skip
    assert not chain.draft.rhk_set.exists()


def test_save_rhk_link_refused_on_tambahan_and_for_jpt(world, chain):
    with pytest.raises(SkpError, match="RHK tambahan tidak dihubungkan"):
        add_rhk(chain.draft, world.pegawai, jenis="TAMBAHAN", links=[chain.p1])
    sekda_skp = services.create_skp(world.sekda, by=world.sekda, tahun=TAHUN, pendekatan="KUANTITATIF")
    kepala_draft_rev = services.start_revision(chain.kepala_skp, by=world.kepala)
    with pytest.raises(SkpError, match="Perjanjian Kinerja"):
        add_rhk(kepala_draft_rev, world.kepala, links=[chain.k1])
    assert sekda_skp.is_jpt


def test_save_rhk_bad_cascading_and_duplicate_link(world, chain):
    with pytest.raises(SkpError, match="jenis cascading"):
        services.save_rhk(
            chain.draft, by=world.pegawai, versi=chain.draft.versi, rhk=None, jenis="UTAMA", uraian="R", iki=IKI,
            links=[LinkData(chain.p1.pk, "MIRING")],
        )  # fmt: skip
    with pytest.raises(SkpError, match="lebih dari sekali"):
        add_rhk(chain.draft, world.pegawai, links=[chain.p1, chain.p1])


def test_save_rhk_only_owner_and_only_editable(world, chain):
    with pytest.raises(SkpError, match="Hanya pegawai pemilik"):
        add_rhk(chain.draft, world.penilai)
    with pytest.raises(SkpError, match="disetujui sehingga tidak dapat diubah"):
        add_rhk(chain.penilai_skp, world.penilai)


def test_save_rhk_replace_keeps_ids_and_updates_links(world, chain):
    rhk = add_rhk(chain.draft, world.pegawai, links=[chain.p1], iki=[*IKI, _iki()])
    iki_ids = list(rhk.iki_set.values_list("pk", flat=True))
    skp = fresh(chain.draft)
    services.save_rhk(
        skp, by=world.pegawai, versi=skp.versi, rhk=rhk, jenis="UTAMA", uraian="Baru",
        iki=[_iki(target_min=Decimal("12.5"), satuan="jam")], links=[LinkData(chain.p2.pk, "TIDAK_LANGSUNG")],
    )  # fmt: skip
    rhk.refresh_from_db()
    assert rhk.uraian == "Baru"
    assert list(rhk.iki_set.values_list("pk", flat=True)) == iki_ids[:1]
    assert rhk.iki_set.get().target_display == "12,5 jam"
    assert list(rhk.link_atas.values_list("rhk_atasan_id", "jenis_cascading")) == [(chain.p2.pk, "TIDAK_LANGSUNG")]
    log = AuditLog.objects.filter(aksi="rhk_disimpan").first()
    assert log.perubahan["rhk_atasan"] == [[chain.p1.pk], [chain.p2.pk]]


def test_kualitatif_iki_needs_sentence_and_no_aspek(world, chain):
    skp = services.create_skp(world.pegawai2, by=world.pegawai2, tahun=TAHUN, pendekatan="KUALITATIF")
    with pytest.raises(SkpError, match="target kualitatif wajib diisi"):
        add_rhk(skp, world.pegawai2, links=[chain.p1], iki=[IkiData(uraian="Kualitas layanan")])
    rhk = add_rhk(
        skp,
        world.pegawai2,
        links=[chain.p1],
        iki=[IkiData(uraian="Kualitas layanan", aspek="KUALITAS", target_kualitatif="Layanan tanpa keluhan")],
    )
    iki = rhk.iki_set.get()
    assert (iki.aspek, iki.target_min, iki.target_display) == ("", None, "Layanan tanpa keluhan")


def test_stale_versi_raises_konflik_and_changes_nothing(world, chain):
    skp = fresh(chain.draft)
    stale = skp.versi
    add_rhk(skp, world.pegawai, links=[chain.p1])
    before = (RencanaHasilKerja.objects.count(), AuditLog.objects.count(), fresh(skp).versi)
    with pytest.raises(KonflikVersi, match="tab/jendela lain"):
        services.save_rhk(
            skp, by=world.pegawai, versi=stale, rhk=None, jenis="UTAMA", uraian="Dari tab lama", iki=IKI, links=[]
        )
    with pytest.raises(KonflikVersi):
        services.update_skp(
            skp, by=world.pegawai, versi=stale, pendekatan="KUANTITATIF", lampiran_dukungan_sumber_daya="x",
            lampiran_skema_pertanggungjawaban="", lampiran_konsekuensi="",
        )  # fmt: skip
    assert (RencanaHasilKerja.objects.count(), AuditLog.objects.count(), fresh(skp).versi) == before
    assert fresh(skp).lampiran_dukungan_sumber_daya == ""


# update_skp, move, delete ----------------------------------------------------------------------


def test_update_skp_lampiran_and_pendekatan_guard(world, chain):
    skp = fresh(chain.draft)
    services.update_skp(
        skp, by=world.pegawai, versi=skp.versi, pendekatan="KUALITATIF", lampiran_dukungan_sumber_daya="Laptop",
        lampiran_skema_pertanggungjawaban="Laporan bulanan", lampiran_konsekuensi="Teguran",
    )  # fmt: skip
    skp = fresh(skp)
    assert (skp.pendekatan, skp.lampiran_dukungan_sumber_daya) == ("KUALITATIF", "Laptop")
    log = AuditLog.objects.get(aksi="skp_diubah")
    assert log.perubahan["pendekatan"] == ["KUANTITATIF", "KUALITATIF"]
    add_rhk(skp, world.pegawai, links=[chain.p1], iki=[IkiData(uraian="Mutu", target_kualitatif="Tanpa keluhan")])
    skp = fresh(skp)
    with pytest.raises(SkpError, match="Sesuaikan atau hapus IKI"):
        services.update_skp(
            skp, by=world.pegawai, versi=skp.versi, pendekatan="KUANTITATIF", lampiran_dukungan_sumber_daya="",
            lampiran_skema_pertanggungjawaban="", lampiran_konsekuensi="",
        )  # fmt: skip
    assert fresh(skp).pendekatan == "KUALITATIF" and fresh(skp).versi == skp.versi


def test_move_and_delete_rhk(world, chain):
    a = add_rhk(chain.draft, world.pegawai, "A", links=[chain.p1])
    b = add_rhk(chain.draft, world.pegawai, "B", links=[chain.p1])
    skp = fresh(chain.draft)
    services.move_rhk(b, by=world.pegawai, versi=skp.versi, arah="naik")
    assert list(skp.rhk_set.values_list("uraian", flat=True)) == ["B", "A"]
    with pytest.raises(SkpError, match="teratas"):
        services.move_rhk(b, by=world.pegawai, versi=fresh(skp).versi, arah="naik")
    services.delete_rhk(a, by=world.pegawai, versi=fresh(skp).versi)
    assert list(skp.rhk_set.values_list("uraian", flat=True)) == ["B"]
    assert not IndikatorKinerja.objects.filter(rhk_id=a.pk).exists()
    assert audit_count("rhk_dipindah") == 1 and audit_count("rhk_dihapus") == 1


def test_delete_rhk_refused_while_bawahan_links_to_it(world, chain):
    # The penilai's revision is submitted, the pegawai links to its RHK, then it is returned.
    rev = services.start_revision(chain.penilai_skp, by=world.penilai)
    services.submit_skp(rev, by=world.penilai)
    services.return_skp(fresh(rev), by=world.kepala, catatan="Perbaiki IKI")
    rev_rhk = rev.rhk_set.get(uraian="Meningkatnya mutu layanan")
    add_rhk(chain.draft, world.pegawai, links=[chain.p1])
    IntervensiRhk.objects.create(rhk=chain.draft.rhk_set.get(), rhk_atasan=rev_rhk)
    with pytest.raises(SkpError, match="Agus Setiawan"):
        services.delete_rhk(rev_rhk, by=world.penilai, versi=fresh(rev).versi)


# Submit ----------------------------------------------------------------------------------------


def test_submit_needs_rhk_utama(world, chain):
    add_rhk(chain.draft, world.pegawai, jenis="TAMBAHAN")
    with pytest.raises(SkpError, match="belum memiliki RHK utama"):
        services.submit_skp(fresh(chain.draft), by=world.pegawai)
    assert fresh(chain.draft).status == Skp.Status.DRAFT


def test_submit_names_each_unlinked_rhk_utama(world, chain):
    add_rhk(chain.draft, world.pegawai, "Tersusunnya data layanan", links=[chain.p1])
    add_rhk(chain.draft, world.pegawai, "Terkirimnya laporan bulanan")
    add_rhk(chain.draft, world.pegawai, "Terarsipnya dokumen")
    add_rhk(chain.draft, world.pegawai, "Tugas tambahan", jenis="TAMBAHAN")
    with pytest.raises(SkpError) as exc:
        services.submit_skp(fresh(chain.draft), by=world.pegawai)
    message = str(exc.value)
    assert "Terkirimnya laporan bulanan" in message and "Terarsipnya dokumen" in message
    assert "Tersusunnya data layanan" not in message and "Tugas tambahan" not in message
    assert audit_count("skp_diajukan") == 2  # the chain's


def test_submit_needs_iki_on_each_rhk(world, chain):
    add_rhk(chain.draft, world.pegawai, links=[chain.p1])
    RencanaHasilKerja.objects.create(skp=chain.draft, jenis="TAMBAHAN", uraian="Tanpa indikator")
    with pytest.raises(SkpError, match="belum memiliki IKI: “Tanpa indikator”"):
        services.submit_skp(fresh(chain.draft), by=world.pegawai)


def test_submit_jpt_needs_no_link(world):
    skp = services.create_skp(world.kepala, by=world.kepala, tahun=TAHUN, pendekatan="KUANTITATIF")
    add_rhk(skp, world.kepala)
    services.submit_skp(fresh(skp), by=world.kepala)
    skp = fresh(skp)
    assert skp.status == Skp.Status.DIAJUKAN and skp.penilai == world.sekda and skp.diajukan_pada


def test_submit_twice_is_refused_and_audited_once(world, chain):
    add_rhk(chain.draft, world.pegawai, links=[chain.p1])
    skp = fresh(chain.draft)
    stale_copy = fresh(chain.draft)
    services.submit_skp(skp, by=world.pegawai)
    assert skp.status == Skp.Status.DIAJUKAN and skp.penilai == world.penilai
    with pytest.raises(SkpError, match="SKP sudah diajukan"):
        services.submit_skp(skp, by=world.pegawai)
    with pytest.raises(SkpError, match="SKP sudah diajukan"):
        services.submit_skp(stale_copy, by=world.pegawai)  # a second tab still showing the draft
    assert AuditLog.objects.for_object(skp).filter(aksi="skp_diajukan").count() == 1


def test_submit_only_by_owner(world, chain):
    add_rhk(chain.draft, world.pegawai, links=[chain.p1])
    with pytest.raises(SkpError, match="Hanya pegawai pemilik"):
        services.submit_skp(fresh(chain.draft), by=world.penilai)


def test_submit_refuses_links_to_a_former_penilai(world, chain):
    """After the penilai's position gets a Plt, links to the old penilai's RHK are stale."""
    add_rhk(chain.draft, world.pegawai, "Tersusunnya data", links=[chain.p1])
    PenugasanPlt.objects.create(
        jabatan=world.penilai.jabatan, pegawai=world.admin_opd, mulai=datetime.date(2000, 1, 1),
        selesai=datetime.date(2100, 1, 1),
    )  # fmt: skip
    with pytest.raises(SkpError, match="bukan RHK pejabat penilai Anda saat ini: “Tersusunnya data”"):
        services.submit_skp(fresh(chain.draft), by=world.pegawai)


# Approve / return ------------------------------------------------------------------------------


def submitted(world, chain) -> Skp:
    add_rhk(chain.draft, world.pegawai, links=[chain.p1])
    services.submit_skp(fresh(chain.draft), by=world.pegawai)
    return fresh(chain.draft)


def test_approve_takes_snapshots(world, chain):
    skp = submitted(world, chain)
    services.approve_skp(skp, by=world.penilai)
    skp = fresh(skp)
    assert skp.status == Skp.Status.DISETUJUI and skp.disetujui_pada and skp.penilai == world.penilai
    assert skp.snapshot_pegawai["nip"] == world.pegawai.nip
    assert skp.snapshot_pegawai["jabatan"] == "Pengelola Data Pelayanan Kesehatan"
    assert skp.snapshot_pegawai["golongan"] == "II/c" and skp.snapshot_pegawai["unit"] == "Bidang Pelayanan Kesehatan"
    assert skp.snapshot_penilai["nama"] == "Rina Puspitasari, S.KM."
    assert skp.snapshot_atasan_penilai["nama"] == "dr. Sunarto, M.Kes."
    assert all(isinstance(v, str) for v in skp.snapshot_penilai.values())
    # A later change of jabatan does not rewrite the snapshot.
    world.pegawai.golongan = "III/a"
    world.pegawai.save()
    assert fresh(skp).snapshot_pegawai["golongan"] == "II/c"


@pytest.mark.parametrize("who", ["pegawai", "pegawai2", "kepala", "admin_opd", "admin_bkd", "outsider"])
def test_only_the_penilai_approves_or_returns(world, chain, who):
    skp = submitted(world, chain)
    user = getattr(world, who)
    assert not skp.can_review(user)
    with pytest.raises(SkpError, match="Hanya pejabat penilai"):
        services.approve_skp(skp, by=user)
    with pytest.raises(SkpError, match="Hanya pejabat penilai"):
        services.return_skp(skp, by=user, catatan="x")
    assert fresh(skp).status == Skp.Status.DIAJUKAN
    assert skp.can_review(world.penilai)


def test_plt_acting_penilai_approves(world, chain):
    skp = submitted(world, chain)
    PenugasanPlt.objects.create(
        jabatan=world.penilai.jabatan, pegawai=world.admin_opd, mulai=datetime.date(2000, 1, 1),
        selesai=datetime.date(2100, 1, 1),
    )  # fmt: skip
    with pytest.raises(SkpError, match="Hanya pejabat penilai"):
        services.approve_skp(fresh(skp), by=world.penilai)
    assert fresh(skp).can_review(world.admin_opd)
    services.approve_skp(fresh(skp), by=world.admin_opd)
    skp = fresh(skp)
    assert skp.penilai == world.admin_opd and skp.snapshot_penilai["nip"] == world.admin_opd.nip
    assert skp.snapshot_atasan_penilai["nip"] == world.kepala.nip


def test_approve_twice_refused_one_audit_row(world, chain):
    skp = submitted(world, chain)
    other_tab = fresh(skp)
    services.approve_skp(skp, by=world.penilai)
    with pytest.raises(SkpError, match="SKP sudah disetujui"):
        services.approve_skp(skp, by=world.penilai)
    with pytest.raises(SkpError, match="SKP sudah disetujui"):
        services.approve_skp(other_tab, by=world.penilai)
    assert AuditLog.objects.for_object(skp).filter(aksi="skp_disetujui").count() == 1


def test_return_needs_note_then_edit_and_resubmit(world, chain):
    skp = submitted(world, chain)
    with pytest.raises(SkpError, match="catatan pengembalian"):
        services.return_skp(skp, by=world.penilai, catatan="  ")
    services.return_skp(skp, by=world.penilai, catatan="Target terlalu rendah")
    skp = fresh(skp)
    assert skp.status == Skp.Status.DIKEMBALIKAN and skp.catatan_pengembalian == "Target terlalu rendah"
    log = AuditLog.objects.for_object(skp).get(aksi="skp_dikembalikan")
    assert log.alasan == "Target terlalu rendah" and log.perubahan["status"] == ["DIAJUKAN", "DIKEMBALIKAN"]
    with pytest.raises(SkpError, match="SKP sudah dikembalikan"):
        services.return_skp(skp, by=world.penilai, catatan="lagi")
    assert skp.can_edit(world.pegawai)
    rhk = skp.rhk_set.get()
    services.save_rhk(
        skp, by=world.pegawai, versi=skp.versi, rhk=rhk, jenis="UTAMA", uraian=rhk.uraian,
        iki=[_iki(target_min=Decimal(24), satuan="dokumen")], links=[LinkData(chain.p1.pk, "LANGSUNG")],
    )  # fmt: skip
    services.submit_skp(fresh(skp), by=world.pegawai)
    services.approve_skp(fresh(skp), by=world.penilai)
    assert fresh(skp).status == Skp.Status.DISETUJUI


def test_set_ekspektasi_by_penilai_only(world, chain):
    skp = submitted(world, chain)
    with pytest.raises(SkpError, match="pejabat penilai"):
        services.set_ekspektasi(skp, by=world.pegawai, versi=skp.versi, ekspektasi={"AKUNTABEL": "x"})
    with pytest.raises(SkpError, match="tidak dikenal"):
        services.set_ekspektasi(skp, by=world.penilai, versi=skp.versi, ekspektasi={"JUJUR": "x"})
    services.set_ekspektasi(skp, by=world.penilai, versi=skp.versi, ekspektasi={"AKUNTABEL": "Laporan tepat waktu"})
    assert skp.perilaku_set.get(nilai="AKUNTABEL").ekspektasi_khusus == "Laporan tepat waktu"
    assert audit_count("ekspektasi_disimpan") == 1


# Revisions -------------------------------------------------------------------------------------


def test_revision_flow_repoints_bawahan_links(world, chain):
    # The pegawai's approved SKP links to the penilai's RHK p1 and p2.
    add_rhk(chain.draft, world.pegawai, "Data layanan", links=[chain.p1])
    add_rhk(chain.draft, world.pegawai, "Data akreditasi", links=[chain.p2])
    services.submit_skp(fresh(chain.draft), by=world.pegawai)
    services.approve_skp(fresh(chain.draft), by=world.penilai)

    v0 = chain.penilai_skp
    v0.perilaku_set.filter(nilai="LOYAL").update(ekspektasi_khusus="Menjaga rahasia")
    Skp.objects.filter(pk=v0.pk).update(lampiran_konsekuensi="Teguran tertulis")
    v1 = services.start_revision(fresh(v0), by=world.penilai)
    assert (v1.induk_id, v1.revisi, v1.status) == (v0.pk, 1, Skp.Status.DRAFT)
    assert v1.lampiran_konsekuensi == "Teguran tertulis"
    assert v1.perilaku_set.get(nilai="LOYAL").ekspektasi_khusus == "Menjaga rahasia"
    copies = {r.uraian: r for r in v1.rhk_set.all()}
    assert copies["Meningkatnya mutu layanan"].asal_id == chain.p1.pk
    assert list(copies["Meningkatnya mutu layanan"].link_atas.values_list("rhk_atasan_id", flat=True)) == [chain.k1.pk]
    assert copies["Meningkatnya mutu layanan"].iki_set.count() == 1
    with pytest.raises(SkpError, match="Sudah ada revisi"):
        services.start_revision(fresh(v0), by=world.penilai)
    assert not fresh(v0).can_revise(world.penilai)

    # While the revision is in progress the approved version stays in force.
    assert fresh(v0).status == Skp.Status.DISETUJUI and fresh(v0).is_current_version
    assert {r.pk for r in services.rhk_atasan_choices(chain.draft)} == {chain.p1.pk, chain.p2.pk}

    # The revision rewrites p1's copy and drops p2's copy.
    services.save_rhk(
        v1, by=world.penilai, versi=v1.versi, rhk=copies["Meningkatnya mutu layanan"], jenis="UTAMA",
        uraian="Meningkatnya mutu layanan kesehatan", iki=IKI, links=[LinkData(chain.k1.pk, "LANGSUNG")],
    )  # fmt: skip
    services.delete_rhk(copies["Terlaksananya akreditasi"], by=world.penilai, versi=fresh(v1).versi)
    services.submit_skp(fresh(v1), by=world.penilai)
    assert fresh(v0).status == Skp.Status.DISETUJUI
    services.approve_skp(fresh(v1), by=world.kepala)

    assert fresh(v0).status == Skp.Status.DIGANTI and not fresh(v0).is_current_version
    assert fresh(v1).status == Skp.Status.DISETUJUI
    layanan = chain.draft.rhk_set.get(uraian="Data layanan")
    akreditasi = chain.draft.rhk_set.get(uraian="Data akreditasi")
    assert list(layanan.link_atas.values_list("rhk_atasan_id", flat=True)) == [copies["Meningkatnya mutu layanan"].pk]
    assert list(akreditasi.link_atas.values_list("rhk_atasan_id", flat=True)) == [chain.p2.pk]  # flagged by pohon
    log = AuditLog.objects.for_object(v1).get(aksi="skp_disetujui")
    assert log.perubahan["versi_sebelumnya"][1] == "Diganti revisi"
    # riwayat spans both versions, newest first.
    aksi = list(services.riwayat(v0).values_list("aksi", flat=True))
    assert aksi[0] == "skp_disetujui" and "skp_revisi_dibuat" in aksi and aksi[-1] == "skp_dibuat"
    assert list(services.riwayat(v1).values_list("pk", flat=True)) == list(
        services.riwayat(v0).values_list("pk", flat=True)
    )
    # A second revision starts from v1.
    v2 = services.start_revision(fresh(v1), by=world.penilai)
    assert (v2.induk_id, v2.revisi) == (v0.pk, 2)


def test_revision_only_from_approved_by_owner(world, chain):
    with pytest.raises(SkpError, match="sudah disetujui"):
        services.start_revision(chain.draft, by=world.pegawai)
    with pytest.raises(SkpError, match="Hanya pegawai pemilik"):
        services.start_revision(chain.penilai_skp, by=world.kepala)


def test_rhk_atasan_choices_prefers_approved_version(world, chain):
    rev = services.start_revision(chain.penilai_skp, by=world.penilai)
    services.submit_skp(rev, by=world.penilai)
    choices = services.rhk_atasan_choices(chain.draft)
    assert [r.pk for r in choices] == [chain.p1.pk, chain.p2.pk]
    assert choices[0].skp == chain.penilai_skp
    # Other years and drafts are not offered.
    other_year = services.create_skp(world.penilai, by=world.penilai, tahun=2027, pendekatan="KUANTITATIF")
    add_rhk(other_year, world.penilai, links=[])
    assert len(services.rhk_atasan_choices(chain.draft)) == 2
    # Nobody to rate the kepala's penilai… the sekda has no SKP: no choices for the kepala.
    assert services.rhk_atasan_choices(chain.kepala_skp) == []


def test_save_rhk_links_only_to_the_choices_offered(world, chain):
    """The link check of save_rhk (a narrow id query) follows rhk_atasan_choices: while the
    penilai's revision is only submitted, its rows are not offered and cannot be linked."""
    rev = services.start_revision(chain.penilai_skp, by=world.penilai)
    services.submit_skp(rev, by=world.penilai)
    rev_row = rev.rhk_set.get(asal=chain.p1)
    with pytest.raises(SkpError, match="bukan RHK pada SKP pejabat penilai Anda"):
        add_rhk(chain.draft, world.pegawai, links=[rev_row])
    rhk = add_rhk(chain.draft, world.pegawai, links=[chain.p1])
    assert list(rhk.link_atas.values_list("rhk_atasan_id", flat=True)) == [chain.p1.pk]
    # Once the revision is approved, its rows are the ones offered (and the old link moved there).
    services.approve_skp(fresh(rev), by=world.kepala)
    assert [r.pk for r in services.rhk_atasan_choices(fresh(chain.draft))] == list(
        rev.rhk_set.order_by("jenis", "urutan", "pk").values_list("pk", flat=True)
    )
    assert list(rhk.link_atas.values_list("rhk_atasan_id", flat=True)) == [rev_row.pk]


def test_save_rhk_replace_adds_iki_and_changes_only_the_cascading(world, chain):
    rhk = add_rhk(chain.draft, world.pegawai, links=[chain.p1, chain.p2])
    iki_id = rhk.iki_set.get().pk
    skp = fresh(chain.draft)
    versi = skp.versi
    services.save_rhk(
        skp, by=world.pegawai, versi=versi, rhk=rhk, jenis="UTAMA", uraian=rhk.uraian,
        iki=[_iki(uraian="Pertama"), _iki(uraian="Kedua", target_min=Decimal(3)), _iki(uraian="Ketiga")],
        links=[LinkData(chain.p1.pk, "TIDAK_LANGSUNG"), LinkData(chain.p2.pk, "LANGSUNG")],
    )  # fmt: skip
    rows = list(rhk.iki_set.order_by("urutan"))
    assert [(i.urutan, i.uraian) for i in rows] == [(1, "Pertama"), (2, "Kedua"), (3, "Ketiga")]
    assert rows[0].pk == iki_id and rows[1].target_min == Decimal(3)
    assert sorted(rhk.link_atas.values_list("rhk_atasan_id", "jenis_cascading")) == sorted(
        [(chain.p1.pk, "TIDAK_LANGSUNG"), (chain.p2.pk, "LANGSUNG")]
    )
    log = AuditLog.objects.filter(aksi="rhk_disimpan").first()
    assert "rhk_atasan" not in log.perubahan and len(log.perubahan["iki"][1]) == 3
    assert fresh(skp).versi == versi + 1


def test_hot_paths_query_budget(world, chain, django_assert_max_num_queries):
    """What every pegawai does on deadline day; penilai resolution (several queries each time)
    runs once per call. Budgets include the savepoints of the atomic blocks."""
    with django_assert_max_num_queries(9):
        skp = services.create_skp(world.pegawai2, by=world.pegawai2, tahun=TAHUN, pendekatan="KUANTITATIF")
    iki = [_iki(uraian=f"IKI {n}") for n in (1, 2, 3)]
    with django_assert_max_num_queries(13):
        rhk = services.save_rhk(
            skp, by=world.pegawai2, versi=skp.versi, rhk=None, jenis="UTAMA", uraian="R", iki=iki,
            links=[LinkData(chain.p1.pk, "LANGSUNG")],
        )  # fmt: skip
    with django_assert_max_num_queries(14):
        services.save_rhk(
            skp, by=world.pegawai2, versi=skp.versi, rhk=rhk, jenis="UTAMA", uraian="R2", iki=iki,
            links=[LinkData(chain.p1.pk, "TIDAK_LANGSUNG")],
        )  # fmt: skip
    with django_assert_max_num_queries(12):
        services.submit_skp(skp, by=world.pegawai2)
    with django_assert_max_num_queries(13):
        services.approve_skp(skp, by=world.penilai)
    assert fresh(skp).status == Skp.Status.DISETUJUI


def test_rhk_atasan_choices_query_count(world, chain, django_assert_max_num_queries):
    skp = fresh(chain.draft)
    with django_assert_max_num_queries(8):
        choices = services.rhk_atasan_choices(skp)
        for r in choices:
            list(r.iki_set.all())
            str(r.skp.tahun)


# Close, copy, delete ---------------------------------------------------------------------------


def test_close_skp_by_admin_then_new_skp_for_rest_of_year(world, chain):
    skp = submitted(world, chain)
    services.approve_skp(skp, by=world.penilai)
    skp = fresh(skp)
    rev = services.start_revision(skp, by=world.pegawai)
    for who in (world.pegawai, world.penilai, world.outsider, world.auditor):
        assert not skp.can_close(who)
        with pytest.raises(SkpError, match="admin OPD"):
            services.close_skp(skp, by=who, per_tanggal=datetime.date(2026, 7, 1), alasan="Mutasi")
    for bad in (datetime.date(2026, 1, 1), datetime.date(2027, 1, 1)):
        with pytest.raises(SkpError, match="Tanggal penutupan"):
            services.close_skp(skp, by=world.admin_opd, per_tanggal=bad, alasan="Mutasi")
    with pytest.raises(SkpError, match="alasan penutupan"):
        services.close_skp(skp, by=world.admin_opd, per_tanggal=datetime.date(2026, 7, 1), alasan="")
    assert skp.can_close(world.admin_opd) and skp.can_close(world.admin_bkd)
    services.close_skp(skp, by=world.admin_opd, per_tanggal=datetime.date(2026, 7, 1), alasan="Mutasi jabatan")
    skp = fresh(skp)
    assert (skp.selesai, skp.ditutup_pada) == (datetime.date(2026, 6, 30), datetime.date(2026, 7, 1))
    assert not Skp.objects.filter(pk=rev.pk).exists()
    log = AuditLog.objects.for_object(skp).get(aksi="skp_ditutup")
    assert log.alasan == "Mutasi jabatan" and log.perubahan["selesai"] == ["2026-12-31", "2026-06-30"]
    with pytest.raises(SkpError, match="sudah ditutup"):
        services.close_skp(skp, by=world.admin_bkd, per_tanggal=datetime.date(2026, 5, 1), alasan="x")
    assert services.periode_default(world.pegawai, TAHUN) == (datetime.date(2026, 7, 1), datetime.date(2026, 12, 31))
    new = services.create_skp(world.pegawai, by=world.pegawai, tahun=TAHUN, pendekatan="KUANTITATIF")
    assert (new.mulai, new.selesai) == (datetime.date(2026, 7, 1), datetime.date(2026, 12, 31))


def test_copy_skp_copies_rhk_not_links(world, chain):
    Skp.objects.filter(pk=chain.penilai_skp.pk).update(lampiran_dukungan_sumber_daya="Kendaraan dinas")
    baru = services.copy_skp(fresh(chain.penilai_skp), by=world.penilai, tahun=2027)
    assert (baru.tahun, baru.status, baru.pendekatan) == (2027, Skp.Status.DRAFT, "KUANTITATIF")
    assert (baru.mulai, baru.selesai) == (datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))
    assert baru.lampiran_dukungan_sumber_daya == "Kendaraan dinas"
    assert baru.perilaku_set.count() == 7
    rows = list(baru.rhk_set.order_by("urutan"))
    assert [r.asal_id for r in rows] == [chain.p1.pk, chain.p2.pk]
    assert all(r.iki_set.count() == 1 for r in rows)
    assert not IntervensiRhk.objects.filter(rhk__skp=baru).exists()
    assert AuditLog.objects.for_object(baru).get().aksi == "skp_disalin"
    with pytest.raises(SkpError, match="pegawai yang bersangkutan"):
        services.copy_skp(chain.penilai_skp, by=world.pegawai, tahun=2028)
    with pytest.raises(SkpError, match="Sudah ada SKP periode 1 Januari 2027"):
        services.copy_skp(chain.penilai_skp, by=world.penilai, tahun=2027)


def test_delete_draft_rules(world, chain):
    with pytest.raises(SkpError, match="Hanya pegawai pemilik"):
        services.delete_draft(chain.draft, by=world.penilai)
    services.delete_draft(chain.draft, by=world.pegawai)
    assert not Skp.objects.filter(pk=chain.draft.pk).exists()
    assert audit_count("skp_dihapus") == 1
    # A submitted-then-returned first version cannot be deleted.
    skp = services.create_skp(world.pegawai, by=world.pegawai, tahun=TAHUN, pendekatan="KUANTITATIF")
    add_rhk(skp, world.pegawai, links=[chain.p1])
    services.submit_skp(fresh(skp), by=world.pegawai)
    services.return_skp(fresh(skp), by=world.penilai, catatan="Perbaiki")
    assert not fresh(skp).can_delete(world.pegawai)
    with pytest.raises(SkpError, match="belum pernah diajukan"):
        services.delete_draft(fresh(skp), by=world.pegawai)
    # A revision draft can be deleted; the approved version is untouched; history stays on the root.
    rev = services.start_revision(chain.penilai_skp, by=world.penilai)
    services.delete_draft(rev, by=world.penilai)
    assert fresh(chain.penilai_skp).status == Skp.Status.DISETUJUI
    assert AuditLog.objects.for_object(chain.penilai_skp).filter(aksi="skp_dihapus").count() == 1
    assert services.start_revision(fresh(chain.penilai_skp), by=world.penilai).revisi == 1


# Access ----------------------------------------------------------------------------------------

EXPECTED_VISIBLE = {
    "pegawai": True,
    "penilai": True,
    "kepala": True,  # Kepala OPD: reads every document of the OPD, read-only (SPEC §9, clarified)
    "admin_opd": True,
    "admin_bkd": True,
    "auditor": True,
    "outsider": False,
}


@pytest.mark.parametrize(("role", "visible"), EXPECTED_VISIBLE.items())
def test_visible_to_each_role(world, chain, role, visible):
    user = world.roles()[role]
    assert Skp.objects.visible_to(user).filter(pk=chain.draft.pk).exists() is visible
    rhk = add_rhk(chain.draft, world.pegawai, links=[chain.p1])
    if visible:
        assert get_skp_for(user, chain.draft.pk) == chain.draft
        assert get_rhk_for(user, rhk.pk) == rhk
    else:
        with pytest.raises(Http404):
            get_skp_for(user, chain.draft.pk)
        with pytest.raises(Http404):
            get_rhk_for(user, rhk.pk)


def test_visible_to_ends_for_who_it_was_submitted_to(world, chain):
    """SPEC §9 (clarified): access follows who rates the pegawai today; a penilai replaced by a
    Plt/Plh no longer sees what was submitted to them (the snapshots keep who decided)."""
    skp = submitted(world, chain)
    PenugasanPlt.objects.create(
        jabatan=world.penilai.jabatan, pegawai=world.admin_opd, mulai=datetime.date(2000, 1, 1),
        selesai=datetime.date(2100, 1, 1),
    )  # fmt: skip
    assert not Skp.objects.visible_to(world.penilai).filter(pk=skp.pk).exists()
    assert not Skp.objects.visible_to(world.penilai).filter(pk=chain.kepala_skp.pk).exists()
    assert Skp.objects.visible_to(world.kepala).filter(pk=chain.penilai_skp.pk).exists()


def test_visible_to_is_one_query(world, chain, django_assert_num_queries):
    qs = Skp.objects.visible_to(world.penilai)  # resolving bawahan costs queries once, here
    with django_assert_num_queries(1):
        assert {s.pk for s in qs} == {chain.draft.pk, chain.penilai_skp.pk}


def test_for_inbox(world, chain):
    skp = submitted(world, chain)
    assert list(Skp.objects.for_inbox(world.penilai)) == [skp]
    assert list(Skp.objects.for_inbox(world.kepala)) == []
    assert list(Skp.objects.for_inbox(world.pegawai)) == []
    services.approve_skp(skp, by=world.penilai)
    assert list(Skp.objects.for_inbox(world.penilai)) == []


def test_predicates(world, chain):
    d = chain.draft
    assert d.can_edit(world.pegawai) and d.can_submit(world.pegawai) and d.can_delete(world.pegawai)
    assert not d.can_edit(world.penilai) and not d.can_review(world.penilai) and not d.can_revise(world.pegawai)
    p = chain.penilai_skp
    assert p.can_revise(world.penilai) and not p.can_edit(world.penilai) and not p.can_revise(world.kepala)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="exclusion constraint exists on PostgreSQL only")
def test_create_overlap_race_caught_by_exclusion_constraint(world, monkeypatch):
    services.create_skp(world.pegawai, by=world.pegawai, tahun=TAHUN, pendekatan="KUANTITATIF")
    monkeypatch.setattr(penyusunan, "_check_periode", lambda *a: None)
    with pytest.raises(SkpError, match="Sudah ada SKP periode 1 Januari 2026 – 31 Desember 2026"):
        services.create_skp(
            world.pegawai, by=world.pegawai, tahun=TAHUN, pendekatan="KUANTITATIF", mulai=datetime.date(2026, 6, 1)
        )


def test_admin_pages_are_read_only(client, world, chain):
    from opd.models import Pegawai

    root = Pegawai.objects.create_superuser("root", "x")
    client.force_login(root)
    assert client.get("/django-admin/skp/skp/").status_code == 200
    assert client.get(f"/django-admin/skp/skp/{chain.penilai_skp.pk}/change/").status_code == 200
    assert client.get(f"/django-admin/skp/rencanahasilkerja/{chain.p1.pk}/change/").status_code == 200
    assert client.post(f"/django-admin/skp/skp/{chain.penilai_skp.pk}/delete/").status_code == 403
