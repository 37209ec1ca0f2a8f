"""Requires a verified second factor from users whose roles see personal data."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from emplus.accounts.second_factor import second_factor_required_for, session_is_verified

# Paths a user must reach before the second factor is verified.
EXEMPT_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz")


def needs_second_factor(user) -> bool:
    return second_factor_required_for(user) and not session_is_verified(user)


def second_factor_page_first(path: str) -> bool:
    """Whether an unverified user who must prove the second factor is sent to its page before
    `path` (an API path is refused instead; the exempt paths are reached without it)."""
    return not path.startswith(EXEMPT_PREFIXES) and not path.startswith("/api/")


def second_factor_url(next_url: str) -> str:
    """The second factor's page, going on to `next_url` once the code is given."""
    return f"{reverse('accounts:two_factor')}?{urlencode({'next': next_url})}"


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(EXEMPT_PREFIXES) and needs_second_factor(request.user):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "A verified second factor is required."}, status=403)
            return redirect(second_factor_url(request.get_full_path()))
        return self.get_response(request)
