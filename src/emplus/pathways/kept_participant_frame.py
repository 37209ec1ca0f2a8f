"""The partnership's participant frame, kept between reads and brought up to date by reading
only the enrolments whose rows changed since (decision 51).

After a write the indicator report's key changes (decision 45) and the report is computed
again; reading every enrolment for it costs the server about 0.6 s of CPU at 100 000 rows
whatever form the rows take (decision 48). The frame is therefore kept (`core.kept_frames`)
with each row's enrolment key and the `updated_at` of its enrolment, participant and
follow-up. The next read takes the enrolments changed since the latest of those times less
`MARGIN` (index-driven reads of `updated_at`), reads their rows again and replaces them, and
uses the result only if it agrees with the tables as `core.fingerprints.tables_stats` counts
them now:

- enrolments: as many rows, and the same sum of their times (a deleted enrolment, or a write
  that committed later than `MARGIN` with an older time, fails it);
- follow-ups (one per enrolment at most): as many times and the same sum;
- participants: the frame's distinct participants and their times plus those of the
  participants without an enrolment (their difference when the frame was read in full);
- organisations, methods and test beds (a code changes the rows of many enrolments): unchanged.

Otherwise every row is read again, as before: the same guarantee as the key."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
from django.db.models import Model

from emplus.core.fingerprints import TableStats, tables_stats
from emplus.core.kept_frames import frame_keep, frame_kept
from emplus.pathways.evidence_adapter import (
    VERSION_COLUMNS,
    participant_columns,
    participant_frame,
    participant_frame_tables,
)
from emplus.pathways.models import Enrolment, FollowUp, Participant

# How far before the latest time kept the changed rows are looked for: a transaction that
# commits later than this after its write is caught by the sums and read in full.
MARGIN = timedelta(minutes=2)
# Above this share of changed enrolments one read of every row costs less.
MOST_CHANGED = 0.2
# The kept file is written again once this many enrolments changed since it was.
KEEP_AFTER = 1_000
# Raise when the frame's columns or their meaning change: a frame kept by older code is
# then not found.
VERSION = 1

# The columns a kept frame holds whatever a request asks of them: the indicators' (with the
# method and test bed of their filters) and those the progression page joins (decision 74).
# One frame for both pages and every request: read in full once, not once per set of columns,
# and brought up to date once after a write. The reference stays out (no page reads it).
SHARED_COLUMNS = tuple(c for c in participant_columns() if c != "participant_ref")

_ROW_TABLES = {
    Enrolment: "enrolment_at",
    Participant: "participant_at",
    FollowUp: "followup_at",
}


def partnership_frame(
    *, columns: Sequence[str], using: str = "default", with_enrolment: bool = False
) -> pl.DataFrame:
    """`participant_frame(Participant.objects.all(), columns=columns, with_person=True,
    ordered=False)`: every enrolment of the partnership, in no particular order, from the
    frame kept by the last read brought up to date when it can be checked, else read in full
    (and kept). `with_enrolment` adds each row's `enrolment` key (text). Columns among
    `SHARED_COLUMNS` come from the one frame of those."""
    shown = [*columns, "person", *(["enrolment"] if with_enrolment else [])]
    columns = list(SHARED_COLUMNS) if set(columns) <= set(SHARED_COLUMNS) else list(columns)
    stats = tables_stats(_tables(), using=using)
    name = _name(columns)
    kept = frame_kept(name)
    if kept is not None:
        frame, facts = kept
        updated = _brought_up_to_date(frame, facts, stats, columns, using=using)
        if updated is not None:
            frame, changed = updated
            # Written again only once many rows changed: until then each read takes the
            # same few changed rows again, which costs less than writing the whole file.
            if changed >= KEEP_AFTER:
                frame_keep(name, frame, {**facts, "stats": _fixed_stats(stats)})
            return frame.select(*shown)
    frame = _read(columns, keys=None, using=using)
    if tables_stats(_tables(), using=using) != stats:
        # A write committed between the count and the read: its rows are in the frame but not
        # in the figures, so the participants outside the frame would be counted wrong (and
        # one of them deleted later could pass the check). It serves this read only.
        return frame.select(*shown)
    facts = {
        "stats": _fixed_stats(stats),
        "participants_outside": _participants_outside(frame, stats),
        "columns": columns,
    }
    frame_keep(name, frame, facts)
    return frame.select(*shown)


def _tables() -> list[tuple[type[Model], str]]:
    return [(model, "updated_at") for model in participant_frame_tables()]


def _name(columns: list[str]) -> str:
    digest = hashlib.sha256(f"{VERSION}|{','.join(columns)}".encode()).hexdigest()
    return f"participants:{digest[:32]}"


def _read(columns: list[str], *, keys: Sequence[Any] | None, using: str) -> pl.DataFrame:
    return participant_frame(
        Participant.objects.using(using).all(),
        columns=columns,
        with_person=True,
        ordered=False,
        versions=True,
        enrolment_keys=keys,
    )


def _label(model: type[Model]) -> str:
    return f"{model._meta.db_table}.{model._meta.get_field('updated_at').column}"


def _fixed_stats(stats: TableStats) -> TableStats:
    """The stats of the tables whose change is not followed row by row."""
    rows = {_label(model) for model in _ROW_TABLES}
    return {label: value for label, value in stats.items() if label not in rows}


def _brought_up_to_date(
    frame: pl.DataFrame,
    facts: dict[str, Any],
    stats: TableStats,
    columns: list[str],
    *,
    using: str,
) -> tuple[pl.DataFrame, int] | None:
    """The kept frame with the changed enrolments read again, and their number; None when it
    cannot be (another column set, a changed organisation, method or test bed, too many
    changes) or the result disagrees with the tables."""
    if facts.get("columns") != columns or facts.get("stats") != _fixed_stats(stats):
        return None
    latest = max(
        (frame.get_column(column).max() for column in _ROW_TABLES.values()),
        key=lambda value: -1 if value is None else value,
    )
    keys: list[Any] = []
    if latest is not None:
        since = datetime.fromtimestamp(0, tz=UTC) + timedelta(microseconds=latest) - MARGIN
        keys = _changed_enrolments(since, using=using)
        if len(keys) > MOST_CHANGED * max(frame.height, 1):
            return None
        if keys:
            changed = _read(columns, keys=keys, using=using)
            frame = pl.concat(
                [
                    frame.join(changed.select("enrolment"), on="enrolment", how="anti"),
                    changed,
                ],
                how="vertical",
            )
    if not _agrees(frame, stats, facts["participants_outside"]):
        return None
    return frame, len(keys)


def _changed_enrolments(since: datetime, *, using: str) -> list[Any]:
    """The enrolments whose row in the frame may have changed since `since`: their own, their
    participant's or their follow-up's `updated_at` is later (three reads of an index)."""
    enrolments = Enrolment.objects.using(using)
    own = enrolments.filter(updated_at__gt=since).order_by().values_list("pk")
    by_participant = (
        enrolments.filter(
            participant__in=Participant.objects.using(using)
            .filter(updated_at__gt=since)
            .values("pk")
        )
        .order_by()
        .values_list("pk")
    )
    by_follow_up = (
        FollowUp.objects.using(using)
        .filter(updated_at__gt=since)
        .order_by()
        .values_list("enrolment_id")
    )
    return [key for (key,) in own.union(by_participant, by_follow_up)]


def _sum(frame: pl.DataFrame, column: str) -> tuple[int, int]:
    """The number of times in `column` and their exact sum (100 000 times in microseconds
    overflow 64 bits: seconds and microseconds are summed apart)."""
    values = frame.get_column(column).drop_nulls()
    seconds = (values // 1_000_000).sum()
    micros = (values % 1_000_000).sum()
    return values.len(), int(seconds or 0) * 1_000_000 + int(micros or 0)


def _table(stats: TableStats, model: type[Model]) -> tuple[int, int]:
    count, _latest, summed = stats[_label(model)]
    return count, summed or 0


def _participants(frame: pl.DataFrame) -> tuple[int, int]:
    return _sum(frame.select("person", "participant_at").unique(subset="person"), "participant_at")


def _participants_outside(frame: pl.DataFrame, stats: TableStats) -> tuple[int, int]:
    """The participants without an enrolment (so without a row), as a number and a sum of
    times: the table's less the frame's."""
    count, summed = _table(stats, Participant)
    in_frame, in_frame_sum = _participants(frame)
    return count - in_frame, summed - in_frame_sum


def _agrees(frame: pl.DataFrame, stats: TableStats, outside: tuple[int, int]) -> bool:
    """Whether the frame holds every enrolment and follow-up as the tables count them now,
    and the participants with the ones outside it."""
    enrolments = (frame.height, _sum(frame, "enrolment_at")[1])
    participants = _participants(frame)
    return (
        enrolments == _table(stats, Enrolment)
        and _sum(frame, "followup_at") == _table(stats, FollowUp)
        and (participants[0] + outside[0], participants[1] + outside[1])
        == _table(stats, Participant)
    )


assert set(_ROW_TABLES.values()) <= set(VERSION_COLUMNS)  # noqa: S101 - one declaration
