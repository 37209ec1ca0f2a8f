"""Skill areas seeded, a course of organisation A with an occasion, and a logged-in client."""

from __future__ import annotations

from datetime import date

import pytest

from emplus.skills import services
from emplus.skills.models import SkillArea
from tests.factories import verify_session


@pytest.fixture
def areas(geo):
    services.skill_area_reference_load()
    return {a.code: a for a in SkillArea.objects.all()}


@pytest.fixture
def course(areas, coordinator, org_a):
    return services.course_save(
        actor=coordinator,
        course=None,
        organisation=org_a,
        fields={
            "title": "Motiverande samtal",
            "provider": "ABF",
            "format": "blended",
            "length_hours": 24,
            "language": "sv",
            "target_roles": ["coach"],
        },
        skill_areas=[areas["MI"]],
    )


@pytest.fixture
def occasion(course, coordinator):
    from emplus.geo.models import County

    return services.course_occasion_add(
        actor=coordinator,
        course=course,
        starts_on=date(2025, 9, 1),
        ends_on=date(2025, 9, 3),
        county=County.objects.get(code="24"),
        place="Umeå",
        places=2,
    )


@pytest.fixture
def login(client):
    def as_user(user):
        verify_session(client, user)
        return client

    return as_user
