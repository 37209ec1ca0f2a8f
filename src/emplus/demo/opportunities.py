"""Demo opportunities and matching: an opportunity or two per demo employer across the regions,
work profiles for many participants, and proposals in every state (the participant's consent to
sharing proposals with employers recorded first). Written straight to the tables, once."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from emplus.demo.pathways import REF_PREFIX, TODAY
from emplus.pathways.choices import ProcessingBasis
from emplus.pathways.models import Consent, Participant, PathwayStep
from emplus.worklife.choices import PLACEMENT_PHASE, PlacementKind, ProposalStatus
from emplus.worklife.models import (
    Employer,
    Opportunity,
    Proposal,
    ProposalEvent,
    WorkplacePlacement,
    WorkProfile,
)

# An occupation (SSYK 2012) and a title that fit each demo employer's industry (SNI division).
OCCUPATIONS = {
    "10": ("8160", "Bageriarbetare"),
    "25": ("7212", "Svetsare"),
    "43": ("7411", "Elektriker"),
    "47": ("5223", "Butikssäljare"),
    "49": ("8332", "Lastbilsförare"),
    "52": ("4321", "Lagerarbetare"),
    "56": ("9412", "Restaurangbiträde"),
    "62": ("3512", "IT-supporttekniker"),
    "81": ("9111", "Lokalvårdare"),
    "87": ("5321", "Undersköterska"),
    "88": ("5322", "Vårdbiträde i hemtjänsten"),
}
GOALS = [code for code, _title in OCCUPATIONS.values()] + ["53", "91", "94"]
# The way of a demo proposal, one list per final state (every state is reached).
WAYS = [
    [ProposalStatus.PROPOSED],
    [ProposalStatus.PROPOSED, ProposalStatus.MEETING],
    [ProposalStatus.PROPOSED, ProposalStatus.MEETING, ProposalStatus.OFFERED],
    [
        ProposalStatus.PROPOSED,
        ProposalStatus.MEETING,
        ProposalStatus.OFFERED,
        ProposalStatus.STARTED,
    ],
    [ProposalStatus.PROPOSED, ProposalStatus.DECLINED],
    [ProposalStatus.PROPOSED, ProposalStatus.MEETING, ProposalStatus.DECLINED],
]
DECLINED_REASONS = ["Fick annat arbete", "Passade inte arbetstiderna", "Arbetsgivaren valde annan"]


def create(rng: random.Random) -> int:
    """Create the demo opportunities once; returns how many exist."""
    if Opportunity.objects.exists():
        return Opportunity.objects.count()
    employers = list(Employer.objects.select_related("organisation").order_by("name"))
    opportunities = []
    for n, employer in enumerate(employers):
        code, title = OCCUPATIONS.get(employer.sni_division, ("9629", "Medarbetare"))
        for k in range(1 + n % 2):
            kind = rng.choice(PlacementKind.values)
            opportunities.append(
                Opportunity(
                    organisation=employer.organisation,
                    employer=employer,
                    title=f"{title}, {PlacementKind(kind).label.lower()}"[:200],
                    kind=kind,
                    ssyk_code=code,
                    municipality_id=employer.municipality_id,
                    starts_on=TODAY + timedelta(days=rng.randint(7, 90)),
                    hours_per_week=Decimal(rng.choice([20, 30, 40])),
                    requirements=rng.choice(
                        ["Svenska på grundläggande nivå", "Körkort B", "Inga krav", ""]
                    ),
                    is_open=k == 0 or rng.random() < 0.5,
                )
            )
    Opportunity.objects.bulk_create(opportunities)
    participants = list(
        Participant.objects.filter(
            participant_ref__startswith=REF_PREFIX,
            enrolments__exit_date__isnull=True,
            erased_at__isnull=True,
        )
        .order_by("participant_ref")
        .distinct()
    )
    WorkProfile.objects.bulk_create(
        WorkProfile(
            participant=p,
            occupational_goals=rng.sample(GOALS, k=rng.randint(1, 2)),
            max_commute_km=rng.choice([None, 10, 20, 40, 60]),
            hours_per_week=Decimal(rng.choice([20, 30, 40])),
            available_from=TODAY + timedelta(days=rng.choice([0, 0, 14, 60])),
        )
        for p in participants
        if rng.random() < 0.7
    )
    _proposals(rng, opportunities, participants)
    return len(opportunities)


def _proposals(
    rng: random.Random, opportunities: list[Opportunity], participants: list[Participant]
) -> None:
    by_organisation: dict = {}
    for p in participants:
        by_organisation.setdefault(p.organisation_id, []).append(p)
    actors = {
        c.participant_id: c.recorded_by_id
        for c in Consent.objects.filter(participant__in=participants)
    }
    used: set = set()
    for n, opportunity in enumerate(o for o in opportunities if o.is_open):
        people = [
            p for p in by_organisation.get(opportunity.organisation_id, []) if p.pk not in used
        ]
        for way in rng.sample(WAYS, k=min(len(WAYS), 2 + n % 3, len(people))):
            person = people.pop(rng.randrange(len(people)))
            used.add(person.pk)
            _propose(rng, opportunity, person, way, actors.get(person.pk))


def _propose(rng, opportunity, person, way, actor_id) -> None:
    current = Consent.objects.current().filter(participant=person).first()
    if current is None or actor_id is None:
        return
    if current.legal_basis == ProcessingBasis.CONSENT:
        Consent.objects.filter(pk=current.pk).update(employer_proposals=True)
    else:
        return  # sharing with an employer rests on consent only: no proposal
    on = TODAY - timedelta(days=rng.randint(20, 60))
    moves = []  # (state, date, note) of each move
    for status in way:
        note = rng.choice(DECLINED_REASONS) if status == ProposalStatus.DECLINED else ""
        moves.append((status, on, note))
        on = min(TODAY, on + timedelta(days=rng.randint(3, 10)))
    last_status, last_on, last_note = moves[-1]
    proposal = Proposal.objects.create(
        opportunity=opportunity,
        participant=person,
        status=last_status,
        status_on=last_on,
        declined_reason=last_note,
        placement=_placement(opportunity, person, last_on)
        if last_status == ProposalStatus.STARTED
        else None,
    )
    ProposalEvent.objects.bulk_create(
        ProposalEvent(proposal=proposal, status=s, occurred_on=d, note=n, actor_id=actor_id)
        for s, d, n in moves
    )


def _placement(opportunity, person, start):
    enrolment = person.enrolments.filter(exit_date__isnull=True).order_by("-entry_date").first()
    start = max(start, enrolment.entry_date)
    step = PathwayStep.objects.create(
        enrolment=enrolment,
        phase=PLACEMENT_PHASE[opportunity.kind],
        activity=f"{opportunity.get_kind_display()}: {opportunity.employer.name}"[:200],
        started_on=start,
    )
    return WorkplacePlacement.objects.create(
        participant=person,
        step=step,
        employer=opportunity.employer,
        kind=opportunity.kind,
        started_on=start,
        hours_per_week=opportunity.hours_per_week,
        goals=opportunity.title,
    )
