"""API endpoints of methods and thematic areas (read-only; every role reads them)."""

from __future__ import annotations

from emplus.core.viewsets import ScopedReadOnlyViewSet
from emplus.methods import selectors
from emplus.methods.serializers import MethodSerializer, ThematicAreaSerializer


class MethodViewSet(ScopedReadOnlyViewSet):
    serializer_class = MethodSerializer
    required_permission = "method.view"
    lookup_field = "code"

    def get_queryset(self):
        return selectors.method_list(viewer=self.request.user).prefetch_related("versions")


class ThematicAreaViewSet(ScopedReadOnlyViewSet):
    serializer_class = ThematicAreaSerializer
    required_permission = "method.view"
    lookup_field = "code"

    def get_queryset(self):
        return selectors.thematic_area_list(viewer=self.request.user)
