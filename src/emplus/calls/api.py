"""API endpoints of funding calls and consortia (read-only, scoped like their pages)."""

from __future__ import annotations

from emplus.calls import selectors
from emplus.calls.models import Call, Consortium
from emplus.calls.serializers import CallSerializer, ConsortiumSerializer
from emplus.core.viewsets import ScopedReadOnlyViewSet


class CallViewSet(ScopedReadOnlyViewSet):
    """Every funding call, the nearest deadline first (closed ones too: `deadline` says)."""

    serializer_class = CallSerializer
    required_permission = "call.view"
    queryset = Call.objects.none()  # for the schema; get_queryset() scopes

    def get_queryset(self):
        return selectors.call_list(viewer=self.request.user)


class ConsortiumViewSet(ScopedReadOnlyViewSet):
    """The consortia the caller's organisations lead, with their partners."""

    serializer_class = ConsortiumSerializer
    required_permission = "consortium.view"
    queryset = Consortium.objects.none()  # for the schema; get_queryset() scopes

    def get_queryset(self):
        return (
            Consortium.objects.restrict(self.request.user, "consortium.view")
            .select_related("lead_organisation")
            .prefetch_related("partners__organisation")
            .order_by("call__deadline", "title", "pk")
        )
