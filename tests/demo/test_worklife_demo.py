"""Demo working life: employers, placements with outcomes, studies, incomes steadier for some."""

from __future__ import annotations

import random

import pytest

from emplus.core.organisation_number import is_valid_organisation_number
from emplus.demo import worklife as demo
from emplus.demo.builder import demo_data_create
from emplus.demo.pathways import TODAY
from emplus.evidence_core.income_stability import Month, income_stability, last_complete_month
from emplus.geo.services import reference_data_load
from emplus.pathways.models import Consent
from emplus.worklife.choices import ProposalStatus
from emplus.worklife.models import (
    EducationEnrolment,
    Employer,
    IncomeRecord,
    Opportunity,
    Proposal,
    WorkplacePlacement,
    WorkProfile,
)

pytestmark = pytest.mark.django_db


def test_the_demo_has_working_life():
    reference_data_load()
    demo_data_create(participants=200)
    employers = list(Employer.objects.all())
    assert len(employers) == len(demo.EMPLOYER_NAMES)
    assert all(is_valid_organisation_number(e.organisation_number) for e in employers)
    assert len({e.municipality.county_id for e in employers}) > 1
    outcomes = set(WorkplacePlacement.objects.values_list("outcome", flat=True))
    assert {"offered_employment", "ended_early"} <= outcomes
    for placement in WorkplacePlacement.objects.select_related("step"):
        placement.full_clean()
        assert placement.step.enrolment.participant_id == placement.participant_id
    statuses = set(EducationEnrolment.objects.values_list("status", flat=True))
    assert {"completed", "interrupted"} <= statuses
    for study in EducationEnrolment.objects.all():
        study.full_clean()
    assert IncomeRecord.objects.exists()
    assert IncomeRecord.objects.filter(month__gte=TODAY).count() == 0
    stable = set()
    for participant_id in set(IncomeRecord.objects.values_list("participant_id", flat=True)):
        records = [
            (Month.of(m), float(a))
            for m, a in IncomeRecord.objects.filter(participant_id=participant_id).values_list(
                "month", "amount"
            )
        ]
        stable.add(income_stability(records, last_month=last_complete_month(TODAY)).is_stable)
    assert stable == {True, False}  # steadier for some, not for others
    # running it again adds nothing
    assert demo.create(random.Random(1)) == len(employers)  # noqa: S311 - demo data
    assert Employer.objects.count() == len(employers)


def test_the_demo_has_opportunities_with_proposals_in_every_state():
    reference_data_load()
    demo_data_create(participants=200)
    opportunities = list(Opportunity.objects.select_related("municipality"))
    assert len({o.municipality.county_id for o in opportunities}) > 1
    for opportunity in opportunities:
        opportunity.full_clean()
    statuses = set(Proposal.objects.values_list("status", flat=True))
    assert statuses == set(ProposalStatus.values)
    for proposal in Proposal.objects.select_related("participant"):
        proposal.full_clean()
        assert proposal.opportunity.organisation_id == proposal.participant.organisation_id
        assert proposal.events.count() >= 1
        assert Consent.objects.current().get(participant=proposal.participant).employer_proposals
        if proposal.status == ProposalStatus.STARTED:
            assert proposal.placement.employer_id == proposal.opportunity.employer_id
    assert WorkProfile.objects.exists()
