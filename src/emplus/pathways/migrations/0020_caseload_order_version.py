"""The database keeps CaseloadOrderVersion (decision 77): the first statement of a transaction
that writes what a caseload's order and scope read (participants inserted or deleted, their
reference, organisation, unit or erasure) adds one, folding the other rows no other transaction
holds into its own, as FollowUpsDueVersion's triggers do (migration 0019). An import of 100 000
participants pays one small insert per transaction. PostgreSQL only; they fire always (`ENABLE
ALWAYS`), also in the import writer's replica mode."""

import django.db.models.functions.datetime
from django.db import migrations, models

FUNCTION = """
CREATE FUNCTION pathways_caseload_order_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Once a transaction: its writes become visible together, at its commit.
    IF current_setting('emplus.caseload_order_version_bumped', true) = 'yes' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('emplus.caseload_order_version_bumped', 'yes', true);
    WITH folded AS (
        DELETE FROM pathways_caseloadorderversion
        WHERE id IN (SELECT id FROM pathways_caseloadorderversion FOR UPDATE SKIP LOCKED)
        RETURNING writes
    )
    INSERT INTO pathways_caseloadorderversion (writes)
    SELECT 1 + coalesce(sum(writes), 0) FROM folded;  -- written_at: now()
    RETURN NULL;
END
$$
"""

# Inserts, deletes and truncation: one trigger a statement. Updates: one a row, and only where
# the reference, organisation, unit or erasure changed (a service saves every column, so
# `UPDATE OF` would fire on a change of a name too); the function returns at once after a
# transaction's first. A participant's other columns do not move them in a list.
TRIGGERS = {
    "pathways_participant_caseload_order_version": (
        "AFTER INSERT OR DELETE OR TRUNCATE ON pathways_participant FOR EACH STATEMENT"
    ),
    "pathways_participant_caseload_order_moved": (
        "AFTER UPDATE ON pathways_participant FOR EACH ROW WHEN ("
        "OLD.participant_ref IS DISTINCT FROM NEW.participant_ref "
        "OR OLD.organisation_id IS DISTINCT FROM NEW.organisation_id "
        "OR OLD.unit_id IS DISTINCT FROM NEW.unit_id "
        "OR OLD.erased_at IS DISTINCT FROM NEW.erased_at)"
    ),
}


def keep_version(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for name, when in TRIGGERS.items():
        schema_editor.execute(
            f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION pathways_caseload_order_version_bump()"
        )
        # Also under `session_replication_role = replica` (the import's writer, decision 40).
        schema_editor.execute(f"ALTER TABLE pathways_participant ENABLE ALWAYS TRIGGER {name}")


def stop_keeping(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON pathways_participant")
    schema_editor.execute("DROP FUNCTION IF EXISTS pathways_caseload_order_version_bump()")


class Migration(migrations.Migration):
    dependencies = [("pathways", "0019_followups_due_version")]

    operations = [
        migrations.CreateModel(
            name="CaseloadOrderVersion",
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
