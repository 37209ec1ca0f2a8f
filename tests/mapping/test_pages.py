"""Pages of activities, methods, thematic areas, test beds and search: who may see them, what
they show, and the suppression of small participant counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from emplus.core.choices import Arena
from emplus.mapping.choices import DeliveryMode
from emplus.mapping.models import Activity
from emplus.mapping.search import search
from emplus.organisations.permissions import can_change_owned
from emplus.pathways.models import Enrolment, Participant
from tests.mapping.factories import make_activity, make_area, make_method, make_test_bed

pytestmark = pytest.mark.django_db


@pytest.fixture
def content(org_a, org_b):
    area = make_area()
    method = make_method(
        code="M-PRAKTIK", name="Handledd praktik", purpose="Praktik hos arbetsgivare"
    )
    method.thematic_areas.set([area])
    activity = make_activity(
        org_b, ["2521"], title="Praktikspår i Pajala", methods=[method], thematic_areas=[area]
    )
    bed = make_test_bed(
        code="TB-NORR",
        name="Testbädd Norrbotten",
        county_id="25",
        lead_organisation=org_b,
        description="Praktik i glesbygd",
    )
    bed.methods.set([method])
    bed.thematic_areas.set([area])
    return {"area": area, "method": method, "activity": activity, "bed": bed}


def _pages(content):
    return [
        "/mapping/",
        "/mapping/?level=county",
        "/mapping/white-spots/",
        "/mapping/activities/",
        f"/mapping/activities/{content['activity'].pk}/",
        "/mapping/search/?q=praktik",
        "/methods/",
        f"/methods/{content['method'].code}/",
        "/methods/thematic-areas/",
        f"/methods/thematic-areas/{content['area'].code}/",
        "/testbeds/",
        f"/testbeds/{content['bed'].code}/",
    ]


@pytest.mark.parametrize("persona", ["coach", "coordinator", "analyst", "admin_user"])
def test_every_role_reads_activities_methods_and_test_beds_of_every_organisation(
    request, client, persona, content
):
    # given a member of organisation A; the content belongs to organisation B
    client.force_login(request.getfixturevalue(persona))
    for url in _pages(content):
        # when
        response = client.get(url)
        # then
        assert response.status_code == 200, url


def test_user_without_a_role_is_forbidden(client, no_role_user, content):
    client.force_login(no_role_user)
    for url in _pages(content):
        assert client.get(url).status_code == 403, url


def test_anonymous_is_sent_to_log_in(client, content):
    for url in _pages(content):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_unknown_objects_give_404(client, coordinator, content):
    client.force_login(coordinator)
    for url in [
        "/mapping/activities/00000000-0000-4000-8000-000000000000/",
        "/methods/NOPE/",
        "/methods/thematic-areas/NOPE/",
        "/testbeds/NOPE/",
    ]:
        assert client.get(url).status_code == 404, url


def test_method_page_shows_its_activities_and_test_beds(client, coach, content):
    # given
    client.force_login(coach)
    # when
    html = client.get(f"/methods/{content['method'].code}/").content.decode()
    # then
    assert "Praktikspår i Pajala" in html
    assert "Testbädd Norrbotten" in html


def _enrol(unit, n, *, method=None, test_bed=None, exit_reason="", prefix="P"):
    for i in range(n):
        participant = Participant.objects.create(
            organisation=unit.organisation, unit=unit, participant_ref=f"{prefix}{exit_reason}{i}"
        )
        Enrolment.objects.create(
            participant=participant,
            entry_date=dt.date(2025, 1, 1),
            exit_date=dt.date(2025, 6, 1) if exit_reason else None,
            exit_reason=exit_reason,
            method=method,
            test_bed=test_bed,
        )


def test_method_outcomes_are_shown_with_enough_participants_and_hidden_below_five(
    client, coach, content, org_b, unit_b1
):
    # given 8 participants of organisation B whose pathway used the method
    _enrol(unit_b1, 6, method=content["method"], exit_reason="job")
    _enrol(unit_b1, 2, method=content["method"], exit_reason="moved")
    client.force_login(coach)
    # when
    outcomes = client.get(f"/methods/{content['method'].code}/").context["outcomes"]
    # then: 8 participants, 6 to work, 2 other (hidden, and so is a complement)
    assert outcomes.participants == 8
    assert outcomes.other_exit is None
    assert outcomes.work_or_study is None or outcomes.exited is None


def test_test_bed_with_few_participants_hides_the_counts(client, coach, content, org_b, unit_b1):
    # given three participants enrolled through the test bed
    _enrol(unit_b1, 3, test_bed=content["bed"])
    client.force_login(coach)
    outcomes = client.get(f"/testbeds/{content['bed'].code}/").context["outcomes"]
    assert outcomes.participants is None


def test_search_finds_activities_methods_test_beds_and_visible_organisations(coach, content):
    # when
    results = search(viewer=coach, q="praktik")
    nothing = search(viewer=coach, q="zzzqqq")
    # then
    assert [a.title for a in results.activities] == ["Praktikspår i Pajala"]
    assert [m.code for m in results.methods] == ["M-PRAKTIK"]
    assert [b.code for b in results.test_beds] == ["TB-NORR"]
    assert nothing.total == 0


def test_search_of_organisations_respects_the_directory_scope(coach, org_a, org_b, content):
    # when
    found = search(viewer=coach, q="Organisation")
    # then: a coach of A sees A in the directory, not B
    assert [o.code for o in found.organisations] == ["ORGA"]


def test_only_coordinators_and_admins_of_the_owner_may_change(
    coach, coordinator, admin_user, other_org_coach, org_a, org_b
):
    assert can_change_owned(coordinator, [org_a.pk])
    assert can_change_owned(admin_user, [org_a.pk])
    assert not can_change_owned(coordinator, [org_b.pk])
    assert not can_change_owned(coach, [org_a.pk])
    assert not can_change_owned(other_org_coach, [org_b.pk])


def test_activity_filters_ignore_unknown_values(client, coordinator, content):
    client.force_login(coordinator)
    response = client.get("/mapping/activities/", {"arena": "x", "phase": "y", "target_group": "z"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 1


# The rows as the activity list's template wrote them before decision 54 (per row: `{% url %}`,
# the model's `get_..._display`, the `date` filter): the page must still show exactly this.
ROWS_BEFORE = (
    "{% load i18n %}<tbody>\n"
    "  {% for a in page %}\n"
    """    <tr><th scope="row"><a href="{% url 'mapping:activity' a.pk %}">{{ a.title }}</a></th>"""
    "<td>{{ a.organisation.name }}</td>\n"
    "      <td>{{ a.get_arena_display }}</td><td>{{ a.get_delivery_mode_display }}</td>"
    """<td>{{ a.start_date|date:"Y-m-d" }}</td></tr>\n"""
    """  {% empty %}<tr><td colspan="5">{% translate "No activity matches." %}</td></tr>"""
    "{% endfor %}\n"
    "  </tbody>"
)


@pytest.mark.parametrize("language", ["sv", "en"])
def test_activity_list_table_is_the_one_of_before(client, coordinator, org_a, org_b, language):
    # given activities of every arena and delivery mode, titles and names to escape, and more
    # than a page of them

    org_b.name = "Bröderna <B> & Co"
    org_b.save(update_fields=["name"])
    modes = list(DeliveryMode.values)
    for number in range(53):
        make_activity(
            (org_a, org_b)[number % 2],
            ["2480"],
            arena=Arena.values[number % len(Arena.values)],
            delivery_mode=modes[number % len(modes)],
            title=f'Kurs {number:02d} "A & B" <i>',
            start_date=dt.date(2025, 1 + number % 12, 1 + number % 28),
        )
    client.force_login(coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for page_number, query in ((1, {}), (2, {}), (1, {"q": "no such words"})):
        # when the list is shown
        response = client.get(
            "/mapping/activities/",
            {"page": page_number, **query},
        )
        html = response.content.decode()
        assert f'<html lang="{language}">' in html
        # then its rows are those the template of before writes for the same activities
        activities = Activity.objects.select_related("organisation").order_by("title", "code")
        if query:
            activities = activities.none()
        shown = activities[(page_number - 1) * 50 : page_number * 50]
        with translation.override(language):
            expected = Template(ROWS_BEFORE).render(Context({"page": shown}))
        body = "<tbody>" + html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] + "</tbody>"
        assert body == expected
        if not query:
            assert body.count("<tr>") == (50 if page_number == 1 else 3)
            assert "&quot;A &amp; B&quot; &lt;i&gt;" in body
            assert "Bröderna &lt;B&gt; &amp; Co" in body
    # the table keeps its caption and headers (WCAG: a data table with scoped headers)
    assert '<caption class="visually-hidden">' in html
    assert html.count('<th scope="col">') == 5
