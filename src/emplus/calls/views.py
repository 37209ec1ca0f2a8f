"""Pages of funding calls (and, in views_consortia, the consortia drafted for them)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from emplus.calls import exporting, selectors, services
from emplus.calls.forms import CallForm
from emplus.core.downloads import download_format, table_download
from emplus.core.form_errors import service_result
from emplus.core.permissions import has_permission, permission_required
from emplus.organisations.permissions import editable_organisation_ids

PAGE_SIZE = 25


@permission_required("call.view")
def call_list(request):
    """Open calls (deadline today or later), the nearest deadline first."""
    calls = selectors.call_list(viewer=request.user, open_on=timezone.localdate())
    page = Paginator(calls, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "calls/call_list.html",
        {"page": page, "can_create": has_permission(request.user, "call.change")},
    )


@never_cache
@permission_required("call.view")
def call_export(request):
    """The list's open calls, all of them, as CSV or XLSX (`?format=`)."""
    file_format = download_format(request.GET.get("format"))
    if file_format is None:
        return HttpResponseBadRequest(_("Choose the format xlsx or csv."))
    calls = selectors.call_list(viewer=request.user, open_on=timezone.localdate())
    return table_download(
        exporting.call_header(),
        exporting.call_rows(calls),
        name=f"calls-{timezone.localdate().isoformat()}",
        file_format=file_format,
    )


@permission_required("call.view")
def call_detail(request, pk):
    call = selectors.call_get(viewer=request.user, pk=pk)
    return render(
        request,
        "calls/call_detail.html",
        {
            "call": call,
            "can_edit": has_permission(request.user, "call.change")
            and services.call_can_change(actor=request.user, call=call),
            "can_draft": has_permission(request.user, "consortium.change"),
        },
    )


@permission_required("call.change")
def call_create(request):
    allowed = editable_organisation_ids(request.user, "call.change")
    form = CallForm(request.POST or None, organisation_ids=allowed)
    if request.method == "POST" and form.is_valid():
        call = service_result(
            form,
            lambda: services.call_create(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                **form.call_values(),
            ),
        )
        if call is not None:
            return redirect("calls:detail", pk=call.pk)
    return render(request, "calls/call_form.html", {"form": form, "call": None})


@permission_required("call.change")
def call_edit(request, pk):
    call = selectors.call_get(viewer=request.user, pk=pk)
    if not services.call_can_change(actor=request.user, call=call):
        raise Http404
    # The form validates on its own copy: the service compares with the stored call.
    copy = selectors.call_get(viewer=request.user, pk=pk)
    form = CallForm(request.POST or None, instance=copy, organisation_ids=None)
    if request.method == "POST" and form.is_valid():
        saved = service_result(
            form, lambda: services.call_update(actor=request.user, call=call, **form.call_values())
        )
        if saved is not None:
            return redirect("calls:detail", pk=call.pk)
    return render(request, "calls/call_form.html", {"form": form, "call": call})
