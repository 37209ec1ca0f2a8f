"""The register, one organisation's partners, the network and the sectors per county."""

from __future__ import annotations

import pytest
from django.http import Http404

from emplus.collaborations import selectors
from emplus.collaborations.selectors import CollaborationFilters
from emplus.collaborations.services import PartyInput
from tests.collaborations.conftest import make_collaboration

pytestmark = pytest.mark.django_db


def test_every_member_reads_the_register_but_no_one_without_a_role(
    collaboration, other_org_coach, analyst, no_role_user
):
    for viewer in (other_org_coach, analyst):
        assert list(selectors.collaboration_list(viewer=viewer)) == [collaboration]
        assert selectors.collaboration_get(viewer=viewer, pk=collaboration.pk) == collaboration
    assert not selectors.collaboration_list(viewer=no_role_user).exists()
    with pytest.raises(Http404):
        selectors.collaboration_get(viewer=no_role_user, pk=collaboration.pk)


def test_only_the_owner_changes(collaboration, coordinator, other_org_coordinator, coach):
    assert selectors.collaboration_for_change(viewer=coordinator, pk=collaboration.pk)
    for viewer in (other_org_coordinator, coach):
        with pytest.raises(Http404):
            selectors.collaboration_for_change(viewer=viewer, pk=collaboration.pk)


@pytest.mark.parametrize(
    ("filters", "found"),
    [
        (CollaborationFilters(sector="public"), True),
        (CollaborationFilters(sector="education"), False),
        (CollaborationFilters(arena="working_life"), True),
        (CollaborationFilters(arena="education_training"), False),
        (CollaborationFilters(thematic_area="WORK"), True),
        (CollaborationFilters(county="24"), True),
        (CollaborationFilters(county="01"), False),
        (CollaborationFilters(organisation="UMEAKOMMUN"), True),
        (CollaborationFilters(q="jobb"), True),
    ],
)
def test_filters(collaboration, other_org_coach, filters, found):
    assert selectors.collaboration_list(viewer=other_org_coach, filters=filters).exists() is found


def test_partners_of_an_organisation_with_reasons(collaboration, coordinator, org_a, umea):
    partners = selectors.collaboration_partners(viewer=coordinator, organisation=umea)
    assert [p.actor.name for p in partners] == ["Bageriet i Umeå AB", org_a.name]
    assert partners[0].collaborations == [collaboration]
    assert list(selectors.collaborations_of(viewer=coordinator, organisation=umea)) == [
        collaboration
    ]


def test_network_has_an_edge_per_pair(collaboration, coordinator):
    network = selectors.collaboration_network(viewer=coordinator)
    assert len(network.actors) == 3
    assert len(network.edges) == 3
    assert all(len(neighbours) == 2 for _actor, neighbours in network.adjacency())


def test_county_without_cross_sector_collaboration_is_a_white_spot(
    collaboration, coordinator, org_a
):
    make_collaboration(coordinator, org_a, title="Bara vi", counties=[], municipalities=[])
    rows = {r.code: r for r in selectors.county_sectors(viewer=coordinator)}
    assert len(rows) == 21
    assert rows["24"].cross_sector == 1 and not rows["24"].white_spot
    assert set(rows["24"].sectors) == {"civil_society", "public", "business"}
    assert rows["01"].white_spot


def test_single_sector_collaboration_leaves_the_county_a_white_spot(coordinator, org_a, org_b):
    make_collaboration(coordinator, org_a, parties=[PartyInput(role="partner", organisation=org_b)])
    assert {r.code: r for r in selectors.county_sectors(viewer=coordinator)}["24"].white_spot
