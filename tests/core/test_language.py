"""Swedish first whatever the browser asks for; English when the user chooses it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_swedish_even_when_the_browser_prefers_english(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "sv"
    assert '<html lang="sv">' in response.content.decode()
    assert "Logga in" in response.content.decode()


def test_the_language_switch_chooses_english_and_back(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page and "Log in" in page
    client.post("/i18n/setlang/", {"language": "sv", "next": "/"})
    assert "Logga in" in client.get("/").content.decode()


def test_an_unknown_language_cookie_falls_back_to_swedish(client):
    client.cookies["django_language"] = "xx"
    assert client.get("/")["Content-Language"] == "sv"
