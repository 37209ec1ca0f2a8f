"""Drop the indexes a new participant paid for and no query needs (decision 40): the foreign-key
indexes that a unique index starting with the same column makes redundant, and PostgreSQL's
LIKE (varchar_pattern_ops) indexes of the pseudonym and the municipality code, which are only
compared for equality. The pseudonym and the municipality keep one plain index each.

The fields' state changes as `AlterField` would say; the database work is a plain DROP INDEX
(SQLite would otherwise copy the participant table once per altered field)."""

import django.db.models.deletion
from django.db import migrations, models

# Django's names of the indexes db_index=True made (the same on both databases; the _like
# ones exist on PostgreSQL only).
DROPPED = {
    "pathways_participant_organisation_id_7b465d06": ("pathways_participant", "organisation_id"),
    "pathways_participant_municipality_id_3218a87c": ("pathways_participant", "municipality_id"),
    "pathways_participant_pseudonym_8cbd52cc": ("pathways_participant", "pseudonym"),
    "pathways_participantnametoken_participant_id_2a861373": (
        "pathways_participantnametoken",
        "participant_id",
    ),
}
LIKE = {
    "pathways_participant_municipality_id_3218a87c_like": (
        "pathways_participant",
        "municipality_id",
    ),
    "pathways_participant_pseudonym_8cbd52cc_like": ("pathways_participant", "pseudonym"),
}


def drop_indexes(apps, schema_editor):
    quote = schema_editor.quote_name
    for name in [*DROPPED, *LIKE]:
        schema_editor.execute(f"DROP INDEX IF EXISTS {quote(name)}")


def restore_indexes(apps, schema_editor):
    quote = schema_editor.quote_name
    for name, (table, column) in DROPPED.items():
        schema_editor.execute(f"CREATE INDEX {quote(name)} ON {quote(table)} ({quote(column)})")
    if schema_editor.connection.vendor == "postgresql":
        for name, (table, column) in LIKE.items():
            schema_editor.execute(
                f"CREATE INDEX {quote(name)} ON {quote(table)} ({quote(column)} varchar_pattern_ops)"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0001_initial"),
        ("organisations", "0003_organisation_name_en"),
        ("pathways", "0013_followup_pending_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_indexes, restore_indexes)],
            state_operations=[
                migrations.AlterField(
                    model_name="participant",
                    name="municipality",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="participants",
                        to="geo.municipality",
                        verbose_name="municipality of residence at entry",
                    ),
                ),
                migrations.AlterField(
                    model_name="participant",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="participants",
                        to="organisations.organisation",
                        verbose_name="organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="participant",
                    name="pseudonym",
                    field=models.CharField(
                        blank=True,
                        editable=False,
                        max_length=64,
                        null=True,
                        verbose_name="pseudonym",
                    ),
                ),
                migrations.AlterField(
                    model_name="participantnametoken",
                    name="participant",
                    field=models.ForeignKey(
                        db_index=False,
                        editable=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="name_tokens",
                        to="pathways.participant",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="participant",
            index=models.Index(fields=["pseudonym"], name="participant_pseudonym_idx"),
        ),
        migrations.AddIndex(
            model_name="participant",
            index=models.Index(fields=["municipality"], name="participant_municipality_idx"),
        ),
    ]
