"""Demo funding calls: three open calls of different funders, with themes and regions."""

from __future__ import annotations

import pytest

from emplus.calls.models import Call, Consortium
from emplus.demo.builder import demo_data_create
from emplus.geo.services import reference_data_load

pytestmark = pytest.mark.django_db


def test_the_demo_has_three_open_calls():
    reference_data_load()
    demo_data_create(participants=50)
    calls = list(Call.objects.order_by("deadline"))
    assert len(calls) == 3
    assert len({c.funder for c in calls}) == 3
    assert all(c.themes.exists() for c in calls)


def test_the_demo_has_one_consortium_in_progress_within_the_budget():
    reference_data_load()
    demo_data_create(participants=50)
    demo_data_create(participants=50)  # again: nothing doubles
    consortium = Consortium.objects.get()
    shares = [p.budget_share for p in consortium.partners.all()]
    assert len(shares) == 4 and sum(shares) <= 100
    assert consortium.history.filter(action="partner_added").count() == 4
