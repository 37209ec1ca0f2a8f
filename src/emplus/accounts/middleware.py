"""The second factor: which authenticator verified the session, and a verified one required
from users whose roles see personal data."""

from __future__ import annotations

from functools import partial

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware
from django_otp.plugins.otp_totp.models import TOTPDevice

from emplus.accounts.second_factor import second_factor_required_for, session_is_verified

# Paths a user must reach before the second factor is verified.
EXEMPT_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz")


def needs_second_factor(user) -> bool:
    return second_factor_required_for(user) and not session_is_verified(user)


def second_factor_page_first(path: str) -> bool:
    """Whether an unverified user who must prove the second factor is sent to its page before
    `path` (an API path is refused instead; the exempt paths are reached without it)."""
    return not path.startswith(EXEMPT_PREFIXES) and not path.startswith("/api/")


def second_factor_url(next_url: str) -> str:
    """The second factor's page, going on to `next_url` once the code is given."""
    return f"{reverse('accounts:two_factor')}?{urlencode({'next': next_url})}"


TOTP_PREFIX = f"{TOTPDevice.model_label()}/"


class SecondFactorMiddleware(OTPMiddleware):
    """django_otp's middleware (`user.otp_device`, `user.is_verified()`), without its query of
    the device: a TOTP device named by the session counts when it is among the user's confirmed
    devices, read with the user (accounts.backends.AccountBackend); the device itself is read
    only if something uses it. Other sessions (another backend, another kind of device) take
    the library's way."""

    def _verify_user_sync(self, request, user):
        confirmed = getattr(user, "emplus_confirmed_totp", None)
        persistent_id = (
            request.session.get(DEVICE_ID_SESSION_KEY) if confirmed is not None else None
        )
        if not persistent_id or not persistent_id.startswith(TOTP_PREFIX):
            return super()._verify_user_sync(request, user)
        self._init_user_fields(user)
        device_id = persistent_id.removeprefix(TOTP_PREFIX)
        if device_id.isdecimal() and int(device_id) in confirmed:
            user.otp_device = SimpleLazyObject(partial(TOTPDevice.objects.get, pk=int(device_id)))
        else:  # unconfirmed, replaced or another user's: as the library, forget it
            del request.session[DEVICE_ID_SESSION_KEY]
        return user


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(EXEMPT_PREFIXES) and needs_second_factor(request.user):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "A verified second factor is required."}, status=403)
            return redirect(second_factor_url(request.get_full_path()))
        return self.get_response(request)
