"""API endpoints of methods and thematic areas (read-only; every role reads them)."""

from __future__ import annotations

from emplus.core.filters import filters_or_400
from emplus.core.viewsets import ScopedReadOnlyViewSet
from emplus.methods import selectors
from emplus.methods.filters import MethodFilterSet
from emplus.methods.serializers import MethodSerializer, ThematicAreaSerializer


class MethodViewSet(ScopedReadOnlyViewSet):
    serializer_class = MethodSerializer
    required_permission = "method.view"
    lookup_field = "code"
    # The same filters as the methods page; an invalid value is a 400 naming it.
    filterset_class = MethodFilterSet

    def get_queryset(self):
        filters = (
            filters_or_400(MethodFilterSet, self.request.query_params, request=self.request)
            if self.action == "list"
            else None
        )
        return selectors.method_list(viewer=self.request.user, filters=filters).prefetch_related(
            "versions"
        )


class ThematicAreaViewSet(ScopedReadOnlyViewSet):
    serializer_class = ThematicAreaSerializer
    required_permission = "method.view"
    lookup_field = "code"

    def get_queryset(self):
        return selectors.thematic_area_list(viewer=self.request.user)
