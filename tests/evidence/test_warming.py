"""The evidence pages' reports computed before anyone asks (decision 0079): each viewer's first
view finds its report kept, and what is kept is exactly what the viewer's own view computes."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from tests.evidence.test_indicator_pages import data  # noqa: F401 - the fixture

from emplus.core.kept import KEPT_CACHE
from emplus.evidence import selectors
from emplus.evidence.filters import ProgressionFilterSet
from emplus.evidence.warming import reports_warm

pytestmark = pytest.mark.django_db


def _first_views(viewer) -> tuple[dict, object, int]:
    """Both pages' reports as a view asks for them without parameters, and the queries read."""
    filterset = ProgressionFilterSet({})
    filters = filterset.selector_filters
    with CaptureQueriesContext(connection) as queries, translation.override("sv"):
        indicators = selectors.indicator_report(viewer=viewer, filters=filters)
        progression = selectors.progression_report(
            viewer=viewer, filters=filters, group_by=filterset.group_by_value
        )
    return indicators.to_dict(), progression, len(queries)


def test_each_viewer_finds_the_reports_kept_and_equal_to_its_own_computation(
    data,  # noqa: F811 - the fixture
    coordinator,
    analyst,
    other_org_coordinator,
):
    # given what each viewer's first views compute from scratch
    computed = {}
    for viewer in (coordinator, analyst, other_org_coordinator):
        caches[KEPT_CACHE].clear()
        computed[viewer.pk] = _first_views(viewer)
    caches[KEPT_CACHE].clear()
    # when the reports are warmed
    warmed = reports_warm(language="sv")
    # then every viewer's first views read the kept reports: the same figures, and far fewer
    # queries than a computation (which reads the participant frame and more)
    assert warmed.viewers >= 3
    for viewer in (coordinator, analyst, other_org_coordinator):
        indicators, progression, queries = _first_views(viewer)
        fresh_indicators, fresh_progression, fresh_queries = computed[viewer.pk]
        assert indicators == fresh_indicators
        assert progression == fresh_progression
        assert queries < fresh_queries
    # and the scopes are not mixed: another organisation's coordinator sees its own figures
    assert computed[other_org_coordinator.pk][0] != computed[coordinator.pk][0]


def test_users_without_the_evidence_right_or_inactive_are_not_warmed(
    data,  # noqa: F811 - the fixture
    coach,
    coordinator,
    no_role_user,
):
    # given one viewer, then the same viewer deactivated
    assert reports_warm().viewers == 1  # the coordinator; the coach and the user without a role
    caches[KEPT_CACHE].clear()
    coordinator.is_active = False
    coordinator.save(update_fields=["is_active"])
    # when warmed again, then nobody is
    assert reports_warm().viewers == 0


def test_the_command_says_how_many_viewers_it_kept_reports_for(
    data,  # noqa: F811 - the fixture
    coordinator,
    capsys,
):
    call_command("warm_reports", "--language", "en")
    assert "Kept the evidence reports of 1 viewers" in capsys.readouterr().out
