"""Demo self-service data: hours for the last three months of the demo year, most attested
(through a link or on paper), some missing, a few changed after attestation; and links in
every state. Tokens of demo links are random and thrown away: none can be opened."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from emplus.core.audit import audit_log
from emplus.core.roles import Role
from emplus.demo.pathways import REF_PREFIX, TODAY
from emplus.organisations.models import Membership
from emplus.pathways.models import Assessment, Instrument, Participant
from emplus.selfservice import hours as hours_rules
from emplus.selfservice.choices import AttestationMethod, HoursSource, LinkPurpose
from emplus.selfservice.models import MonthlyTime, SelfServiceLink, TimeAttestation
from emplus.selfservice.selectors import hours_derived_many
from emplus.selfservice.tokens import token_hash, token_new

MONTHS = 3


def _moment(day, rng: random.Random) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(rng.randint(8, 19), rng.randint(0, 59))))


def create(rng: random.Random) -> int:
    """Create the demo hours, attestations and links once; returns how many months exist."""
    participants = list(
        Participant.objects.filter(
            participant_ref__startswith=REF_PREFIX, enrolments__exit_date__isnull=True
        )
        .select_related("organisation")
        .order_by("participant_ref")
        .distinct()
    )
    existing = MonthlyTime.objects.filter(participant__in=participants).count()
    if existing or not participants:
        return existing
    admin = get_user_model().objects.filter(username="admin").first()
    # Each unit's demo coach records and creates; else the organisation's coordinator.
    staff = {}
    for membership in Membership.objects.filter(role__in=[Role.COACH, Role.COORDINATOR]):
        key = membership.unit_id if membership.role == Role.COACH else membership.organisation_id
        staff.setdefault(key, membership.user)
    instrument = Instrument.objects.get(code="VAGEN", version=1)
    first = hours_rules.month_start(TODAY)
    months = []
    for _ in range(MONTHS):  # the three whole months before the demo's "today"
        first = hours_rules.month_start(first - timedelta(days=1))
        months.insert(0, first)
    enrolments = {
        p.pk: p.enrolments.filter(exit_date__isnull=True).order_by("-entry_date").first()
        for p in participants
    }
    derived = hours_derived_many([p.pk for p in participants], months)
    monthly_rows, attestations, links = [], [], []
    for participant in participants:
        enrolment = enrolments[participant.pk]
        coach = staff.get(participant.unit_id) or staff.get(participant.organisation_id) or admin
        for month in months:
            hours = derived.get((participant.pk, month), Decimal("0.0"))
            if enrolment.entry_date > hours_rules.month_end(month) or hours <= 0:
                continue
            monthly = MonthlyTime(
                organisation=participant.organisation,
                participant=participant,
                month=month,
                hours=hours,
                source=HoursSource.DERIVED,
                version=1,
                updated_by=coach,
            )
            monthly_rows.append(monthly)
            draw = rng.random()
            if draw < 0.22:
                continue  # missing: nobody has attested this month yet
            signed = _moment(hours_rules.month_end(month) + timedelta(days=rng.randint(1, 9)), rng)
            if draw < 0.62:
                link = SelfServiceLink(
                    organisation=participant.organisation,
                    participant=participant,
                    enrolment=enrolment,
                    purpose=LinkPurpose.ATTEST_TIME,
                    month=month,
                    token_hash=token_hash(token_new()),
                    expires_at=signed + timedelta(days=5),
                    created_by=coach,
                    opened_at=signed - timedelta(minutes=3),
                    used_at=signed,
                    used_key=_uuid(rng),
                )
                links.append(link)
                attestations.append(
                    TimeAttestation(
                        organisation=participant.organisation,
                        monthly_time=monthly,
                        hours=hours,
                        time_version=1,
                        method=AttestationMethod.PARTICIPANT_LINK,
                        signed_at=signed,
                        link=link,
                    )
                )
            else:
                attestations.append(
                    TimeAttestation(
                        organisation=participant.organisation,
                        monthly_time=monthly,
                        hours=hours,
                        time_version=1,
                        method=AttestationMethod.PAPER,
                        paper_date=timezone.localdate(signed),
                        recorded_by=coach,
                    )
                )
                if rng.random() < 0.08:
                    # The coach corrected the hours after the paper: a new attestation is due.
                    monthly.hours = hours + Decimal(rng.randint(1, 6))
                    monthly.source = HoursSource.EDITED
                    monthly.version = 2
    now = timezone.now()
    # Self-assessment links in every state; a few were used, and their assessment is the
    # participant's own.
    own = []
    for participant in rng.sample(participants, min(60, len(participants))):
        coach = staff.get(participant.unit_id) or staff.get(participant.organisation_id) or admin
        state = rng.choice(["pending", "pending", "used", "expired", "revoked"])
        created = now - timedelta(days=rng.randint(0, 20))
        link = SelfServiceLink(
            organisation=participant.organisation,
            participant=participant,
            enrolment=enrolments[participant.pk],
            purpose=LinkPurpose.ASSESSMENT,
            instrument=instrument,
            token_hash=token_hash(token_new()),
            expires_at=created + timedelta(days=7)
            if state != "pending"
            else now + timedelta(days=7),
            created_by=coach,
        )
        if state == "expired":
            link.expires_at = now - timedelta(days=1)
        elif state == "revoked":
            link.revoked_at, link.revoked_by = created + timedelta(hours=2), coach
        elif state == "used":
            assessment = (
                Assessment.objects.filter(enrolment=link.enrolment).order_by("-assessed_on").first()
            )
            if assessment is not None:
                link.opened_at = link.used_at = _moment(assessment.assessed_on, rng)
                link.used_key = _uuid(rng)
                link.assessment = assessment
                own.append(assessment.pk)
            else:
                link.expires_at = now - timedelta(days=1)
        links.append(link)
    SelfServiceLink.objects.bulk_create(links, batch_size=1000)
    MonthlyTime.objects.bulk_create(monthly_rows, batch_size=1000)
    TimeAttestation.objects.bulk_create(attestations, batch_size=1000)
    Assessment.objects.filter(pk__in=own).update(entered_by_participant=True, recorded_by=None)
    audit_log(
        actor=None,
        action="demo.selfservice_created",
        purpose="demo",
        details={
            "months": len(monthly_rows),
            "attestations": len(attestations),
            "links": len(links),
        },
    )
    return len(monthly_rows)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)
