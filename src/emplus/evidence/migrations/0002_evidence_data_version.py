"""The database keeps EvidenceDataVersion (decision 74): the first statement of a transaction
that writes what the evidence pages' reports read adds one, folding the other rows no other
transaction holds into its own (as FollowUpsDueVersion's triggers do, pathways 0019).
Statement triggers without transition tables: a write pays one small insert per transaction,
an import of 100 000 rows the same. PostgreSQL only; they fire always (`ENABLE ALWAYS`), also
in the import writer's replica mode. SQLite keeps no version (the reports' fingerprint decides
there)."""

import django.db.models.functions.datetime
from django.db import migrations, models

# One function for any version table kept this way: the table is the trigger's argument, and
# the transaction-local setting that says "added already" is named after it.
FUNCTION = """
CREATE FUNCTION emplus_kept_version_add() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    added text := 'emplus.added_' || TG_ARGV[0];
BEGIN
    -- Once a transaction: its writes become visible together, at its commit.
    IF current_setting(added, true) = 'yes' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config(added, 'yes', true);
    EXECUTE format(
        'WITH folded AS (DELETE FROM %1$I WHERE id IN '
        '(SELECT id FROM %1$I FOR UPDATE SKIP LOCKED) RETURNING writes) '
        'INSERT INTO %1$I (writes) SELECT 1 + coalesce(sum(writes), 0) FROM folded',
        TG_ARGV[0]
    );
    RETURN NULL;
END
$$
"""

ANY_WRITE = "INSERT OR UPDATE OR DELETE OR TRUNCATE"

# What the reports read (`evidence.selectors`: the participant frame's tables, the scope's,
# `progression_tables`), per (app, model): the events that change it. The reliability row is
# also written when its statistics are kept for the current data version (decision 56): the
# same numbers, so only its data version counts. A test holds that every table the reports'
# fingerprints count is here.
WATCHED = {
    ("pathways", "Participant"): ANY_WRITE,
    ("pathways", "Enrolment"): ANY_WRITE,
    ("pathways", "FollowUp"): ANY_WRITE,
    ("pathways", "PathwayStep"): ANY_WRITE,
    ("pathways", "EnrolmentProgress"): ANY_WRITE,
    ("pathways", "InstrumentReliability"): "INSERT OR UPDATE OF data_version OR DELETE OR TRUNCATE",
    ("pathways", "Instrument"): ANY_WRITE,
    ("pathways", "Dimension"): ANY_WRITE,
    ("organisations", "Organisation"): ANY_WRITE,
    ("organisations", "Unit"): ANY_WRITE,
    ("geo", "Municipality"): ANY_WRITE,
    ("methods", "Method"): ANY_WRITE,
    ("testbeds", "TestBed"): ANY_WRITE,
}

VERSION_TABLE = "evidence_evidencedataversion"


def _tables(apps):
    for (app, model), events in WATCHED.items():
        yield apps.get_model(app, model)._meta.db_table, events


def keep_version(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)  # `%1$I` is format()'s, not a parameter
    for table, events in _tables(apps):
        schema_editor.execute(
            f"CREATE TRIGGER {table}_evidence_version AFTER {events} ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION emplus_kept_version_add('{VERSION_TABLE}')"
        )
        # Also under `session_replication_role = replica` (the import's writer, decision 40).
        schema_editor.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_evidence_version")


def stop_keeping(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _events in _tables(apps):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_evidence_version ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS emplus_kept_version_add()")


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0001_initial"),
        ("pathways", "0019_followups_due_version"),
        ("organisations", "0003_organisation_name_en"),
        ("geo", "0001_initial"),
        ("methods", "0003_method_version_content"),
        ("testbeds", "0002_testbed_details"),
    ]

    operations = [
        migrations.CreateModel(
            name="EvidenceDataVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("writes", models.BigIntegerField(editable=False)),
                (
                    "written_at",
                    models.DateTimeField(
                        db_default=django.db.models.functions.datetime.Now(), editable=False
                    ),
                ),
            ],
        ),
        migrations.RunPython(keep_version, stop_keeping),
    ]
