"""Administration cannot be used to escalate: an administrator's grant of a role waits for a
second administrator; nobody sets another user's password or (except superusers) the superuser
and staff flags; every grant, change and removal of a role is audited."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from tests.conftest import PASSWORD, make_user

from emplus.accounts.services import account_change
from emplus.core.audit import audit_verify
from emplus.core.models import AuditEvent
from emplus.core.roles import Role
from emplus.organisations.choices import GrantStatus
from emplus.organisations.models import Membership, RoleGrant
from emplus.organisations.services import (
    membership_revoke,
    role_grant_approve,
    role_grant_reject,
    role_grant_request,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_admin(org_b):
    return make_user("admin-b", org_b, Role.ADMIN)


def _admin_client(client, user):
    client.force_login(user)
    return client


# --- the four-eyes rule --------------------------------------------------------------------


def test_an_administrator_cannot_give_themselves_a_coordinator_role_in_another_organisation(
    client, admin_user, org_b
):
    # when: the attack from the review, through the admin
    _admin_client(client, admin_user)
    response = client.post(
        "/admin/organisations/membership/add/",
        {"user": admin_user.pk, "organisation": org_b.pk, "role": Role.COORDINATOR},
    )
    # then
    assert response.status_code == 403
    assert not Membership.objects.filter(user=admin_user, organisation=org_b).exists()


def test_a_requested_role_waits_for_a_second_administrator(client, admin_user, second_admin, org_b):
    # given: A asks for a coordinator role for themselves in B
    _admin_client(client, admin_user)
    response = client.post(
        "/admin/organisations/rolegrant/add/",
        {
            "user": admin_user.pk,
            "organisation": org_b.pk,
            "role": Role.COORDINATOR,
            "reason": "cover during holidays",
        },
    )
    assert response.status_code == 302
    grant = RoleGrant.objects.get()
    assert (grant.status, grant.requested_by) == (GrantStatus.PENDING, admin_user)
    assert not Membership.objects.filter(user=admin_user, organisation=org_b).exists()
    # when: A tries to approve it
    client.post(
        "/admin/organisations/rolegrant/",
        {"action": "approve", "_selected_action": [grant.pk]},
    )
    # then: nothing
    grant.refresh_from_db()
    assert grant.status == GrantStatus.PENDING
    assert not Membership.objects.filter(user=admin_user, organisation=org_b).exists()
    # when: B approves
    client.force_login(second_admin)
    client.post(
        "/admin/organisations/rolegrant/",
        {"action": "approve", "_selected_action": [grant.pk]},
    )
    # then
    grant.refresh_from_db()
    assert (grant.status, grant.decided_by) == (GrantStatus.APPROVED, second_admin)
    assert Membership.objects.get(user=admin_user, organisation=org_b).role == Role.COORDINATOR
    actions = list(
        AuditEvent.objects.filter(action__startswith="role_grant.").values_list(
            "action", "actor_username"
        )
    )
    assert actions == [
        ("role_grant.requested", "admin-a"),
        ("role_grant.approved", "admin-b"),
    ]
    granted = AuditEvent.objects.filter(action="membership.granted").last()
    assert granted.details["approved_by"] == "admin-b"
    assert granted.organisation_id == org_b.pk
    assert audit_verify() == []


def test_the_person_who_gets_the_role_cannot_approve_it(admin_user, second_admin, org_b):
    grant = role_grant_request(
        actor=admin_user, user=second_admin, organisation=org_b, role=Role.ANALYST, reason="x"
    )
    with pytest.raises(ValidationError):
        role_grant_approve(actor=second_admin, grant=grant)
    assert not Membership.objects.filter(user=second_admin, role=Role.ANALYST).exists()


def test_a_sock_puppet_administrator_needs_approval_too(admin_user, org_a):
    # given: A makes a new user and asks to make them an administrator
    puppet = make_user("puppet")
    grant = role_grant_request(
        actor=admin_user, user=puppet, organisation=org_a, role=Role.ADMIN, reason="x"
    )
    # then: the puppet has nothing until somebody else approves, and cannot approve for A
    assert not puppet.memberships.exists() and not puppet.is_staff
    with pytest.raises(PermissionDenied):
        role_grant_approve(actor=puppet, grant=grant)


def test_only_administrators_request_or_decide(coordinator, admin_user, org_b):
    with pytest.raises(PermissionDenied):
        role_grant_request(
            actor=coordinator, user=coordinator, organisation=org_b, role=Role.COACH, reason="x"
        )
    grant = role_grant_request(
        actor=admin_user, user=coordinator, organisation=org_b, role=Role.ANALYST, reason="x"
    )
    with pytest.raises(PermissionDenied):
        role_grant_approve(actor=coordinator, grant=grant)


def test_a_decided_request_cannot_be_decided_again(admin_user, second_admin, coach, org_b):
    grant = role_grant_request(
        actor=admin_user, user=coach, organisation=org_b, role=Role.ANALYST, reason="x"
    )
    role_grant_reject(actor=second_admin, grant=grant)
    with pytest.raises(ValidationError):
        role_grant_approve(actor=second_admin, grant=grant)
    assert not Membership.objects.filter(user=coach, organisation=org_b).exists()
    assert AuditEvent.objects.filter(action="role_grant.rejected").count() == 1


def test_a_coach_request_needs_a_unit_of_the_organisation(admin_user, coach, org_b, unit_a1):
    with pytest.raises(ValidationError):
        role_grant_request(
            actor=admin_user,
            user=coach,
            organisation=org_b,
            role=Role.COACH,
            unit=unit_a1,
            reason="x",
        )


def test_memberships_and_roles_are_read_only_in_the_admin(client, admin_user, coach):
    _admin_client(client, admin_user)
    membership = coach.memberships.get()
    response = client.post(
        f"/admin/organisations/membership/{membership.pk}/change/",
        {"user": coach.pk, "organisation": membership.organisation_id, "role": Role.COORDINATOR},
    )
    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.COACH


def test_removing_a_role_is_immediate_and_audited(client, admin_user, coach):
    _admin_client(client, admin_user)
    membership = coach.memberships.get()
    response = client.post(
        f"/admin/organisations/membership/{membership.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not coach.memberships.exists()
    event = AuditEvent.objects.get(action="membership.revoked")
    assert (event.actor_username, event.details["role"]) == ("admin-a", Role.COACH)


def test_the_last_admin_role_removed_takes_django_admin_access_away(admin_user, second_admin):
    assert admin_user.is_staff
    membership_revoke(membership=admin_user.memberships.get(), actor=second_admin)
    admin_user.refresh_from_db()
    assert not admin_user.is_staff and not admin_user.groups.exists()


def test_every_grant_is_audited_even_from_the_command_line_or_the_demo(org_a):
    user = make_user("fresh", org_a, Role.ANALYST)
    event = AuditEvent.objects.get(action="membership.granted", target_id__isnull=False)
    assert event.details["username"] == "fresh" and event.actor_id is None
    assert user.memberships.get().role == Role.ANALYST


# --- escalation fields and passwords -------------------------------------------------------


def _user_form(user, **changes):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": str(user.memberships.count()),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_an_administrator_cannot_tick_is_superuser_or_is_staff(client, admin_user, coach):
    # given
    _admin_client(client, admin_user)
    url = f"/admin/accounts/user/{admin_user.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="is_superuser"' not in page and 'name="groups"' not in page
    # when: the fields are posted anyway
    client.post(url, _user_form(admin_user, is_superuser="on", first_name="Alva"))
    client.post(f"/admin/accounts/user/{coach.pk}/change/", _user_form(coach, is_staff="on"))
    # then
    admin_user.refresh_from_db()
    coach.refresh_from_db()
    assert not admin_user.is_superuser and admin_user.first_name == "Alva"
    assert not coach.is_staff
    assert AuditEvent.objects.filter(action="account.changed").exists()


def test_the_service_refuses_staff_flags_from_a_non_superuser(admin_user, coach):
    coach.is_superuser = True
    with pytest.raises(PermissionDenied):
        account_change(actor=admin_user, user=coach, changed=["is_superuser"])
    coach.refresh_from_db()
    assert not coach.is_superuser


def test_a_superuser_may_set_the_flags_and_it_is_audited(client, coach):
    root = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(root)
    client.post(f"/admin/accounts/user/{coach.pk}/change/", _user_form(coach, is_staff="on"))
    coach.refresh_from_db()
    assert coach.is_staff
    event = AuditEvent.objects.get(action="account.changed")
    assert "is_staff" in event.details["fields"] and event.actor_username == "root"


def test_nobody_sets_another_users_password_in_the_admin(client, admin_user, coach):
    _admin_client(client, admin_user)
    url = f"/admin/accounts/user/{coach.pk}/password/"
    assert client.get(url).status_code == 403
    response = client.post(url, {"password1": "taken-over-42!", "password2": "taken-over-42!"})
    assert response.status_code == 403
    coach.refresh_from_db()
    assert coach.check_password(PASSWORD)
    root = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(root)
    assert client.get(url).status_code == 403


def test_an_administrator_cannot_edit_a_superuser(client, admin_user):
    root = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    _admin_client(client, admin_user)
    response = client.post(
        f"/admin/accounts/user/{root.pk}/change/", _user_form(root, first_name="x")
    )
    assert response.status_code == 403


def test_the_email_address_of_an_existing_user_is_read_only_for_administrators(
    client, admin_user, coach
):
    coach.email = "coach@example.org"
    coach.save()
    _admin_client(client, admin_user)
    client.post(
        f"/admin/accounts/user/{coach.pk}/change/",
        _user_form(coach, email="attacker@example.org"),
    )
    coach.refresh_from_db()
    assert coach.email == "coach@example.org"


def test_a_new_user_gets_no_password_from_the_administrator(client, admin_user):
    _admin_client(client, admin_user)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newcomer",
            "first_name": "Nora",
            "last_name": "Ny",
            "email": "nora@example.org",
            "password1": "chosen-by-admin-42",
            "password2": "chosen-by-admin-42",
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="newcomer")
    assert not user.has_usable_password()
    assert AuditEvent.objects.filter(action="account.created", target_id=str(user.pk)).exists()


def test_an_administrator_sends_a_reset_link_the_user_completes(client, admin_user, coach):
    # given
    coach.email = "coach@example.org"
    coach.save()
    _admin_client(client, admin_user)
    # when
    response = client.post(
        "/admin/accounts/user/",
        {"action": "send_password_reset", "_selected_action": [coach.pk]},
    )
    # then: the link goes to the user, not to the administrator
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["coach@example.org"]
    link = next(
        line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line
    ).strip()
    assert AuditEvent.objects.filter(
        action="account.password_reset_sent", actor_username="admin-a"
    ).exists()
    client.post(reverse("accounts:logout"))
    follow = client.get(link)
    assert follow.status_code == 302
    done = client.post(
        follow["Location"],
        {"new_password1": "my-own-choice-321", "new_password2": "my-own-choice-321"},
    )
    assert done.status_code == 302
    coach.refresh_from_db()
    assert coach.check_password("my-own-choice-321")


def test_the_command_line_grants_the_first_administrator(org_a):
    from django.core.management import call_command

    user = make_user("first-admin")
    call_command("grant_role", "first-admin", "ORGA", "admin")
    user.refresh_from_db()
    assert user.is_staff and user.memberships.get().role == Role.ADMIN
    assert AuditEvent.objects.filter(action="membership.granted", actor_id=None).exists()
