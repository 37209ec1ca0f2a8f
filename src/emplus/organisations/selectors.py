"""Reads of organisations, units and memberships, already scoped to the viewer."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from emplus.core import scoping
from emplus.core.typing import User
from emplus.organisations.choices import GrantStatus
from emplus.organisations.models import Membership, Organisation, RoleGrant, Unit


def organisation_list(*, viewer: User) -> QuerySet[Organisation]:
    return (
        Organisation.objects.restrict(viewer, "organisation.view")
        .select_related("municipality")
        .annotate(unit_count=Count("units", distinct=True))
    )


def organisation_get(*, viewer: User, pk: UUID) -> Organisation:
    """Another organisation's object is 'not found', never 'forbidden': no existence leak."""
    return get_object_or_404(Organisation.objects.restrict(viewer, "organisation.view"), pk=pk)


def unit_list(*, viewer: User, organisation: Organisation | None = None) -> QuerySet[Unit]:
    qs = Unit.objects.restrict(viewer, "organisation.view").select_related(
        "organisation", "municipality", "municipality__county"
    )
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs


def unit_get(*, viewer: User, pk: UUID) -> Unit:
    return get_object_or_404(unit_list(viewer=viewer), pk=pk)


def membership_list(*, viewer: User, organisation: Organisation) -> QuerySet[Membership] | None:
    """The members of an organisation, or None where the viewer may not see its members (a
    coordinator of one organisation does not see another's, even where they coach)."""
    if not scoping.allows(viewer, "organisation.view_members", organisation):
        return None
    return (
        Membership.objects.restrict(viewer, "organisation.view_members")
        .filter(organisation=organisation)
        .select_related("user", "unit")
        .order_by("role", "user__username")
    )


def memberships_of(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organisation", "unit")


def role_grants_pending(*, viewer: User) -> QuerySet[RoleGrant]:
    """Role requests awaiting a second administrator: for those who keep the directory of the
    whole partnership (administrators), as the Django admin lists them."""
    if not scoping.grants(viewer, "organisation.view_members").everywhere:
        return RoleGrant.objects.none()
    return RoleGrant.objects.filter(status=GrantStatus.PENDING)
