"""API endpoints of the pathway module, scoped exactly like the pages; analysts get a
pseudonymised endpoint only."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from urllib.parse import urlencode

import django_filters
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response

from emplus.core.audit import audit_list, audit_log
from emplus.core.filters import body_serializer, filters_or_400
from emplus.core.pagination import KeysFirstPagination
from emplus.core.permissions import RolePermission, has_permission
from emplus.core.search_tokens import search_token_load, search_token_store
from emplus.core.viewsets import ScopedReadOnlyViewSet
from emplus.organisations.models import Unit
from emplus.pathways import selectors, services
from emplus.pathways.filters import ParticipantFilterSet, ParticipantSearchFilterSet
from emplus.pathways.models import Assessment, Enrolment, Participant, PathwayEvent
from emplus.pathways.serializers import (
    PARTICIPANT_LIST_COLUMNS,
    AssessmentSerializer,
    ConsentTermsSerializer,
    EnrolmentSerializer,
    ParticipantCreatedSerializer,
    ParticipantDetailSerializer,
    ParticipantListSerializer,
    ParticipantUpdateSerializer,
    ParticipantWriteSerializer,
    PathwayEventSerializer,
    PseudonymisedParticipantSerializer,
    participant_list_rows,
)


class WritePermission(BasePermission):
    """Unsafe methods need the view's `write_permission` as well."""

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        permission = getattr(view, "write_permission", None)
        return permission is not None and has_permission(request.user, permission)


def _field_errors(exc: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(exc, "error_dict"):
        return serializers.ValidationError(exc.message_dict)
    return serializers.ValidationError({"non_field_errors": exc.messages})


# --- participants -------------------------------------------------------------------------------


SEARCH_KIND = "participants_api"


# The body of a posted search, documented from the FilterSet that parses it.
ParticipantSearchSerializer = body_serializer(ParticipantSearchFilterSet, "ParticipantSearch")


class ParticipantSearchTokenSerializer(serializers.Serializer):
    search = serializers.CharField(
        help_text=_("Pass as `search` to the participant list (valid for 30 minutes).")
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "search",
                str,
                description="A token from POST /api/participants/search/ (names and identity "
                "numbers never go in addresses).",
            ),
        ]
    )
)
class ParticipantViewSet(ScopedReadOnlyViewSet):
    """Participants of the caller's unit (coach) or organisation (coordinator), and those shared
    with it by consent. Create and change go through the registration services."""

    permission_classes = [IsAuthenticated, RolePermission, WritePermission]
    required_permission = "participant.view"
    write_permission = "participant.change"
    throttle_scope = "search"  # the caseload search by name
    pagination_class = KeysFirstPagination  # a page's keys, then its rows (decision 42)
    queryset = Participant.objects.none()  # for the schema; get_queryset() scopes
    filterset_class = ParticipantFilterSet  # documents and validates the list's parameters

    def get_serializer_class(self):
        if self.action == "list":
            return ParticipantListSerializer
        if self.action == "create":
            return ParticipantWriteSerializer
        if self.action in ("update", "partial_update"):
            return ParticipantUpdateSerializer
        return ParticipantDetailSerializer

    def get_queryset(self):
        return Participant.objects.restrict(self.request.user, "participant.view").filter(
            erased_at__isnull=True
        )

    def _filters(self, request) -> selectors.CaseloadFilters:
        params = request.query_params
        if "q" in params:
            raise serializers.ValidationError(
                {
                    "q": [
                        _(
                            "Names and identity numbers never go in addresses: post the search "
                            "to /api/participants/search/ and pass its token as `search`."
                        )
                    ]
                }
            )
        token = params.get("search", "")
        if token:
            terms = search_token_load(user=request.user, kind=SEARCH_KIND, token=token)
            if terms is None:
                raise serializers.ValidationError(
                    {"search": [_("That search has expired. Search again.")]}
                )
            return ParticipantSearchFilterSet(terms).selector_filters
        return filters_or_400(ParticipantFilterSet, params, request=request)

    def list(self, request, *args, **kwargs):
        filters = self._filters(request)
        # The rows show fields of the participant only: no annotation is computed for them.
        people = selectors.participant_list(
            viewer=request.user, filters=filters, audit_shown=False, shown=()
        )
        assert isinstance(people, QuerySet)  # noqa: S101 - audit_shown=False: a lazy list
        # Counted from the database's kept counts where they answer, as the caseload page
        # (decision 50): a coordinator's list is not walked key by key to be counted.
        assert isinstance(self.paginator, KeysFirstPagination)  # noqa: S101 - pagination_class
        people = people.select_related(None)
        # With the marks a deep page starts from (decision 77).
        kept = selectors.participant_pages_kept(people, viewer=request.user, filters=filters)
        # A name search of the viewer's own organisations is counted and walked on the name
        # tokens (decision 80).
        keys = (
            None
            if kept
            else selectors.participant_search_keys(viewer=request.user, filters=filters)
        )
        page = self.paginator.paginate_queryset(
            people,
            request,
            view=self,
            count=kept.count if kept else None,
            marks=kept.marks if kept else None,
            keys=None if keys is None else keys.values("participant_id"),
            # A page's rows read what the serializer shows and no more (decision 52), as
            # dictionaries turned by the serializer's fields (decision 59); given to the
            # paginator, so the organisation's join stays out of the keys' walk (decision 70).
            columns=PARTICIPANT_LIST_COLUMNS,
        )
        selectors.participants_shown(
            viewer=request.user, participants=page, action="participant.listed_api"
        )
        return self.get_paginated_response(participant_list_rows(page))

    @extend_schema(
        request=ParticipantSearchSerializer,
        responses={201: ParticipantSearchTokenSerializer},
    )
    @action(detail=False, methods=["post"])
    def search(self, request, *args, **kwargs):
        """Keep a search on the server and return its token for the list (`?search=`)."""
        # The same FilterSet as the page's search (the serializer above documents the body).
        terms = dataclasses.asdict(
            filters_or_400(ParticipantSearchFilterSet, request.data, request=request)
        )
        token = search_token_store(user=request.user, kind=SEARCH_KIND, terms=terms)
        location = f"{reverse('api:participant-list')}?{urlencode({'search': token})}"
        return Response(
            {"search": token}, status=status.HTTP_201_CREATED, headers={"Location": location}
        )

    def retrieve(self, request, *args, **kwargs):
        participant = selectors.participant_get(viewer=request.user, pk=self.lookup_value())
        return Response(ParticipantDetailSerializer(participant).data)

    def _units_for(self, user) -> set:
        return set(Unit.objects.workplaces(user, "participant.change").values_list("pk", flat=True))

    @extend_schema(
        request=ParticipantWriteSerializer, responses={201: ParticipantCreatedSerializer}
    )
    def create(self, request, *args, **kwargs):
        data = ParticipantWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        unit_id = values.pop("unit")
        if unit_id not in self._units_for(request.user):
            raise serializers.ValidationError(
                {"unit": [_("You cannot register participants in this unit.")]}
            )
        unit = Unit.objects.select_related("organisation").get(pk=unit_id)
        consent = ConsentTermsSerializer.terms_of(values.pop("consent"))
        try:
            registration = services.participant_enrol(
                actor=request.user, unit=unit, consent=consent, **values
            )
        except DjangoValidationError as exc:
            raise _field_errors(exc) from None
        participant = registration.participant
        participant.registration_consent_id = registration.consent.pk
        participant.registration_enrolment_id = registration.enrolment.pk
        body = ParticipantCreatedSerializer(
            participant,
            context={
                "known_elsewhere": registration.known_elsewhere,
                "known_elsewhere_limited": registration.known_elsewhere_limited,
            },
        ).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=ParticipantUpdateSerializer, responses=ParticipantDetailSerializer)
    def update(self, request, *args, partial: bool = False, **kwargs):
        participant = selectors.participant_for_change(viewer=request.user, pk=self.lookup_value())
        data = ParticipantUpdateSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        try:
            participant = services.participant_update(
                actor=request.user, participant=participant, **data.validated_data
            )
        except DjangoValidationError as exc:
            raise _field_errors(exc) from None
        return Response(ParticipantDetailSerializer(participant).data)

    @extend_schema(request=ParticipantUpdateSerializer, responses=ParticipantDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)


# --- the pathway, read-only ---------------------------------------------------------------------


def _visible_enrolments(user):
    return Enrolment.objects.restrict(user, "participant.view").filter(
        participant__erased_at__isnull=True
    )


class _PathwayReadViewSet(ScopedReadOnlyViewSet):
    """A list names the participants of its page in one audit event; a record read is one
    event of its own."""

    required_permission = "participant.view"
    list_audit_action = "participant.listed_api"

    def audit_row_id(self, obj):
        return self.participant_of(obj).pk

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        audit_log(
            actor=request.user,
            action="participant.viewed",
            target=self.participant_of(obj),
            purpose="case_work",
        )
        return Response(self.get_serializer(obj).data)

    def participant_of(self, obj) -> Participant:
        return obj.enrolment.participant


class EnrolmentFilter(django_filters.FilterSet):
    participant = django_filters.UUIDFilter(field_name="participant_id")

    class Meta:
        model = Enrolment
        fields = ["participant"]


class EnrolmentViewSet(_PathwayReadViewSet):
    serializer_class = EnrolmentSerializer
    filterset_class = EnrolmentFilter

    def get_queryset(self):
        return (
            Enrolment.objects.filter(pk__in=_visible_enrolments(self.request.user).values("pk"))
            .select_related("participant__organisation", "method", "test_bed", "follow_up")
            .order_by("-entry_date", "pk")
        )

    def participant_of(self, obj) -> Participant:
        return obj.participant


class EventFilter(django_filters.FilterSet):
    participant = django_filters.UUIDFilter(field_name="enrolment__participant_id")
    enrolment = django_filters.UUIDFilter(field_name="enrolment_id")

    class Meta:
        model = PathwayEvent
        fields = ["participant", "enrolment", "kind"]


class EventViewSet(_PathwayReadViewSet):
    serializer_class = PathwayEventSerializer
    filterset_class = EventFilter

    def get_queryset(self):
        return (
            PathwayEvent.objects.filter(
                enrolment__in=_visible_enrolments(self.request.user).values("pk")
            )
            .select_related("enrolment__participant__organisation")
            .order_by("occurred_on", "pk")
        )


class AssessmentFilter(django_filters.FilterSet):
    participant = django_filters.UUIDFilter(field_name="enrolment__participant_id")
    enrolment = django_filters.UUIDFilter(field_name="enrolment_id")

    class Meta:
        model = Assessment
        fields = ["participant", "enrolment"]


class AssessmentViewSet(_PathwayReadViewSet):
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter

    def get_queryset(self):
        return (
            Assessment.objects.filter(
                enrolment__in=_visible_enrolments(self.request.user).values("pk")
            )
            .select_related("enrolment__participant__organisation", "instrument")
            .prefetch_related("scores__dimension")
            .order_by("assessed_on", "pk")
        )


# --- pseudonymised, for analysts ----------------------------------------------------------------


def export_key_for(user, day):
    """Keys for one analyst and one day: HMAC-SHA256 with the pseudonym key over a label, the
    analyst, the day and the record id. Stable while paging through a day's export, different
    for another analyst or day, and never the linkage pseudonym (docs/decisions/0008)."""
    secret = settings.EMPLUS_PSEUDONYM_KEY.encode("utf-8")
    prefix = f"emplus.analyst-export\x00{user.pk}\x00{day.isoformat()}\x00"

    def key(participant: Participant) -> str:
        message = (prefix + str(participant.pk)).encode("utf-8")
        return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]

    return key


class PseudonymisedParticipantViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Participants of the analyst's own organisation(s), pseudonymised, with their pathway.

    A list only: a detail address would carry the record id, which identifies."""

    permission_classes = [IsAuthenticated, RolePermission]
    required_permission = "participant.view_pseudonymised"
    serializer_class = PseudonymisedParticipantSerializer
    throttle_scope = "export"  # the analysts' bulk data
    filterset_class = None

    @classmethod
    def as_view(cls, *args, **kwargs):
        return login_not_required(super().as_view(*args, **kwargs))

    def get_queryset(self):
        enrolments = Enrolment.objects.select_related(
            "method", "test_bed", "follow_up"
        ).prefetch_related(
            "steps",
            "events",
            Prefetch(
                "assessments",
                queryset=Assessment.objects.select_related("instrument").prefetch_related(
                    "scores__dimension"
                ),
            ),
        )
        # Ordered by the random record id, not by the reference: the order must reveal nothing.
        return (
            selectors.participant_pseudonymised_list(viewer=self.request.user)
            .select_related("organisation")
            .prefetch_related(Prefetch("enrolments", queryset=enrolments.order_by("entry_date")))
            .order_by("pk")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["export_key"] = export_key_for(self.request.user, timezone.localdate())
        return context

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        # One event for the page, naming its records (the log is the administrators', never
        # the analyst's: the record ids stay out of the response).
        audit_list(
            actor=request.user,
            action="participant.pseudonymised_listed",
            ids=[participant.pk for participant in page],
            purpose="evaluation",
            details={"page": request.query_params.get("page", "1"), "count": len(page)},
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
