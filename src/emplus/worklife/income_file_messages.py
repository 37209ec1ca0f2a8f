"""The income file's errors in the reader's language: the pure reader gives codes and
parameters (evidence_core.income_file), translated here at the edge."""

from __future__ import annotations

from django.utils.translation import gettext as _

from emplus.evidence_core.participant_file import FileIssue
from emplus.pathways.file_issue_texts import ShownIssues, shown_page


def _texts() -> dict[str, str]:
    # Built per call: gettext must run in the request's language.
    return {
        "unreadable": _("The file cannot be read: %(detail)s"),
        "empty": _("The file is empty."),
        "column_missing": _("The column %(column)s is missing."),
        "no_rows": _("The file has no income rows."),
        "ref_required": _("A participant reference is required."),
        "month_format": _("Expected a month as YYYY-MM."),
        "source_unknown": _("Expected one of %(choices)s."),
        "amount_format": _("Expected whole kronor, zero or more."),
        "duplicate": _("The same participant, month and source as row %(row)s."),
        "ref_unknown": _("No participant of yours has this reference."),
        "ref_ambiguous": _("Several of your participants have this reference."),
    }


def shown_as_page(issues: list[FileIssue]) -> ShownIssues:
    """The first issues and, for many, a summary by column and kind (as the participant file's
    check page shows them)."""
    return shown_page(issues, _texts())
