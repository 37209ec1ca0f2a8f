"""The start page: per role, the work that is due, each count a link to the list it counts;
a visitor is asked to log in."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from dateutil.relativedelta import relativedelta
from django.test import override_settings
from django.utils import timezone
from tests.factories import (
    ConsentFactory,
    EnrolmentFactory,
    MembershipFactory,
    ParticipantFactory,
    SelfServiceLinkFactory,
    TOTPDeviceFactory,
    make_user,
)

from emplus.core.roles import Role
from emplus.home import selectors
from emplus.pathways import services as pathway_services
from emplus.pathways.models import Instrument

pytestmark = pytest.mark.django_db

ITEMS = (
    "followup_due",
    "followup_overdue",
    "assessment_due",
    "stalled",
    "core_data_missing",
    "link_open",
    "recent",
)


def _assess(enrolment, on, actor):
    instrument = Instrument.objects.get(code="VAGEN", version=1)
    codes = instrument.dimensions.values_list("code", flat=True)
    pathway_services.assessment_record(
        actor=actor,
        enrolment=enrolment,
        instrument=instrument,
        assessed_on=on,
        scores=dict.fromkeys(codes, 3),
    )


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def caseload(today, coach, other_unit_coach, other_org_coach, unit_a1, unit_a2, unit_b1):
    """Unit A1: one stalled with no recent assessment and a self-service link waiting, one new
    without a birth date, one with a follow-up overdue, one up to date. Unit A2 and unit B1:
    one stalled each."""
    weeks_ago = lambda n: today - dt.timedelta(weeks=n)  # noqa: E731
    stalled = person(unit=unit_a1, actor=coach, participant_ref="A1-STALLED")
    EnrolmentFactory(participant=stalled, actor=coach, entry_date=weeks_ago(20))
    SelfServiceLinkFactory(participant=stalled, actor=coach, month=weeks_ago(20).replace(day=1))
    new = person(
        unit=unit_a1, actor=coach, participant_ref="A1-NEW", birth_date=None, personal_id=None
    )
    EnrolmentFactory(participant=new, actor=coach, entry_date=weeks_ago(2))
    left = person(unit=unit_a1, actor=coach, participant_ref="A1-LEFT")
    ConsentFactory(participant=left, actor=coach, follow_up=True)
    enrolment = EnrolmentFactory(
        participant=left, actor=coach, entry_date=today - relativedelta(months=12)
    )
    pathway_services.enrolment_exit(
        actor=coach,
        enrolment=enrolment,
        exit_date=today - relativedelta(months=6) - dt.timedelta(days=40),
        reason="job",
    )
    fine = person(unit=unit_a1, actor=coach, participant_ref="A1-FINE")
    enrolment = EnrolmentFactory(participant=fine, actor=coach, entry_date=weeks_ago(3))
    _assess(enrolment, weeks_ago(1), coach)
    a2 = person(unit=unit_a2, actor=other_unit_coach, participant_ref="A2-STALLED")
    EnrolmentFactory(participant=a2, actor=other_unit_coach, entry_date=weeks_ago(30))
    b1 = person(unit=unit_b1, actor=other_org_coach, participant_ref="B1-STALLED")
    EnrolmentFactory(participant=b1, actor=other_org_coach, entry_date=weeks_ago(30))


def person(**values):
    """A participant with every core datum of the ESF+ indicators unless told otherwise."""
    return ParticipantFactory(**{"isced": 3, "unemployed_months": 6, **values})


def counts(**values):
    return selectors.CaseloadCounts(**{name: values.get(name, 0) for name in ITEMS})


A1 = counts(
    followup_due=1,
    followup_overdue=1,
    assessment_due=2,
    stalled=1,
    core_data_missing=1,
    link_open=1,
    recent=4,  # every step of this data was recorded today
)
A2 = counts(assessment_due=1, stalled=1, recent=1)
B1 = counts(assessment_due=1, stalled=1, recent=1)


def test_a_coach_counts_the_work_due_in_their_unit(caseload, coach, unit_a1, today):
    page = selectors.start_page(viewer=coach, today=today)
    assert [(p.unit, p.counts) for p in page.coach] == [(unit_a1, A1)]
    assert page.coordinator == page.analyst == [] and page.admin is None


def test_coaches_of_another_unit_and_organisation_count_none_of_a1(
    caseload, other_unit_coach, other_org_coach, today
):
    assert [p.counts for p in selectors.start_page(viewer=other_unit_coach, today=today).coach] == [
        A2
    ]
    assert [p.counts for p in selectors.start_page(viewer=other_org_coach, today=today).coach] == [
        B1
    ]


def test_a_coordinator_counts_the_organisation_by_unit(
    caseload, coordinator, org_a, unit_a1, unit_a2, today
):
    page = selectors.start_page(viewer=coordinator, today=today)
    [panel] = page.coordinator
    assert panel.organisation == org_a
    assert {row.unit_id: row.counts for row in panel.units} == {unit_a1.pk: A1, unit_a2.pk: A2}
    assert panel.total == counts(
        followup_due=1,
        followup_overdue=1,
        assessment_due=3,
        stalled=2,
        core_data_missing=1,
        link_open=1,
        recent=5,
    )
    assert page.coach == []


def test_a_mixed_user_sees_each_role_apart(caseload, org_a, unit_b1, today):
    mixed = make_user("mixed", org_a, Role.COORDINATOR)
    MembershipFactory(user=mixed, organisation=unit_b1.organisation, role=Role.COACH, unit=unit_b1)
    page = selectors.start_page(viewer=mixed, today=today)
    assert [(p.unit, p.counts) for p in page.coach] == [(unit_b1, B1)]
    [panel] = page.coordinator
    assert panel.total.stalled == 2 and panel.total.assessment_due == 3


def test_the_thresholds_are_settings(caseload, coach, today, settings):
    settings.EMPLUS_STALLED_WEEKS = 1
    settings.EMPLUS_ASSESSMENT_DUE_WEEKS = 100
    settings.EMPLUS_FOLLOWUP_OVERDUE_DAYS = 60
    [panel] = selectors.start_page(viewer=coach, today=today).coach
    # only the one who left is not stalled: everyone else's last step is over a week old
    assert panel.counts.stalled == 3
    assert panel.counts.assessment_due == 2  # the two never assessed
    assert panel.counts.followup_overdue == 0


def _links(html: str) -> list[tuple[str, int]]:
    """(address, count) of every caseload link on the page."""
    found = []
    for href, text in re.findall(r'<a href="(/participants/\?[^"]+)">(.*?)</a>', html, re.S):
        number = re.findall(r"\d+", re.sub(r"<[^>]+>", " ", text).split(":")[-1])
        found.append((unescape(href), int(number[-1])))
    return found


@pytest.mark.parametrize("persona", ["coach", "coordinator"])
def test_every_item_links_to_a_list_of_exactly_the_counted(client, caseload, persona, request):
    # given a coach or coordinator on their start page
    user = request.getfixturevalue(persona)
    client.force_login(user)
    html = client.get("/").content.decode()
    links = _links(html)
    assert len(links) >= 5
    for address, count in links:
        # when they follow an item
        response = client.get(address)
        # then the list holds exactly that many participants
        assert response.status_code == 200, address
        assert response.context["page"].paginator.count == count, address


def test_a_coordinator_counts_the_exports_the_import_page_lists(
    client, caseload, coordinator, other_org_coordinator
):
    # given an export by the coordinator of A and one by the coordinator of B
    for user in (coordinator, other_org_coordinator):
        client.force_login(user)
        assert client.get("/participants/import/export/?format=csv").status_code == 200
    client.force_login(coordinator)
    # when A's coordinator opens the start page and the import page
    [panel] = client.get("/").context["page"].coordinator
    listed = client.get("/participants/import/").context["transfers"]
    # then both show A's export only
    assert (panel.transfers.imports, panel.transfers.exports) == (0, 1)
    assert len(listed["exports"]) == 1 and listed["imports"] == []


def test_the_start_page_stays_within_its_query_budget(
    client, caseload, coordinator, django_assert_max_num_queries
):
    client.force_login(coordinator)
    with django_assert_max_num_queries(12):
        assert client.get("/").status_code == 200


def test_an_analyst_sees_estimates_and_core_data_missing(client, caseload, analyst, org_a):
    ConsentFactory(
        participant=ParticipantFactory(unit=org_a.units.first(), birth_date=None, personal_id=None)
    )
    client.force_login(analyst)
    page = client.get("/").context["page"]
    assert [p.core_data_missing for p in page.analyst] == [1]
    assert page.coach == page.coordinator == []


def test_an_administrator_sees_second_factors_role_requests_and_the_audit_chain(
    client, caseload, admin_user, coach
):
    # given four users with roles (three coaches and the administrator), one with a second factor
    TOTPDeviceFactory(user=coach)
    client.force_login(admin_user)
    response = client.get("/")
    admin = response.context["page"].admin
    assert admin.without_second_factor == 3
    assert admin.role_grants_pending == 0
    assert admin.audit_problems == 0 and admin.audit_events > 0
    listed = client.get("/admin/accounts/user/?second_factor=missing")
    assert listed.context["cl"].result_count == admin.without_second_factor


@override_settings(LANGUAGE_CODE="en")
def test_a_user_without_a_role_is_told_to_ask_for_one(client, no_role_user):
    client.force_login(no_role_user)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["page"].empty
    assert "You have no role" in response.content.decode()


def test_visitor_gets_the_log_in_link_and_no_counts(client, geo):
    response = client.get("/")
    assert response.status_code == 200
    assert "page" not in response.context
    assert "/accounts/login/" in response.content.decode()


@override_settings(LANGUAGE_CODE="en")
def test_a_bad_filter_value_on_the_list_is_named_not_a_crash(client, caseload, coach):
    client.force_login(coach)
    response = client.get(
        "/participants/?unit=not-a-unit&stalled=perhaps", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert set(response.context["filterset"].errors) == {"unit", "stalled"}


def test_another_organisations_unit_in_the_address_lists_nobody(client, caseload, coach, unit_b1):
    client.force_login(coach)
    response = client.get(f"/participants/?unit={unit_b1.pk}&stalled=1")
    assert response.context["page"].paginator.count == 0
