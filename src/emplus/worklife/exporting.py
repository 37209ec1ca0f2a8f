"""The working-life exports as tables (header and rows) for CSV or XLSX, written through the
formula-safe cell helper (emplus.core.export_cells, decision 12): employers, placements, studies,
gig assignments, income and stability, opportunities and proposals. Participants appear by
reference only: the file may travel."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from emplus.core.audit import audit_list, audit_log
from emplus.core.typing import User
from emplus.worklife import results, selectors
from emplus.worklife.models import Opportunity, Proposal

Row = Sequence[object]


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


def opportunity_table(
    opportunities: Iterable[Opportunity], *, actor: User
) -> tuple[list[str], list[Row]]:
    """One row per opportunity of the actor's own organisations, with its count of proposals."""
    headers = [
        _("Title"),
        _("Employer"),
        _("Organisation number"),
        _("Kind"),
        _("Occupation (SSYK 2012)"),
        _("Municipality"),
        _("Start"),
        _("Hours per week"),
        _("Open for proposals"),
        _("Proposals"),
        _("Owning organisation"),
    ]
    rows: list[Row] = [
        [
            o.title,
            o.employer.name,
            o.employer.organisation_number_display,
            o.get_kind_display(),
            o.ssyk_code,
            o.municipality.name,
            o.starts_on or "",
            float(o.hours_per_week) if o.hours_per_week is not None else "",
            _("yes") if o.is_open else _("no"),
            getattr(o, "proposal_count", ""),
            o.organisation.name,
        ]
        for o in opportunities
    ]
    audit_log(
        actor=actor, action="opportunity.exported", purpose="directory", details={"rows": len(rows)}
    )
    return headers, rows


def proposal_table(proposals: Iterable[Proposal], *, actor: User) -> tuple[list[str], list[Row]]:
    """One row per proposal in the actor's own scope: the participant's reference (no names,
    the file may travel), the opportunity and where the proposal stands."""
    items = list(proposals)
    headers = [
        _("Participant reference"),
        _("Opportunity"),
        _("Employer"),
        _("Status"),
        _("Since"),
        _("Reason for declining"),
        _("Placement recorded"),
    ]
    rows: list[Row] = [
        [
            p.participant.participant_ref,
            p.opportunity.title,
            p.opportunity.employer.name,
            p.get_status_display(),
            p.status_on,
            p.declined_reason,
            _("yes") if p.placement_id else _("no"),
        ]
        for p in items
    ]
    audit_list(
        actor=actor,
        action="proposal.exported",
        ids=[p.participant_id for p in items],
        purpose="case_work",
    )
    return headers, rows
