"""Demo self-service data: attested and missing hours, links in every state, and own answers."""

from __future__ import annotations

import random

import pytest

from emplus.demo import selfservice as demo
from emplus.demo.builder import demo_data_create
from emplus.geo.services import reference_data_load
from emplus.selfservice.choices import AttestationMethod, LinkState
from emplus.selfservice.models import MonthlyTime, SelfServiceLink, TimeAttestation

pytestmark = pytest.mark.django_db


def test_the_demo_has_attested_and_missing_hours_and_links_in_every_state():
    reference_data_load()
    demo_data_create(participants=200)
    months = MonthlyTime.objects.count()
    attested = MonthlyTime.objects.filter(attestations__isnull=False).distinct().count()
    assert 0 < attested < months  # some attested, some missing
    methods = set(TimeAttestation.objects.values_list("method", flat=True))
    assert methods == {AttestationMethod.PAPER, AttestationMethod.PARTICIPANT_LINK}
    states = {link.state() for link in SelfServiceLink.objects.filter(purpose="assessment")}
    assert {LinkState.PENDING, LinkState.EXPIRED, LinkState.REVOKED} <= states
    for link in SelfServiceLink.objects.filter(used_at__isnull=False, purpose="assessment"):
        assert link.assessment.entered_by_participant
    # running it again adds nothing
    assert demo.create(random.Random(1)) == months  # noqa: S311 - demo data
    assert MonthlyTime.objects.count() == months
