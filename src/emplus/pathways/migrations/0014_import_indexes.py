"""Drop the indexes a new participant paid for and no query needs (decision 40): the foreign-key
indexes that a unique index starting with the same column makes redundant, and PostgreSQL's
LIKE (varchar_pattern_ops) indexes of the pseudonym and the municipality code, which are only
compared for equality. The pseudonym and the municipality keep one plain index each.

The fields' state changes as `AlterField` would say; the database work is a plain DROP INDEX
(SQLite would otherwise copy the participant table once per altered field)."""

import django.db.models.deletion
from django.db import migrations, models

# Django's names of the indexes db_index=True made (the same on both databases), their table and
# column, and whether PostgreSQL also made a LIKE index of the column (the name + "_like").
INDEXES = (
    (
        "pathways_participant_organisation_id_7b465d06",
        "pathways_participant",
        "organisation_id",
        False,
    ),
    (
        "pathways_participant_municipality_id_3218a87c",
        "pathways_participant",
        "municipality_id",
        True,
    ),
    ("pathways_participant_pseudonym_8cbd52cc", "pathways_participant", "pseudonym", True),
    (
        "pathways_participantnametoken_participant_id_2a861373",
        "pathways_participantnametoken",
        "participant_id",
        False,
    ),
)
# The fields the indexes came from, as they stand without db_index (what the state records).
PROTECT, CASCADE = django.db.models.deletion.PROTECT, django.db.models.deletion.CASCADE
UNINDEXED = {
    ("participant", "municipality"): models.ForeignKey(
        "geo.municipality",
        PROTECT,
        db_index=False,
        blank=True,
        null=True,
        related_name="participants",
        verbose_name="municipality of residence at entry",
    ),
    ("participant", "organisation"): models.ForeignKey(
        "organisations.organisation",
        PROTECT,
        db_index=False,
        related_name="participants",
        verbose_name="organisation",
    ),
    ("participant", "pseudonym"): models.CharField(
        "pseudonym", max_length=64, blank=True, null=True, editable=False
    ),
    ("participantnametoken", "participant"): models.ForeignKey(
        "pathways.participant", CASCADE, db_index=False, editable=False, related_name="name_tokens"
    ),
}


def _indexes(*, like: bool):
    """(name, table, column, operator class): the plain indexes, then the LIKE ones if asked."""
    yield from ((name, table, column, "") for name, table, column, _ in INDEXES)
    if like:
        for name, table, column, has_like in INDEXES:
            if has_like:
                yield f"{name}_like", table, column, " varchar_pattern_ops"


def drop_indexes(apps, schema_editor):
    quote = schema_editor.quote_name
    for name, *_ in _indexes(like=True):  # IF EXISTS: SQLite never had the LIKE ones
        schema_editor.execute(f"DROP INDEX IF EXISTS {quote(name)}")


def restore_indexes(apps, schema_editor):
    quote = schema_editor.quote_name
    postgresql = schema_editor.connection.vendor == "postgresql"
    for name, table, column, opclass in _indexes(like=postgresql):
        schema_editor.execute(
            f"CREATE INDEX {quote(name)} ON {quote(table)} ({quote(column)}{opclass})"
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
                migrations.AlterField(model_name=model_name, name=name, field=field)
                for (model_name, name), field in UNINDEXED.items()
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
