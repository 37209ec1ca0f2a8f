"""Demo working life: employers across the regions (fictitious names, organisation numbers with
valid check digits in a range no real company uses here), placements with outcomes, courses of
study completed and interrupted, and monthly incomes that become steadier for some participants
and not for others. Written straight to the tables (like the other demo modules), once."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from emplus.core.choices import Phase
from emplus.core.organisation_number import luhn_check_digit
from emplus.demo.pathways import REF_PREFIX, TODAY
from emplus.evidence_core.income_stability import Month
from emplus.organisations.models import Unit
from emplus.pathways.models import Participant, PathwayStep
from emplus.worklife.choices import (
    PLACEMENT_PHASE,
    EducationStatus,
    IncomeSource,
    PlacementKind,
    PlacementOutcome,
    ProviderKind,
    SizeBand,
)
from emplus.worklife.models import (
    EducationEnrolment,
    Employer,
    EmployerContact,
    GigAssignment,
    IncomeRecord,
    WorkplacePlacement,
)

EMPLOYER_NAMES = [
    ("Norrskens Bageri AB", "10"),
    ("Älvdalens Bygg & Montage AB", "43"),
    ("Kustlinjens Åkeri AB", "49"),
    ("Café Lingonet Ekonomisk förening", "56"),
    ("Fjällvårdens Omsorg AB", "87"),
    ("Stadsdelens Fastighetsservice AB", "81"),
    ("Grönt & Skönt Trädgård AB", "81"),
    ("Verkstadsgruppen i Mellanbygden AB", "25"),
    ("Second Hand Hjärtat (ideell förening)", "47"),
    ("Lagerlogistik Syd AB", "52"),
    ("Hemtjänsten Omtanke AB", "88"),
    ("Restaurang Sjöboden AB", "56"),
    ("Elinstallatörerna Nord AB", "43"),
    ("Butikskedjan Vardag AB", "47"),
    ("Städpoolen Kooperativ", "81"),
    ("IT-stödet Digital Bro AB", "62"),
]

PROVIDERS = [
    (ProviderKind.MUNICIPAL_ADULT_EDUCATION, "Komvux", "Svenska som andraspråk", 2),
    (ProviderKind.MUNICIPAL_ADULT_EDUCATION, "Komvux", "Vård- och omsorgsutbildning", 3),
    (ProviderKind.FOLK_HIGH_SCHOOL, "Folkhögskolan", "Allmän kurs", 3),
    (ProviderKind.VOCATIONAL_COLLEGE, "Yrkeshögskolan", "Lager och logistik", 5),
    (ProviderKind.STUDY_ASSOCIATION, "Studieförbundet", "Körkortsteori", None),
    (ProviderKind.UPPER_SECONDARY, "Gymnasieskolan", "Introduktionsprogram", 3),
]

THRESHOLD = 15000


def _organisation_number(n: int) -> str:
    # 5599xxxxx: fictitious limited companies (the 55 prefix), valid check digit.
    digits = f"5599{n:05d}"
    return digits + str(luhn_check_digit(digits))


def create(rng: random.Random) -> int:
    """Create the demo working life once; returns how many employers exist."""
    if Employer.objects.exists():
        return Employer.objects.count()
    units = list(
        Unit.objects.filter(organisation__is_partner=True)
        .select_related("organisation")
        .order_by("organisation__code", "name")
    )
    if not units:
        return 0
    employers: list[Employer] = []
    for n, (name, sni) in enumerate(EMPLOYER_NAMES):
        unit = units[(n * 7) % len(units)]
        employers.append(
            Employer(
                organisation=unit.organisation,
                name=name,
                organisation_number=_organisation_number(n + 1),
                sni_division=sni,
                municipality_id=unit.municipality_id,
                size_band=rng.choice(SizeBand.values[1:4]),
            )
        )
    Employer.objects.bulk_create(employers)
    EmployerContact.objects.bulk_create(
        EmployerContact(
            employer=e,
            name=rng.choice(["Anna", "Erik", "Leila", "Johan", "Sara", "Ahmed"])
            + " "
            + rng.choice(["Lind", "Berg", "Nilsson", "Holm", "Sandberg"]),
            title=rng.choice(["HR-ansvarig", "Platschef", "Ägare", "Verksamhetschef"]),
            email=f"kontakt{i}@example.se",
        )
        for i, e in enumerate(employers)
    )
    by_organisation: dict = {}
    for e in employers:
        by_organisation.setdefault(e.organisation_id, []).append(e)
    # Partners that work with an employer: another organisation in a few cases.
    for i, e in enumerate(employers[::3]):
        other = units[(i * 5 + 3) % len(units)].organisation
        if other.pk != e.organisation_id:
            e.partner_organisations.add(other)

    participants = list(
        Participant.objects.filter(
            participant_ref__startswith=REF_PREFIX, enrolments__exit_date__isnull=True
        )
        .order_by("participant_ref")
        .distinct()
    )
    steps, placements, studies, incomes = [], [], [], []
    outcomes = PlacementOutcome.values
    for p in participants:
        enrolment = p.enrolments.filter(exit_date__isnull=True).order_by("-entry_date").first()
        if enrolment is None:
            continue
        own = by_organisation.get(p.organisation_id) or employers
        roll = rng.random()
        if roll < 0.35:
            employer = rng.choice(own)
            kind = rng.choice(PlacementKind.values)
            start = enrolment.entry_date + timedelta(days=rng.randint(20, 200))
            if start >= TODAY:
                start = enrolment.entry_date
            end = start + timedelta(days=rng.randint(14, 120))
            ended = end < TODAY and rng.random() < 0.8
            outcome = rng.choice(outcomes) if ended else ""
            step = PathwayStep(
                enrolment=enrolment,
                phase=PLACEMENT_PHASE[kind],
                activity=f"{PlacementKind(kind).label}: {employer.name}"[:200],
                started_on=start,
                ended_on=end if ended else None,
            )
            steps.append(step)
            placements.append(
                WorkplacePlacement(
                    participant=p,
                    step=step,
                    employer=employer,
                    kind=kind,
                    started_on=start,
                    ended_on=end if ended else None,
                    hours_per_week=Decimal(rng.choice([10, 20, 30, 40])),
                    supervisor=rng.choice(["Handledare Lind", "Handledare Berg", ""]),
                    goals="Pröva yrket och få referenser",
                    outcome=outcome,
                    outcome_reason="Hälsoskäl" if outcome == PlacementOutcome.ENDED_EARLY else "",
                )
            )
        if rng.random() < 0.25:
            kind, provider, programme, level = rng.choice(PROVIDERS)
            start = enrolment.entry_date + timedelta(days=rng.randint(0, 150))
            if start >= TODAY:
                start = enrolment.entry_date
            planned = start + timedelta(days=rng.choice([90, 180, 300]))
            status, ended_on, reason, qualification = EducationStatus.ONGOING, None, "", ""
            if planned < TODAY:
                r = rng.random()
                if r < 0.6:
                    status, ended_on = EducationStatus.COMPLETED, planned
                    qualification = "Betyg" if rng.random() < 0.7 else ""
                elif r < 0.85:
                    status = EducationStatus.INTERRUPTED
                    ended_on = start + (planned - start) / 2
                    reason = rng.choice(["Fick arbete", "Hälsoskäl", "Flyttade"])
            step = PathwayStep(
                enrolment=enrolment,
                phase=Phase.TRAIN,
                activity=f"{programme} ({provider})",
                started_on=start,
                ended_on=ended_on,
            )
            steps.append(step)
            studies.append(
                EducationEnrolment(
                    participant=p,
                    step=step,
                    provider_kind=kind,
                    provider_name=provider,
                    programme=programme,
                    isced_level=level,
                    started_on=start,
                    planned_end=planned,
                    ended_on=ended_on,
                    status=status,
                    interruption_reason=reason,
                    qualification=qualification,
                )
            )
        if rng.random() < 0.2:
            incomes.extend(_incomes(rng, p, steadier=rng.random() < 0.5))
    PathwayStep.objects.bulk_create(steps)
    WorkplacePlacement.objects.bulk_create(placements)
    EducationEnrolment.objects.bulk_create(studies)
    IncomeRecord.objects.bulk_create(incomes)
    GigAssignment.objects.bulk_create(_gig_assignments(rng, incomes))
    return len(employers)


def _incomes(rng: random.Random, participant: Participant, *, steadier: bool) -> list[IncomeRecord]:
    """24 months of gig and benefit income before the demo's today: for `steadier` people the
    gigs grow into a salary above the threshold in the second year; for others they stay
    uneven."""
    last = Month.of(TODAY).plus(-1)
    rows = []
    for i in range(24):
        month = last.plus(-(23 - i)).first_day
        if steadier and i >= 12:
            amount, source = THRESHOLD + rng.randint(500, 4000), IncomeSource.EMPLOYMENT
        elif rng.random() < 0.55:
            amount, source = rng.randint(1500, 19000), IncomeSource.GIG_ASSIGNMENT
        else:
            amount, source = rng.randint(3000, 9000), IncomeSource.BENEFITS
        rows.append(
            IncomeRecord(
                participant=participant, month=month, source=source, amount=Decimal(amount)
            )
        )
    return rows


GIG_COMPANIES = ["Egenanställning Norr (demo)", "Uppdragsbolaget Syd (demo)"]
GIG_CLIENTS = ["Flyttfirma Lyft", "Eventbolaget Scen", "Trädgårdstjänst Grön", "Städhjälpen"]


def _gig_assignments(rng: random.Random, incomes: list[IncomeRecord]) -> list[GigAssignment]:
    """The assignments behind gig income, Convoy-style (through a self-employment company): one
    a month, the salary paid being the month's gig income and the invoice about 1.6 times it."""
    return [
        GigAssignment(
            participant=r.participant,
            company=GIG_COMPANIES[r.participant_id.int % len(GIG_COMPANIES)],
            client=rng.choice(GIG_CLIENTS),
            started_on=r.month,
            ended_on=r.month + timedelta(days=rng.randint(1, 20)),
            hours=Decimal(int(r.amount) // 150),
            invoiced=(r.amount * Decimal("1.6")).quantize(Decimal(1)),
            salary_paid=r.amount,
        )
        for r in incomes
        if r.source == IncomeSource.GIG_ASSIGNMENT
    ]
