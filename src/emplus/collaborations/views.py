"""Pages of the collaboration registry: the register, a collaboration, its form and documents,
the export, and the network of who collaborates with whom."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from emplus.collaborations import charts, exporting, forms, selectors, services
from emplus.collaborations.choices import CollaborationKind, CollaborationStatus
from emplus.collaborations.filters import CollaborationFilterSet
from emplus.core.choices import Arena
from emplus.core.permissions import has_permission, permission_required
from emplus.core.uploads import too_large_message, upload_refused
from emplus.geo.selectors import county_list
from emplus.methods.selectors import thematic_area_options
from emplus.organisations.choices import Sector

PER_PAGE = 25
EDGES_PER_PAGE = 50


def _apply_errors(form, error: ValidationError) -> None:
    """A service's validation errors next to the matching fields (else at the top)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            field = name if name in form.fields else None
            for item in errors:
                form.add_error(field, item.messages[0])
    else:
        for message in error.messages:
            form.add_error(None, message)


def _filter_context(request) -> dict:
    filterset = CollaborationFilterSet(request.GET)
    params = request.GET.copy()
    params.pop("page", None)
    return {
        "filterset": filterset,
        "filters": filterset.selector_filters,
        "query_without_page": params.urlencode(),
        "kinds": CollaborationKind.choices,
        "statuses": CollaborationStatus.choices,
        "sectors": Sector.choices,
        "arenas": Arena.choices,
        "thematic_areas": thematic_area_options(),
        "counties": county_list(),
    }


@permission_required("collaboration.view")
def collaboration_list(request):
    context = _filter_context(request)
    qs = selectors.collaboration_list(viewer=request.user, filters=context["filters"])
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    filter_params = CollaborationFilterSet(request.GET).as_params()
    return render(
        request,
        "collaborations/list.html",
        {
            **context,
            "page": page,
            "can_add": has_permission(request.user, "collaboration.change"),
            "export_query": "&".join(f"{k}={v}" for k, v in filter_params.items()),
        },
    )


@never_cache
@permission_required("collaboration.view")
def collaboration_export(request):
    file_format = request.GET.get("format", "xlsx")
    if file_format not in exporting.CONTENT_TYPES:
        return HttpResponse(_("Choose CSV or XLSX."), status=400, content_type="text/plain")
    filters = CollaborationFilterSet(request.GET).selector_filters
    content = exporting.register_file(
        selectors.collaboration_list(viewer=request.user, filters=filters),
        file_format=file_format,
    )
    response = HttpResponse(content, content_type=exporting.CONTENT_TYPES[file_format])
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="collaborations-{stamp}.{file_format}"'
    return response


@permission_required("collaboration.view")
def collaboration_detail(request, pk, document_form=None):
    collaboration = selectors.collaboration_get(viewer=request.user, pk=pk)
    can_change = selectors.collaboration_can_change(
        viewer=request.user, collaboration=collaboration
    )
    return render(
        request,
        "collaborations/detail.html",
        {
            "collaboration": collaboration,
            "arenas": [Arena(a).label for a in collaboration.arenas if a in Arena.values],
            "can_change": can_change,
            "document_form": (document_form or forms.DocumentForm()) if can_change else None,
            "close_form": forms.CloseForm(initial={"ends_on": timezone.localdate()})
            if can_change and collaboration.status != CollaborationStatus.CLOSED
            else None,
        },
        status=400 if document_form is not None else 200,
    )


def _form_page(request, *, collaboration=None):
    owners = selectors.collaboration_owner_options(viewer=request.user)
    form = forms.CollaborationForm(request.POST or None, owners=owners, collaboration=collaboration)
    parties = forms.party_formset(
        request.POST or None,
        organisations=selectors.party_organisation_options(),
        employers=selectors.party_employer_options(viewer=request.user),
        collaboration=collaboration,
    )
    if request.method == "POST" and form.is_valid() and parties.is_valid():
        named = [p for p in (f.party() for f in parties.forms) if p is not None]
        try:
            if collaboration is None:
                collaboration = services.collaboration_create(
                    actor=request.user,
                    organisation=form.cleaned_data["organisation"],
                    parties=named,
                    **form.values(),
                )
                messages.success(request, _("Collaboration registered."))
            else:
                services.collaboration_update(
                    actor=request.user, collaboration=collaboration, parties=named, **form.values()
                )
                messages.success(request, _("Collaboration saved."))
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return redirect("collaborations:detail", pk=collaboration.pk)
    title = (
        _("Register a collaboration")
        if collaboration is None
        else _("Edit %(title)s") % {"title": collaboration.title}
    )
    back = (
        reverse("collaborations:list")
        if collaboration is None
        else reverse("collaborations:detail", args=[collaboration.pk])
    )
    return render(
        request,
        "collaborations/form.html",
        {"form": form, "parties": parties, "title": title, "back": back},
        status=400 if request.method == "POST" else 200,
    )


@permission_required("collaboration.change")
def collaboration_new(request):
    return _form_page(request)


@permission_required("collaboration.change")
def collaboration_edit(request, pk):
    collaboration = selectors.collaboration_for_change(viewer=request.user, pk=pk)
    return _form_page(request, collaboration=collaboration)


@require_POST
@permission_required("collaboration.change")
def collaboration_close(request, pk):
    collaboration = selectors.collaboration_for_change(viewer=request.user, pk=pk)
    form = forms.CloseForm(request.POST)
    if form.is_valid():
        try:
            services.collaboration_close(
                actor=request.user,
                collaboration=collaboration,
                ends_on=form.cleaned_data["ends_on"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Collaboration closed."))
    else:
        messages.error(request, _("Give the date the collaboration ended."))
    return redirect("collaborations:detail", pk=collaboration.pk)


@require_POST
@permission_required("collaboration.change")
def document_add(request, pk):
    collaboration = selectors.collaboration_for_change(viewer=request.user, pk=pk)
    form = forms.DocumentForm(request.POST, request.FILES)
    if upload_refused(request):
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error("file", too_large_message())
    elif form.is_valid():
        try:
            services.collaboration_document_attach(
                actor=request.user,
                collaboration=collaboration,
                file=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Document attached."))
            return redirect("collaborations:detail", pk=collaboration.pk)
    return collaboration_detail(request, pk, document_form=form)


@never_cache
@permission_required("collaboration.view")
def document_download(request, pk):
    document = selectors.document_get(viewer=request.user, pk=pk)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )


@require_POST
@permission_required("collaboration.change")
def document_remove(request, pk):
    document = selectors.document_for_change(viewer=request.user, pk=pk)
    collaboration_pk = document.collaboration_id
    services.collaboration_document_remove(actor=request.user, document=document)
    messages.success(request, _("Document removed."))
    return redirect("collaborations:detail", pk=collaboration_pk)


@permission_required("collaboration.view")
def network(request):
    context = _filter_context(request)
    filters = context["filters"]
    found = selectors.collaboration_network(viewer=request.user, filters=filters)
    show = "adjacency" if request.GET.get("show") == "adjacency" else "edges"
    rows = found.adjacency() if show == "adjacency" else found.edges
    page = Paginator(rows, EDGES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "collaborations/network.html",
        {
            **context,
            "network": found,
            "picture": charts.network_picture(found),
            "sector_styles": [
                (label, *charts.SECTOR_STYLE[value]) for value, label in Sector.choices
            ],
            "show": show,
            "page": page,
            "counties_table": selectors.county_sectors(viewer=request.user, filters=filters),
        },
    )
