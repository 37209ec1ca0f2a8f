"""The database keeps FollowUpsDueVersion (decision 62): the first statement of a transaction
that writes what the caseload's follow-ups due read adds one, folding the other rows no other
transaction holds into its own (as ParticipantCount's triggers do, migration 0016). Statement
triggers without transition tables: a write pays one small insert per transaction, an import
of 100 000 rows the same. PostgreSQL only; they fire always (`ENABLE ALWAYS`), also in the
import writer's replica mode."""

import django.db.models.functions.datetime
from django.db import migrations, models

FUNCTION = """
CREATE FUNCTION pathways_followups_due_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Once a transaction: its writes become visible together, at its commit.
    IF current_setting('emplus.followups_due_version_bumped', true) = 'yes' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('emplus.followups_due_version_bumped', 'yes', true);
    WITH folded AS (
        DELETE FROM pathways_followupsdueversion
        WHERE id IN (SELECT id FROM pathways_followupsdueversion FOR UPDATE SKIP LOCKED)
        RETURNING writes
    )
    INSERT INTO pathways_followupsdueversion (writes)
    SELECT 1 + coalesce(sum(writes), 0) FROM folded;  -- written_at: now()
    RETURN NULL;
END
$$
"""

# What the box reads, per table: (trigger name suffix, events). The participants' inserts and
# the enrolments' inserts add no follow-up (a follow-up's own insert does); a participant's
# other columns (names, contact details) and an enrolment's (exit, progress) are not read.
WATCHED = {
    "pathways_followup": "INSERT OR UPDATE OR DELETE OR TRUNCATE",
    "pathways_enrolment": "UPDATE OF participant_id OR DELETE OR TRUNCATE",
    "pathways_participant": (
        "UPDATE OF organisation_id, unit_id, erased_at, participant_ref OR DELETE OR TRUNCATE"
    ),
    "pathways_consent": "INSERT OR UPDATE OR DELETE OR TRUNCATE",
    "pathways_consent_shared_with": "INSERT OR UPDATE OR DELETE OR TRUNCATE",
}


def keep_version(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for table, events in WATCHED.items():
        schema_editor.execute(
            f"CREATE TRIGGER {table}_followups_due_version AFTER {events} ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION pathways_followups_due_version_bump()"
        )
        # Also under `session_replication_role = replica` (the import's writer, decision 40).
        schema_editor.execute(
            f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_followups_due_version"
        )


def stop_keeping(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in WATCHED:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_followups_due_version ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS pathways_followups_due_version_bump()")


class Migration(migrations.Migration):
    dependencies = [("pathways", "0018_pseudonym_hash_index")]

    operations = [
        migrations.CreateModel(
            name="FollowUpsDueVersion",
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
