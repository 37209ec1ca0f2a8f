"""The participant page (decision 64): its repeated markup put together in Python is what the
template's loops gave, its queries stay within a budget that does not grow with the record, and
what it shows, and to whom, is as before."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.http import Http404
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from emplus.core.models import AuditEvent
from emplus.evidence_core import reliable_change
from emplus.evidence_core.reliable_change import DimensionChange
from emplus.pathways import charts, selectors, services
from emplus.pathways.models import Instrument
from emplus.pathways.templatetags.participant_rows import (
    chart_marks,
    progress_table_rows,
    timeline_entries,
)
from emplus.worklife import selectors as worklife_selectors
from emplus.worklife import services as worklife_services

pytestmark = pytest.mark.django_db

# The loops as the template had them before decision 64, verbatim.
TEMPLATE_CHART = """{% load l10n %}{% localize off %}{% for tick in chart.ticks %}<line x1="{{ tick.x }}" x2="{{ tick.x }}" y1="{{ chart.axis_y|add:4 }}" y2="{{ chart.height|add:-4 }}" stroke="#c9d0d9" stroke-width="1"></line><text x="{{ tick.x }}" y="{{ chart.axis_y }}" text-anchor="middle" font-size="12" fill="#4a5360">{{ tick.label }}</text>{% endfor %}
      {% for row in chart.rows %}
      <g class="row-{{ row.verdict }}"><title>{{ row.title }}</title>
        <text x="{{ chart.left }}" y="{{ row.label_y }}" font-size="13" fill="#1b1f24">{{ row.label }}{% if row.verdict == "improved" %} ▲{% elif row.verdict == "deteriorated" %} ▼{% endif %}</text>
        <line x1="{{ row.x_first }}" x2="{{ row.x_latest }}" y1="{{ row.y }}" y2="{{ row.y }}" stroke="#14406b" stroke-width="3"></line>
        <circle cx="{{ row.x_first }}" cy="{{ row.y }}" r="6" fill="#ffffff" stroke="#14406b" stroke-width="2"></circle>
        <circle cx="{{ row.x_latest }}" cy="{{ row.y }}" r="6" fill="#14406b"></circle>
      </g>
      {% endfor %}{% endlocalize %}"""  # noqa: E501
TEMPLATE_TABLE = """{% for row in progress_rows %}
      <tr><th scope="row">{{ row.label }}</th><td class="num">{{ row.first|default_if_none:"–" }}</td><td class="num">{{ row.latest|default_if_none:"–" }}</td>
        <td class="num">{% if row.change is not None %}{% if row.change > 0 %}+{% endif %}{{ row.change }}{% else %}–{% endif %}</td>
        <td class="num">{{ row.rci|default:"–" }}</td><td>{{ row.verdict_label }}</td></tr>
    {% endfor %}"""  # noqa: E501
TEMPLATE_TIMELINE = """{% for entry in timeline %}
      <li class="kind-{{ entry.kind }}"><time datetime="{{ entry.on|date:'Y-m-d' }}">{{ entry.on|date:"Y-m-d" }}</time> <strong>{{ entry.title }}</strong>{% if entry.text %} – {{ entry.text }}{% endif %}</li>
    {% endfor %}"""  # noqa: E501

ODD = "<b>Cv</b> & 'x' \"y\" %(s)s {z} 100 %"
START = date(2025, 1, 10)


def _record(coach, unit, ref="P1", *, steps=1, assessments=2, sharing_with=()):
    """A participant with an earlier, withdrawn consent and a current one, a closed enrolment
    (steps, an event, goals, assessments, the exit and its follow-up recorded) and an open one."""
    participant = services.participant_register(
        actor=coach,
        organisation=unit.organisation,
        unit=unit,
        participant_ref=ref,
        given_name="Testa",
        family_name=ODD,
    ).participant
    old = services.consent_record(
        actor=coach,
        participant=participant,
        information_version="1",
        given_on=START - timedelta(days=30),
        case_work=True,
    )
    services.consent_withdraw(actor=coach, consent=old)
    services.consent_record(
        actor=coach,
        participant=participant,
        information_version="2",
        given_on=START,
        case_work=True,
        follow_up=True,
        sharing=bool(sharing_with),
        shared_with=list(sharing_with),
    )
    closed = services.enrolment_start(actor=coach, participant=participant, entry_date=START)
    for n in range(steps):
        services.step_record(
            actor=coach,
            enrolment=closed,
            phase=["mobilise", "prepare", "train", "support"][n % 4],
            activity=f"{ODD} {n}",
            started_on=START + timedelta(days=n),
            ended_on=START + timedelta(days=n + 20) if n % 2 else None,
            hours=Decimal("12.5") if n % 3 else None,
        )
    services.event_record(
        actor=coach, enrolment=closed, kind="job_started", occurred_on=START, note=ODD
    )
    services.goal_record(actor=coach, enrolment=closed, description=ODD, target_date=START)
    services.goal_record(actor=coach, enrolment=closed, description="Klar", achieved_on=START)
    instrument = Instrument.objects.get(code="VAGEN")
    codes = list(instrument.dimensions.values_list("code", flat=True))
    for n in range(assessments):
        services.assessment_record(
            actor=coach,
            enrolment=closed,
            instrument=instrument,
            assessed_on=START + timedelta(days=10 * n),
            # later assessments up, down and unchanged by dimension
            scores={c: 5 if n == 0 else min(10, 4 + i % 3 + n) for i, c in enumerate(codes)},
        )
    closed = services.enrolment_exit(
        actor=coach,
        enrolment=closed,
        exit_date=START + timedelta(days=100),
        reason="job",
        job_searching=False,
        employed=True,
    )
    services.followup_record(
        actor=coach,
        follow_up=closed.follow_up,
        observed_on=closed.follow_up.due_on,
        employed=True,
        improved=None,
    )
    services.enrolment_start(
        actor=coach, participant=participant, entry_date=START + timedelta(days=400)
    )
    return participant


def _page(client, participant, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse("pathways:detail", args=[participant.pk]))


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_rows_are_the_markup_the_template_gave(client, coach, unit_a1, language):
    # given a participant with a whole record, texts holding markup, quotes and placeholders
    participant = _record(coach, unit_a1, steps=5, assessments=3)
    client.force_login(coach)
    with translation.override(language):
        context = _page(client, participant, language).context
        chart, rows = context["chart"], context["progress_rows"]
        timelines = [item["timeline"] for item in context["enrolments"]]
        # when the chart, the table and the timelines are put together by the tags and by the
        # template's loops, then the text is the same, character for character
        assert chart_marks(chart) == Template(TEMPLATE_CHART).render(Context({"chart": chart}))
        assert progress_table_rows(rows) == Template(TEMPLATE_TABLE).render(
            Context({"progress_rows": rows})
        )
        for timeline in timelines:
            assert timeline_entries(timeline) == Template(TEMPLATE_TIMELINE).render(
                Context({"timeline": timeline})
            )
    # and the odd text was among them, escaped once
    escaped = "&lt;b&gt;Cv&lt;/b&gt; &amp; &#x27;x&#x27; &quot;y&quot;"
    assert escaped in timeline_entries(timelines[1])


def _change(n: int, verdict: str, first: int | None, latest: int | None) -> DimensionChange:
    change = None if first is None or latest is None else latest - first
    return DimensionChange(f"d{n}", f"{ODD} {n}", first, latest, change, 1.5 * n or None, verdict)


@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_verdict_and_sign_is_the_markup_the_template_gave(language):
    # given rows of every verdict, up, down, unchanged and unscored, with odd labels
    changes = [
        _change(0, reliable_change.IMPROVED, 2, 9),
        _change(1, reliable_change.DETERIORATED, 8, 3),
        _change(2, reliable_change.NO_RELIABLE_CHANGE, 5, 5),
        _change(3, reliable_change.NOT_ENOUGH_DATA, None, 4),
    ]
    with translation.override(language):
        chart = charts.dot_plot(rows=changes, scale_min=1, scale_max=10)
        rows = selectors.participant_progress_rows(changes)
        # then the tags give the text of the template's loops
        assert chart_marks(chart) == Template(TEMPLATE_CHART).render(Context({"chart": chart}))
        assert progress_table_rows(rows) == Template(TEMPLATE_TABLE).render(
            Context({"progress_rows": rows})
        )
    assert " ▲</text>" in chart_marks(chart) and " ▼</text>" in chart_marks(chart)
    assert '<td class="num">-5</td>' in progress_table_rows(rows)


def test_the_page_shows_the_whole_record(client, coach, org_b, unit_a1):
    # given a participant with a whole record and a consent that shares with organisation B
    participant = _record(coach, unit_a1, steps=2, assessments=3, sharing_with=[org_b])
    client.force_login(coach)
    # when the coach opens the page in English
    page = _page(client, participant, "en").content.decode()
    # then it shows the consents, the distance travelled and both timelines
    assert "yes: Organisation B" in page
    assert "withdrawn " in page
    assert "first assessment 2025-01-10 compared with the latest 2025-01-30 (3 assessments)" in page
    assert '<th scope="row">Total</th>' in page and "<svg" in page
    escaped = "&lt;b&gt;Cv&lt;/b&gt; &amp; &#x27;x&#x27; &quot;y&quot; %(s)s {z} 100 %"
    assert f"<strong>Step: Mobilise</strong> – {escaped} 0</li>" in page
    assert f"{escaped} 1 · 12.5 hours · until 2025-01-31</li>" in page
    assert f"<strong>Job started</strong> – {escaped}</li>" in page
    assert "<strong>Goal achieved</strong> – Klar</li>" in page
    assert "Mean 5.0 over 9 dimensions" in page
    assert "<strong>Exit: " in page and "employed: yes" in page
    assert "Employed: yes · improved situation: unknown" in page
    assert "Enrolment from 2026-02-14" in page and "Enrolment 2025-01-10 – 2025-04-20" in page
    # and the read was audited
    assert AuditEvent.objects.filter(
        action="participant.viewed", target_id=str(participant.pk)
    ).exists()


def test_a_consent_without_sharing_reads_no_organisations(client, coach, unit_a1):
    participant = _record(coach, unit_a1)
    client.force_login(coach)
    url = reverse("pathways:detail", args=[participant.pk])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.context["consent_shared_with"] == []
    # (the scope's one look-up of consents shared with the viewer's organisation reads no names)
    assert not any(
        "consent_shared_with" in q["sql"] and '"organisations_organisation"."name"' in q["sql"]
        for q in queries.captured_queries
    )


# Queries of the page: the session, the user with its memberships (decision 61), the participant
# with its organisation, unit and municipality, its consents, the audit event (its savepoint, the
# lane's head, the insert, the release; PostgreSQL takes the lane in a query of its own), the
# enrolments with their follow-ups, their steps, events, goals, assessments and scores in one
# union (decision 71), the instrument, its dimensions and the kept statistics, the work profile
# and the proposals. Not the organisations a consent shares with, unless it shares (decision
# 64); not the scope's look-up of consents shared with the viewer when the viewer's own grants
# reach the participant (decision 71).
BUDGET = {"postgresql": 16, "sqlite": 15}


@pytest.mark.parametrize("persona", ["coach", "coordinator"])
def test_the_page_costs_its_budget_whatever_the_record(request, client, coach, unit_a1, persona):
    def count(participant):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("pathways:detail", args=[participant.pk])).status_code == 200
        return len(queries)

    small = _record(coach, unit_a1, "S", steps=1, assessments=2)
    large = _record(coach, unit_a1, "L", steps=12, assessments=6)
    client.force_login(request.getfixturevalue(persona))
    count(small)
    # given a participant with one step and two assessments and one with many more, then both
    # pages cost the same queries, within the budget
    assert count(small) == count(large) <= BUDGET[connection.vendor]


def test_another_organisation_is_refused_and_sees_no_work_profile(
    client, coach, other_org_coordinator, unit_a1
):
    # given a participant of organisation A with a work profile
    participant = _record(coach, unit_a1)
    worklife_services.work_profile_set(actor=coach, participant=participant, max_commute_km=25)
    client.force_login(other_org_coordinator)
    # when B's coordinator asks for the page, then it is not found and nothing is audited
    assert client.get(reverse("pathways:detail", args=[participant.pk])).status_code == 404
    assert not AuditEvent.objects.filter(
        action="participant.viewed", actor_username=other_org_coordinator.username
    ).exists()
    # and the work profile's read, asked anyway, finds nothing for B (it is A's coach's)
    assert (
        worklife_selectors.work_profile_of(viewer=other_org_coordinator, participant=participant)
        is None
    )
    assert worklife_selectors.work_profile_of(viewer=coach, participant=participant) is not None
    assert (
        worklife_selectors.participant_proposal_history(
            viewer=other_org_coordinator, participant=participant
        )
        == []
    )


def test_a_shared_participant_is_shown_read_only(client, coach, other_org_coach, org_b, unit_a1):
    # given a participant of A whose consent shares the record with organisation B
    participant = _record(coach, unit_a1, steps=2, sharing_with=[org_b])
    worklife_services.work_profile_set(actor=coach, participant=participant, max_commute_km=25)
    client.force_login(other_org_coach)
    # when B's coach opens the page
    response = _page(client, participant, "en")
    page = response.content.decode()
    # then the record is shown read-only, with its timelines, and no work profile of A's
    assert response.status_code == 200 and response.context["can_change"] is False
    assert "Shared with your organisation by Organisation A" in page
    assert "Step: Mobilise" in page and "yes: Organisation B" in page
    assert reverse("pathways:edit", args=[participant.pk]) not in page
    assert "Work profile" not in page
    assert AuditEvent.objects.filter(
        action="participant.viewed", actor_username=other_org_coach.username
    ).exists()


def _timeline_of_the_five_reads(enrolment) -> list[selectors.TimelineItem]:
    """The timeline as selectors.enrolment_timeline made it before decision 71, verbatim but for
    its name, from the prefetches of the enrolment's steps, events, goals and assessments."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from emplus.pathways.selectors import TimelineItem

    items = [TimelineItem(enrolment.entry_date, 0, "entry", _("Entry"))]
    hours, until, phase = _("%(hours)s hours"), _("until %(date)s"), _("Step: %(phase)s")
    for step in enrolment.steps.all():
        text = step.activity
        if step.hours is not None:
            text += " · " + hours % {"hours": step.hours}
        if step.ended_on:
            text += " · " + until % {"date": step.ended_on.isoformat()}
        items.append(
            TimelineItem(
                step.started_on, 1, "step", phase % {"phase": step.get_phase_display()}, text
            )
        )
    for event in enrolment.events.all():
        items.append(
            TimelineItem(event.occurred_on, 2, "event", event.get_kind_display(), event.note)
        )
    for goal in enrolment.goals.all():
        when = goal.achieved_on or goal.target_date or timezone.localdate(goal.created_at)
        if goal.achieved_on:
            title = _("Goal achieved")
        elif goal.target_date:
            title = _("Goal (target date)")
        else:
            title = _("Goal set")
        items.append(TimelineItem(when, 3, "goal", title, goal.description))
    for assessment in enrolment.assessments.all():
        values = [s.value for s in assessment.scores.all()]
        text = ""
        if values:
            text = _("Mean %(mean)s over %(n)s dimensions") % {
                "mean": f"{sum(values) / len(values):.1f}",
                "n": len(values),
            }
        title = (
            _("Assessment entered by the participant")
            if assessment.entered_by_participant
            else _("Assessment")
        )
        items.append(TimelineItem(assessment.assessed_on, 4, "assessment", title, text))
    return sorted(items, key=lambda item: (item.on, item.order))


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_one_read_gives_the_timelines_and_progress_of_the_five(coach, unit_a1, language):
    # given a whole record, with goals of every kind on one day (their order within the day is
    # the database's order of target dates, NULLs where each database puts them), steps and
    # events on one day, and a second enrolment
    from django.db.models import Prefetch

    from emplus.pathways import progress_data
    from emplus.pathways.models import Assessment, Enrolment

    participant = _record(coach, unit_a1, steps=6, assessments=4)
    closed = participant.enrolments.order_by("entry_date").first()
    for description, target, achieved in [
        ("utan datum", None, None),
        ("mål", START + timedelta(days=3), None),
        ("nått", None, START + timedelta(days=3)),
        ("båda", START + timedelta(days=3), START + timedelta(days=3)),
    ]:
        services.goal_record(
            actor=coach,
            enrolment=closed,
            description=description,
            target_date=target,
            achieved_on=achieved,
        )
    services.event_record(actor=coach, enrolment=closed, kind="job_started", occurred_on=START)
    enrolments = list(
        Enrolment.objects.filter(participant=participant)
        .select_related("follow_up")
        .prefetch_related(
            "steps",
            "events",
            "goals",
            Prefetch("assessments", queryset=Assessment.objects.prefetch_related("scores")),
        )
        .order_by("-entry_date")
    )
    # when the page's one read gives the enrolments' rows
    with CaptureQueriesContext(connection) as queries:
        records = selectors.enrolment_records(participant=participant)
    assert len(queries) == 1
    with translation.override(language):
        for enrolment in enrolments:
            record = records.get(enrolment.pk, selectors.EnrolmentRecord())
            # then each timeline (the exit and follow-up aside, which both take from the
            # enrolment) is the one the five reads gave, entry by entry
            new = [
                i
                for i in selectors.enrolment_timeline(enrolment=enrolment, record=record)
                if i.kind not in ("exit", "followup")
            ]
            assert new == _timeline_of_the_five_reads(enrolment)
        # and the distance travelled is the one of the assessments read on their own
        instrument = progress_data.instrument_active()
        given = [a for e in enrolments if e.pk in records for a in records[e.pk].assessments]
        assert progress_data.participant_progress(
            participant=participant, instrument=instrument, language=language, assessments=given
        ) == progress_data.participant_progress(
            participant=participant, instrument=instrument, language=language
        )


def test_the_participant_read_is_the_scopes_for_every_persona(
    request, coach, org_b, unit_a1, unit_a2
):
    # given participants in two units of A, one shared with B by consent, one erased
    from django.utils import timezone

    from emplus.pathways.models import Participant

    people = {
        "a1": _record(coach, unit_a1, "A1"),
        "a2": services.participant_register(
            actor=request.getfixturevalue("coordinator"),
            organisation=unit_a2.organisation,
            unit=unit_a2,
            participant_ref="A2",
            given_name="Annan",
            family_name="Enhet",
        ).participant,
        "shared": _record(coach, unit_a1, "SH", sharing_with=[org_b]),
        "erased": _record(coach, unit_a1, "ER"),
    }
    Participant.objects.filter(pk=people["erased"].pk).update(erased_at=timezone.now())
    personas = [
        "coach",
        "coordinator",
        "analyst",
        "admin_user",
        "other_unit_coach",
        "other_org_coach",
        "other_org_coordinator",
        "no_role_user",
    ]
    for persona in personas:
        user = request.getfixturevalue(persona)
        for permission in ("participant.view", "participant.change"):
            for name, person in people.items():
                scoped = (
                    Participant.objects.restrict(user, permission)
                    .filter(pk=person.pk, erased_at__isnull=True)
                    .first()
                )
                # when the page's read asks for the participant, then it finds what the scope
                # finds, no more and no less
                try:
                    found = selectors.participant_get(
                        viewer=user, pk=person.pk, permission=permission
                    )
                except Http404:
                    found = None
                assert (found is None) == (scoped is None), (persona, permission, name)
                if found is not None:
                    # with the organisation, unit, municipality and consents read with it
                    with CaptureQueriesContext(connection) as queries:
                        shown = (
                            found.organisation.name,
                            found.unit.name if found.unit else None,
                            found.municipality_id and found.municipality.name,
                            [c.given_on for c in found.consents.all()],
                            selectors.consent_current(participant=found),
                        )
                    assert len(queries) == 0, (persona, name)
                    assert shown[0] == scoped.organisation.name
                    assert shown[3] == [
                        c.given_on for c in scoped.consents.order_by("-given_on", "-created_at")
                    ]
    # and B's coach, reading the shared record by consent, is audited as before
    assert AuditEvent.objects.filter(
        action="participant.viewed",
        actor_username=request.getfixturevalue("other_org_coach").username,
        target_id=str(people["shared"].pk),
    ).exists()
