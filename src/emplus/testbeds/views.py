"""Pages of the regional test beds."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from emplus.core.form_errors import service_result
from emplus.core.permissions import has_permission, permission_required
from emplus.evidence.choices import indicator_rows
from emplus.methods.selectors import enrolment_indicators, enrolment_progression
from emplus.organisations.permissions import editable_organisation_ids
from emplus.testbeds import selectors, services
from emplus.testbeds.forms import LearningLogEntryForm, TestBedForm, TestBedGoalForm


@permission_required("testbed.view")
def test_bed_list(request):
    return render(
        request,
        "testbeds/test_bed_list.html",
        {
            "beds": selectors.test_bed_list(viewer=request.user),
            "can_create": has_permission(request.user, "testbed.change"),
        },
    )


def _can_edit(user, bed) -> bool:
    return has_permission(user, "testbed.change") and services.test_bed_can_change(
        actor=user, test_bed=bed
    )


@permission_required("testbed.view")
def test_bed_detail(request, code: str, log_form=None, goal_form=None):
    bed = selectors.test_bed_get(viewer=request.user, code=code)
    can_edit = _can_edit(request.user, bed)
    if can_edit and log_form is None:
        log_form = LearningLogEntryForm(prefix="log")
    if can_edit and goal_form is None:
        goal_form = TestBedGoalForm(prefix="goal")
    can_see_evidence = has_permission(request.user, "evidence.view")
    return render(
        request,
        "testbeds/test_bed_detail.html",
        {
            "bed": bed,
            "outcomes": selectors.test_bed_outcomes(viewer=request.user, test_bed=bed),
            "indicators": indicator_rows(enrolment_indicators(test_bed=bed)),
            "progression": enrolment_progression(bed.enrolments.all()),
            "evidence_query": f"group_by=test_bed&test_bed={bed.code}",
            "can_see_evidence": can_see_evidence,
            "log_form": log_form if can_edit else None,
            "goal_form": goal_form if can_edit else None,
            "can_edit": can_edit,
            "estimates": (
                selectors.test_bed_estimates(viewer=request.user, test_bed=bed)
                if can_see_evidence
                else None
            ),
        },
    )


@require_POST
@permission_required("testbed.change")
def learning_log_add(request, code: str):
    """A dated learning-log entry, by a coordinator of the lead organisation (else 404)."""
    bed = selectors.test_bed_get(viewer=request.user, code=code)
    if not _can_edit(request.user, bed):
        raise Http404
    form = LearningLogEntryForm(request.POST, prefix="log")
    if not form.is_valid():
        response = test_bed_detail(request, code, log_form=form)
        response.status_code = 400
        return response
    services.learning_log_entry_add(actor=request.user, test_bed=bed, **form.cleaned_data)
    return redirect(reverse("testbeds:detail", args=[bed.code]) + "#learning-log")


@require_POST
@permission_required("testbed.change")
def goal_add(request, code: str):
    """A goal with its indicator, by a coordinator of the lead organisation (else 404)."""
    bed = selectors.test_bed_get(viewer=request.user, code=code)
    if not _can_edit(request.user, bed):
        raise Http404
    form = TestBedGoalForm(request.POST, prefix="goal")
    if not form.is_valid():
        response = test_bed_detail(request, code, goal_form=form)
        response.status_code = 400
        return response
    services.test_bed_goal_add(actor=request.user, test_bed=bed, **form.cleaned_data)
    return redirect(reverse("testbeds:detail", args=[bed.code]) + "#goals")


@permission_required("testbed.change")
def test_bed_create(request):
    allowed = editable_organisation_ids(request.user, "testbed.change")
    form = TestBedForm(request.POST or None, organisation_ids=allowed)
    if request.method == "POST" and form.is_valid():
        bed = service_result(
            form,
            lambda: services.test_bed_create(
                actor=request.user, code=form.cleaned_data["code"], **form.test_bed_values()
            ),
        )
        if bed is not None:
            return redirect("testbeds:detail", code=bed.code)
    return render(request, "testbeds/test_bed_form.html", {"form": form, "bed": None})


@permission_required("testbed.change")
def test_bed_edit(request, code: str):
    bed = selectors.test_bed_get(viewer=request.user, code=code)
    if not _can_edit(request.user, bed):
        raise Http404
    allowed = editable_organisation_ids(request.user, "testbed.change")
    # The form validates on its own copy: the service compares with the stored bed.
    copy = selectors.test_bed_get(viewer=request.user, code=code)
    form = TestBedForm(request.POST or None, instance=copy, organisation_ids=allowed)
    if request.method == "POST" and form.is_valid():
        saved = service_result(
            form,
            lambda: services.test_bed_update(
                actor=request.user, test_bed=bed, **form.test_bed_values()
            ),
        )
        if saved is not None:
            return redirect("testbeds:detail", code=bed.code)
    return render(request, "testbeds/test_bed_form.html", {"form": form, "bed": bed})
