"""Middleware of the platform: the chosen language, and responses never stored by caches.

Swedish first: the language is the user's explicit choice (cookie), else Swedish.

Django's LocaleMiddleware would follow the browser's Accept-Language and show English to
most office laptops; the partnership works in Swedish, so only the language switch changes it.
"""

from __future__ import annotations

from django.conf import settings
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
