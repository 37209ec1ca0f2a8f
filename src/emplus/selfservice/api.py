"""API endpoints of the self-service app, scoped exactly like the pages: links, hours per month,
attestations, and the endpoint the offline queue sends its entries to."""

from __future__ import annotations

from datetime import date

import django_filters
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from emplus.core.permissions import RolePermission, has_permission
from emplus.core.viewsets import ScopedReadOnlyViewSet
from emplus.pathways import progress_data
from emplus.pathways.models import Enrolment
from emplus.selfservice import offline, selectors, services
from emplus.selfservice.choices import LinkPurpose, OfflineKind
from emplus.selfservice.models import MonthlyTime, SelfServiceLink, TimeAttestation
from emplus.selfservice.serializers import (
    MonthlyTimeSerializer,
    MonthlyTimeSetSerializer,
    OfflineEntrySerializer,
    OfflineResultSerializer,
    PaperAttestationSerializer,
    SelfServiceLinkCreatedSerializer,
    SelfServiceLinkCreateSerializer,
    SelfServiceLinkSerializer,
    TimeAttestationSerializer,
)
from emplus.selfservice.views.common import public_url


def _month(value: str | None) -> date | None:
    if not value:
        return None
    year, month = value.split("-")
    return date(int(year), int(month), 1)


def _errors(exc: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(exc, "error_dict"):
        return serializers.ValidationError(exc.message_dict)
    return serializers.ValidationError({"non_field_errors": exc.messages})


def _conflict(conflict: services.Conflict) -> Response:
    return Response(
        {"status": "conflict", "message": conflict.message, "details": conflict.details},
        status=status.HTTP_409_CONFLICT,
    )


def _offline_permission(kind: str) -> str:
    """What an entry queued offline changes: attested time, or the pathway."""
    if kind in (OfflineKind.TIME_HOURS, OfflineKind.TIME_PAPER):
        return "time.change"
    return "participant.change"


class _WriteAs(RolePermission):
    """Unsafe methods need the view's `write_permission` as well."""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return has_permission(request.user, view.write_permission)


# --- links ---------------------------------------------------------------------------------


class LinkFilter(django_filters.FilterSet):
    participant = django_filters.UUIDFilter(field_name="participant_id")
    purpose = django_filters.ChoiceFilter(choices=LinkPurpose.choices)

    class Meta:
        model = SelfServiceLink
        fields = ["participant", "purpose"]


class SelfServiceLinkViewSet(ScopedReadOnlyViewSet):
    """One-time links for participants of the caller's unit (coach) or organisation
    (coordinator). The token is returned once, in the response that creates the link."""

    required_permission = "selfservice.link"
    serializer_class = SelfServiceLinkSerializer
    filterset_class = LinkFilter
    queryset = SelfServiceLink.objects.none()  # for the schema; get_queryset() scopes

    def get_queryset(self):
        return selectors.link_list(viewer=self.request.user).select_related("enrolment")

    @extend_schema(
        request=SelfServiceLinkCreateSerializer, responses={201: SelfServiceLinkCreatedSerializer}
    )
    def create(self, request):
        data = SelfServiceLinkCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        participant = selectors.participant_for_selfservice(
            viewer=request.user, pk=values["participant"], permission="selfservice.link"
        )
        try:
            created = services.selfservice_link_create(
                actor=request.user,
                participant=participant,
                purpose=values["purpose"],
                instrument=progress_data.instrument_active()
                if values["purpose"] == LinkPurpose.ASSESSMENT
                else None,
                month=_month(values.get("month")),
                valid_days=values["valid_days"],
            )
        except DjangoValidationError as exc:
            raise _errors(exc) from None
        created.link.url = public_url(request, created.token)
        return Response(
            SelfServiceLinkCreatedSerializer(created.link).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses=SelfServiceLinkSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        link = self.get_object()
        try:
            link = services.selfservice_link_revoke(actor=request.user, link=link)
        except DjangoValidationError as exc:
            raise _errors(exc) from None
        return Response(SelfServiceLinkSerializer(link).data)


# --- attested time -------------------------------------------------------------------------


class MonthlyTimeFilter(django_filters.FilterSet):
    participant = django_filters.UUIDFilter(field_name="participant_id")
    unit = django_filters.UUIDFilter(field_name="participant__unit_id")
    month = django_filters.DateFilter(help_text="The first day of the month, YYYY-MM-01.")

    class Meta:
        model = MonthlyTime
        fields = ["participant", "unit", "month"]


class MonthlyTimeViewSet(ScopedReadOnlyViewSet):
    """Stored hours per participant and month (a month without a row still has the hours its
    steps give, shown on the pages). POST sets a month's hours."""

    permission_classes = [IsAuthenticated, _WriteAs]
    required_permission = "time.view"
    write_permission = "time.change"
    serializer_class = MonthlyTimeSerializer
    filterset_class = MonthlyTimeFilter
    queryset = MonthlyTime.objects.none()
    list_audit_action = "monthly_time.listed_api"  # one event per page, naming participants

    def audit_row_id(self, obj):
        return obj.participant_id

    def get_queryset(self):
        return (
            MonthlyTime.objects.restrict(self.request.user, "time.view")
            .filter(participant__erased_at__isnull=True)
            .prefetch_related("attestations")
            .order_by("month", "participant__participant_ref", "pk")
        )

    @extend_schema(request=MonthlyTimeSetSerializer, responses=MonthlyTimeSerializer)
    def create(self, request):
        data = MonthlyTimeSetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        participant = selectors.participant_for_selfservice(
            viewer=request.user, pk=values["participant"], permission="time.change"
        )
        try:
            monthly = services.monthly_time_set_hours(
                actor=request.user,
                participant=participant,
                month=_month(values["month"]),
                hours=values["hours"],
                base_version=values.get("base_version"),
            )
        except services.Conflict as conflict:
            return _conflict(conflict)
        except DjangoValidationError as exc:
            raise _errors(exc) from None
        monthly = self.get_queryset().get(pk=monthly.pk)
        return Response(MonthlyTimeSerializer(monthly).data)


class AttestationFilter(django_filters.FilterSet):
    participant = django_filters.UUIDFilter(field_name="monthly_time__participant_id")
    month = django_filters.DateFilter(
        field_name="monthly_time__month", help_text="The first day of the month, YYYY-MM-01."
    )

    class Meta:
        model = TimeAttestation
        fields = ["participant", "month", "method"]


class TimeAttestationViewSet(ScopedReadOnlyViewSet):
    """Attestations of hours, locked once written. POST records a paper attestation."""

    permission_classes = [IsAuthenticated, _WriteAs]
    required_permission = "time.view"
    write_permission = "time.change"
    serializer_class = TimeAttestationSerializer
    filterset_class = AttestationFilter
    queryset = TimeAttestation.objects.none()
    list_audit_action = "time_attestation.listed_api"

    def audit_row_id(self, obj):
        return obj.monthly_time.participant_id

    def get_queryset(self):
        return (
            TimeAttestation.objects.restrict(self.request.user, "time.view")
            .filter(monthly_time__participant__erased_at__isnull=True)
            .select_related("monthly_time")
            .order_by("-created_at", "pk")
        )

    @extend_schema(request=PaperAttestationSerializer, responses={201: TimeAttestationSerializer})
    def create(self, request):
        data = PaperAttestationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        participant = selectors.participant_for_selfservice(
            viewer=request.user, pk=values["participant"], permission="time.change"
        )
        try:
            attestation = services.time_attestation_record_paper(
                actor=request.user,
                participant=participant,
                month=_month(values["month"]),
                paper_date=values["paper_date"],
                base_version=values.get("base_version"),
            )
        except services.Conflict as conflict:
            return _conflict(conflict)
        except DjangoValidationError as exc:
            raise _errors(exc) from None
        return Response(
            TimeAttestationSerializer(self.get_queryset().get(pk=attestation.pk)).data,
            status=status.HTTP_201_CREATED,
        )


# --- the offline queue ---------------------------------------------------------------------


class OfflineEntryView(APIView):
    """Receive one entry from a browser's offline queue. The same key sent again returns the
    first result (200) and saves nothing; a conflict (409) is returned for the person to
    resolve, never overwritten."""

    permission_classes = [IsAuthenticated, RolePermission]
    required_permission = "participant.change"

    @classmethod
    def as_view(cls, *args, **kwargs):
        return login_not_required(super().as_view(*args, **kwargs))

    @extend_schema(
        request=OfflineEntrySerializer,
        responses={
            200: OfflineResultSerializer,
            201: OfflineResultSerializer,
            409: OfflineResultSerializer,
            422: OfflineResultSerializer,
        },
    )
    def post(self, request):
        data = OfflineEntrySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        kind = values["kind"]
        if not has_permission(request.user, _offline_permission(kind)):
            return Response(status=status.HTTP_403_FORBIDDEN)
        participant = selectors.participant_for_selfservice(
            viewer=request.user, pk=values["participant"], permission=_offline_permission(kind)
        )
        enrolment = None
        if values.get("enrolment"):
            enrolment = get_object_or_404(
                Enrolment, pk=values["enrolment"], participant=participant
            )
        result = offline.offline_entry_submit(
            actor=request.user,
            key=values["key"],
            kind=kind,
            target=offline.Target(
                participant=participant, enrolment=enrolment, month=_month(values.get("month"))
            ),
            data=dict(values["data"]),
            base=values.get("base", ""),
            force=values["force"],
        )
        return Response(result.body, status=result.status_code)
