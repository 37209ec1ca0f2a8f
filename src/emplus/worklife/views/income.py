"""Income pages: monthly records, the file import, gig assignments and income stability."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from emplus.core.permissions import permission_required
from emplus.core.uploads import tabular_limits
from emplus.evidence_core.income_file import read_income_file
from emplus.worklife import forms, selectors, services
from emplus.worklife.choices import IncomeSource
from emplus.worklife.income_file_messages import shown_as_page
from emplus.worklife.views.common import form_page, group_filter, saved
from emplus.worklife.views.participant import participant_page_context, participant_page_url


@require_POST
@permission_required("income.change")
def income_add(request, pk):
    participant = selectors.participant_for_placements(
        viewer=request.user, pk=pk, permission="income.change"
    )
    form = forms.IncomeRecordForm(request.POST, prefix="income")
    if form.is_valid() and saved(
        form,
        lambda: services.income_record_set(
            actor=request.user, participant=participant, **form.cleaned_data
        ),
    ):
        messages.success(request, _("Income recorded."))
        return redirect(participant_page_url(participant.pk, "#income"))
    response = render(
        request,
        "worklife/participant_placements.html",
        participant_page_context(request, participant, income_form=form),
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
    return redirect(participant_page_url(participant_id, "#income"))


@permission_required("evidence.view")
def income_stability(request):
    form, group_by, as_of = group_filter(request)
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
    response = render(
        request, "worklife/income_import.html", {"form": form, "errors": shown_as_page(errors)}
    )
    response.status_code = status
    return response


@permission_required("income.change")
def gig_assignment_new(request, pk):
    participant = selectors.participant_for_placements(
        viewer=request.user, pk=pk, permission="income.change"
    )
    return form_page(
        request,
        form=forms.GigAssignmentForm(request.POST or None),
        save=lambda data: services.gig_assignment_record(
            actor=request.user, participant=participant, **data
        ),
        success=_("Assignment recorded."),
        done=lambda assignment: participant_page_url(participant.pk, "#income"),
        title=_("Record a gig assignment"),
        back=participant_page_url(participant.pk),
        participant=participant,
    )
