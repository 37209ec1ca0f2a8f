"""Method and test-bed pages show the ESF+ indicators of the participants whose enrolment names
them, across organisations and therefore always with small-cell suppression."""

from __future__ import annotations

import datetime as dt

import pytest

from emplus.core.models import AuditEvent
from emplus.pathways.models import Enrolment, Participant
from tests.mapping.factories import make_activity, make_method, make_test_bed

pytestmark = pytest.mark.django_db


def _enrol(unit, n, *, gender="woman", method=None, test_bed=None, prefix="P"):
    for i in range(n):
        participant = Participant.objects.create(
            organisation=unit.organisation,
            unit=unit,
            participant_ref=f"{prefix}{gender}{i}",
            birth_date=dt.date(1990, 1, 1),
            gender=gender,
            municipality_id=unit.municipality_id,
            lm_status_entry="unemployed",
            unemployed_months=14,
            isced=2,
        )
        Enrolment.objects.create(
            participant=participant,
            entry_date=dt.date(2025, 1, 1),
            method=method,
            test_bed=test_bed,
        )


@pytest.fixture
def method(org_b):
    method = make_method(code="M-RES", name="Resultatmetod")
    make_activity(org_b, ["2521"], title="Praktik med metoden", methods=[method])
    bed = make_test_bed(code="TB-RES", name="Resultattestbädd", lead_organisation=org_b)
    bed.methods.set([method])
    return method


def _indicator(response, code):
    return next(r["row"] for r in response.context["indicators"] if r["row"].code == code)


def test_a_method_page_shows_its_activities_test_beds_and_suppressed_outcome_figures(
    client, coach, method, unit_a1, unit_b1
):
    # given 8 women and 2 men from two organisations whose enrolment names the method, and
    # 3 participants with another method
    _enrol(unit_a1, 5, method=method, prefix="A")
    _enrol(unit_b1, 3, method=method, prefix="B")
    _enrol(unit_b1, 2, gender="man", method=method, prefix="B")
    _enrol(unit_b1, 3, method=make_method(code="M-OTHER"), prefix="O")
    client.force_login(coach)  # the log-in itself is audited
    audited_before = AuditEvent.objects.count()
    # when
    response = client.get(f"/methods/{method.code}/")
    html = response.content.decode()
    # then: its activity and test bed, and the indicators of its 10 participants only
    assert "Praktik med metoden" in html and "Resultattestbädd" in html
    total = _indicator(response, "EECO01")
    assert total.total == 10
    # 2 men: hidden, and the 8 women with them, or 2 could be worked out as 10 - 8
    assert total.man is None and total.woman is None
    assert _indicator(response, "EECO03").total == 10  # long-term unemployed
    assert 'class="esf-indicators"' in html
    # no participant is read into the page, so no read is audited
    assert AuditEvent.objects.count() == audited_before
    assert "Awoman0" not in html


def test_a_method_with_few_participants_hides_every_count(client, analyst, method, unit_b1):
    # given three participants
    _enrol(unit_b1, 3, method=method)
    client.force_login(analyst)
    # when
    response = client.get(f"/methods/{method.code}/")
    # then
    assert _indicator(response, "EECO01").total is None
    assert all(r["row"].woman in (None, 0) for r in response.context["indicators"])


def test_a_method_nobody_used_says_so(client, coach, method):
    client.force_login(coach)
    response = client.get(f"/methods/{method.code}/")
    assert response.context["indicators"] is None
    assert "evidence/progression" not in response.content.decode()  # a coach has no evidence


def test_test_bed_results_page_shows_suppressed_indicators(
    client, coordinator, method, unit_a1, unit_b1
):
    # given 6 participants enrolled through the test bed
    bed = method.test_beds.get()
    _enrol(unit_a1, 4, test_bed=bed, prefix="A")
    _enrol(unit_b1, 2, test_bed=bed, prefix="B")
    client.force_login(coordinator)
    # when
    response = client.get(f"/testbeds/{bed.code}/")
    # then: suppressed even for a coordinator (the participants span organisations)
    assert _indicator(response, "EECO01").total == 6
    assert _indicator(response, "EECO01").man in (None, 0)
    assert "group_by=test_bed&amp;test_bed=TB-RES" in response.content.decode()
