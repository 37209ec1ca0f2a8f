"""`emplus grant-role`: give a role from the server's command line (the first administrators of
a new installation); audited like every grant."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from emplus.core.roles import Role
from emplus.organisations.models import Organisation, Unit
from emplus.organisations.services import membership_grant


class Command(BaseCommand):
    help = (
        "Give USER the ROLE in the organisation CODE (coaches need --unit). For operators with "
        "access to the server; in the web interface a second administrator approves grants."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("organisation", metavar="CODE")
        parser.add_argument("role", choices=Role.values)
        parser.add_argument("--unit", help="name of the local unit (coaches)")

    def handle(self, *args, username, organisation, role, unit, **options):
        try:
            user = get_user_model().objects.get(username=username)
            org = Organisation.objects.get(code=organisation)
            unit_obj = Unit.objects.get(organisation=org, name=unit) if unit else None
        except (
            get_user_model().DoesNotExist,
            Organisation.DoesNotExist,
            Unit.DoesNotExist,
        ) as exc:
            raise CommandError(str(exc)) from exc
        try:
            membership_grant(user=user, organisation=org, role=role, unit=unit_obj, actor=None)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"{username} is now {role} in {org.code}.")
