"""Demo participants: about 3,000 fictitious people with plausible pathways, assessments,
exits and follow-ups, spread over the partners' units. No personal identity numbers."""

from __future__ import annotations

import random
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model

from emplus.core.audit import audit_log
from emplus.core.choices import Phase
from emplus.organisations.models import Unit
from emplus.pathways.choices import EventKind, ExitReason
from emplus.pathways.models import (
    Assessment,
    AssessmentScore,
    Consent,
    Enrolment,
    FollowUp,
    Instrument,
    Participant,
    PathwayEvent,
    PathwayStep,
)
from emplus.pathways.name_index import name_index_write
from emplus.pathways.progress_summary import enrolment_progress_refresh
from emplus.pathways.services import instrument_data_changed

PARTICIPANTS = 3000
REF_PREFIX = "D-"
TODAY = date(2026, 11, 1)  # fixed, so that the same seed gives the same data on any day
INFORMATION_VERSION = "2026-1"

FIRST = [
    "Amina",
    "Sara",
    "Fatima",
    "Elin",
    "Maja",
    "Hanna",
    "Leila",
    "Ida",
    "Nour",
    "Emma",
    "Mohammed",
    "Erik",
    "Ahmed",
    "Johan",
    "Ali",
    "Oskar",
    "Daniel",
    "Yonas",
    "Karl",
    "Mikael",
    "Robin",
    "Alex",
    "Sam",
    "Kim",
]
LAST = [
    "Fjällström",
    "Ekbacka",
    "Norrgren",
    "Åslund",
    "Myrberg",
    "Lindqvarn",
    "Sjöholt",
    "Granlid",
    "Björkmyr",
    "Tallberga",
    "Vikenlund",
    "Ängfors",
    "Hagmark",
    "Rönnvik",
    "Stenbäcken",
    "Lövgård",
]
ACTIVITIES = {
    Phase.MOBILISE: ["Öppen träff", "Studiecirkel: vägen vidare", "Idrott och hälsa"],
    Phase.PREPARE: ["Cv-verkstad", "Svenska för arbetslivet", "Digital grundkurs"],
    Phase.TRAIN: ["Yrkessvenska och praktik", "Kooperativ starta-eget-kurs", "Truckkort"],
    Phase.SUPPORT: ["Mentorstöd på arbetsplatsen", "Stöd vid egenanställning"],
}
CITIZENSHIPS = ["SE"] * 14 + ["SY", "SO", "AF", "IQ", "ER", "PL", "FI", "stateless", "unknown"]


def _maybe(rng: random.Random, p: float, value):
    return value if rng.random() < p else None


def create(
    rng: random.Random,
    *,
    count: int = PARTICIPANTS,
    prefix: str = REF_PREFIX,
    organisation_code: str | None = None,
) -> int:
    """Create the demo participants once; returns how many exist. `prefix` and
    `organisation_code` (every partner when None) let the load test's data builder add more in
    batches (bench/loadtest_data.py)."""
    existing = Participant.objects.filter(participant_ref__startswith=prefix).count()
    if existing:
        return existing
    partner_units = Unit.objects.filter(organisation__is_partner=True)
    if organisation_code is not None:
        partner_units = partner_units.filter(organisation__code=organisation_code)
    units = list(
        partner_units.select_related("organisation", "municipality").order_by(
            "organisation__code", "name"
        )
    )
    instrument = Instrument.objects.get(code="VAGEN", version=1)
    dimensions = list(instrument.dimensions.order_by("order"))
    recorder = get_user_model().objects.get(username="admin")
    weights = [u.municipality.population_2024**0.5 for u in units]
    people, consents, enrolments, steps, events, assessments, scores, follow_ups = (
        [],
        [],
        [],
        [],
        [],
        [],
        [],
        [],
    )
    for index in range(count):
        unit = rng.choices(units, weights=weights, k=1)[0]
        entry = TODAY - timedelta(days=rng.randint(20, 900))
        age = rng.choices(
            [rng.randint(16, 17), rng.randint(18, 29), rng.randint(30, 54), rng.randint(55, 64)],
            weights=[3, 40, 45, 12],
            k=1,
        )[0]
        status = rng.choices(
            ["unemployed", "inactive", "employed", "self_employed"], weights=[55, 35, 7, 3], k=1
        )[0]
        person = Participant(
            organisation=unit.organisation,
            unit=unit,
            participant_ref=f"{prefix}{index:05d}",
            given_name=rng.choice(FIRST),
            family_name=rng.choice(LAST),
            birth_date=entry - relativedelta(years=age, days=rng.randint(0, 364)),
            gender=rng.choices(["woman", "man", "non_binary"], weights=[50, 48, 2], k=1)[0],
            municipality=unit.municipality,
            lm_status_entry=status,
            unemployed_months=rng.randint(0, 48) if status == "unemployed" else None,
            isced=rng.choices(range(9), weights=[4, 6, 25, 35, 8, 10, 9, 2, 1], k=1)[0],
            citizenship=rng.choice(CITIZENSHIPS),
            born_abroad=rng.random() < 0.45,
            parents_born_abroad=rng.choice([0, 0, 1, 2, 2]),
            homeless=rng.random() < 0.05,
        )
        if rng.random() < 0.6:  # explicit consent to record special categories
            person.special_category_basis = "consent"
            person.disability = rng.choices(["yes", "no", "declined"], weights=[25, 65, 10])[0]
            person.minority = rng.choices(["yes", "no", "declined"], weights=[6, 84, 10])[0]
        if rng.random() < 0.03:  # a few records miss core data, as in real life
            person.isced = None
        people.append(person)
        consents.append(
            Consent(
                participant=person,
                case_work=True,
                statistics=rng.random() < 0.95,
                follow_up=rng.random() < 0.85,
                register_linkage=rng.random() < 0.5,
                special_categories=bool(person.special_category_basis),
                information_version=INFORMATION_VERSION,
                given_on=entry,
                recorded_by=recorder,
            )
        )
        # Pathway: steps through the phases; further for those who stay longer.
        days_in = (TODAY - entry).days
        left = days_in > 120 and rng.random() < 0.65
        exit_date = entry + timedelta(days=rng.randint(90, min(days_in, 540))) if left else None
        enrolment = Enrolment(participant=person, entry_date=entry, exit_date=exit_date)
        end = exit_date or TODAY
        n_phases = 1 + min(3, (end - entry).days // 90)
        start = entry
        for phase in list(Phase)[:n_phases]:
            stop = min(end, start + timedelta(days=rng.randint(30, 120)))
            steps.append(
                PathwayStep(
                    enrolment=enrolment,
                    phase=phase,
                    activity=rng.choice(ACTIVITIES[phase]),
                    started_on=start,
                    ended_on=stop if stop < end or exit_date else None,
                    hours=rng.randint(4, 120),
                )
            )
            start = stop
        # Self-assessments: baseline at entry, then every ~3 months; most improve a little.
        n_assessments = 1 + min(3, (end - entry).days // 100)
        level = [rng.randint(2, 7) for _ in dimensions]
        gain = rng.gauss(0.9, 0.8)
        for k in range(n_assessments):
            assessment = Assessment(
                enrolment=enrolment,
                instrument=instrument,
                assessed_on=entry + timedelta(days=100 * k),
                recorded_by=recorder,
            )
            assessments.append(assessment)
            for dimension, base in zip(dimensions, level, strict=True):
                value = round(base + k * gain + rng.gauss(0, 0.8))
                scores.append(
                    AssessmentScore(
                        assessment=assessment, dimension=dimension, value=max(1, min(10, value))
                    )
                )
        if exit_date:
            outcome = rng.choices(
                ["job", "education", "searching", "other"], weights=[35, 20, 30, 15], k=1
            )[0]
            enrolment.exit_reason = {
                "job": ExitReason.JOB,
                "education": ExitReason.EDUCATION,
                "searching": ExitReason.COMPLETED,
                "other": ExitReason.DROPPED_OUT,
            }[outcome]
            enrolment.exit_observed_on = exit_date + timedelta(days=rng.randint(0, 20))
            enrolment.exit_employed = outcome == "job"
            enrolment.exit_in_education = outcome == "education"
            enrolment.exit_job_searching = outcome == "searching"
            enrolment.exit_qualification = rng.random() < 0.3
            if outcome == "job":
                events.append(
                    PathwayEvent(
                        enrolment=enrolment, kind=EventKind.JOB_STARTED, occurred_on=exit_date
                    )
                )
            due = exit_date + relativedelta(months=6)
            follow_up = FollowUp(enrolment=enrolment, due_on=due)
            if due + timedelta(days=30) <= TODAY and rng.random() < 0.7:
                follow_up.observed_on = due + timedelta(days=rng.randint(-20, 25))
                follow_up.employed = outcome == "job" or rng.random() < 0.25
                follow_up.improved = follow_up.employed or rng.random() < 0.2
            follow_ups.append(follow_up)
        if rng.random() < 0.3:
            events.append(
                PathwayEvent(
                    enrolment=enrolment,
                    kind=EventKind.PLACEMENT_STARTED,
                    occurred_on=entry + timedelta(days=rng.randint(10, 80)),
                )
            )
        enrolments.append(enrolment)
    # Related objects carry their UUID keys from construction, so bulk_create can link them.
    for model, rows in [
        (Participant, people),
        (Consent, consents),
        (Enrolment, enrolments),
        (PathwayStep, steps),
        (PathwayEvent, events),
        (Assessment, assessments),
        (AssessmentScore, scores),
        (FollowUp, follow_ups),
    ]:
        model.objects.bulk_create(rows, batch_size=1000)
    # The assessments were written in bulk, past the services: the statistics' version and the
    # progress summary of the new enrolments.
    instrument_data_changed(instrument=instrument)
    enrolment_progress_refresh(
        instrument=instrument,
        enrolments=Enrolment.objects.filter(participant__participant_ref__startswith=prefix),
    )
    name_index_write(participants=people, new=True)
    audit_log(
        actor=None,
        action="demo.participants_created",
        purpose="demo",
        details={"participants": len(people)},
    )
    return len(people)
