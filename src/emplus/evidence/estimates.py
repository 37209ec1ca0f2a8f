"""Effect estimates from the database: build the table, run the one estimator, store the result.

`run_estimate` is what the background task (`emplus.evidence.tasks`) calls; tests call it
directly. The table is built from the participant frame of the viewer who started the estimate,
through `selectors.indicator_frame`, so the same scoping applies as on the indicator page: an
organisation out of reach fails the estimate, and groups across organisations need
`evidence.view_partnership`. The estimator refuses fewer than 5 treated persons.
"""

from __future__ import annotations

import io
import logging
import math
from dataclasses import fields
from typing import cast

import polars as pl
from django.http import Http404
from django.utils import timezone

from emplus.core.tabular import TableTooLarge, check_columns, check_size, xlsx_frame
from emplus.core.uploads import describe_refusal, tabular_limits
from emplus.evidence.models import EffectEstimate, EstimateStatus
from emplus.evidence.selectors import IndicatorFilters, indicator_frame
from emplus.evidence_core.effects import EffectInputError, estimate_effect, plain_language_summary
from emplus.evidence_core.effects.estimate import Method as EffectMethod
from emplus.evidence_core.effects.table import FALSE_WORDS, NULL_WORDS, TRUE_WORDS
from emplus.evidence_core.reference import municipality_by_code

logger = logging.getLogger(__name__)

GROUP_KEYS = ("organisation", "method", "county", "test_bed")
TREATED = "treated"
_RURAL_GROUPS = frozenset({"C8", "C9"})
_TYPES = {
    "age_at_entry": pl.Float64,
    "gender": pl.String,
    "isced": pl.Int64,
    "lm_status_entry": pl.String,
    "unemployed_months": pl.Int64,
    "born_abroad": pl.Boolean,
    "rural": pl.Boolean,
    "exit_employed": pl.Boolean,
    "followup_employed": pl.Boolean,
    "exit_in_education": pl.Boolean,
}


def group_filters(definition: dict) -> IndicatorFilters:
    names = {f.name for f in fields(IndicatorFilters)}
    return IndicatorFilters(**{k: v for k, v in definition.items() if k in names and v})


def _derive(frame: pl.DataFrame) -> pl.DataFrame:
    """Add the covariates that are not participant-file columns as such."""
    groups = municipality_by_code().items()
    rural_codes = [c for c, m in groups if m.skr_group_2023 in _RURAL_GROUPS]
    return frame.with_columns(
        ((pl.col("entry_date") - pl.col("birth_date")).dt.total_days() / 365.25).alias(
            "age_at_entry"
        ),
        # Months of unemployment are asked of the unemployed only: zero for everyone else.
        pl.when(pl.col("lm_status_entry") == "unemployed")
        .then(pl.col("unemployed_months"))
        .otherwise(pl.col("unemployed_months").fill_null(0))
        .alias("unemployed_months"),
        pl.when(pl.col("rural").is_not_null())
        .then(pl.col("rural"))
        .otherwise(pl.col("municipality_code").is_in(rural_codes))
        .alias("rural"),
    )


def _conform(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """The wanted columns with the database's types (text yes/no words become booleans)."""
    out = []
    for name in columns:
        if name not in frame.columns:
            raise EffectInputError(f"the comparison file has no column {name!r}")
        col = pl.col(name)
        target = _TYPES.get(name, pl.String)
        dtype = frame.schema[name]
        if target == pl.Boolean and dtype == pl.String:
            low = col.str.strip_chars().str.to_lowercase()
            expr = (
                pl.when(low.is_in(list(TRUE_WORDS)))
                .then(True)
                .when(low.is_in(list(FALSE_WORDS)))
                .then(False)
                .otherwise(None)
            )
        else:
            expr = col.cast(target, strict=False)
        out.append(expr.alias(name))
    return frame.select(out)


def read_comparison_upload(name: str, content: bytes, columns: list[str]) -> list[dict]:
    """The rows of an uploaded comparison file (CSV or XLSX), only `columns`, as JSON rows.

    The file is bounded by the upload limits (`core.uploads.tabular_limits`) before and while
    it is parsed; a refusal is an EffectInputError with a translated message."""
    limits = tabular_limits()
    lower = name.lower()
    try:
        check_size(len(content), limits)
        if lower.endswith((".xlsx", ".xlsm")):
            frame = xlsx_frame(content, limits)
        elif lower.endswith((".csv", ".txt")):
            text = content.decode("utf-8-sig")
            first = text.splitlines()[0] if text else ""
            separator = ";" if first.count(";") > first.count(",") else ","
            check_columns(first.count(separator) + 1, limits)
            frame = pl.read_csv(
                io.StringIO(text),
                separator=separator,
                infer_schema_length=0,
                null_values=NULL_WORDS,
                n_rows=None if limits.max_rows is None else limits.max_rows + 1,
            )
            if limits.max_rows is not None and frame.height > limits.max_rows:
                raise TableTooLarge("rows", limit=limits.max_rows)
        else:
            raise EffectInputError("the comparison file must be CSV or XLSX")
    except EffectInputError:
        raise
    except TableTooLarge as exc:
        raise EffectInputError(describe_refusal(exc)) from exc
    except Exception as exc:
        raise EffectInputError(f"the comparison file could not be read: {exc}") from exc
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise EffectInputError("the comparison file lacks the columns: " + ", ".join(missing))
    conformed = _conform(frame, columns)
    if "age_at_entry" in columns:
        conformed = conformed.with_columns(pl.col("age_at_entry").cast(pl.Float64))
    return conformed.to_dicts()


def build_table(estimate: EffectEstimate, viewer) -> pl.DataFrame:
    """The estimator's input: a 1/0 treatment column, the outcome and the covariates."""
    columns = [estimate.outcome, *estimate.covariates]
    # An estimate is an evaluation, not the ESF+ reporting duty: only participants whose legal
    # basis covers statistics (docs/decisions/0023-consent-purposes-and-legal-bases.md).
    treated_frame, _, _ = indicator_frame(
        viewer=viewer, filters=group_filters(estimate.treatment), statistics_only=True
    )
    treated_frame = _derive(treated_frame)
    treated = _conform(treated_frame, columns).with_columns(pl.lit(1).alias(TREATED))
    if estimate.comparison_kind == "file":
        control = _conform(
            pl.DataFrame(estimate.comparison_rows, infer_schema_length=None), columns
        )
    else:
        control_frame, _, _ = indicator_frame(
            viewer=viewer, filters=group_filters(estimate.comparison), statistics_only=True
        )
        # A person in both groups counts as treated only.
        keys = treated_frame.select("organisation", "participant_ref").unique()
        control_frame = _derive(control_frame).join(
            keys, on=["organisation", "participant_ref"], how="anti"
        )
        control = _conform(control_frame, columns)
    control = control.with_columns(pl.lit(0).alias(TREATED))
    return pl.concat([treated, control], how="vertical_relaxed")


def _save_progress(estimate_id, fraction: float, message: str) -> None:
    EffectEstimate.objects.filter(pk=estimate_id).update(
        progress=max(0, min(100, int(round(fraction * 100)))), message=message[:500]
    )


def _finite(value):
    """JSON without NaN or infinity (PostgreSQL's jsonb refuses them): None instead."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def run_estimate(estimate_id) -> EffectEstimate | None:
    """Run one queued estimate and store its progress, then its result or a clear failure."""
    estimate = EffectEstimate.objects.filter(pk=estimate_id).select_related("created_by").first()
    if estimate is None:
        return None
    EffectEstimate.objects.filter(pk=estimate.pk).update(
        status=EstimateStatus.RUNNING, progress=0, message="reading participants"
    )
    try:
        if estimate.created_by is None:
            raise EffectInputError("the person who started the estimate no longer has an account")
        table = build_table(estimate, estimate.created_by)
        _save_progress(estimate.pk, 0.1, "estimating")

        def progress(fraction: float, message: str) -> None:
            _save_progress(estimate.pk, 0.1 + 0.85 * fraction, message)

        result = estimate_effect(
            table,
            treatment=TREATED,
            outcome=estimate.outcome,
            covariates=list(estimate.covariates),
            method=cast(EffectMethod, estimate.method),  # a choice of EstimateMethod
            seed=estimate.seed,
            progress=progress,
        )
    except (EffectInputError, Http404) as exc:
        message = (
            str(exc)
            if isinstance(exc, EffectInputError)
            else "a chosen group is outside your organisations"
        )
        EffectEstimate.objects.filter(pk=estimate.pk).update(
            status=EstimateStatus.FAILED, message=message[:500], finished_at=timezone.now()
        )
    except Exception:  # an unexpected error must not leave the estimate running for ever
        logger.exception("effect estimate %s failed", estimate.pk)
        EffectEstimate.objects.filter(pk=estimate.pk).update(
            status=EstimateStatus.FAILED,
            message="the estimate failed unexpectedly; the error is in the server log",
            finished_at=timezone.now(),
        )
    else:
        EffectEstimate.objects.filter(pk=estimate.pk).update(
            status=EstimateStatus.DONE,
            progress=100,
            message="done",
            result=_finite(
                result.to_dict()
                | {
                    "worst_balance": _worst_balance(result),
                    "outcome_is_binary": result.outcome_is_binary,
                    "interval": result.interval,
                    "seed": result.seed,
                    "notes": list(result.notes),
                }
            ),
            summary_sv=plain_language_summary(result, "sv"),
            summary_en=plain_language_summary(result, "en"),
            finished_at=timezone.now(),
        )
    estimate.refresh_from_db()
    return estimate


def _worst_balance(result) -> dict | None:
    """The covariate with the largest absolute standardised difference after adjustment."""
    worst = result.worst_balance
    if worst is None:
        return None
    return {"covariate": worst.covariate, "smd_after": worst.smd_after}
