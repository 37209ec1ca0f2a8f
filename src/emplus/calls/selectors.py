"""Reads of funding calls (every role reads every call: they are the partnership's shared
notice board) and of consortia (the lead organisation's coordinators and administrators)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from django.db.models import Count, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language, gettext

from emplus.calls.annex import Annex, PartnerSection, PresenceArea, RegionalPresence
from emplus.calls.models import Call, Consortium, ConsortiumPartner
from emplus.collaborations.selectors import collaboration_list
from emplus.core.typing import User
from emplus.evidence.choices import EstimateStatus
from emplus.evidence.selectors import effect_estimate_list
from emplus.geo.models import County, Municipality
from emplus.mapping.models import Activity
from emplus.methods.choices import EvidenceLevel
from emplus.methods.models import Method
from emplus.methods.selectors import Outcomes, enrolment_outcomes, enrolment_outcomes_by
from emplus.organisations.models import Organisation
from emplus.pathways.models import Enrolment


def call_list(*, viewer: User, open_on: date | None = None) -> QuerySet[Call]:
    """Calls by deadline, the nearest first; with `open_on`, only those not closed by then."""
    qs = (
        Call.objects.restrict(viewer, "call.view")
        .select_related("organisation")
        .prefetch_related("themes", "target_regions")
    )
    if open_on is not None:
        qs = qs.filter(deadline__gte=open_on)
    return qs.annotate(consortium_count=Count("consortia", distinct=True)).order_by(
        "deadline", "title", "pk"
    )


def call_get(*, viewer: User, pk: object) -> Call:
    return get_object_or_404(call_list(viewer=viewer), pk=pk)


# --- consortia ----------------------------------------------------------------------------------


def consortium_list(*, viewer: User, call: Call) -> QuerySet[Consortium]:
    """The call's consortia the viewer keeps (their lead organisation's)."""
    return (
        Consortium.objects.restrict(viewer, "consortium.view")
        .filter(call=call)
        .select_related("lead_organisation")
        .order_by("title", "pk")
    )


def consortium_get(*, viewer: User, pk: object) -> Consortium:
    """One consortium with its call, partners and history; another organisation's is 404."""
    return get_object_or_404(
        Consortium.objects.restrict(viewer, "consortium.view")
        .select_related("call", "lead_organisation")
        .prefetch_related(
            "call__themes",
            "call__target_regions",
            "partners__organisation",
            "history__actor",
            "history__organisation",
        ),
        pk=pk,
    )


def consortium_partner_get(
    *, viewer: User, consortium: Consortium, pk: object
) -> ConsortiumPartner:
    return get_object_or_404(
        ConsortiumPartner.objects.restrict(viewer, "consortium.change").select_related(
            "organisation", "consortium"
        ),
        consortium=consortium,
        pk=pk,
    )


# --- suggested partners: why each organisation could join a consortium for the call -------------


@dataclass(frozen=True)
class MethodEvidence:
    code: str
    name: str
    evidence_level: int
    evidence_label: str


@dataclass
class Suggestion:
    """An organisation and the reasons it fits the call. Counts of participants are suppressed
    (None) below the threshold, as everywhere outside the owning organisation."""

    organisation: Organisation
    collaborations: list[str] = field(default_factory=list)
    activities: int = 0
    municipalities: int = 0
    methods: list[MethodEvidence] = field(default_factory=list)
    outcomes: Outcomes | None = None
    estimates: int = 0

    @property
    def score(self) -> int:
        return (
            2 * len(self.collaborations)
            + min(self.activities, 5)
            + sum(1 + m.evidence_level for m in self.methods)
            + 2 * self.estimates
        )


def _in_call(call: Call, theme_path: str, county_paths: tuple[str, ...]) -> Q:
    """Rows in one of the call's themes or target counties (every county if it names none)."""
    themes = [t.pk for t in call.themes.all()]
    counties = [c.pk for c in call.target_regions.all()]
    condition = Q(**{f"{theme_path}__in": themes}) if themes else Q(pk__in=[])
    if counties:
        for path in county_paths:
            condition |= Q(**{f"{path}__in": counties})
    return condition


def partner_suggestions(*, viewer: User, call: Call, limit: int = 20) -> list[Suggestion]:
    """Organisations of the register (partners and the actors they collaborate with), ranked
    by how much of the call they already cover: collaborations in its themes or regions,
    activities in its regions, their methods in its themes with the evidence level, effect
    estimates the viewer may see, and the suppressed results of those methods' participants."""
    found: dict[object, Suggestion] = {}

    def entry(organisation: Organisation) -> Suggestion:
        return found.setdefault(organisation.pk, Suggestion(organisation))

    collaborations = collaboration_list(viewer=viewer).filter(
        _in_call(call, "thematic_areas", ("counties", "municipalities__county"))
    )
    for collaboration in collaborations.distinct()[:200]:
        actors = [collaboration.organisation] + [
            p.organisation for p in collaboration.parties.all() if p.organisation is not None
        ]
        for organisation in actors:
            entry(organisation).collaborations.append(collaboration.title)

    counties = [c.pk for c in call.target_regions.all()]
    activities = Activity.objects.all()
    if counties:
        activities = activities.filter(municipalities__county__in=counties)
    coverage = activities.values("organisation").annotate(
        n=Count("pk", distinct=True), places=Count("municipalities", distinct=True)
    )
    organisations = Organisation.objects.in_bulk([row["organisation"] for row in coverage])
    for row in coverage:
        item = entry(organisations[row["organisation"]])
        item.activities, item.municipalities = row["n"], row["places"]

    themes = [t.pk for t in call.themes.all()]
    methods = (
        Method.objects.filter(thematic_areas__in=themes)
        .prefetch_related("owners")
        .distinct()
        .order_by("-evidence_level", "name")
    )
    for method in methods:
        for organisation in method.owners.all():
            entry(organisation).methods.append(
                MethodEvidence(
                    method.code,
                    method.name,
                    method.evidence_level,
                    str(EvidenceLevel(method.evidence_level).label),
                )
            )

    # Outcomes and estimates for every suggested organisation at once (one query each).
    outcomes = enrolment_outcomes_by(
        Enrolment.objects.filter(
            participant__organisation__in=list(found),
            method__in=Method.objects.filter(thematic_areas__in=themes),
        ),
        key="participant__organisation",
    )
    no_outcomes = enrolment_outcomes(Enrolment.objects.none())
    estimates = dict(
        effect_estimate_list(viewer=viewer)
        .filter(status=EstimateStatus.DONE)
        .filter(treatment__organisation__in=[item.organisation.code for item in found.values()])
        .annotate(treated=KeyTextTransform("organisation", "treatment"))
        .order_by()
        .values("treated")
        .annotate(n=Count("pk", distinct=True))
        .values_list("treated", "n")
    )
    for key, item in found.items():
        item.outcomes = outcomes.get(key, no_outcomes)
        item.estimates = estimates.get(item.organisation.code, 0)
    ranked = sorted(found.values(), key=lambda s: (-s.score, s.organisation.name))
    return ranked[:limit]


def consortium_annex(*, viewer: User, consortium: Consortium) -> Annex:
    """What the application annex says, in the active language: each partner's role, presence
    in the call's regions (activities by county), methods in the call's themes with their
    evidence level, and collaborations in the call's themes or regions."""
    call = consortium.call
    english = get_language() == "en"
    themes = [t.name_en if english else t.name_sv for t in call.themes.all()]
    counties = [c.pk for c in call.target_regions.all()]
    suggestions = {
        s.organisation.pk: s for s in partner_suggestions(viewer=viewer, call=call, limit=1000)
    }
    sections = []
    for partner in consortium.partners.select_related("organisation").order_by(
        "role", "organisation__name"
    ):
        organisation = partner.organisation
        activities = Activity.objects.filter(organisation=organisation)
        if counties:
            activities = activities.filter(municipalities__county__in=counties)
        presence = [
            (row["municipalities__county__name"], row["n"], row["places"])
            for row in activities.filter(municipalities__isnull=False)
            .values("municipalities__county__name")
            .annotate(n=Count("pk", distinct=True), places=Count("municipalities", distinct=True))
            .order_by("municipalities__county__name")
        ]
        suggestion = suggestions.get(organisation.pk)
        sections.append(
            PartnerSection(
                organisation=organisation.name,
                role=partner.get_role_display(),
                role_description=partner.role_description,
                contact=partner.contact,
                letter_of_intent=partner.get_letter_of_intent_display(),
                budget_share=partner.budget_share,
                presence=presence,
                methods=[(m.name, m.evidence_label) for m in suggestion.methods]
                if suggestion
                else [],
                collaborations=suggestion.collaborations[:10] if suggestion else [],
            )
        )
    return Annex(
        presence=regional_presence(
            organisations=[p.organisation_id for p in consortium.partners.all()],
            counties=counties,
        ),
        title=consortium.title,
        call_title=call.title,
        funder=call.get_funder_display() + (f": {call.funder_name}" if call.funder_name else ""),
        deadline=call.deadline.isoformat(),
        themes=", ".join(themes) or "-",
        regions=", ".join(c.name for c in call.target_regions.all()) or gettext("All of Sweden"),
        lead=consortium.lead_organisation.name,
        summary=consortium.summary,
        partners=sections,
    )


def regional_presence(*, organisations: list[UUID], counties: list[str]) -> RegionalPresence:
    """How many of the organisations have activities in each area of the call's regions, and
    how many activities: every municipality of the target counties, or every county of Sweden
    when the call names none (areas without presence included, for the map's white spots)."""
    activities = Activity.objects.filter(
        organisation__in=organisations, municipalities__isnull=False
    )
    if counties:
        level, path = "municipality", "municipalities__code"
        areas: QuerySet[Any, tuple[str, str]] = Municipality.objects.filter(
            county__in=counties
        ).values_list("code", "name")
        activities = activities.filter(municipalities__county__in=counties)
    else:
        level, path = "county", "municipalities__county__code"
        areas = County.objects.values_list("code", "name")
    counts = {
        row[path]: (row["partners"], row["n"])
        for row in activities.order_by()
        .values(path)
        .annotate(partners=Count("organisation", distinct=True), n=Count("pk", distinct=True))
    }
    return RegionalPresence(
        level=level,
        areas=[
            PresenceArea(code, name, *counts.get(code, (0, 0)))
            for code, name in areas.order_by("code")
        ],
    )
