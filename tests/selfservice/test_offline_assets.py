"""The files the offline mode needs: served by the app itself, the service worker allowed to
control the whole site, and the shared route table true to the URL configuration."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from django.urls import resolve, reverse

import emplus

pytestmark = pytest.mark.django_db

STATIC = Path(emplus.__file__).parent / "static" / "selfservice"


def test_the_service_worker_is_served_with_scope_for_the_whole_site(client):
    response = client.get("/static/selfservice/sw.js")
    assert response.status_code == 200
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    assert response["Content-Type"].startswith(("text/javascript", "application/javascript"))


def test_the_manifest_is_served_as_a_web_app_manifest(client):
    response = client.get("/static/selfservice/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    assert b'"scope": "/"' in b"".join(response.streaming_content)


def test_the_route_table_matches_the_url_configuration():
    text = (STATIC / "routes.js").read_text()
    shells = re.findall(r'shell: "([^"]+)"', text)
    assert sorted(shells) == sorted(
        reverse(f"selfservice:shell_{kind}") for kind in ("assessment", "event", "time")
    )
    assert f'outbox: "{reverse("selfservice:outbox")}"' in text
    # every pattern matches the real address of its form
    pk, enrolment = uuid.uuid4(), uuid.uuid4()
    real = {
        "assessment": reverse("pathways:assessment_new", args=[pk, enrolment]),
        "event": reverse("pathways:event_new", args=[pk, enrolment]),
        "time": reverse("selfservice:month", args=[pk, "2025-03"]),
    }
    for kind, pattern in re.findall(r'kind: "(\w+)",\s+shell: "[^"]+",\s+pattern: /(.+)/,', text):
        python_pattern = pattern.replace("\\/", "/").replace("(?<", "(?P<")
        assert re.match(python_pattern, real[kind]), kind
        assert resolve(real[kind])


def test_pages_of_a_signed_in_user_load_the_queue_and_register_the_worker(client, coach):
    client.force_login(coach)
    page = client.get("/").content.decode()
    assert "selfservice/offline.js" in page and 'data-sw="/static/selfservice/sw.js"' in page
    assert 'id="offline-i18n"' in page and "data-logout" in page
    assert 'rel="manifest"' in page


def test_the_log_in_page_loads_no_queue(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert "offline.js" not in page


def test_log_out_tells_the_browser_to_drop_the_queue_and_caches(client, coach):
    client.force_login(coach)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
