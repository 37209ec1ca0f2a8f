"""The indexes of the tables an import writes (decision 40, sixth step): on SQLite the
non-unique indexes of a table the import at least doubles are dropped for the writing and
built again after it in the import's transaction, so that after an import (or its failure)
every index is there as it was and valid; on PostgreSQL the pseudonym's index is a hash index
that the pseudonym's lookups use."""

from __future__ import annotations

import pytest
from django.db import connection
from tests.pathways.test_importing import personnummer, row, run

from emplus.core.models import AuditEvent
from emplus.pathways import importing
from emplus.pathways.models import Consent, Enrolment, FollowUp, ImportBatch, Participant

pytestmark = pytest.mark.django_db

TABLES = tuple(m._meta.db_table for m in (Participant, Enrolment, FollowUp, Consent))


def _indexes() -> set[tuple[str, str, str]]:
    """(table, name, definition) of every index of the tables an import writes."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            marks = ", ".join(["%s"] * len(TABLES))
            cursor.execute(
                "SELECT tbl_name, name, coalesce(sql, '') FROM sqlite_master "  # noqa: S608 - marks
                f"WHERE type = 'index' AND tbl_name IN ({marks})",
                TABLES,
            )
        else:
            cursor.execute(
                "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)",
                [list(TABLES)],
            )
        return set(cursor.fetchall())


def _valid() -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA integrity_check")
            return cursor.fetchall() == [("ok",)]
        cursor.execute(
            "SELECT bool_and(indisvalid AND indisready) FROM pg_index "
            "WHERE indrelid = ANY(%s::regclass[])",
            [list(TABLES)],
        )
        return cursor.fetchone()[0]


def _rows(count: int, start: int = 0) -> list[dict]:
    return [
        row(
            f"X{i:04d}",
            personal_id=personnummer(_birth(i), i % 1000),
            birth_date="",
            exit_date="2025-06-01" if i % 2 else "",
        )
        for i in range(start, start + count)
    ]


def _birth(i: int):
    from datetime import date

    return date(1950 + i % 50, 1 + i % 12, 1 + i % 28)


def _watching(monkeypatch) -> list[set]:
    """The indexes there while each block of new participants (here one chunk) is written."""
    monkeypatch.setattr(importing, "CHUNK_SIZE", 10)
    monkeypatch.setattr(importing, "NEW_BLOCK_CHUNKS", 1)
    seen: list[set] = []
    real = importing._write_new_block

    def watched(block, **kw):
        seen.append(_indexes())
        return real(block, **kw)

    monkeypatch.setattr(importing, "_write_new_block", watched)
    return seen


def _dropped_while_writing(before: set, seen: list[set]) -> set[str]:
    return {name for _, name, _ in before} - {name for _, name, _ in set.union(*seen)}


def test_an_import_that_doubles_the_tables_leaves_every_index_as_it_was(
    coordinator, org_a, unit_a1, monkeypatch
):
    # given tables with no rows yet, and their indexes
    before = _indexes()
    seen = _watching(monkeypatch)
    # when a file of new participants is imported
    result = run(coordinator, org_a, _rows(40))
    # then the rows are there, each index is there as it was and valid, and the lookups by
    # index find the rows
    assert result.ok and result.created == 40
    assert _indexes() == before
    assert _valid()
    assert Participant.objects.filter(participant_ref="X0007").exists()
    assert Enrolment.objects.filter(participant__participant_ref="X0007").count() == 1
    assert FollowUp.objects.filter(enrolment__participant__participant_ref="X0007").count() == 1
    # on SQLite without the non-unique ones while it wrote (built once after the rows); on
    # PostgreSQL none is ever dropped (it would lock the tables against the readers)
    dropped = _dropped_while_writing(before, seen)
    if connection.vendor == "sqlite":
        non_unique = {
            name for _, name, sql in before if sql and not sql.startswith("CREATE UNIQUE")
        }
        assert dropped == non_unique
        assert {"participant_pseudonym_idx", "participant_ref_order_idx"} <= dropped
        assert not any(name.startswith("sqlite_autoindex") for name in dropped)
    else:
        assert dropped == set()


def test_an_import_smaller_than_the_tables_keeps_their_indexes_while_it_writes(
    coordinator, org_a, unit_a1, monkeypatch
):
    # given tables that hold more rows than the next file adds
    run(coordinator, org_a, _rows(30))
    before = _indexes()
    seen = _watching(monkeypatch)
    # when a smaller file of new participants is imported
    result = run(coordinator, org_a, _rows(20, start=30))
    # then no index was dropped at any time, and all are valid
    assert result.ok and result.created == 20
    assert _dropped_while_writing(before, seen) == set()
    assert _indexes() == before
    assert _valid()


def test_a_failure_in_the_last_chunk_leaves_no_row_and_every_index(
    coordinator, org_a, unit_a1, monkeypatch
):
    # given an import whose last chunk fails (after the indexes were dropped on SQLite)
    before = _indexes()
    seen = _watching(monkeypatch)
    watched = importing._write_new_block

    def failing(block, **kw):
        if len(seen) == 3:  # the fourth and last block of 40 rows
            raise RuntimeError("disk full")
        return watched(block, **kw)

    monkeypatch.setattr(importing, "_write_new_block", failing)
    # when it runs
    with pytest.raises(RuntimeError):
        run(coordinator, org_a, _rows(40))
    # then nothing of it is left, and every index is there as it was
    assert len(seen) == 3
    assert Participant.objects.count() == 0 and Consent.objects.count() == 0
    assert Enrolment.objects.count() == 0 and FollowUp.objects.count() == 0
    assert ImportBatch.objects.count() == 0
    assert not AuditEvent.objects.filter(action="participant.imported").exists()
    assert _indexes() == before
    assert _valid()


def _plan(queryset) -> str:
    """PostgreSQL's plan of `queryset` with bitmap scans only, a sequential scan the last
    resort: a test's few rows would otherwise be read whole, or through any index in order,
    as the statistics other tests left decide. A bitmap scan needs an index whose condition
    the query has."""
    with connection.cursor() as cursor:
        for scan in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{scan} = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(str(r) for r in cursor.fetchall())


def test_the_pseudonym_lookups_use_its_index(coordinator, org_a, unit_a1):
    # given participants with identity numbers
    run(coordinator, org_a, _rows(20))
    pseudonyms = list(Participant.objects.values_list("pseudonym", flat=True)[:5])
    # then its index is a hash index on PostgreSQL, an ordinary one elsewhere
    definition = next(sql for _, name, sql in _indexes() if name == "participant_pseudonym_idx")
    assert ("USING hash" in definition) == (connection.vendor == "postgresql")
    # and the lookups by equality (one person, the import's list of persons) find the rows,
    # through it on PostgreSQL (SQLite, without statistics, takes the organisation's index)
    one = Participant.objects.filter(
        organisation=org_a, pseudonym=pseudonyms[0], erased_at__isnull=True
    )
    many = Participant.objects.filter(organisation=org_a, pseudonym__in=pseudonyms)
    assert one.get().pseudonym == pseudonyms[0]
    assert set(many.values_list("pseudonym", flat=True)) == set(pseudonyms)
    if connection.vendor == "postgresql":
        # (on the pseudonym alone, so that no other index has a condition to scan by)
        alone = Participant.objects.filter(pseudonym=pseudonyms[0])
        listed = Participant.objects.filter(pseudonym__in=pseudonyms)
        for queryset in (alone, listed):
            plan = _plan(queryset.order_by().values("participant_ref"))
            assert "Bitmap Index Scan on participant_pseudonym_idx" in plan
