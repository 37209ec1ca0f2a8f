"""Pages of the employer register: the list, an employer, its contacts."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from emplus.core.permissions import has_permission, permission_required
from emplus.worklife import forms, selectors, services
from emplus.worklife.views.common import form_page, saved

EMPLOYERS_PER_PAGE = 25


def _detail_url(employer) -> str:
    return reverse("worklife:employer_detail", args=[employer.pk])


@permission_required("employer.view")
def employer_list(request):
    q = request.GET.get("q", "").strip()[:100]
    page = Paginator(
        selectors.employer_list(viewer=request.user, q=q), EMPLOYERS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "worklife/employer_list.html",
        {
            "page": page,
            "q": q,
            "query_without_page": f"q={q}" if q else "",
            "can_add": has_permission(request.user, "employer.change"),
            "can_see_results": has_permission(request.user, "evidence.view"),
        },
    )


@permission_required("employer.view")
def employer_detail(request, pk, contact_form=None):
    employer = selectors.employer_get(viewer=request.user, pk=pk)
    can_change = selectors.employer_can_change(viewer=request.user, employer=employer)
    if can_change and contact_form is None:
        contact_form = forms.EmployerContactForm(prefix="contact")
    return render(
        request,
        "worklife/employer_detail.html",
        {
            "employer": employer,
            "can_change": can_change,
            "contact_form": contact_form if can_change else None,
            "outcomes": selectors.employer_outcomes(viewer=request.user, employer=employer),
            "placements": selectors.employer_placements(viewer=request.user, employer=employer),
            "opportunities": selectors.employer_opportunities(
                viewer=request.user, employer=employer
            ),
            "proposal_counts": selectors.proposal_counts(viewer=request.user, employer=employer),
            "can_add_opportunity": has_permission(request.user, "opportunity.change"),
        },
    )


@permission_required("employer.change")
def employer_new(request):
    form = forms.EmployerForm(
        request.POST or None, owners=selectors.employer_owner_options(viewer=request.user)
    )
    return form_page(
        request,
        form=form,
        save=lambda data: services.employer_create(
            actor=request.user, organisation=data["organisation"], **form.employer_values()
        ),
        success=_("Employer registered."),
        done=_detail_url,
        title=_("Register an employer"),
        back=reverse("worklife:employer_list"),
    )


@permission_required("employer.change")
def employer_edit(request, pk):
    employer = selectors.employer_for_change(viewer=request.user, pk=pk)
    form = forms.EmployerForm(
        request.POST or None,
        owners=selectors.employer_owner_options(viewer=request.user),
        employer=employer,
    )
    return form_page(
        request,
        form=form,
        save=lambda data: services.employer_update(
            actor=request.user, employer=employer, **form.employer_values()
        ),
        success=_("Employer saved."),
        done=_detail_url,
        title=_("Edit employer %(name)s") % {"name": employer.name},
        back=_detail_url(employer),
    )


@require_POST
@permission_required("employer.change")
def employer_contact_add(request, pk):
    employer = selectors.employer_for_change(viewer=request.user, pk=pk)
    form = forms.EmployerContactForm(request.POST, prefix="contact")
    if form.is_valid() and saved(
        form,
        lambda: services.employer_contact_add(
            actor=request.user, employer=employer, **form.cleaned_data
        ),
    ):
        messages.success(request, _("Contact added."))
        return redirect("worklife:employer_detail", pk=employer.pk)
    response = employer_detail(request, pk, contact_form=form)
    response.status_code = 400
    return response


@require_POST
@permission_required("employer.change")
def employer_contact_remove(request, pk, contact_pk):
    employer = selectors.employer_for_change(viewer=request.user, pk=pk)
    contact = selectors.employer_contact_for_change(
        viewer=request.user, employer=employer, pk=contact_pk
    )
    services.employer_contact_remove(actor=request.user, contact=contact)
    messages.success(request, _("Contact removed."))
    return redirect("worklife:employer_detail", pk=employer.pk)
