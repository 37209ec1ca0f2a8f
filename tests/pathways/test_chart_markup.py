"""The change chart's SVG must be valid whatever the page language: Swedish number formatting
(decimal comma) inside coordinates would put every dot at x = 0."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from emplus.pathways import services
from emplus.pathways.models import Instrument

pytestmark = pytest.mark.django_db


def test_chart_coordinates_are_plain_numbers_in_swedish(client, coach, unit_a1):
    # given a participant with two assessments at different levels
    participant = services.participant_register(
        actor=coach,
        organisation=unit_a1.organisation,
        unit=unit_a1,
        participant_ref="C1",
        given_name="Testa",
        family_name="Person",
    ).participant
    enrolment = services.enrolment_start(
        actor=coach, participant=participant, entry_date=date(2025, 1, 1)
    )
    instrument = Instrument.objects.get(code="VAGEN")
    codes = list(instrument.dimensions.values_list("code", flat=True))
    for assessed_on, value in [(date(2025, 1, 2), 3), (date(2025, 4, 1), 7)]:
        services.assessment_record(
            actor=coach,
            enrolment=enrolment,
            instrument=instrument,
            assessed_on=assessed_on,
            scores=dict.fromkeys(codes, value),
        )
    client.force_login(coach)
    # when the page is shown in Swedish
    page = client.get(reverse("pathways:detail", args=[participant.pk])).content.decode()
    # then every coordinate parses as a number and first and latest dots differ
    svg = page[page.index("<svg") : page.index("</svg>")]
    coordinates = re.findall(r' (?:cx|x1|x2|x)="([^"]*)"', svg)
    assert coordinates and all(re.fullmatch(r"-?\d+(\.\d+)?", c) for c in coordinates)
    circles = re.findall(r'<circle cx="([^"]+)"', svg)
    assert float(circles[0]) < float(circles[1])
