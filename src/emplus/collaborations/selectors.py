"""Reads of the collaboration registry, scoped through restrict(): the register (every member
reads it), one organisation's collaborations and partners (for the consortium builder), the
network of who collaborates with whom, and per county the sectors reached.

For other apps (`emplus.calls`): `collaborations_of(viewer=, organisation=)` gives the
collaborations an organisation registered or takes part in; `collaboration_partners(viewer=,
organisation=)` gives every actor it shares a collaboration with, with the titles as reasons.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from emplus.collaborations.models import Collaboration, CollaborationDocument, CollaborationParty
from emplus.core import scoping
from emplus.core.typing import User
from emplus.geo.models import County
from emplus.mapping.selectors import white_spots
from emplus.organisations.choices import Sector
from emplus.organisations.models import Organisation
from emplus.worklife.models import Employer

VIEW = "collaboration.view"
CHANGE = "collaboration.change"


@dataclass(frozen=True)
class CollaborationFilters:
    q: str = ""
    kind: str = ""
    status: str = ""
    sector: str = ""  # a sector of any actor (owner or party)
    arena: str = ""
    thematic_area: str = ""  # thematic area code
    county: str = ""  # county code: covered directly or through a municipality
    organisation: str = ""  # organisation code: owner or party
    active_from: date | None = None  # period: overlapping [active_from, active_to]
    active_to: date | None = None

    def active(self) -> bool:
        return any(vars(self).values())


def _filtered(qs: QuerySet[Collaboration], f: CollaborationFilters) -> QuerySet[Collaboration]:
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(description__icontains=f.q))
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.arena:
        # a JSON list of codes; the quoted code matches on SQLite and PostgreSQL alike
        qs = qs.filter(arenas__icontains=f'"{f.arena}"')
    if f.thematic_area:
        qs = qs.filter(
            pk__in=Collaboration.thematic_areas.through.objects.filter(
                thematicarea__code=f.thematic_area
            ).values("collaboration_id")
        )
    if f.county:
        qs = qs.filter(
            Q(
                pk__in=Collaboration.counties.through.objects.filter(county_id=f.county).values(
                    "collaboration_id"
                )
            )
            | Q(
                pk__in=Collaboration.municipalities.through.objects.filter(
                    municipality__county_id=f.county
                ).values("collaboration_id")
            )
        )
    if f.sector:
        parties = CollaborationParty.objects.filter(
            Q(organisation__sector=f.sector) | Q(employer__sector=f.sector)
        ).values("collaboration_id")
        qs = qs.filter(Q(organisation__sector=f.sector) | Q(pk__in=parties))
    if f.organisation:
        parties = CollaborationParty.objects.filter(organisation__code=f.organisation).values(
            "collaboration_id"
        )
        qs = qs.filter(Q(organisation__code=f.organisation) | Q(pk__in=parties))
    if f.active_from:
        qs = qs.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=f.active_from))
    if f.active_to:
        qs = qs.filter(starts_on__lte=f.active_to)
    return qs


def collaboration_list(
    *, viewer: User, filters: CollaborationFilters | None = None
) -> QuerySet[Collaboration]:
    """The partnership's register as the viewer may read it, filtered, with the parties."""
    qs = _filtered(
        Collaboration.objects.restrict(viewer, VIEW).select_related("organisation"),
        filters or CollaborationFilters(),
    )
    return qs.prefetch_related(
        "parties__organisation", "parties__employer", "counties", "thematic_areas"
    ).order_by("title", "pk")


def collaboration_get(*, viewer: User, pk: UUID) -> Collaboration:
    collaboration = (
        Collaboration.objects.restrict(viewer, VIEW)
        .select_related("organisation")
        .prefetch_related(
            "parties__organisation",
            "parties__employer__municipality",
            "thematic_areas",
            "counties",
            "municipalities__county",
            "documents__uploaded_by",
        )
        .filter(pk=pk)
        .first()
    )
    if collaboration is None:
        raise Http404
    return collaboration


def collaboration_for_change(*, viewer: User, pk: UUID) -> Collaboration:
    """A collaboration of an organisation where the viewer keeps collaborations (else 404)."""
    collaboration = (
        Collaboration.objects.restrict(viewer, CHANGE)
        .select_related("organisation")
        .prefetch_related("parties", "thematic_areas", "counties", "municipalities")
        .filter(pk=pk)
        .first()
    )
    if collaboration is None:
        raise Http404
    return collaboration


def collaboration_can_change(*, viewer: User, collaboration: Collaboration) -> bool:
    return collaboration.organisation_id in scoping.organisation_ids_with(viewer, CHANGE)


def collaboration_owner_options(*, viewer: User) -> QuerySet[Organisation]:
    """The organisations in which the viewer may register collaborations."""
    return Organisation.objects.restrict(viewer, CHANGE).order_by("name")


def party_organisation_options() -> QuerySet[Organisation]:
    """Every organisation of the register (partners and actors of other sectors): reference
    data, the same for every viewer."""
    return Organisation.objects.order_by("name")


def party_employer_options(*, viewer: User) -> QuerySet[Employer]:
    """The employers a party may name: those the viewer reads in working life."""
    return Employer.objects.restrict(viewer, "employer.view").order_by("name")


def document_get(*, viewer: User, pk: UUID) -> CollaborationDocument:
    """A document, for download, through the register's scope (else 404)."""
    document = (
        CollaborationDocument.objects.restrict(viewer, VIEW)
        .select_related("collaboration")
        .filter(pk=pk)
        .first()
    )
    if document is None:
        raise Http404
    return document


def document_for_change(*, viewer: User, pk: UUID) -> CollaborationDocument:
    document = (
        CollaborationDocument.objects.restrict(viewer, CHANGE)
        .select_related("collaboration")
        .filter(pk=pk)
        .first()
    )
    if document is None:
        raise Http404
    return document


# --- one organisation's collaborations and partners (read by emplus.calls) --------------------


def collaborations_of(*, viewer: User, organisation: Organisation) -> QuerySet[Collaboration]:
    """The collaborations an organisation registered or is a party of, as the viewer reads
    them (the whole register for every member of the partnership)."""
    as_party = CollaborationParty.objects.filter(organisation=organisation).values(
        "collaboration_id"
    )
    return (
        Collaboration.objects.restrict(viewer, VIEW)
        .filter(Q(organisation=organisation) | Q(pk__in=as_party))
        .select_related("organisation")
        .order_by("-starts_on", "title", "pk")
    )


@dataclass(frozen=True)
class Actor:
    """A node of the network: an organisation of the register or an employer."""

    key: str  # "o:<uuid>" or "e:<uuid>"
    name: str
    sector: str
    kind: str  # organisation kind, or "employer"
    is_partner: bool
    organisation_id: UUID | None = None

    @property
    def sector_label(self) -> str:
        return str(Sector(self.sector).label) if self.sector in Sector.values else self.sector


@dataclass
class CollaborationPartner:
    """An actor that shares collaborations with an organisation, and which (the reasons)."""

    actor: Actor
    collaborations: list[Collaboration] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return any(c.status == "active" for c in self.collaborations)


def _actors_of(collaborations: list[Collaboration]) -> dict[UUID, list[Actor]]:
    """Owner and parties of each collaboration, in two queries."""
    actors: dict[UUID, list[Actor]] = defaultdict(list)
    owners = Organisation.objects.filter(pk__in={c.organisation_id for c in collaborations})
    by_id = {o.pk: o for o in owners}
    for c in collaborations:
        owner = by_id[c.organisation_id]
        actors[c.pk].append(_organisation_actor(owner))
    parties = CollaborationParty.objects.filter(
        collaboration__in=[c.pk for c in collaborations]
    ).select_related("organisation", "employer")
    for party in parties:
        if party.organisation is not None:
            actors[party.collaboration_id].append(_organisation_actor(party.organisation))
        elif party.employer is not None:
            actors[party.collaboration_id].append(
                Actor(
                    key=f"e:{party.employer.pk}",
                    name=party.employer.name,
                    sector=party.employer.sector,
                    kind="employer",
                    is_partner=False,
                )
            )
    return actors


def _organisation_actor(organisation: Organisation) -> Actor:
    return Actor(
        key=f"o:{organisation.pk}",
        name=organisation.name,
        sector=organisation.sector,
        kind=organisation.kind,
        is_partner=organisation.is_partner,
        organisation_id=organisation.pk,
    )


def collaboration_partners(
    *, viewer: User, organisation: Organisation
) -> list[CollaborationPartner]:
    """Every actor sharing a collaboration with the organisation, most collaborations first,
    each with those collaborations (the reasons a partner is suggested)."""
    collaborations = list(collaborations_of(viewer=viewer, organisation=organisation))
    actors = _actors_of(collaborations)
    own_key = f"o:{organisation.pk}"
    partners: dict[str, CollaborationPartner] = {}
    for collaboration in collaborations:
        for actor in actors[collaboration.pk]:
            if actor.key == own_key:
                continue
            partner = partners.setdefault(actor.key, CollaborationPartner(actor=actor))
            partner.collaborations.append(collaboration)
    return sorted(partners.values(), key=lambda p: (-len(p.collaborations), p.actor.name))


# --- the network: who collaborates with whom ---------------------------------------------------


@dataclass(frozen=True)
class Edge:
    a: Actor
    b: Actor
    weight: int  # collaborations the two share


@dataclass(frozen=True)
class Network:
    actors: list[Actor]  # by degree, then name
    edges: list[Edge]  # heaviest first
    degree: dict[str, int]
    collaborations: int

    def adjacency(self) -> list[tuple[Actor, list[Actor]]]:
        """Each actor with its neighbours by name: the network as an accessible list."""
        neighbours: dict[str, list[Actor]] = defaultdict(list)
        for edge in self.edges:
            neighbours[edge.a.key].append(edge.b)
            neighbours[edge.b.key].append(edge.a)
        return [
            (actor, sorted(neighbours[actor.key], key=lambda a: a.name)) for actor in self.actors
        ]


def collaboration_network(*, viewer: User, filters: CollaborationFilters | None = None) -> Network:
    """Actors of the filtered collaborations and an edge for every pair in one collaboration."""
    collaborations = list(
        _filtered(Collaboration.objects.restrict(viewer, VIEW), filters or CollaborationFilters())
        .only("pk", "organisation_id", "status")
        .order_by("pk")
    )
    actors_of = _actors_of(collaborations)
    actors: dict[str, Actor] = {}
    weights: dict[tuple[str, str], int] = defaultdict(int)
    for collaboration in collaborations:
        members = {a.key: a for a in actors_of[collaboration.pk]}
        actors.update(members)
        keys = sorted(members)
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                weights[(a, b)] += 1
    degree: dict[str, int] = defaultdict(int)
    for a, b in weights:
        degree[a] += 1
        degree[b] += 1
    ordered = sorted(actors.values(), key=lambda a: (-degree[a.key], a.name, a.key))
    edges = sorted(
        (Edge(actors[a], actors[b], w) for (a, b), w in weights.items()),
        key=lambda e: (-e.weight, e.a.name, e.b.name),
    )
    return Network(
        actors=ordered, edges=edges, degree=dict(degree), collaborations=len(collaborations)
    )


# --- per county: the sectors reached, and where no cross-sector collaboration exists ------------


@dataclass(frozen=True)
class CountySectors:
    code: str
    name: str
    collaborations: int
    cross_sector: int  # collaborations whose actors span two sectors or more
    sectors: tuple[str, ...]  # the sectors of the actors of its collaborations
    activity_white_spots: int  # municipalities of the county that are activity white spots

    @property
    def white_spot(self) -> bool:
        return self.cross_sector == 0

    @property
    def sector_labels(self) -> list[str]:
        return [str(Sector(s).label) if s in Sector.values else s for s in self.sectors]


def county_sectors(
    *, viewer: User, filters: CollaborationFilters | None = None
) -> list[CountySectors]:
    """Every county with the sectors its collaborations reach; a county without a collaboration
    across sectors is a white spot, shown beside the activity white spots of the mapping."""
    f = filters or CollaborationFilters()
    collaborations = list(
        _filtered(
            Collaboration.objects.restrict(viewer, VIEW),
            CollaborationFilters(**{**vars(f), "county": ""}),
        )
        .only("pk", "organisation_id")
        .order_by("pk")
    )
    ids = [c.pk for c in collaborations]
    counties_of: dict[UUID, set[str]] = defaultdict(set)
    for cid, county in Collaboration.counties.through.objects.filter(
        collaboration_id__in=ids
    ).values_list("collaboration_id", "county_id"):
        counties_of[cid].add(county)
    for cid, county in Collaboration.municipalities.through.objects.filter(
        collaboration_id__in=ids
    ).values_list("collaboration_id", "municipality__county_id"):
        counties_of[cid].add(county)
    actors = _actors_of(collaborations)
    total: dict[str, int] = defaultdict(int)
    cross: dict[str, int] = defaultdict(int)
    sectors: dict[str, set[str]] = defaultdict(set)
    for collaboration in collaborations:
        reached = {a.sector for a in actors[collaboration.pk]}
        for county in counties_of[collaboration.pk]:
            total[county] += 1
            cross[county] += len(reached) > 1
            sectors[county] |= reached
    spots: dict[str, int] = defaultdict(int)
    for row in white_spots(viewer=viewer, arena=f.arena):
        spots[row.county_code] += 1
    order = {s: i for i, s in enumerate(Sector.values)}
    return [
        CountySectors(
            code=county.code,
            name=county.name,
            collaborations=total[county.code],
            cross_sector=cross[county.code],
            sectors=tuple(sorted(sectors[county.code], key=lambda s: order.get(s, 99))),
            activity_white_spots=spots[county.code],
        )
        for county in County.objects.order_by("code")
        if not f.county or county.code == f.county
    ]


def register_counts(*, viewer: User) -> dict[str, int]:
    """How many collaborations the register holds by status (for the start of the page)."""
    rows = (
        Collaboration.objects.restrict(viewer, VIEW)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {r["status"]: r["n"] for r in rows}
