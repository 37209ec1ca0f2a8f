"""API endpoints of the action plans (read-only; every role reads plans, live values follow
the suppression rule of the pages)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework.response import Response

from emplus.core.viewsets import ScopedReadOnlyViewSet
from emplus.plans import selectors
from emplus.plans.models import ActionPlan
from emplus.plans.serializers import LiveGoalSerializer, PlanDetailSerializer, PlanSerializer

extend_schema_field(LiveGoalSerializer(many=True))(PlanDetailSerializer.get_goals)


class ActionPlanViewSet(ScopedReadOnlyViewSet):
    """Plans (a list without values); one plan with every goal's live value and status."""

    serializer_class = PlanSerializer
    required_permission = "plan.view"
    queryset = ActionPlan.objects.none()  # for the schema; get_queryset() reads the selector

    def get_queryset(self):
        return selectors.plan_list(viewer=self.request.user)

    @extend_schema(responses=PlanDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        plan = self.get_object()
        rows = selectors.goal_rows(viewer=request.user, plan=plan)
        return Response(PlanDetailSerializer(plan, context={"goal_rows": rows}).data)
