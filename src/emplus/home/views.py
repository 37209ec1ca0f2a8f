"""The start page: the user's memberships and the size of the partnership."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render

from emplus.geo.selectors import geography_size
from emplus.organisations.selectors import memberships_of, organisation_list


@login_not_required
def home(request):
    context = {}
    if request.user.is_authenticated:
        context = {
            "memberships": memberships_of(user=request.user),
            "organisation_count": organisation_list(viewer=request.user).count(),
            **geography_size(),
        }
    return render(request, "home/home.html", context)
