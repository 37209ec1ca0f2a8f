"""API endpoint of the innovation pipeline (read-only; every role reads every idea)."""

from __future__ import annotations

from emplus.core.viewsets import ScopedReadOnlyViewSet
from emplus.innovation import selectors
from emplus.innovation.serializers import IdeaSerializer


class IdeaViewSet(ScopedReadOnlyViewSet):
    serializer_class = IdeaSerializer
    required_permission = "innovation.view"

    def get_queryset(self):
        return selectors.idea_list(viewer=self.request.user).prefetch_related(
            "moves__criteria", "moves__decided_by", "adoptions__organisation"
        )
