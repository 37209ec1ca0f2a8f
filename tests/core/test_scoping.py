"""The one scope, restrict(qs, user, permission): only memberships whose role holds the
permission count, each in its own organisation (and, for a coach, unit)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from tests.conftest import make_user

from emplus.core import scoping
from emplus.core.roles import Role
from emplus.organisations.models import Membership, Organisation, Unit
from emplus.organisations.services import membership_grant
from emplus.pathways.models import Participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed(org_a, org_b, unit_b1):
    """Coordinator in organisation A, coach of unit B1 in organisation B."""
    user = make_user("mixed", org_a, Role.COORDINATOR)
    membership_grant(user=user, organisation=org_b, role=Role.COACH, unit=unit_b1)
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def unit_b2(org_b):
    return Unit.objects.create(
        organisation=org_b, name="B Lund", kind="district", municipality_id="1281"
    )


def _participant(org, unit, ref):
    return Participant.objects.create(organisation=org, unit=unit, participant_ref=ref)


@pytest.fixture
def people(org_a, org_b, unit_a1, unit_a2, unit_b1, unit_b2):
    return {
        "A1": _participant(org_a, unit_a1, "A1"),
        "A2": _participant(org_a, unit_a2, "A2"),
        "B1": _participant(org_b, unit_b1, "B1"),
        "B2": _participant(org_b, unit_b2, "B2"),
    }


def refs(user, permission) -> list[str]:
    rows = Participant.objects.restrict(user, permission)
    return sorted(rows.values_list("participant_ref", flat=True))


def test_coach_reaches_their_unit_and_coordinator_their_organisation(
    people, coach, coordinator, other_org_coach
):
    assert refs(coach, "participant.view") == ["A1"]
    assert refs(coordinator, "participant.view") == ["A1", "A2"]
    assert refs(other_org_coach, "participant.view") == ["B1"]


def test_a_permission_counts_only_where_the_membership_holds_it(people, mixed):
    # given a coordinator of A who coaches unit B1 of B
    # then reading reaches A and B's unit B1 (never B2)
    assert refs(mixed, "participant.view") == ["A1", "A2", "B1"]
    # and the coordinator-only permissions reach A only: the coach role in B holds none of them
    for permission in ("participant.export", "participant.erase", "participant.rights"):
        assert refs(mixed, permission) == ["A1", "A2"], permission


def test_analyst_and_administrator_get_no_personal_records(people, analyst, admin_user):
    assert refs(analyst, "participant.view") == []
    assert refs(admin_user, "participant.view") == []
    # the pseudonymised permission is the analyst's, in the own organisation only
    assert refs(analyst, "participant.view_pseudonymised") == ["A1", "A2"]


def test_nobody_and_the_inactive_get_nothing(people, coach, no_role_user):
    assert refs(no_role_user, "participant.view") == []
    coach.is_active = False
    coach.save()
    assert refs(get_user_model().objects.get(pk=coach.pk), "participant.view") == []
    from django.contrib.auth.models import AnonymousUser

    assert refs(AnonymousUser(), "participant.view") == []


def test_directory_rows_open_to_every_grant_in_the_organisation(
    coach, admin_user, other_org_coach, no_role_user, mixed
):
    def codes(user, permission="organisation.view") -> set[str]:
        rows = Membership.objects.restrict(user, permission)
        return set(rows.values_list("organisation__code", flat=True))

    assert codes(coach) == {"ORGA"}  # a coach sees the whole organisation's directory
    assert codes(admin_user) == {"ORGA", "ORGB"}  # administrators: the partnership
    assert codes(no_role_user) == set()
    assert codes(mixed) == {"ORGA", "ORGB"}
    # the member lists: only where the role holds the permission (A, not B where mixed coaches)
    assert codes(mixed, "organisation.view_members") == {"ORGA"}
    assert codes(coach, "organisation.view_members") == set()


def test_units_as_workplaces_are_a_coaches_own_unit(
    coach, coordinator, mixed, unit_a1, unit_a2, unit_b1, unit_b2
):
    def names(user) -> set[str]:
        return set(
            Unit.objects.workplaces(user, "participant.change").values_list("name", flat=True)
        )

    assert names(coach) == {unit_a1.name}
    assert names(coordinator) == {unit_a1.name, unit_a2.name}
    assert names(mixed) == {unit_a1.name, unit_a2.name, unit_b1.name}


def test_grants_and_per_object_checks(people, mixed, org_a, org_b):
    grants = scoping.grants(mixed, "participant.erase")
    assert grants.organisations == {org_a.pk} and not grants.units and not grants.everywhere
    assert scoping.allows(mixed, "participant.view", people["B1"])
    assert not scoping.allows(mixed, "participant.erase", people["B1"])
    assert scoping.allows(mixed, "participant.erase", people["A2"])
    assert not scoping.allows(mixed, "participant.view", people["B2"])
    assert scoping.organisation_ids_with(mixed, "participant.view") == {org_a.pk, org_b.pk}
    assert scoping.has_permission(mixed, "participant.export")


def test_superuser_holds_the_administrators_permissions_everywhere(people, db):
    root = get_user_model().objects.create_superuser("root", password="x-long-password-1")
    assert Organisation.objects.restrict(root, "organisation.view").count() == 2
    assert scoping.grants(root, "activity.change").everywhere
    # but no personal records: administering is not case work
    assert refs(root, "participant.view") == []


def test_unknown_permission_and_undeclared_scope_fail_loudly(coach):
    with pytest.raises(KeyError):
        scoping.restrict(Participant.objects.all(), coach, "participant.peek")
    undeclared = QuerySet(model=get_user_model())
    with pytest.raises(ImproperlyConfigured):
        scoping.restrict(undeclared, coach, "participant.view")


def test_the_memberships_are_read_once_per_user_object(coach, django_assert_num_queries):
    scoping.grants(coach, "participant.view")
    with django_assert_num_queries(0):
        scoping.grants(coach, "participant.export")
        scoping.grants(coach, "organisation.view")
