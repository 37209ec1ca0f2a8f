"""Effect estimates through the API: the effects page's list, scope and filters (one
EstimateFilterSet), never the uploaded comparison rows."""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.conftest import make_user

from emplus.core.roles import Role
from emplus.evidence.choices import EstimateMethod, EstimateOutcome, EstimateStatus
from emplus.evidence.models import EffectEstimate

pytestmark = pytest.mark.django_db


def _estimate(user, organisation, *, status=EstimateStatus.DONE, outcome=None):
    return EffectEstimate.objects.create(
        created_by=user,
        organisation=organisation,
        treatment={"organisation": organisation.code},
        comparison_rows=[{"age_at_entry": 31, "employed": True}],
        outcome=outcome or EstimateOutcome.values[0],
        covariates=["gender"],
        method=EstimateMethod.PSM,
        status=status,
    )


@pytest.fixture
def coordinator_b(org_b):
    return make_user("coordinator-b", org_b, Role.COORDINATOR)


def test_coordinator_lists_own_organisations_estimates_and_not_anothers(
    client, coordinator, coordinator_b, org_a, org_b
):
    # given an estimate in each organisation
    own = _estimate(coordinator, org_a)
    other = _estimate(coordinator_b, org_b)
    client.force_login(coordinator)
    # when the coordinator of A lists them
    body = client.get("/api/effect-estimates/").json()
    # then only A's, without the comparison rows
    assert [row["id"] for row in body["results"]] == [str(own.pk)]
    assert "comparison_rows" not in body["results"][0]
    assert client.get(f"/api/effect-estimates/{own.pk}/").status_code == 200
    assert client.get(f"/api/effect-estimates/{other.pk}/").status_code == 404


def test_page_and_api_filter_the_list_alike(client, coordinator, org_a):
    done = _estimate(coordinator, org_a)
    failed = _estimate(coordinator, org_a, status=EstimateStatus.FAILED)
    client.force_login(coordinator)
    api = client.get("/api/effect-estimates/", {"status": "failed"}).json()
    assert [row["id"] for row in api["results"]] == [str(failed.pk)]
    page = client.get(reverse("evidence:effects"), {"status": "failed"})
    assert [e.pk for e in page.context["estimates"]] == [failed.pk]
    assert done.pk not in [e.pk for e in page.context["estimates"]]


def test_a_coach_has_no_estimates(client, coach):
    client.force_login(coach)
    assert client.get("/api/effect-estimates/").status_code == 403
