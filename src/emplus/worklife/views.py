"""Pages of working life: the employer register and a participant's workplace placements."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from emplus.core.permissions import has_permission, permission_required
from emplus.core.uploads import tabular_limits
from emplus.evidence_core.income_file import read_income_file
from emplus.worklife import charts, forms, selectors, services
from emplus.worklife.choices import IncomeSource

EMPLOYERS_PER_PAGE = 25


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


def _saved(form, action) -> bool:
    try:
        action()
    except ValidationError as error:
        _apply_errors(form, error)
        return False
    return True


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
        },
    )


@permission_required("employer.change")
def employer_new(request):
    form = forms.EmployerForm(
        request.POST or None, owners=selectors.employer_owner_options(viewer=request.user)
    )
    created = []
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form,
            lambda: created.append(
                services.employer_create(
                    actor=request.user,
                    organisation=form.cleaned_data["organisation"],
                    **form.employer_values(),
                )
            ),
        )
    ):
        messages.success(request, _("Employer registered."))
        return redirect("worklife:employer_detail", pk=created[0].pk)
    return render(
        request,
        "worklife/form.html",
        {
            "form": form,
            "title": _("Register an employer"),
            "back": reverse("worklife:employer_list", args=[]),
        },
    )


@permission_required("employer.change")
def employer_edit(request, pk):
    employer = selectors.employer_for_change(viewer=request.user, pk=pk)
    form = forms.EmployerForm(
        request.POST or None,
        owners=selectors.employer_owner_options(viewer=request.user),
        employer=employer,
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form,
            lambda: services.employer_update(
                actor=request.user, employer=employer, **form.employer_values()
            ),
        )
    ):
        messages.success(request, _("Employer saved."))
        return redirect("worklife:employer_detail", pk=employer.pk)
    return render(
        request,
        "worklife/form.html",
        {
            "form": form,
            "title": _("Edit employer %(name)s") % {"name": employer.name},
            "back": reverse("worklife:employer_detail", args=[employer.pk]),
        },
    )


@require_POST
@permission_required("employer.change")
def employer_contact_add(request, pk):
    employer = selectors.employer_for_change(viewer=request.user, pk=pk)
    form = forms.EmployerContactForm(request.POST, prefix="contact")
    if form.is_valid() and _saved(
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


# --- a participant's placements ---------------------------------------------------------------


@permission_required("placement.view")
def participant_placements(request, pk):
    participant = selectors.participant_for_placements(viewer=request.user, pk=pk)
    return render(
        request,
        "worklife/participant_placements.html",
        {
            "participant": participant,
            "placements": selectors.participant_placements(
                viewer=request.user, participant=participant
            ),
            "can_change": has_permission(request.user, "placement.change")
            and selectors.participant_can_place(viewer=request.user, participant=participant),
            "education": selectors.participant_education(
                viewer=request.user, participant=participant
            ),
            "can_change_education": has_permission(request.user, "education.change")
            and selectors.participant_can_study(viewer=request.user, participant=participant),
            **_income_context(request, participant),
        },
    )


def _income_context(request, participant, income_form=None) -> dict:
    stability = selectors.participant_income_stability(
        viewer=request.user, participant=participant, as_of=timezone.localdate()
    )
    if stability is None:
        return {"stability": None}
    can_change = selectors.participant_can_record_income(
        viewer=request.user, participant=participant
    )
    if can_change and income_form is None:
        income_form = forms.IncomeRecordForm(prefix="income")
    return {
        "stability": stability,
        "income_chart": charts.income_bars(
            months=[r["month"] for r in stability.rows],
            totals=[r["total"] for r in stability.rows],
            threshold=stability.threshold,
        ),
        "income_records": selectors.participant_income(
            viewer=request.user, participant=participant
        )[:60],
        "income_form": income_form if can_change else None,
        "gig_assignments": selectors.participant_gig_assignments(
            viewer=request.user, participant=participant
        ),
    }


@permission_required("placement.change")
def placement_new(request, pk):
    participant = selectors.participant_for_placements(
        viewer=request.user, pk=pk, permission="placement.change"
    )
    form = forms.PlacementForm(
        request.POST or None, employers=selectors.employer_options(viewer=request.user)
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form,
            lambda: services.placement_record(
                actor=request.user, participant=participant, **form.cleaned_data
            ),
        )
    ):
        messages.success(request, _("Placement recorded."))
        return redirect("worklife:participant_placements", pk=participant.pk)
    return render(
        request,
        "worklife/form.html",
        {
            "form": form,
            "participant": participant,
            "title": _("Record a workplace placement"),
            "back": reverse("worklife:participant_placements", args=[participant.pk]),
        },
    )


@permission_required("placement.change")
def placement_edit(request, pk):
    placement = selectors.placement_for_change(viewer=request.user, pk=pk)
    form = forms.PlacementForm(
        request.POST or None,
        employers=selectors.employer_options(viewer=request.user),
        placement=placement,
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form,
            lambda: services.placement_update(
                actor=request.user, placement=placement, **form.cleaned_data
            ),
        )
    ):
        messages.success(request, _("Placement saved."))
        return redirect("worklife:participant_placements", pk=placement.participant_id)
    return render(
        request,
        "worklife/form.html",
        {
            "form": form,
            "participant": placement.participant,
            "title": _("Edit workplace placement"),
            "back": reverse("worklife:participant_placements", args=[placement.participant_id]),
        },
    )


# --- education ---------------------------------------------------------------------------------


@permission_required("education.change")
def education_new(request, pk):
    participant = selectors.participant_for_placements(
        viewer=request.user, pk=pk, permission="education.change"
    )
    form = forms.EducationForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form,
            lambda: services.education_record(
                actor=request.user, participant=participant, **form.cleaned_data
            ),
        )
    ):
        messages.success(request, _("Studies recorded."))
        return redirect("worklife:participant_placements", pk=participant.pk)
    return render(
        request,
        "worklife/form.html",
        {
            "form": form,
            "participant": participant,
            "title": _("Record studies"),
            "back": reverse("worklife:participant_placements", args=[participant.pk]),
        },
    )


@permission_required("education.change")
def education_edit(request, pk):
    education = selectors.education_for_change(viewer=request.user, pk=pk)
    form = forms.EducationForm(request.POST or None, education=education)
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form,
            lambda: services.education_update(
                actor=request.user, education=education, **form.cleaned_data
            ),
        )
    ):
        messages.success(request, _("Studies saved."))
        return redirect("worklife:participant_placements", pk=education.participant_id)
    return render(
        request,
        "worklife/form.html",
        {
            "form": form,
            "participant": education.participant,
            "title": _("Edit studies"),
            "back": reverse("worklife:participant_placements", args=[education.participant_id]),
        },
    )


@permission_required("evidence.view")
def completion(request):
    form = forms.CompletionFilterForm(request.GET or None)
    group_by, as_of = "organisation", timezone.localdate()
    if form.is_bound and form.is_valid():
        group_by = form.cleaned_data["group_by"] or group_by
        as_of = form.cleaned_data["as_of"] or as_of
    response = render(
        request,
        "worklife/completion.html",
        {
            "form": form,
            "group_by": group_by,
            "as_of": as_of,
            "rows": selectors.completion_rates(viewer=request.user, group_by=group_by, as_of=as_of)
            if not form.errors
            else [],
        },
    )
    if form.errors:
        response.status_code = 400
    return response


# --- income ------------------------------------------------------------------------------------


@require_POST
@permission_required("income.change")
def income_add(request, pk):
    participant = selectors.participant_for_placements(
        viewer=request.user, pk=pk, permission="income.change"
    )
    form = forms.IncomeRecordForm(request.POST, prefix="income")
    if form.is_valid() and _saved(
        form,
        lambda: services.income_record_set(
            actor=request.user, participant=participant, **form.cleaned_data
        ),
    ):
        messages.success(request, _("Income recorded."))
        return redirect(
            reverse("worklife:participant_placements", args=[participant.pk]) + "#income"
        )
    response = render(
        request,
        "worklife/participant_placements.html",
        {
            "participant": participant,
            "placements": selectors.participant_placements(
                viewer=request.user, participant=participant
            ),
            "education": selectors.participant_education(
                viewer=request.user, participant=participant
            ),
            **_income_context(request, participant, income_form=form),
        },
    )
    response.status_code = 400
    return response


@require_POST
@permission_required("income.change")
def income_delete(request, pk):
    record = selectors.income_record_for_change(viewer=request.user, pk=pk)
    participant_id = record.participant_id
    services.income_record_delete(actor=request.user, record=record)
    messages.success(request, _("Income record removed."))
    return redirect(reverse("worklife:participant_placements", args=[participant_id]) + "#income")


@permission_required("evidence.view")
def income_stability(request):
    form = forms.CompletionFilterForm(request.GET or None)
    group_by, as_of = "organisation", timezone.localdate()
    if form.is_bound and form.is_valid():
        group_by = form.cleaned_data["group_by"] or group_by
        as_of = form.cleaned_data["as_of"] or as_of
    response = render(
        request,
        "worklife/income_stability.html",
        {
            "form": form,
            "as_of": as_of,
            "parameters": selectors.stability_parameters_current(),
            "rows": selectors.income_stability_by_group(
                viewer=request.user, group_by=group_by, as_of=as_of
            )
            if not form.errors
            else [],
        },
    )
    if form.errors:
        response.status_code = 400
    return response


@permission_required("income.change")
def income_import(request):
    """Monthly incomes from a file: refused whole when any row has an error, each named."""
    form = forms.IncomeImportForm(request.POST or None, request.FILES or None)
    errors = []
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        parsed = read_income_file(
            upload.read(),
            sources=IncomeSource.values,
            file_format="xlsx" if upload.name.lower().endswith(".xlsx") else None,
            limits=tabular_limits(),
        )
        errors = list(parsed.errors)
        if not errors:
            try:
                count = services.income_import(actor=request.user, rows=parsed.rows)
            except services.IncomeImportError as error:
                errors = list(error.errors)
            else:
                messages.success(request, _("%(count)s income rows imported.") % {"count": count})
                return redirect("worklife:income_import")
        status = 400
    elif request.method == "POST":
        status = 400
    response = render(request, "worklife/income_import.html", {"form": form, "errors": errors})
    response.status_code = status
    return response


@permission_required("income.change")
def gig_assignment_new(request, pk):
    participant = selectors.participant_for_placements(
        viewer=request.user, pk=pk, permission="income.change"
    )
    form = forms.GigAssignmentForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form,
            lambda: services.gig_assignment_record(
                actor=request.user, participant=participant, **form.cleaned_data
            ),
        )
    ):
        messages.success(request, _("Assignment recorded."))
        return redirect(
            reverse("worklife:participant_placements", args=[participant.pk]) + "#income"
        )
    return render(
        request,
        "worklife/form.html",
        {
            "form": form,
            "participant": participant,
            "title": _("Record a gig assignment"),
            "back": reverse("worklife:participant_placements", args=[participant.pk]),
        },
    )
