"""Middleware of the platform: the chosen language, responses never stored by caches, and the
Content Security Policy's header built once.

Swedish first: the language is the user's explicit choice (cookie), else Swedish.

Django's LocaleMiddleware would follow the browser's Accept-Language and show English to
most office laptops; the partnership works in Swedish, so only the language switch changes it.
"""

from __future__ import annotations

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class NoStoreMiddleware:
    """Every response the application itself produces says `Cache-Control: no-store`.

    Pages, exports and API responses carry personal data; neither the browser's cache, a shared
    computer's back button nor a proxy may keep them. The rule has no exceptions by view: a page
    without personal data loses little by not being cached, and a list of exceptions is where
    personal data slips through. Static files never reach this middleware (WhiteNoise answers
    them first, with its own long-lived caching headers)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = settings.STATIC_URL or "/static/"

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(self.static_prefix):
            add_never_cache_headers(response)  # no-store, no-cache, private, max-age=0
        return response


# The policy's header as django-csp builds it from the settings; built again when they change.
_POLICY: dict[str, str] = {}
_PER_RESPONSE = tuple(
    f"_csp_{name}{ro}" for name in ("config", "update", "replace", "exempt") for ro in ("", "_ro")
)


def _forget_policy(*, setting: str, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _POLICY.clear()


setting_changed.connect(_forget_policy)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the header built once: it built the policy from the
    settings twice for every response (the policy and the report-only one), some 0.1 ms. The
    header is the same for every response the platform makes: no view changes the policy and no
    page uses a nonce. A response that does, or a report-only policy, takes django-csp's way."""

    def process_response(self, request, response):
        if (
            getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in _PER_RESPONSE)
            or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or (response.status_code in (404, 500) and settings.DEBUG)
        ):
            return super().process_response(request, response)
        policy = _POLICY.get(HEADER)
        if policy is None:
            policy = _POLICY[HEADER] = build_policy()
        configured = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
        excluded = tuple(configured.get("EXCLUDE_URL_PREFIXES", None) or ())
        if policy and HEADER not in response and not request.path_info.startswith(excluded):
            response[HEADER] = policy
        # As django-csp: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
