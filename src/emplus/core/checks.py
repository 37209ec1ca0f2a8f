"""System checks that make production settings fail closed: no second factor, no log-in or API
throttling, or no audit key is an error (every management command and the server stop)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register

SECOND_FACTOR_MIDDLEWARE = [
    "emplus.accounts.middleware.SecondFactorMiddleware",
    "emplus.accounts.middleware.TwoFactorRequiredMiddleware",
]
TOKEN_AUTHENTICATION = "emplus.accounts.tokens.SecondFactorTokenAuthentication"  # noqa: S105
THROTTLES = ["emplus.api.throttling.RateThrottle"]
THROTTLE_SCOPES = ["user", "list", "search", "export", "estimate"]
AUDIT_KEY_MIN_LENGTH = 32


@register("security")
def production_fails_closed(app_configs=None, **kwargs) -> list[Error]:
    if not getattr(settings, "PRODUCTION", False):
        return []
    errors: list[Error] = []

    def error(check_id: str, msg: str, hint: str) -> None:
        errors.append(Error(msg, hint=hint, id=f"emplus.{check_id}"))

    if not settings.EMPLUS_REQUIRE_2FA:
        error(
            "E001",
            "The second factor is switched off in production (EMPLUS_REQUIRE_2FA).",
            "Unset EMPLUS_REQUIRE_2FA or set it to true.",
        )
    missing = [m for m in SECOND_FACTOR_MIDDLEWARE if m not in settings.MIDDLEWARE]
    if missing:
        error("E002", f"Second-factor middleware missing: {', '.join(missing)}.", "Restore it.")
    axes_in_place = (
        "axes.middleware.AxesMiddleware" in settings.MIDDLEWARE
        and "axes.backends.AxesStandaloneBackend" in settings.AUTHENTICATION_BACKENDS
    )
    if not getattr(settings, "AXES_ENABLED", False) or not axes_in_place:
        error(
            "E003",
            "Log-in throttling (django-axes) is switched off in production.",
            "Unset EMPLUS_LOGIN_THROTTLING or set it to true.",
        )
    rest = settings.REST_FRAMEWORK
    rates = rest.get("DEFAULT_THROTTLE_RATES") or {}
    if any(t not in rest.get("DEFAULT_THROTTLE_CLASSES", []) for t in THROTTLES) or any(
        not rates.get(scope) for scope in THROTTLE_SCOPES
    ):
        error(
            "E004",
            "API rate limits are switched off or incomplete in production.",
            "Unset EMPLUS_API_THROTTLING and give every scope of API_THROTTLE_RATES a rate.",
        )
    keys = getattr(settings, "EMPLUS_AUDIT_KEYS", [])
    if not keys or len(keys[0]) < AUDIT_KEY_MIN_LENGTH:
        error(
            "E005",
            "The audit key is missing or shorter than 32 characters (EMPLUS_AUDIT_KEY).",
            'Generate one with: python -c "import secrets; print(secrets.token_urlsafe(32))"',
        )
    authentication = rest.get("DEFAULT_AUTHENTICATION_CLASSES", [])
    if any("TokenAuthentication" in c and c != TOKEN_AUTHENTICATION for c in authentication):
        error(
            "E006",
            "An API token authentication that ignores the second factor is enabled.",
            f"Use only {TOKEN_AUTHENTICATION} for tokens.",
        )
    knox = getattr(settings, "REST_KNOX", {})
    if knox.get("TOKEN_TTL") is None or knox.get("AUTO_REFRESH"):
        error(
            "E007",
            "API tokens never expire, or renew themselves, in production.",
            "Set EMPLUS_API_TOKEN_HOURS and leave AUTO_REFRESH off.",
        )
    return errors
