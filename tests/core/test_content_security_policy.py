"""The Content Security Policy: every response carries the configured policy, built once
(decision 0072), and django-csp's own way where a response or a nonce changes it."""

from __future__ import annotations

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY, NONCE
from csp.exceptions import CSPNonceError
from csp.utils import build_policy
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from emplus.core.middleware import ContentSecurityPolicyMiddleware

pytestmark = pytest.mark.django_db


def _directives(response) -> set[str]:
    return set(response[HEADER].split("; "))  # django-csp's order is not fixed


def _through(response, request=None):
    request = request or RequestFactory().get("/anything/")
    middleware = ContentSecurityPolicyMiddleware(lambda r: response)
    return middleware(request), request


def test_pages_and_the_api_carry_the_configured_policy(client, coach):
    client.force_login(coach)
    expected = set(build_policy().split("; "))
    assert {"script-src 'self'", "frame-ancestors 'none'"} <= expected
    for url in (reverse("accounts:login"), reverse("help:index"), "/api/me/"):
        assert _directives(client.get(url)) == expected, url


def test_a_changed_setting_changes_the_header(settings):
    _through(HttpResponse())  # the policy of the settings before
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    response, _ = _through(HttpResponse())
    assert response[HEADER] == "default-src 'none'"


def test_a_response_that_changes_the_policy_gets_django_csps_header():
    changed = HttpResponse()
    changed._csp_update = {"img-src": ["https://maps.example"]}
    response, _ = _through(changed)
    assert "https://maps.example" in response[HEADER]
    exempt = HttpResponse()
    exempt._csp_exempt = True
    assert HEADER not in _through(exempt)[0]


def test_a_nonce_used_by_a_page_is_in_its_header_and_one_asked_for_afterwards_fails(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": ["'self'", NONCE]}}
    request = RequestFactory().get("/anything/")
    seen = {}

    def view(request):
        seen["nonce"] = str(request.csp_nonce)
        return HttpResponse()

    middleware = ContentSecurityPolicyMiddleware(view)
    middleware.process_request(request)
    response = middleware.process_response(request, view(request))
    nonce = f"'nonce-{seen['nonce']}'"
    assert _directives(response) == {"default-src 'self'", f"script-src 'self' {nonce}"}
    # and a page that used none: asking for one after the header was written is an error
    plain = RequestFactory().get("/anything/")
    middleware.process_request(plain)
    policy = middleware.process_response(plain, HttpResponse())
    assert _directives(policy) == {"default-src 'self'", "script-src 'self'"}
    with pytest.raises(CSPNonceError):
        str(plain.csp_nonce)


def test_a_report_only_policy_takes_django_csps_way(settings):
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'self'"]}}
    response, _ = _through(HttpResponse())
    assert response[HEADER_REPORT_ONLY] == "default-src 'self'"
    assert _directives(response) == set(build_policy().split("; "))
