"""Log-in, throttling, and the TOTP second factor for roles that see personal data."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, username, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_log_in_and_out(client, coach):
    response = _login(client, "coach-a")
    assert response.status_code == 302 and response["Location"] == reverse("home:home")
    assert client.get(reverse("organisations:list")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("organisations:list")).status_code == 302


def test_wrong_password_shows_the_form_again(client, coach):
    response = _login(client, "coach-a", "wrong-password")
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()


def test_repeated_failures_lock_the_user_name(client, coach, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "coach-a", "wrong-password")
    # even the right password is refused while locked
    response = _login(client, "coach-a")
    assert response.status_code == 429
    assert client.get(reverse("organisations:list")).status_code == 302


def test_password_change(client, coach):
    client.force_login(coach)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-pass-77",
            "new_password2": "another-long-pass-77",
        },
    )
    assert response.status_code == 302
    coach.refresh_from_db()
    assert coach.check_password("another-long-pass-77")


@pytest.fixture
def second_factor_required(settings):
    settings.EMPLUS_REQUIRE_2FA = True


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_without_second_factor_pages_redirect_to_setup(client, coach, second_factor_required):
    _login(client, "coach-a")
    response = client.get(reverse("organisations:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor"))
    api = APIClient()
    api.force_login(coach)
    assert api.get("/api/organisations/").status_code == 403


def test_setting_up_totp_then_verifying_opens_the_platform(client, coach, second_factor_required):
    _login(client, "coach-a")
    page = client.get(reverse("accounts:two_factor"))
    assert "<svg" in page.content.decode()  # the QR code
    device = TOTPDevice.objects.get(user=coach, confirmed=False)
    # a wrong code is refused
    assert client.post(reverse("accounts:two_factor"), {"token": "000000"}).status_code == 200
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # wrong codes slow further attempts down
    device.throttle_reset()
    # the right code confirms the device and verifies the session
    response = client.post(
        reverse("accounts:two_factor"), {"token": _code(device), "next": "/organisations/"}
    )
    assert response.status_code == 302 and response["Location"] == "/organisations/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("organisations:list")).status_code == 200


def test_next_log_in_asks_for_the_code_of_the_confirmed_device(
    client, coach, second_factor_required
):
    device = TOTPDevice.objects.create(user=coach, name="phone", confirmed=True)
    _login(client, "coach-a")
    page = client.get(reverse("accounts:two_factor")).content.decode()
    assert "<svg" not in page  # no new key is shown to someone who only knows the password
    assert client.post(reverse("accounts:two_factor"), {"token": _code(device)}).status_code == 302
    assert client.get(reverse("organisations:list")).status_code == 200


def test_open_redirect_after_verification_is_refused(client, coach, second_factor_required):
    _login(client, "coach-a")
    client.get(reverse("accounts:two_factor"))
    device = TOTPDevice.objects.get(user=coach)
    response = client.post(
        reverse("accounts:two_factor"), {"token": _code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home:home")


def test_demo_notice_shows_when_second_factor_is_relaxed(client, coach, settings):
    settings.EMPLUS_REQUIRE_2FA = False
    client.force_login(coach)
    assert 'role="note"' in client.get("/").content.decode()
    settings.EMPLUS_REQUIRE_2FA = True
    assert 'role="note"' not in client.get(reverse("accounts:two_factor")).content.decode()


@pytest.mark.parametrize(
    ("next_url", "location"),
    [
        (None, "/accounts/two-factor/?next=%2F"),
        ("/organisations/?page=2", "/accounts/two-factor/?next=%2Forganisations%2F%3Fpage%3D2"),
        # reached without the second factor (the middleware's exempt paths): not sent to it
        ("/accounts/tokens/", "/accounts/tokens/"),
        # the API refuses an unverified session rather than redirecting
        ("/api/organisations/", "/api/organisations/"),
    ],
)
def test_log_in_goes_straight_to_the_second_factor_where_the_next_page_would_send_the_user(
    client, coach, second_factor_required, next_url, location
):
    # given a coach (second factor required) with a confirmed device
    device = TOTPDevice.objects.create(user=coach, name="phone", confirmed=True)
    # when they log in (going on to next_url)
    data = {"username": "coach-a", "password": PASSWORD}
    url = reverse("accounts:login") + (f"?next={next_url}" if next_url else "")
    response = client.post(url, data)
    # then they go where the middleware would have sent them, without the extra request
    assert response.status_code == 302 and response["Location"] == location
    if location.startswith(reverse("accounts:two_factor")):
        response = client.post(location, {"token": _code(device)})
        assert response["Location"] == (next_url or reverse("home:home"))


def test_log_in_goes_home_when_no_second_factor_is_required(client, coach, settings):
    settings.EMPLUS_REQUIRE_2FA = False
    response = _login(client, "coach-a")
    assert response.status_code == 302 and response["Location"] == reverse("home:home")


def test_the_code_is_checked_against_the_device_read_once(client, coach, second_factor_required):
    # given a coach who has given the password
    device = TOTPDevice.objects.create(user=coach, name="phone", confirmed=True)
    _login(client, "coach-a")
    # when they give the code
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("accounts:two_factor"), {"token": _code(device)})
    # then the session is verified, the device having been read once (the page and the check)
    assert response.status_code == 302
    device_reads = [
        q["sql"]
        for q in queries
        # the user's own read names its confirmed devices' ids too (decision 0061): not counted
        if q["sql"].startswith('SELECT "otp_totp_totpdevice".')
    ]
    assert len(device_reads) == 1
    assert client.get(reverse("organisations:list")).status_code == 200
