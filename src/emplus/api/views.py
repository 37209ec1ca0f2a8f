"""API endpoints that belong to no single app."""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from emplus.organisations.selectors import memberships_of


@extend_schema(
    responses=inline_serializer(
        "Me",
        {
            "username": serializers.CharField(),
            "memberships": serializers.ListField(child=serializers.DictField()),
        },
    )
)
@api_view(["GET"])
def me(request):
    """The caller and their memberships (organisation, role, unit)."""
    return Response(
        {
            "username": request.user.get_username(),
            "memberships": [
                {
                    "organisation": m.organisation.code,
                    "role": m.role,
                    "unit": str(m.unit_id) if m.unit_id else None,
                }
                for m in memberships_of(user=request.user)
            ],
        }
    )


me = login_not_required(me)
me.emplus_permission = "authenticated"


def not_found(request, exception=None):
    """Django's 404 handler: under /api/ the answer is JSON like every other API error (an
    address no route matches, e.g. a malformed month); pages keep Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return page_not_found(request, exception)
