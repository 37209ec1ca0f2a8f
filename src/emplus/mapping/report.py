"""The role of one partner organisation (the mapping report): its activities by arena, phase,
county and thematic area, its units, methods and test beds, and the same as an XLSX workbook.

Directory data only: activities, units, methods and test beds are not personal data, so every
role reads every organisation's report. No participant is read here.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from emplus.core.choices import Arena, Phase, TargetGroup, labels
from emplus.core.export_cells import xlsx_workbook, xlsx_write, xlsx_write_row
from emplus.geo.models import County
from emplus.mapping.models import Activity
from emplus.methods.models import Method, ThematicArea
from emplus.organisations.models import Organisation, Unit
from emplus.testbeds.models import TestBed


@dataclass(frozen=True)
class Tally:
    code: str
    label: str
    activities: int


@dataclass(frozen=True)
class RoleReport:
    organisation: Organisation
    activity_count: int
    by_arena: list[Tally]
    by_phase: list[Tally]
    by_county: list[Tally]
    by_thematic_area: list[Tally]
    units: list[Unit]
    methods: list  # Method, annotated with `used_in` (activities of this organisation)
    test_beds: list  # TestBed, annotated with `is_lead`
    activities: list[Activity]


def organisations_with_roles(*, viewer):
    """Every organisation of the partnership (directory data), with its activity count."""
    return (
        Organisation.objects.annotate(activity_count=Count("activities", distinct=True))
        .filter(Q(is_partner=True) | Q(activity_count__gt=0))
        .order_by("name")
    )


def organisation_role(*, viewer, pk) -> RoleReport:
    organisation = get_object_or_404(Organisation, pk=pk)
    activities = list(
        Activity.objects.filter(organisation=organisation)
        .select_related("unit")
        .prefetch_related("methods", "thematic_areas", "municipalities")
        .order_by("title", "code")
    )
    arena_counts = Counter(a.arena for a in activities)
    phase_counts = Counter(p for a in activities for p in set(a.phases or ()))
    county_counts: Counter = Counter()
    area_counts: Counter = Counter()
    for a in activities:
        county_counts.update({m.county_id for m in a.municipalities.all()})
        area_counts.update({t.code for t in a.thematic_areas.all()})
    counties = {c.code: c.name for c in County.objects.filter(code__in=county_counts)}
    areas = ThematicArea.objects.order_by("order", "code")
    methods = (
        Method.objects.filter(Q(activities__organisation=organisation) | Q(owners=organisation))
        .annotate(
            used_in=Count(
                "activities", filter=Q(activities__organisation=organisation), distinct=True
            )
        )
        .distinct()
        .order_by("name")
    )
    test_beds = (
        TestBed.objects.filter(Q(lead_organisation=organisation) | Q(partners=organisation))
        .select_related("county")
        .annotate(is_lead=Count("pk", filter=Q(lead_organisation=organisation)))
        .distinct()
        .order_by("name")
    )
    return RoleReport(
        organisation=organisation,
        activity_count=len(activities),
        by_arena=[Tally(v, str(label), arena_counts.get(v, 0)) for v, label in Arena.choices],
        by_phase=[Tally(v, str(label), phase_counts.get(v, 0)) for v, label in Phase.choices],
        by_county=[
            Tally(code, counties[code], county_counts[code]) for code in sorted(county_counts)
        ],
        by_thematic_area=[Tally(t.code, str(t), area_counts.get(t.code, 0)) for t in areas],
        units=list(
            Unit.objects.filter(organisation=organisation)
            .select_related("municipality__county")
            .order_by("name")
        ),
        methods=list(methods),
        test_beds=list(test_beds),
        activities=activities,
    )


def role_report_xlsx(report: RoleReport) -> bytes:
    """The report as a workbook: a summary sheet, then activities, units, methods, test beds."""

    buffer = io.BytesIO()
    workbook = xlsx_workbook(buffer)
    bold = workbook.add_format({"bold": True})
    heading = workbook.add_format({"bold": True, "font_size": 14})

    summary = workbook.add_worksheet(_("Summary")[:31])
    xlsx_write(summary, 0, 0, report.organisation.name, heading)
    xlsx_write_row(summary, 1, 0, (_("Activities"), report.activity_count), bold)
    row = 3
    for title, tallies in (
        (_("By arena"), report.by_arena),
        (_("By pathway phase"), report.by_phase),
        (_("By county"), report.by_county),
        (_("By thematic area"), report.by_thematic_area),
    ):
        xlsx_write_row(summary, row, 0, (title, _("Activities")), bold)
        row += 1
        for t in tallies:
            xlsx_write_row(summary, row, 0, (t.label, t.activities))
            row += 1
        row += 1
    summary.set_column(0, 0, 50)

    def table(name: str, header: tuple, rows) -> None:
        sheet = workbook.add_worksheet(name[:31])
        xlsx_write_row(sheet, 0, 0, header, bold)
        for i, values in enumerate(rows, start=1):
            xlsx_write_row(sheet, i, 0, values)
        sheet.set_column(0, len(header) - 1, 24)

    table(
        _("Activities"),
        (
            _("Code"),
            _("Title"),
            _("Unit"),
            _("Arena"),
            _("Pathway phases"),
            _("Target groups"),
            _("Municipalities served"),
            _("Methods"),
            _("Thematic areas"),
            _("Starts"),
            _("Ends"),
        ),
        (
            (
                a.code,
                a.title,
                a.unit.name if a.unit else "",
                a.get_arena_display(),
                ", ".join(labels(Phase, a.phases)),
                ", ".join(labels(TargetGroup, a.target_groups)),
                ", ".join(m.name for m in a.municipalities.all()),
                ", ".join(m.name for m in a.methods.all()),
                ", ".join(str(t) for t in a.thematic_areas.all()),
                a.start_date.isoformat(),
                a.end_date.isoformat() if a.end_date else "",
            )
            for a in report.activities
        ),
    )
    table(
        _("Local units"),
        (_("Unit"), _("Municipality"), _("County")),
        ((u.name, u.municipality.name, u.municipality.county.name) for u in report.units),
    )
    table(
        _("Methods"),
        (_("Code"), _("Method"), _("Evidence level"), _("Used in activities")),
        ((m.code, m.name, m.get_evidence_level_display(), m.used_in) for m in report.methods),
    )
    table(
        _("Test beds"),
        (_("Code"), _("Test bed"), _("County"), _("Role")),
        (
            (
                b.code,
                b.name,
                b.county.name if b.county else "",
                _("lead") if b.is_lead else _("partner"),
            )
            for b in report.test_beds
        ),
    )
    workbook.close()
    return buffer.getvalue()
