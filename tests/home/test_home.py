"""The start page: per role, the work that is due, each count a link to the list it counts;
a visitor is asked to log in."""

from __future__ import annotations

import datetime as dt
import re
import uuid
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
from tests.factories import TestBedFactory as BedFactory
from tests.plans.conftest import running_plan

from emplus.core.roles import Role
from emplus.home import selectors
from emplus.pathways import selectors as pathway_selectors
from emplus.pathways import services as pathway_services
from emplus.pathways.models import Instrument
from emplus.plans import selectors as plan_selectors
from emplus.selfservice import services as selfservice_services

pytestmark = pytest.mark.django_db

ITEMS = (
    "followup_due",
    "followup_overdue",
    "assessment_due",
    "stalled",
    "core_data_missing",
    "link_open",
    "attestation_waiting",
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
    attestation_waiting=1,  # the link's month: hours from the steps, sent and not attested
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
        attestation_waiting=1,
        recent=5,
    )
    assert page.coach == []


def test_the_counts_are_computed_once_while_nothing_they_read_changes(
    caseload, coordinator, today, monkeypatch
):
    computed = []
    compute = selectors._organisation_counts

    def counting(**kwargs):
        computed.append(kwargs["organisation"])
        return compute(**kwargs)

    monkeypatch.setattr(selectors, "_organisation_counts", counting)
    first = selectors.start_page(viewer=coordinator, today=today).coordinator
    again = selectors.start_page(viewer=coordinator, today=today).coordinator
    assert len(computed) == 1
    assert [(p.total, p.units) for p in again] == [(p.total, p.units) for p in first]


def test_a_write_changes_the_counts_on_the_next_view(
    caseload, coordinator, other_unit_coach, coach, unit_a1, unit_a2, today
):
    def a_counts():
        [panel] = selectors.start_page(viewer=coordinator, today=today).coordinator
        return {row.unit_id: row.counts for row in panel.units}

    assert a_counts() == {unit_a1.pk: A1, unit_a2.pk: A2}
    # An insert: a second stalled participant in A2.
    another = person(unit=unit_a2, actor=other_unit_coach, participant_ref="A2-STALLED-2")
    EnrolmentFactory(
        participant=another, actor=other_unit_coach, entry_date=today - dt.timedelta(weeks=30)
    )
    a2 = counts(assessment_due=2, stalled=2, recent=2)
    assert a_counts() == {unit_a1.pk: A1, unit_a2.pk: a2}
    # A save of a row already there: the new participant's birth date forgotten.
    another.birth_date = None
    another.save()
    assert a_counts() == {
        unit_a1.pk: A1,
        unit_a2.pk: counts(assessment_due=2, stalled=2, core_data_missing=1, recent=2),
    }


def test_another_organisations_coordinator_and_coach_never_see_these_counts(
    caseload, coordinator, other_org_coordinator, other_org_coach, unit_b1, today
):
    assert selectors.start_page(viewer=coordinator, today=today).coordinator  # A's, kept
    [panel] = selectors.start_page(viewer=other_org_coordinator, today=today).coordinator
    assert panel.organisation == unit_b1.organisation
    assert {row.unit_id: row.counts for row in panel.units} == {unit_b1.pk: B1}
    assert panel.total == B1
    page = selectors.start_page(viewer=other_org_coach, today=today)
    assert page.coordinator == [] and [p.counts for p in page.coach] == [B1]


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


# --- time waiting for attestation ------------------------------------------------------------


@pytest.fixture
def attestations(today, coach, other_org_coach, unit_a1, unit_b1):
    """Unit A1: a month sent for attestation (waiting), one attested on paper, one attested and
    then changed (waiting again), one set to no hours, one never touched. Unit B1: one sent."""
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # last month
    made = {}
    for ref, unit, actor in [
        ("T-SENT", unit_a1, coach),
        ("T-PAPER", unit_a1, coach),
        ("T-CHANGED", unit_a1, coach),
        ("T-NONE", unit_a1, coach),
        ("T-UNTOUCHED", unit_a1, coach),
        ("T-OTHER", unit_b1, other_org_coach),
    ]:
        made[ref] = person(unit=unit, actor=actor, participant_ref=ref)
        EnrolmentFactory(participant=made[ref], actor=actor, entry_date=month)
    SelfServiceLinkFactory(participant=made["T-SENT"], actor=coach, month=month)
    SelfServiceLinkFactory(participant=made["T-OTHER"], actor=other_org_coach, month=month)
    for ref in ("T-PAPER", "T-CHANGED"):
        selfservice_services.time_attestation_record_paper(
            actor=coach, participant=made[ref], month=month, paper_date=today
        )
    for ref, hours in (("T-CHANGED", "12.5"), ("T-NONE", "0")):
        selfservice_services.monthly_time_set_hours(
            actor=coach, participant=made[ref], month=month, hours=hours
        )
    return made


def test_time_waiting_is_hours_sent_or_changed_and_not_attested_as_they_stand(
    client, attestations, coach, coordinator, other_org_coach, unit_a1, today
):
    # when the coach of A1 opens the start page
    [panel] = selectors.start_page(viewer=coach, today=today).coach
    # then the month sent and the month changed after its attestation wait; the attested, the
    # one without hours and the untouched one do not
    assert panel.counts.attestation_waiting == 2
    # and the list the item links to names exactly those two
    client.force_login(coach)
    response = client.get(f"/participants/?unit={unit_a1.pk}&attestation_waiting=1")
    listed = [p.participant_ref for p in response.context["people"]]
    assert listed == ["T-CHANGED", "T-SENT"]
    # the coordinator counts them by unit; the other organisation's coach only their own
    [org] = selectors.start_page(viewer=coordinator, today=today).coordinator
    assert org.total.attestation_waiting == 2
    [other] = selectors.start_page(viewer=other_org_coach, today=today).coach
    assert other.counts.attestation_waiting == 1


def test_an_attestation_signed_through_the_link_ends_the_wait(attestations, coach, today):
    # given the month sent for attestation
    link = selfservice_services.SelfServiceLink.objects.get(
        participant=attestations["T-SENT"], revoked_at__isnull=True
    )
    monthly = link.participant.monthly_times.get(month=link.month)
    # when the participant attests the hours they were shown
    selfservice_services.selfservice_link_use_for_attestation(
        link=link, key=uuid.uuid4(), hours_seen=monthly.hours
    )
    # then only the month changed after its attestation still waits
    [panel] = selectors.start_page(viewer=coach, today=today).coach
    assert panel.counts.attestation_waiting == 1


def test_a_participant_shared_by_consent_shows_no_attested_time_to_the_other_organisation(
    attestations, coach, org_a, other_org_coach, today
):
    # given B's participant with a month sent for attestation, shared with A by consent
    ConsentFactory(
        participant=attestations["T-OTHER"],
        actor=other_org_coach,
        sharing=True,
        shared_with=[org_a],
    )
    filters = pathway_selectors.CaseloadFilters(attestation_waiting=True)

    def waiting(viewer):
        return [
            p.participant_ref
            for p in pathway_selectors.participant_list(
                viewer=viewer, filters=filters, today=today, audit_shown=False
            )
        ]

    # then A's coach reads the participant but not their time: attested time is never shared
    assert pathway_selectors.participant_list(viewer=coach, today=today, audit_shown=False).filter(
        participant_ref="T-OTHER"
    )
    assert waiting(coach) == ["T-CHANGED", "T-SENT"]
    assert waiting(other_org_coach) == ["T-OTHER"]


# --- action plans at risk --------------------------------------------------------------------


@pytest.fixture
def plans(coordinator, unit_a1, org_a):
    bed = BedFactory(code="TB-HOME", lead_organisation=org_a)
    behind = running_plan(coordinator, bed, "Långt efter", target="1000")
    running_plan(coordinator, bed, "I fas", target="0")
    participant = person(unit=unit_a1, actor=coordinator, participant_ref="PLAN-1")
    EnrolmentFactory(participant=participant, actor=coordinator, test_bed=bed)
    return behind


def test_a_coordinator_counts_the_plans_at_risk_the_plan_list_shows(
    client, plans, coordinator, coach, other_org_coordinator, today
):
    # when A's coordinator opens the start page
    client.force_login(coordinator)
    page = client.get("/").context["page"]
    # then one plan is at risk, and the item's link lists exactly it
    assert page.plans_at_risk == 1
    html = client.get("/").content.decode()
    [address] = re.findall(r'<a href="(/plans/\?[^"]+)">', html)
    listed = client.get(unescape(address)).context["page"]
    assert [p.pk for p in listed.object_list] == [plans.pk]
    # another organisation's coordinator has none; a coach has no plans panel
    client.force_login(other_org_coordinator)
    assert client.get("/").context["page"].plans_at_risk == 0
    assert selectors.start_page(viewer=coach, today=today).plans_at_risk is None


def test_an_administrator_counts_the_partnership_plans_at_risk(admin_user, today):
    page = selectors.start_page(viewer=admin_user, today=today)
    assert page.plans_at_risk == len(plan_selectors.plans_at_risk(viewer=admin_user, on=today))


def test_the_start_page_with_plans_stays_within_its_query_budget(
    client, caseload, plans, coordinator, django_assert_max_num_queries
):
    client.force_login(coordinator)
    with django_assert_max_num_queries(20):
        assert client.get("/").status_code == 200
