"""Downloads of working life as CSV (default) or XLSX (`?as=xlsx`)."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from emplus.core.export_cells import table_bytes
from emplus.core.permissions import permission_required
from emplus.worklife import exporting
from emplus.worklife.views.common import group_filter

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _download(request, build) -> HttpResponse:
    file_format = request.GET.get("as", "csv")
    if file_format not in CONTENT_TYPES:
        return HttpResponseBadRequest(_("Choose the format csv or xlsx."))
    table = build()
    response = HttpResponse(
        table_bytes(table.header, table.rows, file_format=file_format, sheet_name=table.name),
        content_type=CONTENT_TYPES[file_format],
    )
    response["Content-Disposition"] = f'attachment; filename="{table.name}.{file_format}"'
    return response


@never_cache
@permission_required("employer.view")
def employers(request):
    return _download(request, lambda: exporting.employers(request.user))


@never_cache
@permission_required("placement.view")
def placements(request):
    return _download(request, lambda: exporting.placements(request.user))


@never_cache
@permission_required("education.view")
def education(request):
    return _download(request, lambda: exporting.education(request.user))


@never_cache
@permission_required("income.view")
def gig_assignments(request):
    return _download(request, lambda: exporting.gig_assignments(request.user))


@never_cache
@permission_required("income.view")
def income(request):
    return _download(request, lambda: exporting.income(request.user))


@never_cache
@permission_required("evidence.view")
def stability(request):
    form, group_by, as_of = group_filter(request)
    if form.errors:
        return HttpResponseBadRequest(_("Choose a valid grouping and date."))
    return _download(
        request, lambda: exporting.stability(request.user, group_by=group_by, as_of=as_of)
    )
