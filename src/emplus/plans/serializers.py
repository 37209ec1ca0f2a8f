"""API representation of action plans and their goals with live values."""

from __future__ import annotations

from rest_framework import serializers

from emplus.plans.models import ActionPlan, PlanAction, PlanGoal
from emplus.plans.services import GOAL_FIELDS


class PlanSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    test_bed = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    county = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    thematic_area = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = ActionPlan
        fields = [
            "id",
            "title",
            "owner_kind",
            "organisation",
            "test_bed",
            "county",
            "thematic_area",
            "period_start",
            "period_end",
            "description",
        ]


class ActionSerializer(serializers.ModelSerializer):
    responsible = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = PlanAction
        fields = ["id", "title", "responsible", "due_date", "status"]


class GoalSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    unit = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    county = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    method = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    test_bed = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    actions = ActionSerializer(many=True, read_only=True)

    class Meta:
        model = PlanGoal
        fields = ["id", *GOAL_FIELDS, "actions"]


class LiveGoalSerializer(serializers.Serializer):
    """A goal with its live value as the caller may see it (None: no data, or hidden)."""

    goal = GoalSerializer(read_only=True)
    value = serializers.FloatField(allow_null=True, read_only=True)
    expected = serializers.FloatField(read_only=True)
    status = serializers.CharField(read_only=True)
    suppressed = serializers.BooleanField(read_only=True)
    is_share = serializers.BooleanField(read_only=True)


class PlanDetailSerializer(PlanSerializer):
    goals = serializers.SerializerMethodField()

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "goals"]

    def get_goals(self, plan) -> list[dict]:
        rows = self.context["goal_rows"]
        return LiveGoalSerializer(rows, many=True).data
