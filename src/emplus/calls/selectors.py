"""Reads of funding calls (every role reads every call: they are the partnership's shared
notice board) and of consortia (the lead organisation's coordinators and administrators)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from emplus.calls.models import Call
from emplus.core.typing import User


def call_list(*, viewer: User, open_on: date | None = None) -> QuerySet[Call]:
    """Calls by deadline, the nearest first; with `open_on`, only those not closed by then."""
    qs = (
        Call.objects.restrict(viewer, "call.view")
        .select_related("organisation")
        .prefetch_related("themes", "target_regions")
    )
    if open_on is not None:
        qs = qs.filter(deadline__gte=open_on)
    return qs.annotate(consortium_count=Count("consortia", distinct=True)).order_by(
        "deadline", "title", "pk"
    )


def call_get(*, viewer: User, pk: object) -> Call:
    return get_object_or_404(call_list(viewer=viewer), pk=pk)
