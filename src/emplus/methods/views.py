"""Pages of the methods library and the thematic areas."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from emplus.core.choices import Arena, Phase, TargetGroup, labels
from emplus.core.form_errors import service_result
from emplus.core.permissions import has_permission, permission_required
from emplus.evidence.choices import indicator_rows
from emplus.methods import selectors, services
from emplus.methods.choices import EvidenceLevel
from emplus.methods.filters import MethodFilterSet
from emplus.methods.forms import MethodForm, ThematicAreaForm
from emplus.organisations.permissions import editable_organisation_ids
from emplus.worklife import charts as worklife_charts
from emplus.worklife import results as worklife_results


@permission_required("method.view")
def method_list(request):
    filterset = MethodFilterSet(request.GET)
    filters = filterset.selector_filters
    return render(
        request,
        "methods/method_list.html",
        {
            "methods": selectors.method_list(viewer=request.user, filters=filters),
            "filters": filters,
            "filterset": filterset,
            "phases": Phase.choices,
            "thematic_areas": selectors.thematic_area_options(),
            "evidence_levels": EvidenceLevel.choices,
            "can_create": has_permission(request.user, "method.change"),
        },
    )


@permission_required("method.view")
def method_detail(request, code: str):
    method = selectors.method_get(viewer=request.user, code=code)
    return render(
        request,
        "methods/method_detail.html",
        {
            "method": method,
            "phases": labels(Phase, method.phases),
            "arenas": labels(Arena, method.arenas),
            "target_groups": labels(TargetGroup, method.target_groups),
            "steps": [s for s in method.steps.splitlines() if s.strip()],
            "activities": method.activities.select_related("organisation").order_by("title"),
            "test_beds": method.test_beds.order_by("name"),
            "outcomes": selectors.method_outcomes(viewer=request.user, method=method),
            "indicators": indicator_rows(selectors.enrolment_indicators(method=method)),
            "progression": selectors.enrolment_progression(method.enrolments.all()),
            "evidence_query": f"group_by=method&method={method.code}",
            "can_see_evidence": has_permission(request.user, "evidence.view"),
            "can_edit": has_permission(request.user, "method.change")
            and services.method_can_change(actor=request.user, method=method),
        },
    )


@permission_required("method.view")
def thematic_area_list(request):
    return render(
        request,
        "methods/thematic_area_list.html",
        {
            "areas": selectors.thematic_area_list(viewer=request.user),
            "can_edit": has_permission(request.user, "thematic_area.change"),
        },
    )


@permission_required("method.view")
def thematic_area_detail(request, code: str):
    area = selectors.thematic_area_get(viewer=request.user, code=code)
    enrolments = selectors.thematic_area_enrolments(area)
    return render(
        request,
        "methods/thematic_area_detail.html",
        {
            "area": area,
            "methods": area.methods.order_by("name"),
            "activities": area.activities.select_related("organisation").order_by("title")[:100],
            "activity_count": area.activities.count(),
            "test_beds": area.test_beds.order_by("name"),
            "outcomes": selectors.enrolment_outcomes(enrolments),
            "indicators": indicator_rows(selectors.enrolment_indicators(thematic_area=area)),
            "progression": selectors.enrolment_progression(
                selectors.thematic_area_enrolments(area)
            ),
            "evidence_query": "",
            "can_see_evidence": False,
            "can_edit": has_permission(request.user, "thematic_area.change"),
            "worklife": _worklife_results(request.user, area.code),
        },
    )


def _worklife_results(viewer, code: str) -> dict | None:
    """The area's results in working life and education (worklife sits below methods), for
    viewers who may read aggregates."""
    found = worklife_results.area_results(viewer=viewer, area_code=code, as_of=timezone.localdate())
    if found is None:
        return None
    return {
        "outcomes": found.outcomes,
        "outcome_chart": worklife_charts.share_bars(
            [(r.label, r.offer_rate) for r in found.outcomes]
        ),
        "stability": found.stability,
        "completion": found.completion,
        "parameters": found.parameters,
    }


@permission_required("method.change")
def method_create(request):
    allowed = editable_organisation_ids(request.user, "method.change")
    form = MethodForm(request.POST or None, organisation_ids=allowed)
    if request.method == "POST" and form.is_valid():
        method = service_result(
            form,
            lambda: services.method_create(
                actor=request.user,
                owner=form.cleaned_data["owner"],
                code=form.cleaned_data["code"],
                **form.version_values(),
                **form.method_values(),
            ),
        )
        if method is not None:
            return redirect("methods:detail", code=method.code)
    return render(request, "methods/method_form.html", {"form": form, "method": None})


@permission_required("method.change")
def method_edit(request, code: str):
    """A new version of a method of the editor's organisation (another's: 404)."""
    method = selectors.method_get(viewer=request.user, code=code)
    if not services.method_can_change(actor=request.user, method=method):
        raise Http404
    # The form validates on its own copy: the service compares with the stored method.
    copy = selectors.method_get(viewer=request.user, code=code)
    form = MethodForm(request.POST or None, instance=copy, organisation_ids=None)
    if request.method == "POST" and form.is_valid():
        released = service_result(
            form,
            lambda: services.method_version_release(
                actor=request.user, method=method, **form.version_values(), **form.method_values()
            ),
        )
        if released is not None:
            return redirect("methods:detail", code=method.code)
    return render(request, "methods/method_form.html", {"form": form, "method": method})


@permission_required("thematic_area.change")
def thematic_area_edit(request, code: str):
    area = selectors.thematic_area_get(viewer=request.user, code=code)
    form = ThematicAreaForm(
        request.POST or None, instance=selectors.thematic_area_get(viewer=request.user, code=code)
    )
    if request.method == "POST" and form.is_valid():
        services.thematic_area_update(actor=request.user, area=area, **form.cleaned_data)
        return redirect("methods:thematic_area", code=area.code)
    return render(request, "methods/thematic_area_form.html", {"form": form, "area": area})
