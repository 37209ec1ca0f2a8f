"""Writes of the accounts app: the TOTP second factor, API tokens, passwords and log-in events,
each with its audit entry."""

from __future__ import annotations

import re
from typing import cast

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from emplus.accounts.models import ApiToken
from emplus.accounts.second_factor import second_factor_required_for
from emplus.core.audit import audit_log, looks_like_personal_id
from emplus.core.typing import User
from emplus.organisations.services import membership_revoke

# At most this many live tokens per user: a forgotten script should not hold dozens.
TOKENS_PER_USER = 10


class TooManyTokens(Exception):
    """The user already holds TOKENS_PER_USER live tokens."""


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The user's unconfirmed TOTP device, created on first use (shown as a QR code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)
    return device


def totp_device_confirmed(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def totp_token_check(*, user: User, token: str) -> bool:
    """Check a code against the user's confirmed device (throttled by django-otp)."""
    device = totp_device_confirmed(user=user)
    return device is not None and device.verify_token(_normalise(token))


def _normalise(token: str) -> str:
    return re.sub(r"\s", "", token or "")


@transaction.atomic
def second_factor_verify(
    *, request: HttpRequest, token: str, confirmed: TOTPDevice | None = None
) -> bool:
    """Check a six-digit code; on success confirm a pending device and mark the session.
    `confirmed`: the user's confirmed device when the caller has just read it (the page does),
    so that a log-in does not read it twice; otherwise it is read here."""
    user = cast("User", request.user)  # signed in: the middleware sends anyone else to log in
    if confirmed is not None and (confirmed.user_id != user.pk or not confirmed.confirmed):
        raise PermissionDenied
    device = confirmed or totp_device_confirmed(user=user) or totp_device_pending(user=user)
    if not device.verify_token(_normalise(token)):
        audit_log(actor=user, action="account.second_factor_failed", target=user)
        return False
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        audit_log(actor=user, action="account.second_factor_enrolled", target=user)
    otp_login(request, device)
    return True


@transaction.atomic
def second_factor_replace_begin(*, user: User, token: str) -> bool:
    """Step 1 of replacing the authenticator: the current one's code. On success a key shown
    earlier but never confirmed is dropped, so that step 2 shows a fresh one."""
    if not totp_token_check(user=user, token=token):
        return False
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    audit_log(actor=user, action="account.second_factor_replace_begun", target=user)
    return True


@transaction.atomic
def second_factor_replace(*, request: HttpRequest, device: TOTPDevice, token: str) -> bool:
    """Confirm a new (pending) device with its first code, replacing the old one."""
    user = cast("User", request.user)  # signed in: the middleware sends anyone else to log in
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied
    if not device.verify_token(_normalise(token)):
        return False
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    audit_log(actor=user, action="account.second_factor_replaced", target=user)
    return True


@transaction.atomic
def api_token_create(
    *, user: User, name: str, second_factor_verified: bool
) -> tuple[ApiToken, str]:
    """Issue an API token to its owner; returns the token and its secret (shown once only)."""
    if second_factor_required_for(user) and not second_factor_verified:
        raise PermissionDenied("A verified second factor is required to create an API token.")
    now = timezone.now()
    live = AuthToken.objects.filter(user=user, expiry__gt=now).count()
    if live >= TOKENS_PER_USER:
        raise TooManyTokens
    auth_token, secret = AuthToken.objects.create(user=user)
    token = ApiToken.objects.create(
        auth_token=auth_token, name=name, second_factor_verified=second_factor_verified
    )
    audit_log(
        actor=user,
        action="api_token.created",
        target=user,
        details={
            "token": api_token_id(auth_token),
            "name": name,
            "expires": auth_token.expiry,
            "second_factor": second_factor_verified,
        },
    )
    return token, secret


def api_token_id(auth_token: AuthToken) -> str:
    """A public name of a token: the start of its stored hash, not of the secret."""
    return auth_token.digest[:16]


@transaction.atomic
def api_token_revoke(*, actor: User, token_id: str) -> None:
    """Revoke one of the actor's own tokens (unknown or another user's: PermissionDenied)."""
    auth_token = (
        AuthToken.objects.filter(user=actor, digest__startswith=token_id).first()
        if len(token_id) == 16
        else None
    )
    if auth_token is None:
        raise PermissionDenied
    auth_token.delete()
    audit_log(actor=actor, action="api_token.revoked", target=actor, details={"token": token_id})


@transaction.atomic
def password_change_record(*, user: User) -> None:
    audit_log(actor=user, action="account.password_changed", target=user)


@transaction.atomic
def password_reset_complete_record(*, user: User) -> None:
    audit_log(actor=user, action="account.password_reset_completed", target=user)


@transaction.atomic
def password_reset_send(*, actor: User, user: User, site_url: str) -> bool:
    """E-mail a one-time password-reset link to the user (who completes it with their second
    factor). Nobody else ever sets a user's password. False when the user has no address."""
    if not user.email or not user.is_active:
        return False
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:password_reset_confirm", args=[uid, token])
    link = f"{site_url.rstrip('/')}{path}"
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string("accounts/password_reset_email.txt", {"user": user, "link": link})
        subject = render_to_string("accounts/password_reset_subject.txt").strip()
    audit_log(actor=actor, action="account.password_reset_sent", target=user)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return True


def login_succeeded_record(*, user: User, address: str | None) -> None:
    audit_log(
        actor=user, action="account.logged_in", target=user, details={"address": address or ""}
    )


def login_failed_record(*, username: str, address: str | None) -> None:
    audit_log(
        actor=None,
        action="account.login_failed",
        details={"username": _safe_username(username), "address": address or ""},
    )


def logout_record(*, user: User) -> None:
    audit_log(actor=user, action="account.logged_out", target=user)


def _safe_username(username: str) -> str:
    # Whatever was typed in the user-name field: short, and never an identity number (people do
    # type those into log-in forms).
    value = (username or "")[:150]
    return "[withheld]" if looks_like_personal_id(value) else value


# Fields of a user whose change is recorded; the password never is (nobody else sets it).
ACCOUNT_FIELDS = [
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "is_staff",
    "is_superuser",
]


@transaction.atomic
def account_create(
    *, actor: User, username: str, first_name: str, last_name: str, email: str
) -> User:
    """A new user without a usable password: they choose it through a reset link."""
    from django.contrib.auth import get_user_model

    user = get_user_model()(
        username=username, first_name=first_name, last_name=last_name, email=email
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit_log(actor=actor, action="account.created", target=user, details={"username": username})
    return user


@transaction.atomic
def account_change(
    *, actor: User, user: User, changed: list[str], groups_or_permissions: bool = False
) -> User:
    """Save an edited user and record which fields changed (escalation fields by name)."""
    if (user.is_superuser or user.is_staff) and not actor.is_superuser:
        before = type(user).objects.filter(pk=user.pk).values("is_superuser", "is_staff").first()
        if before and (
            before["is_superuser"] != user.is_superuser or before["is_staff"] != user.is_staff
        ):
            raise PermissionDenied("Only superusers change is_superuser or is_staff.")
    user.save()
    fields = sorted(f for f in changed if f in ACCOUNT_FIELDS)
    if groups_or_permissions:
        fields.append("groups_or_permissions")
    if fields:
        audit_log(
            actor=actor,
            action="account.changed",
            target=user,
            details={"fields": fields, "is_superuser": user.is_superuser},
        )
    return user


@transaction.atomic
def account_delete(*, actor: User, user: User) -> None:
    for membership in user.memberships.select_related("organisation"):
        membership_revoke(membership=membership, actor=actor)
    audit_log(
        actor=actor,
        action="account.deleted",
        target=user,
        details={"username": user.get_username()},
    )
    user.delete()
