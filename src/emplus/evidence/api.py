"""API endpoints of the evidence module: the ESF+ indicators with the page's scope and filters."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from emplus.core.permissions import RolePermission
from emplus.evidence import selectors
from emplus.evidence_core.socioeconomic import transitions_from_indicators, yearly_value

_FILTER_PARAMETERS = [
    OpenApiParameter("organisation", str, description="organisation code"),
    OpenApiParameter("unit", OpenApiTypes.UUID, description="local unit id"),
    OpenApiParameter("county", str, description="county code of residence at entry"),
    OpenApiParameter("municipality", str, description="municipality code of residence at entry"),
    OpenApiParameter("method", str, description="method code of the enrolment"),
    OpenApiParameter("test_bed", str, description="test bed code of the enrolment"),
    OpenApiParameter("entry_from", OpenApiTypes.DATE, description="entry on or after"),
    OpenApiParameter("entry_to", OpenApiTypes.DATE, description="entry on or before"),
    OpenApiParameter("as_of", OpenApiTypes.DATE, description="reporting date (default today)"),
]


class IndicatorsView(APIView):
    """The 23 ESF+ indicators by gender. Your own organisation at full detail; across the
    partnership (analysts, administrators) with counts 1-4 and their complements hidden (null)."""

    permission_classes = [IsAuthenticated, RolePermission]
    required_permission = "evidence.view"
    throttle_scope = "estimate"

    @classmethod
    def as_view(cls, *args, **kwargs):
        return login_not_required(super().as_view(*args, **kwargs))

    @extend_schema(parameters=_FILTER_PARAMETERS, responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        filters, errors = selectors.IndicatorFilters.from_params(request.query_params)
        if errors:
            return Response({"errors": errors}, status=400)
        report = selectors.indicator_report(viewer=request.user, filters=filters)
        data = report.to_dict()
        value = yearly_value(
            transitions_from_indicators({r.code: r.total for r in report.result.indicators})
        )
        data["socioeconomic_value"] = value.as_dict() if value else None
        return Response(data)
