"""The evidence pages' reports computed before anyone asks for them (decision 0079).

After a start the first view of `/evidence/indicators/` or `/evidence/progression/` of a scope
reads its whole participant frame and computes the report: seconds at 100 000 participants,
and more when the first viewers of every scope arrive at once. `emplus serve` therefore runs
`emplus warm-reports` beside the web server when it starts: each active viewer's reports as
the pages first show them (no filter, grouped by organisation, in the default language), kept
as a view keeps them (`core.kept`). Viewers of one scope share one report, so the second
viewer of a scope costs a look-up. A viewer who asks while it runs waits for the same
computation instead of starting another (decision 49).

It reads through the same selectors and scope as the pages: nothing is kept that the viewer's
own view would not keep, and nothing is shown to anyone."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import QueryDict
from django.utils import translation

from emplus.core.permissions import has_permission
from emplus.evidence import selectors
from emplus.evidence.filters import ProgressionFilterSet


@dataclass(frozen=True)
class Warmed:
    viewers: int
    seconds: float


def reports_warm(*, language: str | None = None) -> Warmed:
    """Keep the first page of both reports of every active user who may view evidence."""
    started = time.perf_counter()
    # The filters and grouping a page is asked without parameters: the same request, so the
    # same key as the view's.
    filterset = ProgressionFilterSet(QueryDict())
    filters, group_by = filterset.selector_filters, filterset.group_by_value
    viewers = 0
    users = get_user_model().objects.filter(is_active=True).order_by("pk")
    with translation.override(language or settings.LANGUAGE_CODE):
        for user in users.iterator(chunk_size=500):
            if not has_permission(user, "evidence.view"):
                continue
            selectors.indicator_report(viewer=user, filters=filters)
            selectors.progression_report(viewer=user, filters=filters, group_by=group_by)
            viewers += 1
    return Warmed(viewers=viewers, seconds=time.perf_counter() - started)
