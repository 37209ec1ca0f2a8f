"""The scope functions themselves, on memberships (a model with an organisation and a unit)."""

from __future__ import annotations

import pytest
from tests.conftest import make_user

from emplus.core import scoping
from emplus.core.roles import Role
from emplus.organisations.models import Membership

pytestmark = pytest.mark.django_db


def test_personal_scope_is_unit_for_coaches_and_organisation_for_coordinators(
    coach, coordinator, analyst, admin_user, other_org_coach, org_a, unit_a2
):
    colleague = make_user("coach-a2", org_a, Role.COACH, unit_a2)
    rows = Membership.objects.all()
    coach_sees = set(scoping.personal_scope(rows, coach).values_list("user__username", flat=True))
    assert coach_sees == {"coach-a"}  # same unit only; not colleague in another unit
    coordinator_sees = set(
        scoping.personal_scope(rows, coordinator).values_list("user__username", flat=True)
    )
    assert colleague.username in coordinator_sees and "coach-b" not in coordinator_sees
    # analysts and administrators read no personal records through this scope
    assert not scoping.personal_scope(rows, analyst).exists()
    assert not scoping.personal_scope(rows, admin_user).exists()


def test_directory_scope(coach, admin_user, other_org_coach, no_role_user):
    rows = Membership.objects.all()
    assert set(
        scoping.directory_scope(rows, coach, organisation_field="organisation").values_list(
            "organisation__code", flat=True
        )
    ) == {"ORGA"}
    assert (
        scoping.directory_scope(rows, admin_user, organisation_field="organisation").count()
        == rows.count()
    )
    assert not scoping.directory_scope(
        rows, no_role_user, organisation_field="organisation"
    ).exists()


def test_inactive_user_has_no_reach(coach):
    coach.is_active = False
    coach.save()
    coach.refresh_from_db()
    assert scoping.reach_of(coach) == scoping.NO_REACH
