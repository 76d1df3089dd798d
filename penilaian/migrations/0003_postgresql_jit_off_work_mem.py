"""PostgreSQL settings for the report queries at province scale (issue #9, measured with
`manage.py bench --pegawai 100000`, docs/PERFORMANCE.md):

- `jit = off`: the monitoring and kurva overviews aggregate a month's 100,000 evaluations; their
  plan cost passes `jit_above_cost`, and compiling the plan with LLVM took 2–7 s on 2 shared
  cores, for a query that runs in 0.6 s without it. JIT pays off for long analytical queries, not
  for page queries; it is off for this database.
- `work_mem = 16MB`: the regency TPP page groups the month's pegawai by every input of the
  arithmetic; with the default 4 MB the planner sorts 100,000 rows on disk (external merge, 1.5 s)
  instead of hashing the ~5,000 groups (0.7 s).

Set per database (`ALTER DATABASE … SET`, applied to new connections), so the settings travel
with the schema. It needs the database's owner; a deployment where the app user does not own
the database gets a notice to ask its DBA, and the migration still succeeds. Nothing on SQLite."""

from django.db import DatabaseError, migrations, transaction

PENGATURAN = {"jit": "off", "work_mem": "16MB"}


def _ubah(apps, schema_editor, *, nilai: bool) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    nama = connection.ops.quote_name(connection.settings_dict["NAME"])
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            for kunci, isi in PENGATURAN.items():
                if nilai:
                    cursor.execute(f"ALTER DATABASE {nama} SET {kunci} = %s", [isi])
                else:
                    cursor.execute(f"ALTER DATABASE {nama} RESET {kunci}")
            for kunci, isi in PENGATURAN.items():  # this connection too (tests run on it next)
                if nilai:
                    cursor.execute("SELECT set_config(%s, %s, false)", [kunci, isi])
                else:
                    cursor.execute(f"RESET {kunci}")
    except DatabaseError as exc:  # insufficient privilege: tell, do not fail the deploy
        print(
            f"\n  Catatan: pengaturan PostgreSQL {PENGATURAN} tidak dapat dipasang ({exc}); minta DBA menjalankan "
            f"ALTER DATABASE {nama} SET jit = off; ALTER DATABASE {nama} SET work_mem = '16MB'."
        )


def pasang(apps, schema_editor) -> None:
    _ubah(apps, schema_editor, nilai=True)


def lepas(apps, schema_editor) -> None:
    _ubah(apps, schema_editor, nilai=False)


class Migration(migrations.Migration):
    dependencies = [("penilaian", "0002_tpp")]

    operations = [migrations.RunPython(pasang, lepas, elidable=False)]
