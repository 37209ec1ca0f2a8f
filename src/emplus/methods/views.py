"""Pages of the methods library and the thematic areas."""

from __future__ import annotations

from django.shortcuts import render

from emplus.core.choices import Arena, Phase, TargetGroup, labels
from emplus.core.permissions import has_permission, permission_required
from emplus.evidence.choices import indicator_rows
from emplus.methods import selectors
from emplus.methods.choices import EvidenceLevel
from emplus.methods.filters import MethodFilterSet


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
        },
    )


@permission_required("method.view")
def thematic_area_list(request):
    return render(
        request,
        "methods/thematic_area_list.html",
        {"areas": selectors.thematic_area_list(viewer=request.user)},
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
        },
    )
