"""The Django admin's delete page of an organisation or unit names what it would delete or what
stops it only as counts: a partnership administrator never sees another organisation's
participant references there (decision 21)."""

from __future__ import annotations

import pytest
from tests.conftest import make_user

from emplus.core.roles import Role
from emplus.pathways.models import Participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def references(org_b, unit_b1):
    return [
        Participant.objects.create(organisation=org_b, unit=unit_b1, participant_ref=ref)
        for ref in ("REF-SECRET-1", "REF-SECRET-2")
    ]


def test_unit_delete_page_counts_the_participants_that_stop_it(
    client, admin_user, unit_b1, references
):
    # given an administrator of organisation A (staff through the admin role)
    assert admin_user.is_staff
    client.force_login(admin_user)
    # when they open the delete page of organisation B's unit
    response = client.get(f"/admin/organisations/unit/{unit_b1.pk}/delete/")
    # then the page says how many participants stop the deletion, never which
    body = response.content.decode()
    assert response.status_code == 200
    assert "REF-SECRET" not in body
    assert any("2" in line for line in response.context["protected"])


def test_organisation_delete_page_names_no_member_or_participant(
    client, admin_user, org_b, unit_b1, references
):
    make_user("member-of-b", org_b, Role.COACH, unit_b1)
    client.force_login(admin_user)
    response = client.get(f"/admin/organisations/organisation/{org_b.pk}/delete/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "REF-SECRET" not in body and "member-of-b" not in body
