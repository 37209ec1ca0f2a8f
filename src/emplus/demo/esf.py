"""Demo ESF projects: one per test bed, owned by its lead organisation, with its own project
unit and fictitious participants, twelve months generated and marked as sent, and afterwards
one corrected exit date, so that one sent month needs correction and the next re-sending.

Demo data carry no personal identity numbers (../shared/DESIGN.md §4), so the twelve files of
the history are written here without the validation that refuses a month with participants
lacking one; on the pages, generating a new demo month lists exactly that problem.
"""

from __future__ import annotations

import base64
import hashlib
import random
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from emplus.core.audit import audit_log
from emplus.esf import report_core as core
from emplus.esf import reporting, services
from emplus.esf.models import ESFProject, ReportFile
from emplus.organisations.models import Unit
from emplus.pathways.models import Consent, Enrolment, FollowUp, Participant
from emplus.pathways.name_index import name_index_write
from emplus.pathways.services import FOLLOW_UP_AFTER, enrolment_dates_correct
from emplus.testbeds.models import TestBed

REF_PREFIX = "ESF-"
START = date(2025, 11, 1)
END = date(2027, 10, 31)
REPORTED = core.months_between(core.Month(2025, 11), core.Month(2026, 10))  # twelve months
CORRECTED = core.Month(2026, 9)  # the month whose exit date is corrected afterwards
PER_MONTH = 3
FIRST = ["Amina", "Sara", "Fatima", "Elin", "Maja", "Erik", "Ahmed", "Johan", "Ali", "Oskar"]
LAST = ["Fjällström", "Ekbacka", "Norrgren", "Åslund", "Myrberg", "Sjöholt", "Granlid"]


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _participants(rng: random.Random, project: ESFProject, unit: Unit, recorder) -> None:
    """Three starts a month from the project's first month to a month after the last reported
    one; about half leave within the reported year; one leaves in the corrected month."""
    people, consents, enrolments, follow_ups = [], [], [], []
    index = 0
    for month in [*REPORTED, REPORTED[-1].next()]:
        for _ in range(PER_MONTH):
            index += 1
            entry = month.first_day + timedelta(days=rng.randint(0, 27))
            gender = rng.choices(["woman", "man", "non_binary"], weights=[52, 46, 2])[0]
            person = Participant(
                organisation=unit.organisation,
                unit=unit,
                participant_ref=f"{REF_PREFIX}{project.test_bed.code}-{index:03d}",
                given_name=rng.choice(FIRST),
                family_name=rng.choice(LAST),
                gender=gender,
                birth_date=date(rng.randint(1962, 2006), rng.randint(1, 12), rng.randint(1, 28)),
                municipality=unit.municipality,
                lm_status_entry=rng.choice(["unemployed", "unemployed", "inactive"]),
                isced=rng.choice([1, 2, 3, 3, 4]),
                # A few women with protected identity show the special form in the files.
                protected_identity=gender == "woman" and index % 11 == 0,
            )
            people.append(person)
            consents.append(
                Consent(
                    participant=person,
                    case_work=True,
                    statistics=True,
                    information_version="2026-1",
                    given_on=entry,
                    recorded_by=recorder,
                )
            )
            exit_date = None
            if index == 2 + PER_MONTH * REPORTED.index(CORRECTED):
                exit_date = CORRECTED.first_day + timedelta(days=9)  # corrected below
            elif month < REPORTED[-2] and rng.random() < 0.5:
                exit_date = min(entry + timedelta(days=rng.randint(30, 200)), REPORTED[-1].last_day)
                if core.Month.of(exit_date) == CORRECTED:
                    exit_date = None  # keep the corrected month's story simple
            enrolment = Enrolment(
                participant=person,
                entry_date=min(entry, exit_date) if exit_date else entry,
                exit_date=exit_date,
                exit_reason="completed" if exit_date else "",
                exit_observed_on=exit_date,
            )
            enrolments.append(enrolment)
            if exit_date:
                follow_ups.append(FollowUp(enrolment=enrolment, due_on=exit_date + FOLLOW_UP_AFTER))
    for model, rows in [
        (Participant, people),
        (Consent, consents),
        (Enrolment, enrolments),
        (FollowUp, follow_ups),
    ]:
        model.objects.bulk_create(rows)
    name_index_write(participants=people, new=True)


def _history(project: ESFProject, coordinator) -> None:
    """The twelve months as they were sent: generated early in the following month, sent a
    few days later, each file laid out by the project's template."""
    participations = reporting.participations(project)
    columns = reporting.template_columns(project)
    for month in REPORTED:
        rows = core.month_rows(participations, month, men_form=project.men_protected_form)
        generated_at = _at(month.opens_on + timedelta(days=3), 10)
        content = reporting.write_xlsx(
            rows,
            columns=columns,
            date_format=project.template.date_format,
            created=generated_at,
        )
        ReportFile.objects.create(
            project=project,
            month=month.first_day,
            generated_by=coordinator,
            generated_at=generated_at,
            file_name=reporting.file_name(project, month),
            file_sha256=hashlib.sha256(content).hexdigest(),
            row_count=len(rows),
            rows=reporting.rows_json(rows),
            content=base64.b64encode(content).decode("ascii"),
            sent_by=coordinator,
            sent_at=generated_at + timedelta(days=4),
        )


def create(rng: random.Random) -> list[ESFProject]:
    """One project per test bed (once; a second run changes nothing)."""
    user_model = get_user_model()
    projects, created = [], 0
    for bed in TestBed.objects.select_related("lead_organisation").order_by("code"):
        lead = bed.lead_organisation
        if lead is None:
            continue
        case_number = f"DEMO-{bed.code}"
        existing = ESFProject.objects.filter(case_number=case_number).first()
        if existing is not None:
            projects.append(existing)
            continue
        coordinator = (
            user_model.objects.filter(
                memberships__organisation=lead, memberships__role="coordinator"
            )
            .order_by("username")
            .first()
        )
        if coordinator is None:
            continue
        home = lead.units.select_related("municipality").order_by("name").first()
        if home is None:
            continue
        unit, _ = Unit.objects.get_or_create(
            organisation=lead,
            name=f"ESF-projekt {bed.name}"[:200],
            defaults={"kind": home.kind, "municipality": home.municipality},
        )
        project = services.esf_project_create(
            actor=coordinator,
            organisation=lead,
            case_number=case_number,
            title=f"Vägar till arbete – {bed.name}"[:300],
            programme_area="not_employed",
            start_date=START,
            end_date=END,
            participating_units=[unit],
            test_bed=bed,
        )
        _participants(rng, project, unit, coordinator)
        _history(project, coordinator)
        # The correction: an exit in a sent month was recorded on the wrong day.
        ref = f"{REF_PREFIX}{bed.code}-{2 + PER_MONTH * REPORTED.index(CORRECTED):03d}"
        enrolment = Enrolment.objects.get(
            participant__participant_ref=ref, participant__organisation=lead
        )
        enrolment_dates_correct(
            actor=coordinator,
            enrolment=enrolment,
            entry_date=enrolment.entry_date,
            exit_date=enrolment.exit_date + timedelta(days=14),
        )
        projects.append(project)
        created += 1
    if created:
        audit_log(
            actor=None,
            action="demo.esf_projects_created",
            purpose="demo",
            details={"projects": created},
        )
    return projects
