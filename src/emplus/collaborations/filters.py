"""The filters of the register and the network, shared by the pages and the API
(emplus.core.filters)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from emplus.collaborations.choices import CollaborationKind, CollaborationStatus
from emplus.collaborations.models import Collaboration
from emplus.collaborations.selectors import CollaborationFilters
from emplus.core.choices import Arena
from emplus.core.filters import CodeFilter, SelectorFilterSet
from emplus.geo.models import County
from emplus.methods.models import ThematicArea
from emplus.organisations.choices import Sector
from emplus.organisations.models import Organisation


class CollaborationFilterSet(SelectorFilterSet):
    filters_class = CollaborationFilters

    q = django_filters.CharFilter(label=_("Search"), max_length=100)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=CollaborationKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CollaborationStatus.choices)
    sector = django_filters.ChoiceFilter(label=_("Sector"), choices=Sector.choices)
    arena = django_filters.ChoiceFilter(label=_("Arena"), choices=Arena.choices)
    thematic_area = CodeFilter(label=_("Thematic area"), queryset=ThematicArea.objects.all())
    county = CodeFilter(label=_("County"), queryset=County.objects.all())
    organisation = CodeFilter(label=_("Organisation"), queryset=Organisation.objects.all())
    active_from = django_filters.DateFilter(label=_("Active from"))
    active_to = django_filters.DateFilter(label=_("Active until"))

    class Meta:
        model = Collaboration
        fields: list[str] = []
