"""The open calls as a table (CSV or XLSX, every cell inert: docs/decisions/0012), with the
columns of the list page."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from emplus.calls.models import Call


def call_header() -> list[str]:
    return [
        _("Deadline"),
        _("Call"),
        _("Funder"),
        _("Themes"),
        _("Target regions"),
        _("Budget frame (SEK)"),
        _("Registered by"),
        _("Consortia"),
    ]


def call_rows(calls: Iterable[Call]) -> Iterable[list[Any]]:
    """One row per call, as the list shows it; the themes in the active language and no
    target region as all of Sweden."""
    english = get_language() == "en"
    for c in calls:
        yield [
            c.deadline,
            c.title,
            c.get_funder_display() + (f": {c.funder_name}" if c.funder_name else ""),
            "; ".join(t.name_en if english else t.name_sv for t in c.themes.all()),
            "; ".join(r.name for r in c.target_regions.all()) or _("All of Sweden"),
            c.budget_frame,
            c.organisation.name,
            c.consortium_count,
        ]
