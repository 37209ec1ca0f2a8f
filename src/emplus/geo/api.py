"""API endpoints for counties and municipalities, with their boundaries as GeoJSON."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from emplus.core.viewsets import ScopedReadOnlyViewSet
from emplus.evidence_core import reference
from emplus.geo import selectors
from emplus.geo.filters import MunicipalityFilter
from emplus.geo.serializers import CountySerializer, MunicipalitySerializer


class _BoundariesMixin:
    level = ""

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        description="Simplified boundaries as a GeoJSON FeatureCollection (WGS 84).",
    )
    @action(detail=False, url_path="boundaries", pagination_class=None, filterset_class=None)
    def boundaries(self, request):
        return Response(reference.boundaries(self.level))


class CountyViewSet(_BoundariesMixin, ScopedReadOnlyViewSet):
    serializer_class = CountySerializer
    required_permission = "geo.view"
    level = "county"
    lookup_field = "code"

    def get_queryset(self):
        return selectors.county_list()


class MunicipalityViewSet(_BoundariesMixin, ScopedReadOnlyViewSet):
    serializer_class = MunicipalitySerializer
    required_permission = "geo.view"
    level = "municipality"
    lookup_field = "code"
    filterset_class = MunicipalityFilter

    def get_queryset(self):
        return selectors.municipality_list()
