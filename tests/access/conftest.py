"""The access matrix's partnership, built once per test module inside a transaction that is
rolled back at the end of the module; each test runs in a savepoint inside it."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.db import transaction
from django.test.utils import override_settings

from tests.access import scenario as scenario_module

# Production-like: the second factor is required (every persona's session is verified) and the
# API rate limits are high enough that walking every route is never throttled.
MATRIX_SETTINGS = {
    "EMPLUS_REQUIRE_2FA": True,
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "CACHES": {
        alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": alias}
        for alias in ("default", "kept")
    },
}


@pytest.fixture(scope="module")
def scenario(django_db_setup, django_db_blocker):
    from django.conf import settings

    rates = dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "100000/minute")
    overrides = override_settings(
        **MATRIX_SETTINGS,
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates},
    )
    overrides.enable()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = scenario_module.build()
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            overrides.disable()


@pytest.fixture
def matrix(scenario, db):
    """The scenario, inside this test's savepoint, with empty caches (rate limits, kept
    reports)."""
    for alias in ("default", "kept"):
        caches[alias].clear()
    return scenario
