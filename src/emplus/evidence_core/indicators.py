"""ESF+ common participant indicators (EECO01-17, EECR01-06) over a participant frame (no Django).

The input is the typed frame of `participant_file` (or the same columns built from the
database); the rules are those of the participant-file spec, the configurable ones gathered in
`IndicatorRules`. The computation is a handful of Polars expressions and one grouped
aggregation, so it takes well under a second for a million participants.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any

import polars as pl

from emplus.core.export_cells import safe_row, xlsx_workbook, xlsx_write_row
from emplus.core.suppression import DEFAULT_THRESHOLD, suppress_cells
from emplus.evidence_core.participant_file import CORE_COLUMNS, participant_schema
from emplus.evidence_core.reference import municipality_by_code

__all__ = [
    "EEA_SWISS",
    "EU_MEMBER_STATES",
    "GENDERS",
    "INDICATORS",
    "LM_STATUSES",
    "IndicatorResult",
    "IndicatorRow",
    "IndicatorRules",
    "ParticipantCounts",
    "compute_indicators",
]

GENDERS = ("woman", "man", "non_binary")
LM_STATUSES = ("unemployed", "inactive", "employed", "self_employed")
EU_MEMBER_STATES = frozenset(
    {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE"}
    | {"IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"}
)
EEA_SWISS = frozenset({"IS", "LI", "NO", "CH"})

INDICATORS: tuple[tuple[str, str], ...] = (
    ("EECO01", "total number of participants"),
    ("EECO02", "unemployed, including long-term unemployed"),
    ("EECO03", "long-term unemployed"),
    ("EECO04", "inactive"),
    ("EECO05", "employed, including self-employed"),
    ("EECO06", "below 18 years of age"),
    ("EECO07", "18 to 29 years of age"),
    ("EECO08", "55 years of age and above"),
    ("EECO09", "lower secondary education or less (ISCED 0-2)"),
    ("EECO10", "upper secondary or post-secondary (ISCED 3-4)"),
    ("EECO11", "tertiary education (ISCED 5-8)"),
    ("EECO12", "participants with disabilities"),
    ("EECO13", "third-country nationals"),
    ("EECO14", "participants with a foreign background"),
    ("EECO15", "minorities (including marginalised communities such as Roma)"),
    ("EECO16", "homeless or affected by housing exclusion"),
    ("EECO17", "participants from rural areas"),
    ("EECR01", "engaged in job searching upon leaving"),
    ("EECR02", "in education or training upon leaving"),
    ("EECR03", "gaining a qualification upon leaving"),
    ("EECR04", "in employment, including self-employment, upon leaving"),
    ("EECR05", "in employment, including self-employment, six months after leaving"),
    ("EECR06", "improved labour-market situation six months after leaving"),
)
RESULT_CODES = tuple(code for code, _ in INDICATORS if code.startswith("EECR"))

_DEFAULT_POPULATIONS = {
    "EECR01": frozenset({"inactive"}),
    "EECR02": frozenset(LM_STATUSES),
    "EECR03": frozenset(LM_STATUSES),
    "EECR04": frozenset({"unemployed", "inactive"}),
    "EECR05": frozenset({"unemployed", "inactive"}),
    "EECR06": frozenset({"employed", "self_employed"}),
}


@dataclass(frozen=True)
class IndicatorRules:
    """The configurable rules of the spec, with its defaults.

    `result_populations` maps each result indicator to the labour-market statuses at entry of
    the participants who may count for it (its reference population).
    """

    long_term_unemployed_months: int = 12
    long_term_unemployed_months_youth: int = 6
    youth_age_below: int = 25
    eea_swiss_are_third_country: bool = True
    rural_skr_groups: frozenset[str] = frozenset({"C8", "C9"})
    exit_observation_days: int = 28
    followup_min_days: int = 150
    followup_max_days: int = 210
    result_populations: Mapping[str, frozenset[str]] = field(
        default_factory=lambda: MappingProxyType(dict(_DEFAULT_POPULATIONS))
    )

    def __post_init__(self) -> None:
        pops = dict(self.result_populations)
        unknown = set(pops) - set(RESULT_CODES)
        if unknown:
            raise ValueError(
                f"unknown result indicator(s) in result_populations: {sorted(unknown)}"
            )
        for code, statuses in pops.items():
            bad = set(statuses) - set(LM_STATUSES)
            if bad:
                raise ValueError(f"unknown labour-market status(es) for {code}: {sorted(bad)}")
        merged = {
            code: frozenset(pops.get(code, _DEFAULT_POPULATIONS[code])) for code in RESULT_CODES
        }
        object.__setattr__(self, "result_populations", MappingProxyType(merged))
        object.__setattr__(self, "rural_skr_groups", frozenset(self.rural_skr_groups))
        if self.followup_min_days > self.followup_max_days:
            raise ValueError("followup_min_days is after followup_max_days")
        for name in (
            "long_term_unemployed_months",
            "long_term_unemployed_months_youth",
            "youth_age_below",
            "exit_observation_days",
            "followup_min_days",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")

    def __hash__(self) -> int:  # the populations mapping is not hashable itself
        return hash(json.dumps(self.to_mapping(), sort_keys=True))

    def __reduce__(self) -> tuple[Any, ...]:  # nor picklable: a report is kept in a cache
        return (IndicatorRules.from_mapping, (self.to_mapping(),))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> IndicatorRules:
        """Rules from settings: any subset of the field names; unknown keys are an error.

        `result_populations` may name only the indicators it changes; the others keep their
        default population.
        """
        data = dict(data or {})
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown ESF+ indicator rule(s): {sorted(unknown)}")
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            if f.name == "rural_skr_groups":
                value = frozenset(str(v) for v in _as_collection(f.name, value))
            elif f.name == "result_populations":
                if not isinstance(value, Mapping):
                    raise ValueError("result_populations must map indicator codes to statuses")
                value = {k: frozenset(_as_collection(k, v)) for k, v in value.items()}
            elif f.name == "eea_swiss_are_third_country":
                if not isinstance(value, bool):
                    raise ValueError("eea_swiss_are_third_country must be true or false")
            elif isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{f.name} must be a whole number")
            values[f.name] = value
        return cls(**values)

    def to_mapping(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "rural_skr_groups":
                value = sorted(value)
            elif f.name == "result_populations":
                value = {k: sorted(v) for k, v in value.items()}
            out[f.name] = value
        return out


def _as_collection(name: str, value: Any) -> list[Any]:
    if isinstance(value, str) or not hasattr(value, "__iter__"):
        raise ValueError(f"{name} must be a list")
    return list(value)


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    name: str
    total: int | None
    woman: int | None
    man: int | None
    non_binary: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "total": self.total,
            "woman": self.woman,
            "man": self.man,
            "non_binary": self.non_binary,
        }


@dataclass(frozen=True)
class ParticipantCounts:
    """`read = reportable + incomplete + not_yet_started` (None when suppressed)."""

    read: int | None
    reportable: int | None
    incomplete: int | None
    not_yet_started: int | None

    def as_dict(self) -> dict[str, int | None]:
        return {
            "read": self.read,
            "reportable": self.reportable,
            "incomplete": self.incomplete,
            "not_yet_started": self.not_yet_started,
        }


_TABLE_COLUMNS = ("code", "name", "total", "woman", "man", "non_binary")


@dataclass(frozen=True)
class IndicatorResult:
    """The 23 indicators for one reporting date, the participant counts and completeness report.

    `completeness` has one row per incomplete participant: `row` (in the file, if any),
    `participant_ref`, `organisation` and `missing` (the core data it lacks, in spec order).
    """

    as_of: date
    participants: ParticipantCounts
    indicators: tuple[IndicatorRow, ...]
    completeness: pl.DataFrame = field(repr=False, compare=False)
    rules: IndicatorRules = field(default_factory=IndicatorRules, repr=False)
    suppressed_below: int | None = None

    def indicator(self, code: str) -> IndicatorRow:
        for row in self.indicators:
            if row.code == code:
                return row
        raise KeyError(code)

    def suppress(
        self,
        threshold: int = DEFAULT_THRESHOLD,
        *,
        hidden: Iterable[tuple[str, str]] = (),
    ) -> IndicatorResult:
        """Hide counts 1..threshold-1 and the cells that would reveal them; drop the
        completeness report (it names participants). `hidden` cells, `(code, column)`, are
        hidden whatever their count (and protected like the small ones)."""
        cells: dict[tuple[str, str], int] = {}
        for row in self.indicators:
            for col in ("total", *GENDERS):
                cells[(row.code, col)] = _require_int(getattr(row, col))
        for name, value in self.participants.as_dict().items():
            cells[("participants", name)] = _require_int(value)
        relations: list[tuple[tuple[str, str], ...]] = [
            tuple((row.code, col) for col in ("total", *GENDERS)) for row in self.indicators
        ]
        for col in ("total", *GENDERS):
            # Partitions of all reportable participants: status at entry, and education level.
            relations.append(tuple((c, col) for c in ("EECO01", "EECO02", "EECO04", "EECO05")))
            relations.append(tuple((c, col) for c in ("EECO01", "EECO09", "EECO10", "EECO11")))
        relations.append(
            tuple(
                ("participants", n) for n in ("read", "reportable", "incomplete", "not_yet_started")
            )
        )
        relations.append((("participants", "reportable"), ("EECO01", "total")))
        shown = suppress_cells(cells, relations, threshold=threshold, hidden=hidden)
        indicators = tuple(
            IndicatorRow(
                r.code,
                r.name,
                *(shown[(r.code, c)] for c in ("total", *GENDERS)),
            )
            for r in self.indicators
        )
        participants = ParticipantCounts(
            **{n: shown[("participants", n)] for n in self.participants.as_dict()}
        )
        return replace(
            self,
            indicators=indicators,
            participants=participants,
            completeness=self.completeness.clear(),
            suppressed_below=threshold,
        )

    def with_cells(self, values: Mapping[tuple[str, str], int | None]) -> IndicatorResult:
        """The result with the given cells, `(code, column)`, replaced (None hides one)."""
        rows = []
        for row in self.indicators:
            current = row.as_dict()
            for column in ("total", *GENDERS):
                if (row.code, column) in values:
                    current[column] = values[(row.code, column)]
            rows.append(IndicatorRow(**current))
        return replace(self, indicators=tuple(rows))

    def to_dict(self) -> dict[str, Any]:
        """The spec's JSON object; plus the completeness report when not suppressed."""
        out: dict[str, Any] = {
            "as_of": self.as_of.isoformat(),
            "participants": self.participants.as_dict(),
            "indicators": [row.as_dict() for row in self.indicators],
        }
        if self.suppressed_below is not None:
            out["suppressed_below"] = self.suppressed_below
        else:
            out["incomplete_participants"] = self.completeness.to_dicts()
        return out

    def to_json(self, *, indent: int | None = 2) -> str:
        data = self.to_dict()
        report = self.completeness
        if indent != 2 or not data.get("incomplete_participants") or report.schema != _REPORT:
            return json.dumps(data, ensure_ascii=False, indent=indent)
        # `json` indents in pure Python, token by token (a tenth of a second for a report of
        # 30 000 rows); the report's rows are written here as json would write them.
        data["incomplete_participants"] = []
        head = json.dumps(data, ensure_ascii=False, indent=2)
        empty = '"incomplete_participants": []\n}'
        assert head.endswith(empty)  # noqa: S101 - the report is the last key
        rows = _report_text(report)
        if rows is None:
            rows = ",\n".join(_report_rows(report))
        return "".join((head[: -len(empty)], '"incomplete_participants": [\n', rows, "\n  ]\n}"))

    def to_frame(self) -> pl.DataFrame:
        """The indicator table (suppressed cells are null)."""
        return pl.DataFrame(
            [row.as_dict() for row in self.indicators],
            schema={
                "code": pl.String,
                "name": pl.String,
                **dict.fromkeys(("total", *GENDERS), pl.Int64),
            },
        )

    def to_csv(self) -> str:
        """The indicator table as CSV text; a suppressed cell is empty."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(_TABLE_COLUMNS)
        for row in self.indicators:
            writer.writerow(safe_row("" if v is None else v for v in row.as_dict().values()))
        return buffer.getvalue()

    def write_xlsx(self, target: str | Path | IO[bytes]) -> None:
        """Sheets: indicators, participants, and (unsuppressed) the completeness report."""
        workbook = xlsx_workbook(target)
        try:
            bold = workbook.add_format({"bold": True})
            sheet = workbook.add_worksheet("indicators")
            xlsx_write_row(sheet, 0, 0, _TABLE_COLUMNS, bold)
            for i, row in enumerate(self.indicators, start=1):
                xlsx_write_row(sheet, i, 0, row.as_dict().values())
            sheet.set_column(1, 1, 60)
            counts = workbook.add_worksheet("participants")
            xlsx_write_row(counts, 0, 0, ("as_of", self.as_of.isoformat()), bold)
            for i, (name, value) in enumerate(self.participants.as_dict().items(), start=1):
                xlsx_write_row(counts, i, 0, (name, value))
            if self.suppressed_below is not None:
                xlsx_write_row(counts, 6, 0, ("suppressed_below", self.suppressed_below))
            else:
                report = workbook.add_worksheet("incomplete")
                xlsx_write_row(
                    report, 0, 0, ("row", "participant_ref", "organisation", "missing"), bold
                )
                for i, rec in enumerate(self.completeness.iter_rows(), start=1):
                    row_no, ref, org, missing = rec
                    xlsx_write_row(report, i, 0, (row_no, ref, org, ", ".join(missing)))
        finally:
            workbook.close()


#: The completeness report's columns, whose rows `IndicatorResult.to_json` writes itself.
_REPORT = pl.Schema(
    {
        "row": pl.Int64(),
        "participant_ref": pl.String(),
        "organisation": pl.String(),
        "missing": pl.List(pl.String()),
    }
)


#: Characters json escapes in a string (with ensure_ascii=False): quote, backslash, controls.
_JSON_ESCAPED = r'["\\\x00-\x1f]'


def _report_text(report: pl.DataFrame) -> str | None:
    """The rows of `_report_rows`, joined, built column-wise by Polars (a tenth of a second
    less than Python's loop at 30 000 rows); None when some string needs escaping, which
    json's own encoder then does row by row."""
    col = pl.col
    texts = [col("participant_ref"), col("organisation")]
    needs_escape = report.select(
        pl.any_horizontal(
            *[t.str.contains(_JSON_ESCAPED).any() for t in texts],
            col("missing").explode().str.contains(_JSON_ESCAPED).any(),
        )
    ).item()
    if needs_escape:
        return None

    def quoted(text: pl.Expr) -> pl.Expr:
        return pl.concat_str(pl.lit('"'), text, pl.lit('"')).fill_null("null")

    element = pl.element()
    entries = (
        col("missing")
        .list.eval(pl.concat_str(pl.lit("        "), quoted(element)))
        .list.join(",\n")
    )
    listed = (
        pl.when(col("missing").list.len() == 0)
        .then(pl.lit("[]"))
        .otherwise(pl.concat_str(pl.lit("[\n"), entries, pl.lit("\n      ]")))
        .fill_null("null")
    )
    keys = [f"      {json.encoder.encode_basestring(name)}: " for name in report.columns]
    rows = report.select(
        pl.concat_str(
            pl.lit(f"    {{\n{keys[0]}"),
            col("row").cast(pl.String).fill_null("null"),
            pl.lit(f",\n{keys[1]}"),
            quoted(col("participant_ref")),
            pl.lit(f",\n{keys[2]}"),
            quoted(col("organisation")),
            pl.lit(f",\n{keys[3]}"),
            listed,
            pl.lit("\n    }"),
        )
    ).to_series()
    return str(rows.str.join(",\n").item())


def _report_rows(report: pl.DataFrame) -> Iterable[str]:
    """Each row of the report as `json.dumps(..., indent=2)` writes it two levels deep."""
    text = json.encoder.encode_basestring  # json's own, for ensure_ascii=False

    def value(v: str | int | None) -> str:
        return "null" if v is None else text(v) if isinstance(v, str) else int.__repr__(v)

    keys = [f"      {text(name)}: " for name in report.columns]
    for row, ref, organisation, missing in report.iter_rows():
        if missing is None:
            listed = "null"
        elif missing:
            listed = "[\n" + ",\n".join(f"        {value(m)}" for m in missing) + "\n      ]"
        else:
            listed = "[]"
        yield (
            f"    {{\n{keys[0]}{value(row)},\n{keys[1]}{value(ref)},\n"
            f"{keys[2]}{value(organisation)},\n{keys[3]}{listed}\n    }}"
        )


def _require_int(value: int | None) -> int:
    if value is None:
        raise ValueError("the result is already suppressed")
    return value


def compute_indicators(
    participants: pl.DataFrame | pl.LazyFrame,
    *,
    as_of: date,
    rules: IndicatorRules | None = None,
    municipality_groups: Mapping[str, str] | None = None,
) -> IndicatorResult:
    """Compute all 23 indicators with gender breakdown for the reporting date `as_of`.

    `participants` has the columns of `participant_file.participant_schema()`; absent optional
    columns count as empty. `municipality_groups` maps municipality codes to SKR 2023 groups
    (default: the packaged reference data).
    """
    rules = rules or IndicatorRules()
    lf = _conform(participants.lazy())
    if municipality_groups is None:
        municipality_groups = {c: m.skr_group_2023 for c, m in municipality_by_code().items()}
    rural_codes = sorted(c for c, g in municipality_groups.items() if g in rules.rural_skr_groups)

    started = pl.col("entry_date").is_not_null() & (pl.col("entry_date") <= as_of)
    missing = _missing_core()
    incomplete_any = pl.any_horizontal(missing.values())
    flagged = lf.with_columns(
        started.alias("_started"),
        (started & ~incomplete_any).alias("_reportable"),
        (started & incomplete_any).alias("_incomplete"),
    )
    counts_row = flagged.select(
        pl.len().alias("read"),
        pl.col("_reportable").sum().alias("reportable"),
        pl.col("_incomplete").sum().alias("incomplete"),
        (~pl.col("_started")).sum().alias("not_yet_started"),
    )
    conditions = _conditions(as_of=as_of, rules=rules, rural_codes=rural_codes)
    # Shared intermediate columns first (age, left, windows), then one flat boolean column per
    # indicator, then plain sums per gender: each step is a fast columnar kernel.
    by_gender = (
        flagged.filter("_reportable")
        .with_columns(**_derived(as_of=as_of, rules=rules))
        .select("gender", *[cond.fill_null(False).alias(code) for code, cond in conditions.items()])
        .group_by("gender")
        .agg(pl.col(code).sum() for code in conditions)
    )
    completeness = (
        flagged.filter("_incomplete")
        .select(
            "row",
            "participant_ref",
            "organisation",
            pl.concat_list([pl.when(m).then(pl.lit(name)) for name, m in missing.items()])
            .list.drop_nulls()
            .alias("missing"),
        )
        .sort("row", nulls_last=True)
    )
    counts_df, by_gender_df, completeness_df = pl.collect_all([counts_row, by_gender, completeness])
    counts = ParticipantCounts(**{k: int(v) for k, v in counts_df.row(0, named=True).items()})
    per_gender = {rec["gender"]: rec for rec in by_gender_df.iter_rows(named=True)}
    rows = []
    for code, name in INDICATORS:
        values = [int(per_gender.get(g, {}).get(code) or 0) for g in GENDERS]
        rows.append(IndicatorRow(code, name, sum(values), *values))
    return IndicatorResult(
        as_of=as_of,
        participants=counts,
        indicators=tuple(rows),
        completeness=completeness_df,
        rules=rules,
    )


# Indicators decided by characteristics at entry alone (no age, exit or follow-up window).
ENTRY_CODES = frozenset(
    {"EECO01", "EECO02", "EECO04", "EECO05", "EECO09", "EECO10", "EECO11"}
    | {"EECO12", "EECO13", "EECO14", "EECO15", "EECO16"}
)


def entry_flags(
    participants: pl.DataFrame | pl.LazyFrame,
    *,
    rules: IndicatorRules | None = None,
    codes: Sequence[str] = (),
) -> pl.LazyFrame:
    """The participants with `_complete` (every core datum present: reportable once started)
    and one boolean column per code of `codes` (entry-characteristic indicators only), with
    the same conditions as `compute_indicators`."""
    unknown = set(codes) - ENTRY_CODES
    if unknown:
        raise ValueError(f"not an indicator of entry characteristics: {sorted(unknown)}")
    lf = _conform(participants.lazy())
    complete = ~pl.any_horizontal(_missing_core().values())
    conditions = _conditions(as_of=date.max, rules=rules or IndicatorRules(), rural_codes=[])
    return lf.with_columns(
        complete.alias("_complete"), *[conditions[c].fill_null(False).alias(c) for c in codes]
    )


def _conform(lf: pl.LazyFrame) -> pl.LazyFrame:
    schema = participant_schema()
    present = set(lf.collect_schema().names())
    return lf.with_columns(
        pl.lit(None, dtype).alias(name) for name, dtype in schema.items() if name not in present
    )


def _missing_core() -> dict[str, pl.Expr]:
    missing = {name: pl.col(name).is_null() for name in CORE_COLUMNS}
    # Gender must be one of the three reported categories to be usable.
    missing["gender"] = ~pl.col("gender").is_in(GENDERS).fill_null(False)
    missing["lm_status_entry"] = ~pl.col("lm_status_entry").is_in(LM_STATUSES).fill_null(False)
    missing["unemployed_months"] = (pl.col("lm_status_entry") == "unemployed").fill_null(
        False
    ) & pl.col("unemployed_months").is_null()
    return missing


def age_on(day: pl.Expr, birth: pl.Expr) -> pl.Expr:
    """Completed years on `day` (a birthday on 29 February is reached on 1 March).

    On YYYYMMDD integers, floor((day - birth) / 10000) is the year difference less one when the
    birthday has not come yet that year.
    """

    def ymd(d: pl.Expr) -> pl.Expr:  # Int32 first: dt.month() is Int8 and would overflow
        return (
            d.dt.year().cast(pl.Int32) * 10_000
            + d.dt.month().cast(pl.Int32) * 100
            + d.dt.day().cast(pl.Int32)
        )

    return (ymd(day) - ymd(birth)) // 10_000


def _derived(*, as_of: date, rules: IndicatorRules) -> dict[str, pl.Expr]:
    """Intermediate columns the indicator conditions share."""
    col = pl.col
    left = col("exit_date").is_not_null() & (col("exit_date") <= as_of)
    # An empty exit_observed_on means the situation was recorded on the exit day.
    observed = pl.coalesce(col("exit_observed_on"), col("exit_date"))
    observed_days = (observed - col("exit_date")).dt.total_days()
    followup = col("followup_observed_on")
    followup_days = (followup - col("exit_date")).dt.total_days()
    return {
        "_age": age_on(col("entry_date"), col("birth_date")),
        "_upon_leaving": left
        & (observed <= as_of)
        & observed_days.is_between(0, rules.exit_observation_days),
        "_followup_in_window": left
        & (followup <= as_of)
        & followup_days.is_between(rules.followup_min_days, rules.followup_max_days),
    }


def _conditions(
    *, as_of: date, rules: IndicatorRules, rural_codes: list[str]
) -> dict[str, pl.Expr]:
    """Per indicator, when a reportable participant counts (uses the `_derived` columns)."""
    col = pl.col
    status = col("lm_status_entry")
    age = col("_age")
    unemployed = status == "unemployed"
    months = col("unemployed_months")
    long_term = unemployed & (
        (months >= rules.long_term_unemployed_months)
        | ((age < rules.youth_age_below) & (months >= rules.long_term_unemployed_months_youth))
    )
    not_third = EU_MEMBER_STATES | (frozenset() if rules.eea_swiss_are_third_country else EEA_SWISS)
    # Citizenship as the reader gives it: upper-case ISO codes, `stateless` or `unknown`.
    citizenship = col("citizenship")
    third_country = citizenship.is_not_null() & ~citizenship.is_in(sorted(not_third))
    rural = (
        pl.when(col("rural").is_not_null())
        .then(col("rural"))
        .otherwise(col("municipality_code").is_in(rural_codes))
    )
    upon_leaving = col("_upon_leaving")
    in_window = col("_followup_in_window")

    def population(code: str) -> pl.Expr:
        return status.is_in(sorted(rules.result_populations[code]))

    def yes(name: str) -> pl.Expr:  # an empty boolean is unknown, which does not count
        return col(name).fill_null(False)

    return {
        "EECO01": col("gender").is_not_null(),
        "EECO02": unemployed,
        "EECO03": long_term,
        "EECO04": status == "inactive",
        "EECO05": status.is_in(["employed", "self_employed"]),
        "EECO06": age < 18,
        "EECO07": age.is_between(18, 29),
        "EECO08": age >= 55,
        "EECO09": col("isced") <= 2,
        "EECO10": col("isced").is_between(3, 4),
        "EECO11": col("isced") >= 5,
        "EECO12": col("disability") == "yes",
        "EECO13": third_country,
        "EECO14": yes("born_abroad") | (col("parents_born_abroad") == 2).fill_null(False),
        "EECO15": col("minority") == "yes",
        "EECO16": yes("homeless"),
        "EECO17": rural,
        "EECR01": upon_leaving & yes("exit_job_searching") & population("EECR01"),
        "EECR02": upon_leaving & yes("exit_in_education") & population("EECR02"),
        "EECR03": upon_leaving & yes("exit_qualification") & population("EECR03"),
        "EECR04": upon_leaving & yes("exit_employed") & population("EECR04"),
        "EECR05": in_window & yes("followup_employed") & population("EECR05"),
        "EECR06": in_window & yes("followup_improved") & population("EECR06"),
    }
