"""The start page: a visitor is asked to log in; a signed-in user sees the work due in each of
their roles, every count a link to the list it counts."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils import timezone

from emplus.home import selectors


@login_not_required
def home(request):
    context = {}
    if request.user.is_authenticated:
        context = {
            "page": selectors.start_page(viewer=request.user, today=timezone.localdate()),
        }
    return render(request, "home/home.html", context)
