"""The working-life exports as tables (header and rows) for CSV or XLSX, written through the
formula-safe cell helper (emplus.core.export_cells, decision 12). Participants appear by
reference only, and no free text is written: the file may travel."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from emplus.core.typing import User
from emplus.worklife import results, selectors


@dataclass(frozen=True)
class Table:
    name: str  # the file's name without extension, also the sheet's
    header: list[str]
    rows: Iterable[Sequence[Any]]


def employers(viewer: User) -> Table:
    return Table(
        "employers",
        [
            _("Name"),
            _("Organisation number"),
            _("Sector"),
            _("Industry (SNI)"),
            _("Municipality"),
            _("Size"),
            _("Registered by"),
        ],
        (
            (
                e.name,
                e.organisation_number_display,
                e.get_sector_display(),
                e.sni_division,
                e.municipality.name,
                e.get_size_band_display(),
                e.organisation.name,
            )
            for e in selectors.employer_list(viewer=viewer)
        ),
    )


def placements(viewer: User) -> Table:
    return Table(
        "placements",
        [
            _("Participant reference"),
            _("Employer"),
            _("Kind"),
            _("Start"),
            _("End"),
            _("Hours per week"),
            _("Outcome"),
        ],
        [
            (
                p.participant.participant_ref,
                p.employer.name,
                p.get_kind_display(),
                p.started_on,
                p.ended_on,
                p.hours_per_week,
                p.get_outcome_display(),
            )
            for p in results.placements_for_export(viewer=viewer)
        ],
    )


def education(viewer: User) -> Table:
    return Table(
        "education",
        [
            _("Participant reference"),
            _("Kind of provider"),
            _("Provider"),
            _("Programme or course"),
            _("ISCED level"),
            _("Start"),
            _("Planned end"),
            _("Ended on"),
            _("Status"),
        ],
        [
            (
                e.participant.participant_ref,
                e.get_provider_kind_display(),
                e.provider_name,
                e.programme,
                e.isced_level,
                e.started_on,
                e.planned_end,
                e.ended_on,
                e.get_status_display(),
            )
            for e in results.education_for_export(viewer=viewer)
        ],
    )


def gig_assignments(viewer: User) -> Table:
    return Table(
        "gig-assignments",
        [
            _("Participant reference"),
            _("Self-employment company"),
            _("Client"),
            _("Start"),
            _("End"),
            _("Hours"),
            _("Invoiced (SEK)"),
            _("Salary paid (SEK)"),
        ],
        [
            (
                g.participant.participant_ref,
                g.company,
                g.client,
                g.started_on,
                g.ended_on,
                g.hours,
                g.invoiced,
                g.salary_paid,
            )
            for g in results.gig_assignments_for_export(viewer=viewer)
        ],
    )


def income(viewer: User) -> Table:
    return Table(
        "income",
        [_("Participant reference"), _("Month"), _("Source"), _("Amount (SEK)")],
        (
            (r.participant.participant_ref, f"{r.month:%Y-%m}", r.get_source_display(), r.amount)
            for r in results.income_for_export(viewer=viewer).iterator(chunk_size=500)
        ),
    )


def stability(viewer: User, *, group_by: str, as_of: date) -> Table:
    """Income stability by group, suppressed as on the page (an empty cell is a hidden count)."""
    parameters = selectors.stability_parameters_current()
    return Table(
        "income-stability",
        [
            _("Group"),
            _("People with income"),
            _("Stable"),
            _("Not stable"),
            _("Mean months with income"),
            _("Median coefficient of variation"),
            _("Threshold (SEK a month)"),
            _("Parameter version"),
        ],
        [
            (
                r.label,
                r.people,
                r.stable,
                r.not_stable,
                r.mean_months_with_income,
                r.median_coefficient_of_variation,
                parameters.threshold,
                parameters.version,
            )
            for r in selectors.income_stability_by_group(
                viewer=viewer, group_by=group_by, as_of=as_of
            )
        ],
    )
