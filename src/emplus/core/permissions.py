"""Role permissions applied to views and API endpoints; the policy itself is in roles.py."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from emplus.core import scoping


def has_permission(user, permission: str) -> bool:
    """Whether the user holds the permission in at least one organisation: the gate of a page
    (403). The rows it opens are restrict()'s to say (another organisation's object is 404)."""
    return scoping.has_permission(user, permission)


def permission_required(permission: str) -> Callable:
    """Declare and enforce the permission a function view needs (anonymous users never get
    here: LoginRequiredMiddleware sends them to the log-in page first)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_permission(request.user, permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.emplus_permission = permission  # type: ignore[attr-defined]
        return wrapped

    return decorator


class RolePermission(BasePermission):
    """DRF permission: the view's `required_permission` must be held by one of the user's roles."""

    def has_permission(self, request, view) -> bool:
        permission = getattr(view, "required_permission", None)
        if permission is None:
            return False
        return bool(request.user and request.user.is_authenticated) and has_permission(
            request.user, permission
        )


def authenticated(view: Callable) -> Callable:
    """Declare that a view is for any signed-in user (their own account pages)."""
    view.emplus_permission = "authenticated"  # type: ignore[attr-defined]
    return view
