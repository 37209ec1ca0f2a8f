"""Pages of the regional test beds."""

from __future__ import annotations

from django.shortcuts import render

from emplus.core.permissions import has_permission, permission_required
from emplus.methods.selectors import enrolment_indicators
from emplus.methods.views import indicator_rows
from emplus.testbeds import selectors


@permission_required("testbed.view")
def test_bed_list(request):
    return render(
        request,
        "testbeds/test_bed_list.html",
        {"beds": selectors.test_bed_list(viewer=request.user)},
    )


@permission_required("testbed.view")
def test_bed_detail(request, code: str):
    bed = selectors.test_bed_get(viewer=request.user, code=code)
    return render(
        request,
        "testbeds/test_bed_detail.html",
        {
            "bed": bed,
            "outcomes": selectors.test_bed_outcomes(viewer=request.user, test_bed=bed),
            "indicators": indicator_rows(enrolment_indicators(test_bed=bed)),
            "evidence_query": f"group_by=test_bed&test_bed={bed.code}",
            "can_see_evidence": has_permission(request.user, "evidence.view"),
        },
    )
