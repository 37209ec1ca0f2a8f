"""The database keeps ParticipantCount (decision 50): after every statement that inserts,
updates or deletes participants, one trigger adds what the statement changed per unit (the
participants not erased) and folds the unit's other rows into it, then the counts of the
participants already there are written once. PostgreSQL only: SQLite's caseload counts.
The triggers fire always (`ENABLE ALWAYS`), also in the import writer's replica mode.

The statement's own rows come from its transition tables (one aggregate per statement, not a
trigger per row: an import of 100 000 participants pays one). Rows that another transaction
is folding are skipped (SKIP LOCKED), not waited for: two writers of one unit never wait for
each other, and a reader sums whatever rows its snapshot sees, so its count is exactly the
participants that snapshot sees. Creating the triggers locks the participant table against
writes until the migration commits, so the counts written after them miss nothing."""

from django.db import migrations

FUNCTION = """
CREATE FUNCTION pathways_participant_count_keep() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    organisations uuid[];
    units uuid[];
    changes bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(organisation_id), array_agg(unit_id), array_agg(n)
        INTO organisations, units, changes
        FROM (SELECT organisation_id, unit_id, count(*) AS n FROM new_rows
              WHERE erased_at IS NULL GROUP BY 1, 2) AS statement_changes;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(organisation_id), array_agg(unit_id), array_agg(n)
        INTO organisations, units, changes
        FROM (SELECT organisation_id, unit_id, -count(*) AS n FROM old_rows
              WHERE erased_at IS NULL GROUP BY 1, 2) AS statement_changes;
    ELSE
        SELECT array_agg(organisation_id), array_agg(unit_id), array_agg(n)
        INTO organisations, units, changes
        FROM (SELECT organisation_id, unit_id, sum(n) AS n
              FROM (SELECT organisation_id, unit_id, -1 AS n FROM old_rows WHERE erased_at IS NULL
                    UNION ALL
                    SELECT organisation_id, unit_id, 1 FROM new_rows WHERE erased_at IS NULL
                   ) AS moves
              GROUP BY 1, 2 HAVING sum(n) <> 0) AS statement_changes;
    END IF;
    IF organisations IS NULL THEN
        RETURN NULL;  -- nothing counted changed (an edit of a name, say)
    END IF;
    WITH statement_changes AS (
        SELECT * FROM unnest(organisations, units, changes) AS c (organisation_id, unit_id, n)
    ), folded AS (
        DELETE FROM pathways_participantcount
        WHERE id IN (
            SELECT kept.id FROM pathways_participantcount AS kept
            JOIN statement_changes USING (organisation_id, unit_id)
            FOR UPDATE OF kept SKIP LOCKED
        )
        RETURNING organisation_id, unit_id, participants AS n
    )
    INSERT INTO pathways_participantcount (organisation_id, unit_id, participants)
    SELECT organisation_id, unit_id, sum(n)
    FROM (SELECT * FROM statement_changes UNION ALL SELECT * FROM folded) AS all_changes
    GROUP BY 1, 2 HAVING sum(n) <> 0;
    RETURN NULL;
END
$$
"""

TRIGGERS = [
    "CREATE TRIGGER participant_count_insert AFTER INSERT ON pathways_participant "
    "REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION pathways_participant_count_keep()",
    "CREATE TRIGGER participant_count_update AFTER UPDATE ON pathways_participant "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION pathways_participant_count_keep()",
    "CREATE TRIGGER participant_count_delete AFTER DELETE ON pathways_participant "
    "REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION pathways_participant_count_keep()",
]

FILL = """
INSERT INTO pathways_participantcount (organisation_id, unit_id, participants)
SELECT organisation_id, unit_id, count(*) FROM pathways_participant
WHERE erased_at IS NULL GROUP BY 1, 2
"""


def keep_counts(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for trigger in TRIGGERS:
        schema_editor.execute(trigger)
    for name in ("insert", "update", "delete"):
        # Also under `session_replication_role = replica`, which the import's writer sets to
        # skip the foreign keys' per-row checks (decision 40): the counts must see its rows.
        schema_editor.execute(
            f"ALTER TABLE pathways_participant ENABLE ALWAYS TRIGGER participant_count_{name}"
        )
    schema_editor.execute("DELETE FROM pathways_participantcount")
    schema_editor.execute(FILL)


def stop_keeping(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in ("insert", "update", "delete"):
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS participant_count_{name} ON pathways_participant"
        )
    schema_editor.execute("DROP FUNCTION IF EXISTS pathways_participant_count_keep()")
    schema_editor.execute("DELETE FROM pathways_participantcount")


class Migration(migrations.Migration):
    dependencies = [("pathways", "0015_participant_counts")]

    operations = [migrations.RunPython(keep_counts, stop_keeping)]
