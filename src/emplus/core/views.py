"""The start page and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from emplus.geo.models import County, Municipality
from emplus.organisations.selectors import memberships_of, organisation_list


@login_not_required
def home(request):
    context = {}
    if request.user.is_authenticated:
        context = {
            "memberships": memberships_of(user=request.user),
            "organisation_count": organisation_list(viewer=request.user).count(),
            "county_count": County.objects.count(),
            "municipality_count": Municipality.objects.count(),
        }
    return render(request, "core/home.html", context)


@login_not_required
def healthz(request):
    """For load balancers and monitoring: the app answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
