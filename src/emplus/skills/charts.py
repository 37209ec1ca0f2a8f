"""The county maps of the skills pages (needs, and needs not yet met by completed training),
drawn with geo.maps; every map sits beside a table with the same numbers."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from emplus.geo import maps

PEOPLE_BREAKS = (1.0, 5.0, 10.0, 20.0)


def _legend() -> list[str]:
    return [_("none"), "1–4", "5–9", "10–19", _("%(n)s or more") % {"n": 20}]


def county_map(*, names: Mapping[str, str], values: Mapping[str, int | None]) -> maps.Choropleth:
    """People per county (grey where a number is hidden)."""
    return maps.choropleth(
        level="county",
        names=dict(names),
        values=dict(values),
        breaks=PEOPLE_BREAKS,
        legend_labels=_legend(),
        value_format=lambda v: str(int(v)),
    )
