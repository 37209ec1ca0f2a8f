"""The ESF+ answers upon leaving that a participant's studies, placements and income suggest
(registered with emplus.core.exit_suggestions; read only as far as the viewer may see)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from emplus.core.exit_suggestions import ExitSuggestion
from emplus.core.typing import User
from emplus.pathways.models import Participant
from emplus.worklife.choices import EducationStatus, IncomeSource, PlacementKind, PlacementOutcome
from emplus.worklife.models import EducationEnrolment, IncomeRecord, WorkplacePlacement

# Placements that are a job; incomes that come from work.
JOB_KINDS = (PlacementKind.EMPLOYMENT, PlacementKind.SUBSIDISED_EMPLOYMENT)
WORK_INCOME = (IncomeSource.EMPLOYMENT, IncomeSource.GIG_ASSIGNMENT, IncomeSource.OWN_BUSINESS)


def _day(value: date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def suggestions(
    viewer: User, participant: Participant, entry_date: date, as_of: date
) -> list[ExitSuggestion]:
    """Yes where a record shows it on the day of leaving; no where the participant has records
    of the kind but none shows it; nothing where there are no records to go by."""
    found = []
    studies = list(
        EducationEnrolment.objects.restrict(viewer, "education.view")
        .filter(participant=participant, started_on__lte=as_of)
        .order_by("-started_on", "pk")
    )
    if studies:
        ongoing = [
            s
            for s in studies
            if s.status == EducationStatus.ONGOING and (s.ended_on is None or s.ended_on >= as_of)
        ]
        found.append(
            ExitSuggestion(
                "in_education",
                True,
                _("Studies in progress: %(programme)s (%(provider)s), since %(start)s.")
                % {
                    "programme": ongoing[0].programme,
                    "provider": ongoing[0].provider_name,
                    "start": _day(ongoing[0].started_on),
                },
            )
            if ongoing
            else ExitSuggestion(
                "in_education", False, _("No recorded studies are in progress on that day.")
            )
        )
        completed = next(
            (
                (s.programme, s.ended_on)
                for s in studies
                if s.status == EducationStatus.COMPLETED
                and s.ended_on is not None
                and entry_date <= s.ended_on <= as_of
            ),
            None,
        )
        found.append(
            ExitSuggestion(
                "qualification",
                True,
                _("Completed %(programme)s on %(end)s during the pathway.")
                % {"programme": completed[0], "end": _day(completed[1])},
            )
            if completed
            else ExitSuggestion(
                "qualification", False, _("No studies were completed during the pathway.")
            )
        )
    found.extend(_work(viewer, participant, entry_date, as_of))
    return found


def _work(
    viewer: User, participant: Participant, entry_date: date, as_of: date
) -> list[ExitSuggestion]:
    # A participant's placements are few: one query, then sifted here.
    placements = list(
        WorkplacePlacement.objects.restrict(viewer, "placement.view")
        .filter(participant=participant, started_on__lte=as_of)
        .select_related("employer")
        .order_by("-started_on", "pk")
    )
    job = next(
        (
            p
            for p in placements
            if p.kind in JOB_KINDS and (p.ended_on is None or p.ended_on >= as_of)
        ),
        None,
    )
    if job is not None:
        return [
            ExitSuggestion(
                "employed",
                True,
                _("%(kind)s at %(employer)s since %(start)s.")
                % {
                    "kind": job.get_kind_display(),
                    "employer": job.employer.name,
                    "start": _day(job.started_on),
                },
            )
        ]
    offered = next(
        (
            p
            for p in placements
            if p.outcome == PlacementOutcome.OFFERED_EMPLOYMENT
            and p.ended_on is not None
            and p.ended_on >= entry_date
        ),
        None,
    )
    if offered is not None:
        return [
            ExitSuggestion(
                "employed",
                True,
                _("Offered employment after the placement at %(employer)s.")
                % {"employer": offered.employer.name},
            )
        ]
    # Income from work in the month of leaving or the one before counts as current work.
    since = (as_of.replace(day=1) - timedelta(days=1)).replace(day=1)
    income = (
        IncomeRecord.objects.restrict(viewer, "income.view")
        .filter(
            participant=participant,
            source__in=WORK_INCOME,
            month__gte=since,
            month__lte=as_of,
            amount__gt=0,
        )
        .order_by("-month")
        .first()
    )
    if income is not None:
        return [
            ExitSuggestion(
                "employed",
                True,
                _("Income from %(source)s in %(month)s.")
                % {
                    "source": income.get_source_display().lower(),
                    "month": date_format(income.month, "YEAR_MONTH_FORMAT"),
                },
            )
        ]
    if placements:
        return [
            ExitSuggestion(
                "employed",
                False,
                _("No job, job offer or income from work is recorded around that day."),
            )
        ]
    return []
