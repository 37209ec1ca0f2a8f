"""XLSX and CSV downloads of needs, the course catalogue and registrations; every cell is made
inert by core.export_cells (decision 0012)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

from emplus.core.downloads import table_download


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[Any]]


def needs(rows: Iterable) -> Table:
    return Table(
        [
            _("Organisation"),
            _("Skill area"),
            _("County"),
            _("Who needs it"),
            _("Number of people"),
            _("Urgency"),
            _("Note"),
            _("Recorded"),
        ],
        [
            [
                n.organisation.name,
                n.skill_area.name,
                n.county.name,
                n.get_staff_kind_display(),
                n.people,
                n.get_urgency_display(),
                n.note,
                n.created_at.date(),
            ]
            for n in rows
        ],
    )


def courses(rows: Iterable) -> Table:
    return Table(
        [
            _("Title"),
            _("Provider"),
            _("Published by"),
            _("Format"),
            _("Length (hours)"),
            _("Language"),
            _("Skill areas"),
            _("Occasions"),
        ],
        [
            [
                c.title,
                c.provider,
                c.organisation.name,
                c.get_format_display(),
                c.length_hours,
                c.get_language_display(),
                ", ".join(a.name for a in c.skill_areas.all()),
                c.occasion_count,
            ]
            for c in rows
        ],
    )


def registrations(rows: Iterable) -> Table:
    return Table(
        [
            _("Staff member"),
            _("Organisation"),
            _("Course"),
            _("Starts"),
            _("County where the person works"),
            _("Status"),
            _("Completed on"),
        ],
        [
            [
                r.person.get_full_name() or r.person.username,
                r.organisation.name,
                r.occasion.course.title,
                r.occasion.starts_on,
                r.county.name,
                r.get_status_display(),
                r.completed_on,
            ]
            for r in rows
        ],
    )


def response(table: Table, *, name: str, file_format: str) -> HttpResponse:
    return table_download(table.header, table.rows, name=name, file_format=file_format)
