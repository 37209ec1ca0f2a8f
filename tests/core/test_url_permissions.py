"""Deny by default: every view declares who may use it, and anonymous users get nowhere
except the few public pages."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC = {
    "/",
    "/healthz",
    "/accounts/login/",
    "/accounts/reset/<uidb64>/<token>/",
    "/accounts/reset/done/",
    "/api/schema/",
    "/api/docs/",
    "/i18n/setlang/",
    # The log-in page's help, readable before log-in like the page it explains.
    "/help/login/",
    # The participant's one-time link: the token in the address is the only key.
    "/s/<str:token>/",
}


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def _own_views():
    for route, callback in _walk(get_resolver().url_patterns):
        module = getattr(callback, "__module__", "") or ""
        if route.startswith("admin/"):
            continue  # Django admin: is_staff plus model permissions, and the 2FA middleware
        if module.startswith(("emplus", "rest_framework", "drf_spectacular")):
            yield route, callback


def test_every_view_declares_a_permission_or_is_a_known_public_page():
    missing, public = [], set()
    for route, callback in _own_views():
        view_class = getattr(callback, "cls", None)
        declared = getattr(callback, "emplus_permission", None) or getattr(
            view_class, "required_permission", None
        )
        if declared in (None, "public") and getattr(callback, "login_required", True) is False:
            public.add("/" + route)
        elif not declared:
            missing.append(route)
    assert missing == []
    assert public <= PUBLIC


@pytest.mark.django_db
def test_anonymous_reaches_only_public_pages(client):
    for route, _ in _own_views():
        if "<" in route or "(?P" in route or "^" in route:
            continue  # needs an argument; covered by the access-matrix tests
        url = "/" + route
        response = client.get(url)
        if url in PUBLIC or url.rstrip("/") in PUBLIC:
            assert response.status_code in (200, 405), url
        else:
            assert response.status_code in (302, 401, 403), url
