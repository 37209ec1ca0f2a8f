"""Read-only API of ESF projects, their months and the submission log, scoped exactly like the
pages (esf.view in the owner organisation; another organisation's project is 404). Writes
(generating, marking as sent, templates) are made on the pages."""

from __future__ import annotations

import django_filters
from django.http import Http404, HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from emplus.core.viewsets import ScopedReadOnlyViewSet
from emplus.esf import report_core as core
from emplus.esf import reporting, selectors
from emplus.esf.messages import problem_message
from emplus.esf.models import ReportFile
from emplus.esf.serializers import (
    ESFProjectSerializer,
    MonthReportSerializer,
    MonthsSerializer,
    ReportFileSerializer,
)


class ESFProjectViewSet(ScopedReadOnlyViewSet):
    required_permission = "esf.view"
    serializer_class = ESFProjectSerializer

    def get_queryset(self):
        return selectors.esf_project_list(viewer=self.request.user).prefetch_related(
            "participating_organisations", "participating_units", "template__columns"
        )

    @extend_schema(responses=MonthsSerializer)
    @action(detail=True, methods=["get"])
    def months(self, request, pk=None):
        """Every month with its state and due date; the months to correct (with what changed
        since they were sent, by participant reference) and to re-send."""
        project = self.get_object()
        overview = selectors.esf_project_overview(
            viewer=request.user, project=project, today=timezone.localdate()
        )
        data = {
            "months": [
                {
                    "month": str(s.month),
                    "state": s.state,
                    "opens_on": s.opens_on,
                    "due_on": s.due_on,
                    "overdue": s.overdue,
                    "changes": [
                        {
                            "participant_ref": c.participant_ref,
                            "change": c.change,
                            "fields": c.fields,
                        }
                        for c in s.changes
                    ],
                }
                for s in overview.statuses
            ],
            "to_correct": [str(d.month) for d in overview.plan.corrections],
            "to_resend": [str(m) for m in overview.plan.resend],
        }
        return Response(MonthsSerializer(data).data)

    @extend_schema(
        operation_id="esf_projects_month_retrieve",
        responses={200: MonthReportSerializer, 404: OpenApiResponse(description="Not found")},
        parameters=[
            OpenApiParameter("month", str, OpenApiParameter.PATH, pattern="^[0-9]{4}-[0-9]{2}$")
        ],
    )
    @action(detail=True, methods=["get"], url_path=r"months/(?P<month>[0-9]{4}-[0-9]{2})")
    def month(self, request, pk=None, month=None):
        """The rows the month has now (who started and who left, by date) and every problem
        that stops it. No identity numbers: only whether one is recorded."""
        project = self.get_object()
        try:
            reported = core.Month.parse(month or "")
        except ValueError:
            raise Http404 from None
        result = selectors.esf_month_preview(
            viewer=request.user, project=project, month=reported, today=timezone.localdate()
        )
        data = {
            "month": str(reported),
            "rows": [
                {
                    "participant_ref": r.participant_ref,
                    "kind": r.kind,
                    "start_date": r.start_date,
                    "end_date": r.end_date,
                    "protected_identity": r.protected,
                    "identity_recorded": bool(r.identity_ref),
                }
                for r in result.rows
            ],
            "problems": [
                {
                    "participant_ref": p.participant_ref,
                    "field": p.field,
                    "code": p.code,
                    "message": problem_message(p),
                }
                for p in result.problems
            ],
        }
        return Response(MonthReportSerializer(data).data)


class ReportFileFilter(django_filters.FilterSet):
    project = django_filters.UUIDFilter(field_name="project")

    class Meta:
        model = ReportFile
        fields = ["project"]


class ReportFileViewSet(ScopedReadOnlyViewSet):
    """The submission log: who generated which month's file and when, its SHA-256, and who
    marked it as sent and when."""

    required_permission = "esf.view"
    serializer_class = ReportFileSerializer
    filterset_class = ReportFileFilter

    def get_queryset(self):
        return (
            ReportFile.objects.restrict(self.request.user, "esf.view")
            .select_related("generated_by", "sent_by")
            .defer("rows", "content")
            .order_by("project", "-month", "-generated_at")
        )

    @extend_schema(
        responses={
            (200, reporting.XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="Not found"),
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The file byte for byte as generated (its SHA-256 is in the log); audited."""
        report_file = self.get_object()
        full = ReportFile.objects.get(pk=report_file.pk)
        content = selectors.report_file_content(viewer=request.user, report_file=full)
        response = HttpResponse(content, content_type=reporting.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{report_file.file_name}"'
        response["Cache-Control"] = "no-store"
        return response
