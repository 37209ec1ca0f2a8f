"""Querysets of working life: every read starts at restrict() (docs/decisions/0021)."""

from __future__ import annotations

from typing import Self

from django.db.models import Q

from emplus.core import scoping
from emplus.core.scoping import RestrictedQuerySet, ScopeFields


class EmployerQuerySet(RestrictedQuerySet):
    """Employers are directory rows of the organisation that registered them; the partner
    organisations named as working with an employer read it too (with suppressed counts)."""

    scope = ScopeFields(organisation="organisation")

    def restrict(self, user, permission: str) -> Self:
        own = scoping.restrict(self, user, permission)
        organisations = scoping.organisation_ids_with(user, permission)
        if scoping.grants(user, permission).everywhere:
            return own
        partner = self.filter(Q(partner_organisations__in=sorted(organisations)))
        return (own | partner).distinct()

    def owned(self, user, permission: str) -> Self:
        """Only the employers of organisations where the user holds `permission` (changes)."""
        return scoping.restrict(self, user, permission)


class PlacementQuerySet(RestrictedQuerySet):
    """Placements are personal records: the participant's organisation and, for a coach, unit."""

    scope = ScopeFields(organisation="participant__organisation", unit="participant__unit")


class EducationEnrolmentQuerySet(RestrictedQuerySet):
    """Courses of study are personal records, like placements."""

    scope = ScopeFields(organisation="participant__organisation", unit="participant__unit")


class IncomeRecordQuerySet(RestrictedQuerySet):
    """Income is personal: the owning organisation's coach (unit) and coordinator only."""

    scope = ScopeFields(organisation="participant__organisation", unit="participant__unit")


class GigAssignmentQuerySet(RestrictedQuerySet):
    """Assignments carry income: the owning organisation only, like income records."""

    scope = ScopeFields(organisation="participant__organisation", unit="participant__unit")


class OpportunityQuerySet(RestrictedQuerySet):
    """Opportunities are directory rows like their employers: the owning organisation and the
    partner organisations named as working with the employer read them."""

    scope = ScopeFields(organisation="organisation")

    def restrict(self, user, permission: str) -> Self:
        own = scoping.restrict(self, user, permission)
        if scoping.grants(user, permission).everywhere:
            return own
        organisations = scoping.organisation_ids_with(user, permission)
        partner = self.filter(Q(employer__partner_organisations__in=sorted(organisations)))
        return (own | partner).distinct()

    def owned(self, user, permission: str) -> Self:
        """Only the opportunities of organisations where the user holds `permission`."""
        return scoping.restrict(self, user, permission)


class WorkProfileQuerySet(RestrictedQuerySet):
    """A work profile is personal: the participant's organisation and, for a coach, unit."""

    scope = ScopeFields(organisation="participant__organisation", unit="participant__unit")


class ProposalQuerySet(RestrictedQuerySet):
    """A proposal is about a participant: scoped like the participant's other records."""

    scope = ScopeFields(organisation="participant__organisation", unit="participant__unit")
