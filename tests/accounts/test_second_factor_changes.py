"""Password change, password reset and a new authenticator all ask for the current second
factor; log-ins, failures and enrolments are audited."""

from __future__ import annotations

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.conftest import PASSWORD

from emplus.accounts.services import second_factor_replace_begin
from emplus.core.audit import audit_verify
from emplus.core.models import AuditEvent

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "another-long-pass-77"


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def device(coach):
    return TOTPDevice.objects.create(user=coach, name="phone", confirmed=True)


def test_password_change_asks_for_the_second_factor(client, coach, device):
    client.force_login(coach)
    form = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    # without the code
    response = client.post(reverse("accounts:password_change"), form)
    assert response.status_code == 200 and "otp_token" in response.context["form"].errors
    # with a wrong code
    response = client.post(reverse("accounts:password_change"), form | {"otp_token": "000000"})
    assert response.status_code == 200
    coach.refresh_from_db()
    assert coach.check_password(PASSWORD)
    device.refresh_from_db()
    device.throttle_reset()
    # with the right code
    response = client.post(reverse("accounts:password_change"), form | {"otp_token": _code(device)})
    assert response.status_code == 302
    coach.refresh_from_db()
    assert coach.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="account.password_changed").count() == 1


def test_password_change_needs_a_second_factor_set_up_first_where_required(client, coach, settings):
    settings.EMPLUS_REQUIRE_2FA = True
    client.force_login(coach)
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor"))


def _reset_url(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("accounts:password_reset_confirm", args=[uid, token])


def _follow_reset_link(client, user):
    # Django moves the token from the address into the session, then redirects.
    response = client.get(_reset_url(user))
    assert response.status_code == 302
    return response["Location"]


def test_a_reset_link_needs_the_second_factor_of_the_user(client, coach, device):
    # given: the link an administrator sent
    url = _follow_reset_link(client, coach)
    form = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    # when: someone holding only the link tries
    response = client.post(url, form | {"otp_token": "123456"})
    # then
    assert response.status_code == 200
    coach.refresh_from_db()
    assert coach.check_password(PASSWORD)
    device.refresh_from_db()
    device.throttle_reset()
    # and with the user's code it works, once
    response = client.post(url, form | {"otp_token": _code(device)})
    assert response.status_code == 302
    coach.refresh_from_db()
    assert coach.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="account.password_reset_completed").exists()
    assert client.get(url).context["validlink"] is False


def test_a_new_authenticator_needs_a_code_of_the_current_one(client, coach, device):
    client.force_login(coach)
    url = reverse("accounts:two_factor_replace")
    # step 1: a wrong current code does not open step 2
    assert client.post(url, {"token": "000000"}).context["step"] == 1
    device.refresh_from_db()
    device.throttle_reset()
    assert client.post(url, {"token": _code(device)}).status_code == 302
    # step 2: a new key is shown; the old device still works until the new one is confirmed
    page = client.get(url)
    assert page.context["step"] == 2 and "<svg" in page.content.decode()
    new = TOTPDevice.objects.get(user=coach, confirmed=False)
    assert client.post(url, {"token": _code(new)}).status_code == 302
    # then
    assert list(TOTPDevice.objects.filter(user=coach).values_list("pk", flat=True)) == [new.pk]
    assert TOTPDevice.objects.get(pk=new.pk).confirmed
    assert AuditEvent.objects.filter(action="account.second_factor_replaced").exists()


def test_without_the_current_code_no_new_key_is_shown(client, coach, device):
    client.force_login(coach)
    page = client.get(reverse("accounts:two_factor_replace"))
    assert page.context["step"] == 1
    assert "<svg" not in page.content.decode()
    assert not TOTPDevice.objects.filter(user=coach, confirmed=False).exists()


def test_log_ins_failures_and_enrolment_are_audited(client, coach, settings):
    settings.EMPLUS_REQUIRE_2FA = True
    # a failure, with the address and the typed user name
    client.post(
        reverse("accounts:login"),
        {"username": "coach-a", "password": "wrong"},
        REMOTE_ADDR="192.0.2.7",
    )
    failed = AuditEvent.objects.get(action="account.login_failed")
    assert failed.details == {"username": "coach-a", "address": "192.0.2.7"}
    assert failed.actor_id is None
    # a success
    client.post(reverse("accounts:login"), {"username": "coach-a", "password": PASSWORD})
    assert AuditEvent.objects.get(action="account.logged_in").actor_id == coach.pk
    # enrolment of the second factor
    client.get(reverse("accounts:two_factor"))
    pending = TOTPDevice.objects.get(user=coach, confirmed=False)
    client.post(reverse("accounts:two_factor"), {"token": _code(pending)})
    assert AuditEvent.objects.filter(action="account.second_factor_enrolled").count() == 1
    assert audit_verify() == []


def test_an_identity_number_typed_as_user_name_is_not_written_to_the_log(client, db):
    client.post(reverse("accounts:login"), {"username": "19900101-1234", "password": "x"})
    assert AuditEvent.objects.get(action="account.login_failed").details["username"] == (
        "[withheld]"
    )


def test_beginning_a_replacement_drops_a_stale_key_with_its_audit_event(coach, device):
    # given a key shown earlier and never confirmed
    stale = TOTPDevice.objects.create(user=coach, name="TOTP", confirmed=False)
    # when the audit write fails, the stale key stays (one transaction)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AuditEvent, "save", lambda *a, **k: (_ for _ in ()).throw(RuntimeError))
        with pytest.raises(RuntimeError):
            second_factor_replace_begin(user=coach, token=_code(device))
    assert TOTPDevice.objects.filter(pk=stale.pk).exists()
    # when it succeeds (the next time step: a code is accepted once)
    device.refresh_from_db()
    device.last_t = -1
    device.save()
    device.throttle_reset()
    assert second_factor_replace_begin(user=coach, token=_code(device))
    # then
    assert not TOTPDevice.objects.filter(pk=stale.pk).exists()
    assert AuditEvent.objects.filter(action="account.second_factor_replace_begun").count() == 1


def test_a_wrong_code_begins_no_replacement(coach, device):
    stale = TOTPDevice.objects.create(user=coach, name="TOTP", confirmed=False)
    assert not second_factor_replace_begin(user=coach, token="000000")
    assert TOTPDevice.objects.filter(pk=stale.pk).exists()
    assert not AuditEvent.objects.filter(action="account.second_factor_replace_begun").exists()
