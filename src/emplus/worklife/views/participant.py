"""A participant's working-life page: placements, studies, income and gig assignments."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from emplus.core.permissions import has_permission, permission_required
from emplus.worklife import charts, forms, selectors

# The most recent monthly records the page lists beside the chart.
INCOME_RECORDS_SHOWN = 60


def participant_page_url(participant_id, anchor: str = "") -> str:
    return reverse("worklife:participant_placements", args=[participant_id]) + anchor


def participant_page_context(request, participant, income_form=None) -> dict:
    """What the page shows; `income_form` is a bound form to show again with its errors."""
    return {
        "participant": participant,
        "placements": selectors.participant_placements(
            viewer=request.user, participant=participant
        ),
        "can_change": has_permission(request.user, "placement.change")
        and selectors.participant_can_place(viewer=request.user, participant=participant),
        "education": selectors.participant_education(viewer=request.user, participant=participant),
        "can_change_education": has_permission(request.user, "education.change")
        and selectors.participant_can_study(viewer=request.user, participant=participant),
        **_income_context(request, participant, income_form),
    }


def _income_context(request, participant, income_form) -> dict:
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
        )[:INCOME_RECORDS_SHOWN],
        "income_form": income_form if can_change else None,
        "gig_assignments": selectors.participant_gig_assignments(
            viewer=request.user, participant=participant
        ),
    }


@permission_required("placement.view")
def participant_placements(request, pk):
    participant = selectors.participant_for_placements(viewer=request.user, pk=pk)
    return render(
        request,
        "worklife/participant_placements.html",
        participant_page_context(request, participant),
    )
