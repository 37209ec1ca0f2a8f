"""The evidence pages read their rows in a fixed number of queries: one more participant,
enrolment or assessment adds no query (decision 39)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.pathways.test_reliability_cache import _assessed

PAGES = [
    ("/evidence/indicators/", {}),
    ("/evidence/indicators/", {"entry_from": "2025-01-01", "entry_to": "2025-12-31"}),
    ("/evidence/progression/", {"group_by": "organisation"}),
    ("/evidence/progression/", {"group_by": "phase"}),
    ("/evidence/progression/", {"group_by": "method"}),
]


def _count(client, url, params) -> int:
    client.get(url, params)  # the first view computes and keeps the reliability statistics
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(("url", "params"), PAGES)
@pytest.mark.parametrize("persona", ["coordinator", "analyst"])
def test_queries_do_not_grow_with_the_participants(
    client, request, persona, url, params, coach, unit_a1, other_org_coach, unit_b1
):
    # given a few participants with assessments in two organisations
    client.force_login(request.getfixturevalue(persona))
    _assessed(unit_a1, coach, count=3, prefix="A")
    _assessed(unit_b1, other_org_coach, count=2, prefix="B")
    few = _count(client, url, params)
    # when there are many more, with more assessments each
    _assessed(unit_a1, coach, count=12, prefix="C", times=3)
    _assessed(unit_b1, other_org_coach, count=6, prefix="D", times=3)
    # then the page costs the same number of queries
    assert _count(client, url, params) == few
