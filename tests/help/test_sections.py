"""The guide follows the pages: every page of the URL configuration has a help section, in
Swedish and English, and the heading of every page links to it (docs/help.md)."""

from __future__ import annotations

from pathlib import Path

from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import get_resolver

from emplus.help.screenshots import DIRECTORY, screenshot_file
from emplus.help.sections import (
    LANGUAGES,
    NOT_PAGES,
    SECTION_BY_SLUG,
    SECTIONS,
    template_of,
)
from tests.access.routes import _walk as walk_urls

SKIPPED_NAMESPACES = ("api", "admin")
SECTIONS_DIR = Path("src/emplus/help/templates/help/sections")
HOW_TO_ADD = """\
{count} page(s) without a help section:
{pages}
For each: add its URL name to `pages` of the section that explains it in
src/emplus/help/sections.py (or add a Section(...) there, with `roles` and a `shot` for its
screenshot), and write the section's text in BOTH
  {dir}/<slug>.sv.html  (Swedish)
  {dir}/<slug>.en.html  (English)
If the route is not a page a person reads (POST only, a file download, a redirect), add it
to NOT_PAGES in src/emplus/help/sections.py with its kind instead. See docs/help.md."""


def _named_routes():
    """(name, pattern, callback) of every named route: the access matrix's walk."""
    for pattern, name, url_pattern in walk_urls(get_resolver().url_patterns):
        if name:
            yield name, "/" + pattern, url_pattern.callback


def pages() -> dict[str, str]:
    """URL name -> pattern of every page: named routes outside api/admin, minus NOT_PAGES."""
    found = {}
    for name, pattern, callback in _named_routes():
        if name.split(":")[0] in SKIPPED_NAMESPACES or name in NOT_PAGES:
            continue
        found.setdefault(name, f"{pattern}  (view {callback.__module__}.{callback.__name__})")
    return found


def test_every_page_has_a_help_section():
    mapped = {page for section in SECTIONS for page in section.pages}
    missing = {name: where for name, where in pages().items() if name not in mapped}
    lines = "\n".join(f"  {name:45} {where}" for name, where in sorted(missing.items()))
    assert not missing, HOW_TO_ADD.format(count=len(missing), pages=lines, dir=SECTIONS_DIR)


def test_every_section_has_its_text_in_swedish_and_english():
    missing = []
    for section in SECTIONS:
        for language in LANGUAGES:
            try:
                get_template(template_of(section, language))
            except TemplateDoesNotExist:
                missing.append(f"{SECTIONS_DIR}/{section.slug}.{language}.html")
    assert missing == [], "write the help text of these sections:\n  " + "\n  ".join(missing)


def test_no_stale_names_and_each_page_in_one_section():
    routes = {name for name, _, _ in _named_routes()}
    listed = [page for section in SECTIONS for page in section.pages]
    assert sorted(p for p in listed if p not in routes) == [], "sections name routes that are gone"
    assert sorted(p for p in NOT_PAGES if p not in routes) == [], (
        "NOT_PAGES names routes that are gone"
    )
    assert len(listed) == len(set(listed)), "a page is in more than one section"
    assert not set(listed) & set(NOT_PAGES), "a route is both a page and in NOT_PAGES"


def test_sections_are_consistent():
    assert len(SECTION_BY_SLUG) == len(SECTIONS), "two sections share a slug"
    for section in SECTIONS:
        assert section.roles, f"{section.slug}: which roles' index lists it?"
        assert all(slug in SECTION_BY_SLUG for slug in section.related), section.slug
    assert [s.slug for s in SECTIONS if s.public] == ["login"], "only the log-in help is public"


def test_no_orphan_section_templates():
    names = {f"{s.slug}.{language}.html" for s in SECTIONS for language in LANGUAGES}
    on_disk = {p.name for p in SECTIONS_DIR.glob("*.html")}
    assert sorted(on_disk - names) == [], "section templates no section names"


SCREENSHOT_MAX_BYTES = 200_000


def test_every_section_has_its_screenshot_of_modest_size():
    missing = [s.slug for s in SECTIONS if s.shot and not screenshot_file(s).exists()]
    assert missing == [], (
        f"no screenshot for the sections {missing}: run scripts/help-screenshots (the browser "
        f"test tests/browser/test_help.py, from the demo) and commit {DIRECTORY}/*.png"
    )
    large = [p.name for p in DIRECTORY.glob("*.png") if p.stat().st_size > SCREENSHOT_MAX_BYTES]
    assert large == [], f"screenshots over {SCREENSHOT_MAX_BYTES} bytes: {large}"
    shots = {f"{s.slug}.png" for s in SECTIONS if s.shot}
    assert sorted(p.name for p in DIRECTORY.glob("*.png") if p.name not in shots) == []
