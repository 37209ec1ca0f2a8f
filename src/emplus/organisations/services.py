"""Writes to organisations, units and memberships."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from emplus.core.roles import Role
from emplus.organisations.models import Membership, Organisation, Unit

ADMIN_GROUP = "Partnership administrators"
# Django-admin rights of partnership administrators: the directory and reference data only,
# never personal records of other organisations.
ADMIN_MODELS = {
    "accounts": ["user"],
    "organisations": ["organisation", "unit", "membership"],
    "geo": ["county", "municipality"],
    "core": ["auditevent"],  # read-only in the admin: the log cannot be changed there
}


def admin_group_ensure() -> Group:
    group, _ = Group.objects.get_or_create(name=ADMIN_GROUP)
    wanted = Permission.objects.filter(
        content_type__app_label__in=ADMIN_MODELS.keys(),
    )
    wanted = [p for p in wanted if p.content_type.model in ADMIN_MODELS[p.content_type.app_label]]
    group.permissions.set(wanted)
    return group


@transaction.atomic
def membership_grant(
    *, user, organisation: Organisation, role: str, unit: Unit | None = None
) -> Membership:
    """Give a user a role in an organisation (replacing an earlier role there)."""
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
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
    return membership
