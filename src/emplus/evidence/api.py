"""API endpoints of the evidence module: the ESF+ indicators with the page's scope and filters."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_not_required
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from emplus.core.filters import filters_or_400
from emplus.core.permissions import RolePermission
from emplus.core.typing import User
from emplus.core.viewsets import ScopedReadOnlyViewSet
from emplus.evidence import selectors
from emplus.evidence.filters import EstimateFilterSet, IndicatorFilterSet
from emplus.evidence.models import EffectEstimate
from emplus.evidence.serializers import EffectEstimateSerializer
from emplus.evidence_core.socioeconomic import transitions_from_indicators, yearly_value
from emplus.pathways.models import Enrolment


class IndicatorsView(APIView):
    """The 23 ESF+ indicators by gender. Your own organisation at full detail; across the
    partnership (analysts, administrators) with counts 1-4 and their complements hidden (null)."""

    permission_classes = [IsAuthenticated, RolePermission]
    required_permission = "evidence.view"
    throttle_scope = "estimate"

    @classmethod
    def as_view(cls, *args, **kwargs):
        return login_not_required(super().as_view(*args, **kwargs))

    # The same FilterSet as the indicator page; an invalid value is a 400 naming it. The
    # backend and the (empty) queryset only let the schema document its parameters.
    filterset_class = IndicatorFilterSet
    filter_backends = [DjangoFilterBackend]
    queryset = Enrolment.objects.none()

    @extend_schema(filters=True, responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        filters = filters_or_400(IndicatorFilterSet, request.query_params, request=request)
        report = selectors.indicator_report(viewer=request.user, filters=filters)
        data = report.to_dict()
        value = yearly_value(
            transitions_from_indicators({r.code: r.total for r in report.result.indicators})
        )
        data["socioeconomic_value"] = value.as_dict() if value else None
        return Response(data)


class EffectEstimateViewSet(ScopedReadOnlyViewSet):
    """Effect estimates the caller started, or their organisation's: the same list, with the
    same filters, as the effects page. Start one on the page (it may carry an upload)."""

    serializer_class = EffectEstimateSerializer
    required_permission = "evidence.view"
    throttle_scope = "estimate"
    filterset_class = EstimateFilterSet
    queryset = EffectEstimate.objects.none()  # for the schema; get_queryset() scopes

    def get_queryset(self):
        filters = (
            filters_or_400(EstimateFilterSet, self.request.query_params, request=self.request)
            if self.action == "list"
            else None
        )
        viewer = cast(User, self.request.user)  # IsAuthenticated ran before
        return selectors.effect_estimate_list(viewer=viewer, filters=filters)
