"""The database keeps CaseloadOrderVersion (decision 77): the first statement of a transaction
that writes what a caseload's order and scope read (participants inserted or deleted, their
reference, organisation, unit or erasure) adds one, folding the other rows no other transaction
holds into its own, with the trigger function of the kept versions (evidence 0002,
`emplus_kept_version_add`). An import of 100 000 participants pays one small insert per
transaction. PostgreSQL only; the triggers fire always (`ENABLE ALWAYS`), also in the import
writer's replica mode."""

import django.db.models.functions.datetime
from django.db import migrations, models

VERSION_TABLE = "pathways_caseloadorderversion"

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
    for name, when in TRIGGERS.items():
        schema_editor.execute(
            f"CREATE TRIGGER {name} {when} "
            f"EXECUTE FUNCTION emplus_kept_version_add('{VERSION_TABLE}')"
        )
        # Also under `session_replication_role = replica` (the import's writer, decision 40).
        schema_editor.execute(f"ALTER TABLE pathways_participant ENABLE ALWAYS TRIGGER {name}")


def stop_keeping(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON pathways_participant")


class Migration(migrations.Migration):
    dependencies = [
        ("pathways", "0019_followups_due_version"),
        # emplus_kept_version_add()
        ("evidence", "0002_evidence_data_version"),
    ]

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
