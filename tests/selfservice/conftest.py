"""Fixtures of the self-service tests: an enrolled participant with steps, and helpers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache

from emplus.core.roles import Role
from emplus.pathways import services as pathway_services
from emplus.pathways.models import Instrument
from tests.conftest import make_user

ENTRY = date(2025, 1, 10)
MARCH = date(2025, 3, 1)


@pytest.fixture(autouse=True)
def _empty_cache():
    # The link rate limits count in the cache: every test starts from zero.
    cache.clear()
    yield
    cache.clear()


def enrol(actor, unit, ref="P1", given_name="Amina Sofia", family_name="Fjällström"):
    participant = pathway_services.participant_register(
        actor=actor,
        organisation=unit.organisation,
        unit=unit,
        participant_ref=ref,
        given_name=given_name,
        family_name=family_name,
    ).participant
    pathway_services.consent_record(
        actor=actor,
        participant=participant,
        information_version="1",
        given_on=ENTRY,
        case_work=True,
    )
    enrolment = pathway_services.enrolment_start(
        actor=actor, participant=participant, entry_date=ENTRY
    )
    # 31 hours over 31 days of March (1 a day), and 10 hours in an open step started in April.
    pathway_services.step_record(
        actor=actor,
        enrolment=enrolment,
        phase="prepare",
        activity="Cv-verkstad",
        started_on=date(2025, 3, 1),
        ended_on=date(2025, 3, 31),
        hours=Decimal("31"),
    )
    pathway_services.step_record(
        actor=actor,
        enrolment=enrolment,
        phase="train",
        activity="Truckkort",
        started_on=date(2025, 4, 2),
        hours=Decimal("10"),
    )
    return participant


@pytest.fixture
def participant(coach, unit_a1):
    return enrol(coach, unit_a1)


@pytest.fixture
def instrument(db):
    return Instrument.objects.get(code="VAGEN", version=1)


@pytest.fixture
def mixed_user(org_a, org_b, unit_a2):
    """Coordinator in organisation B and coach of another unit of organisation A: neither
    membership reaches the participant of unit A1."""
    from emplus.organisations.services import membership_grant

    user = make_user("mixed", org_b, Role.COORDINATOR)
    membership_grant(user=user, organisation=org_a, role=Role.COACH, unit=unit_a2)
    return user


def scores(instrument, value=5) -> dict[str, int]:
    return dict.fromkeys(instrument.dimensions.values_list("code", flat=True), value)


def form_scores(instrument, value=5) -> dict[str, str]:
    return {f"score_{code}": str(v) for code, v in scores(instrument, value).items()}
