"""Production settings fail closed: switching off the second factor, log-in or API throttling,
or leaving out the audit key is a system-check error."""

from __future__ import annotations

import pytest

from emplus.core.checks import production_fails_closed


@pytest.fixture
def production(settings):
    settings.PRODUCTION = True
    settings.EMPLUS_REQUIRE_2FA = True
    settings.EMPLUS_AUDIT_KEYS = ["k" * 43]
    return settings


def _ids(errors) -> set[str]:
    return {e.id for e in errors}


def test_the_production_settings_pass(production):
    assert production_fails_closed() == []


def test_outside_production_nothing_is_required(settings):
    settings.PRODUCTION = False
    settings.EMPLUS_REQUIRE_2FA = False
    settings.AXES_ENABLED = False
    assert production_fails_closed() == []


def test_second_factor_switched_off(production):
    production.EMPLUS_REQUIRE_2FA = False
    errors = production_fails_closed()
    assert _ids(errors) == {"emplus.E001"}
    assert errors[0].is_serious()


def test_second_factor_middleware_removed(production):
    production.MIDDLEWARE = [
        m for m in production.MIDDLEWARE if m != "emplus.accounts.middleware.SecondFactorMiddleware"
    ]
    assert _ids(production_fails_closed()) == {"emplus.E002"}


def test_login_throttling_switched_off(production):
    production.AXES_ENABLED = False
    assert _ids(production_fails_closed()) == {"emplus.E003"}


def test_api_throttling_switched_off(production):
    production.REST_FRAMEWORK = production.REST_FRAMEWORK | {"DEFAULT_THROTTLE_CLASSES": []}
    assert _ids(production_fails_closed()) == {"emplus.E004"}


def test_a_scope_without_a_rate(production):
    rates = dict(production.API_THROTTLE_RATES)
    del rates["export"]
    production.REST_FRAMEWORK = production.REST_FRAMEWORK | {"DEFAULT_THROTTLE_RATES": rates}
    assert _ids(production_fails_closed()) == {"emplus.E004"}


@pytest.mark.parametrize("keys", [[], ["too-short"]])
def test_audit_key_missing_or_weak(production, keys):
    production.EMPLUS_AUDIT_KEYS = keys
    assert _ids(production_fails_closed()) == {"emplus.E005"}


def test_plain_token_authentication(production):
    classes = [
        *production.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"],
        "rest_framework.authentication.TokenAuthentication",
    ]
    production.REST_FRAMEWORK = production.REST_FRAMEWORK | {
        "DEFAULT_AUTHENTICATION_CLASSES": classes
    }
    assert _ids(production_fails_closed()) == {"emplus.E006"}


def test_tokens_that_never_expire(production):
    production.REST_KNOX = production.REST_KNOX | {"TOKEN_TTL": None}
    assert _ids(production_fails_closed()) == {"emplus.E007"}
