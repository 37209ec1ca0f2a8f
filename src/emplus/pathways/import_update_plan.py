"""The re-import planned column-wise: a file's rows of registered participants compared with
what is stored, as frames (decision 40).

What `importing`'s row planner does for a registered participant, for all rows at once: the
participants under the file's references, their enrolments and follow-ups and whether their
current consent covers special categories are read as frames (`read_registered`); the file is
joined on the reference and compared column by column (`plan_updates`): the changed cells, the
enrolment each row describes (the one with the row's entry date, else the latest when it is
still open or overlaps the row's entry date, else a new one) and its follow-up. The writes come
out as frames: for each updated table the key, the new value and a flag per compared column
(`import_update_writer.UpdateWriter` writes the flagged cells only), and the new enrolments and
follow-ups for `import_writer.BulkWriter`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import polars as pl
from django.db import connections, models, router
from django.db.models import QuerySet

from emplus.core.crypto import encrypt_many
from emplus.core.frames import queryset_frame
from emplus.evidence_core.participant_file import FileIssue
from emplus.organisations.models import Organisation
from emplus.pathways import fields as participant_fields
from emplus.pathways.import_update_writer import UpdateWriter
from emplus.pathways.import_writer import BulkWriter
from emplus.pathways.models import Consent, Enrolment, FollowUp, Participant
from emplus.pathways.services import FOLLOW_UP_AFTER

__all__ = [
    "ENROLMENT_FIELDS",
    "ERASED",
    "FOLLOWUP_FIELDS",
    "OTHER_UNIT",
    "Registered",
    "UpdatePlan",
    "plan_updates",
    "read_registered",
    "text_key",
]

# Participant model attribute -> file column (entry characteristics) and the special categories
# (file column = field name), from the one declaration (as `importing` takes them).
PARTICIPANT_FIELDS: dict[str, str] = participant_fields.file_columns("entry")
SPECIAL_FIELDS = participant_fields.SPECIAL_FIELDS
_BLANK_TEXT = participant_fields.blank_text_fields()
# Enrolment model attribute -> file column.
ENROLMENT_FIELDS = participant_fields.ENROLMENT_FILE_COLUMNS
FOLLOWUP_FIELDS = ("due_on", "observed_on", "employed", "improved")

# The stored values a re-import compares with the file (the identity number through its
# pseudonym: equal pseudonyms are equal numbers, so no number is read or decrypted).
PARTICIPANT_COMPARED = ("pseudonym", "special_category_basis", *PARTICIPANT_FIELDS, *SPECIAL_FIELDS)
ENROLMENT_COMPARED = (*ENROLMENT_FIELDS, "method_id", "test_bed_id")

ERASED = "this participant's identity has been erased; it cannot be imported again"
OTHER_UNIT = (
    "the participant_ref belongs to a participant of another local unit; ask a coordinator to "
    "import this row"
)

_WAS = "__was"  # suffix of a stored value beside the file's
_SET = "__set"  # suffix of the flag "write this cell"


def text_key(using: str | None = None) -> Callable[[Any], str]:
    """A UUID key in the text form the frames carry (`BulkWriter.key`): PostgreSQL's own text
    form, the 32 hex digits SQLite stores."""
    connection = connections[using or router.db_for_write(Participant)]
    if connection.vendor == "postgresql":
        return str
    return lambda pk: pk.hex


# --- reading what is registered ------------------------------------------------------------


@dataclass
class Registered:
    """The organisation's participants under a file's references, as frames with keys in
    their text form: `participants` (id, unit_id, participant_ref, erased_at and the compared
    columns), `enrolments` (id, participant_id, the compared columns and `order`, the order
    the row planner reads them in), `follow_ups` (id, enrolment_id, FOLLOWUP_FIELDS) and
    `covered` (the participants whose current consent covers special categories)."""

    participants: pl.DataFrame
    enrolments: pl.DataFrame
    follow_ups: pl.DataFrame
    covered: pl.Series


def _dtype(field: models.Field) -> pl.DataType:
    if isinstance(field, models.DateTimeField):
        return pl.String()  # only whether it is set is read
    if isinstance(field, models.DateField):
        return pl.Date()
    if isinstance(field, models.BooleanField):
        return pl.Boolean()
    if isinstance(field, models.IntegerField):
        return pl.Int64()
    return pl.String()


def _frame(queryset: QuerySet, names: tuple[str, ...]) -> pl.DataFrame:
    fields = {f.attname: f for f in queryset.model._meta.concrete_fields}
    schema = {name: _dtype(fields[name]) for name in names}
    return queryset_frame(queryset.values_list(*names), schema)


_PEOPLE = ("id", "unit_id", "participant_ref", "erased_at", *PARTICIPANT_COMPARED)
_ENROLMENTS = ("id", "participant_id", *ENROLMENT_COMPARED)
_FOLLOW_UPS = ("id", "enrolment_id", *FOLLOWUP_FIELDS)


def read_registered(
    organisation: Organisation, refs: pl.Series, *, whole: bool, chunk: int
) -> Registered:
    """Read what is registered under `refs` in the organisation: four queries for the whole
    organisation (`whole`: the file is large and the organisation not much larger), else four
    per `chunk` references, the queries of the row planner's `_existing_participants`."""
    parts: list[tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]] = []
    covering = Consent.objects.current().filter(special_categories=True)
    if whole:
        parts.append(
            _read(
                Participant.objects.filter(organisation=organisation),
                Enrolment.objects.filter(participant__organisation=organisation),
                FollowUp.objects.filter(enrolment__participant__organisation=organisation),
                covering.filter(participant__organisation=organisation),
            )
        )
    else:
        for start in range(0, refs.len(), chunk):
            people = Participant.objects.filter(
                organisation=organisation,
                participant_ref__in=refs.slice(start, chunk).to_list(),
            )
            ids = people.values("pk")
            parts.append(
                _read(
                    people,
                    Enrolment.objects.filter(participant__in=ids),
                    FollowUp.objects.filter(enrolment__participant__in=ids),
                    covering.filter(participant__in=ids),
                )
            )
    people, enrolments, follow_ups, covered = (
        pl.concat([part[i] for part in parts]) for i in range(4)
    )
    if whole:
        people = people.filter(pl.col("participant_ref").is_in(refs.implode()))
        enrolments = enrolments.filter(pl.col("participant_id").is_in(people["id"].implode()))
        follow_ups = follow_ups.filter(pl.col("enrolment_id").is_in(enrolments["id"].implode()))
    return Registered(
        participants=people,
        enrolments=enrolments.with_row_index("order"),
        follow_ups=follow_ups,
        covered=covered.get_column("participant_id"),
    )


def _read(
    people: QuerySet, enrolments: QuerySet, follow_ups: QuerySet, covering: QuerySet
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    # The enrolments keep their model's order (newest entry first), as the row planner reads
    # them: it decides between two enrolments of one participant with the same entry date.
    return (
        _frame(people.order_by(), _PEOPLE),
        _frame(enrolments, _ENROLMENTS),
        _frame(follow_ups.order_by(), _FOLLOW_UPS),
        _frame(covering.order_by(), ("participant_id",)),
    )


# --- planning ------------------------------------------------------------------------------


@dataclass
class UpdatePlan:
    """The writes of a file's registered rows, as frames. `pos` is a row's place among them
    (for writing in chunks in file order); `rows` their number, `updated` how many change
    anything. Updated tables carry the key, the new values and a flag per compared column;
    new rows get their keys (and the changed identity numbers their ciphertext) from `keyed`."""

    rows: int
    updated: int
    special_values_left_out: int
    participants: pl.DataFrame
    enrolments_new: pl.DataFrame
    enrolments: pl.DataFrame
    follow_ups_deleted: pl.DataFrame
    follow_ups_new: pl.DataFrame
    follow_ups: pl.DataFrame

    @classmethod
    def nothing(cls) -> UpdatePlan:
        """No registered rows (or none planned, the file having errors)."""
        empty = pl.DataFrame(schema={"pos": pl.UInt32, "id": pl.String})
        return cls(0, 0, 0, empty, empty, empty, empty, empty, empty)

    def keyed(self, writer: BulkWriter) -> UpdatePlan:
        """Keys for the new enrolments and follow-ups (ascending, in file order), the new
        follow-ups of new enrolments pointed at them, and the identity numbers that change
        encrypted (in one call)."""
        enrolments = self.enrolments_new.with_columns(
            _keys(writer, self.enrolments_new.height).alias("id")
        )
        follow_ups = (
            self.follow_ups_new.join(
                enrolments.select("pos", pl.col("id").alias("new_enrolment")),
                on="pos",
                how="left",
                maintain_order="left",
            )
            .with_columns(
                pl.coalesce("enrolment_id", "new_enrolment").alias("enrolment_id"),
                _keys(writer, self.follow_ups_new.height).alias("id"),
            )
            .drop("new_enrolment")
        )
        participants = self.participants
        changed = participants.get_column("personal_id__set")
        if changed.any():
            tokens = encrypt_many(participants.filter(changed).get_column("personal_id").to_list())
            participants = participants.with_columns(
                pl.Series("personal_id", [None] * participants.height, dtype=pl.String).scatter(
                    changed.arg_true(), pl.Series(tokens, dtype=pl.String)
                )
            )
        else:
            participants = participants.with_columns(pl.lit(None, pl.String).alias("personal_id"))
        return replace(
            self,
            participants=participants,
            enrolments_new=_for_writer(writer, Enrolment, enrolments),
            follow_ups_new=_for_writer(writer, FollowUp, follow_ups),
        )

    def chunks(self, size: int) -> Iterator[tuple[int, UpdatePlan]]:
        """The plan in parts of `size` file rows: (rows in the part, its writes)."""
        for start in range(0, self.rows, size):
            stop = min(start + size, self.rows)

            def part(frame: pl.DataFrame, start: int = start, stop: int = stop) -> pl.DataFrame:
                return frame.filter(pl.col("pos").is_between(start, stop, closed="left"))

            yield (
                stop - start,
                replace(
                    self,
                    participants=part(self.participants),
                    enrolments_new=part(self.enrolments_new),
                    enrolments=part(self.enrolments),
                    follow_ups_deleted=part(self.follow_ups_deleted),
                    follow_ups_new=part(self.follow_ups_new),
                    follow_ups=part(self.follow_ups),
                ),
            )

    def write(self, *, writer: BulkWriter, updater: UpdateWriter) -> None:
        """Write the plan (a `keyed` one, or a chunk of it) in the row planner's order."""
        updater.update(
            Participant,
            self.participants,
            (*PARTICIPANT_COMPARED, "personal_id"),
            ready=frozenset({"personal_id"}),
        )
        writer.insert_frame(Enrolment, self.enrolments_new)
        updater.update(Enrolment, self.enrolments, ENROLMENT_COMPARED)
        deleted = self.follow_ups_deleted.get_column("id").to_list()
        if deleted:
            FollowUp.objects.filter(pk__in=deleted).delete()
        writer.insert_frame(FollowUp, self.follow_ups_new)
        updater.update(FollowUp, self.follow_ups, FOLLOWUP_FIELDS)


def _keys(writer: BulkWriter, count: int) -> pl.Series:
    return writer.new_keys(count) if count else pl.Series("key", [], dtype=pl.String)


def _for_writer(writer: BulkWriter, model: type[models.Model], frame: pl.DataFrame) -> pl.DataFrame:
    """A frame of new rows in the database's form (`BulkWriter.frame_for`), `pos` kept."""
    ready = writer.frame_for(model, frame.drop("pos"), ready=frozenset())
    return ready.with_columns(frame.get_column("pos"))


def plan_updates(
    rows: pl.DataFrame,
    registered: Registered,
    *,
    unit_key: str | None,
    legal_basis: str,
    methods: dict[str, str],
    test_beds: dict[str, str],
    errors: list[FileIssue],
) -> UpdatePlan | None:
    """Plan the rows of registered participants (the file's typed frame with `pseudonym`) as
    the row planner would, or add their errors (an erased participant; with `unit_key`, the
    key of a coach's unit, another unit's participant) to `errors`. None when there are
    errors (in these rows or before): nothing is planned then."""
    people = registered.participants.select(
        "participant_ref",
        pl.col("id").alias("participant_id"),
        "unit_id",
        pl.col("erased_at").is_not_null().alias("erased"),
        pl.col("id").is_in(registered.covered.implode()).alias("covered"),
        *(pl.col(name).alias(name + _WAS) for name in PARTICIPANT_COMPARED),
    )
    frame = rows.with_row_index("pos").join(
        people, on="participant_ref", how="inner", maintain_order="left"
    )
    _refuse(frame, unit_key, errors)
    if errors:
        return None

    # Participants: the entry characteristics always; the special categories (and their basis,
    # when one is given) only under the participant's current consent to them; the identity
    # (its pseudonym) only when the file gives one.
    basis = pl.col("covered") & pl.lit(legal_basis != "")
    given = [pl.col(name).fill_null("").ne("") for name in SPECIAL_FIELDS]
    wanted: dict[str, tuple[pl.Expr, pl.Expr]] = {
        name: (_desired(name, column), pl.lit(True)) for name, column in PARTICIPANT_FIELDS.items()
    }
    wanted |= {name: (_desired(name, name), basis) for name in SPECIAL_FIELDS}
    wanted["special_category_basis"] = (pl.lit(legal_basis), basis & pl.any_horizontal(given))
    wanted["pseudonym"] = (pl.col("pseudonym"), pl.col("pseudonym").is_not_null())
    left_out = frame.filter(~basis).select(pl.sum_horizontal(given).sum()).item()
    # A changed pseudonym writes the (normalised) identity number too, encrypted by `keyed`.
    participants = _changes(
        frame, "participant_id", wanted, PARTICIPANT_COMPARED, carried=("personal_id",)
    ).with_columns(pl.col("pseudonym" + _SET).alias("personal_id" + _SET))

    # Enrolments: the one with the row's entry date (the first in the row planner's order),
    # else the latest (the last among those of the latest entry date) when it is open or the
    # row's entry date is not after its exit, else a new one.
    enrolments = registered.enrolments
    exact = enrolments.sort("order").unique(
        ["participant_id", "entry_date"], keep="first", maintain_order=True
    )
    latest = (
        enrolments.sort("entry_date", "order")
        .group_by("participant_id")
        .agg(pl.col("id").last().alias("latest"), pl.col("exit_date").last().alias("latest_exit"))
    )
    frame = (
        frame.join(
            exact.select("participant_id", "entry_date", pl.col("id").alias("exact")),
            on=["participant_id", "entry_date"],
            how="left",
            maintain_order="left",
        )
        .join(latest, on="participant_id", how="left", maintain_order="left")
        .with_columns(
            pl.coalesce(
                "exact",
                pl.when(
                    pl.col("latest_exit").is_null()
                    | (pl.col("entry_date") <= pl.col("latest_exit"))
                ).then(pl.col("latest")),
            ).alias("enrolment_id")
        )
        .join(
            enrolments.select(
                pl.col("id").alias("enrolment_id"),
                *(pl.col(name).alias(name + _WAS) for name in ENROLMENT_COMPARED),
            ),
            on="enrolment_id",
            how="left",
            maintain_order="left",
        )
        .join(
            registered.follow_ups.select(
                pl.col("enrolment_id"),
                pl.col("id").alias("follow_up_id"),
                *(pl.col(name).alias(name + _WAS) for name in FOLLOWUP_FIELDS),
            ),
            on="enrolment_id",
            how="left",
            maintain_order="left",
        )
    )
    wanted = {name: (pl.col(column), pl.lit(True)) for name, column in ENROLMENT_FIELDS.items()}
    wanted["method_id"] = (_code_key("method", methods), pl.lit(True))
    wanted["test_bed_id"] = (_code_key("test_bed", test_beds), pl.lit(True))
    matched = frame.filter(pl.col("enrolment_id").is_not_null())
    enrolments_changed = _changes(matched, "enrolment_id", wanted, ENROLMENT_COMPARED)
    enrolments_new = frame.filter(pl.col("enrolment_id").is_null()).select(
        "pos", "participant_id", *(wanted[name][0].alias(name) for name in ENROLMENT_COMPARED)
    )

    # Follow-ups: kept where the row has an exit (due FOLLOW_UP_AFTER it, each distinct exit
    # date computed once) or an observed follow-up (due that day); removed otherwise.
    exits = frame.get_column("exit_date").drop_nulls().unique().to_list()
    due = (
        pl.when(pl.col("exit_date").is_not_null())
        .then(
            pl.col("exit_date").replace_strict(
                {day: day + FOLLOW_UP_AFTER for day in exits}, default=None, return_dtype=pl.Date
            )
        )
        .otherwise(pl.col("followup_observed_on"))
    )
    wanted = {
        "due_on": (due, pl.lit(True)),
        "observed_on": (pl.col("followup_observed_on"), pl.lit(True)),
        "employed": (pl.col("followup_employed"), pl.lit(True)),
        "improved": (pl.col("followup_improved"), pl.lit(True)),
    }
    kept = pl.col("exit_date").is_not_null() | pl.col("followup_observed_on").is_not_null()
    existing = pl.col("follow_up_id").is_not_null()
    follow_ups_deleted = frame.filter(~kept & existing).select(
        "pos", pl.col("follow_up_id").alias("id")
    )
    follow_ups_changed = _changes(
        frame.filter(kept & existing), "follow_up_id", wanted, FOLLOWUP_FIELDS
    )
    follow_ups_new = frame.filter(kept & ~existing).select(
        "pos", "enrolment_id", *(wanted[name][0].alias(name) for name in FOLLOWUP_FIELDS)
    )

    touched = pl.concat(
        [
            table.get_column("pos")
            for table in (
                participants,
                enrolments_changed,
                enrolments_new,
                follow_ups_deleted,
                follow_ups_changed,
                follow_ups_new,
            )
        ]
    )
    return UpdatePlan(
        rows=frame.height,
        updated=touched.n_unique(),
        special_values_left_out=left_out,
        participants=participants,
        enrolments_new=enrolments_new,
        enrolments=enrolments_changed,
        follow_ups_deleted=follow_ups_deleted,
        follow_ups_new=follow_ups_new,
        follow_ups=follow_ups_changed,
    )


def _refuse(frame: pl.DataFrame, unit_key: str | None, errors: list[FileIssue]) -> None:
    """The rows the row planner refuses: an erased participant; another unit's participant
    when a coach imports (`unit_key`: the coach's unit)."""
    other = ~pl.col("erased") & (
        pl.col("unit_id") != unit_key if unit_key is not None else pl.lit(False)
    )
    refused = frame.filter(pl.col("erased") | other).select("row", pl.col("erased"))
    for row_number, erased in refused.iter_rows():
        errors.append(
            FileIssue(
                ERASED if erased else OTHER_UNIT,
                row=row_number,
                column="participant_ref",
                code="erased" if erased else "other_unit",
            )
        )


def _desired(name: str, column: str) -> pl.Expr:
    """The file's value as the model stores it: "" for an unknown text, else as read."""
    return pl.col(column).fill_null("") if name in _BLANK_TEXT else pl.col(column)


def _code_key(column: str, known: dict[str, str]) -> pl.Expr:
    return (
        pl.col(column)
        .str.to_uppercase()
        .replace_strict(known, default=None, return_dtype=pl.String)
    )


def _changes(
    frame: pl.DataFrame,
    key: str,
    wanted: dict[str, tuple[pl.Expr, pl.Expr]],
    names: tuple[str, ...],
    *,
    carried: tuple[str, ...] = (),
) -> pl.DataFrame:
    """The rows of `frame` that change a stored row: `pos`, `id` (from `key`), for each of
    `names` the wanted value and whether to write it (compared and different from the stored
    value, a missing value equal only to a missing one), and the `carried` columns."""
    flags = [
        (compared & value.ne_missing(pl.col(name + _WAS))).alias(name + _SET)
        for name, (value, compared) in ((name, wanted[name]) for name in names)
    ]
    return frame.select(
        "pos",
        pl.col(key).alias("id"),
        *(wanted[name][0].alias(name) for name in names),
        *flags,
        *carried,
    ).filter(pl.any_horizontal(pl.col(name + _SET) for name in names))
