"""The partnership's progress on an instrument, kept between reads: the stored summary's rows
(decision 44) kept as a frame of their own and brought up to date by reading only the rows
written since, joined with the kept participant frame (decision 51) for the columns of the
enrolment and participant (decision 55).

After a write the progression report's key changes (decision 47) and the report is computed
again; reading the summary of every enrolment for it, joined with enrolments, participants
and organisations, costs the server about 0.3 s of CPU at 100 000 rows. The summary's rows
are only inserted and deleted (a refresh deletes an enrolment's row and writes it again) under
auto-incremented keys never used twice, and there is at most one row per enrolment and
instrument. So the kept frame holds every row of the instrument with its key; the next read
takes the rows whose key is above the largest kept (one range of the primary key), and each
replaces the kept row of its enrolment. The result is used only if it agrees with the table as
`core.fingerprints.tables_stats` counts it now:

- as many rows, and the same sum of keys, counting the rows of other instruments as they were
  when the frame was last read in full (a deleted row without a new one, a row of another
  instrument, or a key written before the largest kept and committed after it fails it);
- the instrument and its dimensions unchanged (their `updated_at`).

Otherwise every row is read again. What the enrolment's row says (organisation, entry date,
method, test bed, the person) comes from the kept participant frame, which checks itself
against its own tables (decision 51): a move, an erasure, a changed enrolment is read there."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import polars as pl
from django.db.models import F, Model, Q

from emplus.core.fingerprints import TableStats, tables_stats
from emplus.core.kept_frames import frame_keep, frame_kept
from emplus.pathways.kept_participant_frame import partnership_frame
from emplus.pathways.models import Dimension, EnrolmentProgress, Instrument
from emplus.pathways.progress_data import progress_changes

# Above this share of new rows one read of every row costs less.
MOST_CHANGED = 0.2
# The kept file is written again once this many rows are new since it was.
KEEP_AFTER = 1_000
# Raise when the frame's columns or their meaning change: a frame kept by older code is then
# not found.
VERSION = 1

# What each kept row carries besides the values: its key, its enrolment (text, as the
# participant frame's) and its number of assessments (the report counts two or more).
_KEYS = {
    "summary": (F("pk"), pl.String()),
    "enrolment": (F("enrolment_id"), pl.String()),
    "assessments": (F("assessments"), pl.String()),
}


def partnership_progress(
    *,
    instrument: Instrument,
    codes: Sequence[str],
    columns: Sequence[str],
    using: str = "default",
    stats: TableStats | None = None,
) -> pl.DataFrame:
    """Every enrolment of the partnership with at least two assessments on `instrument`:
    `columns` of the participant frame and `person`, then per dimension of `codes` (the
    instrument's, in order) `first:<code>` and `latest:<code>`, as `progress_changes` gives
    them; ordered by the summary's key, so two reads of the same rows give the same frame.

    `stats`: `tables_stats` of at least `summary_tables()`, counted by the caller before any
    row is read (the progression report's key counts them); counted here if not given."""
    codes, columns = list(codes), list(columns)
    summary = _summary(instrument, codes, using=using, stats=stats)
    people = partnership_frame(columns=columns, using=using, with_enrolment=True)
    values = [f"{side}:{code}" for side in ("first", "latest") for code in codes]
    return (
        summary.filter(pl.col("assessments") >= 2)
        .join(people, on="enrolment", how="inner")
        .sort("summary")
        .select(*columns, "person", *values)
    )


def summary_tables() -> list[tuple[type[Model], str]]:
    """What the kept summary frame is checked against, as (model, field) of `tables_stats`."""
    return [(EnrolmentProgress, "id"), (Instrument, "updated_at"), (Dimension, "updated_at")]


def _labels() -> set[str]:
    return {
        f"{model._meta.db_table}.{model._meta.get_field(name).column}"
        for model, name in summary_tables()
    }


def _label() -> str:
    return f"{EnrolmentProgress._meta.db_table}.{EnrolmentProgress._meta.pk.column}"


def _name(instrument: Instrument, codes: list[str]) -> str:
    text = f"{VERSION}|{instrument.pk}|{','.join(codes)}"
    return f"progress:{hashlib.sha256(text.encode()).hexdigest()[:32]}"


def _summary(
    instrument: Instrument, codes: list[str], *, using: str, stats: TableStats | None = None
) -> pl.DataFrame:
    """Every stored summary row of `instrument`, from the kept frame brought up to date when
    it can be checked, else read in full (and kept)."""
    labels = _labels()
    if stats is None or not labels <= stats.keys():
        stats = tables_stats(summary_tables(), using=using)
    stats = {label: stats[label] for label in labels}
    name = _name(instrument, codes)
    kept = frame_kept(name)
    if kept is not None:
        frame, facts = kept
        updated = _brought_up_to_date(frame, facts, stats, instrument, codes)
        if updated is not None:
            frame, changed = updated
            # Written again only once many rows are new: until then each read takes the same
            # few rows again, which costs less than writing the whole file.
            if changed >= KEEP_AFTER:
                frame_keep(name, frame, facts)
            return frame
    frame = _read(instrument, codes, after=None)
    if _written_since(frame, stats):
        # A row written after the figures were counted: the rows outside the frame would be
        # counted wrong (one deleted later could pass the check). The next read keeps it.
        return frame
    facts = {"fixed": _fixed(stats), "outside": _outside(frame, stats)}
    frame_keep(name, frame, facts)
    return frame


def _read(instrument: Instrument, codes: list[str], *, after: int | None) -> pl.DataFrame:
    """The summary rows of `instrument` (those with a key above `after`)."""
    frame = progress_changes(
        instrument=instrument,
        codes=codes,
        columns=_KEYS,
        where=None if after is None else Q(pk__gt=after),
        least=1,
    )
    return frame.with_columns(
        pl.col("summary").cast(pl.Int64), pl.col("assessments").cast(pl.Int64)
    )


def _written_since(frame: pl.DataFrame, stats: TableStats) -> bool:
    """Whether `frame` holds a row whose key is above the largest `stats` counted."""
    largest = frame.get_column("summary").max()
    counted = stats[_label()][1]
    return largest is not None and (counted is None or int(largest) > int(counted))


def _fixed(stats: TableStats) -> TableStats:
    """The stats of the tables whose change is not followed row by row."""
    return {label: value for label, value in stats.items() if label != _label()}


def _sum(frame: pl.DataFrame) -> tuple[int, int]:
    return frame.height, int(frame.get_column("summary").sum() or 0)


def _table(stats: TableStats) -> tuple[int, int]:
    count, _largest, summed = stats[_label()]
    return count, summed or 0


def _outside(frame: pl.DataFrame, stats: TableStats) -> tuple[int, int]:
    """The rows of other instruments, as a number and a sum of keys: the table's less the
    frame's."""
    (count, summed), (inside, inside_sum) = _table(stats), _sum(frame)
    return count - inside, summed - inside_sum


def _agrees(frame: pl.DataFrame, stats: TableStats, outside: tuple[int, int]) -> bool:
    count, summed = _sum(frame)
    return (count + outside[0], summed + outside[1]) == _table(stats)


def _brought_up_to_date(
    frame: pl.DataFrame,
    facts: dict[str, Any],
    stats: TableStats,
    instrument: Instrument,
    codes: list[str],
) -> tuple[pl.DataFrame, int] | None:
    """The kept frame with the rows written since read and put in place of their enrolments'
    rows, and their number; None when it cannot be (a changed instrument or dimension, too
    many new rows) or the result disagrees with the table."""
    if facts.get("fixed") != _fixed(stats):
        return None
    outside = facts["outside"]
    if _agrees(frame, stats, outside):
        return frame, 0
    largest = frame.get_column("summary").max()
    new = _read(instrument, codes, after=None if largest is None else int(largest))
    if new.height > MOST_CHANGED * max(frame.height, 1):
        return None
    frame = pl.concat(
        [frame.join(new.select("enrolment"), on="enrolment", how="anti"), new], how="vertical"
    )
    if not _agrees(frame, stats, outside):
        return None
    return frame, new.height
