"""Search in the guide: the sections whose title or text (in the reader's language) holds
every word of the query. Small enough (a few dozen short templates) to render on each search."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

from django.template.loader import render_to_string
from django.utils.html import strip_tags

from emplus.help.sections import SECTIONS, Section, template_of

EXCERPT = 160


@dataclass(frozen=True)
class Hit:
    section: Section
    excerpt: str


def section_text(section: Section, language: str) -> str:
    """A section's text without markup, on one line."""
    html = render_to_string(template_of(section, language))
    return re.sub(r"\s+", " ", unescape(strip_tags(html))).strip()


def help_search(*, query: str, language: str) -> list[Hit]:
    words = [w.casefold() for w in query.split() if w]
    if not words:
        return []
    hits = []
    for section in SECTIONS:
        title = str(section.title)
        text = section_text(section, language)
        haystack = f"{title} {text}".casefold()
        if all(word in haystack for word in words):
            hits.append(Hit(section, _excerpt(text, words[0])))
    return hits


def _excerpt(text: str, word: str) -> str:
    at = text.casefold().find(word)
    if at < 0:
        return text[:EXCERPT]
    start = max(0, at - EXCERPT // 2)
    return ("…" if start else "") + text[start : start + EXCERPT] + "…"
