"""Sentences for the pure core's problem codes and the header-row reader's errors."""

from __future__ import annotations

from django.utils.translation import gettext as _

from emplus.esf import report_core as core


def problem_message(problem: core.Problem) -> str:
    """One problem as a sentence; it names the month or a date, never an identity number."""
    values = problem.values
    messages = {
        core.MONTH_OUTSIDE_PROJECT: lambda: (
            _("The month lies outside the project (%(start)s to %(end)s).") % values
        ),
        core.MONTH_NOT_ENDED: lambda: (
            _("The month has not ended: its reporting opens on %(opens_on)s.") % values
        ),
        core.PREVIOUS_NOT_GENERATED: lambda: (
            _("The month before, %(month)s, has not been generated: report the months in order.")
            % values
        ),
        core.IDENTITY_MISSING: lambda: _(
            "No personal identity number, and not marked as protected identity."
        ),
        core.PROTECTED_NO_BIRTH_DATE: lambda: _(
            "Protected identity needs the birth date: the special form is built from it."
        ),
        core.PROTECTED_MEN_FORM_UNSET: lambda: _(
            "A man with protected identity cannot be reported until the project's "
            "protected-identity form for men is filled in (from the project's instructions)."
        ),
        core.PROTECTED_GENDER_UNKNOWN: lambda: _(
            "Protected identity: the special form is known only for women and men; the "
            "participant's gender is not recorded as either."
        ),
        core.DATE_BEFORE_PROJECT: lambda: _("%(date)s lies before the project starts.") % values,
        core.DATE_AFTER_PROJECT: lambda: _("%(date)s lies after the project ends.") % values,
        core.EARLIER_MONTH_NOT_REPORTED: lambda: (
            _("This date lies in %(month)s, which has not been reported: send that month first.")
            % values
        ),
    }
    return messages[problem.code]()


def field_label(name: str) -> str:
    return {
        "personal_id": _("personal identity number"),
        "birth_date": _("birth date"),
        "gender": _("gender"),
        "start_date": _("start date"),
        "end_date": _("end date"),
        "identity_ref": _("identity"),
        "month": _("month"),
    }.get(name, name)


def upload_error_message(code: str) -> str:
    return {
        "unreadable": _("The file could not be read as XLSX."),
        "format": _("Upload an XLSX or CSV file."),
        "no_header": _("No row with text was found among the first rows."),
    }[code]
