"""The access matrix for organisation and unit pages and API endpoints: anonymous, no role,
other organisation, right role, administrator."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def _page_urls(org, unit):
    return [
        reverse("organisations:detail", args=[org.pk]),
        reverse("organisations:unit", args=[unit.pk]),
    ]


def _api_urls(org, unit):
    return [f"/api/organisations/{org.pk}/", f"/api/units/{unit.pk}/"]


def test_anonymous_is_sent_to_log_in_for_every_page(client, org_a, unit_a1):
    for url in [reverse("organisations:list"), *_page_urls(org_a, unit_a1)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login"))


def test_anonymous_gets_401_or_403_from_the_api(org_a, unit_a1):
    api = APIClient()
    for url in ["/api/organisations/", "/api/units/", *_api_urls(org_a, unit_a1)]:
        assert api.get(url).status_code in (401, 403), url


def test_user_without_a_role_is_forbidden(client, no_role_user, org_a, unit_a1):
    client.force_login(no_role_user)
    assert client.get(reverse("organisations:list")).status_code == 403
    api = APIClient()
    api.force_authenticate(no_role_user)
    assert api.get("/api/organisations/").status_code == 403


@pytest.mark.parametrize("persona", ["coach", "coordinator", "analyst"])
def test_member_sees_own_organisation_and_units(request, client, persona, org_a, unit_a1):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    for url in _page_urls(org_a, unit_a1):
        assert client.get(url).status_code == 200, url
    api = APIClient()
    api.force_authenticate(user)
    for url in _api_urls(org_a, unit_a1):
        assert api.get(url).status_code == 200, url


@pytest.mark.parametrize("persona", ["coach", "coordinator", "analyst"])
def test_member_gets_404_for_another_organisations_objects(
    request, client, persona, org_b, unit_b1
):
    # given a member of organisation A
    user = request.getfixturevalue(persona)
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    # then B's organisation and unit are 'not found' through pages and API alike
    for url in _page_urls(org_b, unit_b1):
        assert client.get(url).status_code == 404, url
    for url in _api_urls(org_b, unit_b1):
        assert api.get(url).status_code == 404, url


def test_lists_contain_only_own_organisation(client, coach, org_a, org_b, unit_a1, unit_b1):
    client.force_login(coach)
    page = client.get(reverse("organisations:list")).content.decode()
    assert "Organisation A" in page and "Organisation B" not in page
    api = APIClient()
    api.force_authenticate(coach)
    codes = [o["code"] for o in api.get("/api/organisations/").json()["results"]]
    assert codes == ["ORGA"]
    units = [u["name"] for u in api.get("/api/units/").json()["results"]]
    assert units == ["A Umeå"]
    # asking for B explicitly through a filter reveals nothing either
    assert api.get("/api/units/", {"organisation": str(org_b.pk)}).json()["count"] == 0


def test_municipality_page_lists_only_visible_units(client, coach, unit_a1, org_b):
    from emplus.organisations.models import Unit

    Unit.objects.create(organisation=org_b, name="B Umeå", kind="branch", municipality_id="2480")
    client.force_login(coach)
    page = client.get(reverse("geo:municipality", args=["2480"])).content.decode()
    assert "A Umeå" in page and "B Umeå" not in page


def test_administrator_sees_every_organisation(client, admin_user, org_b, unit_b1):
    client.force_login(admin_user)
    for url in _page_urls(org_b, unit_b1):
        assert client.get(url).status_code == 200, url
    api = APIClient()
    api.force_authenticate(admin_user)
    assert {o["code"] for o in api.get("/api/organisations/").json()["results"]} >= {
        "ORGA",
        "ORGB",
    }


def test_members_are_listed_for_coordinators_not_coaches(client, coach, coordinator, org_a):
    url = reverse("organisations:detail", args=[org_a.pk])
    client.force_login(coordinator)
    members = client.get(url).context["memberships"]
    assert {m.user.username for m in members} == {"coach-a", "coordinator-a"}
    client.force_login(coach)
    response = client.get(url)
    assert response.context["memberships"] is None
    assert "coordinator-a" not in response.content.decode()


def test_token_authentication_is_scoped_too(coach, org_a, org_b):
    from emplus.accounts.services import api_token_create

    _, secret = api_token_create(user=coach, name="script", second_factor_verified=True)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert api.get(f"/api/organisations/{org_a.pk}/").status_code == 200
    assert api.get(f"/api/organisations/{org_b.pk}/").status_code == 404
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api.get(f"/api/organisations/{org_a.pk}/").status_code in (401, 403)


def test_list_queries_do_not_grow_with_rows(client, coach, org_a, django_assert_max_num_queries):
    from emplus.organisations.models import Unit

    for i in range(30):
        Unit.objects.create(
            organisation=org_a, name=f"A {i}", kind="branch", municipality_id="0180"
        )
    client.force_login(coach)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("organisations:detail", args=[org_a.pk])).status_code == 200
