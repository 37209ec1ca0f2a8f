"""Opportunities, work profiles, matching and proposals: validated, audited, scoped (0030)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from emplus.core.models import AuditEvent
from emplus.geo.models import Municipality
from emplus.pathways import services as pathway_services
from emplus.pathways.models import Participant, PathwayStep
from emplus.pathways.rights import participant_erase
from emplus.worklife import selectors, services
from emplus.worklife.models import Proposal, ProposalEvent

from .conftest import make_participant

pytestmark = pytest.mark.django_db

UMEA, VANNAS, STOCKHOLM = "2480", "2460", "0180"


def _opportunity(actor, employer, **values):
    return services.opportunity_create(
        actor=actor,
        organisation=employer.organisation,
        employer=employer,
        **{
            "title": "Undersköterska, praktik",
            "kind": "work_trial",
            "ssyk_code": "5321",
            "municipality": Municipality.objects.get(pk=UMEA),
            "starts_on": date(2025, 3, 1),
            "hours_per_week": Decimal("30"),
            **values,
        },
    )


def _consent_to_proposals(actor, participant, given_on=date(2025, 1, 11)):
    pathway_services.consent_record(
        actor=actor,
        participant=participant,
        information_version="2",
        given_on=given_on,
        case_work=True,
        employer_proposals=True,
    )


def _home(participant, code):
    Participant.objects.filter(pk=participant.pk).update(municipality_id=code)


@pytest.fixture
def opportunity(coach, employer):
    return _opportunity(coach, employer)


# --- opportunities ------------------------------------------------------------------------------


def test_opportunity_created_with_clean_ssyk_and_audited(coach, employer):
    opportunity = _opportunity(coach, employer, ssyk_code=" 53 21 ")
    assert opportunity.ssyk_code == "5321"
    assert opportunity.organisation == employer.organisation
    assert AuditEvent.objects.filter(action="opportunity.created").count() == 1


@pytest.mark.parametrize(
    ("code", "kind"), [("53a1", "format"), ("12345", "format"), ("19", "unknown")]
)
def test_opportunity_refuses_a_bad_ssyk_code_naming_the_field(coach, employer, code, kind):
    with pytest.raises(ValidationError) as error:
        _opportunity(coach, employer, ssyk_code=code)
    assert error.value.error_dict["ssyk_code"][0].code == kind


def test_opportunity_in_another_organisation_is_refused(coach, employer, org_b):
    with pytest.raises(PermissionDenied):
        services.opportunity_create(
            actor=coach,
            organisation=org_b,
            employer=employer,
            title="X",
            kind="employment",
            ssyk_code="9",
            municipality=employer.municipality,
        )


def test_opportunity_of_another_organisation_is_hidden_and_unchangeable(
    opportunity, other_org_coordinator
):
    with pytest.raises(Http404):
        selectors.opportunity_get(viewer=other_org_coordinator, pk=opportunity.pk)
    with pytest.raises(Http404):
        selectors.opportunity_for_change(viewer=other_org_coordinator, pk=opportunity.pk)
    assert not selectors.opportunity_list(viewer=other_org_coordinator).exists()


def test_partner_organisation_reads_the_opportunity_but_cannot_change_it(
    coach, employer, org_b, other_org_coordinator
):
    employer.partner_organisations.add(org_b)
    opportunity = _opportunity(coach, employer)
    assert selectors.opportunity_get(viewer=other_org_coordinator, pk=opportunity.pk)
    with pytest.raises(PermissionDenied):
        services.opportunity_update(
            actor=other_org_coordinator,
            opportunity=opportunity,
            employer=employer,
            title="Ändrad",
            kind="employment",
            ssyk_code="5321",
            municipality=employer.municipality,
        )


def test_opportunity_list_filters(coach, employer):
    _opportunity(coach, employer, title="Lagerarbete", ssyk_code="9321", kind="employment")
    _opportunity(coach, employer, title="Stängd", is_open=False)
    _opportunity(coach, employer)

    def titles(**filters):
        filters_ = selectors.OpportunityFilters(**filters)
        return sorted(o.title for o in selectors.opportunity_list(viewer=coach, filters=filters_))

    assert titles(ssyk="93") == ["Lagerarbete"]
    assert titles(kind="work_trial") == ["Undersköterska, praktik"]
    assert titles(open_only=False, q="stäng") == ["Stängd"]
    assert titles(municipality=STOCKHOLM) == []


# --- work profile -----------------------------------------------------------------------------


def test_work_profile_set_cleans_goals_and_is_audited(coach, participant):
    profile = services.work_profile_set(
        actor=coach,
        participant=participant,
        occupational_goals=["5321", " 53 ", "", "5321"],
        max_commute_km=40,
        hours_per_week=Decimal("30"),
    )
    assert profile.occupational_goals == ["5321", "53"]
    again = services.work_profile_set(actor=coach, participant=participant, occupational_goals=[])
    assert again.pk == profile.pk and again.occupational_goals == []
    assert AuditEvent.objects.filter(action="work_profile.set").count() == 2


def test_work_profile_refuses_a_bad_goal_and_another_units_coach(
    coach, participant, other_unit_coach
):
    with pytest.raises(ValidationError) as error:
        services.work_profile_set(actor=coach, participant=participant, occupational_goals=["x"])
    assert "occupational_goals" in error.value.error_dict
    with pytest.raises(PermissionDenied):
        services.work_profile_set(actor=other_unit_coach, participant=participant)
    assert selectors.work_profile_of(viewer=other_unit_coach, participant=participant) is None


# --- matching -----------------------------------------------------------------------------------


def test_matching_ranks_own_participants_with_reasons(coach, unit_a1, opportunity):
    # given a participant who fits well and one who does not
    good = make_participant(coach, unit_a1, ref="GOOD")
    _home(good, UMEA)
    services.work_profile_set(
        actor=coach, participant=good, occupational_goals=["5321"], hours_per_week=Decimal(30)
    )
    poor = make_participant(coach, unit_a1, ref="POOR")
    _home(poor, STOCKHOLM)
    services.work_profile_set(actor=coach, participant=poor, occupational_goals=["2511"])
    # when
    page = selectors.opportunity_matches(viewer=coach, opportunity=opportunity)
    # then
    assert [r.participant.participant_ref for r in page.rows] == ["GOOD", "POOR"]
    best = page.rows[0].match
    assert {r.part: r.code for r in best.reasons}["occupation"] == "same_occupation"
    assert {r.part: r.code for r in best.reasons}["distance"] == "same_municipality"
    assert {r.part: r.code for r in page.rows[1].match.reasons}["distance"] == "too_far"
    event = AuditEvent.objects.get(action="opportunity.matches_viewed")
    assert len(event.details["participants"]) == 2


def test_matching_never_shows_participants_outside_the_viewers_own_scope(
    coach, unit_a1, unit_a2, unit_b1, org_a, opportunity, other_unit_coach, other_org_coach
):
    mine = make_participant(coach, unit_a1, ref="MINE")
    theirs = make_participant(other_unit_coach, unit_a2, ref="THEIRS")
    elsewhere = make_participant(other_org_coach, unit_b1, ref="ELSEWHERE")
    # shared by consent with organisation A: readable there, but not the coach's own
    pathway_services.consent_record(
        actor=other_org_coach,
        participant=elsewhere,
        information_version="1",
        given_on=date(2025, 1, 12),
        case_work=True,
        sharing=True,
        shared_with=[org_a],
    )
    refs = {
        r.participant.participant_ref
        for r in selectors.opportunity_matches(viewer=coach, opportunity=opportunity).rows
    }
    assert refs == {"MINE"}
    assert mine and theirs
    other = selectors.opportunity_matches(viewer=other_unit_coach, opportunity=opportunity)
    assert {r.participant.participant_ref for r in other.rows} == {"THEIRS"}


def test_matching_pages_load_only_the_page(
    coach, unit_a1, opportunity, django_assert_max_num_queries
):
    for i in range(30):
        make_participant(coach, unit_a1, ref=f"P{i:02}")
    with django_assert_max_num_queries(8):
        page = selectors.opportunity_matches(viewer=coach, opportunity=opportunity, page=2)
    assert page.considered == 30
    assert len(page.rows) == 5 and page.rows[0].rank == 26


# --- proposals -----------------------------------------------------------------------------------


def test_proposal_refused_without_consent_with_a_clear_message(coach, participant, opportunity):
    with pytest.raises(ValidationError) as error:
        services.proposal_create(
            actor=coach,
            opportunity=opportunity,
            participant=participant,
            proposed_on=date(2025, 2, 1),
        )
    assert error.value.error_dict["participant"][0].code == "consent"
    assert not Proposal.objects.exists()


def test_proposal_runs_to_started_with_history_and_a_placement(coach, participant, opportunity):
    _consent_to_proposals(coach, participant)
    proposal = services.proposal_create(
        actor=coach, opportunity=opportunity, participant=participant, proposed_on=date(2025, 2, 1)
    )
    for status, on in (("meeting", 5), ("offered", 10), ("started", 20)):
        proposal = services.proposal_move(
            actor=coach, proposal=proposal, status=status, occurred_on=date(2025, 2, on)
        )
    assert proposal.status == "started"
    assert proposal.placement.employer == opportunity.employer
    assert proposal.placement.kind == "work_trial"
    assert proposal.placement.step.phase == "train"
    assert list(proposal.events.values_list("status", flat=True)) == [
        "proposed",
        "meeting",
        "offered",
        "started",
    ]
    assert AuditEvent.objects.filter(action__startswith="proposal.").count() == 4
    assert PathwayStep.objects.filter(placement=proposal.placement).exists()


def test_proposal_moves_only_forward_and_declining_needs_a_reason(coach, participant, opportunity):
    _consent_to_proposals(coach, participant)
    proposal = services.proposal_create(
        actor=coach, opportunity=opportunity, participant=participant, proposed_on=date(2025, 2, 1)
    )
    with pytest.raises(ValidationError) as error:
        services.proposal_move(
            actor=coach, proposal=proposal, status="started", occurred_on=date(2025, 2, 2)
        )
    assert "status" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        services.proposal_move(
            actor=coach, proposal=proposal, status="declined", occurred_on=date(2025, 2, 2)
        )
    assert "note" in error.value.error_dict
    with pytest.raises(ValidationError):
        services.proposal_move(
            actor=coach, proposal=proposal, status="meeting", occurred_on=date(2025, 1, 2)
        )
    declined = services.proposal_move(
        actor=coach,
        proposal=proposal,
        status="declined",
        occurred_on=date(2025, 2, 2),
        note="Fick annat arbete",
    )
    assert declined.declined_reason == "Fick annat arbete"
    with pytest.raises(ValidationError):
        services.proposal_move(
            actor=coach, proposal=declined, status="meeting", occurred_on=date(2025, 2, 3)
        )


def test_withdrawn_consent_stops_moves_but_not_declining(coach, participant, opportunity):
    _consent_to_proposals(coach, participant)
    proposal = services.proposal_create(
        actor=coach, opportunity=opportunity, participant=participant, proposed_on=date(2025, 2, 1)
    )
    pathway_services.consent_record(
        actor=coach,
        participant=participant,
        information_version="2",
        given_on=date(2025, 2, 3),
        case_work=True,
    )
    with pytest.raises(ValidationError):
        services.proposal_move(
            actor=coach, proposal=proposal, status="meeting", occurred_on=date(2025, 2, 4)
        )
    services.proposal_move(
        actor=coach, proposal=proposal, status="declined", occurred_on=date(2025, 2, 4), note="Nej"
    )


def test_proposal_of_another_units_participant_or_closed_opportunity_is_refused(
    coach, participant, opportunity, other_unit_coach, employer
):
    _consent_to_proposals(coach, participant)
    with pytest.raises(PermissionDenied):
        services.proposal_create(
            actor=other_unit_coach,
            opportunity=opportunity,
            participant=participant,
            proposed_on=date(2025, 2, 1),
        )
    closed = _opportunity(coach, employer, is_open=False)
    with pytest.raises(ValidationError):
        services.proposal_create(
            actor=coach, opportunity=closed, participant=participant, proposed_on=date(2025, 2, 1)
        )


def test_proposals_shown_in_scope_and_counted_with_suppression(
    coach, participant, opportunity, other_unit_coach, other_org_coordinator, org_b, employer
):
    _consent_to_proposals(coach, participant)
    services.proposal_create(
        actor=coach, opportunity=opportunity, participant=participant, proposed_on=date(2025, 2, 1)
    )
    assert len(selectors.opportunity_proposals(viewer=coach, opportunity=opportunity)) == 1
    assert selectors.opportunity_proposals(viewer=other_unit_coach, opportunity=opportunity) == []
    own = selectors.proposal_counts(viewer=other_unit_coach, opportunity=opportunity)
    assert own.cells["proposed"] == 1 and not own.suppressed
    employer.partner_organisations.add(org_b)
    partner = selectors.proposal_counts(viewer=other_org_coordinator, employer=employer)
    assert partner.suppressed and partner.cells["proposed"] is None


def test_erasure_clears_the_free_text_of_proposals(coach, participant, opportunity, coordinator):
    _consent_to_proposals(coach, participant)
    proposal = services.proposal_create(
        actor=coach,
        opportunity=opportunity,
        participant=participant,
        proposed_on=date(2025, 2, 1),
        note="Ringer Anna",
    )
    services.proposal_move(
        actor=coach,
        proposal=proposal,
        status="declined",
        occurred_on=date(2025, 2, 2),
        note="Flyttar till Malmö",
    )
    participant_erase(actor=coordinator, participant=participant, reason="Begäran")
    proposal.refresh_from_db()
    assert proposal.declined_reason == services.ERASED_TEXT
    assert set(ProposalEvent.objects.values_list("note", flat=True)) == {""}


# The proposals' list of the participant page as its template had it before decision 71, verbatim
# (the events were model instances with their proposal, opportunity and employer joined).
TEMPLATE_PROPOSALS_BEFORE = """{% load i18n %}{% for e in events %}{% with p=e.proposal %}
  <li class="kind-proposal"><time datetime="{{ e.occurred_on|date:'Y-m-d' }}">{{ e.occurred_on|date:"Y-m-d" }}</time>
    <strong><a href="{% url 'worklife:proposal_detail' p.pk %}">{% blocktranslate with title=p.opportunity.title employer=p.opportunity.employer.name %}Proposal to {{ title }} ({{ employer }}){% endblocktranslate %}</a>: {{ e.get_status_display }}</strong>{% if e.note %} – {{ e.note }}{% endif %}</li>
  {% endwith %}{% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_participant_pages_proposals_are_the_markup_they_were(
    client, coach, participant, employer, language
):
    from django.conf import settings
    from django.template import Context, Template
    from django.urls import reverse
    from django.utils import translation

    # given two proposals of the participant, one moved on with a note holding markup, and one
    # of another participant
    _consent_to_proposals(coach, participant)
    odd = _opportunity(coach, employer, title="<b>Kock</b> & 'x'")
    first = services.proposal_create(
        actor=coach, opportunity=odd, participant=participant, proposed_on=date(2025, 2, 1)
    )
    services.proposal_move(
        actor=coach,
        proposal=first,
        status="meeting",
        occurred_on=date(2025, 2, 3),
        note="<i>Ja</i>",
    )
    services.proposal_create(
        actor=coach,
        opportunity=_opportunity(coach, employer, title="Lager"),
        participant=participant,
        proposed_on=date(2025, 2, 2),
    )
    other = make_participant(coach, participant.unit, ref="P2")
    _consent_to_proposals(coach, other)
    services.proposal_create(
        actor=coach, opportunity=odd, participant=other, proposed_on=date(2025, 2, 1)
    )
    client.force_login(coach)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    # when the coach opens the participant's page
    page = client.get(reverse("pathways:detail", args=[participant.pk])).content.decode()
    # then its list of the proposals' moves is what the template gave from the model instances
    events = (
        ProposalEvent.objects.filter(proposal__participant=participant)
        .select_related("proposal__opportunity__employer")
        .order_by("occurred_on", "created_at")
    )
    with translation.override(language):
        before = Template(TEMPLATE_PROPOSALS_BEFORE).render(Context({"events": events}))
    assert len(events) == 3 and before in page
    assert (
        "&lt;b&gt;Kock&lt;/b&gt; &amp; &#x27;x&#x27;" in before
        and "&lt;i&gt;Ja&lt;/i&gt;" in before
    )
