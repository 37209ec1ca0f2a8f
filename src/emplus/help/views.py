"""The guide's pages: the index per role and one section per page family."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language

from emplus.core.permissions import authenticated
from emplus.help.screenshots import screenshot_of
from emplus.help.search import help_search
from emplus.help.sections import SECTION_BY_SLUG, Section, template_of
from emplus.help.selectors import help_index

QUERY_MAX = 100


@authenticated
def index(request):
    query = request.GET.get("q", "").strip()[:QUERY_MAX]
    context = help_index(viewer=request.user)
    context.update(q=query, results=help_search(query=query, language=get_language() or "sv"))
    return render(request, "help/index.html", context)


@authenticated
def section(request, slug: str):
    found = SECTION_BY_SLUG.get(slug)
    if found is None:
        raise Http404
    return _render_section(request, found)


@login_not_required
def login_help(request):
    """The log-in page's help: readable before log-in, like the page it explains."""
    return _render_section(request, SECTION_BY_SLUG["login"])


def _render_section(request, found: Section):
    context = {
        "section": found,
        "body": template_of(found, get_language() or "sv"),
        "screenshot": screenshot_of(found),
        "related": [SECTION_BY_SLUG[slug] for slug in found.related],
    }
    return render(request, "help/section.html", context)
