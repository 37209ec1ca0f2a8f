"""API endpoints of test beds (read-only; every role reads them)."""

from __future__ import annotations

from emplus.core.viewsets import ScopedReadOnlyViewSet
from emplus.testbeds import selectors
from emplus.testbeds.serializers import TestBedSerializer


class TestBedViewSet(ScopedReadOnlyViewSet):
    serializer_class = TestBedSerializer
    required_permission = "testbed.view"
    lookup_field = "code"

    def get_queryset(self):
        return selectors.test_bed_list(viewer=self.request.user).prefetch_related(
            "partners", "methods", "thematic_areas", "municipalities"
        )
