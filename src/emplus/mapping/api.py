"""API endpoints of activities, coverage, white spots, methods, thematic areas and test beds
(read-only; every role reads them)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from emplus.api.base import ScopedReadOnlyViewSet
from emplus.mapping import selectors
from emplus.mapping.serializers import (
    ActivitySerializer,
    CoverageSerializer,
    MethodSerializer,
    TestBedSerializer,
    ThematicAreaSerializer,
)
from emplus.methods import selectors as method_selectors
from emplus.testbeds import selectors as test_bed_selectors

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


class MethodViewSet(ScopedReadOnlyViewSet):
    serializer_class = MethodSerializer
    required_permission = "method.view"
    lookup_field = "code"

    def get_queryset(self):
        return method_selectors.method_list(viewer=self.request.user).prefetch_related("versions")


class ThematicAreaViewSet(ScopedReadOnlyViewSet):
    serializer_class = ThematicAreaSerializer
    required_permission = "method.view"
    lookup_field = "code"

    def get_queryset(self):
        return method_selectors.thematic_area_list(viewer=self.request.user)


class TestBedViewSet(ScopedReadOnlyViewSet):
    serializer_class = TestBedSerializer
    required_permission = "testbed.view"
    lookup_field = "code"

    def get_queryset(self):
        return test_bed_selectors.test_bed_list(viewer=self.request.user).prefetch_related(
            "partners", "methods", "thematic_areas", "municipalities"
        )
