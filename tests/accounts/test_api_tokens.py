"""API tokens (django-rest-knox): issued only after the second factor where it is required,
stored hashed, expiring, revocable, listed to their owner, audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from rest_framework.test import APIClient

from emplus.accounts.models import ApiToken
from emplus.accounts.services import api_token_create
from emplus.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _api(secret: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return api


@pytest.fixture
def required(settings):
    settings.EMPLUS_REQUIRE_2FA = True
    return settings


def _verified_client(client, user):
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)
    assert client.post(reverse("accounts:two_factor"), {"token": _code(device)}).status_code == 302
    return client


def test_a_verified_user_creates_a_token_that_is_shown_once_and_stored_hashed(
    client, coach, org_a, required
):
    # given
    _verified_client(client, coach)
    # when
    response = client.post(reverse("accounts:api_tokens"), {"name": "reporting script"})
    # then
    assert response.status_code == 200
    secret = response.context["created"]["secret"]
    assert secret in response.content.decode()
    stored = AuthToken.objects.get(user=coach)
    assert secret not in (stored.digest, stored.token_key) and len(stored.digest) == 128
    assert stored.emplus.second_factor_verified is True
    assert stored.expiry > timezone.now() + timedelta(days=29)
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    # the secret is not shown again
    listing = client.get(reverse("accounts:api_tokens")).content.decode()
    assert secret not in listing and "reporting script" in listing
    # and it works
    assert _api(secret).get(f"/api/organisations/{org_a.pk}/").status_code == 200
    event = AuditEvent.objects.get(action="api_token.created")
    assert (event.actor_username, event.details["name"]) == ("coach-a", "reporting script")
    assert secret[:8] not in str(event.details)


def test_an_unverified_session_cannot_create_a_token_where_the_factor_is_required(
    client, coach, required
):
    client.force_login(coach)
    page = client.get(reverse("accounts:api_tokens"))
    assert page.context["may_create"] is False
    response = client.post(reverse("accounts:api_tokens"), {"name": "x"})
    assert response.context["created"] is None
    assert not AuthToken.objects.exists()


def test_a_token_issued_without_the_second_factor_is_refused_once_it_is_required(
    coach, org_a, settings
):
    # given: a token from a time (or an installation) without the required second factor
    settings.EMPLUS_REQUIRE_2FA = False
    _, secret = api_token_create(user=coach, name="old", second_factor_verified=False)
    assert _api(secret).get(f"/api/organisations/{org_a.pk}/").status_code == 200
    # when: production settings require it
    settings.EMPLUS_REQUIRE_2FA = True
    response = _api(secret).get(f"/api/organisations/{org_a.pk}/")
    # then
    assert response.status_code in (401, 403)
    assert "andra faktor" in response.json()["detail"]  # Swedish first


def test_the_service_refuses_an_unverified_token_for_roles_that_need_the_factor(coach, required):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        api_token_create(user=coach, name="x", second_factor_verified=False)


def test_an_expired_token_is_refused_and_removed(coach, org_a, required):
    token, secret = api_token_create(user=coach, name="x", second_factor_verified=True)
    AuthToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - timedelta(minutes=1))
    assert _api(secret).get(f"/api/organisations/{org_a.pk}/").status_code in (401, 403)
    assert not AuthToken.objects.exists() and not ApiToken.objects.exists()


def test_the_owner_revokes_a_token(client, coach, org_a, required):
    _verified_client(client, coach)
    token, secret = api_token_create(user=coach, name="x", second_factor_verified=True)
    token_id = token.auth_token.digest[:16]
    # when
    response = client.post(reverse("accounts:api_token_revoke", args=[token_id]))
    # then
    assert response.status_code == 302
    assert _api(secret).get(f"/api/organisations/{org_a.pk}/").status_code in (401, 403)
    assert AuditEvent.objects.filter(action="api_token.revoked", actor_username="coach-a").exists()


def test_nobody_revokes_or_sees_another_users_token(client, coach, coordinator, required):
    token, _ = api_token_create(user=coach, name="coach's script", second_factor_verified=True)
    _verified_client(client, coordinator)
    assert "coach's script" not in client.get(reverse("accounts:api_tokens")).content.decode()
    token_id = token.auth_token.digest[:16]
    assert client.post(reverse("accounts:api_token_revoke", args=[token_id])).status_code == 403
    assert AuthToken.objects.filter(user=coach).count() == 1


def test_plain_drf_tokens_are_gone(settings):
    assert "rest_framework.authtoken" not in settings.INSTALLED_APPS
    assert not any(
        c == "rest_framework.authentication.TokenAuthentication"
        for c in settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]
    )


def test_at_most_ten_live_tokens(client, coach, required):
    _verified_client(client, coach)
    for i in range(10):
        api_token_create(user=coach, name=f"t{i}", second_factor_verified=True)
    response = client.post(reverse("accounts:api_tokens"), {"name": "one too many"})
    assert response.context["created"] is None
    assert (
        "revoke one first" in response.content.decode().lower()
        or response.context["form"].non_field_errors()
    )
    assert AuthToken.objects.filter(user=coach).count() == 10
