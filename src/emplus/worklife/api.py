"""API endpoints of working life (read-only): employers, and placements of the caller's own
participants (a list is one audit event naming them; reading one is an event of its own)."""

from __future__ import annotations

import django_filters
from rest_framework.response import Response

from emplus.core.audit import audit_log
from emplus.core.viewsets import ScopedReadOnlyViewSet
from emplus.worklife.models import EducationEnrolment, Employer, WorkplacePlacement
from emplus.worklife.serializers import (
    EducationEnrolmentSerializer,
    EmployerSerializer,
    PlacementSerializer,
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
