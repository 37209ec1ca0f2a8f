"""Base of every read-only API endpoint: DRF authenticates, role permission and scope apply."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from emplus.core import scoping
from emplus.core.audit import audit_list
from emplus.core.permissions import RolePermission


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """Subclasses set `required_permission` and either a `queryset` whose model declares its
    scope (the base restricts it to request.user and that permission) or a get_queryset()
    through a selector that is already restricted; objects outside the scope are 404.

    Endpoints of personal data set `list_audit_action`: each list response is then ONE audit
    event naming the rows of the page it returns (`audit_row_id`), never one event per row."""

    permission_classes = [IsAuthenticated, RolePermission]
    required_permission: str | None = None
    filterset_class: type | None = None  # the list's FilterSet (emplus.core.filters)
    throttle_scope = "list"  # emplus.api.throttling; search and export endpoints name their own
    list_audit_action = ""
    # Every key reaches the view (also one with a dot), and lookup_value() answers 404 in JSON.
    lookup_value_regex = "[^/]+"
    list_audit_purpose = "case_work"

    @classmethod
    def as_view(cls, *args, **kwargs):
        # DRF authenticates API clients itself (session or token), after the middleware.
        return login_not_required(super().as_view(*args, **kwargs))

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttling
        self.lookup_value()

    def lookup_value(self):
        """The object's key from the address, as its model field's value; a key that could not
        name any object (a non-UUID id, a code too long) is a 404 before any query, never a
        500. Every detail route of every viewset goes through here (`initial`)."""
        lookup = self.lookup_url_kwarg or self.lookup_field
        if lookup not in self.kwargs:
            return None
        raw = self.kwargs[lookup]
        meta = self.get_queryset().model._meta
        field = meta.pk if self.lookup_field == "pk" else meta.get_field(self.lookup_field)
        try:
            value = field.to_python(raw)
            field.run_validators(value)
        except (DjangoValidationError, TypeError, ValueError):
            raise NotFound() from None
        return value

    def get_queryset(self):
        if self.required_permission is None:
            raise PermissionError(f"{type(self).__name__} names no required_permission")
        return scoping.restrict(super().get_queryset(), self.request.user, self.required_permission)

    def audit_row_id(self, obj) -> object:
        """What the list's audit event names for one row (the participant, for pathway rows)."""
        return obj.pk

    def audit_page(self, rows) -> None:
        if self.list_audit_action:
            audit_list(
                actor=self.request.user,
                action=self.list_audit_action,
                ids=[self.audit_row_id(obj) for obj in rows],
                purpose=self.list_audit_purpose,
            )

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(queryset) if page is None else page
        self.audit_page(rows)
        data = self.get_serializer(rows, many=True).data
        return Response(data) if page is None else self.get_paginated_response(data)
