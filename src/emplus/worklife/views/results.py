"""The results of working life: placement outcomes by group, with a chart beside the table."""

from __future__ import annotations

from django.shortcuts import render

from emplus.core.permissions import permission_required
from emplus.worklife import charts, forms, results
from emplus.worklife.choices import OutcomeGroup


@permission_required("evidence.view")
def placement_outcomes(request):
    form = forms.OutcomeFilterForm(request.GET or None)
    group_by = OutcomeGroup.KIND
    if form.is_bound and form.is_valid():
        group_by = form.cleaned_data["group_by"] or group_by
    rows = (
        []
        if form.errors
        else results.placement_outcomes_by_group(viewer=request.user, group_by=group_by)
    )
    response = render(
        request,
        "worklife/placement_outcomes.html",
        {
            "form": form,
            "rows": rows,
            "chart": charts.share_bars([(r.label, r.offer_rate) for r in rows]),
        },
    )
    if form.errors:
        response.status_code = 400
    return response
