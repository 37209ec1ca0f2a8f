"""API endpoints of the collaboration registry (read-only; every member reads the register)."""

from __future__ import annotations

from emplus.collaborations import selectors
from emplus.collaborations.filters import CollaborationFilterSet
from emplus.collaborations.models import Collaboration
from emplus.collaborations.serializers import (
    CollaborationDetailSerializer,
    CollaborationSerializer,
)
from emplus.core.filters import filters_or_400
from emplus.core.viewsets import ScopedReadOnlyViewSet


class CollaborationViewSet(ScopedReadOnlyViewSet):
    """The partnership's collaborations with their parties; one collaboration also lists its
    documents (each with the address of its download page)."""

    required_permission = "collaboration.view"
    # The same filters as the register page; an invalid value is a 400 naming it.
    filterset_class = CollaborationFilterSet
    queryset = Collaboration.objects.none()  # for the schema; get_queryset() scopes

    def get_serializer_class(self):
        return (
            CollaborationDetailSerializer if self.action == "retrieve" else CollaborationSerializer
        )

    def get_queryset(self):
        if self.action == "list":
            filters = filters_or_400(
                CollaborationFilterSet, self.request.query_params, request=self.request
            )
            return selectors.collaboration_list(viewer=self.request.user, filters=filters)
        return selectors.collaboration_list(viewer=self.request.user).prefetch_related(
            "municipalities", "documents__uploaded_by"
        )
