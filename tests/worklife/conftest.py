"""A participant on an open pathway in unit A1 and an employer of organisation A."""

from __future__ import annotations

import re
from datetime import date

import pytest

from emplus.core.roles import Role
from emplus.geo.models import Municipality
from emplus.pathways import services as pathway_services
from emplus.worklife import services
from tests.conftest import make_user

# Fictitious organisation numbers with valid check digits (tests only).
ORG_NUMBER = "556036-0793"
ORG_NUMBER_2 = "802012-3454"
# A page's random tokens (the CSRF token, a script nonce): a short reference such as "P1" can
# occur in them by chance, so a check that a page does not show one leaves them out.
_RANDOM_VALUES = re.compile(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]*"')


def page_without_tokens(response) -> str:
    """The page's markup with its random tokens blanked (see _RANDOM_VALUES)."""
    return _RANDOM_VALUES.sub(r'\1=""', response.content.decode())


def make_participant(actor, unit, ref="P1"):
    participant = pathway_services.participant_register(
        actor=actor,
        organisation=unit.organisation,
        unit=unit,
        participant_ref=ref,
        given_name="Testa",
        family_name="Person",
    ).participant
    pathway_services.consent_record(
        actor=actor,
        participant=participant,
        information_version="1",
        given_on=date(2025, 1, 10),
        case_work=True,
    )
    pathway_services.enrolment_start(
        actor=actor, participant=participant, entry_date=date(2025, 1, 10)
    )
    return participant


def make_employer(actor, organisation, number=ORG_NUMBER, name="Bageriet i Umeå AB", **values):
    return services.employer_create(
        actor=actor,
        organisation=organisation,
        name=name,
        organisation_number=number,
        sni_division="10",
        municipality=Municipality.objects.get(pk="2480"),
        size_band="10-49",
        **values,
    )


@pytest.fixture
def participant(coach, unit_a1):
    return make_participant(coach, unit_a1)


@pytest.fixture
def employer(coach, org_a):
    return make_employer(coach, org_a)


@pytest.fixture
def other_unit_coach(org_a, unit_a2):
    return make_user("coach-a2", org_a, Role.COACH, unit_a2)


@pytest.fixture
def coordinator_b(org_b):
    return make_user("coordinator-b", org_b, Role.COORDINATOR)
