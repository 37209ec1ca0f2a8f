"""Pages of the regional test beds."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from emplus.core.permissions import has_permission, permission_required
from emplus.evidence.choices import indicator_rows
from emplus.methods.selectors import enrolment_indicators, enrolment_progression
from emplus.testbeds import selectors, services
from emplus.testbeds.forms import LearningLogEntryForm


@permission_required("testbed.view")
def test_bed_list(request):
    return render(
        request,
        "testbeds/test_bed_list.html",
        {"beds": selectors.test_bed_list(viewer=request.user)},
    )


def _can_edit(user, bed) -> bool:
    return has_permission(user, "testbed.change") and services.test_bed_can_change(
        actor=user, test_bed=bed
    )


@permission_required("testbed.view")
def test_bed_detail(request, code: str, log_form=None):
    bed = selectors.test_bed_get(viewer=request.user, code=code)
    can_edit = _can_edit(request.user, bed)
    if can_edit and log_form is None:
        log_form = LearningLogEntryForm(prefix="log")
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
