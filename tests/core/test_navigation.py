"""The module menu: every list page a role works from is one click away, in Swedish first."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _menu(page: str) -> dict[str, str]:
    menu = page.split('class="modules"', 1)[1].split("</nav>", 1)[0]
    return {
        label.strip(): href
        for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', menu)
    }


def test_the_menu_links_the_action_plans_for_a_coordinator_in_swedish(client, coordinator):
    client.force_login(coordinator)
    menu = _menu(client.get(reverse("home:home")).content.decode())
    assert menu["Handlingsplaner"] == reverse("plans:list")
    assert menu["Deltagare"] == reverse("pathways:caseload")


def test_the_current_module_is_marked_for_screen_readers(client, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("plans:list")).content.decode()
    assert f'<a href="{reverse("plans:list")}" aria-current="page">' in page


def test_no_menu_without_log_in(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert 'class="modules"' not in page
