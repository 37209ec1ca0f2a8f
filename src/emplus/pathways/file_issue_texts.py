"""The participant file's errors and warnings in the reader's language: the file reader and
the import give codes and parameters (`FileIssue`), translated here at the edge; the English
message stays for the command line and the logs."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from emplus.evidence_core.participant_file import FileIssue

# A page lists this many errors (and as many warnings); a file with more gets a summary by
# column and kind of error too, so that a file of 100 000 bad rows stays a page that opens.
ISSUES_SHOWN = 200
SUMMARY_FROM = 20


@dataclass(frozen=True)
class ShownIssue:
    row: int | None
    column: str | None
    message: str


@dataclass(frozen=True)
class IssueGroup:
    """The issues of one column and kind: how many, where first, and the first one's text."""

    column: str | None
    count: int
    first_row: int | None
    example: str


@dataclass(frozen=True)
class ShownIssues:
    """What a page shows of a check's errors or warnings."""

    listed: list[ShownIssue]
    total: int
    groups: list[IssueGroup]

    @property
    def more(self) -> int:
        return self.total - len(self.listed)


def shown_in(texts: Mapping[str, str], issues: Iterable[FileIssue]) -> list[ShownIssue]:
    """The issues as a page shows them, by `texts` (code → text with %(name)s parameters); an
    issue whose code has no text keeps its own message."""
    return [
        ShownIssue(
            issue.row,
            issue.column,
            texts[issue.code] % dict(issue.params) if issue.code in texts else issue.message,
        )
        for issue in issues
    ]


def shown(issues: Iterable[FileIssue]) -> list[ShownIssue]:
    """A participant file's issues in the request's language."""
    return shown_in(_texts(), issues)


def shown_page(issues: Sequence[FileIssue], texts: Mapping[str, str] | None = None) -> ShownIssues:
    """The first `ISSUES_SHOWN` issues in the request's language (by `texts`, default the
    participant file's) and, from `SUMMARY_FROM` issues on, one group per column and kind in
    the order of their first row."""
    texts = _texts() if texts is None else texts
    groups: list[IssueGroup] = []
    if len(issues) >= SUMMARY_FROM:
        firsts: dict[tuple[str | None, str], FileIssue] = {}
        counts: dict[tuple[str | None, str], int] = {}
        for issue in issues:
            key = (issue.column, issue.code or issue.message)
            firsts.setdefault(key, issue)
            counts[key] = counts.get(key, 0) + 1
        groups = [
            IssueGroup(first.column, counts[key], first.row, shown_in(texts, [first])[0].message)
            for key, first in firsts.items()
        ]
        groups.sort(key=lambda g: (g.first_row or 0, -g.count))
    return ShownIssues(shown_in(texts, issues[:ISSUES_SHOWN]), len(issues), groups)


def issues_to_json(issues: Iterable[FileIssue]) -> bytes:
    """Issues as kept between requests (translated when shown, in the language of then)."""
    return json.dumps(
        [[i.message, i.row, i.column, i.code, [list(p) for p in i.params]] for i in issues]
    ).encode()


def issues_from_json(data: bytes) -> list[FileIssue]:
    return [
        FileIssue(message, row, column, code, tuple((name, value) for name, value in params))
        for message, row, column, code, params in json.loads(data)
    ]


def _texts() -> dict[str, str]:
    # Built per call: gettext must run in the request's language.
    return _bad_cells() | {
        # The file as a whole
        "empty_file": _("The file is empty: expected a header row naming the columns."),
        "not_utf8": _("The file is not text in UTF-8. Save it as CSV UTF-8 or as XLSX."),
        "not_csv": _("The file cannot be read as CSV: %(detail)s"),
        "not_xlsx": _("The file cannot be read as XLSX (%(detail)s)."),
        "header_empty": _("The header row is empty; expected the column names."),
        # The header
        "unnamed_column": _("A column without a name; ignored."),
        "unknown_column": _("Unknown column; ignored."),
        "duplicate_column": _(
            "The column appears more than once (columns %(first)s and %(second)s)."
        ),
        "missing_column": _("A required column is missing."),
        # The rows
        "extra_fields": _(
            "The row has more fields than the header's %(columns)s columns, found %(value)s."
        ),
        "ref_too_long": _("Longer than %(limit)s characters, found %(length)s characters."),
        "required_missing": _("A required value is missing."),
        "personal_id_format": _(
            "Not a personnummer or samordningsnummer: expected 10 or 12 digits, optionally "
            "with '-' or '+' before the last four."
        ),
        "personal_id_date": _("The personnummer or samordningsnummer contains an impossible date."),
        "personal_id_checksum": _("The personnummer or samordningsnummer has a wrong check digit."),
        "personal_id_birth_date": _(
            "The birth date in personal_id disagrees with birth_date, found birth_date "
            "%(birth_date)s."
        ),
        "exit_before_entry": _(
            "exit_date is before entry_date, found exit_date %(exit_date)s and entry_date "
            "%(entry_date)s."
        ),
        "observed_before_exit": _(
            "%(observed_column)s is before exit_date, found %(observed_column)s %(observed)s "
            "and exit_date %(exit_date)s."
        ),
        "duplicate_ref": _(
            "The same participant_ref appears more than once for one organisation, found "
            "%(value)s for %(organisation)s (first on row %(first_row)s)."
        ),
        "entry_after_reporting_date": _(
            "entry_date is after the reporting date %(reporting_date)s, found %(entry_date)s; "
            "the row is left out."
        ),
        # Against the database
        "other_organisation": _(
            "Not the organisation chosen for this import (%(chosen)s), found %(value)s."
        ),
        "unknown_method": _("Not a known method code, found %(value)s."),
        "unknown_test_bed": _("Not a known test bed code, found %(value)s."),
        "erased": _("This participant's identity has been erased; it cannot be imported again."),
        "other_unit": _(
            "The participant_ref belongs to a participant of another local unit; ask a "
            "coordinator to import this row."
        ),
        "no_unit": _("The organisation has no local unit to place participants in."),
        "same_person_twice": _(
            "The same person appears under another participant_ref on row %(first_row)s."
        ),
        "registered_under_other_ref": _(
            "This person is already registered in the organisation under another participant_ref."
        ),
    }


def _bad_cells() -> dict[str, str]:
    # A cell its column's parser rejects (`participant_file._bad_cell_code`).
    yes_no_declined = _("Not one of yes, no, declined, found %(value)s.")
    return {
        "not_date": _("Not a date in the form YYYY-MM-DD, found %(value)s."),
        "not_yes_no": _(
            "Not a yes/no value (yes, no, ja, nej, true, false, 1, 0), found %(value)s."
        ),
        "bad_organisation": _("Not a known organisation code, found %(value)s."),
        "bad_gender": _("Not one of woman, man, non_binary, kvinna, icke-binär, found %(value)s."),
        "bad_municipality_code": _("Not a known 4-digit SCB municipality code, found %(value)s."),
        "bad_lm_status_entry": _(
            "Not one of unemployed, inactive, employed, self_employed, found %(value)s."
        ),
        "bad_unemployed_months": _("Not a whole number of months ≥ 0, found %(value)s."),
        "bad_isced": _("Not an ISCED 2011 level, a whole number 0–8, found %(value)s."),
        "bad_disability": yes_no_declined,
        "bad_minority": yes_no_declined,
        "bad_citizenship": _(
            "Not an ISO 3166-1 alpha-2 country code, stateless or unknown, found %(value)s."
        ),
        "bad_parents_born_abroad": _("Not 0, 1 or 2, found %(value)s."),
    }
