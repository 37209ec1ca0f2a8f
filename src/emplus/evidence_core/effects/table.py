"""Reading a table (CSV, XLSX, Parquet) and turning its columns into model arrays."""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from emplus.core.tabular import (
    LOCAL_LIMITS,
    TableTooLarge,
    TabularLimits,
    check_columns,
    check_size,
    xlsx_frame,
)
from emplus.evidence_core.effects.errors import EffectInputError

#: Text values accepted as "took part" / "did not take part" (compared case-insensitively).
TRUE_WORDS = frozenset({"1", "1.0", "yes", "true", "ja", "sant", "y", "j"})
FALSE_WORDS = frozenset({"0", "0.0", "no", "false", "nej", "falskt", "n"})
NULL_WORDS = ["", "NA", "N/A", "na", "n/a", "NaN", "nan", "null", "NULL", "None"]
#: A text covariate with more levels than this is almost surely an identifier, not a category.
MAX_LEVELS = 200

_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+(,\d+)?\s*$")


def read_table(
    path: str | Path,
    limits: TabularLimits = LOCAL_LIMITS,
    *,
    columns: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Read a CSV (``,``/``;``/tab separated), XLSX or Parquet file into a Polars frame,
    bounded by `limits` (`core.tabular`; the default is for an operator's own files).

    `columns` names the columns the caller will use: a CSV that has every one of them (and no
    repeated name) is read with those alone, which spares parsing the others; otherwise, and
    for the other formats, every column is read (so a missing one is reported with the
    table's columns)."""
    path = Path(path)
    if not path.is_file():
        raise EffectInputError(f"file not found: {path}")
    suffix = path.suffix.lower()
    try:
        check_size(path.stat().st_size, limits)
        if suffix in {".parquet", ".pq"}:
            return pl.read_parquet(path)
        if suffix in {".xlsx", ".xlsm"}:
            return xlsx_frame(path, limits)
        if suffix in {".csv", ".txt", ".tsv", ""}:
            return _read_csv(path, limits, columns)
    except TableTooLarge as exc:
        raise EffectInputError(f"{path.name}: {exc}") from exc
    except EffectInputError:
        raise
    except Exception as exc:  # any parser failure becomes a user message
        raise EffectInputError(f"could not read {path.name}: {exc}") from exc
    raise EffectInputError(f"unsupported file type {suffix!r}: use CSV, XLSX or Parquet")


def _read_csv(
    path: Path, limits: TabularLimits = LOCAL_LIMITS, columns: Sequence[str] | None = None
) -> pl.DataFrame:
    source: Path | bytes = path
    if _is_utf8(path):
        # Polars reads the file itself, not a copy of it.
        with path.open("rb") as fh:
            header = fh.readline().split(b"\n", 1)[0]
    else:
        # Swedish Excel on Windows still saves CSV as cp1252.
        source = path.read_bytes().decode("cp1252").encode("utf-8")
        header = source.split(b"\n", 1)[0]
    separator = max((",", ";", "\t"), key=lambda sep: header.count(sep.encode()))
    check_columns(header.count(separator.encode()) + 1, limits)
    options: dict[str, Any] = {
        "separator": separator,
        "null_values": NULL_WORDS,
        "try_parse_dates": False,
        "n_rows": None if limits.max_rows is None else limits.max_rows + 1,
    }
    if columns is not None:
        names = pl.read_csv(_readable(source), **(options | {"n_rows": 1})).columns
        wanted = list(dict.fromkeys(columns))
        if len(set(names)) == len(names) and set(wanted) <= set(names):
            options["columns"] = wanted
    try:
        frame = pl.read_csv(_readable(source), infer_schema_length=10_000, **options)
    except pl.exceptions.ComputeError:
        # A late row did not fit the type guessed from the first rows: scan the whole file.
        frame = pl.read_csv(_readable(source), infer_schema_length=None, **options)
    if limits.max_rows is not None and frame.height > limits.max_rows:
        raise TableTooLarge("rows", limit=limits.max_rows)
    if separator != ",":
        frame = _decimal_comma_to_float(frame)
    return frame


def _is_utf8(path: Path, block: int = 1 << 20) -> bool:
    """Whether the file is valid UTF-8, read a block at a time into one buffer (the whole file
    in memory would be as large as the file, in fresh pages). ASCII is UTF-8 and far cheaper to
    establish than decoding: blocks are decoded only from the first one that is not ASCII."""
    buffer = bytearray(block)
    view = memoryview(buffer)
    decoder = None
    with path.open("rb") as fh:
        while size := fh.readinto(buffer):
            if decoder is None:
                if (buffer if size == block else buffer[:size]).isascii():
                    continue
                decoder = codecs.getincrementaldecoder("utf-8")()
            try:
                decoder.decode(view[:size])
            except UnicodeDecodeError:
                return False
    try:
        if decoder is not None:
            decoder.decode(b"", final=True)  # a character cut off at the end of the file
    except UnicodeDecodeError:
        return False
    return True


def _readable(source: Path | bytes) -> Path | io.BytesIO:
    return source if isinstance(source, Path) else io.BytesIO(source)


def _decimal_comma_to_float(frame: pl.DataFrame) -> pl.DataFrame:
    """Turn text columns written with a decimal comma (``1,5``) into floats."""
    converted = []
    for name, dtype in frame.schema.items():
        if dtype != pl.String:
            continue
        values = frame[name].drop_nulls()
        if values.len() and values.str.contains(",").any():
            sample = values.head(1000).to_list()
            if all(_DECIMAL_COMMA.match(v) for v in sample):
                converted.append(name)
    if not converted:
        return frame
    return frame.with_columns(
        pl.col(name).str.strip_chars().str.replace(",", ".", literal=True).cast(pl.Float64)
        for name in converted
    )


@dataclass(frozen=True)
class PreparedData:
    """Model arrays built from a table; rows with any missing value already left out."""

    treated: np.ndarray  #: bool, one per kept row
    outcome: np.ndarray  #: float64
    outcome_before: np.ndarray | None  #: float64, only for difference in differences
    covariates: np.ndarray  #: float64 (rows, columns); text columns one-hot, all levels
    covariate_names: list[str]
    model_columns: np.ndarray  #: indices of ``covariates`` used in models (one level dropped)
    n_missing: int

    @property
    def n_treated(self) -> int:
        return int(self.treated.sum())

    @property
    def n_control(self) -> int:
        return int(self.treated.size - self.treated.sum())


def prepare(
    frame: pl.DataFrame,
    *,
    treatment: str,
    outcome: str,
    covariates: Sequence[str],
    outcome_before: str | None = None,
) -> PreparedData:
    """Check the columns, drop and count incomplete rows, and build numeric arrays."""
    covariates = list(covariates)
    _check_columns(frame, treatment, outcome, covariates, outcome_before)
    used = [treatment, outcome, *([outcome_before] if outcome_before else []), *covariates]
    frame = frame.select(used)
    # NaN in a float column is as missing as a null.
    frame = frame.with_columns(
        pl.col(name).fill_nan(None)
        for name, dtype in frame.schema.items()
        if dtype in (pl.Float32, pl.Float64)
    )
    treated_all = _parse_binary(frame[treatment], treatment, role="treatment")
    frame = frame.with_columns(treated_all.alias(treatment))
    for name in [outcome, *([outcome_before] if outcome_before else [])]:
        frame = frame.with_columns(_parse_outcome(frame[name], name).alias(name))
    n_rows = frame.height
    if any(frame.null_count().row(0)):  # most tables have none: filtering would copy them
        frame = frame.drop_nulls()
    n_missing = n_rows - frame.height
    numeric_outcome = frame[outcome].cast(pl.Float64).to_numpy()
    if not np.isfinite(numeric_outcome).all():
        raise EffectInputError(f"outcome column {outcome!r} holds infinite values")
    names: list[str] = []
    model_columns: list[int] = []
    encoded = [_encode_covariate(frame[name], name) for name in covariates]
    # Filled in place: stacking one block per covariate would hold the matrix twice.
    x = np.empty((frame.height, sum(len(col_names) for col_names, _, _ in encoded)))
    for col_names, values, keep in encoded:
        start = len(names)
        model_columns.extend(start + i for i in keep)
        names.extend(col_names)
        if values.dtype.kind == "f":
            x[:, start] = values
        else:  # one-hot from the level codes
            block = x[:, start : len(names)]
            block[...] = 0.0
            block[np.arange(values.size), values] = 1.0
    if not np.isfinite(x).all():
        raise EffectInputError("a covariate holds infinite values")
    before = None
    if outcome_before:
        before = frame[outcome_before].cast(pl.Float64).to_numpy()
    return PreparedData(
        treated=frame[treatment].to_numpy().astype(bool),
        outcome=numeric_outcome,
        outcome_before=before,
        covariates=np.ascontiguousarray(x, dtype=np.float64),
        covariate_names=names,
        model_columns=np.asarray(model_columns, dtype=np.intp),
        n_missing=n_missing,
    )


def _check_columns(
    frame: pl.DataFrame,
    treatment: str,
    outcome: str,
    covariates: list[str],
    outcome_before: str | None,
) -> None:
    wanted = [treatment, outcome, *([outcome_before] if outcome_before else []), *covariates]
    missing = [name for name in wanted if name not in frame.columns]
    if missing:
        raise EffectInputError(
            f"column(s) not in the table: {', '.join(missing)}; "
            f"the table has: {', '.join(frame.columns)}"
        )
    named = [treatment, outcome, *([outcome_before] if outcome_before else [])]
    if len(set(named)) < len(named):
        raise EffectInputError("the treatment and outcome columns must all be different")
    roles = {treatment: "treatment", outcome: "outcome"}
    if outcome_before:
        roles[outcome_before] = "outcome before"
    for name in covariates:
        if name in roles:
            raise EffectInputError(f"column {name!r} is the {roles[name]} and a covariate")
    duplicates = sorted({name for name in covariates if covariates.count(name) > 1})
    if duplicates:
        raise EffectInputError(f"covariate(s) named twice: {', '.join(duplicates)}")


def _parse_binary(column: pl.Series, name: str, *, role: str) -> pl.Series:
    """Map 1/0, yes/no, true/false, ja/nej (any case) to booleans; nulls stay null."""
    dtype = column.dtype
    if dtype == pl.Boolean:
        return column
    if dtype.is_numeric():
        values = column.cast(pl.Float64).fill_nan(None)
        bad = column.filter(values.is_not_null() & (values != 0) & (values != 1))
        if bad.len():
            _refuse_values(bad.unique().sort().to_list(), name, role)
        return values == 1
    text = column.cast(pl.String).str.strip_chars().str.to_lowercase()
    known = text.is_in(list(TRUE_WORDS | FALSE_WORDS)) | text.is_null()
    if not known.all():
        bad_values = column.filter(~known).unique().sort().to_list()
        _refuse_values(bad_values, name, role)
    return _text_to_bool(text)


def _text_to_bool(text: pl.Series) -> pl.Series:
    return pl.select(
        pl.when(text.is_null()).then(None).otherwise(text.is_in(list(TRUE_WORDS)))
    ).to_series()


def _refuse_values(values: list[object], name: str, role: str) -> None:
    shown = ", ".join(repr(v) for v in values[:5])
    more = f" and {len(values) - 5} more" if len(values) > 5 else ""
    raise EffectInputError(
        f"{role} column {name!r} must be binary (1/0, yes/no, true/false, ja/nej); "
        f"found {shown}{more}"
    )


def _parse_outcome(column: pl.Series, name: str) -> pl.Series:
    """Numeric and boolean outcomes are used as they are; yes/no text becomes 1/0."""
    if column.dtype == pl.Boolean or column.dtype.is_numeric():
        return column.cast(pl.Float64)
    if column.dtype == pl.String:
        parsed = _parse_binary(column, name, role="outcome")
        return parsed.cast(pl.Float64)
    raise EffectInputError(f"outcome column {name!r} must be numeric or yes/no, not {column.dtype}")


def _encode_covariate(column: pl.Series, name: str) -> tuple[list[str], np.ndarray, list[int]]:
    """Return names, the values (floats; the level codes of a text column, one-hot in
    `prepare`) and which of the named columns enter the models."""
    dtype = column.dtype
    if dtype == pl.Boolean or dtype.is_numeric():
        return [name], column.cast(pl.Float64).to_numpy(), [0]
    if dtype in (pl.String, pl.Categorical, pl.Enum):
        text = column.cast(pl.String)
        levels = text.unique().sort().to_list()
        if len(levels) > MAX_LEVELS:
            raise EffectInputError(
                f"text covariate {name!r} has {len(levels)} different values; "
                f"at most {MAX_LEVELS} categories are allowed"
            )
        codes = text.cast(pl.Enum(levels)).to_physical().to_numpy()
        # The first level is the reference: with an intercept all levels would be collinear.
        return [f"{name}={level}" for level in levels], codes, list(range(1, len(levels)))
    raise EffectInputError(
        f"covariate {name!r} has type {dtype}; use numbers, true/false or text categories"
    )
