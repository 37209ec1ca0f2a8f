"""API endpoints of working life (read-only): employers and their opportunities; placements,
studies, proposals, gig assignments and income of the caller's own participants (a list is one
audit event naming them; reading one is an event of its own); income stability by group
(counts, suppressed)."""

from __future__ import annotations

import django_filters
from django.contrib.auth.decorators import login_not_required
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from emplus.core.audit import audit_log
from emplus.core.permissions import RolePermission
from emplus.core.viewsets import ScopedReadOnlyViewSet
from emplus.worklife import selectors
from emplus.worklife.choices import CompletionGroup
from emplus.worklife.forms import CompletionFilterForm
from emplus.worklife.models import (
    EducationEnrolment,
    Employer,
    GigAssignment,
    IncomeRecord,
    Opportunity,
    Proposal,
    ProposalEvent,
    WorkplacePlacement,
)
from emplus.worklife.serializers import (
    EducationEnrolmentSerializer,
    EmployerSerializer,
    GigAssignmentSerializer,
    IncomeRecordSerializer,
    OpportunitySerializer,
    PlacementSerializer,
    ProposalSerializer,
    StabilitySerializer,
)


class EmployerViewSet(ScopedReadOnlyViewSet):
    """Employers of the caller's organisations and of those they work with as partners."""

    serializer_class = EmployerSerializer
    required_permission = "employer.view"
    queryset = Employer.objects.none()  # for the schema; get_queryset() scopes

    def get_queryset(self):
        return (
            Employer.objects.restrict(self.request.user, "employer.view")
            .select_related("organisation", "municipality")
            .prefetch_related("contacts", "partner_organisations", "partner_units")
            .order_by("name", "pk")
        )


class PlacementFilter(django_filters.FilterSet):
    participant = django_filters.UUIDFilter(field_name="participant_id")
    employer = django_filters.UUIDFilter(field_name="employer_id")

    class Meta:
        model = WorkplacePlacement
        fields = ["participant", "employer", "kind", "outcome"]


class _ParticipantRecordViewSet(ScopedReadOnlyViewSet):
    """A list names the participants of its page in one audit event; reading one record is a
    `participant.viewed` event of its own."""

    def audit_row_id(self, obj) -> object:
        return obj.participant_id

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        audit_log(
            actor=request.user,
            action="participant.viewed",
            target=obj.participant,
            purpose="case_work",
        )
        return Response(self.get_serializer(obj).data)


class PlacementViewSet(_ParticipantRecordViewSet):
    serializer_class = PlacementSerializer
    required_permission = "placement.view"
    filterset_class = PlacementFilter
    list_audit_action = "placement.listed_api"
    queryset = WorkplacePlacement.objects.none()

    def get_queryset(self):
        return (
            WorkplacePlacement.objects.restrict(self.request.user, "placement.view")
            .filter(participant__erased_at__isnull=True)
            .select_related("step")
            .order_by("-started_on", "pk")
        )


class EducationFilter(django_filters.FilterSet):
    participant = django_filters.UUIDFilter(field_name="participant_id")

    class Meta:
        model = EducationEnrolment
        fields = ["participant", "status", "provider_kind"]


class EducationEnrolmentViewSet(_ParticipantRecordViewSet):
    serializer_class = EducationEnrolmentSerializer
    required_permission = "education.view"
    filterset_class = EducationFilter
    list_audit_action = "education.listed_api"
    queryset = EducationEnrolment.objects.none()

    def get_queryset(self):
        return (
            EducationEnrolment.objects.restrict(self.request.user, "education.view")
            .filter(participant__erased_at__isnull=True)
            .select_related("step")
            .order_by("-started_on", "pk")
        )


class ParticipantFilter(django_filters.FilterSet):
    participant = django_filters.UUIDFilter(field_name="participant_id")


class GigAssignmentViewSet(_ParticipantRecordViewSet):
    """Gig assignments: the owning organisation only, like income."""

    serializer_class = GigAssignmentSerializer
    required_permission = "income.view"
    filterset_class = ParticipantFilter
    list_audit_action = "gig_assignment.listed_api"
    queryset = GigAssignment.objects.none()

    def get_queryset(self):
        return (
            GigAssignment.objects.restrict(self.request.user, "income.view")
            .filter(participant__erased_at__isnull=True)
            .order_by("-started_on", "pk")
        )


class IncomeFilter(django_filters.FilterSet):
    participant = django_filters.UUIDFilter(field_name="participant_id")
    month_from = django_filters.DateFilter(field_name="month", lookup_expr="gte")
    month_to = django_filters.DateFilter(field_name="month", lookup_expr="lte")

    class Meta:
        model = IncomeRecord
        fields = ["participant", "source", "month_from", "month_to"]


class IncomeRecordViewSet(_ParticipantRecordViewSet):
    """Monthly income records: the owning organisation only (never opened by consent)."""

    serializer_class = IncomeRecordSerializer
    required_permission = "income.view"
    filterset_class = IncomeFilter
    list_audit_action = "income.listed_api"
    queryset = IncomeRecord.objects.none()

    def get_queryset(self):
        return (
            IncomeRecord.objects.restrict(self.request.user, "income.view")
            .filter(participant__erased_at__isnull=True)
            .order_by("-month", "source", "pk")
        )


class IncomeStabilityView(APIView):
    """Income stability by organisation, method, test bed or thematic area, with the page's
    scope and suppression (decision 18); the parameter version and threshold come with it."""

    permission_classes = [IsAuthenticated, RolePermission]
    required_permission = "evidence.view"

    @classmethod
    def as_view(cls, *args, **kwargs):
        return login_not_required(super().as_view(*args, **kwargs))

    @extend_schema(
        parameters=[
            OpenApiParameter("group_by", str, enum=CompletionGroup.values),
            OpenApiParameter(
                "as_of", OpenApiTypes.DATE, description="Reporting date (default today)."
            ),
        ],
        responses={200: StabilitySerializer},
    )
    def get(self, request):
        form = CompletionFilterForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        group_by = form.cleaned_data["group_by"] or CompletionGroup.ORGANISATION
        as_of = form.cleaned_data["as_of"] or timezone.localdate()
        parameters = selectors.stability_parameters_current()
        rows = selectors.income_stability_by_group(
            viewer=request.user, group_by=group_by, as_of=as_of
        )
        return Response(
            StabilitySerializer(
                {
                    "group_by": group_by,
                    "as_of": as_of,
                    "parameter_version": parameters.version,
                    "threshold": parameters.threshold,
                    "rows": rows,
                }
            ).data
        )


class OpportunityFilter(django_filters.FilterSet):
    employer = django_filters.UUIDFilter(field_name="employer_id")
    ssyk = django_filters.CharFilter(field_name="ssyk_code", lookup_expr="startswith")

    class Meta:
        model = Opportunity
        fields = ["employer", "kind", "is_open", "municipality", "ssyk"]


class OpportunityViewSet(ScopedReadOnlyViewSet):
    """Opportunities of the caller's organisations and of employers they work with."""

    serializer_class = OpportunitySerializer
    required_permission = "opportunity.view"
    filterset_class = OpportunityFilter
    queryset = Opportunity.objects.none()

    def get_queryset(self):
        return Opportunity.objects.restrict(self.request.user, "opportunity.view").order_by(
            "-created_at", "pk"
        )


class ProposalFilter(django_filters.FilterSet):
    participant = django_filters.UUIDFilter(field_name="participant_id")
    opportunity = django_filters.UUIDFilter(field_name="opportunity_id")

    class Meta:
        model = Proposal
        fields = ["participant", "opportunity", "status"]


class ProposalViewSet(_ParticipantRecordViewSet):
    """Proposals of the caller's own participants (coach: unit; coordinator: organisation)."""

    serializer_class = ProposalSerializer
    required_permission = "proposal.view"
    filterset_class = ProposalFilter
    list_audit_action = "proposal.listed_api"
    queryset = Proposal.objects.none()

    def get_queryset(self):
        return (
            Proposal.objects.restrict(self.request.user, "proposal.view")
            .filter(participant__erased_at__isnull=True)
            .prefetch_related(
                Prefetch("events", queryset=ProposalEvent.objects.order_by("occurred_on"))
            )
            .order_by("-status_on", "pk")
        )
