"""The name tokens carry copies of their participant's organisation, unit and reference, with an
index on (digest, organisation, reference, participant) that holds the unit too (decision 80):
an organisation's search is counted and paged from the index alone. It replaces the index on
(digest, participant), which its first column serves as well.

The database keeps the copies: a row trigger on the participant, where one of the three
changed, rewrites its tokens' copies in the same statement, whichever write moved it (a
service, the import, a later bulk update). On PostgreSQL it fires always (`ENABLE ALWAYS`),
also in the import writer's replica mode (decision 40). On SQLite a later migration that
rebuilds the participants' table drops the trigger (tests/pathways/test_name_token_scope.py
then fails), and one that rebuilds the tokens' table stops at the trigger that names it: such a
migration drops the trigger first and creates it again after (`stop_following`, `follow`).
"""

from django.db import migrations, models

TOKENS = "pathways_participantnametoken"
TRIGGER = "pathways_participant_name_tokens_follow"
COPIED = ("organisation_id", "unit_id", "participant_ref")

POSTGRES_FUNCTION = f"""
CREATE FUNCTION pathways_name_tokens_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {TOKENS}
    SET organisation_id = NEW.organisation_id, unit_id = NEW.unit_id,
        participant_ref = NEW.participant_ref
    WHERE participant_id = NEW.id;
    RETURN NULL;
END
$$
"""

# A service saves every column: only a change of a copied one rewrites the tokens.
POSTGRES_WHEN = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in COPIED)
SQLITE_WHEN = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in COPIED)


def copy(apps, schema_editor):
    # Both databases know UPDATE ... FROM (SQLite since 3.33).
    schema_editor.execute(
        f"UPDATE {TOKENS} SET organisation_id = p.organisation_id, unit_id = p.unit_id, "
        f"participant_ref = p.participant_ref FROM pathways_participant p "
        f"WHERE p.id = {TOKENS}.participant_id"
    )


def follow(apps, schema_editor):
    # After the tokens' table is altered: SQLite rebuilds a table to alter it, and a trigger
    # that names the table stops the rebuild.
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION)
        schema_editor.execute(
            f"CREATE TRIGGER {TRIGGER} AFTER UPDATE ON pathways_participant FOR EACH ROW "
            f"WHEN ({POSTGRES_WHEN}) EXECUTE FUNCTION pathways_name_tokens_follow()"
        )
        schema_editor.execute(f"ALTER TABLE pathways_participant ENABLE ALWAYS TRIGGER {TRIGGER}")
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER {TRIGGER} AFTER UPDATE ON pathways_participant FOR EACH ROW "
            f"WHEN {SQLITE_WHEN} BEGIN UPDATE {TOKENS} SET organisation_id = NEW.organisation_id, "
            f"unit_id = NEW.unit_id, participant_ref = NEW.participant_ref "
            f"WHERE participant_id = NEW.id; END"
        )


def stop_following(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON pathways_participant")
        schema_editor.execute("DROP FUNCTION IF EXISTS pathways_name_tokens_follow()")
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}")


class Migration(migrations.Migration):
    dependencies = [("pathways", "0020_caseload_order_version")]

    operations = [
        migrations.AddField(
            model_name="participantnametoken",
            name="organisation_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="participantnametoken",
            name="unit_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="participantnametoken",
            name="participant_ref",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(copy, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="participantnametoken",
            name="organisation_id",
            field=models.UUIDField(editable=False),
        ),
        migrations.AlterField(
            model_name="participantnametoken",
            name="unit_id",
            field=models.UUIDField(editable=False),
        ),
        migrations.AlterField(
            model_name="participantnametoken",
            name="participant_ref",
            field=models.CharField(editable=False, max_length=64),
        ),
        migrations.RemoveIndex(model_name="participantnametoken", name="name_token_lookup"),
        migrations.AddIndex(
            model_name="participantnametoken",
            index=models.Index(
                fields=["digest", "organisation_id", "participant_ref", "participant"],
                include=["unit_id"],
                name="name_token_scope",
            ),
        ),
        migrations.RunPython(follow, stop_following),
    ]
