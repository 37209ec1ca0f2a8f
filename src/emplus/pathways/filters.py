"""The caseload's filters, shared by the page and the API (emplus.core.filters)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from emplus.core.choices import Phase
from emplus.core.filters import SelectorFilterSet, StrictBooleanFilter
from emplus.pathways.models import Participant
from emplus.pathways.selectors import CaseloadFilters

STATUS_CHOICES = [("active", _("Active")), ("exited", _("Exited"))]


class ParticipantFilterSet(SelectorFilterSet):
    """What a caseload address may carry: never a name (names are searched by POST)."""

    filters_class = CaseloadFilters

    phase = django_filters.ChoiceFilter(label=_("Current phase"), choices=Phase.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=STATUS_CHOICES)
    followup_due = StrictBooleanFilter(label=_("Follow-up due"))
    followup_overdue = StrictBooleanFilter(label=_("Follow-up overdue"))
    assessment_due = StrictBooleanFilter(label=_("Assessment due"))
    stalled = StrictBooleanFilter(label=_("No new step for a long time"))
    core_data_missing = StrictBooleanFilter(label=_("Core data missing (ESF+)"))
    link_open = StrictBooleanFilter(label=_("Self-service link waiting"))
    attestation_waiting = StrictBooleanFilter(label=_("Time waiting for attestation"))
    recent = StrictBooleanFilter(label=_("Pathway recorded in the last week"))
    organisation = django_filters.UUIDFilter(label=_("Organisation"))
    unit = django_filters.UUIDFilter(label=_("Local unit"))

    class Meta:
        model = Participant
        fields: list[str] = []


class ParticipantSearchFilterSet(ParticipantFilterSet):
    """A posted search: the caseload filters and the name or reference."""

    q = django_filters.CharFilter(label=_("Name or reference"), max_length=100)
