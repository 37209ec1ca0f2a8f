"""Small helpers the self-service pages share."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

# Recent links' tokens, by link id, kept in the creator's session only: the database has the
# hash, and the token is shown again only in the session that created it.
SESSION_TOKENS = "selfservice_tokens"
SESSION_TOKENS_KEPT = 20


def month_from_slug(slug: str) -> date:
    """'2026-03' -> date(2026, 3, 1); anything else is not a page."""
    try:
        year, month = (int(part) for part in slug.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise Http404 from None


def month_slug(month: date) -> str:
    return month.strftime("%Y-%m")


def apply_errors(form, error: ValidationError) -> None:
    """Put a service's validation errors next to the matching fields (else at the top)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            field = name if name in form.fields else None
            for item in errors:
                form.add_error(field, item.messages[0] if hasattr(item, "messages") else item)
    else:
        for message in error.messages:
            form.add_error(None, message)


def remember_token(session, link_id, token: str) -> None:
    tokens = dict(session.get(SESSION_TOKENS, {}))
    tokens[str(link_id)] = token
    session[SESSION_TOKENS] = dict(list(tokens.items())[-SESSION_TOKENS_KEPT:])


def remembered_token(session, link_id) -> str | None:
    return session.get(SESSION_TOKENS, {}).get(str(link_id))


def public_url(request, token: str) -> str:
    """The address the participant opens (absolute, for the QR code)."""
    return request.build_absolute_uri(reverse("selfservice_public:link", args=[token]))
