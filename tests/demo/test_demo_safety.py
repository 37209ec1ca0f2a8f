"""Demo commands refuse production settings and never reset an existing user's password or
roles."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from tests.conftest import PASSWORD, make_user

from emplus.core.roles import Role
from emplus.demo.builder import demo_data_create
from emplus.geo.services import reference_data_load
from emplus.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("command", ["demo", "create_demo_data"])
def test_demo_commands_refuse_production_settings(settings, command):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command(command, "--no-serve" if command == "demo" else "--seed=1", stdout=StringIO())
    assert not Organisation.objects.exists()


def test_the_generator_itself_refuses_production_settings(settings):
    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured):
        demo_data_create(participants=1)


def test_existing_users_keep_their_password_and_roles(settings):
    # given: a real administrator called "admin" and a coordinator whose role was changed
    reference_data_load()
    other = Organisation.objects.create(
        code="REAL", name="A real organisation", sector="public", kind="region"
    )
    admin = make_user("admin", other, Role.ANALYST)
    coordinator = make_user("coordinator.abf")
    # when
    logins = demo_data_create(participants=2)
    # then
    admin.refresh_from_db()
    coordinator.refresh_from_db()
    assert admin.check_password(PASSWORD) and coordinator.check_password(PASSWORD)
    assert list(admin.memberships.values_list("organisation__code", "role")) == [
        ("REAL", Role.ANALYST)
    ]
    assert not coordinator.memberships.exists()
    printed = {login.username: login.password for login in logins}
    assert printed["admin"] == printed["coordinator.abf"] == "(unchanged)"
    # and a second run changes no demo user either
    coach = type(admin).objects.get(username="coach.abf")
    coach.set_password("the-coach-changed-it-99")
    coach.save()
    demo_data_create(participants=2)
    coach.refresh_from_db()
    assert coach.check_password("the-coach-changed-it-99")
