"""API endpoints for organisations and local units, scoped like the pages."""

import django_filters

from emplus.core.filters import FilterSet
from emplus.core.viewsets import ScopedReadOnlyViewSet
from emplus.organisations import selectors
from emplus.organisations.choices import OrganisationKind, Sector
from emplus.organisations.models import Organisation, Unit
from emplus.organisations.serializers import OrganisationSerializer, UnitSerializer


class OrganisationFilter(FilterSet):
    sector = django_filters.ChoiceFilter(choices=Sector.choices)
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices)

    class Meta:
        model = Organisation
        fields = ["code", "sector", "kind", "is_partner"]


class OrganisationViewSet(ScopedReadOnlyViewSet):
    serializer_class = OrganisationSerializer
    required_permission = "organisation.view"
    filterset_class = OrganisationFilter

    def get_queryset(self):
        return selectors.organisation_list(viewer=self.request.user).order_by("code")


class UnitFilter(django_filters.FilterSet):
    organisation = django_filters.UUIDFilter(field_name="organisation_id")
    municipality = django_filters.CharFilter(field_name="municipality_id")
    county = django_filters.CharFilter(field_name="municipality__county_id")

    class Meta:
        model = Unit
        fields = ["organisation", "municipality", "county", "kind"]


class UnitViewSet(ScopedReadOnlyViewSet):
    serializer_class = UnitSerializer
    required_permission = "organisation.view"
    filterset_class = UnitFilter

    def get_queryset(self):
        return selectors.unit_list(viewer=self.request.user).order_by("organisation__code", "name")
