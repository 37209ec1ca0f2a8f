"""API rate limits: an overall rate per user ("user"), and scoped rates that views name in
`throttle_scope` ("list", "search", "export", "estimate"); rates in settings.API_THROTTLE_RATES.

Both are counted as DRF's `UserRateThrottle` and `ScopedRateThrottle` count them (the times of
the requests allowed within each rate's period, newest first), but in ONE cache entry per
client: one read and one write a request instead of two of each (decision 0072)."""

from __future__ import annotations

import time

from django.core.cache import cache as default_cache
from django.core.exceptions import ImproperlyConfigured
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from emplus.core.client_address import client_address

OVERALL = "user"
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """(requests, seconds) of a rate such as "600/minute" (DRF's format); None: no limit."""
    if rate is None:
        return None
    number, period = rate.split("/")
    return int(number), _PERIODS[period[0]]


class RateThrottle(BaseThrottle):
    """The overall rate and the view's scope's rate of one client (the user, or for the few
    public endpoints the address), both in the cache entry `throttle_rates_<client>`: scope ->
    times of its allowed requests. A request refused by one rate is not counted by it, and is
    still counted by the other if that one allows it, as with DRF's two throttles."""

    cache = default_cache
    timer = time.time
    scope_attr = "throttle_scope"

    def get_ident(self, request) -> str:
        # The same client address as the log-in throttling, behind the same trusted proxies.
        return client_address(request) or ""

    def allow_request(self, request, view) -> bool:
        self.waits: list[float | None] = []
        # Read when used, not when the class is defined: a changed setting (tests,
        # EMPLUS_API_RATES) takes effect.
        rates = api_settings.DEFAULT_THROTTLE_RATES
        scopes = [OVERALL]
        scope = getattr(view, self.scope_attr, None)
        if scope and scope != OVERALL:
            scopes.append(scope)
        missing = [name for name in scopes if name not in rates]
        if missing:
            raise ImproperlyConfigured(f"No default throttle rate set for '{missing[0]}' scope")
        limits = {name: limit for name in scopes if (limit := parse_rate(rates[name]))}
        if not limits:
            return True
        user = getattr(request, "user", None)
        client = user.pk if user is not None and user.is_authenticated else self.get_ident(request)
        key = f"throttle_rates_{client}"
        now = self.timer()
        entry: dict[str, list[float]] = {}
        periods: dict[str, int] = {}
        # Every scope's times past its period are dropped, not only this request's scopes'.
        for name, history in (self.cache.get(key) or {}).items():
            limit = limits.get(name) or parse_rate(rates.get(name))
            if limit is None:
                continue
            while history and history[-1] <= now - limit[1]:
                history.pop()
            if history:
                entry[name], periods[name] = history, limit[1]
        for name, (number, period) in limits.items():
            history = entry.setdefault(name, [])
            periods[name] = period
            if len(history) >= number:
                self.waits.append(self._wait(history, now, number, period))
            else:
                history.insert(0, now)
        self.cache.set(key, entry, max(periods.values()))
        return not self.waits

    @staticmethod
    def _wait(history: list[float], now: float, number: int, period: int) -> float | None:
        # DRF's SimpleRateThrottle.wait(): the seconds until a request would be allowed.
        remaining = period - (now - history[-1]) if history else period
        available = number - len(history) + 1
        return remaining / float(available) if available > 0 else None

    def wait(self) -> float | None:
        known = [seconds for seconds in self.waits if seconds is not None]
        return max(known, default=None)
