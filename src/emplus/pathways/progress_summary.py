"""The stored progress summary: each enrolment's first and latest assessment on an instrument
(`EnrolmentProgress`, docs/decisions/0044-stored-progress-summary.md).

Every service that adds, changes or deletes assessments or their scores calls
`enrolment_progress_refresh` for the enrolments it touched, inside its own transaction, so the
summary is never older than the assessments a reader can see. Erasure keeps the assessments
(decision 8) and so leaves the summary as it is; deleting an enrolment deletes its rows
(cascade)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl
from django.db.models import Model, QuerySet

from emplus.pathways.models import Assessment, Enrolment, EnrolmentProgress, Instrument
from emplus.pathways.progress_data import assessment_frame

BATCH = 5000


def enrolment_progress_refresh(
    *,
    instrument: Instrument,
    enrolments: QuerySet[Enrolment] | Iterable[Any] | None,
    assessment_model: type[Model] = Assessment,
    summary_model: type[Model] = EnrolmentProgress,
) -> int:
    """Write the summary of `enrolments` (a queryset or their keys; None: every enrolment) on
    `instrument` again from their assessments, in the caller's transaction; returns the rows
    written. The models are arguments so that a migration can pass its historical ones."""
    assessments = assessment_model._default_manager.all()  # type: ignore[attr-defined]
    stored = summary_model._default_manager.filter(instrument=instrument)  # type: ignore[attr-defined]
    if enrolments is not None:
        if not isinstance(enrolments, QuerySet):
            enrolments = list(enrolments)
        assessments = assessments.filter(enrolment__in=enrolments)
        stored = stored.filter(enrolment__in=enrolments)
    ordered, code_of = assessment_frame(
        instrument=instrument, assessments=assessments, key="enrolment_id"
    )
    stored.delete()
    rows = [summary_model(instrument=instrument, **row) for row in _summary_rows(ordered, code_of)]
    summary_model._default_manager.bulk_create(rows, batch_size=BATCH)  # type: ignore[attr-defined]
    return len(rows)


def _summary_rows(ordered: pl.DataFrame, code_of: dict[str, str]) -> Iterable[dict[str, Any]]:
    """One row per key of `assessment_frame`'s ordered frame: its first and its latest."""
    scores = list(code_of)  # in the order of the instrument's dimensions
    first = ordered.filter(pl.col("rank") == 0).sort("key")
    latest = ordered.filter(pl.col("rank") == pl.col("count") - 1).sort("key")
    for a, b in zip(first.iter_rows(named=True), latest.iter_rows(named=True), strict=True):
        yield {
            "enrolment_id": a["key"],
            "assessments": a["count"],
            "first_on": a["on"],
            "latest_on": b["on"],
            "first": scores_text([a[c] for c in scores]),
            "latest": scores_text([b[c] for c in scores]),
        }


def scores_text(values: Iterable[int | None]) -> str:
    """The stored form of an assessment's values: "4,7,,5" (empty: not scored)."""
    return ",".join("" if value is None else str(value) for value in values)


def scores_of(text: str, codes: list[str]) -> dict[str, int]:
    """The scored values of a stored text by dimension code (the codes in the instrument's
    order)."""
    return {code: int(v) for code, v in zip(codes, text.split(","), strict=False) if v}
