"""Fixtures of the ESF tests: a project of organisation A with participants in unit A1, and
the personas the access rules are about."""

from __future__ import annotations

from datetime import date

import pytest

from emplus.core.roles import Role
from emplus.esf import services as esf_services
from emplus.organisations.services import membership_grant
from emplus.pathways import services as pathway_services
from tests.conftest import make_user
from tests.factories import personnummer as pnr


@pytest.fixture
def mixed(org_a, org_b, unit_a1):
    """Coordinator in B, coach in A: coaching in A must not open A's projects."""
    user = make_user("mixed", org_b, Role.COORDINATOR)
    membership_grant(user=user, organisation=org_a, role=Role.COACH, unit=unit_a1)
    return user


@pytest.fixture
def project(coordinator, org_a, unit_a1):
    return esf_services.esf_project_create(
        actor=coordinator,
        organisation=org_a,
        case_number="2026/00042",
        title="Vägen till arbete",
        programme_area="not_employed",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        participating_units=[unit_a1],
    )


def add_participant(
    actor,
    org,
    unit,
    ref,
    entry,
    exit_date=None,
    *,
    personal_id="auto",
    gender="woman",
    birth=date(1990, 5, 17),
    **values,
):
    if personal_id == "auto":
        personal_id = pnr(birth, 100 + int("".join(c for c in ref if c.isdigit()) or 0))
    participant = pathway_services.participant_register(
        actor=actor,
        organisation=org,
        unit=unit,
        participant_ref=ref,
        personal_id=personal_id,
        gender=gender,
        birth_date=birth,
        **{"given_name": "Testa", "family_name": ref, **values},
    ).participant
    enrolment = pathway_services.enrolment_start(
        actor=actor, participant=participant, entry_date=entry
    )
    if exit_date is not None:
        pathway_services.enrolment_exit(
            actor=actor, enrolment=enrolment, exit_date=exit_date, reason="completed"
        )
    return participant
