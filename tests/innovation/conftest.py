"""Criteria loaded, an idea of organisation A, a draft method version and a test bed."""

from __future__ import annotations

from datetime import date

import pytest

from emplus.innovation import services
from emplus.innovation.models import StageCriterion
from emplus.methods.models import MethodVersion
from tests.factories import MethodFactory, TestBedFactory, ThematicAreaFactory, verify_session


@pytest.fixture
def criteria(db):
    services.stage_criteria_load()
    return {
        s: list(StageCriterion.objects.filter(stage=s))
        for s in ("designed", "tested", "evaluated", "scaled", "stopped")
    }


@pytest.fixture
def idea(criteria, coordinator, org_a):
    return services.idea_create(
        actor=coordinator,
        organisation=org_a,
        title="Jobbsök i föreningen",
        problem="Ensamt jobbsökande.",
        proposed_solution="Gemensam verkstad.",
        target_group="Unga vuxna",
        thematic_area=ThematicAreaFactory(code="INCLUSION"),
    )


@pytest.fixture
def version(db):
    return MethodVersion.objects.create(
        method=MethodFactory(code="M-VERKSTAD"),
        version="0.1",
        released_on=date(2025, 1, 1),
        change_note="Utkast.",
    )


@pytest.fixture
def bed(org_a):
    return TestBedFactory(code="TB-X", lead_organisation=org_a)


@pytest.fixture
def login(client):
    def as_user(user):
        verify_session(client, user)
        return client

    return as_user
