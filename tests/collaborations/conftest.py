"""A municipality and an employer of the register, a collaboration of organisation A with both
(stored files go to the test run's media directory: tests/conftest.py)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from emplus.collaborations import services
from emplus.collaborations.letters import simple_pdf
from emplus.collaborations.services import PartyInput
from emplus.geo.models import County, Municipality
from tests.factories import OrganisationFactory, ThematicAreaFactory
from tests.worklife.conftest import make_employer


@pytest.fixture
def umea(geo):
    return OrganisationFactory(
        code="UMEAKOMMUN",
        name="Umeå kommun",
        sector="public",
        kind="municipality",
        is_partner=False,
        municipality_id="2480",
    )


@pytest.fixture
def employer(coordinator, org_a):
    return make_employer(coordinator, org_a)


@pytest.fixture
def area(geo):
    return ThematicAreaFactory(code="WORK")


def make_collaboration(actor, organisation, *, parties=(), title="Vägen till jobb", **values):
    values.setdefault("municipalities", [Municipality.objects.get(pk="2480")])
    values.setdefault("counties", [County.objects.get(pk="24")])
    return services.collaboration_create(
        actor=actor,
        organisation=organisation,
        title=title,
        kind=values.pop("kind", "iop"),
        starts_on=values.pop("starts_on", date(2025, 1, 1)),
        parties=parties,
        arenas=values.pop("arenas", ["working_life"]),
        **values,
    )


@pytest.fixture
def collaboration(coordinator, org_a, umea, employer, area):
    return make_collaboration(
        coordinator,
        org_a,
        parties=[
            PartyInput(role="partner", organisation=umea),
            PartyInput(role="host", employer=employer),
        ],
        thematic_areas=[area],
    )


def pdf_upload(name="avsiktsforklaring.pdf"):
    return SimpleUploadedFile(
        name, simple_pdf(["Avsiktsförklaring", "Umeå kommun"]), "application/pdf"
    )
