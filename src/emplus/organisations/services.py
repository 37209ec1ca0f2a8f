"""Writes to organisations, units and memberships; every change of a role is audited, and an
administrator's grant of a role takes a second administrator's approval (decision 0013)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from emplus.core.audit import audit_log
from emplus.core.roles import Role
from emplus.core.scoping import roles_of
from emplus.core.typing import User
from emplus.organisations import reference
from emplus.organisations.choices import GrantStatus
from emplus.organisations.models import Membership, Organisation, RoleGrant, Unit

ADMIN_GROUP = "Partnership administrators"
# Django-admin rights of partnership administrators: the directory and reference data only,
# never personal records of other organisations.
ADMIN_MODELS = {
    "accounts": ["user"],
    "organisations": ["organisation", "unit", "membership", "rolegrant"],
    "geo": ["county", "municipality"],
    "core": ["auditevent"],  # read-only in the admin: the log cannot be changed there
}


def admin_group_ensure() -> Group:
    group, _ = Group.objects.get_or_create(name=ADMIN_GROUP)
    candidates = Permission.objects.filter(
        content_type__app_label__in=ADMIN_MODELS.keys(),
    )
    wanted = [
        p for p in candidates if p.content_type.model in ADMIN_MODELS[p.content_type.app_label]
    ]
    group.permissions.set(wanted)
    return group


def is_partnership_admin(user: User) -> bool:
    """An administrator of the partnership: the admin role somewhere, or a superuser."""
    return Role.ADMIN in roles_of(user)


def _membership_details(membership: Membership, **more: Any) -> dict[str, Any]:
    return {
        "user": str(membership.user_id),
        "username": membership.user.get_username(),
        "role": membership.role,
        "unit": str(membership.unit_id) if membership.unit_id else None,
    } | more


@transaction.atomic
def membership_grant(
    *,
    user: User,
    organisation: Organisation,
    role: str,
    unit: Unit | None = None,
    actor: User | None = None,
    approved_by: User | None = None,
) -> Membership:
    """Give a user a role in an organisation (replacing an earlier role there).

    Not for administrators acting in the web interface: they request a grant
    (role_grant_request) that a second administrator approves. Called directly by that approval,
    the command line (`emplus grant-role`) and the demo; always audited."""
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    previous = (membership.role, membership.unit_id) if membership else None
    if membership is None:
        membership = Membership(user=user, organisation=organisation)
    membership.role = role
    membership.unit = unit
    membership.full_clean()
    membership.save()
    if role == Role.ADMIN:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.add(admin_group_ensure())
    elif previous and previous[0] == Role.ADMIN:
        _admin_rights_sync(user)
    details = _membership_details(membership)
    if previous:
        details["previous_role"] = previous[0]
    if approved_by is not None:
        details["approved_by"] = approved_by.get_username()
    if previous != (role, membership.unit_id):
        audit_log(
            actor=actor,
            action="membership.changed" if previous else "membership.granted",
            target=membership,
            details=details,
        )
    return membership


def _admin_rights_sync(user: User) -> None:
    """Django-admin access follows the admin role: gone when the last admin membership is."""
    if user.is_superuser or Membership.objects.filter(user=user, role=Role.ADMIN).exists():
        return
    user.is_staff = False
    user.save(update_fields=["is_staff"])
    user.groups.remove(*Group.objects.filter(name=ADMIN_GROUP))


@transaction.atomic
def membership_revoke(*, membership: Membership, actor: User) -> None:
    """Remove a role (no approval needed: it only takes rights away)."""
    details = _membership_details(membership)
    user, organisation = membership.user, membership.organisation
    audit_log(
        actor=actor,
        action="membership.revoked",
        target=membership,
        organisation=organisation,
        details=details,
    )
    membership.delete()
    _admin_rights_sync(user)


@transaction.atomic
def role_grant_request(
    *,
    actor: User,
    user: User,
    organisation: Organisation,
    role: str,
    unit: Unit | None = None,
    reason: str,
) -> RoleGrant:
    """An administrator asks for a role for someone (themselves included); nothing changes
    until a different administrator approves."""
    if not is_partnership_admin(actor):
        raise PermissionDenied
    grant = RoleGrant(
        user=user,
        organisation=organisation,
        unit=unit,
        role=role,
        reason=reason,
        requested_by=actor,
    )
    grant.full_clean()
    # The same rules as the membership it would become (a coach has a unit of the organisation).
    Membership(user=user, organisation=organisation, role=role, unit=unit).clean()
    grant.save()
    audit_log(
        actor=actor,
        action="role_grant.requested",
        target=grant,
        organisation=organisation,
        details={"user": str(user.pk), "username": user.get_username(), "role": role},
    )
    return grant


def _decide(*, actor: User, grant: RoleGrant) -> None:
    if not is_partnership_admin(actor):
        raise PermissionDenied
    if grant.status != GrantStatus.PENDING:
        raise ValidationError(_("This request has already been decided."))
    if actor.pk == grant.requested_by_id:
        raise ValidationError(_("A second administrator must decide on your own request."))
    if actor.pk == grant.user_id:
        raise ValidationError(_("You cannot decide on a role for yourself."))


@transaction.atomic
def role_grant_approve(*, actor: User, grant: RoleGrant) -> Membership:
    """A second administrator approves: only now is the membership created or changed."""
    grant = RoleGrant.objects.select_for_update().get(pk=grant.pk)
    _decide(actor=actor, grant=grant)
    grant.status = GrantStatus.APPROVED
    grant.decided_by = actor
    grant.decided_at = timezone.now()
    grant.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit_log(
        actor=actor,
        action="role_grant.approved",
        target=grant,
        organisation=grant.organisation,
        details={"requested_by": grant.requested_by.get_username(), "role": grant.role},
    )
    return membership_grant(
        user=grant.user,
        organisation=grant.organisation,
        role=grant.role,
        unit=grant.unit,
        actor=actor,
        approved_by=actor,
    )


@transaction.atomic
def role_grant_reject(*, actor: User, grant: RoleGrant) -> RoleGrant:
    grant = RoleGrant.objects.select_for_update().get(pk=grant.pk)
    if not is_partnership_admin(actor):
        raise PermissionDenied
    if grant.status != GrantStatus.PENDING:
        raise ValidationError(_("This request has already been decided."))
    if actor.pk == grant.user_id:
        raise ValidationError(_("You cannot decide on a role for yourself."))
    grant.status = GrantStatus.REJECTED
    grant.decided_by = actor if actor.pk != grant.requested_by_id else None
    grant.decided_at = timezone.now()
    grant.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit_log(
        actor=actor,
        action="role_grant.rejected",
        target=grant,
        organisation=grant.organisation,
        details={"requested_by": grant.requested_by.get_username(), "role": grant.role},
    )
    return grant


@dataclass(frozen=True)
class RegisterLoadReport:
    partners: int
    created: int
    updated: int


@transaction.atomic
def partner_register_load() -> RegisterLoadReport:
    """Create or bring up to date the nine partners of the shipped register.

    Only the register's fields are written (code, names, sector, kind, partner flag); what
    administrators keep (seat, website, description) is left alone. Running it again changes
    nothing.
    """
    created = updated = 0
    for record in reference.partners():
        wanted = {
            "name": record.name,
            "name_en": record.name_en,
            "sector": record.sector,
            "kind": record.kind,
            "is_partner": True,
        }
        organisation = Organisation.objects.filter(code=record.code).first()
        if organisation is None:
            organisation = Organisation(code=record.code, **wanted)
            organisation.full_clean()
            organisation.save()
            created += 1
            continue
        differing = [k for k, v in wanted.items() if getattr(organisation, k) != v]
        if differing:
            for key in differing:
                setattr(organisation, key, wanted[key])
            organisation.full_clean()
            organisation.save(update_fields=[*differing, "updated_at"])
            updated += 1
    if created or updated:
        audit_log(
            actor=None,
            action="organisation.register_loaded",
            details={"created": created, "updated": updated},
        )
    return RegisterLoadReport(partners=len(reference.partners()), created=created, updated=updated)
