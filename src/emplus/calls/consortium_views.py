"""Pages of the consortium builder: suggested partners for a call, the consortium draft with
its partners and history, and the application annex (PDF, XLSX)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from emplus.calls import selectors, services
from emplus.calls.annex import annex_pdf, annex_xlsx
from emplus.calls.forms import ConsortiumForm, PartnerForm
from emplus.core.audit import audit_log
from emplus.core.form_errors import service_result
from emplus.core.permissions import has_permission, permission_required
from emplus.organisations.permissions import editable_organisation_ids


@permission_required("consortium.view")
def suggestions(request, pk):
    """Who could join a consortium for the call, and why; the viewer's drafts for it."""
    call = selectors.call_get(viewer=request.user, pk=pk)
    allowed = editable_organisation_ids(request.user, "consortium.change")
    initial = {"title": call.title[:300]}
    if allowed is not None and len(allowed) == 1:
        initial["lead_organisation"] = next(iter(allowed))
    form = ConsortiumForm(organisation_ids=allowed, initial=initial, prefix="consortium")
    return render(
        request,
        "calls/suggestions.html",
        {
            "call": call,
            "suggestions": selectors.partner_suggestions(viewer=request.user, call=call),
            "consortia": selectors.consortium_list(viewer=request.user, call=call),
            "form": form if has_permission(request.user, "consortium.change") else None,
        },
    )


@require_POST
@permission_required("consortium.change")
def consortium_create(request, pk):
    call = selectors.call_get(viewer=request.user, pk=pk)
    allowed = editable_organisation_ids(request.user, "consortium.change")
    form = ConsortiumForm(request.POST, organisation_ids=allowed, prefix="consortium")
    consortium = None
    if form.is_valid():
        consortium = service_result(
            form,
            lambda: services.consortium_create(actor=request.user, call=call, **form.cleaned_data),
        )
    if consortium is None:
        response = render(
            request,
            "calls/suggestions.html",
            {
                "call": call,
                "suggestions": selectors.partner_suggestions(viewer=request.user, call=call),
                "consortia": selectors.consortium_list(viewer=request.user, call=call),
                "form": form,
            },
        )
        response.status_code = 400
        return response
    return redirect("calls:consortium", pk=consortium.pk)


def _consortium_page(request, consortium, partner_form=None, status=200):
    can_change = has_permission(
        request.user, "consortium.change"
    ) and services.consortium_can_change(actor=request.user, consortium=consortium)
    partners = list(consortium.partners.all())
    response = render(
        request,
        "calls/consortium_detail.html",
        {
            "consortium": consortium,
            "call": consortium.call,
            "partners": partners,
            "total_share": sum(p.budget_share for p in partners),
            "history": consortium.history.all()[:50],
            "can_change": can_change,
            "partner_form": (partner_form or PartnerForm(prefix="partner")) if can_change else None,
        },
    )
    response.status_code = status
    return response


@permission_required("consortium.view")
def consortium_detail(request, pk):
    return _consortium_page(request, selectors.consortium_get(viewer=request.user, pk=pk))


@require_POST
@permission_required("consortium.change")
def partner_add(request, pk):
    consortium = selectors.consortium_get(viewer=request.user, pk=pk)
    if not services.consortium_can_change(actor=request.user, consortium=consortium):
        raise Http404
    form = PartnerForm(request.POST, prefix="partner")
    if form.is_valid() and service_result(
        form,
        lambda: services.consortium_partner_add(
            actor=request.user,
            consortium=consortium,
            organisation=form.cleaned_data["organisation"],
            **form.partner_values(),
        ),
    ):
        return redirect(reverse("calls:consortium", args=[consortium.pk]) + "#partners")
    return _consortium_page(request, consortium, form, status=400)


@permission_required("consortium.change")
def partner_edit(request, pk, partner_pk):
    consortium = selectors.consortium_get(viewer=request.user, pk=pk)
    if not services.consortium_can_change(actor=request.user, consortium=consortium):
        raise Http404
    partner = selectors.consortium_partner_get(
        viewer=request.user, consortium=consortium, pk=partner_pk
    )
    copy = selectors.consortium_partner_get(
        viewer=request.user, consortium=consortium, pk=partner_pk
    )
    form = PartnerForm(request.POST or None, instance=copy)
    saved = (
        request.method == "POST"
        and form.is_valid()
        and service_result(
            form,
            lambda: services.consortium_partner_update(
                actor=request.user, partner=partner, **form.partner_values()
            ),
        )
    )
    if saved:
        return redirect(reverse("calls:consortium", args=[consortium.pk]) + "#partners")
    return render(
        request,
        "calls/partner_form.html",
        {"form": form, "consortium": consortium, "partner": partner},
    )


@require_POST
@permission_required("consortium.change")
def partner_remove(request, pk, partner_pk):
    consortium = selectors.consortium_get(viewer=request.user, pk=pk)
    if not services.consortium_can_change(actor=request.user, consortium=consortium):
        raise Http404
    partner = selectors.consortium_partner_get(
        viewer=request.user, consortium=consortium, pk=partner_pk
    )
    try:
        services.consortium_partner_remove(actor=request.user, partner=partner)
    except ValidationError:
        return _consortium_page(request, consortium, status=400)
    return redirect(reverse("calls:consortium", args=[consortium.pk]) + "#partners")


ANNEX_FORMATS = {
    "pdf": ("application/pdf", annex_pdf),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", annex_xlsx),
}


@permission_required("consortium.view")
def annex(request, pk, file_format):
    """The application annex in Swedish (default) or English (`?lang=en`)."""
    consortium = selectors.consortium_get(viewer=request.user, pk=pk)
    if file_format not in ANNEX_FORMATS:
        raise Http404
    language = "en" if request.GET.get("lang") == "en" else "sv"
    content_type, render_file = ANNEX_FORMATS[file_format]
    with translation.override(language):
        content = render_file(
            selectors.consortium_annex(viewer=request.user, consortium=consortium)
        )
    audit_log(
        actor=request.user,
        action="consortium.annex_exported",
        target=consortium,
        organisation=consortium.lead_organisation_id,
        purpose="directory",
        details={"format": file_format, "language": language},
    )
    response = HttpResponse(content, content_type=content_type)
    name = slugify(consortium.title)[:60] or "consortium"
    response["Content-Disposition"] = f'attachment; filename="{name}-{language}.{file_format}"'
    return response
