"""Demo collaborations: every county, public, business and education actors, letters of intent
as real PDFs, and a few white spots of collaboration."""

from __future__ import annotations

import pytest

from emplus.collaborations import selectors
from emplus.collaborations.models import Collaboration, CollaborationDocument, CollaborationParty
from emplus.demo.builder import demo_data_create
from emplus.geo.services import reference_data_load
from emplus.organisations.models import Membership

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_register_across_all_counties():
    reference_data_load()
    demo_data_create(participants=50)
    collaborations = list(Collaboration.objects.all())
    for collaboration in collaborations:
        collaboration.full_clean()
    covered = set(Collaboration.counties.through.objects.values_list("county_id", flat=True))
    assert len(covered) == 21
    sectors = set(
        CollaborationParty.objects.filter(organisation__isnull=False).values_list(
            "organisation__sector", flat=True
        )
    )
    assert {"public", "education"} <= sectors
    assert CollaborationParty.objects.filter(employer__isnull=False).exists()
    documents = list(CollaborationDocument.objects.all())
    assert documents and all(d.file.read().startswith(b"%PDF-") for d in documents)
    viewer = Membership.objects.filter(role="coach").first().user
    rows = selectors.county_sectors(viewer=viewer)
    assert any(r.white_spot for r in rows) and any(not r.white_spot for r in rows)
    # idempotent: a second run adds nothing
    demo_data_create(participants=50)
    assert Collaboration.objects.count() == len(collaborations)
