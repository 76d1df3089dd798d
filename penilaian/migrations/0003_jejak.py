"""The change marks (ekinerja/jejak.py): per table — per month for the month's evaluations and
attendance — the last transactions that wrote it, kept by statement-level triggers, so that a
result read from a whole province can be kept until one of its tables changes. PostgreSQL only
(elsewhere nothing is kept and every request computes)."""

from django.db import migrations

# (table, per month) — the month's tables carry the month in their key (periode_id).
TABEL = (
    ("penilaian_evaluasi", True),
    ("penilaian_presensi", True),
    ("opd_pegawai", False),
    ("opd_jabatan", False),
    ("penilaian_hukumandisiplin", False),
    ("penilaian_skematpp", False),
    ("penilaian_besarantpp", False),
    ("skp_skp", False),
)
# A pegawai's row changes at every login (last_login): only the columns read models use count.
KOLOM_PEGAWAI = "jenis_asn, opd_id, kedudukan_hukum, jabatan_id, is_active"

FUNGSI = r"""
CREATE TABLE ek_jejak (
    kunci varchar(80) NOT NULL,
    slot integer NOT NULL,
    xid xid8 NOT NULL,
    dicatat_pada timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kunci, slot)
);
CREATE INDEX ek_jejak_xid ON ek_jejak (xid);

-- A transaction marks each key once (the keys it marked are kept in a transaction-local setting,
-- undone with a savepoint rolled back): a staff import's 22,000 single-row UPDATEs would otherwise
-- rewrite the same row 22,000 times in one transaction.
CREATE FUNCTION ek_jejak_catat(daftar text[]) RETURNS void LANGUAGE plpgsql AS $f$
DECLARE
    sudah text := coalesce(nullif(current_setting('ek_jejak.sudah', true), ''), '|');
    baru text[] := ARRAY(SELECT DISTINCT k FROM unnest(daftar) k WHERE position('|' || k || '|' IN sudah) = 0);
BEGIN
    IF cardinality(baru) = 0 THEN
        RETURN;
    END IF;
    INSERT INTO ek_jejak (kunci, slot, xid)
    SELECT k, (pg_current_xact_id()::text::bigint % 65536)::integer, pg_current_xact_id() FROM unnest(baru) k
    ON CONFLICT ON CONSTRAINT ek_jejak_pkey DO UPDATE SET xid = EXCLUDED.xid, dicatat_pada = EXCLUDED.dicatat_pada;
    PERFORM set_config('ek_jejak.sudah', sudah || array_to_string(baru, '|') || '|', true);
END
$f$;

CREATE FUNCTION ek_jejak_tabel() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
    IF position('|' || TG_TABLE_NAME || ':*|' IN coalesce(current_setting('ek_jejak.sudah', true), '')) = 0 THEN
        PERFORM ek_jejak_catat(ARRAY[TG_TABLE_NAME || ':*']);
    END IF;
    RETURN NULL;
END
$f$;

CREATE FUNCTION ek_jejak_periode() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM ek_jejak_catat(ARRAY(SELECT DISTINCT TG_TABLE_NAME || ':' || coalesce(periode_id::text, '*') FROM baru));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM ek_jejak_catat(ARRAY(
            SELECT TG_TABLE_NAME || ':' || coalesce(periode_id::text, '*') FROM baru
            UNION SELECT TG_TABLE_NAME || ':' || coalesce(periode_id::text, '*') FROM lama));
    ELSE
        PERFORM ek_jejak_catat(ARRAY(SELECT DISTINCT TG_TABLE_NAME || ':' || coalesce(periode_id::text, '*') FROM lama));
    END IF;
    RETURN NULL;
END
$f$;
"""


def _sql_pemicu() -> list[str]:
    sql = []
    for tabel, per_bulan in TABEL:
        if per_bulan:
            sql += [
                f"CREATE TRIGGER ek_jejak_i AFTER INSERT ON {tabel} REFERENCING NEW TABLE AS baru "
                "FOR EACH STATEMENT EXECUTE FUNCTION ek_jejak_periode()",
                f"CREATE TRIGGER ek_jejak_u AFTER UPDATE ON {tabel} REFERENCING OLD TABLE AS lama NEW TABLE AS baru "
                "FOR EACH STATEMENT EXECUTE FUNCTION ek_jejak_periode()",
                f"CREATE TRIGGER ek_jejak_d AFTER DELETE ON {tabel} REFERENCING OLD TABLE AS lama "
                "FOR EACH STATEMENT EXECUTE FUNCTION ek_jejak_periode()",
                f"CREATE TRIGGER ek_jejak_t AFTER TRUNCATE ON {tabel} FOR EACH STATEMENT EXECUTE FUNCTION ek_jejak_tabel()",
            ]
        else:
            kolom = f" OF {KOLOM_PEGAWAI}" if tabel == "opd_pegawai" else ""
            sql += [
                f"CREATE TRIGGER ek_jejak_idt AFTER INSERT OR DELETE OR TRUNCATE ON {tabel} "
                "FOR EACH STATEMENT EXECUTE FUNCTION ek_jejak_tabel()",
                f"CREATE TRIGGER ek_jejak_u AFTER UPDATE{kolom} ON {tabel} FOR EACH STATEMENT EXECUTE FUNCTION ek_jejak_tabel()",
            ]
    return sql


def pasang(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in (FUNGSI, *_sql_pemicu()):
        schema_editor.execute(sql, None)  # no parameters: the % in the SQL is an operator


def lepas(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for tabel, per_bulan in TABEL:
        for nama in ("ek_jejak_i", "ek_jejak_u", "ek_jejak_d", "ek_jejak_t") if per_bulan else ("ek_jejak_idt", "ek_jejak_u"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {nama} ON {tabel}")
    schema_editor.execute(
        "DROP FUNCTION IF EXISTS ek_jejak_periode(), ek_jejak_tabel(), ek_jejak_catat(text[]); DROP TABLE IF EXISTS ek_jejak"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("penilaian", "0002_tpp"),
        ("opd", "0006_pekerjaan"),
        ("skp", "0003_indikatorkinerja_asal"),
    ]

    operations = [migrations.RunPython(pasang, lepas)]
