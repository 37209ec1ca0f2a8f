"""The guide's links on every page: from the heading to the page's help section ("Hjälp om den
här sidan"), and from the header to the guide."""

from __future__ import annotations

from django import template
from django.urls import reverse

from emplus.core.reversing import fixed_address
from emplus.help.sections import section_of

register = template.Library()


@register.inclusion_tag("help/_page_link.html", takes_context=True)
def help_link(context) -> dict:
    """The help section of the page being rendered, found from its resolved URL name; nothing
    for a page without one, or before log-in unless the section is public."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    section = section_of(match.view_name if match else None)
    if section is None:
        return {"url": None}
    if section.public:
        return {"url": fixed_address("help:login")}  # the one public section
    if not request.user.is_authenticated:
        return {"url": None}
    return {"url": reverse("help:section", args=[section.slug])}


@register.inclusion_tag("help/_guide_link.html")
def help_guide_link() -> dict:
    """The header's link to the guide's index (its string lives in the help catalogue)."""
    return {"url": fixed_address("help:index")}
