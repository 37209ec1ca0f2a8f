"""The guide's pages: the index per role, a section in Swedish or English, the log-in help
before log-in, search, and the link from every page's heading."""

from __future__ import annotations

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_a_section_is_swedish_by_default_and_english_with_the_language_switch(client, coach):
    # given a coach
    client.force_login(coach)
    # when they open the caseload's help, first in the default language, then in English
    swedish = client.get("/help/caseload/").content.decode()
    english(client)
    in_english = client.get("/help/caseload/").content.decode()
    # then the text is the section's own, in each language
    assert "Deltagare</strong> är din deltagarlista" in swedish
    assert "<strong>Participants</strong> is your caseload" in in_english
    assert "Hjälp om den här sidan" in swedish and "Help on this page" in in_english


def test_an_unknown_section_is_not_found(client, coach):
    client.force_login(coach)
    assert client.get("/help/no-such-section/").status_code == 404


def test_the_log_in_help_is_public_and_other_sections_are_not(client, geo):
    assert client.get("/help/login/").status_code == 200
    response = client.get("/help/caseload/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/help/").status_code == 302


def test_the_log_in_page_links_to_its_public_help(client, geo):
    # when a visitor opens the log-in page
    page = client.get("/accounts/login/").content.decode()
    # then its heading links to the help they can read without logging in
    assert 'href="/help/login/"' in page


def test_every_page_heading_links_to_its_own_section(client, coordinator):
    client.force_login(coordinator)
    for url, section in [
        ("/participants/", "caseload"),
        ("/participants/new/", "register"),
        ("/participants/import/", "import"),
        ("/participants/rights/", "rights"),
        ("/mapping/", "coverage"),
        ("/worklife/employers/", "employers"),
        ("/help/", "help"),
    ]:
        page = client.get(url).content.decode()
        assert f'<p class="page-help"><a href="/help/{section}/">' in page, url


def test_the_index_puts_the_viewers_own_role_first(client, analyst):
    # given an analyst
    client.force_login(analyst)
    # when they open the guide
    response = client.get("/help/")
    # then their role's group comes first and lists the results sections
    groups = response.context["groups"]
    assert groups[0]["role"] == "analyst" and groups[0]["own"]
    assert {"indicators", "effects"} <= {s.slug for s in groups[0]["sections"]}
    assert [g["role"] for g in groups][1] == "everyone"


def test_search_finds_sections_by_their_text_in_the_readers_language(client, coach):
    client.force_login(coach)
    hits = client.get("/help/", {"q": "balansen konfidensintervall"}).context["results"]
    assert [hit.section.slug for hit in hits] == ["effects"]
    english(client)
    hits = client.get("/help/", {"q": "suppression"}).context["results"]
    assert "indicators" in [hit.section.slug for hit in hits]
    assert client.get("/help/", {"q": "zzzz-no-such-word"}).context["results"] == []


def test_a_long_or_odd_query_gives_a_page_not_an_error(client, coach):
    client.force_login(coach)
    response = client.get("/help/", {"q": "<script>" + "x" * 5000})
    assert response.status_code == 200
    assert "<script>x" not in response.content.decode()


def test_the_header_links_to_the_guide_for_a_signed_in_user_only(client, coach):
    assert 'href="/help/"' not in client.get("/accounts/login/").content.decode()
    client.force_login(coach)
    assert '<a href="/help/">Hjälp</a>' in client.get("/participants/").content.decode()
