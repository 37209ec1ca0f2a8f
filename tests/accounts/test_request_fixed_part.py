"""What every request pays before its view (decision 0061): the session and the user, read with
its memberships and confirmed authenticators in one statement, and nothing kept from one request
to the next that would let a log-out, a removed role or a replaced authenticator lag behind."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.factories import MembershipFactory, verify_session

from emplus.accounts.backends import AccountBackend, parse_memberships
from emplus.core import scoping
from emplus.core.context_processors import NAVIGATION_PERMISSIONS
from emplus.core.roles import PERMISSIONS, Role
from emplus.organisations.services import membership_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _second_factor_required(settings):
    settings.EMPLUS_REQUIRE_2FA = True


def _tables(queries) -> list[str]:
    # the table each statement reads (not those of its subqueries, which Django aliases U0...)
    return [re.search(r'FROM "(\w+)"(?! U\d)', q["sql"])[1] for q in queries]


def test_a_verified_page_reads_the_session_and_the_user_and_nothing_else_before_its_view(
    client, coordinator
):
    verify_session(client, coordinator)
    client.get(reverse("help:index"))  # warm: first-request work
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("help:index"))
    assert page.status_code == 200
    # the user's memberships and confirmed authenticators come with the user (were 4 queries)
    assert _tables(queries.captured_queries) == ["django_session", "accounts_user"]
    assert 'href="/participants/"' in page.content.decode()  # the navigation, from the roles


def test_the_api_reads_the_same_two_before_its_view(client, coach):
    verify_session(client, coach)
    client.get("/api/organisations/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/organisations/").status_code == 200
    assert _tables(queries.captured_queries)[:2] == ["django_session", "accounts_user"]
    assert "otp_totp_totpdevice" not in _tables(queries.captured_queries)
    assert "organisations_membership" not in _tables(queries.captured_queries)


def test_the_memberships_read_with_the_user_are_those_of_the_database(
    coordinator, coach, org_b, unit_b1
):
    MembershipFactory(user=coach, organisation=org_b, role=Role.COACH, unit=unit_b1)
    for user in (coordinator, coach):
        read = AccountBackend().get_user(user.pk)
        rows = user.memberships.values_list("organisation_id", "role", "unit_id")
        assert sorted(map(str, read._emplus_memberships)) == sorted(map(str, rows))
    assert parse_memberships(None) == ()


def test_the_navigation_holds_what_has_permission_holds(
    coordinator, coach, analyst, admin_user, no_role_user, other_org_coordinator
):
    superuser = get_user_model().objects.create_superuser("root", "root@example.org", "x" * 16)
    inactive = get_user_model().objects.get(pk=coach.pk)
    inactive.is_active = False
    people = [coordinator, coach, analyst, admin_user, no_role_user, other_org_coordinator]
    for user in [*people, superuser, inactive]:
        user = get_user_model().objects.get(pk=user.pk) if user is not inactive else user
        everything = tuple(PERMISSIONS)
        expected = {p for p in everything if scoping.has_permission(user, p)}
        assert scoping.permissions_anywhere(user, everything) == expected, user
        assert scoping.permissions_anywhere(user, NAVIGATION_PERMISSIONS) == expected & set(
            NAVIGATION_PERMISSIONS
        )


def test_a_removed_membership_leaves_the_navigation_and_the_pages_at_the_next_request(
    client, coordinator, admin_user
):
    verify_session(client, coordinator)
    assert 'href="/participants/"' in client.get(reverse("help:index")).content.decode()
    membership_revoke(membership=coordinator.memberships.get(), actor=admin_user)
    page = client.get(reverse("help:index")).content.decode()
    assert 'href="/participants/"' not in page
    assert client.get(reverse("pathways:caseload")).status_code == 403


def test_a_log_out_or_a_deleted_session_ends_the_next_request(client, coordinator):
    verify_session(client, coordinator)
    assert client.get(reverse("pathways:caseload")).status_code == 200
    Session.objects.all().delete()  # e.g. every session of the user ended by an administrator
    response = client.get(reverse("pathways:caseload"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    verify_session(client, coordinator)
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("pathways:caseload")).status_code == 302


def test_an_expired_session_is_not_read(client, coordinator):
    verify_session(client, coordinator)
    assert client.get(reverse("pathways:caseload")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("pathways:caseload"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_deactivated_user_is_signed_out_at_the_next_request(client, coordinator):
    verify_session(client, coordinator)
    get_user_model().objects.filter(pk=coordinator.pk).update(is_active=False)
    response = client.get(reverse("pathways:caseload"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def _session_names(client, device_id: str) -> None:
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = f"otp_totp.totpdevice/{device_id}"
    session.save()


def _asked_for_the_second_factor(client) -> bool:
    response = client.get(reverse("pathways:caseload"))
    api = client.get("/api/participants/")
    asked = response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:two_factor")
    )
    return asked and api.status_code == 403


def test_a_replaced_authenticator_no_longer_verifies_the_session(client, coordinator):
    device = verify_session(client, coordinator)
    assert client.get(reverse("pathways:caseload")).status_code == 200
    TOTPDevice.objects.filter(pk=device.pk).update(confirmed=False)
    assert _asked_for_the_second_factor(client)
    assert DEVICE_ID_SESSION_KEY not in client.session  # forgotten, as django_otp does
    TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
    assert _asked_for_the_second_factor(client)  # a new code is needed, not the old session
    device.delete()
    _session_names(client, str(device.pk))
    assert _asked_for_the_second_factor(client)


@pytest.mark.parametrize("named", ["another user's", "not a number", "another kind"])
def test_a_session_naming_no_device_of_the_user_is_not_verified(client, coordinator, coach, named):
    verify_session(client, coordinator)
    other = TOTPDevice.objects.create(user=coach, name="phone", confirmed=True)
    if named == "another kind":
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = f"otp_static.staticdevice/{other.pk}"
        session.save()
    else:
        _session_names(client, str(other.pk) if named == "another user's" else "1x")
    assert _asked_for_the_second_factor(client)


def test_the_device_the_session_names_is_there_when_used(client, coordinator):
    device = verify_session(client, coordinator)
    user = client.get(reverse("accounts:two_factor")).wsgi_request.user
    assert user.is_verified() and user.otp_device.pk == device.pk and user.otp_device.confirmed
