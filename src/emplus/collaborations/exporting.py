"""The register as a table (CSV or XLSX, every cell inert: docs/decisions/0012)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from emplus.collaborations.models import Collaboration
from emplus.core.choices import Arena
from emplus.core.export_cells import table_bytes

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _arena_labels(codes: list[str]) -> str:
    return "; ".join(str(Arena(c).label) for c in codes if c in Arena.values)


def register_header() -> list[str]:
    return [
        _("Title"),
        _("Kind"),
        _("Status"),
        _("Registered by"),
        _("Parties (role)"),
        _("Arenas"),
        _("Thematic areas"),
        _("Counties covered"),
        _("Starts"),
        _("Ends"),
        _("Contact person"),
        _("Contact e-mail"),
    ]


def register_rows(collaborations: Iterable[Collaboration]) -> Iterable[list[Any]]:
    for c in collaborations:
        yield [
            c.title,
            c.get_kind_display(),
            c.get_status_display(),
            c.organisation.name,
            "; ".join(f"{p.actor} ({p.get_role_display()})" for p in c.parties.all()),
            _arena_labels(c.arenas),
            "; ".join(str(a) for a in c.thematic_areas.all()),
            "; ".join(county.name for county in c.counties.all()),
            c.starts_on,
            c.ends_on,
            c.contact_name,
            c.contact_email,
        ]


def register_file(collaborations: Iterable[Collaboration], *, file_format: str) -> bytes:
    return table_bytes(
        register_header(),
        register_rows(collaborations),
        file_format=file_format,
        sheet_name=_("Collaborations"),
    )
