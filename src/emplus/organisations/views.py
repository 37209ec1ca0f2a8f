"""Pages for organisations and their local units, scoped to the viewer."""

from __future__ import annotations

from django.shortcuts import render

from emplus.core.permissions import permission_required
from emplus.organisations import selectors


@permission_required("organisation.view")
def organisation_list(request):
    return render(
        request,
        "organisations/organisation_list.html",
        {
            "organisations": selectors.organisation_list(viewer=request.user),
        },
    )


@permission_required("organisation.view")
def organisation_detail(request, pk):
    organisation = selectors.organisation_get(viewer=request.user, pk=pk)
    return render(
        request,
        "organisations/organisation_detail.html",
        {
            "organisation": organisation,
            "units": selectors.unit_list(viewer=request.user, organisation=organisation),
            "memberships": selectors.membership_list(
                viewer=request.user, organisation=organisation
            ),
        },
    )


@permission_required("organisation.view")
def unit_detail(request, pk):
    unit = selectors.unit_get(viewer=request.user, pk=pk)
    return render(request, "organisations/unit_detail.html", {"unit": unit})
