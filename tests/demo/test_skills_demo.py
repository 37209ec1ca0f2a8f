"""Demo skills development: needs in every county, a catalogue with occasions and completions."""

from __future__ import annotations

import pytest

from emplus.demo.builder import demo_data_create
from emplus.geo.models import County
from emplus.geo.services import reference_data_load
from emplus.skills.models import Course, CourseOccasion, Registration, SkillNeed

pytestmark = pytest.mark.django_db


def test_the_demo_has_skills_development():
    reference_data_load()
    demo_data_create(participants=50)
    assert set(SkillNeed.objects.values_list("county", flat=True)) == set(
        County.objects.values_list("code", flat=True)
    )
    assert Course.objects.count() >= 6
    assert CourseOccasion.objects.count() >= 2 * Course.objects.count()
    assert Registration.objects.filter(status="completed").exists()
    assert Registration.objects.filter(status="registered").exists()
    for registration in Registration.objects.all():
        registration.full_clean()
