"""API endpoints of activities, coverage and white spots (read-only; every role reads them)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from emplus.core.viewsets import ScopedReadOnlyViewSet
from emplus.mapping import selectors
from emplus.mapping.serializers import ActivitySerializer, CoverageSerializer

FILTER_PARAMETERS = [
    OpenApiParameter(name, str, required=False)
    for name in ("arena", "phase", "organisation", "thematic_area", "target_group", "county", "q")
]


class ActivityViewSet(ScopedReadOnlyViewSet):
    serializer_class = ActivitySerializer
    required_permission = "activity.view"

    def get_queryset(self):
        filters = selectors.ActivityFilters.from_params(self.request.query_params)
        return selectors.activity_list(viewer=self.request.user, filters=filters).prefetch_related(
            "methods", "thematic_areas", "municipalities"
        )

    @extend_schema(parameters=FILTER_PARAMETERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=FILTER_PARAMETERS, responses=CoverageSerializer(many=True))
    @action(detail=False, pagination_class=None)
    def coverage(self, request):
        """Activities per 10 000 inhabitants for every municipality (the coverage table)."""
        filters = selectors.ActivityFilters.from_params(request.query_params)
        rows = selectors.municipality_coverage(viewer=request.user, filters=filters)
        return Response(CoverageSerializer(rows, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("arena", str, required=False)],
        responses=CoverageSerializer(many=True),
    )
    @action(detail=False, url_path="white-spots", pagination_class=None)
    def white_spots(self, request):
        """Rural or sparsely populated municipalities without activities, largest first."""
        arena = request.query_params.get("arena", "")
        arena = arena if arena in selectors.Arena.values else ""
        rows = selectors.white_spots(viewer=request.user, arena=arena)
        return Response(CoverageSerializer(rows, many=True).data)
