"""The demo data: the partnership in all 21 counties, every role, and log-ins that work."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from emplus.core.roles import Role
from emplus.demo.builder import demo_data_create
from emplus.geo.services import reference_data_load
from emplus.organisations.models import Membership, Organisation, Unit

pytestmark = pytest.mark.django_db

SMALL = 40  # participants in most tests; the full demo size is checked once

PARTNERS = {"ABF", "COOMPANION", "FRS", "HSSL", "IFMETALL", "RF", "RB", "SMART", "CONVOY"}


@pytest.fixture
def demo(db):
    reference_data_load()
    return demo_data_create(participants=SMALL)


def test_demo_has_the_nine_partners_and_other_sectors(demo):
    assert set(Organisation.objects.partners().values_list("code", flat=True)) == PARTNERS
    kinds = set(Organisation.objects.filter(is_partner=False).values_list("kind", flat=True))
    assert {
        "municipality",
        "state_agency",
        "region",
        "employer",
        "school",
        "folk_high_school",
        "university",
    } <= kinds


def test_demo_has_units_in_every_county(demo):
    counties = set(Unit.objects.values_list("municipality__county_id", flat=True))
    assert len(counties) == 21


def test_every_printed_log_in_works_and_every_role_is_present(client, demo):
    assert {login.role for login in demo} == set(Role.values)
    for login in demo:
        response = client.post(
            "/accounts/login/", {"username": login.username, "password": login.password}
        )
        assert response.status_code == 302, login.username
        user = get_user_model().objects.get(username=login.username)
        client.post("/accounts/logout/")
        membership = Membership.objects.get(user=user)
        assert membership.role == login.role
        assert membership.organisation.code == login.organisation


def test_demo_is_deterministic_and_idempotent(demo):
    units = sorted(Unit.objects.values_list("name", "municipality_id"))
    users = get_user_model().objects.count()
    # when it runs again with the same seed
    again = demo_data_create(participants=SMALL)
    # then nothing is added or moved
    assert again == demo
    assert sorted(Unit.objects.values_list("name", "municipality_id")) == units
    assert get_user_model().objects.count() == users


def test_demo_admin_can_use_django_admin(client, demo):
    admin = get_user_model().objects.get(username="admin")
    client.force_login(admin)
    assert client.get("/admin/organisations/organisation/").status_code == 200
    assert client.get("/admin/").status_code == 200
    # partnership administrators see and filter the audit log, read-only
    assert client.get("/admin/core/auditevent/", {"action": "x"}).status_code == 200
    assert client.get("/admin/core/auditevent/add/").status_code == 403


def test_demo_participants_are_plausible_and_carry_no_identity_numbers(demo):
    from emplus.pathways.models import Assessment, FollowUp, Participant

    people = Participant.objects.all()
    assert people.filter(participant_ref__startswith="D-").count() == SMALL
    assert not people.filter(personal_id__isnull=False).exists()
    assert not people.exclude(pseudonym=None).exists()
    assert people.values("organisation").distinct().count() > 3
    assert Assessment.objects.count() >= SMALL
    assert FollowUp.objects.exists()


def test_full_demo_has_about_three_thousand_participants(db):
    from django.db import connection

    from emplus.pathways.models import Participant

    if connection.vendor != "sqlite":
        pytest.skip("the full-size demo is checked once, on SQLite")
    reference_data_load()
    demo_data_create()
    assert Participant.objects.filter(participant_ref__startswith="D-").count() == 3000


def test_demo_has_one_esf_project_per_test_bed_with_a_year_sent_and_two_months_to_resend(demo):
    from datetime import date

    from emplus.esf import report_core as core
    from emplus.esf import selectors
    from emplus.esf.models import ESFProject
    from emplus.testbeds.models import TestBed

    projects = list(ESFProject.objects.select_related("test_bed"))
    assert len(projects) == TestBed.objects.count() > 0
    for project in projects:
        coordinator = get_user_model().objects.get(
            username=f"coordinator.{project.organisation.code.lower()}"
        )
        overview = selectors.esf_project_overview(
            viewer=coordinator, project=project, today=date(2026, 12, 5)
        )
        states = {str(s.month): s.state for s in overview.statuses}
        sent = [m for m, s in states.items() if s != core.MonthState.OPEN and m < "2026-11"]
        assert len(sent) == 12
        # the corrected exit date: September needs correction, October re-sending
        assert overview.plan.months == (core.Month(2026, 9), core.Month(2026, 10))
        assert states["2026-09"] == core.MonthState.CORRECTION
        assert states["2026-10"] == core.MonthState.RESEND
        assert states["2026-11"] == core.MonthState.OPEN
