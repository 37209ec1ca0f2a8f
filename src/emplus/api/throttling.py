"""API rate limits: an overall rate per user, and scoped rates that views name in
`throttle_scope` ("list", "search", "export", "estimate"); rates in settings.API_THROTTLE_RATES."""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle

from emplus.core.client_address import client_address


class _SettingsRates:
    # DRF binds THROTTLE_RATES when the class is defined; read them when used instead, so that
    # a changed setting (tests, EMPLUS_API_RATES) takes effect.
    @property
    def THROTTLE_RATES(self):  # noqa: N802 - DRF's attribute name
        return api_settings.DEFAULT_THROTTLE_RATES

    def get_ident(self, request) -> str:
        # The same client address as the log-in throttling, behind the same trusted proxies.
        return client_address(request) or ""


class UserThrottle(_SettingsRates, UserRateThrottle):
    """Every API request of a user (or, for the few public endpoints, an address)."""


class ScopedThrottle(_SettingsRates, ScopedRateThrottle):
    """Requests to views of one scope, per user."""
