"""API endpoints of activities, coverage and white spots (read-only; every role reads them)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from emplus.core.filters import filters_or_400
from emplus.core.viewsets import ScopedReadOnlyViewSet
from emplus.mapping import selectors
from emplus.mapping.filters import ActivityFilterSet, WhiteSpotFilterSet
from emplus.mapping.serializers import (
    ACTIVITY_LIST_MANY,
    ActivitySerializer,
    CoverageSerializer,
    activity_list_columns,
    activity_list_rows,
)


class ActivityViewSet(ScopedReadOnlyViewSet):
    serializer_class = ActivitySerializer
    required_permission = "activity.view"
    # The same filters as the activity pages; an invalid value is a 400 naming it.
    filterset_class = ActivityFilterSet

    def get_queryset(self):
        filters = (
            filters_or_400(ActivityFilterSet, self.request.query_params, request=self.request)
            if self.action in ("list", "coverage")
            else None
        )
        activities = selectors.activity_list(viewer=self.request.user, filters=filters)
        if self.action == "list":
            return activities
        return activities.prefetch_related(*ACTIVITY_LIST_MANY)

    def list(self, request, *args, **kwargs):
        # A page's rows as dictionaries, their related codes read for the page together, turned
        # by the serializer's own fields: no model instance or DRF attribute lookup per row and
        # field (decision 67, as decision 59 for the participants).
        activities = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(
            activities.select_related(None).values(*activity_list_columns())
        )
        related = selectors.activity_related_codes(ids=[row["id"] for row in page])
        for row in page:
            for name in ACTIVITY_LIST_MANY:
                row[name] = related[name].get(row["id"], [])
        return self.get_paginated_response(activity_list_rows(page))

    @extend_schema(filters=True, responses=CoverageSerializer(many=True))
    @action(detail=False, pagination_class=None)
    def coverage(self, request):
        """Activities per 10 000 inhabitants for every municipality (the coverage table)."""
        filters = filters_or_400(ActivityFilterSet, request.query_params, request=request)
        rows = selectors.municipality_coverage(viewer=request.user, filters=filters)
        return Response(CoverageSerializer(rows, many=True).data)

    @extend_schema(filters=True, responses=CoverageSerializer(many=True))
    @action(
        detail=False,
        url_path="white-spots",
        pagination_class=None,
        filterset_class=WhiteSpotFilterSet,
    )
    def white_spots(self, request):
        """Rural or sparsely populated municipalities without activities, largest first."""
        filters = filters_or_400(WhiteSpotFilterSet, request.query_params, request=request)
        rows = selectors.white_spots(
            viewer=request.user, arena=filters.arena, max_per_10k=filters.max_rate
        )
        return Response(CoverageSerializer(rows, many=True).data)
