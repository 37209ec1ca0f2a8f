"""The log-in backend: Django's, except that a session's user is read with its memberships and
the ids of its confirmed authenticators.

Every request reads the signed-in user, then the user's memberships to decide what it may do
(core.scoping) and the authenticator its session was verified with (the second factor). One
statement reads all three, as fresh as three (decision 0061): a membership removed or changed,
or an authenticator replaced, counts from the next request, as before.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Aggregate, OuterRef, Subquery, TextField, Value
from django.db.models.functions import Cast, Concat
from django_otp.plugins.otp_totp.models import TOTPDevice

from emplus.core.compiled import CompiledRead
from emplus.core.scoping import Membership, remember_memberships
from emplus.organisations.models import Membership as MembershipRow

# Separators of the one text the memberships are read as: a role name holds neither.
FIELD, ROW = " ", ";"


class _Joined(Aggregate):
    """The texts of a group joined by a separator (PostgreSQL's and SQLite's names for it)."""

    function = "STRING_AGG"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def _memberships_text() -> Subquery:
    line = Concat(
        Cast("organisation_id", TextField()),
        Value(FIELD),
        "role",
        Value(FIELD),
        Cast("unit_id", TextField()),  # NULL (no unit) concatenates as ""
        output_field=TextField(),
    )
    return Subquery(
        MembershipRow.objects.filter(user=OuterRef("pk"))
        .order_by()
        .values("user")
        .annotate(text=_Joined(line, Value(ROW)))
        .values("text")
    )


def _confirmed_authenticators_text() -> Subquery:
    return Subquery(
        TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        .order_by()
        .values("user")
        .annotate(text=_Joined(Cast("pk", TextField()), Value(ROW)))
        .values("text")
    )


def parse_memberships(text: str | None) -> tuple[Membership, ...]:
    rows = []
    for line in (text or "").split(ROW):
        if line:
            organisation_id, role, unit_id = line.split(FIELD)
            rows.append((UUID(organisation_id), role, UUID(unit_id) if unit_id else None))
    return tuple(rows)


def _user_with_memberships(pk):
    return (
        get_user_model()
        ._default_manager.annotate(
            emplus_memberships_text=_memberships_text(),
            emplus_authenticators_text=_confirmed_authenticators_text(),
        )
        .filter(pk=pk)
    )


USER_READ = CompiledRead(get_user_model(), _user_with_memberships, pk=("id", UUID(int=0)))


class AccountBackend(ModelBackend):
    def get_user(self, user_id):
        user = USER_READ.first(pk=user_id)
        if user is None or not self.user_can_authenticate(user):
            return None
        remember_memberships(user, parse_memberships(user.emplus_memberships_text))
        # For SecondFactorMiddleware: the ids of the user's confirmed TOTP devices.
        user.emplus_confirmed_totp = frozenset(
            int(pk) for pk in (user.emplus_authenticators_text or "").split(ROW) if pk
        )
        return user
