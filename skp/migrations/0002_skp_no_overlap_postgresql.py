"""On PostgreSQL the database itself refuses two overlapping SKP lineages of one pegawai
(SPEC §4: periods of one pegawai never overlap). Revisions share their lineage's period and are
exempt (induk IS NOT NULL). SQLite has no exclusion constraints; services check it there too."""

from django.db import migrations

FORWARD = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE skp_skp ADD CONSTRAINT skp_no_overlap_per_pegawai
    EXCLUDE USING gist (pegawai_id WITH =, daterange(mulai, selesai, '[]') WITH &&)
    WHERE (induk_id IS NULL);
"""
BACKWARD = "ALTER TABLE skp_skp DROP CONSTRAINT IF EXISTS skp_no_overlap_per_pegawai;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("skp", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
