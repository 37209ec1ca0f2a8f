"""Base of every read-only API endpoint: DRF authenticates, role permission and scope apply."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from emplus.core.permissions import RolePermission


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """Subclasses set `required_permission` and implement get_queryset() through a selector
    that is already scoped to request.user; objects outside the scope are 404."""

    permission_classes = [IsAuthenticated, RolePermission]
    required_permission: str | None = None
    filterset_class = None
    throttle_scope = "list"  # emplus.api.throttling; search and export endpoints name their own

    @classmethod
    def as_view(cls, *args, **kwargs):
        # DRF authenticates API clients itself (session or token), after the middleware.
        return login_not_required(super().as_view(*args, **kwargs))
