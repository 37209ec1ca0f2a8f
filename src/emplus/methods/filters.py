"""The filters of the methods library, shared by its page and its API (emplus.core.filters)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from emplus.core.choices import Phase
from emplus.core.filters import CodeFilter, SelectorFilterSet
from emplus.methods.choices import EvidenceLevel
from emplus.methods.models import Method, ThematicArea
from emplus.methods.selectors import MethodFilters


class MethodFilterSet(SelectorFilterSet):
    filters_class = MethodFilters

    phase = django_filters.ChoiceFilter(label=_("Phase"), choices=Phase.choices)
    thematic_area = CodeFilter(label=_("Thematic area"), queryset=ThematicArea.objects.all())
    evidence_level = django_filters.TypedChoiceFilter(
        label=_("Evidence at least"), choices=EvidenceLevel.choices, coerce=int
    )

    class Meta:
        model = Method
        fields: list[str] = []
