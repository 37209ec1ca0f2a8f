"""Monthly income files (CSV or XLSX): read and validate every row (pure, no Django).

Columns (header in the first row, any order, any case): `participant_ref`, `month` (YYYY-MM, or
a date of that month), `source` and `amount` (whole kronor before tax, zero or more; spaces as
thousands separators allowed). A file with any error is refused whole: every error names its
row and column, like the participant file's (`participant_file.FileIssue`). A month and source
given twice for the same participant is an error on both rows.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from emplus.core.tabular import LOCAL_LIMITS, TableTooLarge, TabularLimits
from emplus.evidence_core.income_stability import Month
from emplus.evidence_core.participant_file import (
    FileIssue,
    Source,
    _guess_format,
    _UnreadableFile,
    read_raw_table,
)

__all__ = ["COLUMNS", "IncomeFile", "IncomeRow", "read_income_file"]

COLUMNS = ("participant_ref", "month", "source", "amount")
MAX_AMOUNT = 10_000_000


@dataclass(frozen=True)
class IncomeRow:
    row: int
    participant_ref: str
    month: Month
    source: str
    amount: int


@dataclass(frozen=True)
class IncomeFile:
    errors: tuple[FileIssue, ...]
    rows: tuple[IncomeRow, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def _amount(text: str) -> int:
    value = float(text.replace("\u00a0", "").replace(" ", "").replace(",", "."))
    if not math.isfinite(value) or value < 0 or value > MAX_AMOUNT or value != int(value):
        raise ValueError
    return int(value)


def read_income_file(
    source: Source,
    *,
    sources: Collection[str],
    file_format: Literal["csv", "xlsx"] | None = None,
    limits: TabularLimits | None = None,
) -> IncomeFile:
    """Every row of an income file, or every error; `sources` are the accepted source codes."""
    try:
        raw = read_raw_table(source, file_format or _guess_format(source), limits or LOCAL_LIMITS)
    except (TableTooLarge, _UnreadableFile) as exc:
        return IncomeFile(
            errors=(FileIssue(str(exc), code="unreadable", params=(("detail", str(exc)),)),),
            rows=(),
        )
    if raw.height == 0:
        return IncomeFile(errors=(FileIssue("the file is empty", code="empty"),), rows=())
    cells = [c for c in raw.columns if c != "row"]
    header = {
        str(raw[c][0]).strip().lower(): c
        for c in cells
        if raw[c][0] is not None and raw[c][0] != ""
    }
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        return IncomeFile(
            errors=tuple(
                FileIssue(
                    f"the column {name} is missing",
                    code="column_missing",
                    params=(("column", name),),
                )
                for name in missing
            ),
            rows=(),
        )
    errors: list[FileIssue] = []
    rows: list[IncomeRow] = []
    seen: dict[tuple[str, Month, str], int] = {}
    for record in raw.slice(1).iter_rows(named=True):
        number = int(record["row"])
        values = {name: (record[header[name]] or "").strip() for name in COLUMNS}
        if not any(values.values()):
            continue  # an empty line
        row_errors = []
        if not values["participant_ref"]:
            row_errors.append(
                FileIssue(
                    "a participant reference is required",
                    number,
                    "participant_ref",
                    code="ref_required",
                )
            )
        month = None
        try:
            month = Month.parse(values["month"])
        except ValueError:
            row_errors.append(
                FileIssue("expected a month as YYYY-MM", number, "month", code="month_format")
            )
        if values["source"] not in sources:
            row_errors.append(
                FileIssue(
                    f"expected one of {', '.join(sorted(sources))}",
                    number,
                    "source",
                    code="source_unknown",
                    params=(("choices", ", ".join(sorted(sources))),),
                )
            )
        amount = None
        try:
            amount = _amount(values["amount"])
        except ValueError:
            row_errors.append(
                FileIssue(
                    "expected whole kronor, zero or more", number, "amount", code="amount_format"
                )
            )
        if row_errors or month is None or amount is None:
            errors.extend(row_errors)
            continue
        key = (values["participant_ref"], month, values["source"])
        if key in seen:
            errors.append(
                FileIssue(
                    f"the same participant, month and source as row {seen[key]}",
                    number,
                    "month",
                    code="duplicate",
                    params=(("row", seen[key]),),
                )
            )
            continue
        seen[key] = number
        rows.append(IncomeRow(number, values["participant_ref"], month, values["source"], amount))
    if not rows and not errors:
        errors.append(FileIssue("the file has no income rows", code="no_rows"))
    return IncomeFile(errors=tuple(errors), rows=() if errors else tuple(rows))
