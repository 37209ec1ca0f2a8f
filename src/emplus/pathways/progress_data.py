"""Reads for distance travelled: one participant's first and latest assessment, and the
instrument's reliability statistics from everybody's first and second assessments.

The statistics use the first two assessments of every participant on the instrument in every
organisation. That is deliberate: they are aggregates (a standard deviation and a correlation)
and no value of any single person, organisation or unit leaves this module; a small
organisation alone would rarely reach the number of participants the estimates need.

They are kept in `InstrumentReliability` with the exact integer sums they are computed from
(decision 56). Every service that writes assessments does it inside
`statistics_kept_through` in its transaction: it raises the data version and, if the kept sums
are those of the data before the write, takes the written participants' first two assessments
out of them and puts them back as they are after it (O(changed)), so a read costs one query
after a write too. Where the kept sums cannot be trusted (out of date, another instrument's
dimensions, or not as many assessments as the table has: a write past the services) the
write only raises the version (`pathways.services.instrument_data_changed`, as writes in bulk
do) and the next read computes them from every assessment, once for all who wait (decisions
39 and 49).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

import polars as pl
from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import Aggregate, Case, F, Func, Max, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Cast, Coalesce, Replace
from django.utils.translation import get_language

from emplus.core.compiled import CompiledRead
from emplus.core.frames import queryset_frame
from emplus.core.kept import one_at_a_time
from emplus.evidence_core import reliable_change
from emplus.pathways.models import (
    Assessment,
    Dimension,
    Enrolment,
    EnrolmentProgress,
    Instrument,
    InstrumentReliability,
    Participant,
)

# Reads of every participant page (and of the evidence pages), compiled once (decision 71).
_INSTRUMENT_ACTIVE = CompiledRead(
    Instrument, lambda: Instrument.objects.filter(is_active=True).order_by("code", "-version")[:1]
)
_DIMENSIONS = CompiledRead(
    Dimension,
    lambda instrument: Dimension.objects.filter(instrument_id=instrument).order_by("order"),
    instrument=("instrument", UUID(int=0xE71)),
)
_RELIABILITY_KEPT = CompiledRead(
    InstrumentReliability,
    lambda instrument: InstrumentReliability.objects.filter(instrument_id=instrument)[:1],
    instrument=("instrument", UUID(int=0xE71)),
)


def instrument_active() -> Instrument | None:
    return next(iter(_INSTRUMENT_ACTIVE.raw()), None)


def instrument_dimensions(instrument: Instrument) -> list[Dimension]:
    """The instrument's dimensions in their order."""
    return list(_DIMENSIONS.raw(instrument=instrument.pk))


def dimension_label(dimension, language: str | None = None) -> str:
    language = language or get_language() or "sv"
    return dimension.label_en if language.startswith("en") else dimension.label_sv


@dataclass(frozen=True)
class InstrumentStatistics:
    participants_with_two: int
    per_dimension: dict[str, reliable_change.ReliabilityStats | None]
    total: reliable_change.ReliabilityStats | None
    # The exact sums the numbers are computed from (`_sums`), kept with them and brought up to
    # date by the writes (decision 56); None in statistics kept before.
    sums: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def enough_data(self) -> bool:
        return self.participants_with_two >= reliable_change.MIN_PARTICIPANTS

    def to_json(self) -> dict[str, Any]:
        return {
            "participants_with_two": self.participants_with_two,
            "per_dimension": {
                code: None if s is None else asdict(s) for code, s in self.per_dimension.items()
            },
            "total": None if self.total is None else asdict(self.total),
            "sums": self.sums,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> InstrumentStatistics:
        def stats(value: dict | None) -> reliable_change.ReliabilityStats | None:
            return None if value is None else reliable_change.ReliabilityStats(**value)

        return cls(
            participants_with_two=data["participants_with_two"],
            per_dimension={code: stats(v) for code, v in data["per_dimension"].items()},
            total=stats(data["total"]),
            sums=data.get("sums"),
        )


def instrument_statistics(*, instrument: Instrument) -> InstrumentStatistics:
    """Baseline SD and reliability per dimension (test–retest) and for the total (alpha):
    kept from an earlier request while no assessment on the instrument was written since,
    else computed and kept."""
    kept, version, statistics = _statistics_kept(instrument)
    if statistics is not None:
        return statistics
    # Computed once for everyone who asks meanwhile (decision 49): they wait, then read them.
    with one_at_a_time(f"pathways:reliability:{instrument.pk}:{version}"):
        kept, version, statistics = _statistics_kept(instrument)
        if statistics is not None:
            return statistics
        return _statistics_keep(instrument, kept, version)


def _statistics_kept(
    instrument: Instrument,
) -> tuple[InstrumentReliability | None, int, InstrumentStatistics | None]:
    """The kept row, its data version, and its statistics if they are of that version."""
    kept = next(iter(_RELIABILITY_KEPT.raw(instrument=instrument.pk)), None)
    version = kept.data_version if kept else 0
    if kept is not None and kept.computed_version == version and kept.statistics is not None:
        return kept, version, InstrumentStatistics.from_json(kept.statistics)
    return kept, version, None


def _statistics_keep(
    instrument: Instrument, kept: InstrumentReliability | None, version: int
) -> InstrumentStatistics:
    statistics = instrument_statistics_compute(instrument=instrument)
    if kept is None:
        # The first read of an instrument nobody has assessed on through the services; a
        # concurrent first read or write may have created the row meanwhile: theirs stays.
        InstrumentReliability.objects.bulk_create(
            [
                InstrumentReliability(
                    instrument=instrument,
                    data_version=0,
                    computed_version=0,
                    statistics=statistics.to_json(),
                )
            ],
            ignore_conflicts=True,
        )
        return statistics
    # Kept only if no assessment was written while computing (the version is still the one
    # read before); otherwise the next read computes again.
    InstrumentReliability.objects.filter(instrument=instrument, data_version=version).update(
        computed_version=version, statistics=statistics.to_json()
    )
    return statistics


@contextmanager
def statistics_kept_through(
    *, instrument: Instrument, participants: Iterable[Any]
) -> Iterator[None]:
    """Wrap a write of assessments on `instrument` of the `participants` (their keys: every
    participant whose assessments the write adds, changes or deletes), inside the write's
    transaction: the kept statistics stay those of the data (decision 56).

    The kept row is locked first, so writers take turns and each reads the data as the one
    before left it. If the kept sums are those of the data before the write, the written
    participants' share is read before and after the write and the sums brought up to date
    (two reads of their assessments); else the data version is only raised and the next read
    computes every sum again."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("a write of assessments keeps its statistics in its transaction")
    kept = _statistics_locked(instrument)
    keys = list(participants)
    before = _sums_before(kept, instrument, keys)
    yield
    version = kept.data_version + 1
    rows = InstrumentReliability.objects.filter(instrument=instrument)
    if before is None:
        rows.update(data_version=version)
        return
    sums = _sums_moved(kept.statistics["sums"], before, _sums(instrument, participants=keys))
    rows.update(
        data_version=version,
        computed_version=version,
        statistics=_statistics_of(sums).to_json(),
    )


def _statistics_locked(instrument: Instrument) -> InstrumentReliability:
    """The instrument's kept row, locked until the transaction ends (created if need be)."""
    locked = InstrumentReliability.objects.select_for_update()
    kept = locked.filter(instrument=instrument).first()
    if kept is None:
        InstrumentReliability.objects.get_or_create(instrument=instrument)
        kept = locked.get(instrument=instrument)
    return kept


def _sums_before(
    kept: InstrumentReliability, instrument: Instrument, participants: list[Any]
) -> dict[str, Any] | None:
    """The participants' share of the sums before the write, if the kept sums can be brought up
    to date: kept for the data version, of the instrument's dimensions now, and of as many
    assessments as the table holds (a write past the services that added or deleted any fails;
    one query). None: they cannot."""
    statistics = kept.statistics or {}
    sums = statistics.get("sums")
    if kept.computed_version != kept.data_version or not sums:
        return None
    before = _sums(instrument, participants=participants)
    if before["codes"] != sums["codes"]:
        return None
    if Assessment.objects.filter(instrument=instrument).count() != sums["assessments"]:
        return None
    return before


def _sums_moved(
    kept: dict[str, Any], before: dict[str, Any], after: dict[str, Any]
) -> dict[str, Any]:
    """`kept` less the participants' share `before` the write plus their share `after` it."""

    def moved(a: Any, b: Any, c: Any) -> Any:
        if isinstance(a, dict):
            return {key: moved(a[key], b[key], c[key]) for key in a}
        if isinstance(a, list):
            return [moved(x, y, z) for x, y, z in zip(a, b, c, strict=True)]
        return a - b + c

    return {
        "codes": kept["codes"],
        **{key: moved(kept[key], before[key], after[key]) for key in kept if key != "codes"},
    }


def assessment_frame(
    *, instrument: Instrument, assessments: QuerySet[Assessment], key: str
) -> tuple[pl.DataFrame, dict[str, str]]:
    """One row per assessment of `assessments` on `instrument`, in one query read straight into
    Polars: `key` (the text of the field `key`, e.g. the enrolment), `on`, `created` and
    `assessment` (the order of a key's assessments), and the scores side by side, one column
    per dimension; the map names each score column's dimension code."""
    dimensions = list(instrument.dimensions.order_by("order").values_list("pk", "code"))
    scores = {
        f"dim_{i}": Max(Case(When(scores__dimension_id=pk, then="scores__value")))
        for i, (pk, _code) in enumerate(dimensions)
    }
    frame = queryset_frame(
        assessments.filter(instrument=instrument)
        .annotate(
            key=Cast(key, output_field=TextField()),
            created=Cast("created_at", output_field=TextField()),
            assessment_key=Cast("pk", output_field=TextField()),
            **scores,
        )
        .order_by()
        .values_list("key", "assessed_on", "created", "assessment_key", *scores),
        {
            "key": pl.String(),
            "on": pl.Date(),
            "created": pl.String(),
            "assessment": pl.String(),
            **dict.fromkeys(scores, pl.Int64()),
        },
    )
    ordered = frame.sort("key", "on", "created", "assessment").with_columns(
        rank=pl.int_range(pl.len()).over("key"), count=pl.len().over("key")
    )
    return ordered, {f"dim_{i}": code for i, (_pk, code) in enumerate(dimensions)}


# The separators of the one text the summary is read as: control characters no code, date,
# key or stored value contains. Each enrolment gives two lines of FIELD-separated values.
LINE, FIELD = "\n", "\x1f"


class _Joined(Aggregate):
    """The texts of a group joined by LINE: STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite."""

    function = "STRING_AGG"
    output_field = TextField()

    def __init__(self, expression: Any) -> None:
        super().__init__(expression, Value(LINE, output_field=TextField()))

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def progress_changes(
    *,
    instrument: Instrument,
    codes: list[str],
    columns: dict[str, tuple[Any, pl.DataType]],
    enrolments: QuerySet[Enrolment] | None = None,
    where: Q | None = None,
    least: int = 2,
) -> pl.DataFrame:
    """One row per enrolment with at least `least` assessments on `instrument`, among `enrolments`
    (a subquery) and the stored summaries that match `where` (a condition on
    `EnrolmentProgress`, e.g. `Q(enrolment__entry_date__gte=...)`; both optional):
    `columns` (name: an expression on the enrolment's stored summary and its type, String or
    Date, e.g. its group), and per dimension of `codes` (the instrument's, in order) its value
    at the first and at the latest assessment, `first:<code>` and `latest:<code>` (None where
    not scored): the wide frame of `evidence_core.progression.progression_table_wide`.

    One query of the stored summary (decision 44) that joins every row into one text, read as
    one value (psycopg reads a COPY row by row in Python, about ten times the time PostgreSQL
    takes to write these rows). Each enrolment gives two lines, the columns and the first
    values, then the latest values, every value a field of its own, so Polars' CSV reader
    types every column at once (decision 47); a stored text with more or fewer values than
    `codes` cannot move a value from one side to the other."""
    summaries = EnrolmentProgress.objects.filter(instrument=instrument, assessments__gte=least)
    if enrolments is not None:
        summaries = summaries.filter(enrolment__in=enrolments.order_by().values("pk"))
    if where is not None:
        summaries = summaries.filter(where)
    texts: list[Any] = []
    for expression, _type in columns.values():
        text = Cast(expression, output_field=TextField())
        texts += [Coalesce(text, Value(""), output_field=TextField()), Value(FIELD)]
    # Each line starts with its side, so that no line is ever empty (the CSV reader would skip
    # it) and the pairs are checked.
    line = Func(
        Value("f" + FIELD),
        *texts,
        _fields("first"),
        Value(LINE + "l" + FIELD + FIELD * len(columns)),
        _fields("latest"),
        # One flat `a || b || ...` (Concat nests a COALESCE per pair); every part is text and
        # never NULL.
        template="(%(expressions)s)",
        arg_joiner=" || ",
        output_field=TextField(),
    )
    queryset = (
        summaries.order_by().values("instrument").annotate(items=_Joined(line)).values_list("items")
    )
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # nobody, and Django knows without asking
        rows = []
    else:
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    values = [f"v{i}" for i in range(len(codes))]
    schema = {
        "side": pl.String(),
        **dict.fromkeys(columns, pl.String()),
        **dict.fromkeys(values, pl.Int64()),
    }
    if not rows or not rows[0][0]:
        lines = pl.DataFrame(schema=schema)
    else:
        lines = pl.read_csv(
            rows[0][0].encode(),
            has_header=False,
            separator=FIELD,
            quote_char=None,
            schema=schema,
            truncate_ragged_lines=True,  # values beyond `codes`: not the instrument's
        )
    first, latest = lines.gather_every(2), lines.gather_every(2, offset=1)
    if not (first.get_column("side") == "f").all() or not (latest.get_column("side") == "l").all():
        raise ValueError("the stored progress summary was read out of its pairs")
    return pl.concat(
        [
            first.select(
                *(_typed(pl.col(name), column).alias(name) for name, column in columns.items()),
                *(pl.col(v).alias(f"first:{code}") for v, code in zip(values, codes, strict=True)),
            ),
            latest.select(
                pl.col(v).alias(f"latest:{code}") for v, code in zip(values, codes, strict=True)
            ),
        ],
        how="horizontal",
    )


def _fields(name: str) -> Func:
    """A stored text of values ("4,7,,5") as FIELD-separated fields."""
    return Replace(F(name), Value(","), Value(FIELD), output_field=TextField())


def _typed(text: pl.Expr, column: tuple[Any, pl.DataType]) -> pl.Expr:
    """A column read back from its text (an empty field is None)."""
    if column[1] == pl.Date():
        return text.str.slice(0, 10).str.to_date("%Y-%m-%d")
    return text


def instrument_statistics_compute(*, instrument: Instrument) -> InstrumentStatistics:
    """The statistics from the database, now: every assessment on the instrument read in one
    query into Polars, each participant's first two found there, their exact sums (`_sums`)
    and the numbers from them (`evidence_core.reliable_change`)."""
    return _statistics_of(_sums(instrument))


def _sums(instrument: Instrument, *, participants: list[Any] | None = None) -> dict[str, Any]:
    """The exact sums the statistics are computed from, of every participant's (or only of
    `participants`') assessments on the instrument, in one query (and one of the dimensions):

    - `codes`: the instrument's dimensions in order; `assessments`: how many were read;
    - `two`: participants with at least two assessments;
    - `pairs`: per dimension, of the (first, second) pairs scored on both,
      [n, Σa, Σb, Σa², Σb², Σab];
    - `profiles`: of the first assessments scored on every dimension, [n, Σtotal, Σtotal²,
      per dimension Σx, per dimension Σx²].

    Whole numbers summed as integers: a participant's share is taken away and added exactly,
    whatever the order (no rounding to drift)."""
    assessments = Assessment.objects.all()
    if participants is not None:
        assessments = assessments.filter(enrolment__participant_id__in=participants)
    ordered, code_of = assessment_frame(
        instrument=instrument, assessments=assessments, key="enrolment__participant_id"
    )
    columns = list(code_of)
    two = ordered.filter(pl.col("count") >= 2)
    first = two.filter(pl.col("rank") == 0).sort("key").select(columns)
    second = two.filter(pl.col("rank") == 1).sort("key").select(columns)
    both = pl.concat(
        [first.select(pl.all().name.prefix("a")), second.select(pl.all().name.prefix("b"))],
        how="horizontal",
    )
    pair_sums = []
    for column in columns:
        a, b = pl.col(f"a{column}"), pl.col(f"b{column}")
        scored = a.is_not_null() & b.is_not_null()
        a, b = a.filter(scored), b.filter(scored)
        parts = [scored.sum(), a.sum(), b.sum(), (a * a).sum(), (b * b).sum(), (a * b).sum()]
        pair_sums += [part.alias(f"{column}:{i}") for i, part in enumerate(parts)]
    pairs = both.select(pair_sums).row(0) if columns else ()
    k = len(columns)
    profiles: tuple[Any, ...] = (0, 0, 0, *[0] * 2 * k)
    if columns:
        complete = first.drop_nulls().with_columns(total=pl.sum_horizontal(columns))
        total = pl.col("total")
        profiles = complete.select(
            pl.len(),
            total.sum().alias("sum"),
            (total * total).sum().alias("squares"),
            *(pl.col(c).sum().alias(f"s{c}") for c in columns),
            *((pl.col(c) * pl.col(c)).sum().alias(f"q{c}") for c in columns),
        ).row(0)
    return {
        "codes": list(code_of.values()),
        "assessments": ordered.height,
        "two": first.height,
        "pairs": {
            code: [int(x) for x in pairs[6 * i : 6 * i + 6]]
            for i, code in enumerate(code_of.values())
        },
        "profiles": [
            int(profiles[0]),
            int(profiles[1] or 0),
            int(profiles[2] or 0),
            [int(x or 0) for x in profiles[3 : 3 + k]],
            [int(x or 0) for x in profiles[3 + k :]],
        ],
    }


def _statistics_of(sums: dict[str, Any]) -> InstrumentStatistics:
    """The statistics of the sums (`evidence_core.reliable_change`, the one implementation)."""
    n, total, total_squares, item_sums, item_squares = sums["profiles"]
    return InstrumentStatistics(
        participants_with_two=sums["two"],
        per_dimension={
            code: reliable_change.retest_stats_from_sums(*sums["pairs"][code])
            for code in sums["codes"]
        },
        total=reliable_change.total_stats_from_sums(
            n, item_sums, item_squares, total, total_squares
        )
        if sums["codes"]
        else None,
        sums=sums,
    )


@dataclass(frozen=True)
class ParticipantProgress:
    instrument: Instrument
    assessments: int
    first_on: date | None
    latest_on: date | None
    rows: list[reliable_change.DimensionChange]
    total: reliable_change.DimensionChange | None
    statistics: InstrumentStatistics

    @property
    def comparable(self) -> bool:
        return self.assessments >= 2


def participant_progress(
    *,
    participant: Participant,
    instrument: Instrument,
    language: str | None = None,
    assessments: Iterable[Any] | None = None,
) -> ParticipantProgress:
    """First vs latest assessment of a participant (over all their enrolments) per dimension.

    `assessments`: every assessment of the participant, of any instrument, with its scores,
    read already (the participant page's `selectors.AssessmentRow`s; `instrument_id`,
    `assessed_on`, `created_at`, `scores` of `dimension_id` and `value`): taken from there,
    not read again.
    """
    dimensions = instrument_dimensions(instrument)
    if assessments is None:
        read = list(
            Assessment.objects.filter(enrolment__participant=participant, instrument=instrument)
            .order_by("assessed_on", "created_at")
            .prefetch_related("scores")
        )
    else:
        read = sorted(
            (a for a in assessments if a.instrument_id == instrument.pk),
            key=lambda a: (a.assessed_on, a.created_at),
        )
    statistics = instrument_statistics(instrument=instrument)
    labelled = [(d.code, dimension_label(d, language)) for d in dimensions]
    if not read:
        return ParticipantProgress(instrument, 0, None, None, [], None, statistics)
    # The instrument's dimensions are read already; a score of any other counts nowhere.
    code_of = {d.pk: d.code for d in dimensions}

    def scores(assessment: Any) -> dict[str, int]:
        given = assessment.scores.all() if assessments is None else assessment.scores
        return {code_of[s.dimension_id]: s.value for s in given if s.dimension_id in code_of}

    first = scores(read[0])
    latest = scores(read[-1])
    if len(read) < 2:
        latest = {}
    rows = reliable_change.distance_travelled(
        dimensions=labelled, first=first, latest=latest, stats=statistics.per_dimension
    )
    codes = [code for code, _ in labelled]
    total = None
    if latest and all(c in first for c in codes) and all(c in latest for c in codes):
        total = reliable_change.change_of(
            code="total",
            label="",
            first=sum(first[c] for c in codes),
            latest=sum(latest[c] for c in codes),
            stats=statistics.total,
        )
    return ParticipantProgress(
        instrument=instrument,
        assessments=len(read),
        first_on=read[0].assessed_on,
        latest_on=read[-1].assessed_on,
        rows=rows,
        total=total,
        statistics=statistics,
    )
